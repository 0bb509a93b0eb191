//! The fleet scenarios: `/deploy`, `/rolling` and `/capacity`. Their
//! connections belong to a group (one per path with its query), and the
//! group decides for all of them at once: a deploy closes every open
//! connection of the group, refuses handshakes for the restart downtime and
//! accepts again; a rolling restart closes one batch per phase; a capacity
//! group turns away handshakes beyond its maximum.
//!
//! Built for thousands of connections: a connection costs one small task
//! (no thread, no WebSocket library buffers), and a group wakes its
//! connections through one `watch` channel instead of a timer each.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::{Instant, sleep_until};

use super::Shared;
use super::http::Response;
use super::menu::retry_after_secs;
use super::scenario::Scenario;
use crate::duration::format_duration;

/// Every fleet group of one server, and what its handshakes looked like.
#[derive(Debug, Default)]
pub(super) struct Groups {
    by_path: Mutex<HashMap<String, Arc<Group>>>,
    /// Upgrades answered with 101, ever (every path).
    pub accepted: AtomicU64,
    /// Upgrades turned away with 503 (a deploy's downtime, a full capacity,
    /// the overload window), ever.
    pub refused: AtomicU64,
}

/// What kind of group, with its numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Deploy { code: u16 },
    Rolling { batches: u32, code: u16 },
    Capacity { max: u32 },
}

impl Kind {
    fn of(scenario: &Scenario) -> Option<Kind> {
        match *scenario {
            Scenario::Deploy { code } => Some(Kind::Deploy { code }),
            Scenario::Rolling { batches, code } => Some(Kind::Rolling { batches, code }),
            Scenario::Capacity { max } => Some(Kind::Capacity { max }),
            _ => None,
        }
    }
}

/// One wave of closes: its number, and the batch it closes (all when `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Wave {
    /// 1 for the first wave.
    pub n: u64,
    /// The rolling batch it closes.
    pub batch: Option<u32>,
}

/// The connections of one path.
#[derive(Debug)]
pub(super) struct Group {
    kind: Kind,
    path: String,
    started: Instant,
    /// Connections open now.
    open: AtomicU64,
    next_batch: AtomicU32,
    /// Milliseconds after `started` until which handshakes are refused.
    refuse_until_ms: AtomicU64,
    waves: watch::Sender<Wave>,
    /// Time between waves.
    phase: Duration,
}

/// A connection's place in its group; leaving the group when dropped.
#[derive(Debug)]
pub(super) struct Member {
    group: Arc<Group>,
    batch: u32,
}

