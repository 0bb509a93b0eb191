//! Small proxies on 127.0.0.1:0 for the reach tests: an HTTP CONNECT proxy
//! (optionally wanting Basic credentials, optionally behind TLS), a proxy
//! that answers every CONNECT with a fixed refusal, and a SOCKS5 proxy
//! (optionally wanting a user name and password) written by hand. Each
//! records what it was asked, so tests can check what went on the wire.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;

use super::{Server, header, read_request, serve};

/// What a proxy was asked, one entry per connection.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn push(&self, entry: String) {
        self.0.lock().expect("log").push(entry);
    }

    /// Every entry so far.
    pub fn entries(&self) -> Vec<String> {
        self.0.lock().expect("log").clone()
    }
}

/// A proxy and what it saw.
pub struct TestProxy {
    /// The listener.
    pub server: Server,
    /// Request heads (HTTP) or `ATYP target` lines (SOCKS5).
    pub log: Log,
}

impl TestProxy {
    /// `scheme://127.0.0.1:port`.
    pub fn url(&self, scheme: &str) -> String {
        format!("{scheme}://{}", self.server.addr)
    }

    /// `scheme://user:pass@127.0.0.1:port`.
    pub fn url_with(&self, scheme: &str, user: &str, pass: &str) -> String {
        format!("{scheme}://{user}:{pass}@{}", self.server.addr)
    }
}

/// Relays bytes both ways until either side ends.
async fn relay<A, B>(mut a: A, mut b: B) -> io::Result<()>
where
    A: AsyncRead + AsyncWrite + Unpin,
    B: AsyncRead + AsyncWrite + Unpin,
{
    let _ = tokio::io::copy_bidirectional(&mut a, &mut b).await;
    Ok(())
}

/// The CONNECT target of a request head.
fn connect_target(head: &str) -> Option<String> {
    let line = head.lines().next()?;
    let mut parts = line.split(' ');
    (parts.next()? == "CONNECT").then(|| parts.next().map(str::to_string))?
}

/// Serves one CONNECT on `s`: checks credentials, connects, relays.
async fn http_tunnel<S: AsyncRead + AsyncWrite + Unpin>(
    mut s: S,
    auth: Option<(String, String)>,
    log: Log,
) -> io::Result<()> {
    let head = read_request(&mut s).await?;
    log.push(head.clone());
    if let Some((user, pass)) = auth {
        let want = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
        );
        if header(&head, "proxy-authorization") != Some(want.as_str()) {
            let body = "credentials wanted";
            let reply = format!(
                "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic \
                 realm=\"test\"\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            s.write_all(reply.as_bytes()).await?;
            return Ok(());
        }
    }
    let Some(target) = connect_target(&head) else {
        s.write_all(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            .await?;
        return Ok(());
    };
    let Ok(upstream) = TcpStream::connect(target.as_str()).await else {
        s.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            .await?;
        return Ok(());
    };
    s.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await?;
    relay(s, upstream).await
}

/// An HTTP CONNECT proxy; with `auth` it answers 407 unless the request
/// carries those Basic credentials.
pub async fn http_proxy(auth: Option<(&str, &str)>) -> TestProxy {
    let log = Log::default();
    let auth = auth.map(|(u, p)| (u.to_string(), p.to_string()));
    let l = log.clone();
    let server = serve(move |_, tcp| http_tunnel(tcp, auth.clone(), l.clone())).await;
    TestProxy { server, log }
}

/// An HTTP CONNECT proxy behind TLS (an `https://` proxy).
pub async fn https_proxy(acceptor: TlsAcceptor) -> TestProxy {
    let log = Log::default();
    let l = log.clone();
    let server = serve(move |_, tcp| {
        let acceptor = acceptor.clone();
        let log = l.clone();
        async move {
            let tls = acceptor.accept(tcp).await?;
            http_tunnel(tls, None, log).await
        }
    })
    .await;
    TestProxy { server, log }
}

/// A proxy that answers every CONNECT with `status` (`"403 Forbidden"`)
/// and `body`.
pub async fn refusing_proxy(status: &'static str, body: &'static str) -> TestProxy {
    let log = Log::default();
    let l = log.clone();
    let server = serve(move |_, mut tcp| {
        let log = l.clone();
        async move {
            let head = read_request(&mut tcp).await?;
            log.push(head);
            let reply = format!(
                "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            tcp.write_all(reply.as_bytes()).await?;
            super::drain_to_eof(&mut tcp).await
        }
    })
    .await;
    TestProxy { server, log }
}

/// A SOCKS5 proxy (RFC 1928); with `auth` it wants that user name and
/// password (RFC 1929). Its log has `ip ADDR` or `name HOST:PORT` per
/// request, or `auth failed`.
pub async fn socks5_proxy(auth: Option<(&str, &str)>) -> TestProxy {
    let log = Log::default();
    let auth = auth.map(|(u, p)| (u.to_string(), p.to_string()));
    let l = log.clone();
    let server = serve(move |_, tcp| socks5(tcp, auth.clone(), l.clone())).await;
    TestProxy { server, log }
}

async fn socks5(mut s: TcpStream, auth: Option<(String, String)>, log: Log) -> io::Result<()> {
    let mut head = [0u8; 2];
    s.read_exact(&mut head).await?;
    let mut methods = vec![0u8; usize::from(head[1])];
    s.read_exact(&mut methods).await?;
    let want = if auth.is_some() { 2 } else { 0 };
    if head[0] != 5 || !methods.contains(&want) {
        s.write_all(&[5, 0xff]).await?;
        log.push("no acceptable method".into());
        return Ok(());
    }
    s.write_all(&[5, want]).await?;
    if let Some((user, pass)) = auth {
        let mut ver_len = [0u8; 2];
        s.read_exact(&mut ver_len).await?;
        let mut u = vec![0u8; usize::from(ver_len[1])];
        s.read_exact(&mut u).await?;
        let plen = s.read_u8().await?;
        let mut p = vec![0u8; usize::from(plen)];
        s.read_exact(&mut p).await?;
        if u != user.as_bytes() || p != pass.as_bytes() {
            s.write_all(&[1, 1]).await?;
            log.push("auth failed".into());
            return Ok(());
        }
        s.write_all(&[1, 0]).await?;
    }
    let mut req = [0u8; 4];
    s.read_exact(&mut req).await?;
    let (entry, target) = match req[3] {
        1 => {
            let mut b = [0u8; 4];
            s.read_exact(&mut b).await?;
            let port = s.read_u16().await?;
            let addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::from(b)), port);
            (format!("ip {addr}"), addr.to_string())
        }
        4 => {
            let mut b = [0u8; 16];
            s.read_exact(&mut b).await?;
            let port = s.read_u16().await?;
            let addr = SocketAddr::new(IpAddr::V6(Ipv6Addr::from(b)), port);
            (format!("ip {addr}"), addr.to_string())
        }
        _ => {
            let len = s.read_u8().await?;
            let mut name = vec![0u8; usize::from(len)];
            s.read_exact(&mut name).await?;
            let port = s.read_u16().await?;
            let name = String::from_utf8_lossy(&name).into_owned();
            (format!("name {name}:{port}"), format!("{name}:{port}"))
        }
    };
    log.push(entry);
    let Ok(upstream) = TcpStream::connect(target.as_str()).await else {
        // Reply 5: connection refused.
        s.write_all(&[5, 5, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
        return Ok(());
    };
    s.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0]).await?;
    relay(s, upstream).await
}
