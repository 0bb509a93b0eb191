//! Happy Eyeballs (RFC 8305): the addresses of a dual-stack host are tried
//! in a race, IPv6 first, the families alternating, the next attempt
//! starting [`STAGGER`] after the previous one (or at once when it fails),
//! the first connection to succeed winning. A black-holed IPv6 address so
//! costs a quarter of a second instead of hiding a working IPv4 one until
//! the connect timeout. What happened to every address is kept in
//! [`Attempts`], so that a failure (or a timeout) can list them.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::time::Instant;

/// The delay before the next address is tried while the previous attempt
/// is still pending (RFC 8305 §5 recommends 250 ms).
pub const STAGGER: Duration = Duration::from_millis(250);

/// What happened to each address tried, in the order tried; `None` while
/// an attempt is still waiting for an answer.
#[derive(Debug, Default)]
pub struct Attempts(Mutex<Vec<(SocketAddr, Option<String>)>>);

impl Attempts {
    fn started(&self, addr: SocketAddr) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((addr, None));
    }

    fn ended(&self, addr: SocketAddr, what: String) {
        let mut list = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = list.iter_mut().find(|(a, w)| *a == addr && w.is_none()) {
            slot.1 = Some(what);
        }
    }

    /// `[::1]:8080: no answer; 127.0.0.1:8080: refused`: each address tried
    /// and what became of it (`no answer` for one still waiting).
    pub fn describe(&self) -> String {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(addr, what)| format!("{addr}: {}", what.as_deref().unwrap_or("no answer")))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// How many addresses were tried.
    pub fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// True before any address was tried.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A connect error in a few words (`refused`, `network unreachable`).
pub fn short(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => "refused".into(),
        io::ErrorKind::NetworkUnreachable => "network unreachable".into(),
        io::ErrorKind::HostUnreachable => "host unreachable".into(),
        io::ErrorKind::TimedOut => "timed out".into(),
        io::ErrorKind::AddrNotAvailable => "address not available here".into(),
        _ => e.to_string(),
    }
}

/// The order of RFC 8305 §4: IPv6 first, then the families alternate,
/// each keeping the resolver's order.
pub fn order(addrs: &[SocketAddr]) -> Vec<SocketAddr> {
    let (mut v6, mut v4): (Vec<SocketAddr>, Vec<SocketAddr>) =
        addrs.iter().partition(|a| a.is_ipv6());
    v6.reverse();
    v4.reverse();
    let mut out = Vec::with_capacity(addrs.len());
    while !v6.is_empty() || !v4.is_empty() {
        out.extend(v6.pop());
        out.extend(v4.pop());
    }
    out
}

/// Races `connect` over `addrs` (see the module): the first stream to
/// connect and its address, or every address's error when none did.
/// Pending attempts are dropped when one wins.
pub async fn race<S, F, Fut>(
    addrs: &[SocketAddr],
    stagger: Duration,
    attempts: &Attempts,
    connect: F,
) -> Result<(S, SocketAddr), Vec<(SocketAddr, io::Error)>>
where
    F: Fn(SocketAddr) -> Fut,
    Fut: Future<Output = io::Result<S>>,
{
    let mut queue = order(addrs).into_iter();
    let mut pending = FuturesUnordered::new();
    let mut errors = Vec::new();
    let mut next_at = Instant::now();
    loop {
        let start_next = pending.is_empty() || Instant::now() >= next_at;
        if start_next && let Some(addr) = queue.next() {
            attempts.started(addr);
            let fut = connect(addr);
            pending.push(async move { (addr, fut.await) });
            next_at = Instant::now() + stagger;
            continue;
        }
        if pending.is_empty() {
            return Err(errors);
        }
        let more = queue.len() > 0;
        tokio::select! {
            Some((addr, result)) = pending.next() => match result {
                Ok(stream) => {
                    attempts.ended(addr, "connected".into());
                    return Ok((stream, addr));
                }
                Err(e) => {
                    tracing::debug!("TCP connect to {addr} failed: {e}");
                    attempts.ended(addr, short(&e));
                    errors.push((addr, e));
                    // A failure starts the next attempt at once.
                    next_at = Instant::now();
                }
            },
            () = tokio::time::sleep_until(next_at), if more => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn families_alternate_ipv6_first() {
        let got = order(&[a("1.1.1.1:1"), a("2.2.2.2:1"), a("[::1]:1"), a("[::2]:1")]);
        assert_eq!(
            got,
            [a("[::1]:1"), a("1.1.1.1:1"), a("[::2]:1"), a("2.2.2.2:1")]
        );
    }

    /// A connector where IPv6 never answers, `refused` refuses, and
    /// anything else connects.
    async fn fake(addr: SocketAddr) -> io::Result<SocketAddr> {
        if addr.is_ipv6() {
            std::future::pending::<()>().await;
        }
        if addr.port() == 9 {
            return Err(io::ErrorKind::ConnectionRefused.into());
        }
        Ok(addr)
    }

    #[tokio::test(start_paused = true)]
    async fn a_black_holed_ipv6_costs_one_stagger() {
        let attempts = Attempts::default();
        let began = Instant::now();
        let (got, addr) = race(
            &[a("[::1]:80"), a("127.0.0.1:80")],
            STAGGER,
            &attempts,
            fake,
        )
        .await
        .unwrap();
        assert_eq!((got, addr), (a("127.0.0.1:80"), a("127.0.0.1:80")));
        assert_eq!(began.elapsed(), STAGGER);
        assert_eq!(
            attempts.describe(),
            "[::1]:80: no answer; 127.0.0.1:80: connected"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_failure_starts_the_next_at_once_and_all_failures_are_listed() {
        let attempts = Attempts::default();
        let began = Instant::now();
        let errors = race(
            &[a("127.0.0.1:9"), a("127.0.0.2:9")],
            STAGGER,
            &attempts,
            fake,
        )
        .await
        .unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!(began.elapsed(), Duration::ZERO);
        assert_eq!(
            attempts.describe(),
            "127.0.0.1:9: refused; 127.0.0.2:9: refused"
        );
        assert!(race(&[], STAGGER, &attempts, fake).await.is_err());
    }
}
