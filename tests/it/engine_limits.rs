//! How runs end and how the backoff grows: --max-attempts, --no-reconnect,
//! --duration, a failed retry after a restart, and the min-uptime reset.

use std::time::Duration;

use tokio::io::AsyncWriteExt;

use crate::support::{
    self, Server, assert_reconnect, close_frame, close_with, closes_with, echo_server, frame,
    handshake, long_wait, num, run, serve,
};

#[tokio::test]
async fn a_failed_retry_after_a_restart_continues_as_going_away() {
    // One connection only: it closes with 1012, then the port is closed.
    let listener = support::within("bind", tokio::net::TcpListener::bind("127.0.0.1:0"))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut tcp, _) = listener.accept().await?;
        drop(listener);
        handshake(&mut tcp, &[]).await?;
        close_with(&mut tcp, &close_frame(1012, b"")).await
    });
    let mut s = support::settings(format!("ws://{addr}/").parse().unwrap());
    s.max_attempts = Some(3);
    let run = run(s).await;
    let reconnects = run.all("reconnect");
    assert_eq!(reconnects.len(), 2, "{}", run.dump());
    assert_reconnect(reconnects[0], "service restart:", (10, 30));
    // k = 1 after the failed restart retry: [10, 10 + 20·2].
    assert_reconnect(
        reconnects[1],
        "service restart retry failed, now going away:",
        (10, 50),
    );
}

#[tokio::test]
async fn max_attempts_counts_every_attempt() {
    let server = closes_with(1001).await;
    let mut s = support::settings(server.url("/"));
    s.max_attempts = Some(3);
    let run = run(s).await;
    assert_eq!(run.all("connecting").len(), 3, "{}", run.dump());
    assert_eq!(run.all("reconnect").len(), 2, "{}", run.dump());
    let reason = run.last()["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("3 attempts"), "{reason}");
    assert!(!run.end.success);
    assert_eq!(server.accepted(), 3);
}

#[tokio::test]
async fn no_reconnect_stops_after_the_first_close() {
    let server = closes_with(1001).await;
    let mut s = support::settings(server.url("/"));
    s.no_reconnect = true;
    let run = run(s).await;
    assert_eq!(run.kinds(), ["connecting", "open", "close", "give_up"]);
    let reason = run.last()["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("--no-reconnect"), "{reason}");
    assert!(!run.end.success);
}

#[tokio::test]
async fn duration_ends_an_open_connection_with_1000() {
    let (server, mut codes) = echo_server().await;
    let mut s = support::settings(server.url("/"));
    s.duration = Some(Duration::from_millis(300));
    let run = run(s).await;
    assert_eq!(
        run.kinds(),
        ["connecting", "open", "close", "give_up"],
        "{}",
        run.dump()
    );
    let close = run.first("close");
    assert_eq!(close["code"], 1000);
    assert_eq!(close["initiator"], "client");
    assert!(
        num(close, "t_ms") >= 295.0,
        "not before the duration: {close}"
    );
    assert!(run.end.success);
    assert_eq!(
        support::within("the server", codes.recv()).await,
        Some(Some(1000))
    );
}

#[tokio::test]
async fn duration_ends_a_wait_with_give_up() {
    let server = closes_with(1001).await;
    let mut s = long_wait(server.url("/"));
    s.duration = Some(Duration::from_millis(300));
    let run = run(s).await;
    assert_eq!(
        run.kinds(),
        ["connecting", "open", "close", "reconnect", "give_up"]
    );
    let ended = num(run.last(), "t_ms");
    assert!(ended >= 295.0, "not before the duration: {}", run.dump());
    // The run ended inside the wait, before the announced reconnect was due.
    assert!(
        ended < num(run.after("close"), "due_t_ms"),
        "{}",
        run.dump()
    );
    assert!(run.end.success);
}

/// Each connection sends one text frame, stays up `uptime(n)`, then closes 1001.
async fn uptime_server(long: &'static [usize]) -> Server {
    serve(move |n, mut tcp| async move {
        handshake(&mut tcp, &[]).await?;
        tcp.write_all(&frame(0x1, b"hi")).await?;
        if long.contains(&n) {
            // Server behaviour under test: stay up past min_uptime (200 ms).
            tokio::time::sleep(Duration::from_millis(260)).await;
        }
        close_with(&mut tcp, &close_frame(1001, b"")).await?;
        Ok(())
    })
    .await
}

fn windows(run: &support::Finished) -> Vec<(u64, u64)> {
    run.all("reconnect")
        .into_iter()
        .map(support::window)
        .collect()
}

#[tokio::test]
async fn a_healthy_connection_resets_the_backoff() {
    // Connections 0 and 1 close at once (k grows), 2 stays up past
    // min_uptime after receiving a frame (k resets), 3 closes at once.
    let server = uptime_server(&[2]).await;
    let mut s = support::settings(server.url("/"));
    s.max_attempts = Some(5);
    let run = run(s).await;
    assert_eq!(
        windows(&run),
        [(10, 30), (10, 50), (10, 30), (10, 50)],
        "{}",
        run.dump()
    );
}

#[tokio::test]
async fn short_connections_keep_growing_the_backoff() {
    let server = uptime_server(&[]).await;
    let mut s = support::settings(server.url("/"));
    s.max_attempts = Some(4);
    let run = run(s).await;
    assert_eq!(
        windows(&run),
        [(10, 30), (10, 50), (10, 90)],
        "{}",
        run.dump()
    );
}
