//! A first end-to-end look at the engine against a real local server.

use crate::support;

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

#[tokio::test]
async fn echo_then_1014_is_reported_as_sent() {
    let listener = support::within("bind", TcpListener::bind("127.0.0.1:0"))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
        let msg = ws.next().await.unwrap().unwrap();
        ws.send(msg).await.unwrap();
        // Raw Close frame with 1014, which tungstenite would rewrite.
        let tcp = ws.get_mut();
        let mut frame = vec![0x88, 2 + 3];
        frame.extend_from_slice(&1014u16.to_be_bytes());
        frame.extend_from_slice(b"bad");
        tcp.write_all(&frame).await.unwrap();
        let mut buf = [0u8; 64];
        let _ = tokio::time::timeout(
            Duration::from_secs(2),
            tokio::io::AsyncReadExt::read(tcp, &mut buf),
        )
        .await;
    });
    let mut s = support::settings(format!("ws://{addr}/x").parse().unwrap());
    s.send = vec!["hello".into()];
    s.max_attempts = Some(1);
    let run = support::run(s).await;
    assert_eq!(
        run.kinds(),
        [
            "connecting",
            "open",
            "message",
            "message",
            "close",
            "give_up"
        ],
        "{}",
        run.dump()
    );
    let close = &run.events[4];
    assert_eq!(close["code"], 1014);
    assert_eq!(close["wire"], true);
    assert_eq!(close["reason"], "bad");
}
