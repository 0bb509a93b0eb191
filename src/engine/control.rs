//! Commands from the user, handled the same way in every phase of a run:
//! while dialling, while open and while waiting to reconnect.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::engine::emit::Emitter;
use crate::engine::event::{CloseInfo, Command, EventKind};
use crate::engine::policy::Outcome;

/// Why an attempt (or a wait) ended without asking the policy.
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

/// What a command asks of the phase that received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// Handled here (pause, resume), or nothing to do in this phase.
    Continue,
    /// End the run, closing with this code when open.
    Quit(u16),
    /// Drop what is under way and connect now.
    ReconnectNow,
    /// Only an open connection can do this (send, ping, close).
    Open(Command),
}

/// A reconnect the policy announced and the engine is waiting for.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    /// The attempt it starts.
    pub attempt: u32,
    /// When it is due, as announced; `None` while paused.
    pub due: Option<Instant>,
    /// The due time last announced.
    pub announced: Instant,
    /// Time that was left when a pause began.
    pub left_at_pause: Option<Duration>,
}

/// The command channel and the pause switch, shared by every phase.
pub(crate) struct Control {
    /// Requests from the TUI or the signal handlers.
    pub commands: mpsc::Receiver<Command>,
    /// Automatic reconnects are held.
    pub paused: bool,
}

impl Control {
    /// Handles one command (`None`: nobody can send any more, which means
    /// quit). Pausing and resuming are carried out here and reported; while
    /// waiting, `pending` is the announced reconnect, so a resume either keeps
    /// its due time or announces a new one — the screen and the JSON never
    /// disagree about when the next attempt is.
    pub(crate) async fn on_command(
        &mut self,
        cmd: Option<Command>,
        out: &mut Emitter,
        pending: Option<&mut Pending>,
    ) -> Step {
        match cmd {
            None => Step::Quit(1001),
            Some(Command::Quit { code }) => Step::Quit(code),
            Some(Command::ReconnectNow) => Step::ReconnectNow,
            Some(Command::SetPaused(p)) if p == self.paused => Step::Continue,
            Some(Command::SetPaused(true)) => {
                self.paused = true;
                if let Some(w) = pending {
                    w.left_at_pause = w.due.map(|d| d.saturating_duration_since(Instant::now()));
                    w.due = None;
                }
                out.emit(EventKind::Paused).await;
                Step::Continue
            }
            Some(Command::SetPaused(false)) => {
                self.paused = false;
                match pending {
                    Some(w) => resume_wait(w, out).await,
                    None => {
                        out.emit(EventKind::Resumed { due_t_ms: None }).await;
                    }
                }
                Step::Continue
            }
            Some(other) => Step::Open(other),
        }
    }
}

/// Resumes a paused wait: the announced due time stands while it is still
/// ahead; once it has passed, the time that was left when the pause began is
/// announced again as a new reconnect.
async fn resume_wait(w: &mut Pending, out: &mut Emitter) {
    let now = Instant::now();
    if w.announced > now {
        w.due = Some(w.announced);
        let due_t_ms = Some(out.t_ms(w.announced));
        out.emit(EventKind::Resumed { due_t_ms }).await;
        return;
    }
    let left = w.left_at_pause.take().unwrap_or(Duration::ZERO);
    let due = now + left;
    w.due = Some(due);
    w.announced = due;
    out.emit(EventKind::Resumed {
        due_t_ms: Some(out.t_ms(due)),
    })
    .await;
    out.emit(EventKind::Reconnect {
        attempt: w.attempt,
        delay_ms: ms(left),
        // Nothing was drawn: the delay is what was left.
        window_ms: [ms(left), ms(left)],
        due_t_ms: out.t_ms(due),
        rule: format!(
            "resumed after a pause: the {} that was left",
            crate::duration::format_duration(left)
        ),
    })
    .await;
}

/// Whole milliseconds, saturating.
pub(crate) fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
