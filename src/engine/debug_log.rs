//! What an attempt writes to the log for someone debugging wsprobe itself
//! (`RUST_LOG=debug`): the addresses a name resolved to, the upgrade request
//! and reply, and what TLS negotiated. These are facts the timeline does not
//! show. Secrets are redacted here exactly as in the events, so a log file
//! can be attached to a bug report.

use std::net::SocketAddr;

use tokio_tungstenite::tungstenite::handshake::client::{Request, Response};
use tokio_tungstenite::tungstenite::http::HeaderMap;
use url::Url;

use crate::engine::target;

/// The addresses `host` resolved to, in the order they will be tried.
pub(crate) fn resolved(host: &str, port: u16, addrs: &[SocketAddr]) {
    tracing::debug!("resolved {host}:{port} to {}", list(addrs));
}

/// The upgrade request as it goes on the wire, secrets redacted.
pub(crate) fn request(request: &Request, url: &Url, show_secrets: bool) {
    tracing::debug!(
        "upgrade request: {} {} {:?}",
        request.method(),
        request_target(url, show_secrets),
        request.version()
    );
    headers(request.headers(), show_secrets, "request");
}

/// The server's answer to the upgrade, secrets redacted.
pub(crate) fn response(response: &Response, show_secrets: bool) {
    tracing::debug!(
        "upgrade response: {:?} {}",
        response.version(),
        response.status()
    );
    headers(response.headers(), show_secrets, "response");
}

/// What the TLS handshake settled on.
pub(crate) fn tls_session(host: &str, conn: &rustls::ClientConnection) {
    let version = conn
        .protocol_version()
        .map_or_else(|| "unknown".to_string(), |v| format!("{v:?}"));
    let suite = conn
        .negotiated_cipher_suite()
        .map_or_else(|| "unknown".to_string(), |s| format!("{:?}", s.suite()));
    let alpn = conn.alpn_protocol().map_or_else(
        || "none".to_string(),
        |p| String::from_utf8_lossy(p).into_owned(),
    );
    tracing::debug!(
        host,
        "TLS established: {version}, cipher suite {suite}, ALPN {alpn}"
    );
}

/// The path and query of the request line, with secret query values
/// redacted (the same redaction as the URL in the events).
fn request_target(url: &Url, show_secrets: bool) -> String {
    let redacted = target::redact_url(url, show_secrets);
    // Redaction only rewrites values, so the result parses; fall back to
    // the bare path rather than risk printing a query unredacted.
    Url::parse(&redacted).map_or_else(
        |_| url.path().to_string(),
        |u| u[url::Position::BeforePath..url::Position::AfterQuery].to_string(),
    )
}

fn headers(map: &HeaderMap, show_secrets: bool, which: &str) {
    for (name, value) in map {
        let value = String::from_utf8_lossy(value.as_bytes());
        tracing::debug!(
            "{which} header {}: {}",
            name.as_str(),
            target::redact_header(name.as_str(), &value, show_secrets)
        );
    }
}

fn list(addrs: &[SocketAddr]) -> String {
    addrs
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_target_hides_token_values() {
        let url = Url::parse("ws://h:1/ws?token=s3cr3t&room=a").unwrap();
        assert_eq!(request_target(&url, false), "/ws?token=REDACTED&room=a");
        assert_eq!(request_target(&url, true), "/ws?token=s3cr3t&room=a");
        let bare = Url::parse("ws://h/").unwrap();
        assert_eq!(request_target(&bare, false), "/");
    }
}
