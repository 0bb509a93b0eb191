//! Hand-written servers on 127.0.0.1:0. Deliberately raw where a library
//! would hide what a test needs to send (forbidden close codes, bad UTF-8,
//! odd HTTP answers).

use std::fmt::Write as _;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use url::Url;

use super::{TIMEOUT, close_frame, read_close, within};

/// A listener on a free loopback port that hands each connection to a handler.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Server {
    /// `ws://addr{path}`.
    pub fn url(&self, path: &str) -> Url {
        Url::parse(&format!("ws://{}{path}", self.addr)).expect("a valid URL")
    }

    /// `wss://addr{path}`.
    pub fn wss(&self, path: &str) -> Url {
        Url::parse(&format!("wss://{}{path}", self.addr)).expect("a valid URL")
    }

    /// How many connections were accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts a server; `handler(n, tcp)` runs for the n-th connection (from 0).
/// Handler errors are expected (the client may go away at any time) and ignored.
pub async fn serve<F, Fut>(handler: F) -> Server
where
    F: Fn(usize, TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = io::Result<()>> + Send + 'static,
{
    let listener = within("bind", TcpListener::bind("127.0.0.1:0"))
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("local addr");
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    let task = tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let n = count.fetch_add(1, Ordering::SeqCst);
            let fut = handler(n, tcp);
            tokio::spawn(async move {
                let _ = fut.await;
            });
        }
    });
    Server {
        addr,
        accepted,
        task,
    }
}

/// A loopback address where nothing listens (bound, then released).
pub async fn refused_addr() -> SocketAddr {
    let listener = within("bind", TcpListener::bind("127.0.0.1:0"))
        .await
        .expect("bind");
    listener.local_addr().expect("local addr")
}

/// Reads an HTTP request head (up to the blank line) and returns it.
pub async fn read_request<S: AsyncRead + Unpin>(s: &mut S) -> io::Result<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = s.read(&mut buf).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        head.extend_from_slice(&buf[..n]);
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

/// The value of a header in a request head (case-insensitive name).
pub fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// Reads the upgrade request and answers 101 by hand (plus `extra` header
/// lines); returns the request head.
pub async fn handshake<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    extra: &[(&str, &str)],
) -> io::Result<String> {
    let head = read_request(s).await?;
    let key = header(&head, "sec-websocket-key").unwrap_or_default();
    let accept =
        tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.trim().as_bytes());
    let mut reply = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {accept}\r\n"
    );
    for (k, v) in extra {
        let _ = write!(reply, "{k}: {v}\r\n");
    }
    reply.push_str("\r\n");
    s.write_all(reply.as_bytes()).await?;
    Ok(head)
}

/// Reads the request and answers with a complete HTTP response.
pub async fn http_reply(
    s: &mut TcpStream,
    status: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> io::Result<()> {
    read_request(s).await?;
    let mut reply = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        let _ = write!(reply, "{k}: {v}\r\n");
    }
    reply.push_str("\r\n");
    reply.push_str(body);
    s.write_all(reply.as_bytes()).await?;
    s.shutdown().await?;
    // Keep the socket until the client has read the answer and gone.
    let _ = drain_to_eof(s).await;
    Ok(())
}

/// Sends a raw Close, waits for the client's answer, then closes TCP (the
/// server ends the TCP connection first, as RFC 6455 §7.1.1 asks).
pub async fn close_with<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    close: &[u8],
) -> io::Result<Option<u16>> {
    s.write_all(close).await?;
    let reply = read_close(s).await?;
    s.shutdown().await?;
    Ok(reply)
}

/// Reads until the peer closes (or [`TIMEOUT`] passes).
pub async fn drain_to_eof<S: AsyncRead + Unpin>(s: &mut S) -> io::Result<()> {
    let mut buf = [0u8; 4096];
    tokio::time::timeout(TIMEOUT, async {
        loop {
            if s.read(&mut buf).await? == 0 {
                return Ok(());
            }
        }
    })
    .await
    .unwrap_or(Ok(()))
}

/// Keeps a connection open without ever reading or writing on it, until
/// the test ends.
pub async fn hold<S>(s: S) -> io::Result<()> {
    std::future::pending::<()>().await;
    drop(s);
    Ok(())
}

/// A tokio-tungstenite server side that echoes data messages until the
/// client closes (tungstenite answers pings and the Close by itself).
/// Returns the code of the client's Close, if it sent one.
pub async fn echo(tcp: TcpStream) -> io::Result<Option<u16>> {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let mut ws = tokio_tungstenite::accept_async(tcp)
        .await
        .map_err(io::Error::other)?;
    let mut code = None;
    while let Some(msg) = ws.next().await {
        match msg.map_err(io::Error::other)? {
            m @ (Message::Text(_) | Message::Binary(_)) => {
                ws.send(m).await.map_err(io::Error::other)?;
            }
            Message::Close(frame) => code = frame.map(|f| u16::from(f.code)),
            _ => {}
        }
    }
    Ok(code)
}

/// A server that answers every connection by closing with `close` (raw
/// bytes, any code at all) and reports the code of the client's answering
/// Close.
pub async fn closing_server(close: Vec<u8>) -> (Server, mpsc::UnboundedReceiver<Option<u16>>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let server = serve(move |_, mut tcp| {
        let close = close.clone();
        let tx = tx.clone();
        async move {
            handshake(&mut tcp, &[]).await?;
            let reply = close_with(&mut tcp, &close).await?;
            let _ = tx.send(reply);
            Ok(())
        }
    })
    .await;
    (server, rx)
}

/// An echo server that reports the code of each client Close.
pub async fn echo_server() -> (Server, mpsc::UnboundedReceiver<Option<u16>>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let server = serve(move |_, tcp| {
        let tx = tx.clone();
        async move {
            let code = echo(tcp).await?;
            let _ = tx.send(code);
            Ok(())
        }
    })
    .await;
    (server, rx)
}

/// A server that closes every connection with `code` right after the handshake.
pub async fn closes_with(code: u16) -> Server {
    closing_server(close_frame(code, b"")).await.0
}
