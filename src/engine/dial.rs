//! One connection attempt up to the open socket: DNS, TCP, TLS and the HTTP
//! upgrade, each failure turned into the error class and message of SPEC §2.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use rustls::ClientConfig;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::header::HOST;
use tokio_tungstenite::tungstenite::http::{HeaderName, HeaderValue};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::engine::event::{ErrorClass, HttpReply};
use crate::engine::policy::Trigger;
use crate::engine::reply::{self, Head};
use crate::engine::settings::Settings;
use crate::engine::tap::Tap;
use crate::engine::{debug_log, tls};

/// Plain TCP or TLS over TCP.
#[derive(Debug)]
pub enum Transport {
    /// ws://
    Plain(TcpStream),
    /// wss://
    Tls(Box<TlsStream<TcpStream>>),
}

impl Transport {
    /// The TCP socket underneath.
    pub fn tcp(&self) -> &TcpStream {
        match self {
            Transport::Plain(s) => s,
            Transport::Tls(s) => s.get_ref().0,
        }
    }
}

impl AsyncRead for Transport {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Transport {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_flush(cx),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// The open socket.
pub type Socket = WebSocketStream<Tap<Transport>>;

/// A successful upgrade.
#[derive(Debug)]
pub struct Opened {
    /// The socket.
    pub socket: Socket,
    /// The negotiated subprotocol.
    pub subprotocol: Option<String>,
    /// The server's response headers (redacted as the settings say).
    pub headers: Vec<(String, String)>,
}

/// Why an attempt did not open.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The error class of the JSON contract.
    pub class: ErrorClass,
    /// What happened and what to do.
    pub message: String,
    /// The HTTP answer, for a refused upgrade.
    pub http: Option<HttpReply>,
    /// The server's Retry-After.
    pub retry_after: Option<Duration>,
    /// How the policy sees it.
    pub trigger: Trigger,
    /// The derived close code: 1015 for TLS, else 1006.
    pub close_code: u16,
}

impl Failure {
    pub(crate) fn new(class: ErrorClass, trigger: Trigger, message: String) -> Self {
        Self {
            class,
            message,
            http: None,
            retry_after: None,
            trigger,
            close_code: if class == ErrorClass::Tls { 1015 } else { 1006 },
        }
    }
}

/// Connects, with no timeout of its own (the caller wraps it).
pub async fn dial(settings: &Settings, tls: Option<&Arc<ClientConfig>>) -> Result<Opened, Failure> {
    let url = &settings.url;
    let host = url.host_str().unwrap_or_default().to_string();
    let port = url.port_or_known_default().unwrap_or(80);
    let bare = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let addrs: Vec<_> = tokio::net::lookup_host((bare.as_str(), port))
        .await
        .map_err(|e| {
            Failure::new(
                ErrorClass::Dns,
                Trigger::Dns,
                format!("cannot resolve `{host}`: {e} (check the host name, VPN or DNS)"),
            )
        })?
        .collect();
    debug_log::resolved(&host, port, &addrs);
    if addrs.is_empty() {
        return Err(Failure::new(
            ErrorClass::Dns,
            Trigger::Dns,
            format!("`{host}` has no address"),
        ));
    }
    let mut last = None;
    let mut tcp = None;
    for addr in &addrs {
        match TcpStream::connect(addr).await {
            Ok(s) => {
                tracing::debug!("TCP connected to {addr}");
                tcp = Some(s);
                break;
            }
            Err(e) => {
                tracing::debug!("TCP connect to {addr} failed: {e}");
                last = Some(e);
            }
        }
    }
    let tcp = tcp.ok_or_else(|| {
        let e = last.unwrap_or_else(|| io::Error::other("no address worked"));
        if e.kind() == io::ErrorKind::ConnectionRefused {
            Failure::new(
                ErrorClass::Refused,
                Trigger::Refused,
                format!("connection refused by {host}:{port}: nothing is listening there (server down or wrong port?)"),
            )
        } else {
            Failure::new(ErrorClass::Io, Trigger::Code(1006), format!("cannot connect to {host}:{port}: {e}"))
        }
    })?;
    let _ = tcp.set_nodelay(true);
    let transport = match tls {
        Some(config) => {
            let name = tls::server_name(&host)
                .map_err(|e| Failure::new(ErrorClass::Tls, Trigger::Tls, e.to_string()))?;
            let stream = TlsConnector::from(config.clone())
                .connect(name, tcp)
                .await
                .map_err(|e| {
                    Failure::new(ErrorClass::Tls, Trigger::Tls, tls::explain(&e, &host))
                })?;
            debug_log::tls_session(&host, stream.get_ref().1);
            Transport::Tls(Box::new(stream))
        }
        None => Transport::Plain(tcp),
    };
    upgrade(settings, transport).await
}

async fn upgrade(settings: &Settings, transport: Transport) -> Result<Opened, Failure> {
    let mut request = settings.url.as_str().into_client_request().map_err(|e| {
        Failure::new(
            ErrorClass::Protocol,
            Trigger::Violation,
            format!("cannot build the request: {e}"),
        )
    })?;
    let headers = request.headers_mut();
    let bad_header = |e: &dyn std::fmt::Display| {
        Failure::new(
            ErrorClass::Protocol,
            Trigger::Violation,
            format!("bad header: {e}"),
        )
    };
    for (name, value) in &settings.headers {
        let name: HeaderName = name.parse().map_err(|e| bad_header(&e))?;
        let value = HeaderValue::from_str(value).map_err(|e| bad_header(&e))?;
        if name == HOST {
            // The user's Host replaces the one from the URL (a virtual host
            // behind an address); appended, tungstenite would drop it.
            headers.insert(name, value);
        } else {
            headers.append(name, value);
        }
    }
    if !settings.protocols.is_empty() {
        let joined = settings.protocols.join(", ");
        headers.insert(
            "sec-websocket-protocol",
            HeaderValue::from_str(&joined).map_err(|e| bad_header(&e))?,
        );
    }
    if let Some(origin) = &settings.origin {
        headers.insert(
            "origin",
            HeaderValue::from_str(origin).map_err(|e| bad_header(&e))?,
        );
    }
    let mut config = WebSocketConfig::default();
    config.max_message_size = Some(settings.max_message_size);
    config.max_frame_size = Some(settings.max_message_size);
    config.read_buffer_size = settings.read_buffer_size;
    // A server that floods pings and never reads would otherwise grow our
    // queue of pongs without bound; with a limit tungstenite keeps one.
    // Room for the largest --send text on top.
    let largest_send = settings.send.iter().map(String::len).max().unwrap_or(0);
    config.max_write_buffer_size = (4usize << 20).saturating_add(largest_send);
    debug_log::request(&request, &settings.url, settings.show_secrets);
    let tap = Tap::new(transport);
    // The raw head outlives the tap, which tungstenite drops on failure.
    let record = tap.head_record();
    match tokio_tungstenite::client_async_with_config(request, tap, Some(config)).await {
        Ok((socket, response)) => {
            debug_log::response(&response, settings.show_secrets);
            let interim = socket.get_ref().interim_answers();
            if interim > 0 {
                tracing::debug!(interim, "interim answers before the 101 were skipped");
            }
            let head = Head::of(&record, &response);
            if let Some(failure) = reply::switch_failure(&head, settings) {
                return Err(failure);
            }
            Ok(Opened {
                socket,
                subprotocol: response
                    .headers()
                    .get("sec-websocket-protocol")
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
                headers: head.list(settings.show_secrets),
            })
        }
        Err(e) => Err(reply::handshake_failure(e, settings, &record)),
    }
}

/// Retry-After as seconds or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}
