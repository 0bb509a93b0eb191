//! Where events go: numbered, timed, and delivered to a channel (the TUI) or
//! straight into a sink from the engine's own task (the headless writers).

use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::engine::event::{EngineEvent, EventKind};
use crate::engine::settings::Observer;

/// Receives events synchronously inside the engine task.
pub trait EventSink: Send {
    /// Takes one event; an error means nobody listens any more and ends the run.
    fn event(&mut self, event: &EngineEvent) -> std::io::Result<()>;
    /// The engine is about to wait: make everything taken so far visible.
    fn flush(&mut self) -> std::io::Result<()>;
}

/// A channel or a sink.
pub(crate) enum Output {
    /// Events cross to another task (the TUI).
    Channel(mpsc::Sender<EngineEvent>),
    /// Events are written in the engine's task.
    Sink(Box<dyn EventSink>),
}

/// Numbers events and delivers them.
pub(crate) struct Emitter {
    output: Output,
    observer: Option<Observer>,
    seq: u64,
    start: Instant,
    closed: bool,
}

impl Emitter {
    /// An emitter whose clock starts at `start`.
    pub(crate) fn new(output: Output, start: Instant, observer: Option<Observer>) -> Self {
        Self {
            output,
            observer,
            seq: 0,
            start,
            closed: false,
        }
    }

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
        if let Some(observer) = &self.observer {
            (observer.0)(&event);
        }
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

/// Sleeps until `deadline`, or forever when there is none: one arm of a
/// `select!` that may or may not have a timer.
pub(crate) async fn until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}
