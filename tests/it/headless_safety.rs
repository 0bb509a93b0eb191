//! The built binary keeps secrets and hostile text in check: credentials
//! are sent but never shown (unless --show-secrets), and text from the
//! network cannot control the terminal in --json or --headless output.

use tokio::io::AsyncWriteExt;

use crate::support::{
    self, Bin, BinRun, Server, close_frame, close_with, echo, frame, handshake, header, serve,
};

fn url(server: &Server) -> String {
    server.url("/chat").to_string()
}

// ---------------------------------------------------------------------------
// Secrets

const TOKEN: &str = "s3cr3t";
const QUERY: &str = "abc123";

/// Checks that both secrets arrived, then says so and closes with 1000
/// (1008 when one is missing). It also sets a cookie holding the token, so
/// the response headers carry a secret too.
async fn auth_server() -> Server {
    serve(|_, mut tcp| async move {
        let cookie = format!("sid={TOKEN}");
        let head = handshake(&mut tcp, &[("Set-Cookie", &cookie)]).await?;
        let auth_ok = header(&head, "authorization") == Some(&format!("Bearer {TOKEN}"));
        let query_ok = head
            .lines()
            .next()
            .is_some_and(|l| l.contains(&format!("token={QUERY}")));
        if auth_ok && query_ok {
            tcp.write_all(&frame(0x1, b"welcome")).await?;
            close_with(&mut tcp, &close_frame(1000, b"")).await?;
        } else {
            close_with(&mut tcp, &close_frame(1008, b"")).await?;
        }
        Ok(())
    })
    .await
}

async fn with_secrets(server: &Server, extra: &[&str]) -> BinRun {
    let url = format!("{}?token={QUERY}&room=7", server.url("/"));
    let auth = format!("Authorization: Bearer {TOKEN}");
    let mut args = vec![url.as_str(), "-H", auth.as_str()];
    args.extend_from_slice(extra);
    Bin::wsprobe(&args).run().await
}

#[tokio::test]
async fn secrets_are_sent_but_never_shown() {
    let server = auth_server().await;
    for mode in ["--json", "--headless"] {
        let out = with_secrets(&server, &[mode]).await;
        assert_eq!(out.status, Some(0), "{mode}: {}\n{}", out.out(), out.stderr);
        let text = format!("{}{}", out.out(), out.stderr);
        assert!(
            text.contains("welcome"),
            "{mode}: the server accepted\n{text}"
        );
        assert!(
            text.contains("room=7"),
            "{mode}: only secrets are hidden\n{text}"
        );
        for secret in [TOKEN, QUERY] {
            assert!(!text.contains(secret), "{mode}: `{secret}` leaked:\n{text}");
        }
    }
    let out = with_secrets(&server, &["--json"]).await;
    let open = &out.json()[1];
    assert_eq!(open["headers"]["set-cookie"], "REDACTED");
}

#[tokio::test]
async fn secrets_in_a_refused_upgrade_are_not_shown() {
    let server = serve(|_, mut tcp| async move {
        let cookie = format!("sid={TOKEN}");
        support::http_reply(
            &mut tcp,
            "401 Unauthorized",
            &[("Set-Cookie", &cookie), ("WWW-Authenticate", "Bearer")],
            "",
        )
        .await
    })
    .await;
    let out = with_secrets(&server, &["--json"]).await;
    assert_eq!(out.status, Some(1), "{}\n{}", out.out(), out.stderr);
    let text = format!("{}{}", out.out(), out.stderr);
    assert!(!text.contains(TOKEN) && !text.contains(QUERY), "{text}");
    let events = out.json();
    assert_eq!(events[1]["http_status"], 401);
    assert_eq!(events[1]["http"]["headers"]["www-authenticate"], "Bearer");
}

#[tokio::test]
async fn a_password_in_the_url_is_not_shown() {
    let server = serve(|_, tcp| async move { echo(tcp).await.map(drop) }).await;
    let url = format!("ws://me:hunter2@{}/", server.addr);
    for mode in ["--json", "--headless"] {
        let out = Bin::wsprobe(&[&url, mode, "--duration", "100ms"])
            .run()
            .await;
        assert_eq!(out.status, Some(0), "{mode}: {}\n{}", out.out(), out.stderr);
        let text = format!("{}{}", out.out(), out.stderr);
        assert!(!text.contains("hunter2"), "{mode}: {text}");
        assert!(text.contains("me:"), "{mode}: {text}");
    }
}

#[tokio::test]
async fn show_secrets_shows_them() {
    let server = auth_server().await;
    let out = with_secrets(&server, &["--json", "--show-secrets"]).await;
    assert_eq!(out.status, Some(0), "{}\n{}", out.out(), out.stderr);
    let events = out.json();
    assert!(
        events[0]["url"]
            .as_str()
            .unwrap_or_default()
            .contains(&format!("token={QUERY}")),
        "{}",
        out.out()
    );
    assert_eq!(events[1]["headers"]["set-cookie"], format!("sid={TOKEN}"));
}

