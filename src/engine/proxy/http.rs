//! The HTTP CONNECT exchange (RFC 9110 §9.3.6), by hand: the request, the
//! answer's head read byte by byte up to the blank line (so no byte of the
//! tunnel is taken), interim `1xx` answers skipped, and for a refusal its
//! status, reason, headers and the start of its body.

use std::fmt::Write as _;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::Proxy;
use crate::engine::auth::Credentials;
use crate::engine::dial::Failure;
use crate::engine::event::{ErrorClass, HttpReply};
use crate::engine::policy::{Trigger, is_proxy_failure_status};
use crate::engine::redact;
use crate::engine::reply::Head;
use crate::text::escape;

/// The longest answer head accepted from a proxy.
const MAX_HEAD: usize = 16 * 1024;
/// How much of a refusal's body is kept.
const MAX_BODY: usize = 4096;
/// How long to wait for more of a refusal's body.
const BODY_WAIT: Duration = Duration::from_millis(500);

fn protocol(proxy: &Proxy, what: &str) -> Failure {
    Failure::new(
        ErrorClass::Proxy,
        Trigger::ProxyProtocol,
        format!(
            "the proxy {} {what}; is it an HTTP proxy? (a SOCKS proxy is written socks5://)",
            proxy.address()
        ),
    )
}

/// Reads one head, up to and with the blank line.
async fn read_head<S: AsyncRead + Unpin>(s: &mut S, proxy: &Proxy) -> Result<Vec<u8>, Failure> {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") && !head.ends_with(b"\n\n") {
        if head.len() >= MAX_HEAD {
            return Err(protocol(proxy, "sent an answer head over 16 KiB"));
        }
        let byte = s.read_u8().await.map_err(|e| {
            if head.is_empty() {
                protocol(
                    proxy,
                    &format!("closed the connection without answering ({e})"),
                )
            } else {
                protocol(proxy, &format!("closed the connection mid-answer ({e})"))
            }
        })?;
        head.push(byte);
        if head.len() == 5 && !head.starts_with(b"HTTP/") {
            return Err(protocol(
                proxy,
                &format!(
                    "did not answer in HTTP (its first bytes: `{}`)",
                    escape(&String::from_utf8_lossy(&head))
                ),
            ));
        }
    }
    Ok(head)
}

/// Reads what arrives of a refusal's body, bounded in size and time.
async fn read_body<S: AsyncRead + Unpin>(s: &mut S, head: &Head) -> Vec<u8> {
    let want = head
        .get("content-length")
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(MAX_BODY)
        .min(MAX_BODY);
    let mut body = vec![0u8; want];
    let mut have = 0;
    while have < want {
        match tokio::time::timeout(BODY_WAIT, s.read(&mut body[have..])).await {
            Ok(Ok(n)) if n > 0 => have += n,
            _ => break,
        }
    }
    body.truncate(have);
    body
}

/// Asks the proxy for a tunnel to `host:port`; returns when it is open.
pub(super) async fn connect<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    proxy: &Proxy,
    host: &str,
    port: u16,
    creds: Option<&Credentials>,
    show_secrets: bool,
) -> Result<(), Failure> {
    let authority = format!("{host}:{port}");
    let mut request = format!(
        "CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: wsprobe/{}\r\n",
        env!("CARGO_PKG_VERSION")
    );
    if let Some(c) = creds {
        let _ = write!(request, "Proxy-Authorization: {}\r\n", c.basic());
    }
    request.push_str("\r\n");
    tracing::debug!(
        "to the proxy: CONNECT {authority} HTTP/1.1{}",
        if creds.is_some() {
            " with Proxy-Authorization: REDACTED"
        } else {
            ""
        }
    );
    let write = async {
        s.write_all(request.as_bytes()).await?;
        s.flush().await
    };
    write
        .await
        .map_err(|e| protocol(proxy, &format!("closed the connection ({e})")))?;
    loop {
        let raw = read_head(s, proxy).await?;
        let head = Head::parse(&raw)
            .ok_or_else(|| protocol(proxy, "sent a status line that is not HTTP"))?;
        tracing::debug!("the proxy answered: {} {}", head.status, head.reason_text());
        match head.status {
            100..=199 => {}
            200..=299 => return Ok(()),
            _ => {
                let body = read_body(s, &head).await;
                return Err(refusal(
                    proxy,
                    &authority,
                    &head,
                    &body,
                    creds,
                    show_secrets,
                ));
            }
        }
    }
}

/// The proxy said no: its status, what that means here, and the fix.
fn refusal(
    proxy: &Proxy,
    authority: &str,
    head: &Head,
    body: &[u8],
    creds: Option<&Credentials>,
    show_secrets: bool,
) -> Failure {
    let status = head.status;
    let reason = head.reason_text();
    let at = proxy.address();
    let mut message =
        format!("the proxy {at} answered the CONNECT for {authority} with HTTP {status} {reason}");
    match (status, creds) {
        (407, None) => {
            let _ = write!(
                message,
                ": it wants credentials{}; put them in the proxy URL, percent-encoded \
                 (--proxy http://USER:PASS@{at} or in HTTPS_PROXY)",
                head.get("proxy-authenticate")
                    .map(|v| format!(" (Proxy-Authenticate: {})", escape(&v)))
                    .unwrap_or_default()
            );
        }
        (407, Some(c)) => {
            let _ = write!(
                message,
                ": it did not accept the credentials of the proxy URL (user `{}`); check the \
                 user name and password (special characters percent-encoded), or the scheme \
                 it wants{}",
                escape(&c.user),
                head.get("proxy-authenticate")
                    .map(|v| format!(" (Proxy-Authenticate: {})", escape(&v)))
                    .unwrap_or_default()
            );
        }
        (403, _) => {
            let _ = write!(
                message,
                ": its rules do not allow a tunnel to {authority} (many proxies allow CONNECT \
                 only to port 443); ask for {authority} to be allowed, or reach it directly by \
                 listing the host in NO_PROXY"
            );
        }
        (502 | 504, _) => {
            let _ = write!(
                message,
                ": the proxy could not reach {authority} itself; check that the endpoint is up \
                 and reachable from the proxy"
            );
        }
        _ => message.push_str(": no tunnel was opened"),
    }
    let text = String::from_utf8_lossy(body);
    let text = if show_secrets {
        text.into_owned()
    } else {
        redact::redact_urls(&text).into_owned()
    };
    let excerpt: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if !excerpt.is_empty() {
        let short: String = excerpt.chars().take(160).collect();
        let more = if short.len() < excerpt.len() {
            "…"
        } else {
            ""
        };
        let _ = write!(message, " — its page says: \"{}{more}\"", escape(&short));
    }
    let trigger = if is_proxy_failure_status(status) {
        Trigger::ProxyHttp(status)
    } else {
        Trigger::ProxyProtocol
    };
    Failure {
        http: Some(HttpReply {
            status,
            reason,
            headers: head.list(show_secrets),
            body: text.chars().take(2048).collect(),
        }),
        ..Failure::new(ErrorClass::Proxy, trigger, message)
    }
}
