//! The connection task: connects, reports every event, applies the policy
//! between attempts, and carries out commands.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rustls::ClientConfig;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use url::Url;

use crate::engine::close_code;
use crate::engine::dial::{self, Failure};
use crate::engine::event::{CloseInfo, Command, EngineEvent, ErrorClass, EventKind, Initiator};
use crate::engine::policy::{Class, Decision, History, Outcome, Policy, Trigger};
use crate::engine::session;
use crate::engine::{target, tls};
use crate::usage::UsageError;

/// Everything the engine needs to run, already validated.
#[derive(Debug, Clone)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent switches from the command line"
)]
pub struct Settings {
    /// The ws:// or wss:// URL.
    pub url: Url,
    /// Extra request headers.
    pub headers: Vec<(String, String)>,
    /// Subprotocols offered.
    pub protocols: Vec<String>,
    /// Origin header.
    pub origin: Option<String>,
    /// Limit for one whole attempt (DNS, TCP, TLS, upgrade).
    pub connect_timeout: Duration,
    /// Largest message accepted.
    pub max_message_size: usize,
    /// Skip TLS verification.
    pub insecure: bool,
    /// Extra CA certificate (PEM).
    pub cacert: Option<PathBuf>,
    /// Texts sent after each open.
    pub send: Vec<String>,
    /// The reconnect policy (also holds ping interval and timeout).
    pub policy: Policy,
    /// Total attempts allowed.
    pub max_attempts: Option<u32>,
    /// Never reconnect automatically.
    pub no_reconnect: bool,
    /// End the run after this long.
    pub duration: Option<Duration>,
    /// Jitter seed.
    pub seed: Option<u64>,
    /// Show secrets instead of redacting them.
    pub show_secrets: bool,
    /// Stay alive after `give_up` and wait for commands (the TUI), instead of ending the run.
    pub interactive: bool,
}

impl Settings {
    /// Defaults for `url` (handy for tests and the demo).
    pub fn new(url: Url) -> Self {
        Self {
            url,
            headers: Vec::new(),
            protocols: Vec::new(),
            origin: None,
            connect_timeout: Duration::from_secs(10),
            max_message_size: 64 << 20,
            insecure: false,
            cacert: None,
            send: Vec::new(),
            policy: Policy::default(),
            max_attempts: None,
            no_reconnect: false,
            duration: None,
            seed: None,
            show_secrets: false,
            interactive: false,
        }
    }
}

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
pub fn spawn(settings: Settings) -> Result<EngineHandle, UsageError> {
    let (tx, events) = mpsc::channel(4096);
    start(settings, Output::Channel(tx), events)
}

/// Starts the engine writing every event into `sink` from its own task, with
/// no hand-off per event (the headless writers use this for speed). The
/// handle's `events` channel stays empty.
pub fn spawn_with_sink(
    settings: Settings,
    sink: Box<dyn EventSink>,
) -> Result<EngineHandle, UsageError> {
    let (_, events) = mpsc::channel(1);
    start(settings, Output::Sink(sink), events)
}

fn start(
    settings: Settings,
    output: Output,
    events: mpsc::Receiver<EngineEvent>,
) -> Result<EngineHandle, UsageError> {
    let tls = if settings.url.scheme() == "wss" {
        Some(tls::client_config(
            settings.insecure,
            settings.cacert.as_deref(),
        )?)
    } else {
        None
    };
    let (commands, rx) = mpsc::channel(64);
    let seed = settings.seed.unwrap_or_else(crate::simulate::random_seed);
    let now = Instant::now();
    let engine = Engine {
        deadline: settings.duration.map(|d| now + d),
        settings,
        tls,
        out: Emitter {
            output,
            seq: 0,
            start: now,
            closed: false,
        },
        commands: rx,
        rng: StdRng::seed_from_u64(seed),
        history: History::default(),
        paused: false,
    };
    let task = tokio::spawn(engine.run());
    Ok(EngineHandle {
        events,
        commands,
        task,
    })
}

/// Receives events synchronously inside the engine task.
pub trait EventSink: Send {
    /// Takes one event; an error means nobody listens any more and ends the run.
    fn event(&mut self, event: &EngineEvent) -> std::io::Result<()>;
    /// The engine is about to wait: make everything taken so far visible.
    fn flush(&mut self) -> std::io::Result<()>;
}

enum Output {
    Channel(mpsc::Sender<EngineEvent>),
    Sink(Box<dyn EventSink>),
}

/// Numbers events and delivers them.
pub(crate) struct Emitter {
    output: Output,
    seq: u64,
    start: Instant,
    closed: bool,
}

impl Emitter {
    /// Delivers one event; returns false once the receiver is gone.
    pub(crate) async fn emit(&mut self, kind: EventKind) -> bool {
        self.emit_at(kind, Instant::now()).await
    }