// ---------------------------------------------------------------------------
// Text from the network

/// A message and a close reason full of terminal escapes, bidi overrides,
/// C1 controls and line breaks.
const EVIL: &str =
    "\x1b]0;owned\x07\x1b[31mred\x1b[0m \u{202e}txt.exe\u{202c} \u{9b}2J\nline2\r\tend";
const EVIL_REASON: &str = "\x1b[2J\x07\u{202e}gone\nnow";

async fn evil_server() -> Server {
    serve(|_, mut tcp| async move {
        handshake(&mut tcp, &[]).await?;
        tcp.write_all(&frame(0x1, EVIL.as_bytes())).await?;
        close_with(&mut tcp, &close_frame(1000, EVIL_REASON.as_bytes())).await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn json_keeps_hostile_text_exact_and_escaped() {
    let server = evil_server().await;
    let out = Bin::wsprobe(&[&url(&server), "--json"]).run().await;
    assert_eq!(out.status, Some(0), "{}\n{}", out.out(), out.stderr);
    for byte in [0x1b, 0x07, b'\r', b'\t'] {
        assert!(
            !out.stdout.contains(&byte),
            "raw {byte:#04x} in {}",
            out.out()
        );
    }
    // Run in a terminal, JSON lines must not reorder or control it either:
    // bidi overrides and C1 controls are \u-escaped like the C0 ones.
    let text = out.out();
    let raw: Vec<char> = text
        .chars()
        .filter(|&c| c != '\n' && wsprobe::sanitize::is_unsafe(c))
        .collect();
    assert!(raw.is_empty(), "raw {raw:?} in {text}");
    let events = out.json();
    assert_eq!(events[2]["text"], EVIL);
    assert_eq!(events[2]["len"], EVIL.len());
    assert_eq!(events[3]["reason"], EVIL_REASON);
}

#[tokio::test]
async fn headless_prints_no_control_character_at_all() {
    let server = evil_server().await;
    let out = Bin::wsprobe(&[&url(&server), "--headless"]).run().await;
    assert_eq!(out.status, Some(0), "{}\n{}", out.out(), out.stderr);
    let text = out.out();
    let controls: Vec<char> = text
        .chars()
        .filter(|&c| c != '\n' && (c.is_control() || wsprobe::sanitize::is_unsafe(c)))
        .collect();
    assert!(controls.is_empty(), "{controls:?} in\n{text}");
    assert!(!out.stdout.contains(&0x1b));
    assert!(!out.stdout.contains(&0x07));
    assert!(!text.contains('\u{202e}'));
    // connecting, open, message, close, give_up: one line each.
    assert_eq!(out.newlines(), 5, "{text}");
    assert!(text.lines().all(|l| l.starts_with('[')), "{text}");
    assert!(text.contains("owned"), "the text is shown, escaped: {text}");
    assert!(
        text.contains("gone"),
        "the reason is shown, escaped: {text}"
    );
}

/// A policy file with waits of tens of milliseconds, for runs that reconnect.
const FAST_POLICY: &str =
    "[classes.service-restart]\nfirst-low = \"10ms\"\nfirst-high = \"30ms\"\n";

#[tokio::test]
async fn headless_lines_stay_one_per_event_over_a_run_with_reconnects() {
    let server = serve(|n, mut tcp| async move {
        handshake(&mut tcp, &[]).await?;
        let code = if n % 2 == 0 { 1012 } else { 1000 };
        close_with(&mut tcp, &close_frame(code, b"restart\nnow")).await?;
        Ok(())
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("fast.toml");
    std::fs::write(&policy, FAST_POLICY).unwrap();
    let policy = policy.to_str().unwrap();
    let json = Bin::wsprobe(&[&url(&server), "--json", "--seed", "3", "--policy", policy])
        .run()
        .await;
    assert_eq!(json.status, Some(0), "{}", json.stderr);
    let events = json.json();
    assert_eq!(
        support::kinds(&events),
        [
            "connecting",
            "open",
            "close",
            "reconnect",
            "connecting",
            "open",
            "close",
            "give_up"
        ]
    );
    support::assert_reconnect(&events[3], "service restart:", (10, 30));
    let human = Bin::wsprobe(&[
        &url(&server),
        "--headless",
        "--seed",
        "3",
        "--policy",
        policy,
    ])
    .run()
    .await;
    assert_eq!(human.status, Some(0), "{}", human.stderr);
    let text = human.out();
    assert_eq!(human.newlines(), events.len(), "{text}");
    assert!(text.contains("restart\\nnow"), "{text}");
}
