//! The scenario server from outside: a hand-written WebSocket client for
//! the exact bytes on the wire (close codes a library would rewrite, HTTP
//! answers, resets), and the server on a runtime of its own for synchronous
//! tests and benchmarks.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use wsprobe::demo_server::{DemoServer, ServerConfig};

use super::{Frame, TIMEOUT, client_frame, next_frame, within};

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
    stream: BufReader<TcpStream>,
}

/// Sends an upgrade request for `path`. On 101 returns the open connection;
/// otherwise the whole HTTP answer.
pub async fn upgrade(addr: SocketAddr, path: &str) -> std::io::Result<Result<Raw, Answer>> {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    let (stream, status, headers) = exchange(addr, &request).await?;
    if status == 101 {
        let accept = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("sec-websocket-accept"));
        assert_eq!(
            accept.map(|(_, v)| v.as_str()),
            Some("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        );
        return Ok(Ok(Raw { stream }));
    }
    Ok(Err(finish_answer(stream, status, headers).await?))
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
        let (stream, status, headers) = exchange(addr, request).await?;
        finish_answer(stream, status, headers).await
    })
    .await
    .expect("HTTP exchange")
}

/// Sends `request` and reads the answer's head: the status and the headers.
/// What follows the head stays in the returned stream.
async fn exchange(
    addr: SocketAddr,
    request: &str,
) -> std::io::Result<(BufReader<TcpStream>, u16, Vec<(String, String)>)> {
    let mut stream = BufReader::new(TcpStream::connect(addr).await?);
    stream.write_all(request.as_bytes()).await?;
    let mut buf = Vec::new();
    while !buf.ends_with(b"\r\n\r\n") {
        let n = stream.read_until(b'\n', &mut buf).await?;
        assert!(n > 0, "EOF before the answer's head: {buf:?}");
    }
    let head = String::from_utf8(buf[..buf.len() - 4].to_vec()).expect("UTF-8 head");
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
    Ok((stream, status, headers))
}

async fn finish_answer(
    mut stream: BufReader<TcpStream>,
    status: u16,
    headers: Vec<(String, String)>,
) -> std::io::Result<Answer> {
    let mut body = Vec::new();
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
        let frame = next_frame(&mut self.stream).await?;
        if let Some(frame) = &frame {
            assert!(!frame.masked, "server frames must not be masked");
        }
        Ok(frame)
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
        let frame = client_frame(opcode, payload);
        within("sending a frame", self.stream.write_all(&frame))
            .await
            .expect("send");
    }
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
/// answers 503, until it says 101 (bounded by [`TIMEOUT`]).
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

/// The scenario server on a runtime of its own (one worker thread), so a
/// synchronous test or benchmark can start it and connect programs to it.
pub struct ScenarioServer {
    server: Option<DemoServer>,
    runtime: tokio::runtime::Runtime,
}

impl ScenarioServer {
    /// Starts the server on 127.0.0.1, on a free port.
    pub fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("scenario-server")
            .enable_all()
            .build()
            .expect("a runtime");
        let server = runtime
            .block_on(DemoServer::start(ServerConfig::local()))
            .expect("start the scenario server");
        Self {
            server: Some(server),
            runtime,
        }
    }

    /// The URL of `path` on the server.
    pub fn url(&self, path: &str) -> String {
        self.server.as_ref().expect("running").url(path)
    }
}

impl Drop for ScenarioServer {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.runtime.block_on(async {
                let _ = tokio::time::timeout(TIMEOUT, server.shutdown()).await;
            });
        }
    }
}
