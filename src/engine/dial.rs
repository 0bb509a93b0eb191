//! One connection attempt up to the open socket: the first hop (the
//! endpoint, or a proxy and its tunnel, see [`hops`] and [`proxy`]), TLS
//! and the HTTP upgrade, each failure turned into the error class and
//! message of SPEC §2, naming the hop that failed.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio_rustls::TlsConnector;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Error as WsError;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::engine::event::{ErrorClass, HttpReply, TlsInfo};
use crate::engine::hops::{self, Progress, Stage};
use crate::engine::policy::Trigger;
use crate::engine::proxy::{self, Proxy};
use crate::engine::reply::{self, Head};
use crate::engine::settings::Settings;
use crate::engine::tap::Tap;
use crate::engine::tls::{self, TlsSetup, Witness};
use crate::engine::transport::Link;
use crate::engine::{debug_log, request};

pub use crate::engine::transport::Transport;

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
    /// The request headers sent (redacted as the settings say).
    pub request_headers: Vec<(String, String)>,
    /// The address that answered (the proxy's, through a proxy).
    pub peer: Option<SocketAddr>,
    /// What TLS settled on, for wss://.
    pub tls: Option<TlsInfo>,
}

/// Why an attempt did not open.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The error class of the JSON contract.
    pub class: ErrorClass,
    /// What happened and what to do.
    pub message: String,
    /// The HTTP answer, for a refused upgrade (or a proxy's refusal).
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

/// Connects within the settings' connect timeout; a timeout names the hop
/// and the step it stopped at.
pub async fn dial(settings: &Settings, tls: Option<&Arc<TlsSetup>>) -> Result<Opened, Failure> {
    let progress = Progress::default();
    let attempt = connect(settings, tls.map(AsRef::as_ref), &progress);
    match tokio::time::timeout(settings.connect_timeout, attempt).await {
        Ok(result) => result,
        Err(_) => Err(progress.timed_out(settings)),
    }
}

/// DNS, TCP (or the proxy and its tunnel), TLS and the upgrade.
async fn connect(
    settings: &Settings,
    setup: Option<&TlsSetup>,
    progress: &Progress,
) -> Result<Opened, Failure> {
    let url = &settings.url;
    let host = url.host_str().unwrap_or_default().to_string();
    let port = url.port_or_known_default().unwrap_or(80);
    let (link, peer) = if let Some(proxy_url) = &settings.proxy {
        let p = Proxy::from_url(proxy_url)
            .map_err(|why| Failure::new(ErrorClass::Proxy, Trigger::ProxyProtocol, why))?;
        proxy::open(&p, settings, &host, port, setup, progress).await?
    } else {
        let (tcp, peer) = hops::connect(settings, &host, port, false, progress).await?;
        (Link::Tcp(tcp), peer)
    };
    let (transport, info, witness) = if url.scheme() == "wss" {
        progress.at(Stage::Tls);
        let setup = setup.ok_or_else(|| {
            Failure::new(ErrorClass::Tls, Trigger::Tls, "TLS is not set up".into())
        })?;
        let (stream, witness) = endpoint_tls(settings, &host, setup, link).await?;
        let info = tls::info(stream.get_ref().1);
        debug_log::tls_session(&host, stream.get_ref().1);
        (Transport::Tls(Box::new(stream)), Some(info), Some(witness))
    } else {
        (Transport::Plain(link), None, None)
    };
    progress.at(Stage::Upgrade);
    let mut opened = upgrade(settings, transport, witness.as_deref()).await?;
    opened.peer = Some(peer);
    opened.tls = info;
    Ok(opened)
}

/// TLS with the endpoint over the first hop.
async fn endpoint_tls(
    settings: &Settings,
    host: &str,
    setup: &TlsSetup,
    link: Link,
) -> Result<(tokio_rustls::client::TlsStream<Link>, Arc<Witness>), Failure> {
    let fail = |message: String| Failure::new(ErrorClass::Tls, Trigger::Tls, message);
    let name = tls::server_name(host).map_err(|e| fail(e.to_string()))?;
    let (config, witness) = setup.config(false).map_err(fail)?;
    let stream = TlsConnector::from(config)
        .connect(name, link)
        .await
        .map_err(|e| {
            fail(tls::explain(
                &e,
                host,
                Some(&witness),
                settings.cert.is_some(),
            ))
        })?;
    Ok((stream, witness))
}

async fn upgrade(
    settings: &Settings,
    transport: Transport,
    witness: Option<&Witness>,
) -> Result<Opened, Failure> {
    let request = request::build(settings)?;
    let request_headers = request::shown(&request, settings.show_secrets);
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
                request_headers,
                peer: None,
                tls: None,
            })
        }
        // TLS 1.3 reports a refused (or missing) client certificate only
        // after the handshake, at the first read: the upgrade's answer.
        Err(WsError::Io(e)) if witness.is_some() && tls::is_tls_error(&e) => Err(Failure::new(
            ErrorClass::Tls,
            Trigger::Tls,
            tls::explain(
                &e,
                settings.url.host_str().unwrap_or_default(),
                witness,
                settings.cert.is_some(),
            ),
        )),
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
