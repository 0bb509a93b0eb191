//! A tiny HTTP/1.1 responder for `/metrics` on tokio: one request per
//! connection, the exposition as the answer, then close.

use std::io::ErrorKind;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use super::Metrics;
use crate::usage::UsageError;

/// The most bytes of a request head read.
const MAX_HEAD: usize = 8 * 1024;
/// How long a scraper may take to send its request.
const READ_LIMIT: Duration = Duration::from_secs(5);

/// The bound `--metrics` socket, before it serves.
#[derive(Debug)]
pub struct MetricsServer {
    listener: std::net::TcpListener,
    addr: SocketAddr,
}

/// Binds `addr` for `--metrics` (before anything else starts, so a port in
/// use is a usage error that says what to do).
pub fn bind(addr: &str) -> Result<MetricsServer, UsageError> {
    let parsed: SocketAddr = addr.parse().map_err(|_| {
        UsageError::new(format!(
            "--metrics {}: not an address; give IP:PORT, e.g. 127.0.0.1:9464 or 0.0.0.0:9464",
            crate::text::escape(addr)
        ))
    })?;
    let listener = std::net::TcpListener::bind(parsed).map_err(|e| {
        let what = match e.kind() {
            ErrorKind::AddrInUse => format!(
                "port {} is in use (another wsprobe or exporter?); pick another port, e.g. --metrics {}:{}",
                parsed.port(),
                parsed.ip(),
                parsed.port().wrapping_add(1).max(1024)
            ),
            ErrorKind::PermissionDenied => format!(
                "not allowed to listen on port {} (below 1024 needs privileges); use e.g. 9464",
                parsed.port()
            ),
            ErrorKind::AddrNotAvailable => format!(
                "{} is not an address of this machine; use 127.0.0.1 or 0.0.0.0",
                parsed.ip()
            ),
            _ => format!("cannot listen on {parsed}: {e}"),
        };
        UsageError::new(format!("--metrics: {what}"))
    })?;
    let addr = listener.local_addr().unwrap_or(parsed);
    Ok(MetricsServer { listener, addr })
}

impl MetricsServer {
    /// The address it listens on (the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves `/metrics` on the current runtime until the task is dropped
    /// or aborted.
    pub fn spawn(self, metrics: Arc<Metrics>) -> std::io::Result<JoinHandle<()>> {
        self.listener.set_nonblocking(true)?;
        let listener = TcpListener::from_std(self.listener)?;
        Ok(tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                tokio::spawn(answer(stream, metrics.clone()));
            }
        }))
    }
}

/// Reads one request head and answers it.
async fn answer(mut stream: TcpStream, metrics: Arc<Metrics>) {
    let mut head = Vec::with_capacity(512);
    let mut chunk = [0u8; 1024];
    let read = tokio::time::timeout(READ_LIMIT, async {
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return false,
                Ok(n) => head.extend_from_slice(&chunk[..n]),
            }
        }
        true
    })
    .await;
    if !matches!(read, Ok(true)) {
        return;
    }
    let line = head.split(|b| *b == b'\r').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let mut parts = line.split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let path = target.split('?').next().unwrap_or("");
    let (status, kind, body) = match (method, path) {
        ("GET" | "HEAD", "/metrics") => (
            "200 OK",
            "text/plain; version=0.0.4; charset=utf-8",
            metrics.render(),
        ),
        ("GET" | "HEAD", _) => (
            "404 Not Found",
            "text/plain; charset=utf-8",
            "wsprobe serves its metrics at /metrics\n".to_string(),
        ),
        _ => (
            "405 Method Not Allowed",
            "text/plain; charset=utf-8",
            "use GET /metrics\n".to_string(),
        ),
    };
    let mut reply = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    if method != "HEAD" {
        reply.extend_from_slice(body.as_bytes());
    }
    let _ = stream.write_all(&reply).await;
    let _ = stream.shutdown().await;
}
