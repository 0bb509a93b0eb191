//! An open connection: subprotocols, liveness, limits, bad frames, the
//! commands a user can give, the run limits, and the min-uptime reset.

mod common;

use std::time::Duration;

use common::{
    Probe, Server, assert_reconnect, close_frame, close_with, echo, frame, handshake, int, num,
    run, serve,
};
use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use wsprobe::engine::event::Command;

/// An echo server that reports the code of each client Close.
async fn echo_server() -> (Server, mpsc::UnboundedReceiver<Option<u16>>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let server = serve(move |_, tcp| {
        let tx = tx.clone();
        async move {
            let code = echo(tcp).await?;
            let _ = tx.send(code);
            Ok(())
        }
    })
    .await;
    (server, rx)
}

/// A server that closes every connection with `code` right after the handshake.
async fn closing_server(code: u16) -> Server {
    serve(move |_, mut tcp| async move {
        handshake(&mut tcp, &[]).await?;
        close_with(&mut tcp, &close_frame(code, b"")).await?;
        Ok(())
    })
    .await
}

// ---------------------------------------------------------------------------
// The open connection

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
    let mut s = common::settings(server.url("/"));
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
    let mut s = common::settings(server.url("/"));
    s.max_attempts = Some(1);
    let run = common::run(s).await;
    assert!(run.first("open")["subprotocol"].is_null(), "{}", run.dump());
}

#[tokio::test]
async fn a_silent_connection_is_declared_dead_by_the_liveness_timeout() {
    let server = serve(|_, mut tcp| async move {
        handshake(&mut tcp, &[]).await?;
        common::hold(tcp).await
    })
    .await;
    let mut s = common::settings(server.url("/"));
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
    assert!((295.0..1500.0).contains(&silent), "{ctx}");
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
    let mut s = common::settings(server.url("/"));
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
    let mut s = common::settings(server.url("/"));
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
        common::within("the server", codes.recv()).await,
        Some(Some(1009))
    );
}

#[tokio::test]
async fn a_close_the_server_never_answers_is_not_clean() {
    // The server reads our 1009 and hangs up without a Close of its own.
    let server = serve(|_, mut tcp| async move {
        handshake(&mut tcp, &[]).await?;
        tcp.write_all(&frame(0x2, &[7; 1000])).await?;
        common::read_close(&mut tcp).await?;
        tcp.shutdown().await
    })
    .await;
    let mut s = common::settings(server.url("/"));
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
            let code = common::read_close(&mut tcp).await?;
            let _ = tx.send(code);
            tcp.write_all(&close_frame(1007, b"")).await?;
            tcp.shutdown().await
        }
    })
    .await;
    let run = run(common::settings(server.url("/"))).await;
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
        common::within("the server", codes.recv()).await,
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
            let code = common::read_close(&mut tcp).await?;
            let _ = tx.send(code);
            tcp.write_all(&close_frame(1002, b"")).await?;
            tcp.shutdown().await
        }
    })
    .await;
    let run = run(common::settings(server.url("/"))).await;
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
        common::within("the server", codes.recv()).await,
        Some(Some(1002))
    );
}

#[tokio::test]
async fn a_close_reason_that_is_not_utf8_is_explained_as_such() {
    let server = serve(|_, mut tcp| async move {
        handshake(&mut tcp, &[]).await?;
        tcp.write_all(&close_frame(1000, &[b'o', 0xff, b'k']))
            .await?;
        common::read_close(&mut tcp).await?;
        tcp.shutdown().await
    })
    .await;
    let run = run(common::settings(server.url("/"))).await;
    let ctx = run.dump();
    let error = run.first("error");
    assert_eq!(error["class"], "protocol", "{ctx}");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(message.contains("reason"), "{ctx}");
    assert_eq!(run.first("close")["code"], 1007, "{ctx}");
}

#[tokio::test]
async fn a_failed_retry_after_a_restart_continues_as_going_away() {
    // One connection only: it closes with 1012, then the port is closed.
    let listener = common::within("bind", tokio::net::TcpListener::bind("127.0.0.1:0"))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut tcp, _) = listener.accept().await?;
        drop(listener);
        handshake(&mut tcp, &[]).await?;
        close_with(&mut tcp, &close_frame(1012, b"")).await
    });
    let mut s = common::settings(format!("ws://{addr}/").parse().unwrap());
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

// ---------------------------------------------------------------------------
// Commands

