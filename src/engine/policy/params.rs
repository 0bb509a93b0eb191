//! The numbers of the policy: per-class backoff parameters, the restart rule,
//! presets and code ranges.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Class;
use crate::duration::{Dur, format_duration};

/// How a delay is drawn inside its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Jitter {
    /// `[floor, floor + min(cap, base·2^k)]`.
    Full,
    /// `[t/2, t]` with `t = min(cap, base·2^k)`.
    Equal,
    /// No jitter at all: exactly `floor + min(cap, base·2^k)` (the window's
    /// low end equals its high end). Every client that met the same ending
    /// comes back at the same instant: the herd the jitter exists to avoid.
    None,
}

/// The numbers of one class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct ClassParams {
    /// Whether this class reconnects at all.
    pub reconnect: bool,
    /// The shortest delay (full jitter only).
    pub floor: Dur,
    /// The growth base: the jitter range is `base·2^k`.
    pub base: Dur,
    /// The largest jitter range.
    pub cap: Dur,
    /// Full or equal jitter.
    pub jitter: Jitter,
    /// Stop after this many consecutive retries of this class.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<u32>,
}

impl Default for ClassParams {
    fn default() -> Self {
        Self::stop()
    }
}

impl ClassParams {
    fn backoff(floor_ms: u64, base_ms: u64, cap_ms: u64, jitter: Jitter) -> Self {
        Self {
            reconnect: true,
            floor: Dur(Duration::from_millis(floor_ms)),
            base: Dur(Duration::from_millis(base_ms)),
            cap: Dur(Duration::from_millis(cap_ms)),
            jitter,
            max_retries: None,
        }
    }

    fn stop() -> Self {
        Self {
            reconnect: false,
            ..Self::backoff(1000, 1000, 60_000, Jitter::Full)
        }
    }

    /// The window after `k` consecutive failures.
    pub fn window(&self, k: u32) -> (Duration, Duration) {
        let grown = self
            .base
            .0
            .checked_mul(1u32.checked_shl(k.min(31)).unwrap_or(u32::MAX))
            .unwrap_or(Duration::MAX);
        let t = grown.min(self.cap.0);
        match self.jitter {
            Jitter::Full => (self.floor.0, self.floor.0.saturating_add(t)),
            Jitter::Equal => (t / 2, t),
            Jitter::None => {
                let at = self.floor.0.saturating_add(t);
                (at, at)
            }
        }
    }

    pub(crate) fn describe(&self, k: u32) -> String {
        match self.jitter {
            Jitter::Full => format!(
                "{} + full jitter over {}×2^{k}, cap {}",
                format_duration(self.floor.0),
                format_duration(self.base.0),
                format_duration(self.cap.0)
            ),
            Jitter::Equal => format!(
                "equal jitter over {}×2^{k}, cap {}",
                format_duration(self.base.0),
                format_duration(self.cap.0)
            ),
            Jitter::None => format!(
                "{} + {}×2^{k}, cap {}, no jitter",
                format_duration(self.floor.0),
                format_duration(self.base.0),
                format_duration(self.cap.0)
            ),
        }
    }
}

/// The service-restart rule: a uniform first delay, then another class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct RestartParams {
    /// Whether a restart reconnects at all.
    pub reconnect: bool,
    /// Low end of the uniform first delay.
    pub first_low: Dur,
    /// High end of the uniform first delay.
    pub first_high: Dur,
    /// The class that continues when the first retry fails too.
    pub then: Class,
    /// The failure count that class starts from.
    pub then_k: u32,
}

impl Default for RestartParams {
    fn default() -> Self {
        Self {
            reconnect: true,
            first_low: Dur(Duration::from_secs(1)),
            first_high: Dur(Duration::from_secs(5)),
            then: Class::GoingAway,
            then_k: 1,
        }
    }
}

/// The per-class numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Classes {
    /// 1000 and user closes.
    pub done: ClassParams,
    /// 1001, server 1005.
    pub going_away: ClassParams,
    /// 1006, 1014, transport failures, HTTP 5xx but 503.
    pub abnormal: ClassParams,
    /// 1012.
    pub service_restart: RestartParams,
    /// 1013, HTTP 429/503.
    pub try_again_later: ClassParams,
    /// 1011.
    pub server_error: ClassParams,
    /// Protocol and configuration errors.
    pub fatal: ClassParams,
    /// 1008, HTTP 401/403.
    pub auth: ClassParams,
}

impl Default for Classes {
    fn default() -> Self {
        Self {
            done: ClassParams::stop(),
            going_away: ClassParams::backoff(500, 1000, 30_000, Jitter::Full),
            abnormal: ClassParams::backoff(1000, 1000, 60_000, Jitter::Full),
            service_restart: RestartParams::default(),
            try_again_later: ClassParams::backoff(0, 1000, 120_000, Jitter::Equal),
            server_error: ClassParams {
                max_retries: Some(5),
                ..ClassParams::backoff(2000, 2000, 60_000, Jitter::Full)
            },
            fatal: ClassParams::stop(),
            auth: ClassParams::stop(),
        }
    }
}

impl Classes {
    /// The same numbers with the jitter taken out: every backoff class waits
    /// exactly the top of its window, and a service restart waits exactly
    /// its first low (the `no-jitter` preset).
    #[must_use]
    pub fn without_jitter(&self) -> Classes {
        let mut c = self.clone();
        for params in [
            &mut c.done,
            &mut c.going_away,
            &mut c.abnormal,
            &mut c.try_again_later,
            &mut c.server_error,
            &mut c.fatal,
            &mut c.auth,
        ] {
            if params.jitter == Jitter::Equal {
                // Equal jitter has no floor: its top is `t` itself.
                params.floor = Dur(Duration::ZERO);
            }
            params.jitter = Jitter::None;
        }
        c.service_restart.first_high = c.service_restart.first_low;
        c
    }

