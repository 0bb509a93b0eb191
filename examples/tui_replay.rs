//! The TUI on a scripted stand-in for the engine: no network, no server.
//!
//! It opens, exchanges messages (including one full of escape sequences),
//! closes with 1012, counts down, reconnects, and answers the TUI's
//! commands roughly the way the engine does. Try it with
//! `cargo run --example tui_replay [-- --theme light]`.
//!
//! `TUI_REPLAY_PANIC=1` makes the stand-in panic once the connection is
//! open, to show that the terminal is restored before the message prints.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use tokio::sync::mpsc;
use wsprobe::cli::OutputArgs;
use wsprobe::engine::connection::{EngineHandle, RunEnd};
use wsprobe::engine::event::{CloseInfo, Command, Dir, EngineEvent, EventKind, Initiator, Payload};
use wsprobe::engine::policy::{Policy, Trigger};
use wsprobe::tui;
use wsprobe::usage::UsageError;

#[derive(Parser)]
struct Args {
    #[command(flatten)]
    output: OutputArgs,
}

struct Script {
    tx: mpsc::Sender<EngineEvent>,
    start: Instant,
    seq: u64,
}

impl Script {
    async fn emit(&mut self, kind: EventKind) -> bool {
        let event = EngineEvent {
            seq: self.seq,
            t: self.start.elapsed(),
            kind,
        };
        self.seq += 1;
        self.tx.send(event).await.is_ok()
    }

    fn now_ms(&self) -> f64 {
        self.start.elapsed().as_secs_f64() * 1000.0
    }
}

fn close(code: u16, name: &str, reason: &str, initiator: Initiator) -> EventKind {
    EventKind::Close(CloseInfo {
        code,
        name: name.into(),
        reason: reason.into(),
        initiator,
        wire: true,
        clean: true,
        received_code: None,
        trigger: if initiator == Initiator::Client {
            Trigger::User
        } else {
            Trigger::Code(code)
        },
        class: Policy::default().classify(Trigger::Code(code)),
    })
}

fn text(dir: Dir, s: &str) -> EventKind {
    EventKind::Message {
        dir,
        payload: Payload::Text(s.into()),
    }
}

/// Plays one connection: open, some traffic, then waits for a command or
/// the server's scripted 1012. Returns false when the run is over.
async fn connection(s: &mut Script, rx: &mut mpsc::Receiver<Command>, attempt: u32) -> bool {
    let url = "ws://127.0.0.1:9001/replay?token=[redacted]".to_owned();
    s.emit(EventKind::Connecting {
        attempt,
        url,
        proxy: None,
    })
    .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let open = EventKind::Open {
        attempt,
        status: 101,
        subprotocol: Some("chat".into()),
        handshake_ms: 3.1,
        headers: vec![("upgrade".into(), "websocket".into())],
        insecure: false,
        request_headers: vec![],
        peer: Some("127.0.0.1:9001".into()),
        tls: None,
    };
    s.emit(open).await;
    assert!(
        std::env::var_os("TUI_REPLAY_PANIC").is_none(),
        "scripted panic for the terminal-restore test"
    );
    s.emit(text(Dir::In, "\x1b]0;title\x07\x1b[2Jhello \u{202e}dlrow"))
        .await;
    let mut paused = false;
    for tick in 0u32.. {
        let wait = tokio::time::sleep(Duration::from_millis(250));
        tokio::select! {
            () = wait => {
                if tick == 40 {
                    s.emit(close(1012, "Service Restart", "deploy", Initiator::Server)).await;
                    return true;
                }
                let msg = format!(r#"{{"tick":{tick},"price":{}}}"#, 100 + tick % 9);
                s.emit(text(Dir::In, &msg)).await;
                if tick % 8 == 0 {
                    s.emit(EventKind::Ping { dir: Dir::Out, len: 0 }).await;
                    let rtt = Some(2.0 + f64::from(tick % 5));
                    s.emit(EventKind::Pong { dir: Dir::In, len: 0, rtt_ms: rtt }).await;
                }
            }
            command = rx.recv() => match command {
                None | Some(Command::Quit { .. }) => {
                    s.emit(close(1000, "Normal Closure", "", Initiator::Client)).await;
                    s.emit(EventKind::GiveUp { reason: "closed by the user".into() }).await;
                    return false;
                }
                Some(Command::SendText(t)) => {
                    s.emit(text(Dir::Out, &t)).await;
                    s.emit(text(Dir::In, &t)).await;
                }
                Some(Command::Close { code, reason }) => {
                    s.emit(close(code, "?", &reason, Initiator::Client)).await;
                    s.emit(EventKind::GiveUp { reason: "closed by the user".into() }).await;
                    return wait_for_reconnect(rx).await;
                }
                Some(Command::SetPaused(p)) if p != paused => {
                    paused = p;
                    let kind = if p { EventKind::Paused } else { EventKind::Resumed { due_t_ms: None } };
                    s.emit(kind).await;
                }
                Some(_) => {}
            }
        }
    }
    true
}

async fn wait_for_reconnect(rx: &mut mpsc::Receiver<Command>) -> bool {
    loop {
        match rx.recv().await {
            None | Some(Command::Quit { .. }) => return false,
            Some(Command::ReconnectNow) => return true,
            Some(_) => {}
        }
    }
}

async fn engine(mut s: Script, mut rx: mpsc::Receiver<Command>) {
    let mut attempt = 1;
    while connection(&mut s, &mut rx, attempt).await {
        attempt += 1;
        let delay_ms: u32 = 3200;
        let due_t_ms = s.now_ms() + f64::from(delay_ms);
        let reconnect = EventKind::Reconnect {
            attempt,
            delay_ms: u64::from(delay_ms),
            window_ms: [1000, 5000],
            due_t_ms,
            rule: "service restart: uniform 1s-5s".into(),
        };
        s.emit(reconnect).await;
        let wait = tokio::time::sleep(Duration::from_millis(u64::from(delay_ms)));
        tokio::pin!(wait);
        loop {
            tokio::select! {
                () = &mut wait => break,
                command = rx.recv() => match command {
                    None | Some(Command::Quit { .. }) => {
                        s.emit(EventKind::GiveUp { reason: "closed by the user".into() }).await;
                        return;
                    }
                    Some(Command::ReconnectNow) => break,
                    Some(_) => {}
                }
            }
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let result: anyhow::Result<()> = async {
        tui::ensure_terminal()?;
        let opts = wsprobe::config::tui_options(&args.output)?;
        let (tx, events) = mpsc::channel(1024);
        let (commands, rx) = mpsc::channel(64);
        let script = Script {
            tx,
            start: Instant::now(),
            seq: 0,
        };
        let task = tokio::spawn(async move {
            engine(script, rx).await;
            RunEnd { success: true }
        });
        let handle = EngineHandle {
            events,
            commands,
            task,
        };
        tui::run(handle, opts).await
    }
    .await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<UsageError>().is_some() => {
            eprintln!("tui_replay: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("tui_replay: {e:#}");
            ExitCode::FAILURE
        }
    }
}
