//! The fleet's aggregates, plain data: states second by second, attempts
//! per 100 ms, what ended the attempts, the mass closes and how the fleet
//! recovered from each, the lateness of attempts. [`FleetState::apply`]
//! folds one [`Fact`] in; nothing here does IO or reads the clock.

use std::time::Duration;

use super::fact::{ClientState, Ended, Fact, What};
use crate::engine::policy::{Class, Trigger};

/// The width of one storm bucket.
pub const BUCKET: Duration = Duration::from_millis(100);

/// Closes of open connections less than this apart belong to one burst (a
/// server closing ten thousand connections may take seconds to do it).
pub const BURST_SPAN: Duration = Duration::from_secs(1);

/// The lateness histogram's resolution and range.
const LATE_STEP_MS: f64 = 0.5;
const LATE_BUCKETS: usize = 4000;

/// One client, as the fleet views show it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ClientRow {
    /// Where it is.
    pub state: ClientState,
    /// Its current (or last) attempt.
    pub attempt: u32,
    /// How its last attempt ended.
    pub last: Option<Ended>,
    /// The mass close it is still recovering from.
    pub burst: Option<u32>,
    /// Its run ended without success.
    pub failed: bool,
}

/// What ended attempts: one trigger, with the code and class the engine gave it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cause {
    /// The facts of the first such close.
    pub ended: Ended,
    /// How many attempts ended this way.
    pub count: u64,
}

/// A mass close: many open connections closed, each less than
/// [`BURST_SPAN`] after the one before.
#[derive(Debug, Clone, PartialEq)]
pub struct Burst {
    /// When the first of them closed.
    pub start: Duration,
    /// How many connections it closed.
    pub clients: u32,
    /// For each client back open: how long after `start`.
    pub reopened: Vec<Duration>,
    /// Its clients whose run then ended without success.
    pub gave_up: u32,
    /// The most common ending among its closes.
    pub code: u16,
}

impl Burst {
    /// Time until `share` (0.5, 0.95, 1.0) of its clients were open again.
    pub fn recovery(&self, share: f64) -> Option<Duration> {
        let need = ((f64::from(self.clients) * share).ceil() as usize).max(1);
        let mut times = self.reopened.clone();
        times.sort();
        times.get(need - 1).copied()
    }
}

/// A burst being collected: its members until it is big enough to count.
#[derive(Debug, Clone, Default)]
struct Candidate {
    start: Duration,
    /// The latest close in it.
    last: Duration,
    members: Vec<u32>,
    promoted: Option<usize>,
}

/// Lateness of attempts against their announced due time.
#[derive(Debug, Clone)]
pub struct Lateness {
    buckets: Vec<u32>,
    /// Attempts later than the histogram's range.
    over: u32,
    /// The latest.
    pub max_ms: f64,
    /// How many were measured.
    pub count: u64,
}

impl Default for Lateness {
    fn default() -> Self {
        Self {
            buckets: vec![0; LATE_BUCKETS],
            over: 0,
            max_ms: 0.0,
            count: 0,
        }
    }
}

impl Lateness {
    fn add(&mut self, ms: f64) {
        let ms = ms.max(0.0);
        self.count += 1;
        self.max_ms = self.max_ms.max(ms);
        match self.buckets.get_mut((ms / LATE_STEP_MS) as usize) {
            Some(b) => *b += 1,
            None => self.over += 1,
        }
    }

    /// The `q` quantile (upper bound of its bucket), in milliseconds.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let need = ((self.count as f64) * q).ceil().max(1.0) as u64;
        let mut seen = 0u64;
        for (i, n) in self.buckets.iter().enumerate() {
            seen += u64::from(*n);
            if seen >= need {
                return Some(((i + 1) as f64 * LATE_STEP_MS).min(self.max_ms));
            }
        }
        Some(self.max_ms)
    }
}

/// Everything the fleet views show.
#[derive(Debug, Clone)]
pub struct FleetState {
    /// How many clients.
    pub clients: u32,
    /// Clients per state, indexed by [`ClientState::index`].
    pub counts: [u32; 5],
    /// One row per client.
    pub rows: Vec<ClientRow>,
    /// The charted counts at each whole second.
    pub samples: Vec<[u32; 4]>,
    /// Attempts started in each 100 ms.
    pub attempts: Vec<u32>,
    /// Attempts started in all.
    pub total_attempts: u64,
    /// Connections opened in all.
    pub opens: u64,
    /// Reconnects scheduled in all.
    pub reconnects: u64,
    /// What ended attempts, most common first.
    pub causes: Vec<Cause>,
    /// The mass closes, oldest first.
    pub bursts: Vec<Burst>,
    candidate: Option<Candidate>,
    /// Lateness of attempts against their due time.
    pub lateness: Lateness,
    /// Slowest handshake seen, in milliseconds.
    pub handshake_max_ms: f64,
    /// Clients whose run ended without success.
    pub failed: u32,
    /// The latest fleet time seen.
    pub now: Duration,
}

impl FleetState {
    /// No client started yet.
    pub fn new(clients: u32) -> Self {
        Self {
            clients,
            counts: [0, 0, 0, 0, clients],
            rows: vec![ClientRow::default(); clients as usize],
            samples: Vec::new(),
            attempts: Vec::new(),
            total_attempts: 0,
            opens: 0,
            reconnects: 0,
            causes: Vec::new(),
            bursts: Vec::new(),
            candidate: None,
            lateness: Lateness::default(),
            handshake_max_ms: 0.0,
            failed: 0,
            now: Duration::ZERO,
        }
    }

    /// Clients that must close together to make a mass close: 5 % of the fleet.
    pub fn burst_threshold(&self) -> usize {
        (self.clients as usize / 20).max(1)
    }

