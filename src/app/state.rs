//! The TUI's plain data: the bounded event history, what the status bar and
//! the panels show, and the scroll position. Nothing here does IO or reads
//! the clock; times come in as `Instant`s.

use std::cell::Cell;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::engine::catalog::{self, Entry};
use crate::engine::event::{CloseInfo, Dir, EngineEvent, ErrorClass, EventKind, Payload};
use crate::engine::policy::Class;

/// How many events the TUI keeps unless `--history` says otherwise.
pub const DEFAULT_HISTORY: usize = 100_000;

/// Points kept for each sparkline: more than the widest panel shows.
pub const SERIES_LEN: usize = 240;

/// The codes the close picker offers, in order.
pub const CLOSE_CODES: [u16; 11] = [
    1000, 1001, 1002, 1003, 1008, 1010, 1011, 1012, 1013, 3000, 4000,
];

/// A close reason must fit in a control frame: 125 bytes minus the code.
pub const MAX_REASON_BYTES: usize = 123;

/// The event history: a ring buffer that forgets the oldest event when full.
///
/// Events are addressed by their absolute position (`0` is the first event
/// ever pushed), so a selection stays on the same event while older ones are
/// dropped.
///
/// Besides the event count it keeps the message text under [`TEXT_BUDGET`]
/// bytes, so a server sending large messages cannot make the history grow
/// to `cap` times the largest message.
#[derive(Debug, Clone)]
pub struct Timeline {
    events: VecDeque<EngineEvent>,
    cap: usize,
    dropped: u64,
    text_bytes: usize,
}

/// The most message text the history keeps (the newest event is always kept).
pub const TEXT_BUDGET: usize = 32 << 20;

fn text_bytes(event: &EngineEvent) -> usize {
    match &event.kind {
        EventKind::Message {
            payload: Payload::Text(t),
            ..
        } => t.len(),
        _ => 0,
    }
}

impl Timeline {
    /// An empty history keeping at most `cap` events (at least one).
    pub fn new(cap: usize) -> Self {
        Self {
            events: VecDeque::new(),
            cap: cap.max(1),
            dropped: 0,
            text_bytes: 0,
        }
    }

    /// Appends `event`, forgetting the oldest ones when over the count or
    /// the text budget.
    pub fn push(&mut self, event: EngineEvent) {
        self.push_keeping(event, None);
    }

    /// Like [`push`](Self::push), but hands back the event at position
    /// `keep` if it is forgotten (moved out, not copied: the viewer holds
    /// on to what it shows).
    pub fn push_keeping(&mut self, event: EngineEvent, keep: Option<u64>) -> Option<EngineEvent> {
        self.text_bytes += text_bytes(&event);
        self.events.push_back(event);
        let mut kept = None;
        while self.events.len() > 1
            && (self.events.len() > self.cap || self.text_bytes > TEXT_BUDGET)
        {
            if let Some(old) = self.events.pop_front() {
                self.text_bytes -= text_bytes(&old);
                if keep == Some(self.dropped) {
                    kept = Some(old);
                }
                self.dropped += 1;
            }
        }
        kept
    }

    /// Position of the oldest event kept.
    pub fn first(&self) -> u64 {
        self.dropped
    }

    /// One past the position of the newest event.
    pub fn end(&self) -> u64 {
        self.dropped + self.events.len() as u64
    }

    /// How many events were forgotten to stay within the limit.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Events kept.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// True before the first event.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The most events kept.
    pub fn capacity(&self) -> usize {
        self.cap
    }

    /// The event at absolute position `pos`, if it is still kept.
    pub fn get(&self, pos: u64) -> Option<&EngineEvent> {
        let idx = usize::try_from(pos.checked_sub(self.dropped)?).ok()?;
        self.events.get(idx)
    }
}

/// The connection's state, as the status bar names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Before the first event.
    Starting,
    /// An attempt is under way.
    Connecting,
    /// The WebSocket is open.
    Open,
    /// We asked to close and wait for the close to finish.
    Closing,
    /// The attempt ended; the policy's decision follows.
    Closed,
    /// Waiting for the next attempt.
    Waiting,
    /// No further attempt will be made.
    Stopped,
}

/// What the status bar shows about the current connection.
#[derive(Debug, Clone)]
pub struct Connection {
    /// The state.
    pub phase: Phase,
    /// When the state began (drives the spinner).
    pub since: Option<Instant>,
    /// The current or last attempt number.
    pub attempt: u32,
    /// The URL as the engine reported it (already redacted; not yet sanitized).
    pub url: String,
    /// When the current connection opened.
    pub opened_at: Option<Instant>,
    /// The negotiated subprotocol (untrusted).
    pub subprotocol: Option<String>,
    /// TLS checks are off.
    pub insecure: bool,
    /// The last round-trip time measured.
    pub last_rtt_ms: Option<f64>,
}

/// A pending reconnect, as the countdown panel shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Countdown {
    /// The attempt it will start.
    pub attempt: u32,
    /// The whole delay, for the gauge's ratio.
    pub delay: Duration,
    /// The window the delay was drawn from, in ms.
    pub window_ms: [u64; 2],
    /// The class and rule that decided.
    pub rule: String,
    /// When the attempt is due.
    pub due: Instant,
}

impl Countdown {
    /// Time left at `now` (zero once due).
    pub fn remaining(&self, now: Instant) -> Duration {
        self.due.saturating_duration_since(now)
    }

    /// Fraction of the delay still to wait, 0.0–1.0.
    pub fn ratio(&self, now: Instant) -> f64 {
        if self.delay.is_zero() {
            return 0.0;
        }
        (self.remaining(now).as_secs_f64() / self.delay.as_secs_f64()).clamp(0.0, 1.0)
    }
}

