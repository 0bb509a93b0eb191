//! Reaching the endpoint through a proxy: HTTP CONNECT (`http://`, and
//! `https://` with TLS to the proxy), SOCKS5 with local name resolution
//! (`socks5://`) or the proxy's (`socks5h://`), credentials from the proxy
//! URL; and which proxy to use ([`env::choose`], curl's rules for the
//! `*_PROXY` variables). Every failure at the proxy is an error of class
//! `proxy` with its own failure name, never blamed on the endpoint.

pub mod env;
mod http;
mod socks;

use std::net::SocketAddr;

use tokio_rustls::TlsConnector;
use url::Url;

use crate::engine::auth::Credentials;
use crate::engine::dial::Failure;
use crate::engine::event::ErrorClass;
use crate::engine::hops::{self, Progress, Stage};
use crate::engine::policy::Trigger;
use crate::engine::settings::Settings;
use crate::engine::tls::{self, TlsSetup};
use crate::engine::transport::Link;

/// The kinds of proxy, by the proxy URL's scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `http://`: HTTP CONNECT.
    Http,
    /// `https://`: HTTP CONNECT over TLS to the proxy.
    Https,
    /// `socks5://`: SOCKS5, names resolved by wsprobe.
    Socks5,
    /// `socks5h://`: SOCKS5, names resolved by the proxy.
    Socks5h,
}

/// A proxy, read from its URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proxy {
    /// Its kind.
    pub kind: Kind,
    /// Its host, as in the URL (an IPv6 address in brackets).
    pub host: String,
    /// Its port (curl's defaults: 443 for `https://`, else 1080).
    pub port: u16,
    /// The URL's `user:password@`, percent-decoded.
    pub credentials: Option<Credentials>,
}

impl Proxy {
    /// Reads a proxy URL; the error says what is wrong with it.
    pub fn from_url(url: &Url) -> Result<Proxy, String> {
        let kind = match url.scheme() {
            "http" => Kind::Http,
            "https" => Kind::Https,
            "socks5" => Kind::Socks5,
            "socks5h" => Kind::Socks5h,
            other => {
                return Err(format!(
                    "the proxy scheme `{other}://` is not supported; use http://, https://, \
                     socks5:// or socks5h://"
                ));
            }
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or("the proxy URL has no host; write it like http://proxy.example:3128")?
            .to_string();
        let port = url
            .port()
            .unwrap_or(if kind == Kind::Https { 443 } else { 1080 });
        Ok(Proxy {
            kind,
            host,
            port,
            credentials: Credentials::from_url(url),
        })
    }

    /// The proxy URL as events show it: secrets redacted (unless
    /// `show_secrets`), no path.
    pub fn shown(url: &Url, show_secrets: bool) -> String {
        let text = crate::engine::redact::redact_url(url, show_secrets);
        match text.strip_suffix('/') {
            Some(bare) if url.path() == "/" && url.query().is_none() => bare.to_string(),
            _ => text,
        }
    }

    /// `host:port`, for messages (no credentials).
    pub fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// Connects to the proxy and asks it for a tunnel to `host:port`; the
/// tunnel and the proxy's address.
pub(crate) async fn open(
    proxy: &Proxy,
    settings: &Settings,
    host: &str,
    port: u16,
    setup: Option<&TlsSetup>,
    progress: &Progress,
) -> Result<(Link, SocketAddr), Failure> {
    *progress
        .proxy
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(proxy.address());
    tracing::debug!(
        "going through the {:?} proxy {} to {host}:{port}",
        proxy.kind,
        proxy.address()
    );
    let (mut tcp, peer) = hops::connect(settings, &proxy.host, proxy.port, true, progress).await?;
    let creds = proxy.credentials.as_ref();
    let link = match proxy.kind {
        Kind::Http => {
            progress.at(Stage::ProxyTunnel);
            http::connect(&mut tcp, proxy, host, port, creds, settings.show_secrets).await?;
            Link::Tcp(tcp)
        }
        Kind::Https => {
            progress.at(Stage::ProxyTls);
            let mut stream = proxy_tls(proxy, tcp, setup).await?;
            progress.at(Stage::ProxyTunnel);
            http::connect(&mut stream, proxy, host, port, creds, settings.show_secrets).await?;
            Link::Tls(Box::new(stream))
        }
        Kind::Socks5 | Kind::Socks5h => {
            progress.at(Stage::ProxyTunnel);
            let target = if proxy.kind == Kind::Socks5 {
                socks::Target::Addr(local_address(settings, host, port).await?)
            } else {
                socks::Target::Name(host.trim_start_matches('[').trim_end_matches(']'), port)
            };
            Link::Tcp(socks::connect(tcp, proxy, target, creds).await?)
        }
    };
    tracing::debug!("the proxy {} opened the tunnel", proxy.address());
    Ok((link, peer))
}

/// TLS with an `https://` proxy.
async fn proxy_tls(
    proxy: &Proxy,
    tcp: tokio::net::TcpStream,
    setup: Option<&TlsSetup>,
) -> Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>, Failure> {
    let fail = |message: String| Failure::new(ErrorClass::Proxy, Trigger::ProxyTls, message);
    let setup = setup.ok_or_else(|| fail("TLS is not set up for the https:// proxy".into()))?;
    let (config, witness) = setup.config(true).map_err(fail)?;
    let name = tls::server_name(&proxy.host).map_err(|e| fail(e.to_string()))?;
    TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(|e| {
            let what = format!("the https:// proxy {}", proxy.address());
            fail(format!(
                "{} (the proxy URL is https://, so wsprobe speaks TLS to the proxy; most proxies \
                 expect http:// even for wss:// endpoints)",
                tls::explain(&e, &what, Some(&witness), false)
            ))
        })
}

/// For `socks5://`: the endpoint's address, resolved here.
async fn local_address(settings: &Settings, host: &str, port: u16) -> Result<SocketAddr, Failure> {
    let addrs = hops::resolve(settings, host, port).await.map_err(|e| {
        Failure::new(
            ErrorClass::Dns,
            Trigger::Dns,
            format!(
                "cannot resolve `{host}`: {e} (socks5:// resolves names on this machine; \
                 socks5h:// lets the proxy resolve them)"
            ),
        )
    })?;
    crate::engine::eyeballs::order(&addrs)
        .first()
        .copied()
        .ok_or_else(|| {
            Failure::new(
                ErrorClass::Dns,
                Trigger::Dns,
                format!("`{host}` has no address"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_urls_are_read_with_curls_default_ports() {
        let p = |s: &str| Proxy::from_url(&Url::parse(s).unwrap());
        let http = p("http://u:p%40w@proxy.example").unwrap();
        assert_eq!((http.kind, http.port), (Kind::Http, 1080));
        assert_eq!(http.credentials.unwrap().password, "p@w");
        assert_eq!(p("https://proxy.example").unwrap().port, 443);
        assert_eq!(p("socks5h://[::1]:9050").unwrap().address(), "[::1]:9050");
        assert!(p("socks4://proxy.example").unwrap_err().contains("socks5"));
    }
}