#[tokio::test]
async fn send_text_ping_and_quit() {
    let (server, mut codes) = echo_server().await;
    let mut probe = Probe::start(common::settings(server.url("/")));
    probe.until("open").await;
    probe.send(Command::SendText("hi there".into())).await;
    let out = probe.until("message").await;
    assert_eq!(
        (&out["dir"], &out["text"]),
        (&"out".into(), &"hi there".into())
    );
    let back = probe.until("message").await;
    assert_eq!(
        (&back["dir"], &back["text"]),
        (&"in".into(), &"hi there".into())
    );
    assert_eq!(back["type"], "text");
    assert_eq!(back["len"], 8);
    probe.send(Command::Ping).await;
    let ping = probe.until("ping").await;
    assert_eq!(ping["dir"], "out");
    let pong = probe.until("pong").await;
    assert_eq!(pong["dir"], "in");
    assert!(num(&pong, "rtt_ms") >= 0.0, "{pong}");
    probe.send(Command::Quit { code: 1000 }).await;
    let run = probe.finish().await;
    let close = run.first("close");
    assert_eq!(close["code"], 1000, "{}", run.dump());
    assert_eq!(close["initiator"], "client");
    assert_eq!(close["wire"], true);
    assert_eq!(close["clean"], true);
    assert_eq!(run.after("close")["kind"], "give_up");
    assert!(run.end.success);
    assert_eq!(
        common::within("the server", codes.recv()).await,
        Some(Some(1000))
    );
}

#[tokio::test]
async fn quit_with_1001_is_going_away_from_the_client() {
    let (server, mut codes) = echo_server().await;
    let mut probe = Probe::start(common::settings(server.url("/")));
    probe.until("open").await;
    probe.send(Command::Quit { code: 1001 }).await;
    let run = probe.finish().await;
    assert_eq!(run.kinds(), ["connecting", "open", "close", "give_up"]);
    assert_eq!(run.first("close")["code"], 1001);
    assert_eq!(run.first("close")["initiator"], "client");
    assert!(run.end.success);
    assert_eq!(
        common::within("the server", codes.recv()).await,
        Some(Some(1001))
    );
}

#[tokio::test]
async fn a_user_close_is_sent_as_asked_and_ends_the_run() {
    let (server, mut codes) = echo_server().await;
    let mut probe = Probe::start(common::settings(server.url("/")));
    probe.until("open").await;
    probe
        .send(Command::Close {
            code: 4000,
            reason: "done here".into(),
        })
        .await;
    let run = probe.finish().await;
    assert_eq!(run.kinds(), ["connecting", "open", "close", "give_up"]);
    let close = run.first("close");
    assert_eq!(close["code"], 4000);
    assert_eq!(close["reason"], "done here");
    assert_eq!(close["initiator"], "client");
    assert_eq!(close["wire"], true);
    // A close the user asked for is class done: stop, and that is a success.
    assert!(run.end.success);
    assert_eq!(
        common::within("the server", codes.recv()).await,
        Some(Some(4000))
    );
}

#[tokio::test]
async fn reconnect_now_while_open() {
    let (server, _codes) = echo_server().await;
    let mut probe = Probe::start(common::settings(server.url("/")));
    probe.until("open").await;
    probe.send(Command::ReconnectNow).await;
    let close = probe.until("close").await;
    assert_eq!(close["initiator"], "client");
    let next = probe.next().await.expect("an event");
    assert_eq!(next["kind"], "reconnect");
    assert_eq!(next["delay_ms"], 0);
    assert_eq!(next["attempt"], 2);
    probe.until("open").await;
    probe.send(Command::Quit { code: 1000 }).await;
    let run = probe.finish().await;
    assert_eq!(run.all("connecting").len(), 2, "{}", run.dump());
    assert!(run.end.success);
}

/// Settings whose going-away wait is long enough to act during it.
fn long_wait(server: &Server) -> wsprobe::engine::connection::Settings {
    let mut s = common::settings(server.url("/"));
    s.policy.classes.going_away.floor = wsprobe::duration::Dur(Duration::from_secs(4));
    s
}

#[tokio::test]
async fn reconnect_now_while_waiting_connects_at_once() {
    let server = closing_server(1001).await;
    let mut s = long_wait(&server);
    s.max_attempts = Some(2);
    let mut probe = Probe::start(s);
    let first = probe.until("reconnect").await;
    assert!(int(&first, "delay_ms") >= 4000, "{first}");
    probe.send(Command::ReconnectNow).await;
    let again = probe.next().await.expect("an event");
    assert_eq!(again["kind"], "reconnect", "{again}");
    assert_eq!(again["delay_ms"], 0);
    assert_eq!(again["attempt"], 2);
    let run = probe.finish().await;
    let connecting = run.all("connecting");
    assert_eq!(connecting.len(), 2, "{}", run.dump());
    // It did not wait for the first schedule.
    assert!(num(connecting[1], "t_ms") < num(&first, "due_t_ms") - 1000.0);
}

