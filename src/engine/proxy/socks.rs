//! SOCKS5 (RFC 1928, with RFC 1929 username/password) through
//! tokio-socks, each refusal put in words.

use std::net::SocketAddr;

use tokio::net::TcpStream;
use tokio_socks::Error as SocksError;
use tokio_socks::tcp::Socks5Stream;

use super::Proxy;
use crate::engine::auth::Credentials;
use crate::engine::dial::Failure;
use crate::engine::event::ErrorClass;
use crate::engine::policy::Trigger;

/// Where the tunnel goes: an address (`socks5://`) or a name the proxy
/// resolves (`socks5h://`).
#[derive(Debug, Clone, Copy)]
pub(super) enum Target<'a> {
    /// Resolved by wsprobe.
    Addr(SocketAddr),
    /// Resolved by the proxy.
    Name(&'a str, u16),
}

/// Asks the SOCKS5 proxy for a tunnel to `target`.
pub(super) async fn connect(
    tcp: TcpStream,
    proxy: &Proxy,
    target: Target<'_>,
    creds: Option<&Credentials>,
) -> Result<TcpStream, Failure> {
    let shown = match target {
        Target::Addr(a) => a.to_string(),
        Target::Name(h, p) => format!("{h}:{p}"),
    };
    let result = match (target, creds) {
        (Target::Addr(a), None) => Socks5Stream::connect_with_socket(tcp, a).await,
        (Target::Name(h, p), None) => Socks5Stream::connect_with_socket(tcp, (h, p)).await,
        (Target::Addr(a), Some(c)) => {
            Socks5Stream::connect_with_password_and_socket(tcp, a, &c.user, &c.password).await
        }
        (Target::Name(h, p), Some(c)) => {
            Socks5Stream::connect_with_password_and_socket(tcp, (h, p), &c.user, &c.password).await
        }
    };
    result
        .map(Socks5Stream::into_inner)
        .map_err(|e| refusal(&e, proxy, &shown, creds.is_some()))
}

/// A SOCKS5 failure in words, with its failure name.
fn refusal(e: &SocksError, proxy: &Proxy, target: &str, with_creds: bool) -> Failure {
    let at = proxy.address();
    let (trigger, what) = match e {
        SocksError::NoAcceptableAuthMethods | SocksError::AuthorizationRequired if !with_creds => (
            Trigger::ProxyAuth,
            "wants a user name and password; put them in the proxy URL, percent-encoded \
             (socks5://USER:PASS@host:port)"
                .to_string(),
        ),
        SocksError::NoAcceptableAuthMethods => (
            Trigger::ProxyAuth,
            "accepts none of the authentication methods offered (none, username/password)"
                .to_string(),
        ),
        SocksError::PasswordAuthFailure(_) | SocksError::AuthorizationRequired => (
            Trigger::ProxyAuth,
            "rejected the user name and password of the proxy URL; check them (special \
             characters percent-encoded)"
                .to_string(),
        ),
        SocksError::InvalidAuthValues(why) => (
            Trigger::ProxyAuth,
            format!("cannot be given these credentials: {why}"),
        ),
        SocksError::GeneralSocksServerFailure => (
            Trigger::ProxySocks,
            "answered reply 1, general failure: the proxy could not open the tunnel".to_string(),
        ),
        SocksError::ConnectionNotAllowedByRuleset => (
            Trigger::ProxySocks,
            format!("answered reply 2: its rules do not allow a connection to {target}"),
        ),
        SocksError::NetworkUnreachable => (
            Trigger::ProxySocks,
            format!("answered reply 3, network unreachable: it has no route to {target}"),
        ),
        SocksError::HostUnreachable => (
            Trigger::ProxySocks,
            format!("answered reply 4, host unreachable: it cannot reach {target}"),
        ),
        SocksError::ConnectionRefused => (
            Trigger::ProxySocks,
            format!(
                "answered reply 5, connection refused: nothing listens on {target} as the proxy \
                 sees it (endpoint down or wrong port?)"
            ),
        ),
        SocksError::TtlExpired => (
            Trigger::ProxySocks,
            format!("answered reply 6, TTL expired: {target} is too many hops away"),
        ),
        SocksError::CommandNotSupported => (
            Trigger::ProxySocks,
            "answered reply 7: it does not support CONNECT".to_string(),
        ),
        SocksError::AddressTypeNotSupported => (
            Trigger::ProxySocks,
            format!(
                "answered reply 8: it does not take {target} as an address of that kind; switch \
                 between socks5:// (wsprobe resolves the name) and socks5h:// (the proxy does)"
            ),
        ),
        SocksError::UnknownError => (
            Trigger::ProxySocks,
            "answered with a reply code RFC 1928 does not define".to_string(),
        ),
        SocksError::InvalidResponseVersion | SocksError::UnknownAuthMethod => (
            Trigger::ProxyProtocol,
            "did not answer in SOCKS5; is it an HTTP proxy? (then write it http://)".to_string(),
        ),
        SocksError::Io(io) => (
            Trigger::ProxyProtocol,
            format!(
                "closed the connection during the SOCKS5 exchange ({io}); is it really a \
                 SOCKS5 proxy?"
            ),
        ),
        other => (
            Trigger::ProxyProtocol,
            format!("broke the SOCKS5 exchange: {other}"),
        ),
    };
    Failure::new(
        ErrorClass::Proxy,
        trigger,
        format!("the SOCKS5 proxy {at} {what}"),
    )
}
