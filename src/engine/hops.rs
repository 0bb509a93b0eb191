//! The first hop of an attempt: the name resolved, the TCP connection
//! raced over its addresses ([`eyeballs`]), and a timeout that names the
//! hop and the step it stopped at. The hop is the endpoint, or the proxy
//! when there is one; a failure says which, so a proxy's fault is never
//! blamed on the endpoint.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Mutex, PoisonError};

use tokio::net::TcpStream;

use crate::duration::format_duration;
use crate::engine::debug_log;
use crate::engine::dial::Failure;
use crate::engine::event::ErrorClass;
use crate::engine::eyeballs::{self, Attempts, STAGGER};
use crate::engine::policy::Trigger;
use crate::engine::settings::Settings;

/// Where an attempt is, so that a timeout can say where it stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Stage {
    /// Resolving the endpoint's name.
    #[default]
    Resolve,
    /// Connecting TCP to the endpoint.
    Connect,
    /// Resolving the proxy's name.
    ProxyResolve,
    /// Connecting TCP to the proxy.
    ProxyConnect,
    /// TLS with an `https://` proxy.
    ProxyTls,
    /// Asking the proxy for the tunnel (CONNECT or SOCKS5).
    ProxyTunnel,
    /// TLS with the endpoint.
    Tls,
    /// Waiting for the answer to the upgrade request.
    Upgrade,
}

/// The progress of one attempt (see [`Stage`]) and its TCP attempts.
#[derive(Debug, Default)]
pub struct Progress {
    stage: Mutex<Stage>,
    /// What happened to each address of the first hop.
    pub attempts: Attempts,
    /// `host:port` of the proxy, when there is one.
    pub proxy: Mutex<Option<String>>,
}

impl Progress {
    /// Records the step the attempt is at.
    pub fn at(&self, stage: Stage) {
        *self.stage.lock().unwrap_or_else(PoisonError::into_inner) = stage;
    }

    fn stage(&self) -> Stage {
        *self.stage.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The failure for an attempt that ran out of time where it stood.
    pub fn timed_out(&self, settings: &Settings) -> Failure {
        let limit = format_duration(settings.connect_timeout);
        let host = settings.url.host_str().unwrap_or_default();
        let proxy = self
            .proxy
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .unwrap_or_else(|| "the proxy".into());
        let tried = if self.attempts.is_empty() {
            String::new()
        } else {
            format!(" (tried {})", self.attempts.describe())
        };
        let proxy_failure = |what: String| {
            Failure::new(
                ErrorClass::Proxy,
                Trigger::ProxyTimeout,
                format!(
                    "{what} within {limit}, so {host} was never reached; check the proxy \
                     (--no-proxy goes without it), or raise --connect-timeout"
                ),
            )
        };
        let endpoint = |what: String| {
            Failure::new(
                ErrorClass::Timeout,
                Trigger::Timeout,
                format!(
                    "no WebSocket after {limit}: {what}; the host may drop packets, or raise \
                     --connect-timeout"
                ),
            )
        };
        match self.stage() {
            Stage::ProxyResolve => {
                proxy_failure(format!("the name of the proxy {proxy} did not resolve"))
            }
            Stage::ProxyConnect => {
                proxy_failure(format!("the proxy {proxy} did not answer{tried}"))
            }
            Stage::ProxyTls => proxy_failure(format!(
                "the TLS handshake with the proxy {proxy} did not finish"
            )),
            Stage::ProxyTunnel => proxy_failure(format!(
                "the proxy {proxy} accepted the connection but did not open the tunnel"
            )),
            Stage::Resolve => endpoint(format!("resolving `{host}` took too long")),
            Stage::Connect => endpoint(format!("TCP to {host} got no answer{tried}")),
            Stage::Tls => endpoint(format!("the TLS handshake with {host} did not finish")),
            Stage::Upgrade => endpoint("the server did not answer the upgrade request".into()),
        }
    }
}

/// The addresses of `host` (brackets allowed): from `settings.resolve`,
/// an address literal as itself, else from DNS.
pub async fn resolve(settings: &Settings, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let given = settings
        .resolve
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(bare))
        .map(|(_, ips)| ips.clone())
        .or_else(|| bare.parse::<IpAddr>().ok().map(|ip| vec![ip]));
    let addrs: Vec<SocketAddr> = match given {
        Some(ips) => ips
            .into_iter()
            .map(|ip| SocketAddr::new(ip, port))
            .collect(),
        None => tokio::net::lookup_host((bare, port)).await?.collect(),
    };
    debug_log::resolved(host, port, &addrs);
    Ok(addrs)
}