    /// The numbers of a backoff class (service restart uses its `then` class).
    pub fn params(&self, class: Class) -> &ClassParams {
        match class {
            Class::Done => &self.done,
            Class::GoingAway | Class::ServiceRestart => &self.going_away,
            Class::Abnormal => &self.abnormal,
            Class::TryAgainLater => &self.try_again_later,
            Class::ServerError => &self.server_error,
            Class::Fatal => &self.fatal,
            Class::Auth => &self.auth,
        }
    }
}

/// Named sets of code mappings for well-known protocols.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    /// The `graphql-transport-ws` protocol (graphql-ws).
    GraphqlWs,
    /// The Discord gateway.
    Discord,
    /// No jitter in any class (each window's low end equals its high end):
    /// shows the thundering herd that jitter prevents. Maps no codes.
    NoJitter,
}

impl Preset {
    /// The codes this preset maps, with their class.
    pub fn mappings(self) -> &'static [(u16, Class)] {
        match self {
            Preset::GraphqlWs => &[
                (4004, Class::Fatal),
                (4005, Class::Fatal),
                (4400, Class::Fatal),
                (4401, Class::Auth),
                (4403, Class::Abnormal),
                (4406, Class::Fatal),
                (4408, Class::Abnormal),
                (4409, Class::Fatal),
                (4429, Class::Fatal),
                (4499, Class::Abnormal),
                (4500, Class::Fatal),
                (4504, Class::Abnormal),
            ],
            Preset::Discord => &[
                (4000, Class::Abnormal),
                (4001, Class::Abnormal),
                (4002, Class::Abnormal),
                (4003, Class::Abnormal),
                (4004, Class::Auth),
                (4005, Class::Abnormal),
                (4007, Class::Abnormal),
                (4008, Class::TryAgainLater),
                (4009, Class::Abnormal),
                (4010, Class::Fatal),
                (4011, Class::Fatal),
                (4012, Class::Fatal),
                (4013, Class::Fatal),
                (4014, Class::Fatal),
            ],
            Preset::NoJitter => &[],
        }
    }

    /// Every preset, in the order help texts list them.
    pub const ALL: [Preset; 3] = [Preset::GraphqlWs, Preset::Discord, Preset::NoJitter];

    /// The preset named `key` (`graphql-ws`, `discord`, `no-jitter`).
    pub fn from_key(key: &str) -> Option<Preset> {
        Self::ALL.into_iter().find(|p| p.key() == key.trim())
    }

    /// The classes as this preset changes them: `no-jitter` takes the
    /// jitter out; the others only map codes and leave the numbers alone.
    pub fn apply(self, classes: &Classes) -> Classes {
        match self {
            Preset::NoJitter => classes.without_jitter(),
            Preset::GraphqlWs | Preset::Discord => classes.clone(),
        }
    }

    /// The preset's name as written in files and flags.
    pub fn key(self) -> &'static str {
        match self {
            Preset::GraphqlWs => "graphql-ws",
            Preset::Discord => "discord",
            Preset::NoJitter => "no-jitter",
        }
    }
}

/// A range of close codes in a mapping (`4000` or `4000-4099`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CodeRange {
    /// First code, inclusive.
    pub lo: u16,
    /// Last code, inclusive.
    pub hi: u16,
}

impl CodeRange {
    /// Parses `4000` or `4000-4099`.
    pub fn parse(s: &str) -> Option<CodeRange> {
        let (lo, hi) = if let Some((a, b)) = s.split_once('-') {
            (a.trim().parse().ok()?, b.trim().parse().ok()?)
        } else {
            let c = s.trim().parse().ok()?;
            (c, c)
        };
        (lo <= hi).then_some(CodeRange { lo, hi })
    }

    pub(crate) fn contains(self, code: u16) -> bool {
        (self.lo..=self.hi).contains(&code)
    }

    pub(crate) fn width(self) -> u16 {
        self.hi - self.lo
    }
}

impl fmt::Display for CodeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.lo == self.hi {
            write!(f, "{}", self.lo)
        } else {
            write!(f, "{}-{}", self.lo, self.hi)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_jitter_collapses_every_window() {
        let classes = Preset::NoJitter.apply(&Classes::default());
        for class in Class::ALL {
            let p = classes.params(class);
            for k in 0..4 {
                let (lo, hi) = p.window(k);
                assert_eq!(lo, hi, "{class} k={k}");
            }
        }
        // Full jitter waits the top of its old window; equal jitter its `t`.
        let d = Classes::default();
        assert_eq!(classes.abnormal.window(1).0, d.abnormal.window(1).1);
        assert_eq!(
            classes.try_again_later.window(2).0,
            d.try_again_later.window(2).1
        );
        let r = &classes.service_restart;
        assert_eq!(r.first_low, r.first_high);
        assert!(classes.going_away.describe(1).contains("no jitter"));
    }

    #[test]
    fn presets_have_keys_both_ways() {
        for p in Preset::ALL {
            assert_eq!(Preset::from_key(p.key()), Some(p));
        }
        assert_eq!(Preset::from_key("nope"), None);
        assert_eq!(
            Preset::GraphqlWs.apply(&Classes::default()),
            Classes::default()
        );
    }
}
