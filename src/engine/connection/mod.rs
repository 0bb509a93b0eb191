//! The connection task: connects, reports every event, applies the policy
//! between attempts, and carries out commands.

use std::sync::Arc;

use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::duration::until;
use crate::engine::clock::Clock;
use crate::engine::control::{Control, Interrupt, Pending, Step, ms};
use crate::engine::emit::{Emitter, EventSink, Output};
use crate::engine::error::EngineError;
use crate::engine::event::{CloseInfo, Command, EngineEvent, EventKind};
use crate::engine::policy::{History, random_seed};
mod attempt;
mod decide;

use crate::engine::proxy::Proxy;
use crate::engine::settings::Settings;
use crate::engine::tls::TlsSetup;
use crate::engine::{auth, target};
use decide::Next;

/// How a run ended, for the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunEnd {
    /// True when it ended by `--duration`, by the user, or by a policy stop after 1000.
    pub success: bool,
}

/// A running engine: its events, a way to command it, and its task.
#[derive(Debug)]
pub struct EngineHandle {
    /// Events in order; the channel closes when the run ends.
    pub events: mpsc::Receiver<EngineEvent>,
    /// Commands to the engine.
    pub commands: mpsc::Sender<Command>,
    /// The engine task.
    pub task: JoinHandle<RunEnd>,
}

/// Starts the engine on the current tokio runtime; events arrive on
/// `EngineHandle::events`. Fails only for settings that cannot work (an
/// unreadable `--cacert`).
pub fn spawn(settings: Settings) -> Result<EngineHandle, EngineError> {
    spawn_observed(settings, Clock::now(), Vec::new())
}

/// [`spawn`] with the run's clock given (so the caller knows the wall time
/// of `t = 0`) and `observers` that get every event in the engine's own
/// task before the channel does (a recording).
pub fn spawn_observed(
    settings: Settings,
    clock: Clock,
    observers: Vec<Box<dyn EventSink>>,
) -> Result<EngineHandle, EngineError> {
    let (tx, events) = mpsc::channel(4096);
    start(settings, Output::Channel(tx), events, clock, observers)
}

/// Starts the engine writing every event into `sink` from its own task, with
/// no hand-off per event (the headless writers use this for speed). The
/// handle's `events` channel stays empty.
pub fn spawn_with_sink(
    settings: Settings,
    sink: Box<dyn EventSink>,
) -> Result<EngineHandle, EngineError> {
    spawn_with_sink_observed(settings, Clock::now(), sink, Vec::new())
}

/// [`spawn_with_sink`] with the run's clock given and `observers` that get
/// every event before `sink` does.
pub fn spawn_with_sink_observed(
    settings: Settings,
    clock: Clock,
    sink: Box<dyn EventSink>,
    observers: Vec<Box<dyn EventSink>>,
) -> Result<EngineHandle, EngineError> {
    let (_, events) = mpsc::channel(1);
    start(settings, Output::Sink(sink), events, clock, observers)
}

fn start(
    settings: Settings,
    output: Output,
    events: mpsc::Receiver<EngineEvent>,
    clock: Clock,
    observers: Vec<Box<dyn EventSink>>,
) -> Result<EngineHandle, EngineError> {
    let proxy_tls = settings
        .proxy
        .as_ref()
        .is_some_and(|p| p.scheme() == "https");
    let tls = if settings.url.scheme() == "wss" || proxy_tls {
        let client = settings.cert.as_deref().zip(settings.key.as_deref());
        Some(Arc::new(TlsSetup::new(
            settings.insecure,
            settings.cacert.as_deref(),
            client,
        )?))
    } else {
        None
    };
    if let Some(note) = auth::overridden(&settings) {
        tracing::warn!("{note}");
    }
    let (commands, rx) = mpsc::channel(64);
    let seed = settings.seed.unwrap_or_else(random_seed);
    let now = clock.start;
    let engine = Engine {
        deadline: settings.duration.map(|d| now + d),
        settings,
        tls,
        out: Emitter::new(output, now).observed_by(observers),
        control: Control {
            commands: rx,
            paused: false,
        },
        rng: StdRng::seed_from_u64(seed),
        history: History::default(),
    };
    let task = tokio::spawn(engine.run());
    Ok(EngineHandle {
        events,
        commands,
        task,
    })
}

