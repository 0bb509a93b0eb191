//! When the screen changes by itself, and the liveness countdown.

use std::time::{Duration, Instant};

use super::state::{Phase, SERIES_LEN, SPINNER_STEP};
use super::{App, FRAME, PONG_LATE};

impl App {
    /// Time left before the liveness check declares the connection dead,
    /// and how long our ping has waited, while a ping is unanswered for
    /// longer than [`PONG_LATE`].
    pub fn liveness(&self, now: Instant) -> Option<(Duration, Duration)> {
        let sent = self.ping_unanswered?;
        let waited = now.saturating_duration_since(sent);
        if self.conn.phase != Phase::Open || waited < PONG_LATE {
            return None;
        }
        let timeout = self.ping_timeout?;
        let last = self.last_rx.or(self.conn.opened_at)?;
        let dead_at = last + timeout;
        Some((waited, dead_at.saturating_duration_since(now)))
    }

    /// When the screen next changes by itself: the spinner while connecting
    /// or closing, the countdown while it runs. `None` means nothing on
    /// screen moves with time, so the loop needs no timer at all.
    pub fn next_wakeup(&self, now: Instant) -> Option<Instant> {
        let mut next: Option<Instant> = None;
        let mut at = |tick: Instant| next = Some(next.map_or(tick, |n: Instant| n.min(tick)));
        if matches!(self.conn.phase, Phase::Connecting | Phase::Closing) && !self.engine_ended {
            let since = self.conn.since.unwrap_or(now);
            let step = SPINNER_STEP.as_nanos();
            let elapsed = now.saturating_duration_since(since).as_nanos();
            let wait = step - elapsed % step;
            at(now + Duration::from_nanos(u64::try_from(wait).unwrap_or(u64::MAX)));
        }
        if let Some(cd) = &self.countdown
            && !self.paused
            && !self.engine_ended
            && cd.due > now
        {
            at((now + FRAME).min(cd.due));
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
            at(opened + Duration::from_secs((up.as_secs() / step + 1) * step));
        }
        // The message rate decays to zero when nothing arrives, stopped or
        // not: wake each second while a count is still in the series.
        if let (Some(epoch), false) = (self.epoch, self.stats.rate.is_empty()) {
            let sec = self.run_time(now).as_secs();
            if sec <= self.stats.rate_sec + SERIES_LEN as u64 {
                at(epoch + Duration::from_secs(sec + 1));
            }
        }
        // An unanswered ping: the status counts the wait in tenths.
        if let Some(sent) = self.ping_unanswered
            && self.conn.phase == Phase::Open
            && self.ping_timeout.is_some()
            && !self.engine_ended
        {
            let late = sent + PONG_LATE;
            at(if now < late { late } else { now + SPINNER_STEP });
        }
        next
    }
}