#[tokio::test]
async fn pausing_a_wait_moves_its_due_time() {
    let server = closing_server(1001).await;
    let mut s = common::settings(server.url("/"));
    s.policy.classes.going_away.floor = wsprobe::duration::Dur(Duration::from_millis(200));
    s.policy.classes.going_away.base = wsprobe::duration::Dur(Duration::from_millis(1));
    s.max_attempts = Some(2);
    let mut probe = Probe::start(s);
    let planned = probe.until("reconnect").await;
    probe.send(Command::SetPaused(true)).await;
    probe.until("paused").await;
    // Not synchronisation: the pause has to last a while for the due time to move.
    tokio::time::sleep(Duration::from_millis(150)).await;
    probe.send(Command::SetPaused(false)).await;
    let resumed = probe.until("resumed").await;
    let moved = num(&resumed, "due_t_ms") - num(&planned, "due_t_ms");
    assert!(moved >= 140.0, "due moved by {moved} ms: {resumed}");
    let run = probe.finish().await;
    assert_eq!(
        run.kinds(),
        [
            "connecting",
            "open",
            "close",
            "reconnect",
            "paused",
            "resumed",
            "connecting",
            "open",
            "close",
            "give_up"
        ],
        "{}",
        run.dump()
    );
}

#[tokio::test]
async fn pausing_while_open_holds_the_next_attempt_until_resumed() {
    // The server's first connection closes with 1001 when it gets a
    // message, so the test decides when it ends; the second closes at once.
    let server = serve(|n, mut tcp| async move {
        handshake(&mut tcp, &[]).await?;
        if n == 0 {
            common::read_frame(&mut tcp).await?;
        }
        close_with(&mut tcp, &close_frame(1001, b"")).await?;
        Ok(())
    })
    .await;
    let mut s = common::settings(server.url("/"));
    s.max_attempts = Some(2);
    let mut probe = Probe::start(s);
    probe.until("open").await;
    probe.send(Command::SetPaused(true)).await;
    probe.until("paused").await;
    probe.send(Command::SendText("close now".into())).await;
    let planned = probe.until("reconnect").await;
    // Not synchronisation: give a wrong engine time to connect anyway
    // (the window is 10-30 ms); the checker rejects a connecting while paused.
    tokio::time::sleep(Duration::from_millis(100)).await;
    probe.send(Command::SetPaused(false)).await;
    let resumed = probe.until("resumed").await;
    assert!(num(&resumed, "due_t_ms") > num(&planned, "t_ms"));
    let run = probe.finish().await;
    assert_eq!(
        run.kinds(),
        [
            "connecting",
            "open",
            "paused",
            "message",
            "close",
            "reconnect",
            "resumed",
            "connecting",
            "open",
            "close",
            "give_up"
        ],
        "{}",
        run.dump()
    );
}

#[tokio::test]
async fn pausing_during_a_dial_holds_the_next_attempt() {
    // The first connection never answers the upgrade, so the dial lasts
    // until the connect timeout; the second closes with 1000.
    let server = serve(|n, mut tcp| async move {
        if n == 0 {
            return common::hold(tcp).await;
        }
        handshake(&mut tcp, &[]).await?;
        close_with(&mut tcp, &close_frame(1000, b"")).await?;
        Ok(())
    })
    .await;
    let mut s = common::settings(server.url("/"));
    s.connect_timeout = Duration::from_millis(300);
    let mut probe = Probe::start(s);
    probe.until("connecting").await;
    probe.send(Command::SetPaused(true)).await;
    let paused = probe.next().await.expect("an event");
    assert_eq!(paused["kind"], "paused", "{paused}");
    probe.until("reconnect").await;
    probe.send(Command::SetPaused(false)).await;
    let run = probe.finish().await;
    assert_eq!(
        run.kinds(),
        [
            "connecting",
            "paused",
            "error",
            "close",
            "reconnect",
            "resumed",
            "connecting",
            "open",
            "close",
            "give_up"
        ],
        "{}",
        run.dump()
    );
}