struct Engine {
    settings: Settings,
    tls: Option<Arc<TlsSetup>>,
    out: Emitter,
    control: Control,
    rng: StdRng,
    history: History,
    deadline: Option<Instant>,
}

impl Engine {
    async fn run(mut self) -> RunEnd {
        let mut attempt = 0u32;
        loop {
            if self.out.is_closed() {
                return RunEnd { success: false };
            }
            attempt += 1;
            let url = target::redact_url(&self.settings.url, self.settings.show_secrets);
            let proxy = self
                .settings
                .proxy
                .as_ref()
                .map(|p| Proxy::shown(p, self.settings.show_secrets));
            if !self
                .out
                .emit(EventKind::Connecting {
                    attempt,
                    url,
                    proxy,
                })
                .await
            {
                return RunEnd { success: false };
            }
            let end = self.attempt(attempt).await;
            let (class, next) = self.decide(&end, attempt);
            self.out
                .emit(EventKind::Close(CloseInfo { class, ..end.close }))
                .await;
            let (reason, success, finished) = match next {
                Next::Now => {
                    self.reconnect_now(attempt + 1).await;
                    continue;
                }
                Next::Reconnect {
                    delay,
                    window,
                    rule,
                } => {
                    let due = Instant::now() + delay;
                    self.out
                        .emit(EventKind::Reconnect {
                            attempt: attempt + 1,
                            delay_ms: ms(delay),
                            window_ms: [ms(window.0), ms(window.1)],
                            due_t_ms: self.out.t_ms(due),
                            rule,
                        })
                        .await;
                    let pending = Pending {
                        attempt: attempt + 1,
                        due: Some(due),
                        announced: due,
                        left_at_pause: None,
                    };
                    match self.wait(Some(pending)).await {
                        None => continue,
                        Some(Interrupt::Duration) => {
                            ("the --duration ran out".to_string(), true, true)
                        }
                        Some(_) => ("quit by the user".to_string(), true, true),
                    }
                }
                Next::Stop {
                    reason,
                    success,
                    finished,
                } => (reason, success, finished),
            };
            self.out.emit(EventKind::GiveUp { reason }).await;
            if !self.settings.interactive || finished {
                return RunEnd { success };
            }
            // Interactive: stay until the user reconnects or quits.
            if self.wait(None).await.is_some() {
                return RunEnd { success };
            }
        }
    }

    /// Announces an immediate reconnect the user asked for.
    async fn reconnect_now(&mut self, attempt: u32) {
        let now = Instant::now();
        self.out
            .emit(EventKind::Reconnect {
                attempt,
                delay_ms: 0,
                window_ms: [0, 0],
                due_t_ms: self.out.t_ms(now),
                rule: "reconnect requested by the user".into(),
            })
            .await;
    }

    /// Waits for the announced reconnect (or, with `None`, for a command);
    /// `None` means connect now.
    async fn wait(&mut self, mut pending: Option<Pending>) -> Option<Interrupt> {
        if self.control.paused
            && let Some(w) = pending.as_mut()
        {
            w.left_at_pause = w.due.map(|d| d.saturating_duration_since(Instant::now()));
            w.due = None;
        }
        loop {
            let due = pending.as_ref().and_then(|w| w.due);
            tokio::select! {
                biased;
                cmd = self.control.commands.recv() => {
                    match self.control.on_command(cmd, &mut self.out, pending.as_mut()).await {
                        Step::Quit(_) => return Some(Interrupt::Quit),
                        Step::ReconnectNow => {
                            // Connecting before the announced due time would break the
                            // contract: re-announce the same attempt with no delay.
                            if let Some(w) = &pending {
                                self.reconnect_now(w.attempt).await;
                            }
                            return None;
                        }
                        // Sending or closing needs an open connection.
                        Step::Continue | Step::Open(_) => {}
                    }
                }
                () = until(self.deadline) => return Some(Interrupt::Duration),
                () = until(due) => return None,
            }
        }
    }
}
