//! The run's clock: the monotonic instant every event's `t` counts from,
//! paired with the wall-clock time read at the same moment, so a wall time
//! derived from `t` (the JSON `ts`) never disagrees with `t_ms`.

use std::time::{Duration, SystemTime};

use tokio::time::Instant;

/// When a run started, on both clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// The monotonic start: `t = 0`.
    pub start: Instant,
    /// The wall-clock time at `start`.
    pub wall: SystemTime,
}

impl Clock {
    /// Reads both clocks now, once.
    pub fn now() -> Self {
        Self {
            start: Instant::now(),
            wall: SystemTime::now(),
        }
    }

    /// The wall-clock time of run time `t`: the start's wall time plus the
    /// monotonic offset (never a second reading of the wall clock).
    pub fn wall_at(&self, t: Duration) -> SystemTime {
        self.wall + t
    }
}