    /// [`Self::emit`] for something that happened at `at`.
    pub(crate) async fn emit_at(&mut self, kind: EventKind, at: Instant) -> bool {
        if self.closed {
            return false;
        }
        let event = EngineEvent {
            seq: self.seq,
            t: at.saturating_duration_since(self.start),
            kind,
        };
        self.seq += 1;
        let ok = match &mut self.output {
            Output::Channel(tx) => tx.send(event).await.is_ok(),
            Output::Sink(sink) => {
                // Frames come in bursts and are flushed when the burst ends;
                // everything else is shown at once.
                let frame = matches!(
                    event.kind,
                    EventKind::Message { .. } | EventKind::Ping { .. } | EventKind::Pong { .. }
                );
                sink.event(&event).is_ok() && (frame || sink.flush().is_ok())
            }
        };
        self.closed = !ok;
        ok
    }

    /// Makes delivered events visible (before the engine waits).
    pub(crate) fn flush(&mut self) {
        if let Output::Sink(sink) = &mut self.output
            && sink.flush().is_err()
        {
            self.closed = true;
        }
    }

    /// Whether the receiver has gone away.
    pub(crate) fn is_closed(&self) -> bool {
        self.closed
    }

    /// Milliseconds since the start for an instant.
    pub(crate) fn t_ms(&self, at: Instant) -> f64 {
        at.saturating_duration_since(self.start).as_secs_f64() * 1000.0
    }
}

/// Why an attempt ended without asking the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Interrupt {
    /// The user quit.
    Quit,
    /// `--duration` ran out.
    Duration,
    /// The user asked to reconnect now.
    ReconnectNow,
    /// The user closed the connection (no automatic reconnect follows).
    UserClose,
}

/// The end of one attempt.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AttemptEnd {
    /// What the policy is told.
    pub outcome: Outcome,
    /// Set when a command or the deadline ended it.
    pub interrupt: Option<Interrupt>,
}

/// A reconnect the policy scheduled: delay, window, rule.
type Scheduled = (Duration, (Duration, Duration), String);

/// The end of a wait between attempts.
enum WaitEnd {
    Connect,
    Interrupted(Interrupt),
}

