//! The user's own input is a usage error (exit 2, before any connection)
//! when it cannot work, and every message that quotes it is escaped: a
//! header, an origin, a URL or a policy file cannot steer the terminal.
//! What can be sent is sent as given: `-H Host` reaches the server.

use std::time::Duration;

use crate::support::{self, Bin, BinRun, close_frame, close_with, run};
use tokio::sync::mpsc;

async fn run_bin(args: &[&str]) -> BinRun {
    Bin::wsprobe(args).run().await
}

/// Nothing listens on the discard port of the loopback: a run that got as
/// far as connecting would fail with exit status 1.
const NOWHERE: &str = "ws://127.0.0.1:9/";

/// `wsprobe NOWHERE --json --max-attempts 1 ARGS`.
async fn probe(args: &[&str]) -> BinRun {
    let mut all = vec![NOWHERE, "--json", "--max-attempts", "1"];
    all.extend_from_slice(args);
    run_bin(&all).await
}

/// Asserts exit status 2, that stderr says each of `says`, and that no
/// control byte made it to stderr unescaped.
fn assert_usage(out: &BinRun, says: &[&str], ctx: &str) {
    assert_eq!(
        out.status,
        Some(2),
        "{ctx}: exit status\nstdout: {}\nstderr: {}",
        out.out(),
        out.stderr
    );
    assert!(
        out.stdout.is_empty(),
        "{ctx}: nothing on stdout: {}",
        out.out()
    );
    for s in says {
        assert!(out.stderr.contains(s), "{ctx}: says `{s}`: {}", out.stderr);
    }
    let raw = out
        .stderr
        .trim_end_matches('\n')
        .chars()
        .find(|&c| c.is_control() && c != '\n');
    assert!(raw.is_none(), "{ctx}: raw {raw:?} in {:?}", out.stderr);
}

#[tokio::test]
async fn an_origin_with_a_line_break_is_a_usage_error() {
    for (origin, byte) in [
        ("https://a.example\r\nX-Injected: 1", "\\r"),
        ("https://a.example\nX: 1", "\\n"),
        ("https://a.example\x1b[2J", "\\x1b"),
    ] {
        let out = probe(&["--origin", origin]).await;
        assert_usage(&out, &["--origin", byte], &format!("{origin:?}"));
    }
}

#[tokio::test]
async fn header_values_with_control_bytes_are_usage_errors() {
    for (value, byte) in [
        ("a\x01b", "\\x01"),
        ("a\x1b]0;pwned\x07", "\\x1b"),
        ("a\x7fb", "\\x7f"),
        ("a\rb", "\\r"),
    ] {
        let header = format!("X-Trace: {value}");
        let out = probe(&["-H", &header]).await;
        assert_usage(&out, &["X-Trace", byte], &format!("{value:?}"));
    }
}

#[tokio::test]
async fn headers_the_handshake_owns_are_refused_not_dropped() {
    for name in [
        "Sec-WebSocket-Key",
        "sec-websocket-version",
        "Upgrade",
        "Connection",
    ] {
        let header = format!("{name}: x");
        let out = probe(&["-H", &header]).await;
        assert_usage(&out, &[name, "handshake"], name);
    }
}

#[tokio::test]
async fn a_bad_header_name_is_quoted_escaped() {
    for raw in ["X\x1b[2J: 1", "\x1b]0;pwned\x07", "X-A\u{202e}: 1"] {
        let out = probe(&["-H", raw]).await;
        assert_usage(&out, &["header"], &format!("{raw:?}"));
        assert!(!out.stderr.contains('\u{202e}'), "{}", out.stderr);
    }
}

#[tokio::test]
async fn a_bad_url_is_quoted_escaped() {
    for url in ["ftp://a\x1b[2J.example/x", "ws://exa\x07mple\u{1b}]0;t/"] {
        let out = run_bin(&[url, "--json"]).await;
        assert_usage(&out, &["\\x"], &format!("{url:?}"));
    }
}

#[tokio::test]
async fn a_policy_file_with_control_bytes_cannot_steer_the_terminal() {
    let dir = tempfile::tempdir().expect("a temp dir");
    for (name, text) in [
        ("title.toml", "\x1b]0;pwned\x07 = 1\n"),
        ("clear.toml", "min-uptime = \"\x1b[2J\x1b[H5s\"\n"),
        ("key.toml", "[classes.abnormal]\nca\x1b[31mp = \"1s\"\n"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write the policy file");
        let p = path.to_str().expect("a UTF-8 path");
        let out = probe(&["--policy", p]).await;
        assert_usage(&out, &[p, "policy show"], name);
        let out = run_bin(&["policy", "show", "--policy", p]).await;
        assert_usage(&out, &[p], name);
    }
}

#[tokio::test]
async fn a_header_that_would_replace_another_is_refused() {
    for (args, says) in [
        (
            &["-H", "Host: a.example", "-H", "host: b.example"][..],
            "Host",
        ),
        (
            &[
                "-H",
                "Origin: https://a.example",
                "--origin",
                "https://b.example",
            ],
            "Origin",
        ),
        (
            &["-H", "Sec-WebSocket-Protocol: a", "--protocol", "b"],
            "--protocol",
        ),
    ] {
        let out = probe(args).await;
        assert_usage(&out, &[says], &format!("{args:?}"));
    }
}

#[tokio::test]
async fn the_users_host_header_is_sent() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let server = support::serve(move |_, mut tcp| {
        let tx = tx.clone();
        async move {
            let head = support::handshake(&mut tcp, &[]).await?;
            let _ = tx.send(head);
            close_with(&mut tcp, &close_frame(1000, b"")).await?;
            Ok(())
        }
    })
    .await;
    let mut s = support::settings(server.url("/vhost"));
    s.headers = vec![("Host".into(), "virtual.example".into())];
    s.max_attempts = Some(1);
    s.duration = Some(Duration::from_secs(3));
    let run = run(s).await;
    let head = support::within("the request head", rx.recv())
        .await
        .unwrap_or_else(|| panic!("no request arrived:\n{}", run.dump()));
    let hosts: Vec<&str> = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(n, _)| n.trim().eq_ignore_ascii_case("host"))
        .map(|(_, v)| v.trim())
        .collect();
    assert_eq!(hosts, ["virtual.example"], "{head}");
}