/// Resolves and connects the first hop: `proxy` says whether it is a proxy
/// (whose failures are its own) or the endpoint.
pub async fn connect(
    settings: &Settings,
    host: &str,
    port: u16,
    proxy: bool,
    progress: &Progress,
) -> Result<(TcpStream, SocketAddr), Failure> {
    progress.at(if proxy {
        Stage::ProxyResolve
    } else {
        Stage::Resolve
    });
    let addrs = resolve(settings, host, port).await.map_err(|e| {
        if proxy {
            Failure::new(
                ErrorClass::Proxy,
                Trigger::ProxyDns,
                format!(
                    "cannot resolve the proxy's name `{host}`: {e}; check the proxy URL \
                     (--proxy or the *_PROXY variables), or go without it (--no-proxy)"
                ),
            )
        } else {
            Failure::new(
                ErrorClass::Dns,
                Trigger::Dns,
                format!("cannot resolve `{host}`: {e} (check the host name, VPN or DNS)"),
            )
        }
    })?;
    if addrs.is_empty() {
        let (class, trigger) = if proxy {
            (ErrorClass::Proxy, Trigger::ProxyDns)
        } else {
            (ErrorClass::Dns, Trigger::Dns)
        };
        return Err(Failure::new(
            class,
            trigger,
            format!("`{host}` has no address"),
        ));
    }
    progress.at(if proxy {
        Stage::ProxyConnect
    } else {
        Stage::Connect
    });
    let attempts = &progress.attempts;
    match eyeballs::race(&addrs, STAGGER, attempts, TcpStream::connect).await {
        Ok((tcp, addr)) => {
            tracing::debug!("TCP connected to {addr}");
            let _ = tcp.set_nodelay(true);
            Ok((tcp, addr))
        }
        Err(errors) => Err(refused(host, port, proxy, &errors, attempts)),
    }
}

/// Every address failed: refused everywhere, or some other error.
fn refused(
    host: &str,
    port: u16,
    proxy: bool,
    errors: &[(SocketAddr, io::Error)],
    attempts: &Attempts,
) -> Failure {
    let all_refused = errors
        .iter()
        .all(|(_, e)| e.kind() == io::ErrorKind::ConnectionRefused);
    let tried = if errors.len() > 1 {
        format!(" (tried {})", attempts.describe())
    } else {
        String::new()
    };
    if proxy {
        let what = if all_refused {
            "refused the connection".to_string()
        } else {
            format!(
                "cannot be reached: {}",
                errors
                    .first()
                    .map_or_else(String::new, |(_, e)| eyeballs::short(e))
            )
        };
        return Failure::new(
            ErrorClass::Proxy,
            Trigger::ProxyRefused,
            format!(
                "the proxy {host}:{port} {what}{tried}: is it running, and are its host and port \
                 right? (--proxy or the *_PROXY variables; --no-proxy goes without it)"
            ),
        );
    }
    if all_refused {
        Failure::new(
            ErrorClass::Refused,
            Trigger::Refused,
            format!(
                "connection refused by {host}:{port}{tried}: nothing is listening there (server \
                 down or wrong port?)"
            ),
        )
    } else {
        Failure::new(
            ErrorClass::Io,
            Trigger::Code(1006),
            format!("cannot connect to {host}:{port}: {}", attempts.describe()),
        )
    }
}
