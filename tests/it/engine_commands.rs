//! The commands a user gives: send, ping, close, quit, reconnect now and
//! pause, while open, while connecting and while waiting.

use std::time::Duration;

use wsprobe::engine::event::Command;

use crate::support::{
    self, Probe, close_frame, close_with, closes_with, echo_server, handshake, int, long_wait, num,
    run, serve,
};

#[tokio::test]
async fn send_text_ping_and_quit() {
    let (server, mut codes) = echo_server().await;
    let mut probe = Probe::start(support::settings(server.url("/")));
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
        support::within("the server", codes.recv()).await,
        Some(Some(1000))
    );
}

#[tokio::test]
async fn quit_with_1001_is_going_away_from_the_client() {
    let (server, mut codes) = echo_server().await;
    let mut probe = Probe::start(support::settings(server.url("/")));
    probe.until("open").await;
    probe.send(Command::Quit { code: 1001 }).await;
    let run = probe.finish().await;
    assert_eq!(run.kinds(), ["connecting", "open", "close", "give_up"]);
    assert_eq!(run.first("close")["code"], 1001);
    assert_eq!(run.first("close")["initiator"], "client");
    assert!(run.end.success);
    assert_eq!(
        support::within("the server", codes.recv()).await,
        Some(Some(1001))
    );
}

#[tokio::test]
async fn a_user_close_is_sent_as_asked_and_ends_the_run() {
    let (server, mut codes) = echo_server().await;
    let mut probe = Probe::start(support::settings(server.url("/")));
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
        support::within("the server", codes.recv()).await,
        Some(Some(4000))
    );
}

#[tokio::test]
async fn reconnect_now_while_open() {
    let (server, _codes) = echo_server().await;
    let mut probe = Probe::start(support::settings(server.url("/")));
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

#[tokio::test]
async fn reconnect_now_while_waiting_connects_at_once() {
    let server = closes_with(1001).await;
    let mut s = long_wait(server.url("/"));
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
async fn a_short_pause_keeps_the_announced_due_time() {
    let server = closes_with(1001).await;
    let mut s = support::settings(server.url("/"));
    s.policy.classes.going_away.floor = wsprobe::duration::Dur(Duration::from_secs(2));
    s.policy.classes.going_away.base = wsprobe::duration::Dur(Duration::from_millis(1));
    s.max_attempts = Some(2);
    let mut probe = Probe::start(s);
    let planned = probe.until("reconnect").await;
    probe.send(Command::SetPaused(true)).await;
    probe.until("paused").await;
    probe.send(Command::SetPaused(false)).await;
    let resumed = probe.until("resumed").await;
    // Resumed before it was due: the announced time stands, no new draw.
    assert_eq!(resumed["due_t_ms"], planned["due_t_ms"], "{resumed}");
    let run = probe.finish().await;
    assert_eq!(run.all("reconnect").len(), 1, "{}", run.dump());
    let connecting = run.all("connecting");
    assert!(num(connecting[1], "t_ms") >= num(&planned, "due_t_ms"));
}

#[tokio::test]
async fn a_pause_past_the_due_time_announces_the_new_one() {
    let server = closes_with(1001).await;
    let mut s = support::settings(server.url("/"));
    s.policy.classes.going_away.floor = wsprobe::duration::Dur(Duration::from_millis(200));
    s.policy.classes.going_away.base = wsprobe::duration::Dur(Duration::from_millis(1));
    s.max_attempts = Some(2);
    let mut probe = Probe::start(s);
    let planned = probe.until("reconnect").await;
    probe.send(Command::SetPaused(true)).await;
    probe.until("paused").await;
    // Not synchronisation: the pause has to outlast the announced due time.
    tokio::time::sleep(Duration::from_millis(300)).await;
    probe.send(Command::SetPaused(false)).await;
    let resumed = probe.until("resumed").await;
    let again = probe.next().await.expect("an event");
    assert_eq!(again["kind"], "reconnect", "{again}");
    assert_eq!(again["due_t_ms"], resumed["due_t_ms"], "{again}");
    assert_eq!(again["attempt"], planned["attempt"]);
    assert!(num(&again, "due_t_ms") > num(&planned, "due_t_ms"));
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
            "reconnect",
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
            support::read_frame(&mut tcp).await?;
        }
        close_with(&mut tcp, &close_frame(1001, b"")).await?;
        Ok(())
    })
    .await;
    let mut s = support::settings(server.url("/"));
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
            "reconnect",
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
            return support::hold(tcp).await;
        }
        handshake(&mut tcp, &[]).await?;
        close_with(&mut tcp, &close_frame(1000, b"")).await?;
        Ok(())
    })
    .await;
    let mut s = support::settings(server.url("/"));
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
            return support::hold(tcp).await;
        }
        handshake(&mut tcp, &[]).await?;
        close_with(&mut tcp, &close_frame(1000, b"")).await?;
        Ok(())
    })
    .await;
    let mut probe = Probe::start(support::settings(server.url("/")));
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
    let server = closes_with(1008).await;
    let mut s = support::settings(server.url("/"));
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
    let events: Vec<_> = probe.seen.iter().map(support::to_json).collect();
    support::check_run(&events, true);
    assert_eq!(
        support::kinds(&events),
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
    let server = serve(|_, tcp| support::hold(tcp)).await;
    let mut s = support::settings(server.url("/"));
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
    let server = closes_with(1001).await;
    let mut probe = Probe::start(long_wait(server.url("/")));
    probe.until("reconnect").await;
    probe.send(Command::Quit { code: 1000 }).await;
    let run = probe.finish().await;
    assert_eq!(
        run.kinds(),
        ["connecting", "open", "close", "reconnect", "give_up"]
    );
    assert!(run.end.success);
}

#[tokio::test]
async fn quitting_during_a_countdown_ends_an_interactive_run() {
    let server = closes_with(1001).await;
    let mut s = support::long_wait(server.url("/"));
    s.interactive = true;
    let mut probe = Probe::start(s);
    probe.until("reconnect").await;
    probe.send(Command::Quit { code: 1000 }).await;
    let give_up = probe.until("give_up").await;
    assert_eq!(give_up["reason"], "quit by the user");
    // The run is over: the engine ends and closes its channel at once
    // instead of waiting for a reconnect that will never be asked for.
    assert!(probe.next().await.is_none(), "the run should be over");
    let events: Vec<_> = probe.seen.iter().map(support::to_json).collect();
    support::check_run(&events, true);
}