/// How far the close panel is scrolled, for the close it showed: another
/// close shows from its top.
#[derive(Debug, Clone, Default)]
pub struct PanelScroll {
    /// Position of the close scrolled.
    pos: u64,
    rows: u16,
    /// Rows that did not fit when the panel was last drawn (set by the view).
    pub overflow: Cell<u16>,
}

impl PanelScroll {
    /// The first row shown of the close at `pos`.
    pub fn rows_for(&self, pos: u64) -> u16 {
        if self.pos == pos {
            self.rows.min(self.overflow.get())
        } else {
            0
        }
    }

    /// Scrolls the close at `pos` by `delta` rows, within what does not fit.
    pub fn scroll(&mut self, pos: u64, delta: i64) {
        let at = i64::from(self.rows_for(pos)) + delta;
        self.pos = pos;
        self.rows = u16::try_from(at.clamp(0, i64::from(self.overflow.get()))).unwrap_or(0);
    }
}

/// Counters behind the sparklines, updated per event in O(1).
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Recent round-trip times in microseconds, oldest first.
    pub rtt_us: VecDeque<u64>,
    /// Messages per second of run time, oldest first; the last bucket is `rate_sec`.
    pub rate: VecDeque<u64>,
    /// The second of run time the last `rate` bucket counts.
    pub rate_sec: u64,
    /// Messages received.
    pub msgs_in: u64,
    /// Messages sent.
    pub msgs_out: u64,
}

impl Stats {
    /// Counts one message at run time `t`.
    pub fn count_message(&mut self, dir: Dir, t: Duration) {
        match dir {
            Dir::In => self.msgs_in += 1,
            Dir::Out => self.msgs_out += 1,
        }
        let sec = t.as_secs();
        if self.rate.is_empty() {
            self.rate_sec = sec;
            self.rate.push_back(0);
        }
        // Seconds without messages are zero buckets; a gap longer than the
        // series only needs as many zeros as the series holds.
        let gap = sec.saturating_sub(self.rate_sec).min(SERIES_LEN as u64);
        for _ in 0..gap {
            self.rate.push_back(0);
        }
        self.rate_sec = self.rate_sec.max(sec);
        while self.rate.len() > SERIES_LEN {
            self.rate.pop_front();
        }
        if let Some(last) = self.rate.back_mut() {
            *last += 1;
        }
    }

    /// Records a round-trip time.
    pub fn record_rtt(&mut self, rtt_ms: f64) {
        if self.rtt_us.len() == SERIES_LEN {
            self.rtt_us.pop_front();
        }
        self.rtt_us.push_back((rtt_ms.max(0.0) * 1000.0) as u64);
    }

    /// The last `n` per-second message counts up to run second `upto`
    /// (inclusive): seconds after the last message count as zero, seconds
    /// after `upto` (one still being counted) are left out.
    pub fn rate_series(&self, upto: u64, n: usize) -> Vec<u64> {
        let newer = usize::try_from(self.rate_sec.saturating_sub(upto)).unwrap_or(usize::MAX);
        let idle = usize::try_from(upto.saturating_sub(self.rate_sec))
            .unwrap_or(usize::MAX)
            .min(n);
        let kept = self.rate.len().saturating_sub(newer);
        let skip = kept.saturating_sub(n - idle);
        let mut out: Vec<u64> = self.rate.iter().take(kept).skip(skip).copied().collect();
        out.resize(out.len() + idle, 0);
        out
    }
}

/// The timeline's scroll position and selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View {
    /// Keep the newest event selected and in view.
    pub follow: bool,
    /// The selected event's position (when not following).
    pub selected: u64,
    /// The first row shown, kept so the view does not jump while moving.
    pub top: u64,
    /// Rows the timeline shows (from the last layout).
    pub page: u16,
    /// `timeline.end()` when the view stopped following: what came after
    /// it is new to the reader.
    pub pinned_end: u64,
}

/// A failure the engine reported before a close.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorFact {
    /// The class.
    pub class: ErrorClass,
    /// The engine's message (untrusted where it quotes the server).
    pub message: String,
    /// The HTTP status of a refused upgrade.
    pub http_status: Option<u16>,
}

/// A close with what explains it: the error before it, the catalog entry, and
/// the policy class.
#[derive(Debug, Clone, PartialEq)]
pub struct ClosedAttempt {
    /// Position of the close event.
    pub pos: u64,
    /// The attempt it ended.
    pub attempt: u32,
    /// When it closed, on our clock.
    pub at: Option<Instant>,
    /// The close itself.
    pub info: CloseInfo,
    /// The error that came before it in the same attempt.
    pub error: Option<ErrorFact>,
}

impl ClosedAttempt {
    /// The catalog entry that explains it, read from what the engine gave
    /// the policy (the handshake failure, the forbidden code, or the code).
    pub fn entry(&self) -> &'static Entry {
        catalog::for_close(&self.info)
    }

    /// The class the engine's policy concluded.
    pub fn class(&self) -> Class {
        self.info.class
    }
}

/// The error fact of an `Error` event.
pub fn error_fact(kind: &EventKind) -> Option<ErrorFact> {
    match kind {
        EventKind::Error {
            class,
            message,
            http,
            ..
        } => Some(ErrorFact {
            class: *class,
            message: message.clone(),
            http_status: http.as_ref().map(|h| h.status),
        }),
        _ => None,
    }
}

/// The time between spinner frames.
pub const SPINNER_STEP: Duration = Duration::from_millis(100);