#[tokio::test]
async fn reconnect_now_during_a_dial_starts_over() {
    let server = serve(|n, mut tcp| async move {
        if n == 0 {
            return common::hold(tcp).await;
        }
        handshake(&mut tcp, &[]).await?;
        close_with(&mut tcp, &close_frame(1000, b"")).await?;
        Ok(())
    })
    .await;
    let mut probe = Probe::start(common::settings(server.url("/")));
    probe.until("connecting").await;
    probe.send(Command::ReconnectNow).await;
    let run = probe.finish().await;
    assert_eq!(
        run.kinds(),
        [
            "connecting",
            "close",
            "reconnect",
            "connecting",
            "open",
            "close",
            "give_up"
        ],
        "{}",
        run.dump()
    );
    let close = run.first("close");
    assert_eq!(
        (&close["code"], &close["initiator"]),
        (&1006.into(), &"local".into())
    );
    let reason = close["reason"].as_str().unwrap_or_default();
    assert!(!reason.contains("run ended"), "the run goes on: {reason}");
    assert_eq!(run.after("close")["delay_ms"], 0);
    assert!(run.end.success);
}

#[tokio::test]
async fn interactive_runs_wait_for_the_user_after_giving_up() {
    let server = closing_server(1008).await;
    let mut s = common::settings(server.url("/"));
    s.interactive = true;
    let mut probe = Probe::start(s);
    probe.until("give_up").await;
    probe.send(Command::ReconnectNow).await;
    let again = probe.until("connecting").await;
    assert_eq!(again["attempt"], 2);
    probe.until("give_up").await;
    probe.send(Command::Quit { code: 1000 }).await;
    let mut seen = Vec::new();
    while let Some(e) = probe.next().await {
        seen.push(e);
    }
    assert!(seen.is_empty(), "nothing after quitting: {seen:?}");
    let events: Vec<_> = probe.seen.iter().map(common::to_json).collect();
    common::check_run(&events, true);
    assert_eq!(
        common::kinds(&events),
        [
            "connecting",
            "open",
            "close",
            "give_up",
            "connecting",
            "open",
            "close",
            "give_up"
        ]
    );
}

#[tokio::test]
async fn duration_during_a_dial_ends_the_attempt_and_the_run() {
    let server = serve(|_, tcp| common::hold(tcp)).await;
    let mut s = common::settings(server.url("/"));
    s.duration = Some(Duration::from_millis(300));
    let run = run(s).await;
    assert_eq!(
        run.kinds(),
        ["connecting", "close", "give_up"],
        "{}",
        run.dump()
    );
    let close = run.first("close");
    assert_eq!(close["code"], 1006);
    assert_eq!(close["initiator"], "local");
    assert!(run.end.success);
}

#[tokio::test]
async fn quit_while_waiting_just_gives_up() {
    let server = closing_server(1001).await;
    let mut probe = Probe::start(long_wait(&server));
    probe.until("reconnect").await;
    probe.send(Command::Quit { code: 1000 }).await;
    let run = probe.finish().await;
    assert_eq!(
        run.kinds(),
        ["connecting", "open", "close", "reconnect", "give_up"]
    );
    assert!(run.end.success);
}

// ---------------------------------------------------------------------------
// Run limits

#[tokio::test]
async fn max_attempts_counts_every_attempt() {
    let server = closing_server(1001).await;
    let mut s = common::settings(server.url("/"));
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
    let server = closing_server(1001).await;
    let mut s = common::settings(server.url("/"));
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
    let mut s = common::settings(server.url("/"));
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
    assert!((295.0..1500.0).contains(&num(close, "t_ms")), "{close}");
    assert!(run.end.success);
    assert_eq!(
        common::within("the server", codes.recv()).await,
        Some(Some(1000))
    );
}

#[tokio::test]
async fn duration_ends_a_wait_with_give_up() {
    let server = closing_server(1001).await;
    let mut s = long_wait(&server);
    s.duration = Some(Duration::from_millis(300));
    let run = run(s).await;
    assert_eq!(
        run.kinds(),
        ["connecting", "open", "close", "reconnect", "give_up"]
    );
    assert!((295.0..1500.0).contains(&num(run.last(), "t_ms")));
    assert!(run.end.success);
}

// ---------------------------------------------------------------------------
// The min-uptime reset

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

fn windows(run: &common::Finished) -> Vec<(u64, u64)> {
    run.all("reconnect")
        .into_iter()
        .map(common::window)
        .collect()
}

#[tokio::test]
async fn a_healthy_connection_resets_the_backoff() {
    // Connections 0 and 1 close at once (k grows), 2 stays up past
    // min_uptime after receiving a frame (k resets), 3 closes at once.
    let server = uptime_server(&[2]).await;
    let mut s = common::settings(server.url("/"));
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
    let mut s = common::settings(server.url("/"));
    s.max_attempts = Some(4);
    let run = run(s).await;
    assert_eq!(
        windows(&run),
        [(10, 30), (10, 50), (10, 90)],
        "{}",
        run.dump()
    );
}
