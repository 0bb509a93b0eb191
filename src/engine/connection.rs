//! The connection task: connects, reports every event, applies the policy
//! between attempts, and carries out commands.

use std::sync::Arc;
use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rustls::ClientConfig;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::engine::control::{Control, Interrupt, Pending, Step, ms};
use crate::engine::dial::{self, Failure};
use crate::engine::emit::{Emitter, EventSink, Output, until};
use crate::engine::error::EngineError;
use crate::engine::event::{CloseInfo, Command, EngineEvent, ErrorClass, EventKind, Initiator};
use crate::engine::policy::{Class, Decision, History, Outcome, Trigger, random_seed};
use crate::engine::session;
use crate::engine::settings::Settings;
use crate::engine::{target, tls};

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
    let (tx, events) = mpsc::channel(4096);
    start(settings, Output::Channel(tx), events)
}

/// Starts the engine writing every event into `sink` from its own task, with
/// no hand-off per event (the headless writers use this for speed). The
/// handle's `events` channel stays empty.
pub fn spawn_with_sink(
    settings: Settings,
    sink: Box<dyn EventSink>,
) -> Result<EngineHandle, EngineError> {
    let (_, events) = mpsc::channel(1);
    start(settings, Output::Sink(sink), events)
}

fn start(
    settings: Settings,
    output: Output,
    events: mpsc::Receiver<EngineEvent>,
) -> Result<EngineHandle, EngineError> {
    let tls = if settings.url.scheme() == "wss" {
        Some(tls::client_config(
            settings.insecure,
            settings.cacert.as_deref(),
        )?)
    } else {
        None
    };
    let (commands, rx) = mpsc::channel(64);
    let seed = settings.seed.unwrap_or_else(random_seed);
    let now = Instant::now();
    let engine = Engine {
        deadline: settings.duration.map(|d| now + d),
        settings,
        tls,
        out: Emitter::new(output, now),
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

/// The end of one attempt, before the policy has been asked.
#[derive(Debug, Clone)]
pub(crate) struct AttemptEnd {
    /// What the policy is told.
    pub outcome: Outcome,
    /// Set when a command or the deadline ended it.
    pub interrupt: Option<Interrupt>,
    /// How it closed; the engine adds the class and reports it.
    pub close: CloseInfo,
}

/// What follows a close: another attempt after a wait, or the end.
enum Next {
    Reconnect {
        delay: Duration,
        window: (Duration, Duration),
        rule: String,
    },
    Stop {
        reason: String,
        success: bool,
        /// The run is over (quit, --duration), not a policy stop that an
        /// interactive user may still undo with `r`.
        finished: bool,
    },
    /// The user asked to reconnect at once.
    Now,
}

struct Engine {
    settings: Settings,
    tls: Option<Arc<ClientConfig>>,
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
            if !self.out.emit(EventKind::Connecting { attempt, url }).await {
                return RunEnd { success: false };
            }
            let end = self.attempt(attempt).await;
            let (class, next) = self.decide(&end, attempt);
            tracing::debug!(
                trigger = %end.close.trigger.name(),
                class = class.key(),
                "the policy decided"
            );
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

    /// Asks the policy what follows `end`; the class it concluded goes into
    /// the close event. A run the user ended asks nothing.
    fn decide(&mut self, end: &AttemptEnd, attempt: u32) -> (Class, Next) {
        let user_class = || self.settings.policy.classify(Trigger::User);
        match end.interrupt {
            Some(Interrupt::Quit) => {
                return (
                    user_class(),
                    Next::Stop {
                        reason: "quit by the user".into(),
                        success: true,
                        finished: true,
                    },
                );
            }
            Some(Interrupt::Duration) => {
                return (
                    user_class(),
                    Next::Stop {
                        reason: "the --duration ran out".into(),
                        success: true,
                        finished: true,
                    },
                );
            }
            Some(Interrupt::ReconnectNow) => return (user_class(), Next::Now),
            Some(Interrupt::UserClose) | None => {}
        }
        let decision = self
            .settings
            .policy
            .decide(&mut self.history, &end.outcome, &mut self.rng);
        let class = decision.class();
        let stop = |reason: String, success: bool| Next::Stop {
            reason,
            success,
            finished: false,
        };
        let next = match decision {
            Decision::Stop { class, reason } => stop(reason, class == Class::Done),
            Decision::Reconnect { .. } if self.settings.no_reconnect => stop(
                format!(
                    "{}: automatic reconnect is off (--no-reconnect)",
                    end.outcome.trigger.describe()
                ),
                false,
            ),
            Decision::Reconnect { .. }
                if self.settings.max_attempts.is_some_and(|max| attempt >= max) =>
            {
                stop(
                    format!(
                        "{}: all {attempt} attempts allowed by --max-attempts were made",
                        end.outcome.trigger.describe()
                    ),
                    false,
                )
            }
            Decision::Reconnect {
                delay,
                window,
                rule,
                ..
            } => Next::Reconnect {
                delay,
                window,
                rule,
            },
        };
        (class, next)
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

    /// One attempt: dial (bounded by the connect timeout), then the open session.
    async fn attempt(&mut self, attempt: u32) -> AttemptEnd {
        let began = Instant::now();
        // A block, so the dial's borrow of the settings ends before reporting.
        let progress = dial::Progress::default();
        let result = {
            let dial = tokio::time::timeout(
                self.settings.connect_timeout,
                dial::dial_tracked(&self.settings, self.tls.as_ref(), &progress),
            );
            tokio::pin!(dial);
            loop {
                tokio::select! {
                    biased;
                    cmd = self.control.commands.recv() => {
                        match self.control.on_command(cmd, &mut self.out, None).await {
                            Step::Quit(_) => break Err(Interrupt::Quit),
                            Step::ReconnectNow => break Err(Interrupt::ReconnectNow),
                            // Sending or closing needs an open connection.
                            Step::Continue | Step::Open(_) => {}
                        }
                    }
                    () = until(self.deadline) => break Err(Interrupt::Duration),
                    r = &mut dial => break Ok(r),
                }
            }
        };
        let opened = match result {
            Err(interrupt) => {
                let reason = if interrupt == Interrupt::ReconnectNow {
                    "reconnecting at the user's request before the handshake finished"
                } else {
                    "the run ended before the handshake finished"
                };
                return AttemptEnd {
                    outcome: Outcome::failed(Trigger::User),
                    interrupt: Some(interrupt),
                    close: CloseInfo {
                        reason: reason.into(),
                        ..CloseInfo::derived(1006, Initiator::Local, Trigger::User)
                    },
                };
            }
            Ok(Err(_elapsed)) => Err(Failure {
                message: format!(
                    "no WebSocket after {}: {} stalled (DNS, TCP, TLS and upgrade \
                     share the time); the host may drop packets, or raise --connect-timeout",
                    crate::duration::format_duration(self.settings.connect_timeout),
                    progress.stage().describe()
                ),
                ..Failure::new(ErrorClass::Timeout, Trigger::Timeout, String::new())
            }),
            Ok(Ok(r)) => r,
        };
        match opened {
            Err(failure) => self.failed(failure).await,
            Ok(opened) => {
                self.out
                    .emit(EventKind::Open {
                        attempt,
                        status: 101,
                        subprotocol: opened.subprotocol.clone(),
                        handshake_ms: began.elapsed().as_secs_f64() * 1000.0,
                        headers: opened.headers.clone(),
                        insecure: self.settings.insecure,
                    })
                    .await;
                let mut s = session::Session {
                    settings: &self.settings,
                    out: &mut self.out,
                    control: &mut self.control,
                    deadline: self.deadline,
                };
                s.run(opened.socket).await
            }
        }
    }

    /// Reports a failed attempt; the close is derived from it.
    async fn failed(&mut self, failure: Failure) -> AttemptEnd {
        tracing::debug!(class = failure.class.as_str(), message = %failure.message, "attempt failed");
        self.out
            .emit(EventKind::Error {
                class: failure.class,
                message: failure.message,
                http: failure.http,
                retry_after_ms: failure.retry_after.map(ms),
            })
            .await;
        AttemptEnd {
            outcome: Outcome {
                retry_after: failure.retry_after,
                ..Outcome::failed(failure.trigger)
            },
            interrupt: None,
            close: CloseInfo::derived(failure.close_code, Initiator::Local, failure.trigger),
        }
    }
}
