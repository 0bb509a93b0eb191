//! Secrets by name, not by a short list: token-like query values in the URL,
//! secret-looking response headers, and URLs inside `Location`,
//! `Content-Location` and `Link` never reach `--json` or `--headless`
//! output (unless --show-secrets).

use crate::support::{
    self, Bin, BinRun, Server, close_frame, close_with, drain_to_eof, handshake, read_request,
};
use tokio::io::AsyncWriteExt;

async fn run_bin(args: &[&str]) -> BinRun {
    Bin::wsprobe(args).run().await
}

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
    support::serve(move |_, mut tcp| async move {
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
        let out = run_bin(&args).await;
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
    let out = run_bin(&[&url, "--json", "--max-attempts", "1", "--show-secrets"]).await;
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

#[tokio::test]
async fn urls_in_redirects_and_links_hide_their_secrets() {
    let server = support::serve(|_, mut tcp| async move {
        read_request(&mut tcp).await?;
        tcp.write_all(
            b"HTTP/1.1 302 Found\r\n\
              Location: wss://login.example/ws?token=loc1SECRET&room=7\r\n\
              Content-Location: /ws?id_token=loc2SECRET&page=2\r\n\
              Link: <https://u:loc3SECRET@cdn.example/a?X-Amz-Signature=loc4SECRET&v=1>; rel=preload\r\n\
              Content-Length: 60\r\n\r\n\
              <a href=\"wss://login.example/ws?token=loc5SECRET\">moved</a>\n",
        )
        .await?;
        drain_to_eof(&mut tcp).await
    })
    .await;
    let (json, text) = both_modes(server.url("/").as_str(), &[]).await;
    assert!(!text.contains("SECRET"), "{text}");
    let events = json.json();
    let error = events
        .iter()
        .find(|e| e["kind"] == "error")
        .expect("an error");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("wss://login.example/ws?token=REDACTED&room=7"),
        "{message}"
    );
    assert!(text.contains("page=2") && text.contains("v=1"), "{text}");
    let out = run_bin(&[server.url("/").as_str(), "--json", "--show-secrets"]).await;
    assert!(out.out().contains("loc1SECRET"), "{}", out.out());
}
