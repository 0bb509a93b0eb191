//! An open connection: subprotocols, liveness, size limits and frames the
//! protocol forbids.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use wsprobe::engine::event::Command;

use crate::support::{
    self, Probe, assert_reconnect, close_frame, echo_server, frame, handshake, num, run, serve,
};

#[tokio::test]
async fn the_server_picks_one_of_the_offered_subprotocols() {
    let server = serve(|_, tcp| async move {
        #[expect(
            clippy::result_large_err,
            reason = "the signature tungstenite's handshake callback has"
        )]
        let pick = |req: &Request, mut resp: Response| {
            let offered = req
                .headers()
                .get("sec-websocket-protocol")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if offered.split(',').any(|p| p.trim() == "v2.chat") {
                resp.headers_mut().insert(
                    "sec-websocket-protocol",
                    HeaderValue::from_static("v2.chat"),
                );
            }
            Ok(resp)
        };
        let mut ws = tokio_tungstenite::accept_hdr_async(tcp, pick)
            .await
            .map_err(std::io::Error::other)?;
        ws.close(None).await.map_err(std::io::Error::other)?;
        while ws.next().await.is_some() {}
        Ok(())
    })
    .await;
    let mut s = support::settings(server.url("/"));
    s.protocols = vec!["v1.chat".into(), "v2.chat".into()];
    s.max_attempts = Some(1);
    let run = run(s).await;
    assert_eq!(
        run.first("open")["subprotocol"],
        "v2.chat",
        "{}",
        run.dump()
    );

    // Nothing offered, nothing picked.
    let mut s = support::settings(server.url("/"));
    s.max_attempts = Some(1);
    let run = support::run(s).await;
    assert!(run.first("open")["subprotocol"].is_null(), "{}", run.dump());
}

#[tokio::test]
async fn a_silent_connection_is_declared_dead_by_the_liveness_timeout() {
    let server = serve(|_, mut tcp| async move {
        handshake(&mut tcp, &[]).await?;
        support::hold(tcp).await
    })
    .await;
    let mut s = support::settings(server.url("/"));
    s.policy.ping_interval = Duration::from_millis(100);
    s.policy.ping_timeout = Duration::from_millis(300);
    let mut probe = Probe::start(s);
    probe.until("reconnect").await;
    probe.send(Command::Quit { code: 1000 }).await;
    let run = probe.finish().await;
    let ctx = run.dump();
    let pings = run.all("ping");
    assert!(pings.len() >= 2, "{ctx}");
    assert!(pings.iter().all(|p| p["dir"] == "out"), "{ctx}");
    let error = run.first("error");
    assert_eq!(error["class"], "liveness", "{ctx}");
    let silent = num(error, "t_ms") - num(run.first("open"), "t_ms");
    assert!(silent >= 295.0, "not before the ping timeout: {ctx}");
    let close = run.after("error");
    assert_eq!(close["code"], 1006, "{ctx}");
    assert_eq!(close["wire"], false, "{ctx}");
    assert_eq!(close["initiator"], "local", "{ctx}");
    assert_reconnect(run.after("close"), "abnormal:", (10, 30));
    assert_eq!(run.last()["kind"], "give_up", "{ctx}");
}

#[tokio::test]
async fn pongs_keep_a_quiet_connection_alive() {
    let (server, _codes) = echo_server().await;
    let mut s = support::settings(server.url("/"));
    s.policy.ping_interval = Duration::from_millis(100);
    s.policy.ping_timeout = Duration::from_millis(300);
    s.duration = Some(Duration::from_millis(700));
    let run = run(s).await;
    let ctx = run.dump();
    assert!(run.all("error").is_empty(), "{ctx}");
    let pongs = run.all("pong");
    assert!(pongs.len() >= 4, "{ctx}");
    assert!(
        pongs
            .iter()
            .all(|p| p["dir"] == "in" && p["rtt_ms"].is_number()),
        "{ctx}"
    );
    let close = run.first("close");
    assert_eq!(
        (&close["code"], &close["initiator"]),
        (&1000.into(), &"client".into()),
        "{ctx}"
    );
    assert!(run.end.success);
}

