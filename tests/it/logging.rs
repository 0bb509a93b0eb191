//! Logging for someone debugging wsprobe itself: the built binary, run
//! headless against a local server with `RUST_LOG` set, writes the resolved
//! address and the upgrade request to its log, and never a secret unless
//! `--show-secrets` asks for it.

use std::path::Path;
use std::process::{Output, Stdio};

use crate::support::{Server, closes_with, within};

const SECRET: &str = "s3cr3t";

/// A URL with a secret in its query, on a server that closes each
/// connection with 1000 at once (so a run ends by itself).
async fn server() -> (Server, String) {
    let server = closes_with(1000).await;
    let url = format!("{}?token={SECRET}&room=lobby", server.url("/ws"));
    (server, url)
}

/// Runs one headless attempt with a secret header, `RUST_LOG=level` (unset
/// for `None`) and `extra` arguments; fails the test if it does not end in
/// time.
async fn run(url: &str, level: Option<&str>, extra: &[&str]) -> Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_wsprobe"));
    match level {
        Some(level) => command.env("RUST_LOG", level),
        None => command.env_remove("RUST_LOG"),
    };
    let child = command
        .args([url, "--headless", "--max-attempts", "1"])
        .args(["-H", &format!("Authorization: Bearer {SECRET}")])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let out = within("the headless run", child.wait_with_output())
        .await
        .expect("the binary runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "a run the server ends with 1000 succeeds; stderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read the log: {e}"))
}

/// The checks every log must pass: the address the name resolved to, the
/// request line with the token redacted, and no secret anywhere.
fn assert_useful_and_redacted(log: &str, server: &Server) {
    assert!(!log.is_empty(), "the log is empty");
    let addr = server.addr.to_string();
    assert!(
        log.lines()
            .any(|l| l.contains("resolved") && l.contains(&addr)),
        "no line gives the resolved address {addr}:\n{log}"
    );
    assert!(
        log.contains("GET /ws?token=REDACTED&room=lobby HTTP/1.1"),
        "no redacted request line:\n{log}"
    );
    assert!(
        log.contains("authorization: REDACTED"),
        "the Authorization header is not shown redacted:\n{log}"
    );
    assert!(!log.contains(SECRET), "the log holds the secret:\n{log}");
}

#[tokio::test]
async fn a_debug_log_file_has_the_address_and_request_but_no_secret() {
    let (server, url) = server().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("wsprobe.log");
    let path_arg = path.to_string_lossy().into_owned();
    let out = run(&url, Some("debug"), &["--log-file", &path_arg]).await;
    assert_useful_and_redacted(&read(&path), &server);
    assert!(
        out.stderr.is_empty(),
        "with --log-file, logs stay off stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.contains(SECRET),
        "stdout holds the secret:\n{stdout}"
    );
}

#[tokio::test]
async fn headless_trace_logs_go_to_stderr_without_secrets() {
    // At trace level tungstenite would log the raw request, header and all.
    let (server, url) = server().await;
    let out = run(&url, Some("trace"), &[]).await;
    assert_useful_and_redacted(&String::from_utf8_lossy(&out.stderr), &server);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.lines().all(|l| l.starts_with('[')),
        "logs must not reach stdout:\n{stdout}"
    );
}

#[tokio::test]
async fn show_secrets_shows_them_in_the_log_too() {
    let (_server, url) = server().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("wsprobe.log");
    let path_arg = path.to_string_lossy().into_owned();
    run(
        &url,
        Some("debug"),
        &["--log-file", &path_arg, "--show-secrets"],
    )
    .await;
    let log = read(&path);
    assert!(
        log.contains(&format!("authorization: Bearer {SECRET}")),
        "the header is redacted despite --show-secrets:\n{log}"
    );
    assert!(log.contains(&format!("GET /ws?token={SECRET}&room=lobby HTTP/1.1")));
}

#[tokio::test]
async fn without_rust_log_headless_stderr_stays_quiet() {
    // Only warnings by default: a clean run prints nothing on stderr.
    let (_server, url) = server().await;
    let out = run(&url, None, &[]).await;
    assert!(
        out.stderr.is_empty(),
        "unexpected logs on stderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
