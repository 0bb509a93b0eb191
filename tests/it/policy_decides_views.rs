//! A policy file that maps a failure differently is what every view shows:
//! the engine's decision travels in the close event, and nothing classifies
//! again.

use crate::support::Bin;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A server that answers every upgrade with bytes that are not HTTP.
async fn garbage_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                let _ = tcp.read(&mut buf).await;
                let _ = tcp.write_all(b"\x00\x01garbage, not HTTP\r\n\r\n").await;
            });
        }
    });
    format!("ws://{addr}/")
}

#[tokio::test]
async fn a_policy_file_mapping_not_http_to_abnormal_reconnects_and_says_so() {
    let url = garbage_server().await;
    let dir = tempfile::tempdir().expect("a temp dir");
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[failures]\n\"not-http\" = \"abnormal\"\n[classes.abnormal]\nfloor = \"10ms\"\nbase = \"10ms\"\n",
    )
    .expect("write the policy");
    let policy = policy.to_str().expect("a UTF-8 path");
    let run = Bin::wsprobe(&[&url, "--json", "--policy", policy, "--max-attempts", "3"])
        .run()
        .await;
    let events = run.json();
    let closes: Vec<_> = events.iter().filter(|e| e["kind"] == "close").collect();
    assert_eq!(closes.len(), 3, "{}", run.out());
    for close in &closes {
        assert_eq!(close["trigger"], "not-http", "{close}");
        assert_eq!(close["class"], "abnormal", "{close}");
    }
    let reconnects = events.iter().filter(|e| e["kind"] == "reconnect").count();
    assert_eq!(reconnects, 2, "{}", run.out());

    let human = Bin::wsprobe(&[
        &url,
        "--headless",
        "--policy",
        policy,
        "--max-attempts",
        "1",
    ])
    .run()
    .await;
    let out = human.out();
    assert!(out.contains("class abnormal"), "{out}");
    assert!(!out.contains("class fatal"), "{out}");

    // Without the file the built-in policy stops at once: the class is fatal.
    let plain = Bin::wsprobe(&[&url, "--json"]).run().await;
    let events = plain.json();
    let close = events
        .iter()
        .find(|e| e["kind"] == "close")
        .expect("a close");
    assert_eq!(close["class"], "fatal", "{close}");
    assert!(events.iter().all(|e| e["kind"] != "reconnect"));
}