#[tokio::test]
async fn an_oversize_message_closes_with_1009() {
    let (tx, mut codes) = mpsc::unbounded_channel();
    let server = serve(move |_, tcp| {
        let tx = tx.clone();
        async move {
            let mut ws = tokio_tungstenite::accept_async(tcp)
                .await
                .map_err(std::io::Error::other)?;
            ws.send(Message::text("x".repeat(1000)))
                .await
                .map_err(std::io::Error::other)?;
            while let Some(Ok(m)) = ws.next().await {
                if let Message::Close(f) = m {
                    let _ = tx.send(f.map(|f| u16::from(f.code)));
                }
            }
            Ok(())
        }
    })
    .await;
    let mut s = support::settings(server.url("/"));
    s.max_message_size = 100;
    let run = run(s).await;
    let ctx = run.dump();
    assert_eq!(
        run.kinds(),
        ["connecting", "open", "error", "close", "give_up"],
        "{ctx}"
    );
    let error = run.first("error");
    assert_eq!(error["class"], "capacity", "{ctx}");
    let close = run.first("close");
    assert_eq!(close["code"], 1009, "{ctx}");
    assert_eq!(close["initiator"], "client", "{ctx}");
    assert_eq!(close["wire"], true, "{ctx}");
    // The server answered our Close, then closed TCP.
    assert_eq!(close["clean"], true, "{ctx}");
    assert_eq!(
        support::within("the server", codes.recv()).await,
        Some(Some(1009))
    );
}

#[tokio::test]
async fn a_close_the_server_never_answers_is_not_clean() {
    // The server reads our 1009 and hangs up without a Close of its own.
    let server = serve(|_, mut tcp| async move {
        handshake(&mut tcp, &[]).await?;
        tcp.write_all(&frame(0x2, &[7; 1000])).await?;
        support::read_close(&mut tcp).await?;
        tcp.shutdown().await
    })
    .await;
    let mut s = support::settings(server.url("/"));
    s.max_message_size = 100;
    let run = run(s).await;
    let close = run.first("close");
    assert_eq!(close["code"], 1009, "{}", run.dump());
    assert_eq!(close["wire"], true, "{}", run.dump());
    assert_eq!(close["clean"], false, "{}", run.dump());
}

#[tokio::test]
async fn invalid_utf8_in_a_text_frame_closes_with_1007() {
    let (tx, mut codes) = mpsc::unbounded_channel();
    let server = serve(move |_, mut tcp| {
        let tx = tx.clone();
        async move {
            handshake(&mut tcp, &[]).await?;
            tcp.write_all(&frame(0x1, &[b'o', b'k', 0xff, 0xfe]))
                .await?;
            let code = support::read_close(&mut tcp).await?;
            let _ = tx.send(code);
            tcp.write_all(&close_frame(1007, b"")).await?;
            tcp.shutdown().await
        }
    })
    .await;
    let run = run(support::settings(server.url("/"))).await;
    let ctx = run.dump();
    assert_eq!(
        run.kinds(),
        ["connecting", "open", "error", "close", "give_up"],
        "{ctx}"
    );
    let error = run.first("error");
    assert_eq!(error["class"], "protocol", "{ctx}");
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("text message"),
        "{ctx}"
    );
    let close = run.first("close");
    assert_eq!(close["code"], 1007, "{ctx}");
    assert_eq!(close["initiator"], "client", "{ctx}");
    assert_eq!(close["clean"], true, "{ctx}");
    assert_eq!(
        support::within("the server", codes.recv()).await,
        Some(Some(1007))
    );
}

#[tokio::test]
async fn a_reserved_opcode_is_a_protocol_error_answered_with_1002() {
    let (tx, mut codes) = mpsc::unbounded_channel();
    let server = serve(move |_, mut tcp| {
        let tx = tx.clone();
        async move {
            handshake(&mut tcp, &[]).await?;
            tcp.write_all(&frame(0x3, b"?")).await?;
            let code = support::read_close(&mut tcp).await?;
            let _ = tx.send(code);
            tcp.write_all(&close_frame(1002, b"")).await?;
            tcp.shutdown().await
        }
    })
    .await;
    let run = run(support::settings(server.url("/"))).await;
    assert_eq!(
        run.kinds(),
        ["connecting", "open", "error", "close", "give_up"],
        "{}",
        run.dump()
    );
    assert_eq!(run.first("error")["class"], "protocol");
    let close = run.first("close");
    assert_eq!(close["code"], 1002);
    assert_eq!(close["initiator"], "client");
    assert!(close.get("received_code").is_none());
    assert_eq!(
        support::within("the server", codes.recv()).await,
        Some(Some(1002))
    );
}

