//! Proxies started by the tests: ws:// and wss:// through HTTP CONNECT
//! (with and without Basic credentials, and over TLS), SOCKS5 with local
//! and remote name resolution (with and without credentials), proxies that
//! refuse (407, 403, 502, a closed port), and no credential in any output.

use serde_json::Value;

use crate::support::pki::{self, write};
use crate::support::proxies::{http_proxy, https_proxy, refusing_proxy, socks5_proxy};
use crate::support::{Bin, BinRun, closes_with, refused_addr};

/// Runs `wsprobe URL --json --max-attempts 1 ARGS` with a log file, and
/// checks that none of `secrets` shows anywhere.
pub async fn probe(url: &str, args: &[&str], env: &[(&str, &str)], secrets: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("wsprobe.log");
    let log_arg = log.display().to_string();
    let mut all = vec![url, "--json", "--max-attempts", "1", "--log-file", &log_arg];
    all.extend_from_slice(args);
    let mut bin = Bin::wsprobe(&all);
    for (k, v) in env {
        bin = bin.env(k, v);
    }
    let out = bin.run().await;
    let log = std::fs::read_to_string(&log).unwrap_or_default();
    for secret in secrets {
        for (what, text) in [
            ("stdout", out.out()),
            ("stderr", out.stderr.clone()),
            ("log", log.clone()),
        ] {
            assert!(
                !text.contains(secret),
                "{secret:?} shows in {what}:\n{text}"
            );
        }
    }
    assert!(
        !out.stdout.is_empty(),
        "no events (exit {:?}); stderr:\n{}",
        out.status,
        out.stderr
    );
    let events = out.json();
    Run { out, events, log }
}

/// One run of the binary: its output, events and log.
pub struct Run {
    /// The process's output.
    pub out: BinRun,
    /// Its JSON events.
    pub events: Vec<Value>,
    /// Its log file.
    pub log: String,
}

impl Run {
    /// The first event of `kind`.
    pub fn first(&self, kind: &str) -> &Value {
        self.events
            .iter()
            .find(|e| e["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in\n{}", self.out.out()))
    }

    /// Asserts an attempt that opened and closed with 1000.
    pub fn assert_opened(&self) {
        let kinds: Vec<&str> = self
            .events
            .iter()
            .filter_map(|e| e["kind"].as_str())
            .collect();
        assert_eq!(
            kinds,
            ["connecting", "open", "close", "give_up"],
            "{}\n{}",
            self.out.out(),
            self.out.stderr
        );
        assert_eq!(self.out.status, Some(0));
    }

    /// Asserts a proxy failure: an error of class proxy and a close whose
    /// trigger is `trigger`; returns the error's message.
    pub fn assert_proxy_failure(&self, trigger: &str) -> String {
        let error = self.first("error");
        assert_eq!(error["class"], "proxy", "{error}");
        assert_eq!(
            self.first("close")["trigger"],
            trigger,
            "{}",
            self.out.out()
        );
        assert_eq!(self.out.status, Some(1));
        error["message"].as_str().unwrap_or_default().to_string()
    }
}

#[tokio::test]
async fn ws_through_an_http_connect_proxy() {
    let server = closes_with(1000).await;
    let proxy = http_proxy(None).await;
    let run = probe(
        server.url("/").as_str(),
        &["--proxy", &proxy.url("http")],
        &[],
        &[],
    )
    .await;
    run.assert_opened();
    assert_eq!(run.first("connecting")["proxy"], proxy.url("http"));
    assert_eq!(run.first("open")["peer"], proxy.server.addr.to_string());
    let seen = proxy.log.entries();
    assert!(
        seen[0].starts_with(&format!("CONNECT {} HTTP/1.1", server.addr)),
        "{seen:?}"
    );
}

#[tokio::test]
async fn wss_through_a_proxy_with_credentials_keeps_them_secret() {
    let ca = pki::ca("reach CA");
    let leaf = ca.sign(&["127.0.0.1"], |_| {});
    let server = pki::wss_server(pki::acceptor(&leaf, None)).await;
    let dir = tempfile::tempdir().unwrap();
    let ca_file = write(dir.path(), "ca.pem", &ca.made.pem());
    let proxy = http_proxy(Some(("alice", "pr0xy-s3cret"))).await;
    let url = proxy.url_with("http", "alice", "pr0xy-s3cret");
    let ca_arg = ca_file.display().to_string();
    let run = probe(
        server.wss("/").as_str(),
        &["--proxy", &url, "--cacert", &ca_arg],
        &[],
        &["pr0xy-s3cret"],
    )
    .await;
    let kinds: Vec<&str> = run
        .events
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(kinds[..2], ["connecting", "open"], "{}", run.out.out());
    assert_eq!(
        run.first("connecting")["proxy"],
        proxy.url_with("http", "alice", "REDACTED")
    );
    assert_eq!(run.first("open")["tls"]["version"], "TLS 1.3");
    assert!(proxy.log.entries()[0].contains("Proxy-Authorization: Basic "));
}

