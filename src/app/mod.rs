//! The TUI's state and its pure update function, Elm style: [`App`] is plain
//! data, [`update`] turns one [`Msg`] into state changes plus [`Effect`]s that
//! the event loop carries out. Nothing here touches the terminal or the clock.

mod keys;
mod prompts;
mod state;
mod update;

#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

use crossterm::event::KeyEvent;

pub use keys::{Action, HELP, REPLAY_HELP, action, replay_action};
pub use state::{
    CLOSE_CODES, ClosedAttempt, Connection, Countdown, DEFAULT_HISTORY, ErrorFact,
    MAX_REASON_BYTES, Phase, SERIES_LEN, SPINNER_STEP, Stats, Timeline, View, error_fact,
};
pub use update::update;

use crate::engine::catalog::{self, Entry};
use crate::engine::event::CloseInfo;
use crate::engine::event::{Command, EngineEvent, EventKind};
use crate::engine::policy::{Class, Trigger};

/// The shortest time between two frames: at most 30 a second.
pub const FRAME: Duration = Duration::from_millis(33);

/// One input to [`update`].
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// The engine reported an event.
    Engine(EngineEvent),
    /// The engine's event channel closed: it will report nothing more.
    EngineEnded,
    /// A key was pressed.
    Key(KeyEvent),
    /// The layout changed: the timeline now shows this many rows.
    Viewport {
        /// Rows of events visible.
        rows: u16,
    },
    /// Ctrl-C or SIGTERM: close with 1001 and quit.
    Shutdown,
}

/// Something the event loop must do for [`update`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Send this command to the engine.
    Send(Command),
    /// Leave the TUI (after sending any commands before it).
    Quit,
    /// Write the history kept so far to this file as a recording.
    Save(std::path::PathBuf),
    /// Steer the replay (only while replaying).
    Replay(ReplayControl),
}

/// What the replay keys ask of the player.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayControl {
    /// Pause, or play on.
    TogglePlay,
    /// Apply the next event only.
    Step,
    /// Play up to and including the next close.
    NextClose,
    /// Go back to the close before the current event.
    PreviousClose,
    /// Go to this run time.
    Goto(Duration),
}

/// What the footer shows while a recording plays (set by the player).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayView {
    /// The speed, as shown (`1×`, `max`).
    pub speed: String,
    /// Playing rather than paused.
    pub playing: bool,
    /// The run time reached.
    pub position: Duration,
    /// The whole recording has been read.
    pub finished: bool,
    /// A lasting remark (a cut-off last line).
    pub note: Option<String>,
}

/// What a one-line prompt is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptFor {
    /// `s`: the file to save the history to.
    Save,
    /// `g` in a replay: the run time to go to.
    Goto,
}

/// What has the keyboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// The main screen.
    Normal,
    /// The help overlay.
    Help,
    /// Choosing a close code and typing a reason.
    Picker {
        /// Index into [`CLOSE_CODES`].
        index: usize,
        /// The reason typed so far.
        reason: String,
    },
    /// Typing a text message.
    Composer {
        /// The text typed so far.
        text: String,
    },
    /// The full-screen catalog view of one code.
    Explain(Explained),
    /// Typing a file name or a time.
    Prompt {
        /// What the answer is for.
        purpose: PromptFor,
        /// The text typed so far.
        text: String,
    },
}

/// A catalog entry shown for a close, with what the engine decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Explained {
    /// The entry.
    pub entry: &'static Entry,
    /// What the policy was given.
    pub trigger: Trigger,
    /// What the policy concluded.
    pub class: Class,
}

impl Explained {
    /// The explanation of a close event.
    pub fn of(info: &CloseInfo) -> Self {
        Self {
            entry: catalog::for_close(info),
            trigger: info.trigger,
            class: info.class,
        }
    }
}

/// The whole TUI state.
#[derive(Debug, Clone)]
pub struct App {
    /// Every event kept.
    pub timeline: Timeline,
    /// The status bar's facts.
    pub conn: Connection,
    /// The pending reconnect.
    pub countdown: Option<Countdown>,
    /// Auto-reconnect is paused (as the engine confirmed).
    pub paused: bool,
    /// What the user asked for last; `p` toggles this, not the confirmed
    /// state, so two quick presses pause and resume rather than pause twice.
    pub pause_wanted: bool,
    /// Why the policy stopped, once it did.
    pub stopped: Option<String>,
    /// The last close, with what explains it.
    pub last_close: Option<ClosedAttempt>,
    /// Sparkline counters.
    pub stats: Stats,
    /// Scroll position and selection.
    pub view: View,
    /// What has the keyboard.
    pub mode: Mode,
    /// Index of the theme in use.
    pub theme: usize,
    /// How many themes `t` cycles through.
    pub theme_count: usize,
    /// The engine's time zero on our clock (the earliest `now - t` seen).
    pub epoch: Option<Instant>,
    /// The engine will report nothing more.
    pub engine_ended: bool,
    /// A one-off hint shown in the footer until the next key.
    pub notice: Option<String>,
    /// Set while a recording plays instead of a live engine.
    pub replay: Option<ReplayView>,
    /// The file name `s` proposes (`wsprobe-<host>-<date>.jsonl`), set by the loop.
    pub save_name: String,
}

