//! Recording and replaying: a live run against the scenario server's
//! `/cycle`, recorded, and played back with the same lines; the `session`
//! record, `ts`, whole binary payloads; and the inputs that feed a run
//! (`--send @FILE`, `--send-binary`, `--stdin`, `--close-code`).

use std::time::{Duration, UNIX_EPOCH};

use crate::support::record::{fast_policy, json_lines, server, wsprobe};
use base64::Engine as _;
use serde_json::Value;

fn kinds(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or("?"))
        .collect()
}

#[tokio::test]
async fn a_replay_prints_the_lines_the_live_run_printed() {
    let server = server().await;
    let dir = tempfile::tempdir().unwrap();
    let policy = fast_policy(dir.path());
    let rec = dir.path().join("cycle.jsonl");
    let url = server.url("/cycle");
    let live = wsprobe(
        &[
            &url,
            "--headless",
            "--seed",
            "7",
            "--policy",
            &policy,
            "--send",
            "hello",
            "--send-binary",
            "00ff10",
            "--duration",
            "20s",
            "--record",
            rec.to_str().unwrap(),
        ],
        None,
        &[],
    )
    .await;
    assert_eq!(live.status, Some(0), "{}\n{}", live.text(), live.stderr);
    let replay = wsprobe(&["replay", rec.to_str().unwrap(), "--headless"], None, &[]).await;
    assert_eq!(replay.status, Some(0), "{}", replay.stderr);
    assert_eq!(
        replay.text(),
        live.text(),
        "the replay differs from the live run"
    );
    assert!(replay.stderr.is_empty(), "{}", replay.stderr);

    // The whole cycle is in it: a restart, the 503 of the overload, a drop.
    let lines = live.text();
    for expected in ["1012", "HTTP 503", "1006", "1001", "1000"] {
        assert!(lines.contains(expected), "no {expected} in\n{lines}");
    }

    let records = json_lines(&rec);
    let session = &records[0];
    assert_eq!(session["kind"], "session");
    assert_eq!(session["seed"], 7);
    assert_eq!(session["version"], env!("CARGO_PKG_VERSION"));
    assert!(
        session["policy"]
            .as_str()
            .unwrap()
            .contains("[classes.abnormal]")
    );
    assert!(
        session["command_line"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == &Value::from(url.as_str()))
    );
    let start = wsprobe::timestamp::parse_rfc3339(session["ts"].as_str().unwrap()).unwrap();
    for (i, e) in records[1..].iter().enumerate() {
        assert_eq!(e["seq"], i, "{e}");
        let ts = wsprobe::timestamp::parse_rfc3339(e["ts"].as_str().expect("ts")).unwrap();
        let t_ms = e["t_ms"].as_f64().unwrap();
        let from_t = start + Duration::from_secs_f64(t_ms / 1000.0);
        let gap = from_t.duration_since(ts).unwrap_or_else(|e| e.duration());
        assert!(gap < Duration::from_millis(1), "ts and t_ms disagree: {e}");
        assert!(ts > UNIX_EPOCH);
    }
    // Binary messages keep their whole payload.
    let binary = records
        .iter()
        .find(|e| e["type"] == "binary")
        .expect("a binary message");
    let whole = base64::engine::general_purpose::STANDARD
        .decode(binary["base64"].as_str().unwrap())
        .unwrap();
    assert_eq!(whole, [0x00, 0xff, 0x10]);
    assert_eq!(binary["hex"], "00ff10");
}

