//! The built binary in `--json` and `--headless` mode: the event contract
//! line by line, exit statuses and usage errors.

use std::fmt::Write as _;

use serde_json::Value;
use tokio::io::AsyncWriteExt;

use crate::support::{
    self, Bin, Server, close_frame, close_with, echo, frame, handshake, read_frame, serve,
};

/// Talks a little of everything, then closes with `code`: answers the
/// client's first text, sends a text, a binary of 100 bytes and a ping,
/// reads the pong, and closes.
async fn chatty_server(code: u16) -> Server {
    serve(move |_, mut tcp| async move {
        handshake(&mut tcp, &[("X-Server", "chatty")]).await?;
        let hello = read_frame(&mut tcp).await?;
        let mut reply = b"you said: ".to_vec();
        reply.extend_from_slice(&hello.payload);
        tcp.write_all(&frame(0x1, &reply)).await?;
        let binary: Vec<u8> = (0..100).collect();
        tcp.write_all(&frame(0x2, &binary)).await?;
        tcp.write_all(&frame(0x9, b"are you there")).await?;
        let pong = read_frame(&mut tcp).await?;
        assert_eq!(pong.opcode, 0xA, "a pong answers the ping");
        close_with(&mut tcp, &close_frame(code, b"bye")).await?;
        Ok(())
    })
    .await
}

fn url(server: &Server) -> String {
    server.url("/chat").to_string()
}

#[tokio::test]
async fn json_lines_follow_the_contract() {
    let server = chatty_server(1000).await;
    let out = Bin::wsprobe(&[&url(&server), "--json", "--send", "hello", "--seed", "1"])
        .run()
        .await;
    assert_eq!(out.status, Some(0), "{}\n{}", out.out(), out.stderr);
    let events = out.json();
    let kinds = support::kinds(&events);
    assert_eq!(
        kinds,
        [
            "connecting",
            "open",
            "message",
            "message",
            "message",
            "ping",
            "pong",
            "close",
            "give_up"
        ],
        "{}",
        out.out()
    );
    let e = |i: usize| &events[i];
    assert_eq!(e(0)["attempt"], 1);
    assert_eq!(e(0)["url"], url(&server));
    let open = e(1);
    assert_eq!(open["status"], 101);
    assert!(open["subprotocol"].is_null());
    assert!(support::num(open, "handshake_ms") >= 0.0);
    assert_eq!(open["headers"]["x-server"], "chatty");
    assert_eq!(open["insecure"], false);
    let sent = e(2);
    assert_eq!(
        (&sent["dir"], &sent["type"], &sent["len"], &sent["text"]),
        (&"out".into(), &"text".into(), &5.into(), &"hello".into())
    );
    assert_eq!(e(3)["dir"], "in");
    assert_eq!(e(3)["text"], "you said: hello");
    let binary = e(4);
    assert_eq!(binary["type"], "binary");
    assert_eq!(binary["len"], 100);
    let head = (0u8..64).fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    });
    assert_eq!(binary["hex"], head.as_str());
    assert!(binary.get("text").is_none());
    assert_eq!((&e(5)["dir"], &e(5)["len"]), (&"in".into(), &13.into()));
    assert_eq!(e(6)["dir"], "out");
    assert!(e(6).get("rtt_ms").is_none(), "our pong has no rtt");
    let close = e(7);
    assert_eq!(close["code"], 1000);
    assert_eq!(close["reason"], "bye");
    assert_eq!(close["initiator"], "server");
    assert_eq!(close["wire"], true);
    assert_eq!(close["clean"], true);
    assert!(close["name"].is_string());
    assert!(e(8)["reason"].is_string());
}

#[tokio::test]
async fn a_stop_other_than_1000_exits_1() {
    let server = chatty_server(1008).await;
    let out = Bin::wsprobe(&[&url(&server), "--json", "--send", "x"])
        .run()
        .await;
    assert_eq!(out.status, Some(1), "{}\n{}", out.out(), out.stderr);
    let events = out.json();
    assert_eq!(events[events.len() - 2]["code"], 1008);
}

#[tokio::test]
async fn used_up_attempts_exit_1() {
    let addr = support::refused_addr().await;
    let out = Bin::wsprobe(&[&format!("ws://{addr}/"), "--json", "--max-attempts", "1"])
        .run()
        .await;
    assert_eq!(out.status, Some(1), "{}\n{}", out.out(), out.stderr);
    let events = out.json();
    assert_eq!(
        support::kinds(&events),
        ["connecting", "error", "close", "give_up"]
    );
    assert_eq!(events[1]["class"], "refused");
}

#[tokio::test]
async fn duration_ends_the_run_with_1000_and_exit_0() {
    let server = serve(|_, tcp| async move { echo(tcp).await.map(drop) }).await;
    let out = Bin::wsprobe(&[&url(&server), "--json", "--duration", "300ms"])
        .run()
        .await;
    assert_eq!(out.status, Some(0), "{}\n{}", out.out(), out.stderr);
    let events = out.json();
    assert_eq!(
        support::kinds(&events),
        ["connecting", "open", "close", "give_up"]
    );
    assert_eq!(events[2]["code"], 1000);
    assert_eq!(events[2]["initiator"], "client");
}

#[tokio::test]
async fn sigterm_closes_with_1001_and_exits_0() {
    let server = serve(|_, tcp| async move { echo(tcp).await.map(drop) }).await;
    let mut child = Bin::wsprobe(&[url(&server).as_str(), "--json"]).spawn();
    let mut events = Vec::new();
    loop {
        let line = child.next_line().await.expect("a line before the end");
        let v: Value = serde_json::from_str(&line).expect("JSON");
        if v["kind"] == "session" {
            continue;
        }
        let open = v["kind"] == "open";
        events.push(v);
        if open {
            break;
        }
    }
    child.signal("TERM").await;
    while let Some(line) = child.next_line().await {
        events.push(serde_json::from_str(&line).expect("JSON"));
    }
    let status = child.wait().await;
    support::check(&events);
    assert_eq!(
        support::kinds(&events),
        ["connecting", "open", "close", "give_up"]
    );
    assert_eq!(events[2]["code"], 1001);
    assert_eq!(events[2]["initiator"], "client");
    assert_eq!(status.code(), Some(0));
}

#[tokio::test]
async fn usage_errors_exit_2_and_say_what_to_write() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("bad.toml");
    std::fs::write(&policy, "[classes.abnormal]\nflor = \"1s\"\n").unwrap();
    let not_pem = dir.path().join("ca.pem");
    std::fs::write(&not_pem, "this is not a certificate\n").unwrap();
    let policy = policy.to_str().unwrap();
    let not_pem = not_pem.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["ftp://x", "--json"], "ws://x"),
        (&["ws://127.0.0.1:9/", "--json", "-H", "NoColon"], "-H \""),
        (
            &[
                "ws://127.0.0.1:9/",
                "--json",
                "--cacert",
                "/nonexistent/ca.pem",
            ],
            "/nonexistent/ca.pem",
        ),
        (
            &["wss://127.0.0.1:9/", "--json", "--cacert", not_pem],
            not_pem,
        ),
        (&["ws://127.0.0.1:9/", "--json", "--policy", policy], policy),
    ];
    for (args, hint) in cases {
        let out = Bin::wsprobe(args).run().await;
        assert_eq!(out.status, Some(2), "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}: {}", out.out());
        assert!(out.stderr.contains(hint), "{args:?}: {}", out.stderr);
    }
}