impl App {
    /// A fresh state keeping at most `history` events.
    pub fn new(history: usize, theme_count: usize) -> Self {
        Self {
            timeline: Timeline::new(history),
            conn: Connection {
                phase: Phase::Starting,
                since: None,
                attempt: 0,
                url: String::new(),
                opened_at: None,
                subprotocol: None,
                insecure: false,
                last_rtt_ms: None,
            },
            countdown: None,
            paused: false,
            pause_wanted: false,
            stopped: None,
            last_close: None,
            stats: Stats::default(),
            view: View {
                follow: true,
                selected: 0,
                top: 0,
                expanded: false,
                page: 10,
            },
            mode: Mode::Normal,
            theme: 0,
            theme_count: theme_count.max(1),
            epoch: None,
            engine_ended: false,
            notice: None,
            replay: None,
            save_name: "wsprobe.jsonl".into(),
        }
    }

    /// When an event that happened at run time `t` happened on our clock.
    pub fn at(&self, t: Duration) -> Option<Instant> {
        self.epoch.and_then(|e| e.checked_add(t))
    }

    /// Run time at `now` (for the sparkline's current second).
    pub fn run_time(&self, now: Instant) -> Duration {
        self.epoch
            .map_or(Duration::ZERO, |e| now.saturating_duration_since(e))
    }

    /// The selected event's position: the newest while following.
    pub fn selected(&self) -> Option<u64> {
        let (first, end) = (self.timeline.first(), self.timeline.end());
        if first == end {
            None
        } else if self.view.follow {
            Some(end - 1)
        } else {
            Some(self.view.selected.clamp(first, end - 1))
        }
    }

    /// The first position to show in a timeline of `rows` rows when the
    /// selected event takes `detail` extra rows: the tail while following,
    /// otherwise `view.top` moved just enough to keep the selection (and its
    /// detail) in view without leaving empty rows below the newest event.
    pub fn window_start(&self, rows: u16, detail: u16) -> u64 {
        let (first, end) = (self.timeline.first(), self.timeline.end());
        let rows = u64::from(rows.max(1));
        let Some(sel) = self.selected() else {
            return first;
        };
        let extra = if self.view.expanded {
            u64::from(detail)
        } else {
            0
        };
        if self.view.follow {
            return end.saturating_sub(rows.saturating_sub(extra)).max(first);
        }
        let mut start = self.view.top.max(first);
        start = start.min(end.saturating_sub(rows.saturating_sub(extra)).max(first));
        if sel < start {
            start = sel;
        }
        if sel + 1 + extra > start + rows {
            start = (sel + 1 + extra).saturating_sub(rows).min(sel);
        }
        start
    }

    /// The close the close-code panel explains: the selected event when it is
    /// a close, otherwise the last close.
    pub fn close_view(&self) -> Option<ClosedAttempt> {
        let pos = self.selected()?;
        if let Some(EventKind::Close(info)) = self.timeline.get(pos).map(|e| &e.kind) {
            return Some(ClosedAttempt {
                pos,
                info: info.clone(),
                error: self.error_before(pos),
            });
        }
        self.last_close.clone()
    }

    /// The error reported in the same attempt just before the close at `pos`.
    pub fn error_before(&self, pos: u64) -> Option<ErrorFact> {
        // An attempt's error comes right before its close; a few steps back
        // is enough, and stopping at the attempt's start keeps errors of
        // earlier attempts out.
        (pos.saturating_sub(4)..pos)
            .rev()
            .map_while(|p| self.timeline.get(p))
            .take_while(|e| !matches!(e.kind, EventKind::Connecting { .. } | EventKind::Close(_)))
            .find_map(|e| error_fact(&e.kind))
    }

    /// What `e` explains: the selected close or error, else the last close,
    /// with the trigger and class the engine's policy gave it.
    pub fn explain_target(&self) -> Option<Explained> {
        let selected = self.selected().and_then(|p| self.timeline.get(p));
        if let Some(event) = selected {
            match &event.kind {
                EventKind::Close(info) => return Some(Explained::of(info)),
                // An error is explained by the close the engine derived from it.
                EventKind::Error { .. } => {
                    let pos = self.selected().unwrap_or(0);
                    let close = (pos + 1..pos + 4)
                        .map_while(|p| self.timeline.get(p))
                        .find_map(|e| match &e.kind {
                            EventKind::Close(info) => Some(info),
                            _ => None,
                        });
                    if let Some(info) = close {
                        return Some(Explained::of(info));
                    }
                }
                _ => {}
            }
        }
        self.close_view().map(|c| Explained::of(&c.info))
    }

    /// When the screen next changes by itself: the spinner while connecting
    /// or closing, the countdown while it runs. `None` means nothing on
    /// screen moves with time, so the loop needs no timer at all.
    pub fn next_wakeup(&self, now: Instant) -> Option<Instant> {
        let mut next: Option<Instant> = None;
        if matches!(self.conn.phase, Phase::Connecting | Phase::Closing) && !self.engine_ended {
            let since = self.conn.since.unwrap_or(now);
            let step = SPINNER_STEP.as_nanos();
            let elapsed = now.saturating_duration_since(since).as_nanos();
            let wait = step - elapsed % step;
            next = Some(now + Duration::from_nanos(u64::try_from(wait).unwrap_or(u64::MAX)));
        }
        if let Some(cd) = &self.countdown
            && !self.paused
            && !self.engine_ended
            && cd.due > now
        {
            let tick = (now + FRAME).min(cd.due);
            next = Some(next.map_or(tick, |n| n.min(tick)));
        }
        // The status bar's uptime changes once a second (once a minute past
        // an hour): wake exactly then, and no more often.
        if let (Phase::Open, Some(opened)) = (self.conn.phase, self.conn.opened_at)
            && !self.engine_ended
        {
            let up = now.saturating_duration_since(opened);
            let step = if up < Duration::from_secs(3600) {
                1
            } else {
                60
            };
            let tick = opened + Duration::from_secs((up.as_secs() / step + 1) * step);
            next = Some(next.map_or(tick, |n| n.min(tick)));
        }
        next
    }
}
