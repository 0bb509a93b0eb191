//! A first end-to-end look at the engine against a real local server.

use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

use crate::support::{self, TIMEOUT, close_frame, read_close};

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
        tcp.write_all(&close_frame(1014, b"bad")).await.unwrap();
        // Keep TCP open until the client has answered.
        let _ = tokio::time::timeout(TIMEOUT, read_close(tcp)).await;
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
