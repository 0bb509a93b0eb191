//! The HTTP side of the handshake, read and written by hand: the scenarios
//! answer with any status and headers, and a plain browser request gets a
//! readable page instead of a failed upgrade.

use std::fmt::Write as _;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout, timeout_at};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::http::StatusCode;

/// The most header bytes accepted before answering 431.
const MAX_HEAD: usize = 16 * 1024;

/// One parsed request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    pub method: String,
    /// Path and query, e.g. `/close/4000?reason=bye`.
    pub target: String,
    headers: Vec<(String, String)>,
}

/// Why no request could be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The client went away (or never spoke) before a whole request head.
    Closed,
    /// The head is larger than [`MAX_HEAD`].
    TooLarge,
    /// Not an HTTP/1.1 request head.
    Malformed(&'static str),
    /// No whole request head within the handshake timeout.
    TimedOut,
}

impl Request {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether a comma-separated header contains `token` (case-insensitive).
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }

    /// Whether this asks for a WebSocket upgrade at all.
    pub fn wants_upgrade(&self) -> bool {
        self.has_token("upgrade", "websocket")
    }

    fn parse(head: &str) -> Result<Self, ReadError> {
        let mut lines = head.split("\r\n");
        let mut first = lines.next().unwrap_or("").split(' ');
        let (Some(method), Some(target), Some(version)) =
            (first.next(), first.next(), first.next())
        else {
            return Err(ReadError::Malformed(
                "the request line is not `METHOD PATH HTTP/1.1`",
            ));
        };
        if !version.starts_with("HTTP/1.") {
            return Err(ReadError::Malformed(
                "only HTTP/1.x requests can be upgraded",
            ));
        }
        // An absolute-form target (`GET http://host/path`) is reduced to its path.
        let target = match target.split_once("://") {
            Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
            None => target,
        };
        let mut headers = Vec::new();
        for line in lines.filter(|l| !l.is_empty()) {
            let Some((name, value)) = line.split_once(':') else {
                return Err(ReadError::Malformed("a header line has no `:`"));
            };
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
        Ok(Self {
            method: method.to_string(),
            target: target.to_string(),
            headers,
        })
    }
}

/// Reads one request head; returns it with any bytes that came after it
/// (frames a client sent without waiting for our answer).
pub(crate) async fn read_request(
    stream: &mut TcpStream,
    limit: Duration,
) -> Result<(Request, Vec<u8>), ReadError> {
    let deadline = Instant::now() + limit;
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buf[..end])
                .map_err(|_| ReadError::Malformed("the request head is not UTF-8"))?;
            let request = Request::parse(head)?;
            return Ok((request, buf[end + 4..].to_vec()));
        }
        if buf.len() > MAX_HEAD {
            return Err(ReadError::TooLarge);
        }
        match timeout_at(deadline, stream.read(&mut chunk)).await {
            Err(_) => return Err(ReadError::TimedOut),
            Ok(Ok(0) | Err(_)) => return Err(ReadError::Closed),
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// A non-101 answer: status, extra headers and a plain-text body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Response {
    pub status: u16,
    headers: Vec<(String, String)>,
    body: String,
    head_only: bool,
}

impl Response {
    /// An answer with this status and text body.
    pub fn new(status: u16, body: impl Into<String>) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.into(),
            head_only: false,
        }
    }

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// Leaves the body out (a HEAD request) while keeping its length.
    #[must_use]
    pub fn head_only(mut self, yes: bool) -> Self {
        self.head_only = yes;
        self
    }

    /// The value of header `name`, if set.
    #[cfg(test)]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The bytes on the wire.
    pub fn to_bytes(&self) -> Vec<u8> {
        let reason = StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Unknown");
        // 204 and 304 must not carry a body.
        let body = if matches!(self.status, 204 | 304) {
            ""
        } else {
            self.body.as_str()
        };
        let mut head = format!("HTTP/1.1 {} {reason}\r\n", self.status);
        for (name, value) in &self.headers {
            let _ = write!(head, "{name}: {value}\r\n");
        }
        let _ = write!(
            head,
            "Server: wsprobe\r\nContent-Type: text/plain; charset=utf-8\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let mut out = head.into_bytes();
        if !self.head_only {
            out.extend_from_slice(body.as_bytes());
        }
        out
    }
}

/// Writes `response`, then closes the way HTTP servers do: our FIN first,
/// then a short drain, so unread request bytes do not turn the close into a
/// reset that could destroy the answer before the client reads it.
pub(crate) async fn respond_and_close(mut stream: TcpStream, response: &Response) {
    if stream.write_all(&response.to_bytes()).await.is_err() {
        return;
    }
    let _ = stream.shutdown().await;
    let mut sink = [0u8; 2048];
    let drain = async { while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {} };
    let _ = timeout(Duration::from_secs(1), drain).await;
}

/// The 101 answer for a request with this `Sec-WebSocket-Key`, choosing the
/// client's first subprotocol when it offered any (a test server should let
/// clients that insist on one connect).
pub(crate) fn switching_protocols(key: &str, protocol: Option<&str>) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\nServer: wsprobe\r\n",
        derive_accept_key(key.as_bytes())
    );
    if let Some(protocol) = protocol {
        let _ = write!(head, "Sec-WebSocket-Protocol: {protocol}\r\n");
    }
    head.push_str("\r\n");
    head.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_handshake_head() {
        let head = "GET /echo?x=1 HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\n\
                    Upgrade: WebSocket\r\nSec-WebSocket-Protocol: a, b";
        let Ok(req) = Request::parse(head) else {
            panic!("did not parse");
        };
        assert_eq!(req.method, "GET");
        assert_eq!(req.target, "/echo?x=1");
        assert!(req.wants_upgrade());
        assert!(req.has_token("connection", "upgrade"));
        assert_eq!(req.header("HOST"), Some("a"));
        let Ok(abs) = Request::parse("GET http://h:1/drop HTTP/1.1") else {
            panic!("did not parse");
        };
        assert_eq!(abs.target, "/drop");
        assert!(Request::parse("hello").is_err());
        assert!(Request::parse("GET / SPDY/3").is_err());
    }

    #[test]
    fn responses_have_length_and_reason() {
        let text = String::from_utf8(
            Response::new(503, "busy")
                .header("Retry-After", "2")
                .to_bytes(),
        )
        .unwrap_or_default();
        assert!(text.starts_with("HTTP/1.1 503 Service Unavailable\r\n"));
        assert!(text.contains("Retry-After: 2\r\n"));
        assert!(text.contains("Content-Length: 4\r\n"));
        assert!(text.ends_with("\r\n\r\nbusy"));
        let no_body = Response::new(204, "ignored").to_bytes();
        assert!(
            String::from_utf8_lossy(&no_body)
                .ends_with("Content-Length: 0\r\nConnection: close\r\n\r\n")
        );
    }

    #[test]
    fn accept_key_matches_the_rfc_example() {
        let text = String::from_utf8(switching_protocols("dGhlIHNhbXBsZSBub25jZQ==", None))
            .unwrap_or_default();
        assert!(text.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    }
}
