//! Secrets by name, not by a short list: token-like query values in the URL
//! and secret-looking response headers never reach `--json` or
//! `--headless` output (unless --show-secrets).

mod common;

use common::{BinRun, Server, close_frame, close_with, handshake};

/// Query names that carry secrets; each gets the value `v<index>SECRET`.
const SECRET_NAMES: &[&str] = &[
    "accessToken",
    "authToken",
    "refreshToken",
    "refresh_token",
    "id_token",
    "auth_token",
    "client_secret",
    "Authorization",
    "x-api-key",
    "api-key",
    "access-token",
    "bearer",
    "jwt",
    "session",
    "sessionid",
    "private_key",
    "passwd",
    "X-Amz-Signature",
    "X-Goog-Signature",
];

/// Query names that stay visible.
const PLAIN_NAMES: &[&str] = &["room", "id", "channel", "page", "keyboard", "monkey"];

fn secret(i: usize) -> String {
    format!("v{i}SECRET")
}

/// A server answering 101 (with `extra` headers) and closing with 1000.
async fn open_server(extra: &'static [(&'static str, &'static str)]) -> Server {
    common::serve(move |_, mut tcp| async move {
        handshake(&mut tcp, extra).await?;
        close_with(&mut tcp, &close_frame(1000, b"")).await?;
        Ok(())
    })
    .await
}

/// Runs the binary in both headless modes; returns (json run, all text).
async fn both_modes(url: &str, extra: &[&str]) -> (BinRun, String) {
    let mut text = String::new();
    let mut json = None;
    for mode in ["--headless", "--json"] {
        let mut args = vec![url, mode, "--max-attempts", "1"];
        args.extend_from_slice(extra);
        let out = common::run_bin(&args).await;
        text.push_str(&out.out());
        text.push_str(&out.stderr);
        json = Some(out);
    }
    (json.expect("two runs"), text)
}

#[tokio::test]
async fn token_like_query_values_are_redacted() {
    let server = open_server(&[]).await;
    let mut query: Vec<String> = SECRET_NAMES
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{n}={}", secret(i)))
        .collect();
    query.extend(PLAIN_NAMES.iter().map(|n| format!("{n}=plain-{n}")));
    let url = format!("{}?{}", server.url("/"), query.join("&"));
    let (json, text) = both_modes(&url, &[]).await;
    assert_eq!(json.status, Some(0), "{text}");
    for (i, name) in SECRET_NAMES.iter().enumerate() {
        assert!(!text.contains(&secret(i)), "`{name}` leaked:\n{text}");
    }
    let shown = json.json()[0]["url"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    for name in PLAIN_NAMES {
        assert!(shown.contains(&format!("{name}=plain-{name}")), "{shown}");
    }
    let out = common::run_bin(&[&url, "--json", "--max-attempts", "1", "--show-secrets"]).await;
    assert!(out.out().contains(&secret(0)), "--show-secrets shows them");
}

#[tokio::test]
async fn secret_looking_response_headers_are_redacted() {
    let server = open_server(&[
        ("X-Auth-Token", "hdr1SECRET"),
        ("X-Api-Key", "hdr2SECRET"),
        ("X-Session-Id", "hdr3SECRET"),
        ("Proxy-Authorization", "Basic hdr4SECRET"),
        ("X-Request-Id", "visible-id"),
        ("Keep-Alive", "timeout=5"),
    ])
    .await;
    let (json, text) = both_modes(server.url("/").as_str(), &[]).await;
    assert!(!text.contains("SECRET"), "{text}");
    let open = &json.json()[1];
    assert_eq!(open["headers"]["x-auth-token"], "REDACTED", "{open}");
    assert_eq!(open["headers"]["x-request-id"], "visible-id", "{open}");
    assert_eq!(open["headers"]["keep-alive"], "timeout=5", "{open}");
}