#[tokio::test]
async fn a_proxy_that_wants_credentials_is_an_auth_failure_of_the_proxy() {
    let server = closes_with(1000).await;
    let proxy = http_proxy(Some(("alice", "pw"))).await;
    let run = probe(
        server.url("/").as_str(),
        &["--proxy", &proxy.url("http")],
        &[],
        &[],
    )
    .await;
    let message = run.assert_proxy_failure("proxy-407");
    assert!(
        message.contains("407") && message.contains("credentials"),
        "{message}"
    );
    assert!(message.contains("Basic realm"), "{message}");
    assert_eq!(run.first("error")["http_status"], 407);
    assert_eq!(run.first("close")["class"], "auth");
    assert_eq!(server.accepted(), 0, "the endpoint was never reached");
    let wrong = proxy.url_with("http", "alice", "wrong-s3cret");
    let run = probe(
        server.url("/").as_str(),
        &["--proxy", &wrong],
        &[],
        &["wrong-s3cret"],
    )
    .await;
    let message = run.assert_proxy_failure("proxy-407");
    assert!(message.contains("did not accept"), "{message}");
}

#[tokio::test]
async fn refusals_at_the_proxy_name_the_proxy_and_the_fix() {
    let server = closes_with(1000).await;
    let forbidden = refusing_proxy("403 Forbidden", "not on the allow-list").await;
    let run = probe(
        server.url("/").as_str(),
        &["--proxy", &forbidden.url("http")],
        &[],
        &[],
    )
    .await;
    let message = run.assert_proxy_failure("proxy-403");
    assert!(
        message.contains("allow") && message.contains("not on the allow-list"),
        "{message}"
    );
    assert_eq!(run.first("close")["class"], "auth");
    let gateway = refusing_proxy("502 Bad Gateway", "upstream down").await;
    let run = probe(
        server.url("/").as_str(),
        &["--proxy", &gateway.url("http")],
        &[],
        &[],
    )
    .await;
    let message = run.assert_proxy_failure("proxy-502");
    assert!(message.contains("could not reach"), "{message}");
    assert_eq!(run.first("close")["class"], "abnormal");
    let teapot = refusing_proxy("418 I'm a teapot", "").await;
    let run = probe(
        server.url("/").as_str(),
        &["--proxy", &teapot.url("http")],
        &[],
        &[],
    )
    .await;
    run.assert_proxy_failure("proxy-418");
    let closed = refused_addr().await;
    let run = probe(
        server.url("/").as_str(),
        &["--proxy", &format!("http://{closed}")],
        &[],
        &[],
    )
    .await;
    let message = run.assert_proxy_failure("proxy-refused");
    assert!(message.contains(&closed.to_string()), "{message}");
    assert_eq!(server.accepted(), 0);
    let out = Bin::wsprobe(&["explain", "proxy-407"]).run().await;
    assert!(
        out.out().contains("Proxy Authentication Required"),
        "{}",
        out.out()
    );
}

#[tokio::test]
async fn an_https_proxy_is_reached_over_tls() {
    let ca = pki::ca("proxy CA");
    let leaf = ca.sign(&["127.0.0.1"], |_| {});
    let proxy = https_proxy(pki::acceptor(&leaf, None)).await;
    let server = closes_with(1000).await;
    let dir = tempfile::tempdir().unwrap();
    let ca_file = write(dir.path(), "ca.pem", &ca.made.pem());
    let ca_arg = ca_file.display().to_string();
    let run = probe(
        server.url("/").as_str(),
        &["--proxy", &proxy.url("https"), "--cacert", &ca_arg],
        &[],
        &[],
    )
    .await;
    run.assert_opened();
    let run = probe(
        server.url("/").as_str(),
        &["--proxy", &proxy.url("https")],
        &[],
        &[],
    )
    .await;
    let message = run.assert_proxy_failure("proxy-tls");
    assert!(message.contains("unknown issuer"), "{message}");
}

#[tokio::test]
async fn socks5_resolves_here_and_socks5h_lets_the_proxy_resolve() {
    let server = closes_with(1000).await;
    let proxy = socks5_proxy(None).await;
    let url = format!("ws://localhost:{}/", server.addr.port());
    let run = probe(&url, &["--proxy", &proxy.url("socks5")], &[], &[]).await;
    run.assert_opened();
    let run = probe(&url, &["--proxy", &proxy.url("socks5h")], &[], &[]).await;
    run.assert_opened();
    let seen = proxy.log.entries();
    assert_eq!(
        seen[0],
        format!("ip 127.0.0.1:{}", server.addr.port()),
        "{seen:?}"
    );
    assert_eq!(
        seen[1],
        format!("name localhost:{}", server.addr.port()),
        "{seen:?}"
    );
}