#[tokio::test]
async fn json_output_starts_with_the_session_and_carries_payloads_when_asked() {
    let server = server().await;
    let dir = tempfile::tempdir().unwrap();
    let data: Vec<u8> = (0..200u8).collect();
    let file = dir.path().join("blob.bin");
    std::fs::write(&file, &data).unwrap();
    let blob = format!("@{}", file.display());
    let url = server.url("/echo");
    let run = |payload: &'static str| {
        let (url, blob) = (url.clone(), blob.clone());
        async move {
            let args = [
                url.as_str(),
                "--json",
                "--send-binary",
                &blob,
                "--duration",
                "300ms",
                "--payload",
                payload,
            ];
            wsprobe(&args, None, &[]).await
        }
    };
    for (payload, whole) in [("preview", false), ("full", true)] {
        let out = run(payload).await;
        assert_eq!(out.status, Some(0), "{}", out.stderr);
        let lines: Vec<Value> = out
            .text()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["kind"], "session", "{}", out.text());
        assert!(lines[0].get("seq").is_none());
        assert!(lines[0]["seed"].is_u64(), "the drawn seed is told");
        assert_eq!(lines[1]["seq"], 0);
        let echoed: Vec<&Value> = lines.iter().filter(|e| e["type"] == "binary").collect();
        assert_eq!(echoed.len(), 2, "sent and echoed: {}", out.text());
        for e in echoed {
            assert_eq!(e["len"], 200);
            assert_eq!(e["hex"].as_str().unwrap().len(), 128);
            assert_eq!(e.get("base64").is_some(), whole, "{e}");
            if whole {
                let b = base64::engine::general_purpose::STANDARD
                    .decode(e["base64"].as_str().unwrap())
                    .unwrap();
                assert_eq!(b, data);
            }
        }
    }
}

#[tokio::test]
async fn stdin_lines_are_sent_once_open_and_the_duration_closes_with_the_chosen_code() {
    let server = server().await;
    let url = server.url("/echo");
    let out = wsprobe(
        &[
            &url,
            "--json",
            "--stdin",
            "--duration",
            // Room for both echoes on a loaded machine; the run ends by it.
            "3s",
            "--close-code",
            "4000",
            "--close-reason",
            "done here",
        ],
        Some(b"first line\nsecond \xc3\xa9\n"),
        &[],
    )
    .await;
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    let events: Vec<Value> = out
        .text()
        .lines()
        .skip(1)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let open = kinds(&events).iter().position(|k| *k == "open").unwrap();
    let texts: Vec<(&str, &str)> = events
        .iter()
        .filter(|e| e["type"] == "text")
        .map(|e| (e["dir"].as_str().unwrap(), e["text"].as_str().unwrap()))
        .collect();
    // Each line goes out once, in order, and its echo comes back after it;
    // the second line may leave before the first echo arrives.
    let dir = |d: &str| -> Vec<&str> {
        texts
            .iter()
            .filter(|(x, _)| *x == d)
            .map(|(_, t)| *t)
            .collect()
    };
    assert_eq!(dir("out"), ["first line", "second é"], "{}", out.text());
    assert_eq!(dir("in"), ["first line", "second é"], "{}", out.text());
    for line in ["first line", "second é"] {
        let sent = texts.iter().position(|t| *t == ("out", line));
        let echoed = texts.iter().position(|t| *t == ("in", line));
        assert!(sent < echoed, "{line}: {}", out.text());
    }
    let first = events.iter().position(|e| e["type"] == "text").unwrap();
    assert!(first > open, "sent only after the open");
    let close = events.iter().find(|e| e["kind"] == "close").unwrap();
    assert_eq!(close["code"], 4000);
    assert_eq!(close["reason"], "done here");
    assert_eq!(close["initiator"], "client");
    assert_eq!(close["trigger"], "user");
}

#[tokio::test]
async fn bad_inputs_exit_2_naming_what_is_wrong() {
    let url = "ws://127.0.0.1:9/";
    let cases: [(&[&str], &[&str]); 6] = [
        (
            &["--send", "@/no/such/message.txt"],
            &["/no/such/message.txt"],
        ),
        (&["--send-binary", "0a0bzz"], &["offset 4", "hex"]),
        (&["--send-binary", "@/no/such.bin"], &["/no/such.bin"]),
        (&["--close-code", "1006"], &["1006", "never"]),
        (&["--close-code", "2000"], &["2000", "reserved"]),
        (&["--close-code", "5000"], &["5000"]),
    ];
    for (args, expected) in cases {
        let mut all = vec![url, "--json"];
        all.extend_from_slice(args);
        let out = wsprobe(&all, None, &[]).await;
        assert_eq!(out.status, Some(2), "{all:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{all:?}");
        for word in expected {
            assert!(out.stderr.contains(word), "{all:?}: {}", out.stderr);
        }
    }
}
