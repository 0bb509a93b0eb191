//! Happy Eyeballs on loopback: a name with an IPv6 address whose listener
//! never accepts (its backlog is full, so the connect hangs) and an IPv4
//! address that works opens over IPv4 a stagger later, not after the
//! connect timeout; when every address fails, the error lists each.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

use tokio::net::{TcpListener, TcpSocket, TcpStream};

use crate::support::{self, closes_with, refused_addr, run};

/// A listener on `[::1]:port` whose backlog is full: further connects to
/// it hang. `None` where IPv6 loopback is missing or the port is taken.
async fn black_hole(port: u16) -> Option<(TcpListener, Vec<TcpStream>)> {
    let socket = TcpSocket::new_v6().ok()?;
    socket
        .bind(SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port))
        .ok()?;
    let listener = socket.listen(0).ok()?;
    let addr = listener.local_addr().ok()?;
    // Fill the accept queue (never accepted) until a connect hangs.
    let mut held = Vec::new();
    for _ in 0..8 {
        match tokio::time::timeout(Duration::from_millis(300), TcpStream::connect(addr)).await {
            Ok(Ok(s)) => held.push(s),
            Ok(Err(_)) => return None,
            Err(_) => return Some((listener, held)),
        }
    }
    None
}

/// `dual.test` resolves to `[::1]` first, then `127.0.0.1`.
fn dual() -> Vec<(String, Vec<IpAddr>)> {
    vec![(
        "dual.test".into(),
        vec![
            IpAddr::V6(Ipv6Addr::LOCALHOST),
            IpAddr::V4(Ipv4Addr::LOCALHOST),
        ],
    )]
}

#[tokio::test]
async fn a_black_holed_ipv6_address_does_not_hide_a_working_ipv4_one() {
    let server = closes_with(1000).await;
    let port = server.addr.port();
    let Some(_hole) = black_hole(port).await else {
        println!("skipped: no IPv6 loopback here (or [::1]:{port} is taken)");
        return;
    };
    let url = url::Url::parse(&format!("ws://dual.test:{port}/")).unwrap();
    let mut s = support::settings(url);
    s.resolve = dual();
    s.connect_timeout = Duration::from_secs(5);
    let began = Instant::now();
    let done = run(s).await;
    assert_eq!(
        done.first("open")["peer"],
        format!("127.0.0.1:{port}"),
        "{}",
        done.dump()
    );
    assert!(
        began.elapsed() < Duration::from_secs(3),
        "took {:?}",
        began.elapsed()
    );
}

#[tokio::test]
async fn every_address_tried_is_listed_when_none_works() {
    let closed = refused_addr().await;
    let url = url::Url::parse(&format!("ws://dual.test:{}/", closed.port())).unwrap();
    let mut s = support::settings(url);
    s.resolve = vec![(
        "dual.test".into(),
        vec![
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)),
        ],
    )];
    s.max_attempts = Some(1);
    let done = run(s).await;
    let message = done.first("error")["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let port = closed.port();
    assert!(
        message.contains(&format!("127.0.0.1:{port}: refused"))
            && message.contains(&format!("127.0.0.2:{port}: refused")),
        "{message}"
    );
}
