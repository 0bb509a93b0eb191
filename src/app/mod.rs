//! The TUI's state and its pure update function, Elm style: [`App`] is plain
//! data, [`update`] turns one [`Msg`] into state changes plus [`Effect`]s that
//! the event loop carries out. Nothing here touches the terminal or the clock.

mod conns;
mod editor;
mod facts;
mod filter;
mod handle;
mod inputs;
mod keys;
mod mode;
mod pretty;
mod prompts;
pub mod prose;
mod select;
mod severity;
mod state;
mod update;
mod viewer;
mod wake;

#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::time::{Duration, Instant, SystemTime};

use crossterm::event::KeyEvent;

pub use conns::{AttemptRow, Attempts, Ending, Totals};
pub use editor::{Edit, Editor};
pub use facts::hex_dump;
pub use filter::Filter;
pub use keys::{Action, HELP, REPLAY_HELP, action, replay_action};
pub use mode::{Clock, Composer, Input, Mode, Picker, Prompt, Purpose};
pub use pretty::pretty_json;
pub use severity::{Severity, severity};
pub use state::{
    CLOSE_CODES, ClosedAttempt, Connection, Countdown, DEFAULT_HISTORY, ErrorFact,
    MAX_REASON_BYTES, PanelScroll, Phase, SERIES_LEN, SPINNER_STEP, Stats, Timeline, View,
    error_fact,
};
pub use update::update;
pub use viewer::{Format, RowIndex, Viewer, rows_from};

use crate::engine::catalog::{self, Entry};
use crate::engine::event::CloseInfo;
use crate::engine::event::{Command, EngineEvent, EventKind};
use crate::engine::policy::{Class, Trigger};

/// The shortest time between two frames: at most 30 a second.
pub const FRAME: Duration = Duration::from_millis(33);

/// How long a ping may go unanswered before the status bar says so.
pub const PONG_LATE: Duration = Duration::from_secs(1);

/// One input to [`update`].
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// The engine reported an event.
    Engine(EngineEvent),
    /// The engine's event channel closed: it will report nothing more.
    EngineEnded,
    /// A key was pressed.
    Key(KeyEvent),
    /// Text was pasted (bracketed paste): text, never keys.
    Paste(String),
    /// The layout changed: the timeline now shows this many rows.
    Viewport {
        /// Rows of events visible.
        rows: u16,
    },
    /// The screen's size, for the viewer and the overlays.
    Screen {
        /// Columns.
        width: u16,
        /// Rows.
        height: u16,
    },
    /// The mouse wheel turned: down (positive) or up, in rows.
    Wheel(i8),
    /// The mouse wheel turned over the close panel.
    PanelWheel(i8),
    /// A click on the `row`-th row of the connections view's table (from 0).
    ClickAttempt {
        /// The row inside the table.
        row: usize,
    },
    /// A click on the timeline's `row`-th visible row (from 0).
    Click {
        /// The row inside the timeline.
        row: u16,
    },
    /// Something to tell the user (the result of an effect).
    Notice(String),
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
    /// Put these bytes on the clipboard (OSC 52).
    Copy(Vec<u8>),
    /// Write these bytes to a file.
    Write {
        /// The file, as typed.
        path: String,
        /// The content.
        bytes: Vec<u8>,
    },
    /// Remember a sent message for recall (appended to the history file).
    Remember(String),
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
#[expect(
    clippy::struct_excessive_bools,
    reason = "each bool is an independent fact the screen shows"
)]
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
    /// The engine's time zero on the wall clock (taken by the loop when the
    /// first event arrives).
    pub wall_zero: Option<SystemTime>,
    /// How times are shown.
    pub clock: Clock,
    /// The engine will report nothing more.
    pub engine_ended: bool,
    /// A one-off hint shown in the footer until the next key.
    pub notice: Option<String>,
    /// The timeline filter in force.
    pub filter: Option<Filter>,
    /// Pings and pongs are hidden.
    pub hide_noise: bool,
    /// Positions of the events shown while a filter or `hide_noise` is on
    /// (`None`: every event), oldest first.
    pub shown: Option<VecDeque<u64>>,
    /// One row per attempt, and the totals.
    pub attempts: Attempts,
    /// The screen's size.
    pub screen: (u16, u16),
    /// Messages sent earlier (this URL's, oldest first), for ↑ in the composer.
    pub recall: Vec<String>,
    /// The policy's ping timeout: the connection is declared dead after
    /// this long with nothing received.
    pub ping_timeout: Option<Duration>,
    /// When our last ping went out, while no pong has answered it.
    pub ping_unanswered: Option<Instant>,
    /// When anything was last received.
    pub last_rx: Option<Instant>,
    /// When the endpoint went down (the last close, or the first attempt
    /// before any open); `None` while open.
    pub down_since: Option<Instant>,
    /// The policy reconnects after a 1000 (`--reconnect-on-normal`).
    pub reconnect_on_normal: bool,
    /// Set while a recording plays instead of a live engine.
    pub replay: Option<ReplayView>,
    /// The file name `s` proposes (`wsprobe-<host>-<date>.jsonl`), set by the loop.
    pub save_name: String,
    /// How far the close panel is scrolled.
    pub close_scroll: PanelScroll,
}

