//! The byte streams under the WebSocket: the first hop ([`Link`]: TCP, or
//! TLS to an `https://` proxy) and, on top of it, plain bytes or TLS to the
//! endpoint ([`Transport`]).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

/// The connection to the first hop: the endpoint itself, or a proxy.
#[derive(Debug)]
pub enum Link {
    /// Plain TCP (to the endpoint, an `http://` proxy or a SOCKS5 proxy).
    Tcp(TcpStream),
    /// TLS over TCP to an `https://` proxy.
    Tls(Box<TlsStream<TcpStream>>),
}

/// What the WebSocket runs on: plain bytes or TLS, over a [`Link`].
#[derive(Debug)]
pub enum Transport {
    /// ws://
    Plain(Link),
    /// wss://
    Tls(Box<TlsStream<Link>>),
}

impl Link {
    /// The TCP socket underneath.
    pub fn tcp(&self) -> &TcpStream {
        match self {
            Link::Tcp(s) => s,
            Link::Tls(s) => s.get_ref().0,
        }
    }
}

impl Transport {
    /// The TCP socket underneath.
    pub fn tcp(&self) -> &TcpStream {
        match self {
            Transport::Plain(l) => l.tcp(),
            Transport::Tls(s) => s.get_ref().0.tcp(),
        }
    }
}

/// Forwards the I/O traits to whichever stream an enum holds.
macro_rules! forward_io {
    ($ty:ident, $a:ident, $b:ident) => {
        impl AsyncRead for $ty {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut ReadBuf<'_>,
            ) -> Poll<io::Result<()>> {
                match self.get_mut() {
                    $ty::$a(s) => Pin::new(s).poll_read(cx, buf),
                    $ty::$b(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
                }
            }
        }

        impl AsyncWrite for $ty {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                match self.get_mut() {
                    $ty::$a(s) => Pin::new(s).poll_write(cx, buf),
                    $ty::$b(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
                }
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                match self.get_mut() {
                    $ty::$a(s) => Pin::new(s).poll_flush(cx),
                    $ty::$b(s) => Pin::new(s.as_mut()).poll_flush(cx),
                }
            }

            fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                match self.get_mut() {
                    $ty::$a(s) => Pin::new(s).poll_shutdown(cx),
                    $ty::$b(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
                }
            }
        }
    };
}

forward_io!(Link, Tcp, Tls);
forward_io!(Transport, Plain, Tls);
