//! One connection attempt up to the open socket: DNS, TCP, TLS and the HTTP
//! upgrade, each failure turned into the error class and message of SPEC §2.

use std::fmt::Write as _;
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
use tokio_tungstenite::tungstenite::Error as WsError;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::error::ProtocolError;
use tokio_tungstenite::tungstenite::handshake::client::Response;
use tokio_tungstenite::tungstenite::http::{HeaderMap, HeaderValue};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::engine::event::{ErrorClass, HttpReply};
use crate::engine::policy::Trigger;
use crate::engine::settings::Settings;
use crate::engine::tap::Tap;
use crate::engine::{target, tls};

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

/// The stage a dial is in, so a timeout can say which one stalled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Resolving the host name.
    Dns,
    /// Opening the TCP connection.
    Tcp,
    /// The TLS handshake.
    Tls,
    /// The HTTP upgrade.
    Upgrade,
}

impl Stage {
    /// What the stage is, for a message: `the DNS lookup`, ….
    pub fn describe(self) -> &'static str {
        match self {
            Stage::Dns => "the DNS lookup",
            Stage::Tcp => "the TCP connect",
            Stage::Tls => "the TLS handshake",
            Stage::Upgrade => "the HTTP upgrade",
        }
    }
}

/// Where a dial has got to, shared with whoever times it out.
#[derive(Debug, Clone, Default)]
pub struct Progress(Arc<std::sync::atomic::AtomicU8>);

impl Progress {
    fn set(&self, stage: Stage) {
        self.0
            .store(stage as u8, std::sync::atomic::Ordering::Relaxed);
    }

    /// The stage reached.
    pub fn stage(&self) -> Stage {
        match self.0.load(std::sync::atomic::Ordering::Relaxed) {
            1 => Stage::Tcp,
            2 => Stage::Tls,
            3 => Stage::Upgrade,
            _ => Stage::Dns,
        }
    }
}

/// Connects, with no timeout of its own (the caller wraps it).
pub async fn dial(settings: &Settings, tls: Option<&Arc<ClientConfig>>) -> Result<Opened, Failure> {
    dial_tracked(settings, tls, &Progress::default()).await
}

/// [`dial`], marking each stage in `progress` as it begins.
pub async fn dial_tracked(
    settings: &Settings,
    tls: Option<&Arc<ClientConfig>>,
    progress: &Progress,
) -> Result<Opened, Failure> {
    progress.set(Stage::Dns);
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
    if addrs.is_empty() {
        return Err(Failure::new(
            ErrorClass::Dns,
            Trigger::Dns,
            format!("`{host}` has no address"),
        ));
    }
    progress.set(Stage::Tcp);
    let mut last = None;
    let mut tcp = None;
    for addr in &addrs {
        match TcpStream::connect(addr).await {
            Ok(s) => {
                tcp = Some(s);
                break;
            }
            Err(e) => last = Some(e),
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
            progress.set(Stage::Tls);
            let name = tls::server_name(&host)
                .map_err(|e| Failure::new(ErrorClass::Tls, Trigger::Tls, e.to_string()))?;
            let stream = TlsConnector::from(config.clone())
                .connect(name, tcp)
                .await
                .map_err(|e| {
                    Failure::new(ErrorClass::Tls, Trigger::Tls, tls::explain(&e, &host))
                })?;
            Transport::Tls(Box::new(stream))
        }
        None => Transport::Plain(tcp),
    };
    progress.set(Stage::Upgrade);
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
        let name: tokio_tungstenite::tungstenite::http::HeaderName =
            name.parse().map_err(|e| bad_header(&e))?;
        headers.append(
            name,
            HeaderValue::from_str(value).map_err(|e| bad_header(&e))?,
        );
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
    // A server that floods pings and never reads would otherwise grow our
    // queue of pongs without bound; with a limit tungstenite keeps one.
    // Room for the largest --send text on top.
    let largest_send = settings.send.iter().map(String::len).max().unwrap_or(0);
    config.max_write_buffer_size = (4usize << 20).saturating_add(largest_send);
    match tokio_tungstenite::client_async_with_config(request, Tap::new(transport), Some(config))
        .await
    {
        Ok((socket, response)) => Ok(Opened {
            socket,
            subprotocol: response
                .headers()
                .get("sec-websocket-protocol")
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
            headers: header_list(response.headers(), settings.show_secrets),
        }),
        Err(e) => Err(handshake_failure(e, settings)),
    }
}

fn header_list(map: &HeaderMap, show_secrets: bool) -> Vec<(String, String)> {
    map.iter()
        .map(|(k, v)| {
            let value = String::from_utf8_lossy(v.as_bytes());
            (
                k.as_str().to_string(),
                target::redact_header(k.as_str(), &value, show_secrets),
            )
        })
        .collect()
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

fn http_failure(response: &Response, settings: &Settings) -> Failure {
    let status = response.status();
    let code = status.as_u16();
    let reason = status.canonical_reason().unwrap_or("").to_string();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    let body = response
        .body()
        .as_deref()
        .map(|b| String::from_utf8_lossy(&b[..b.len().min(2048)]).into_owned())
        .unwrap_or_default();
    let mut message =
        format!("the server answered HTTP {code} {reason} instead of 101 Switching Protocols");
    if status.is_redirection() {
        match response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
        {
            Some(loc) => {
                let _ = write!(
                    message,
                    "; it redirects to {loc} — connect to that URL instead"
                );
            }
            None => message.push_str("; it is a redirect without a Location header"),
        }
    } else if code == 200 {
        message.push_str(
            "; this path is a plain HTTP page, or a proxy did not pass the upgrade through",
        );
    }
    if let Some(ra) = retry_after {
        let _ = write!(message, " (Retry-After: {}s)", ra.as_secs());
    }
    Failure {
        http: Some(HttpReply {
            status: code,
            reason,
            headers: header_list(response.headers(), settings.show_secrets),
            body,
        }),
        retry_after,
        ..Failure::new(ErrorClass::Http, Trigger::Http(code), message)
    }
}

fn handshake_failure(err: WsError, settings: &Settings) -> Failure {
    match err {
        WsError::Http(response) => http_failure(&response, settings),
        WsError::Protocol(ProtocolError::HttparseError(e)) => Failure::new(
            ErrorClass::Protocol,
            Trigger::NotHttp,
            format!(
                "the reply is not HTTP ({e}): is this a WebSocket endpoint? \
                 (wss:// to a plain port, or ws:// to a TLS port, look like this)"
            ),
        ),
        WsError::Protocol(ProtocolError::HandshakeIncomplete) => Failure::new(
            ErrorClass::Io,
            Trigger::Code(1006),
            "the server closed the connection during the handshake".into(),
        ),
        WsError::Protocol(e) => Failure::new(
            ErrorClass::Protocol,
            Trigger::Violation,
            format!("the upgrade reply breaks the WebSocket handshake: {e}"),
        ),
        WsError::Capacity(e) => Failure::new(
            ErrorClass::Protocol,
            Trigger::Violation,
            format!("the upgrade reply is malformed: {e}"),
        ),
        WsError::Io(e) if tls::is_tls_error(&e) && settings.url.scheme() == "wss" => Failure::new(
            ErrorClass::Tls,
            Trigger::Tls,
            tls::explain(&e, settings.url.host_str().unwrap_or_default()),
        ),
        WsError::Io(e) => Failure::new(
            ErrorClass::Io,
            Trigger::Code(1006),
            format!("the connection failed during the handshake: {e}"),
        ),
        other => Failure::new(
            ErrorClass::Protocol,
            Trigger::Violation,
            format!("handshake failed: {other}"),
        ),
    }
}