/// Most messages kept for recall.
pub const RECALL_MAX: usize = 500;

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
                page: 10,
                pinned_end: 0,
            },
            mode: Mode::Normal,
            theme: 0,
            theme_count: theme_count.max(1),
            epoch: None,
            wall_zero: None,
            clock: Clock::Relative,
            engine_ended: false,
            notice: None,
            filter: None,
            hide_noise: false,
            shown: None,
            attempts: Attempts::default(),
            screen: (80, 24),
            recall: Vec::new(),
            ping_timeout: None,
            ping_unanswered: None,
            last_rx: None,
            down_since: None,
            reconnect_on_normal: false,
            replay: None,
            save_name: "wsprobe.jsonl".into(),
            close_scroll: PanelScroll::default(),
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

    /// The event the viewer shows, wherever it is kept.
    pub fn viewed(&self) -> Option<(&Viewer, &EngineEvent)> {
        let Mode::Viewer(v) = &self.mode else {
            return None;
        };
        let event = v.held.as_deref().or_else(|| self.timeline.get(v.pos))?;
        Some((v, event))
    }

    /// The close the close-code panel explains: the selected event when it is
    /// a close, otherwise the last close.
    pub fn close_view(&self) -> Option<ClosedAttempt> {
        let pos = self.selected()?;
        if let Some(EventKind::Close(info)) = self.timeline.get(pos).map(|e| &e.kind) {
            let attempt = self.attempt_of(pos);
            return Some(ClosedAttempt {
                pos,
                attempt,
                at: self.timeline.get(pos).and_then(|e| self.at(e.t)),
                info: info.clone(),
                error: self.error_before(pos),
            });
        }
        self.last_close.clone()
    }

    /// The attempt the event at `pos` belongs to (from the attempt rows).
    pub fn attempt_of(&self, pos: u64) -> u32 {
        let rows = &self.attempts.rows;
        let i = rows.partition_point(|r| r.pos <= pos);
        i.checked_sub(1)
            .and_then(|i| rows.get(i))
            .map_or(self.conn.attempt, |r| r.attempt)
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

    /// The class the engine gave the close just before `pos` (for a give-up
    /// line, which has none of its own).
    pub fn class_before(&self, pos: u64) -> Option<Class> {
        (pos.saturating_sub(4)..pos)
            .rev()
            .map_while(|p| self.timeline.get(p))
            .find_map(|e| match &e.kind {
                EventKind::Close(info) => Some(info.class),
                _ => None,
            })
    }

    /// The severity of how the run stands: the last close's, once the
    /// policy stopped or while it waits.
    pub fn outcome(&self) -> Option<Severity> {
        self.last_close.as_ref().map(|c| severity(c.info.class))
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
}