impl Drop for Member {
    fn drop(&mut self) {
        self.group.open.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Member {
    /// The close code of this group's waves.
    pub fn code(&self) -> u16 {
        match self.group.kind {
            Kind::Deploy { code } | Kind::Rolling { code, .. } => code,
            Kind::Capacity { .. } => 1001,
        }
    }

    /// Waits for the next wave that closes this connection; never resolves
    /// for a capacity group.
    pub async fn closed_by_wave(&self, waves: &mut watch::Receiver<Wave>) -> Wave {
        loop {
            if waves.changed().await.is_err() {
                return std::future::pending().await;
            }
            let wave = *waves.borrow_and_update();
            if wave.batch.is_none_or(|b| b == self.batch) {
                return wave;
            }
        }
    }

    /// A receiver of the group's waves, from now on.
    pub fn waves(&self) -> watch::Receiver<Wave> {
        self.group.waves.subscribe()
    }

    /// What the connection is told when it opens.
    pub fn hello(&self) -> String {
        let g = &self.group;
        let next = g.next_wave_in(Instant::now(), g.phase_of());
        serde_json::json!({
            "type": "hello",
            "scenario": g.path,
            "batch": self.batch,
            "open": g.open.load(Ordering::SeqCst),
            "next_wave_in_ms": next.map(|d| d.as_millis() as u64),
        })
        .to_string()
    }
}

impl Group {
    fn phase_of(&self) -> Option<Duration> {
        match self.kind {
            Kind::Capacity { .. } => None,
            _ => Some(self.phase),
        }
    }

    fn next_wave_in(&self, now: Instant, phase: Option<Duration>) -> Option<Duration> {
        let phase = phase?.max(Duration::from_millis(1));
        let since = now.saturating_duration_since(self.started);
        let n = since.as_nanos() / phase.as_nanos() + 1;
        let at = phase.checked_mul(u32::try_from(n).ok()?)?;
        Some(at.saturating_sub(since))
    }
}

impl Groups {
    /// Lets a handshake for a fleet scenario in (with its membership) or
    /// turns it away with the answer to send and a note for the log.
    /// `Ok(None)` for every other scenario.
    pub(super) fn admit(
        &self,
        shared: &Shared,
        scenario: &Scenario,
    ) -> Result<Option<Member>, Response> {
        let Some(kind) = Kind::of(scenario) else {
            return Ok(None);
        };
        let group = self.group(shared, kind, scenario.path());
        let now_ms = group.started.elapsed().as_millis() as u64;
        let until = group.refuse_until_ms.load(Ordering::SeqCst);
        if until > now_ms {
            let left = Duration::from_millis(until - now_ms);
            let resp = Response::new(
                503,
                format!(
                    "no healthy upstream: {} is restarting (a deploy); back in {}.\n",
                    group.path,
                    format_duration(left)
                ),
            );
            return Err(resp);
        }
        let open = group.open.fetch_add(1, Ordering::SeqCst);
        if let Kind::Capacity { max } = kind
            && open >= u64::from(max)
        {
            group.open.fetch_sub(1, Ordering::SeqCst);
            let secs = retry_after_secs(shared.cfg.retry_after);
            let resp = Response::new(
                503,
                format!("at capacity: {max} connections are open; try again in {secs}s.\n"),
            )
            .header("Retry-After", secs.to_string());
            return Err(resp);
        }
        let batch = match kind {
            Kind::Rolling { batches, .. } => {
                group.next_batch.fetch_add(1, Ordering::Relaxed) % batches.max(1)
            }
            _ => 0,
        };
        Ok(Some(Member { group, batch }))
    }

    /// The group of `path`, made (with its wave timer) on first use.
    fn group(&self, shared: &Shared, kind: Kind, path: String) -> Arc<Group> {
        let mut groups = self.by_path.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(g) = groups.get(&path) {
            return g.clone();
        }
        let (waves, _) = watch::channel(Wave::default());
        let group = Arc::new(Group {
            kind,
            path: path.clone(),
            started: Instant::now(),
            open: AtomicU64::new(0),
            next_batch: AtomicU32::new(0),
            refuse_until_ms: AtomicU64::new(0),
            waves,
            phase: shared.cfg.phase,
        });
        if !matches!(kind, Kind::Capacity { .. }) {
            tokio::spawn(timer(
                group.clone(),
                shared.cfg.restart_downtime,
                shared.stop.clone(),
                shared.log.clone(),
            ));
        }
        groups.insert(path, group.clone());
        group
    }
}

/// Sends a group's waves, one per phase, until the server stops.
async fn timer(
    group: Arc<Group>,
    downtime: Duration,
    mut stop: watch::Receiver<bool>,
    log: tokio::sync::broadcast::Sender<String>,
) {
    let phase = group.phase.max(Duration::from_millis(10));
    let mut n: u64 = 0;
    loop {
        let at = group.started + phase * u32::try_from(n + 1).unwrap_or(u32::MAX);
        tokio::select! {
            biased;
            _ = stop.wait_for(|&s| s) => return,
            () = sleep_until(at) => {}
        }
        n += 1;
        let open = group.open.load(Ordering::SeqCst);
        let line = match group.kind {
            Kind::Deploy { code } => {
                let until = (group.started.elapsed() + downtime).as_millis() as u64;
                group.refuse_until_ms.store(until, Ordering::SeqCst);
                group.waves.send_replace(Wave { n, batch: None });
                format!(
                    "{} wave {n}: closing all {open} open connections with {code}; \
                     refusing handshakes for {}",
                    group.path,
                    format_duration(downtime)
                )
            }
            Kind::Rolling { batches, code } => {
                let batch = u32::try_from((n - 1) % u64::from(batches.max(1))).unwrap_or(0);
                group.waves.send_replace(Wave {
                    n,
                    batch: Some(batch),
                });
                format!(
                    "{} wave {n}: closing batch {} of {batches} with {code} ({open} open in all)",
                    group.path,
                    batch + 1
                )
            }
            Kind::Capacity { .. } => return,
        };
        let _ = log.send(line);
    }
}
