//! `wsprobe export --har`: a recording with text, binary and a refused
//! upgrade (the overload's HTTP 503) becomes HAR 1.2 that passes the schema
//! in `tests/data`, one entry per attempt, every message in order.

use crate::support::record::{fast_policy, json_lines, server, validate, wsprobe};
use base64::Engine as _;
use serde_json::Value;

#[tokio::test]
async fn a_recording_exports_as_valid_har_with_every_message() {
    let server = server().await;
    let dir = tempfile::tempdir().unwrap();
    let policy = fast_policy(dir.path());
    let rec = dir.path().join("run.jsonl");
    let har = dir.path().join("run.har");
    let url = server.url("/cycle?token=s3cret");
    let live = wsprobe(
        &[
            &url,
            "--json",
            "--policy",
            &policy,
            "--send",
            "hello \"there\"",
            "--send-binary",
            "deadbeef00",
            "-H",
            "Authorization: Bearer s3cret",
            "--duration",
            "20s",
            "--record",
            rec.to_str().unwrap(),
        ],
        None,
        &[],
    )
    .await;
    assert_eq!(live.status, Some(0), "{}", live.stderr);
    let out = wsprobe(
        &[
            "export",
            rec.to_str().unwrap(),
            "--har",
            har.to_str().unwrap(),
        ],
        None,
        &[],
    )
    .await;
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    let text = std::fs::read_to_string(&har).unwrap();
    assert!(!text.contains("s3cret"), "a secret leaked into the HAR");
    let doc: Value = serde_json::from_str(&text).expect("the HAR is JSON");
    let schema: Value = serde_json::from_str(include_str!("data/har-1.2.schema.json")).unwrap();
    let errors = validate(&schema, &doc);
    assert!(errors.is_empty(), "not HAR 1.2:\n{}", errors.join("\n"));
    assert_eq!(doc["log"]["version"], "1.2");
    assert_eq!(doc["log"]["creator"]["name"], "wsprobe");

    // One entry per attempt, each with the messages of its attempt in order.
    let records = json_lines(&rec);
    let mut attempts: Vec<Vec<&Value>> = Vec::new();
    let mut rejected = 0;
    for r in &records {
        match r["kind"].as_str() {
            Some("connecting") => attempts.push(Vec::new()),
            Some("message") => attempts.last_mut().unwrap().push(r),
            Some("error") if r["http_status"] == 503 => rejected += 1,
            _ => {}
        }
    }
    assert!(rejected > 0, "the overload answered 503 at least once");
    let entries = doc["log"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), attempts.len());
    let mut texts = 0;
    let mut binaries = 0;
    let mut refused_entries = 0;
    for (entry, messages) in entries.iter().zip(&attempts) {
        assert_eq!(entry["_resourceType"], "websocket");
        assert_eq!(entry["request"]["method"], "GET");
        assert!(
            entry["request"]["url"]
                .as_str()
                .unwrap()
                .contains("token=REDACTED")
        );
        let got = entry["_webSocketMessages"].as_array().unwrap();
        assert_eq!(got.len(), messages.len(), "{entry}");
        let mut last_time = 0.0;
        for (m, r) in got.iter().zip(messages) {
            let ty = if r["dir"] == "out" { "send" } else { "receive" };
            assert_eq!(m["type"], ty);
            let time = m["time"].as_f64().unwrap();
            assert!(
                time > 1.0e9 && time >= last_time,
                "epoch seconds in order: {m}"
            );
            last_time = time;
            if r["type"] == "text" {
                texts += 1;
                assert_eq!(m["opcode"], 1);
                assert_eq!(m["data"], r["text"]);
            } else {
                binaries += 1;
                assert_eq!(m["opcode"], 2);
                let data = base64::engine::general_purpose::STANDARD
                    .decode(m["data"].as_str().unwrap())
                    .unwrap();
                assert_eq!(data, [0xde, 0xad, 0xbe, 0xef, 0x00]);
            }
        }
        let response = &entry["response"];
        if response["status"] == 503 {
            refused_entries += 1;
            assert!(got.is_empty());
            let names: Vec<&str> = response["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["name"].as_str().unwrap())
                .collect();
            assert!(
                names.iter().any(|n| n.eq_ignore_ascii_case("retry-after")),
                "{names:?}"
            );
            assert!(response["content"]["size"].as_u64().unwrap() > 0);
        } else if !got.is_empty() {
            assert_eq!(response["status"], 101);
            let request_headers = entry["request"]["headers"].to_string();
            assert!(
                request_headers
                    .to_ascii_lowercase()
                    .contains("authorization"),
                "{request_headers}"
            );
        }
    }
    assert_eq!(refused_entries, rejected);
    assert!(
        texts >= 2 && binaries >= 2,
        "sent and echoed: {texts} {binaries}"
    );
}