    /// The charted counts now (open, connecting, waiting, stopped).
    pub fn charted(&self) -> [u32; 4] {
        [
            self.counts[0],
            self.counts[1],
            self.counts[2],
            self.counts[3],
        ]
    }

    /// Time passed: records the counts at every whole second up to `t`.
    pub fn advance(&mut self, t: Duration) {
        self.now = self.now.max(t);
        while (self.samples.len() as u64) <= self.now.as_secs() {
            let c = self.charted();
            self.samples.push(c);
        }
    }

    /// Folds one fact in.
    pub fn apply(&mut self, fact: &Fact) {
        self.advance(fact.t);
        let Some(row) = self.rows.get(fact.client as usize).copied() else {
            return;
        };
        let mut row = row;
        match fact.what {
            What::Launched | What::GaveUp => {}
            What::Connecting { attempt, late_ms } => {
                row.attempt = attempt;
                self.total_attempts += 1;
                let b = (fact.t.as_millis() / BUCKET.as_millis()) as usize;
                if self.attempts.len() <= b {
                    self.attempts.resize(b + 1, 0);
                }
                self.attempts[b] += 1;
                if let Some(ms) = late_ms {
                    self.lateness.add(ms);
                }
            }
            What::Open { handshake_ms } => {
                self.opens += 1;
                self.handshake_max_ms = self.handshake_max_ms.max(handshake_ms);
                if let Some(b) = row.burst.take()
                    && let Some(burst) = self.bursts.get_mut(b as usize)
                {
                    burst.reopened.push(fact.t.saturating_sub(burst.start));
                }
            }
            What::Closed(ended) => {
                row.last = Some(ended);
                self.count_cause(ended);
                if ended.was_open && !ended.by_user() {
                    self.rows[fact.client as usize] = row;
                    self.burst_member(fact.client, fact.t, ended.code);
                    row = self.rows[fact.client as usize];
                }
            }
            What::Reconnect { .. } => self.reconnects += 1,
            What::Ended { success } => {
                if !success {
                    row.failed = true;
                    self.failed += 1;
                    if let Some(b) = row.burst
                        && let Some(burst) = self.bursts.get_mut(b as usize)
                    {
                        burst.gave_up += 1;
                    }
                }
            }
        }
        if let Some(state) = ClientState::after(&fact.what)
            && state != row.state
            && row.state != ClientState::Stopped
        {
            self.counts[row.state.index()] -= 1;
            self.counts[state.index()] += 1;
            row.state = state;
        }
        self.rows[fact.client as usize] = row;
    }

    fn count_cause(&mut self, ended: Ended) {
        let same = |c: &Cause| {
            c.ended.trigger == ended.trigger
                && c.ended.code == ended.code
                && c.ended.class == ended.class
        };
        if let Some(c) = self.causes.iter_mut().find(|c| same(c)) {
            c.count += 1;
        } else {
            self.causes.push(Cause { ended, count: 1 });
        }
        self.causes.sort_by_key(|c| std::cmp::Reverse(c.count));
    }

    fn burst_member(&mut self, client: u32, t: Duration, code: u16) {
        let threshold = self.burst_threshold();
        let fresh = self
            .candidate
            .as_ref()
            .is_none_or(|c| t.saturating_sub(c.last) > BURST_SPAN);
        if fresh {
            self.candidate = Some(Candidate {
                start: t,
                ..Candidate::default()
            });
        }
        let Some(cand) = self.candidate.as_mut() else {
            return;
        };
        cand.last = cand.last.max(t);
        if let Some(i) = cand.promoted {
            self.bursts[i].clients += 1;
            self.rows[client as usize].burst = Some(i as u32);
            return;
        }
        cand.members.push(client);
        if cand.members.len() >= threshold {
            let i = self.bursts.len();
            self.bursts.push(Burst {
                start: cand.start,
                clients: cand.members.len() as u32,
                reopened: Vec::new(),
                gave_up: 0,
                code,
            });
            for m in std::mem::take(&mut cand.members) {
                self.rows[m as usize].burst = Some(i as u32);
            }
            cand.promoted = Some(i);
        }
    }

    /// Attempts per 100 ms from 1 s before `burst` began until it fully
    /// recovered (plus 1 s), at most `max` buckets; the first bucket's
    /// start time comes with it.
    pub fn storm(&self, burst: &Burst, max: usize) -> (Duration, Vec<u32>) {
        let from = burst.start.saturating_sub(Duration::from_secs(1));
        let first = (from.as_millis() / BUCKET.as_millis()) as usize;
        let until = burst
            .recovery(1.0)
            .map_or(self.now, |r| burst.start + r + Duration::from_secs(1))
            .min(self.now);
        let last = (until.as_millis() / BUCKET.as_millis()) as usize + 1;
        let last = last.min(first.saturating_add(max)).min(self.attempts.len());
        let counts = self.attempts.get(first..last).unwrap_or_default().to_vec();
        (from, counts)
    }

    /// The highest attempt rate (per second) in `counts` of 100 ms buckets.
    pub fn peak_per_second(counts: &[u32]) -> u64 {
        u64::from(counts.iter().copied().max().unwrap_or(0)) * 10
    }

    /// Clients that stopped for good without success.
    pub fn gave_up(&self) -> u32 {
        self.failed
    }

    /// How many attempts ended with `trigger` (any code, any class).
    pub fn ended_by(&self, trigger: Trigger) -> u64 {
        self.causes
            .iter()
            .filter(|c| c.ended.trigger == trigger)
            .map(|c| c.count)
            .sum()
    }

    /// How many attempts ended in `class`.
    pub fn ended_in(&self, class: Class) -> u64 {
        self.causes
            .iter()
            .filter(|c| c.ended.class == class)
            .map(|c| c.count)
            .sum()
    }
}