struct Engine {
    settings: Settings,
    tls: Option<Arc<ClientConfig>>,
    out: Emitter,
    commands: mpsc::Receiver<Command>,
    rng: StdRng,
    history: History,
    paused: bool,
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
            // Set when the run itself is over (quit or --duration), as opposed
            // to a policy stop that an interactive user may still undo with `r`.
            let mut finished = matches!(end.interrupt, Some(Interrupt::Quit | Interrupt::Duration));
            let (reason, success) = match end.interrupt {
                Some(Interrupt::Quit) => ("quit by the user".to_string(), true),
                Some(Interrupt::Duration) => ("the --duration ran out".to_string(), true),
                Some(Interrupt::ReconnectNow) => {
                    self.reconnect_now(attempt + 1).await;
                    continue;
                }
                Some(Interrupt::UserClose) | None => match self.decide(&end, attempt) {
                    Ok((delay, window, rule)) => {
                        let due = Instant::now() + delay;
                        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
                        self.out
                            .emit(EventKind::Reconnect {
                                attempt: attempt + 1,
                                delay_ms: ms(delay),
                                window_ms: [ms(window.0), ms(window.1)],
                                due_t_ms: self.out.t_ms(due),
                                rule,
                            })
                            .await;
                        finished = true;
                        match self.wait(Some(due), attempt + 1).await {
                            WaitEnd::Connect => continue,
                            WaitEnd::Interrupted(Interrupt::Duration) => {
                                ("the --duration ran out".to_string(), true)
                            }
                            WaitEnd::Interrupted(_) => ("quit by the user".to_string(), true),
                        }
                    }
                    Err(stop) => stop,
                },
            };
            self.out.emit(EventKind::GiveUp { reason }).await;
            if !self.settings.interactive || finished {
                return RunEnd { success };
            }
            // Interactive: stay until the user reconnects or quits.
            match self.wait(None, attempt + 1).await {
                WaitEnd::Connect => {}
                WaitEnd::Interrupted(_) => return RunEnd { success },
            }
        }
    }

    /// Asks the policy; `Err` carries the give-up reason and whether it counts as success.
    fn decide(&mut self, end: &AttemptEnd, attempt: u32) -> Result<Scheduled, (String, bool)> {
        let decision = self
            .settings
            .policy
            .decide(&mut self.history, &end.outcome, &mut self.rng);
        match decision {
            Decision::Stop { class, reason } => Err((reason, class == Class::Done)),
            Decision::Reconnect { .. } if self.settings.no_reconnect => Err((
                format!(
                    "{}: automatic reconnect is off (--no-reconnect)",
                    end.outcome.trigger.describe()
                ),
                false,
            )),
            Decision::Reconnect { .. }
                if self.settings.max_attempts.is_some_and(|max| attempt >= max) =>
            {
                Err((
                    format!(
                        "{}: all {attempt} attempts allowed by --max-attempts were made",
                        end.outcome.trigger.describe()
                    ),
                    false,
                ))
            }
            Decision::Reconnect {
                delay,
                window,
                rule,
                ..
            } => Ok((delay, window, rule)),
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

    /// Waits until `due` (or, with `None`, for a command) before attempt
    /// `next`; handles pause and commands.
    async fn wait(&mut self, due: Option<Instant>, next: u32) -> WaitEnd {
        // A scheduled attempt has an announced due time that readers count on.
        let scheduled = due.is_some();
        let mut due = due;
        let mut remaining = None;
        if self.paused {
            remaining = due.map(|d| d.saturating_duration_since(Instant::now()));
            due = None;
        }
        loop {
            let timer = async {
                match due {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            let deadline = async {
                match self.deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                cmd = self.commands.recv() => match cmd {
                    None | Some(Command::Quit { .. }) => return WaitEnd::Interrupted(Interrupt::Quit),
                    Some(Command::ReconnectNow) => {
                        // Connecting before the announced due_t_ms would break the
                        // contract: re-announce the same attempt with no delay.
                        if scheduled {
                            self.reconnect_now(next).await;
                        }
                        return WaitEnd::Connect;
                    }
                    Some(Command::SetPaused(true)) if !self.paused => {
                        self.paused = true;
                        remaining = due.map(|d| d.saturating_duration_since(Instant::now()));
                        due = None;
                        self.out.emit(EventKind::Paused).await;
                    }
                    Some(Command::SetPaused(false)) if self.paused => {
                        self.paused = false;
                        due = remaining.take().map(|r| Instant::now() + r);
                        let due_t_ms = due.map(|d| self.out.t_ms(d));
                        self.out.emit(EventKind::Resumed { due_t_ms }).await;
                    }
                    // Sending or closing needs an open connection; nothing to do while waiting.
                    Some(_) => {}
                },
                () = deadline => return WaitEnd::Interrupted(Interrupt::Duration),
                () = timer => return WaitEnd::Connect,
            }
        }
    }

    /// One attempt: dial (bounded by the connect timeout), then the open session.
    async fn attempt(&mut self, attempt: u32) -> AttemptEnd {
        let began = Instant::now();
        let end_at = self.deadline;
        let deadline = async move {
            match end_at {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::pin!(deadline);
        // A block, so the dial's borrow of the settings ends before reporting.
        let result = {
            let dial = tokio::time::timeout(
                self.settings.connect_timeout,
                dial::dial(&self.settings, self.tls.as_ref()),
            );
            tokio::pin!(dial);
            loop {
                tokio::select! {
                    biased;
                    cmd = self.commands.recv() => match cmd {
                        None | Some(Command::Quit { .. }) => break Err(Some(Interrupt::Quit)),
                        Some(Command::ReconnectNow) => break Err(Some(Interrupt::ReconnectNow)),
                        // Pausing while connecting holds the reconnect that may follow.
                        Some(Command::SetPaused(p)) if p != self.paused => {
                            self.paused = p;
                            let kind = if p { EventKind::Paused } else { EventKind::Resumed { due_t_ms: None } };
                            self.out.emit(kind).await;
                        }
                        // Sending or closing needs an open connection.
                        Some(_) => {}
                    },
                    () = &mut deadline => break Err(Some(Interrupt::Duration)),
                    r = &mut dial => break Ok(r),
                }
            }
        };
        let opened = match result {
            Err(interrupt) => {
                let reason = if interrupt == Some(Interrupt::ReconnectNow) {
                    "reconnecting at the user's request before the handshake finished"
                } else {
                    "the run ended before the handshake finished"
                };
                self.emit_close(CloseInfo {
                    reason: reason.into(),
                    ..derived(1006, Initiator::Local)
                })
                .await;
                return AttemptEnd {
                    outcome: Outcome::failed(Trigger::User),
                    interrupt,
                };
            }
            Ok(Err(_elapsed)) => Err(Failure {
                class: ErrorClass::Timeout,
                message: format!(
                    "no WebSocket after {} (DNS, TCP, TLS and upgrade together); \
                     the host may drop packets, or raise --connect-timeout",
                    crate::duration::format_duration(self.settings.connect_timeout)
                ),
                http: None,
                retry_after: None,
                trigger: Trigger::Timeout,
                close_code: 1006,
            }),
            Ok(Ok(r)) => r,
        };
        match opened {
            Err(failure) => {
                self.out
                    .emit(EventKind::Error {
                        class: failure.class,
                        message: failure.message,
                        http: failure.http,
                        retry_after_ms: failure
                            .retry_after
                            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
                    })
                    .await;
                self.emit_close(derived(failure.close_code, Initiator::Local))
                    .await;
                AttemptEnd {
                    outcome: Outcome {
                        retry_after: failure.retry_after,
                        ..Outcome::failed(failure.trigger)
                    },
                    interrupt: None,
                }
            }
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
                    commands: &mut self.commands,
                    deadline: self.deadline,
                    paused: &mut self.paused,
                };
                s.run(opened.socket).await
            }
        }
    }

    async fn emit_close(&mut self, info: CloseInfo) {
        self.out.emit(EventKind::Close(info)).await;
    }
}

/// A close that no Close frame carried.
pub(crate) fn derived(code: u16, initiator: Initiator) -> CloseInfo {
    CloseInfo {
        code,
        name: close_code::name_of(code).to_string(),
        reason: String::new(),
        initiator,
        wire: false,
        clean: false,
        received_code: None,
    }
}
