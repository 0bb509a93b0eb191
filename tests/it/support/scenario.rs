//! Helpers for the scenario server tests: a hand-written WebSocket client
//! for the exact bytes on the wire (close codes a library would rewrite, HTTP
//! answers, resets).

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;

use super::within;

/// One frame from the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub opcode: u8,
    pub payload: Vec<u8>,
}

impl Frame {
    /// The close code of a Close frame (None for an empty body).
    pub fn close_code(&self) -> Option<u16> {
        assert_eq!(self.opcode, 0x8, "not a Close frame: {self:?}");
        (self.payload.len() >= 2).then(|| u16::from_be_bytes([self.payload[0], self.payload[1]]))
    }

    /// The payload as text.
    pub fn text(&self) -> String {
        String::from_utf8(self.payload.clone()).expect("UTF-8 payload")
    }
}

/// An HTTP answer to a request.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A raw client connection after a 101.
pub struct Raw {
    pub stream: TcpStream,
    buf: Vec<u8>,
}

/// Sends an upgrade request for `path`. On 101 returns the open connection;
/// otherwise the whole HTTP answer.
pub async fn upgrade(addr: SocketAddr, path: &str) -> std::io::Result<Result<Raw, Answer>> {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    let (stream, status, headers, rest) = exchange(addr, &request).await?;
    if status == 101 {
        let accept = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("sec-websocket-accept"));
        assert_eq!(
            accept.map(|(_, v)| v.as_str()),
            Some("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        );
        return Ok(Ok(Raw { stream, buf: rest }));
    }
    Ok(Err(finish_answer(stream, status, headers, rest).await?))
}

/// Upgrades, panicking unless the answer is 101.
pub async fn open(addr: SocketAddr, path: &str) -> Raw {
    match within("the upgrade", upgrade(addr, path))
        .await
        .expect("connect")
    {
        Ok(raw) => raw,
        Err(answer) => panic!("{path}: expected 101, got {answer:?}"),
    }
}

/// Sends any request text and returns the whole answer.
pub async fn http(addr: SocketAddr, request: &str) -> Answer {
    within("the HTTP exchange", async {
        let (stream, status, headers, rest) = exchange(addr, request).await?;
        finish_answer(stream, status, headers, rest).await
    })
    .await
    .expect("HTTP exchange")
}

async fn exchange(
    addr: SocketAddr,
    request: &str,
) -> std::io::Result<(TcpStream, u16, Vec<(String, String)>, Vec<u8>)> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut buf = Vec::new();
    let end = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let mut chunk = [0u8; 1024];
        let n = stream.read(&mut chunk).await?;
        assert!(n > 0, "EOF before the answer's head: {buf:?}");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8(buf[..end].to_vec()).expect("UTF-8 head");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status code");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Ok((stream, status, headers, buf[end + 4..].to_vec()))
}

async fn finish_answer(
    mut stream: TcpStream,
    status: u16,
    headers: Vec<(String, String)>,
    mut body: Vec<u8>,
) -> std::io::Result<Answer> {
    stream.read_to_end(&mut body).await?;
    Ok(Answer {
        status,
        headers,
        body: String::from_utf8(body).expect("UTF-8 body"),
    })
}

impl Raw {
    /// The next frame; `Ok(None)` at EOF.
    pub async fn read_frame(&mut self) -> std::io::Result<Option<Frame>> {
        loop {
            if let Some((frame, used)) = parse(&self.buf) {
                self.buf.drain(..used);
                return Ok(Some(frame));
            }
            let mut chunk = vec![0u8; 64 * 1024];
            let n = self.stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(None);
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// The next frame, which must exist.
    pub async fn frame(&mut self) -> Frame {
        within("a frame", self.read_frame())
            .await
            .expect("read a frame")
            .expect("a frame, not EOF")
    }

    /// Sends a masked frame, as clients must.
    pub async fn send(&mut self, opcode: u8, payload: &[u8]) {
        let mask = [0x12u8, 0x34, 0x56, 0x78];
        assert!(payload.len() < 126, "short frames only");
        let mut out = vec![0x80 | opcode, 0x80 | payload.len() as u8];
        out.extend_from_slice(&mask);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        within("sending a frame", self.stream.write_all(&out))
            .await
            .expect("send");
    }
}

/// Parses one unmasked server frame from the front of `buf`.
fn parse(buf: &[u8]) -> Option<(Frame, usize)> {
    if buf.len() < 2 {
        return None;
    }
    assert_eq!(buf[1] & 0x80, 0, "server frames must not be masked");
    let (len, at) = match buf[1] & 0x7f {
        126 => (
            usize::from(u16::from_be_bytes([*buf.get(2)?, *buf.get(3)?])),
            4,
        ),
        127 => {
            let b: [u8; 8] = buf.get(2..10)?.try_into().ok()?;
            (usize::try_from(u64::from_be_bytes(b)).ok()?, 10)
        }
        n => (usize::from(n), 2),
    };
    let payload = buf.get(at..at + len)?.to_vec();
    Some((
        Frame {
            opcode: buf[0] & 0x0f,
            payload,
        },
        at + len,
    ))
}

/// A tokio-tungstenite client connection to `url`.
pub async fn ws_connect(addr: SocketAddr, url: &str) -> WebSocketStream<TcpStream> {
    within("the WebSocket handshake", async {
        let stream = TcpStream::connect(addr).await.expect("TCP connect");
        let (ws, _) = tokio_tungstenite::client_async(url, stream)
            .await
            .expect("WebSocket handshake");
        ws
    })
    .await
}

/// Upgrades to `path`, retrying while the server refuses connections or
/// answers 503, until it says 101 (bounded by [`TIMEOUT`](super::TIMEOUT)).
pub async fn open_when_ready(addr: SocketAddr, path: &str) -> Raw {
    within("the server to listen again", async {
        loop {
            match upgrade(addr, path).await {
                Ok(Ok(raw)) => return raw,
                Ok(Err(answer)) => assert_eq!(answer.status, 503, "{answer:?}"),
                Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused, "{e}"),
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
}