#[tokio::test]
async fn a_close_reason_that_is_not_utf8_is_explained_as_such() {
    let server = serve(|_, mut tcp| async move {
        handshake(&mut tcp, &[]).await?;
        tcp.write_all(&close_frame(1000, &[b'o', 0xff, b'k']))
            .await?;
        support::read_close(&mut tcp).await?;
        tcp.shutdown().await
    })
    .await;
    let run = run(support::settings(server.url("/"))).await;
    let ctx = run.dump();
    let error = run.first("error");
    assert_eq!(error["class"], "protocol", "{ctx}");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(message.contains("reason"), "{ctx}");
    assert_eq!(run.first("close")["code"], 1007, "{ctx}");
}

#[tokio::test]
async fn a_server_close_is_clean_even_when_the_server_keeps_tcp_open() {
    // Server first: its Close, our answer, then the server holds TCP open.
    let server = serve(|_, mut tcp| async move {
        handshake(&mut tcp, &[]).await?;
        tcp.write_all(&close_frame(1000, b"")).await?;
        support::read_close(&mut tcp).await?;
        support::hold(tcp).await
    })
    .await;
    let run = run(support::settings(server.url("/"))).await;
    let close = run.first("close");
    assert_eq!(close["initiator"], "server", "{}", run.dump());
    assert_eq!(close["clean"], true, "{}", run.dump());
}

#[tokio::test]
async fn a_close_the_server_answers_is_clean_even_when_it_keeps_tcp_open() {
    // wsprobe first: our Close, the server's answer, then TCP stays open.
    let server = serve(|_, mut tcp| async move {
        handshake(&mut tcp, &[]).await?;
        let code = support::read_close(&mut tcp).await?.unwrap_or(1005);
        tcp.write_all(&close_frame(code, b"")).await?;
        support::hold(tcp).await
    })
    .await;
    let mut probe = Probe::start(support::settings(server.url("/")));
    probe.until("open").await;
    probe
        .send(wsprobe::engine::event::Command::Quit { code: 1000 })
        .await;
    let run = probe.finish().await;
    let close = run.first("close");
    assert_eq!(close["initiator"], "client", "{}", run.dump());
    assert_eq!(close["clean"], true, "{}", run.dump());
}

#[tokio::test]
async fn a_close_the_server_never_answers_while_holding_tcp_is_not_clean() {
    let server = serve(|_, mut tcp| async move {
        handshake(&mut tcp, &[]).await?;
        support::read_close(&mut tcp).await?;
        support::hold(tcp).await
    })
    .await;
    let mut probe = Probe::start(support::settings(server.url("/")));
    probe.until("open").await;
    probe
        .send(wsprobe::engine::event::Command::Quit { code: 1000 })
        .await;
    let run = probe.finish().await;
    assert_eq!(run.first("close")["clean"], false, "{}", run.dump());
}

#[tokio::test]
async fn a_large_message_still_arriving_is_not_silence() {
    // One 60 kB binary message trickled in 30 slices, 40 ms apart: no whole
    // frame and no pong for far longer than the ping timeout, but bytes keep
    // coming, so the connection is alive.
    let server = serve(|_, mut tcp| async move {
        handshake(&mut tcp, &[]).await?;
        let whole = frame(0x2, &vec![7u8; 60_000]);
        for slice in whole.chunks(whole.len().div_ceil(30)) {
            tcp.write_all(slice).await?;
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
        tcp.write_all(&close_frame(1000, b"")).await?;
        support::hold(tcp).await
    })
    .await;
    let mut s = support::settings(server.url("/"));
    s.policy.ping_interval = Duration::from_millis(100);
    s.policy.ping_timeout = Duration::from_millis(300);
    let run = run(s).await;
    let ctx = run.dump();
    assert!(run.all("error").is_empty(), "{ctx}");
    let message = run.first("message");
    assert_eq!(message["len"], 60_000, "{ctx}");
    assert_eq!(run.first("close")["code"], 1000, "{ctx}");
}

#[tokio::test]
async fn a_server_that_stops_reading_ends_the_connection_instead_of_hanging() {
    // The server never reads, so an 8 MiB message cannot be written out:
    // after the send wait the connection is given up like a dead one.
    let server = serve(|_, mut tcp| async move {
        handshake(&mut tcp, &[]).await?;
        support::hold(tcp).await
    })
    .await;
    let mut s = support::settings(server.url("/"));
    s.send = vec!["x".repeat(8 << 20)];
    s.max_attempts = Some(1);
    let run = run(s).await;
    let ctx = run.dump();
    let error = run.first("error");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("stopped reading")),
        "{ctx}"
    );
    let close = run.first("close");
    assert_eq!(
        (&close["code"], &close["wire"]),
        (&1006.into(), &false.into()),
        "{ctx}"
    );
}