#[tokio::test]
async fn socks5_credentials_are_sent_and_kept_secret() {
    let server = closes_with(1000).await;
    let proxy = socks5_proxy(Some(("bob", "s0cks-s3cret"))).await;
    let good = proxy.url_with("socks5h", "bob", "s0cks-s3cret");
    let run = probe(
        server.url("/").as_str(),
        &["--proxy", &good],
        &[],
        &["s0cks-s3cret"],
    )
    .await;
    run.assert_opened();
    let bad = proxy.url_with("socks5h", "bob", "wr0ng-s3cret");
    let run = probe(
        server.url("/").as_str(),
        &["--proxy", &bad],
        &[],
        &["wr0ng-s3cret"],
    )
    .await;
    let message = run.assert_proxy_failure("proxy-auth");
    assert!(message.contains("rejected"), "{message}");
    let run = probe(
        server.url("/").as_str(),
        &["--proxy", &proxy.url("socks5")],
        &[],
        &[],
    )
    .await;
    let message = run.assert_proxy_failure("proxy-auth");
    assert!(message.contains("wants a user name"), "{message}");
}

#[tokio::test]
async fn a_socks5_reply_is_put_in_words() {
    let closed = refused_addr().await;
    let proxy = socks5_proxy(None).await;
    let url = format!("ws://{closed}/");
    let run = probe(&url, &["--proxy", &proxy.url("socks5")], &[], &[]).await;
    let message = run.assert_proxy_failure("proxy-socks");
    assert!(message.contains("reply 5, connection refused"), "{message}");
    assert_eq!(run.first("close")["class"], "abnormal");
}

#[tokio::test]
async fn the_environment_chooses_the_proxy_as_curl_does() {
    let server = closes_with(1000).await;
    let proxy = http_proxy(None).await;
    let closed = format!("http://{}", refused_addr().await);
    let url = server.url("/").to_string();
    // http_proxy (lower case) for ws://.
    let run = probe(&url, &[], &[("http_proxy", &proxy.url("http"))], &[]).await;
    run.assert_opened();
    assert_eq!(run.first("connecting")["proxy"], proxy.url("http"));
    // HTTP_PROXY (upper case) is ignored, as curl ignores it.
    let run = probe(&url, &[], &[("HTTP_PROXY", &closed)], &[]).await;
    run.assert_opened();
    assert_eq!(run.first("connecting")["proxy"], Value::Null);
    // ALL_PROXY is the fallback.
    let run = probe(&url, &[], &[("ALL_PROXY", &proxy.url("http"))], &[]).await;
    run.assert_opened();
    assert_eq!(run.first("connecting")["proxy"], proxy.url("http"));
    // NO_PROXY bypasses; --no-proxy ignores them all; --proxy '' uses none.
    let run = probe(
        &url,
        &[],
        &[("ALL_PROXY", &closed), ("NO_PROXY", "localhost,127.0.0.1")],
        &[],
    )
    .await;
    run.assert_opened();
    let run = probe(&url, &["--no-proxy"], &[("http_proxy", &closed)], &[]).await;
    run.assert_opened();
    let run = probe(&url, &["--proxy", ""], &[("http_proxy", &closed)], &[]).await;
    run.assert_opened();
    // HTTPS_PROXY is for wss:// only.
    let run = probe(&url, &[], &[("HTTPS_PROXY", &closed)], &[]).await;
    run.assert_opened();
    // A bad proxy URL is bad input.
    let out = Bin::wsprobe(&[&url, "--json", "--proxy", "ftp://u:hunter2@p"])
        .run()
        .await;
    assert_eq!(out.status, Some(2));
    assert!(
        out.stderr.contains("--proxy") && !out.stderr.contains("hunter2"),
        "{}",
        out.stderr
    );
}

#[tokio::test]
async fn a_proxy_that_never_answers_is_a_proxy_timeout() {
    let server = closes_with(1000).await;
    let silent = crate::support::serve(|_, tcp| crate::support::hold(tcp)).await;
    let proxy = format!("http://{}", silent.addr);
    let run = probe(
        server.url("/").as_str(),
        &["--proxy", &proxy, "--connect-timeout", "1s"],
        &[],
        &[],
    )
    .await;
    let message = run.assert_proxy_failure("proxy-timeout");
    assert!(
        message.contains("did not open the tunnel") && message.contains("1s"),
        "{message}"
    );
    assert_eq!(run.first("close")["class"], "abnormal");
}
