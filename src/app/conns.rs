//! The story of the run, one row per connection attempt, kept up to date
//! event by event in O(1): when each attempt started, how long it stayed
//! open, its traffic, how it ended (as the close event says) and the delay
//! that followed; and the totals over the run.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use crate::engine::event::{Dir, EngineEvent, EventKind};
use crate::engine::policy::Class;

/// Rows kept at most; older attempts still count in the totals.
pub const MAX_ROWS: usize = 10_000;

/// How an attempt ended, from its close event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ending {
    /// The close code.
    pub code: u16,
    /// Its name.
    pub name: String,
    /// The class the engine's policy concluded.
    pub class: Class,
}

/// One connection attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRow {
    /// The attempt number.
    pub attempt: u32,
    /// Position of its `connecting` event in the timeline.
    pub pos: u64,
    /// Run time it started at.
    pub started: Duration,
    /// Run time it opened at, if it did.
    pub opened: Option<Duration>,
    /// Run time it ended at.
    pub ended: Option<Duration>,
    /// Messages received.
    pub msgs_in: u64,
    /// Messages sent.
    pub msgs_out: u64,
    /// Bytes received in messages.
    pub bytes_in: u64,
    /// Bytes sent in messages.
    pub bytes_out: u64,
    /// How it ended.
    pub ending: Option<Ending>,
    /// The reconnect delay that followed it.
    pub delay: Option<Duration>,
}

impl AttemptRow {
    /// How long it was open, up to `now` (run time) while it still is.
    pub fn open_for(&self, now: Duration) -> Option<Duration> {
        let opened = self.opened?;
        Some(self.ended.unwrap_or(now).saturating_sub(opened))
    }
}

/// Every attempt, and the totals.
#[derive(Debug, Clone, Default)]
pub struct Attempts {
    /// The newest [`MAX_ROWS`] attempts, oldest first.
    pub rows: VecDeque<AttemptRow>,
    /// Attempts started.
    pub started: u64,
    /// Open time of the attempts that ended.
    pub open_done: Duration,
    /// Time down in outages that ended.
    pub down_done: Duration,
    /// The longest outage that ended.
    pub longest_done: Duration,
    /// Close codes by count.
    pub codes: BTreeMap<u16, u64>,
    /// Run time the endpoint went down at (a close, or the first attempt
    /// before anything opened); `None` while open.
    pub down_since: Option<Duration>,
    /// Run time of the first event.
    pub first: Option<Duration>,
}

/// The totals at one moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Totals {
    /// Share of the run spent open, 0–100.
    pub uptime_pct: f64,
    /// Time spent down, the current outage included.
    pub down: Duration,
    /// Attempts after the first.
    pub reconnects: u64,
    /// The longest outage, the current one included.
    pub longest: Duration,
}

impl Attempts {
    /// Takes one event in (it is at `pos` in the timeline).
    pub fn on_event(&mut self, pos: u64, event: &EngineEvent) {
        let t = event.t;
        self.first.get_or_insert(t);
        match &event.kind {
            EventKind::Connecting { attempt, .. } => {
                self.started += 1;
                self.down_since.get_or_insert(t);
                if self.rows.len() == MAX_ROWS {
                    self.rows.pop_front();
                }
                self.rows.push_back(AttemptRow {
                    attempt: *attempt,
                    pos,
                    started: t,
                    opened: None,
                    ended: None,
                    msgs_in: 0,
                    msgs_out: 0,
                    bytes_in: 0,
                    bytes_out: 0,
                    ending: None,
                    delay: None,
                });
            }
            EventKind::Open { .. } => {
                if let Some(since) = self.down_since.take() {
                    let outage = t.saturating_sub(since);
                    self.down_done += outage;
                    self.longest_done = self.longest_done.max(outage);
                }
                if let Some(row) = self.rows.back_mut() {
                    row.opened = Some(t);
                }
            }
            EventKind::Message { dir, payload } => {
                if let Some(row) = self.rows.back_mut() {
                    let n = payload.len() as u64;
                    match dir {
                        Dir::In => {
                            row.msgs_in += 1;
                            row.bytes_in += n;
                        }
                        Dir::Out => {
                            row.msgs_out += 1;
                            row.bytes_out += n;
                        }
                    }
                }
            }
            EventKind::Close(info) => {
                *self.codes.entry(info.code).or_default() += 1;
                self.down_since.get_or_insert(t);
                if let Some(row) = self.rows.back_mut() {
                    row.ended = Some(t);
                    row.ending = Some(Ending {
                        code: info.code,
                        name: info.name.clone(),
                        class: info.class,
                    });
                    if let Some(open) = row.open_for(t) {
                        self.open_done += open;
                    }
                }
            }
            EventKind::Reconnect { delay_ms, .. } => {
                if let Some(row) = self.rows.back_mut() {
                    row.delay = Some(Duration::from_millis(*delay_ms));
                }
            }
            _ => {}
        }
    }

    /// The totals at run time `now`.
    pub fn totals(&self, now: Duration) -> Totals {
        let current_open = self
            .rows
            .back()
            .filter(|r| r.ended.is_none())
            .and_then(|r| r.open_for(now))
            .unwrap_or_default();
        let current_down = self
            .down_since
            .map_or(Duration::ZERO, |s| now.saturating_sub(s));
        let run = now.saturating_sub(self.first.unwrap_or(now));
        let open = self.open_done + current_open;
        Totals {
            uptime_pct: if run.is_zero() {
                0.0
            } else {
                (open.as_secs_f64() / run.as_secs_f64() * 100.0).min(100.0)
            },
            down: self.down_done + current_down,
            reconnects: self.started.saturating_sub(1),
            longest: self.longest_done.max(current_down),
        }
    }
}
