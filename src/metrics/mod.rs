//! `--metrics ADDR`: what the engine reported, counted for Prometheus. The
//! exposition (text format 0.0.4) is written by hand, no client library:
//! a handful of counters, one gauge and three histograms.
//!
//! Counting is done on the engine's facts (the close event's code, trigger
//! and class; the reconnect that follows it; the open's handshake time; a
//! pong's RTT), never recomputed. Every series carries the `instance`
//! label from `--instance`, so several watchers (one per machine) can be
//! told apart and summed in Prometheus.

mod expo;
mod serve;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

pub use serve::{MetricsServer, bind};

use crate::engine::emit::EventSink;
use crate::engine::event::{CloseInfo, EngineEvent, EventKind};
use crate::engine::policy::Class;

/// Upper bounds (seconds) of the handshake and RTT buckets.
pub const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// Upper bounds (seconds) of the time-down buckets.
pub const DOWN_BUCKETS: [f64; 10] = [0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0];

/// A histogram with fixed buckets, updated with atomics.
#[derive(Debug)]
pub struct Histogram {
    bounds: &'static [f64],
    counts: Vec<AtomicU64>,
    /// Sum in microseconds (seconds × 10⁶), so it can be an integer atomic.
    sum_us: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    /// An empty histogram over `bounds` (seconds, ascending).
    pub fn new(bounds: &'static [f64]) -> Self {
        Self {
            bounds,
            counts: bounds.iter().map(|_| AtomicU64::new(0)).collect(),
            sum_us: AtomicU64::new(0),
            count: AtomicU64::new(0),
        }
    }

    /// Counts one observation.
    pub fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        if let Some(i) = self.bounds.iter().position(|b| secs <= *b) {
            self.counts[i].fetch_add(1, Ordering::Relaxed);
        }
        self.sum_us.fetch_add(
            u64::try_from(d.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    /// Cumulative counts per bound, the total count and the sum in seconds.
    pub fn snapshot(&self) -> (Vec<(f64, u64)>, u64, f64) {
        let mut acc = 0;
        let buckets = self
            .bounds
            .iter()
            .zip(&self.counts)
            .map(|(b, c)| {
                acc += c.load(Ordering::Relaxed);
                (*b, acc)
            })
            .collect();
        let count = self.count.load(Ordering::Relaxed);
        let sum = self.sum_us.load(Ordering::Relaxed) as f64 / 1e6;
        (buckets, count, sum)
    }
}

/// A close, as counted: its code, the policy's trigger and class.
type CloseKey = (u16, String, &'static str);

/// Every metric of one wsprobe process.
#[derive(Debug)]
pub struct Metrics {
    /// The `instance` label.
    pub instance: String,
    /// How many clients the run has (1 for a single run).
    pub clients: u64,
    open: AtomicI64,
    attempts: AtomicU64,
    reconnects: [AtomicU64; 8],
    closes: Mutex<BTreeMap<CloseKey, u64>>,
    gave_up: AtomicU64,
    handshake: Histogram,
    rtt: Histogram,
    down: Histogram,
}

impl Metrics {
    /// Empty metrics labelled `instance`, for a run of `clients` clients.
    pub fn new(instance: &str, clients: u64) -> Self {
        Self {
            instance: instance.to_string(),
            clients,
            open: AtomicI64::new(0),
            attempts: AtomicU64::new(0),
            reconnects: Default::default(),
            closes: Mutex::new(BTreeMap::new()),
            gave_up: AtomicU64::new(0),
            handshake: Histogram::new(&LATENCY_BUCKETS),
            rtt: Histogram::new(&LATENCY_BUCKETS),
            down: Histogram::new(&DOWN_BUCKETS),
        }
    }

    /// An attempt started.
    pub fn attempt(&self) {
        self.attempts.fetch_add(1, Ordering::Relaxed);
    }

    /// An attempt opened after `handshake`; `down` is how long the client
    /// had been without a connection (since its previous close), if it had one.
    pub fn opened(&self, handshake: Duration, down: Option<Duration>) {
        self.open.fetch_add(1, Ordering::Relaxed);
        self.handshake.observe(handshake);
        if let Some(d) = down {
            self.down.observe(d);
        }
    }

    /// An attempt ended as the engine reported; `was_open` when it had opened.
    pub fn closed(&self, info: &CloseInfo, was_open: bool) {
        if was_open {
            self.open.fetch_sub(1, Ordering::Relaxed);
        }
        let key = (info.code, info.trigger.name(), info.class.key());
        let mut closes = self.closes.lock().unwrap_or_else(PoisonError::into_inner);
        *closes.entry(key).or_insert(0) += 1;
    }

    /// The policy decided to reconnect after a close of `class`.
    pub fn reconnect(&self, class: Class) {
        let i = Class::ALL.iter().position(|c| *c == class).unwrap_or(0);
        self.reconnects[i].fetch_add(1, Ordering::Relaxed);
    }

    /// A pong answered our ping after `rtt`.
    pub fn rtt(&self, rtt: Duration) {
        self.rtt.observe(rtt);
    }

    /// A client's run ended without success (it gave up on its own).
    pub fn gave_up(&self) {
        self.gave_up.fetch_add(1, Ordering::Relaxed);
    }

    /// The text exposition of every metric.
    pub fn render(&self) -> String {
        expo::render(self)
    }

    /// An engine observer for a single run: it keeps the one client's
    /// state (open or not, when it went down) between events.
    pub fn observer(self: &Arc<Self>) -> Box<dyn EventSink> {
        Box::new(Observer {
            metrics: Arc::clone(self),
            track: Track::default(),
        })
    }
}

/// Counts one run's events into the metrics, in the engine's task.
struct Observer {
    metrics: Arc<Metrics>,
    track: Track,
}

impl EventSink for Observer {
    fn event(&mut self, event: &EngineEvent) -> std::io::Result<()> {
        self.track.see(&self.metrics, event);
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One client's state between events, for the metrics that span events.
#[derive(Debug, Default, Clone, Copy)]
pub struct Track {
    open: bool,
    /// When it went down (run time of its close), until it opens again.
    down_since: Option<Duration>,
    /// The class of the last close, for the reconnect that follows it.
    last_class: Option<Class>,
}

impl Track {
    /// Counts `event` into `metrics`.
    pub fn see(&mut self, metrics: &Metrics, event: &EngineEvent) {
        match &event.kind {
            EventKind::Connecting { .. } => metrics.attempt(),
            EventKind::Open { handshake_ms, .. } => {
                let down = self.down_since.map(|d| event.t.saturating_sub(d));
                metrics.opened(Duration::from_secs_f64(handshake_ms / 1000.0), down);
                self.open = true;
                self.down_since = None;
            }
            EventKind::Close(info) => {
                metrics.closed(info, self.open);
                if self.open {
                    self.down_since = Some(event.t);
                }
                self.open = false;
                self.last_class = Some(info.class);
            }
            EventKind::Reconnect { .. } => {
                metrics.reconnect(self.last_class.unwrap_or(Class::Abnormal));
            }
            EventKind::Pong {
                rtt_ms: Some(rtt), ..
            } => metrics.rtt(Duration::from_secs_f64(rtt / 1000.0)),
            _ => {}
        }
    }
}

/// The `--instance` default: the host name, else `wsprobe`.
pub fn default_instance() -> String {
    let from_file = |p: &str| {
        std::fs::read_to_string(p)
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    from_file("/proc/sys/kernel/hostname")
        .or_else(|| from_file("/etc/hostname"))
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "wsprobe".to_string())
}
