//! The reconnect policy: a pure function from "what ended the connection" and
//! the attempt history to a decision (stop, or reconnect after a delay), with
//! the rule and the window that produced it so the UI can show both.
//!
//! Jitter comes from an injected RNG, so a seed makes every schedule
//! reproducible. Every number and mapping lives in [`Policy`], which a TOML
//! file can change (see [`crate::engine::policy_file`]).

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::duration::{Dur, format_duration};

/// The policy classes of SPEC §4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// The session is over on purpose: stop.
    Done,
    /// The server is draining or shutting down: reconnect soon.
    GoingAway,
    /// The transport failed: reconnect with backoff.
    Abnormal,
    /// The server restarts: a short uniform first delay.
    ServiceRestart,
    /// The server is overloaded: back off with a guaranteed minimum.
    TryAgainLater,
    /// The server crashed on something: bounded retries.
    ServerError,
    /// Retrying sends the same bytes and fails again: stop, fix first.
    Fatal,
    /// Credentials or permissions: stop.
    Auth,
}

impl Class {
    /// Every class, in table order.
    pub const ALL: [Class; 8] = [
        Class::Done,
        Class::GoingAway,
        Class::Abnormal,
        Class::ServiceRestart,
        Class::TryAgainLater,
        Class::ServerError,
        Class::Fatal,
        Class::Auth,
    ];

    /// The key used in policy files (`going-away`).
    pub fn key(self) -> &'static str {
        match self {
            Class::Done => "done",
            Class::GoingAway => "going-away",
            Class::Abnormal => "abnormal",
            Class::ServiceRestart => "service-restart",
            Class::TryAgainLater => "try-again-later",
            Class::ServerError => "server-error",
            Class::Fatal => "fatal",
            Class::Auth => "auth",
        }
    }

    /// The label people read (`going away`).
    pub fn label(self) -> &'static str {
        match self {
            Class::Done => "done",
            Class::GoingAway => "going away",
            Class::Abnormal => "abnormal",
            Class::ServiceRestart => "service restart",
            Class::TryAgainLater => "try again later",
            Class::ServerError => "server error",
            Class::Fatal => "fatal",
            Class::Auth => "auth",
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What ended a connection attempt, as far as the policy cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Trigger {
    /// A close code from the server: on the wire, or derived (1005, 1006).
    Code(u16),
    /// The user (or `--duration`) ended the connection.
    User,
    /// The upgrade was answered with this HTTP status instead of 101.
    Http(u16),
    /// The host name did not resolve.
    Dns,
    /// The TCP connection was refused.
    Refused,
    /// The connect or handshake timed out.
    Timeout,
    /// TLS failed (derived 1015).
    Tls,
    /// The reply to the upgrade was not HTTP at all.
    NotHttp,
    /// The connection went silent past the ping timeout (derived 1006).
    Liveness,
    /// The server broke the protocol (a forbidden close code, a bad frame, bad UTF-8).
    Violation,
    /// A message exceeded the size limit (wsprobe closed with 1009).
    Capacity,
}

impl Trigger {
    /// The key of this trigger in a policy file's `[failures]` table, or the
    /// code number for close codes.
    pub fn key(self) -> String {
        match self {
            Trigger::Code(c) => c.to_string(),
            Trigger::User => "user".into(),
            Trigger::Http(s) => format!("http-{s}"),
            Trigger::Dns => "dns".into(),
            Trigger::Refused => "refused".into(),
            Trigger::Timeout => "timeout".into(),
            Trigger::Tls => "tls".into(),
            Trigger::NotHttp => "not-http".into(),
            Trigger::Liveness => "liveness".into(),
            Trigger::Violation => "protocol-violation".into(),
            Trigger::Capacity => "capacity".into(),
        }
    }

    /// Parses a `[failures]` key (`http-503`, `dns`, …); close codes are not failures.
    pub fn parse_failure(key: &str) -> Option<Trigger> {
        Some(match key {
            "user" => Trigger::User,
            "dns" => Trigger::Dns,
            "refused" => Trigger::Refused,
            "timeout" => Trigger::Timeout,
            "tls" => Trigger::Tls,
            "not-http" => Trigger::NotHttp,
            "liveness" => Trigger::Liveness,
            "protocol-violation" => Trigger::Violation,
            "capacity" => Trigger::Capacity,
            _ => {
                let status: u16 = key.strip_prefix("http-")?.parse().ok()?;
                if (100..=599).contains(&status) && status != 101 {
                    Trigger::Http(status)
                } else {
                    return None;
                }
            }
        })
    }

    /// A short description for rules and stop reasons (`close 1012`, `HTTP 503`).
    pub fn describe(self) -> String {
        match self {
            Trigger::Code(c) => format!("close {c}"),
            Trigger::User => "closed by the user".into(),
            Trigger::Http(s) => format!("HTTP {s}"),
            Trigger::Dns => "DNS failure".into(),
            Trigger::Refused => "connection refused".into(),
            Trigger::Timeout => "connect timeout".into(),
            Trigger::Tls => "TLS failure".into(),
            Trigger::NotHttp => "reply was not HTTP".into(),
            Trigger::Liveness => "no frames within the ping timeout".into(),
            Trigger::Violation => "protocol violation by the server".into(),
            Trigger::Capacity => "message over the size limit".into(),
        }
    }
}

/// The class the built-in defaults give a trigger (SPEC §4), before presets
/// and policy files.
pub fn default_class(trigger: Trigger, reconnect_on_normal: bool) -> Class {
    match trigger {
        Trigger::User => Class::Done,
        Trigger::Code(1000) if reconnect_on_normal => Class::GoingAway,
        Trigger::Code(code) => match code {
            1000 => Class::Done,
            1001 | 1005 => Class::GoingAway,
            1008 | 3000 | 3003 => Class::Auth,
            1011 => Class::ServerError,
            1012 => Class::ServiceRestart,
            1013 => Class::TryAgainLater,
            // 3008 and every other application code not mapped above.
            1006 | 1014 | 3000..=4999 => Class::Abnormal,
            // 1002, 1003, 1007, 1009, 1010, 1015 and everything that may not be sent.
            _ => Class::Fatal,
        },
        Trigger::Http(status) => match status {
            401 | 403 => Class::Auth,
            429 | 503 => Class::TryAgainLater,
            500..=599 => Class::Abnormal,
            _ => Class::Fatal,
        },
        Trigger::Dns | Trigger::Refused | Trigger::Timeout | Trigger::Liveness => Class::Abnormal,
        Trigger::Tls | Trigger::NotHttp | Trigger::Violation | Trigger::Capacity => Class::Fatal,
    }
}

/// How a delay is drawn inside its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Jitter {
    /// `[floor, floor + min(cap, base·2^k)]`.
    Full,
    /// `[t/2, t]` with `t = min(cap, base·2^k)`.
    Equal,
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
        }
    }

    fn describe(&self, k: u32) -> String {
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
        }
    }

    /// The preset's name as written in files and flags.
    pub fn key(self) -> &'static str {
        match self {
            Preset::GraphqlWs => "graphql-ws",
            Preset::Discord => "discord",
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

    fn contains(self, code: u16) -> bool {
        (self.lo..=self.hi).contains(&code)
    }

    fn width(self) -> u16 {
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

/// The whole reconnect policy: numbers, mappings and liveness settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// A connection must stay open this long (and receive a frame) to reset the backoff.
    pub min_uptime: Duration,
    /// Treat 1000 from the server like going away instead of stopping.
    pub reconnect_on_normal: bool,
    /// Retry-After values above this are clipped to it.
    pub max_retry_after: Duration,
    /// Send a ping this often while open.
    pub ping_interval: Duration,
    /// Declare the connection dead after this long without any frame.
    pub ping_timeout: Duration,
    /// The per-class numbers.
    pub classes: Classes,
    /// The preset in force, if any.
    pub preset: Option<Preset>,
    /// Close-code mappings from the policy file (they beat the preset).
    pub codes: BTreeMap<CodeRange, Class>,
    /// Handshake-failure mappings from the policy file.
    pub failures: BTreeMap<String, Class>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            min_uptime: Duration::from_secs(5),
            reconnect_on_normal: false,
            max_retry_after: Duration::from_secs(600),
            ping_interval: Duration::from_secs(15),
            ping_timeout: Duration::from_secs(30),
            classes: Classes::default(),
            preset: None,
            codes: BTreeMap::new(),
            failures: BTreeMap::new(),
        }
    }
}

/// What the policy needs to know about an ended attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// What ended it.
    pub trigger: Trigger,
    /// How long it stayed open; `None` when the upgrade never succeeded.
    pub uptime: Option<Duration>,
    /// Whether any frame (data, ping, pong) arrived while open.
    pub received_frame: bool,
    /// The server's Retry-After, if it sent one.
    pub retry_after: Option<Duration>,
}

impl Outcome {
    /// An attempt that never opened.
    pub fn failed(trigger: Trigger) -> Self {
        Self {
            trigger,
            uptime: None,
            received_frame: false,
            retry_after: None,
        }
    }
}

/// The attempt history the policy carries from one decision to the next.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// Consecutive failures so far (the `k` of the next window).
    pub failures: u32,
    /// A service restart was seen and no healthy connection followed yet:
    /// transient failures continue as the restart's `then` class.
    pub after_restart: bool,
    /// The class of the current streak of retries and its length.
    pub streak: Option<(Class, u32)>,
}

/// What the policy decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Reconnect after `delay`, drawn from `window`.
    Reconnect {
        /// The drawn delay.
        delay: Duration,
        /// The window it was drawn from.
        window: (Duration, Duration),
        /// The class that decided.
        class: Class,
        /// The class and rule, for people (`service restart: uniform 1s-5s`).
        rule: String,
    },
    /// Do not reconnect.
    Stop {
        /// The class that decided.
        class: Class,
        /// Why, for people.
        reason: String,
    },
}

impl Decision {
    /// The class that decided.
    pub fn class(&self) -> Class {
        match self {
            Decision::Reconnect { class, .. } | Decision::Stop { class, .. } => *class,
        }
    }
}

impl Policy {
    /// The class of a trigger: the policy file's mapping, then the preset, then the defaults.
    pub fn classify(&self, trigger: Trigger) -> Class {
        if let Trigger::Code(code) = trigger {
            // The flag is an explicit request, so it beats any mapping of 1000.
            if code == 1000 && self.reconnect_on_normal {
                return Class::GoingAway;
            }
            if let Some(class) = self
                .codes
                .iter()
                .filter(|(r, _)| r.contains(code))
                .min_by_key(|(r, _)| r.width())
                .map(|(_, c)| *c)
            {
                return class;
            }
            if let Some(preset) = self.preset
                && let Some((_, class)) = preset.mappings().iter().find(|(c, _)| *c == code)
            {
                return *class;
            }
        } else if let Some(class) = self.failures.get(&trigger.key()) {
            return *class;
        }
        default_class(trigger, self.reconnect_on_normal)
    }

    /// Decides what follows an ended attempt, updating `history`.
    pub fn decide<R: Rng + ?Sized>(
        &self,
        history: &mut History,
        outcome: &Outcome,
        rng: &mut R,
    ) -> Decision {
        let healthy =
            outcome.received_frame && outcome.uptime.is_some_and(|up| up >= self.min_uptime);
        if healthy {
            history.failures = 0;
            history.after_restart = false;
            // Retry limits count consecutive retries; a healthy connection
            // in between means the server recovered each time.
            history.streak = None;
        }
        let mapped = self.classify(outcome.trigger);
        let what = outcome.trigger.describe();
        let mut k = history.failures;
        history.failures = history.failures.saturating_add(1);
        let restart_failed = history.after_restart
            && matches!(
                mapped,
                Class::Abnormal | Class::GoingAway | Class::ServiceRestart
            );
        let class = if restart_failed {
            k = k.max(self.classes.service_restart.then_k);
            self.classes.service_restart.then
        } else {
            mapped
        };

        let streak = match history.streak {
            Some((c, n)) if c == class => n,
            _ => 0,
        };

        if class == Class::ServiceRestart {
            let r = &self.classes.service_restart;
            if !r.reconnect {
                history.streak = None;
                return Decision::Stop {
                    class,
                    reason: format!("{what}: service restart is set not to reconnect"),
                };
            }
            history.after_restart = true;
            history.streak = Some((class, streak + 1));
            let window = (r.first_low.0, r.first_high.0.max(r.first_low.0));
            let rule = format!(
                "service restart: uniform {}-{}",
                format_duration(window.0),
                format_duration(window.1)
            );
            return self.reconnect(class, window, rule, outcome.retry_after, rng);
        }

        let params = self.classes.params(class);
        if !params.reconnect {
            history.streak = None;
            let reason = match class {
                Class::Done => format!("{what}: the session ended normally"),
                Class::Auth => {
                    format!(
                        "{what}: credentials or permissions were refused; fix them, then reconnect"
                    )
                }
                _ => format!(
                    "{what}: {} — fix the cause first; retrying would fail the same way",
                    class.label()
                ),
            };
            return Decision::Stop { class, reason };
        }
        if let Some(max) = params.max_retries
            && streak >= max
        {
            // The streak stays: a manual reconnect that ends the same way stops again.
            return Decision::Stop {
                class,
                reason: format!(
                    "{what}: {} — gave up after {max} consecutive retries",
                    class.label()
                ),
            };
        }
        history.streak = Some((class, streak + 1));
        let window = params.window(k);
        let prefix = if restart_failed {
            format!("service restart retry failed, now {}", class.label())
        } else {
            class.label().to_string()
        };
        let rule = format!("{prefix}: {}", params.describe(k));
        self.reconnect(class, window, rule, outcome.retry_after, rng)
    }

    fn reconnect<R: Rng + ?Sized>(
        &self,
        class: Class,
        window: (Duration, Duration),
        rule: String,
        retry_after: Option<Duration>,
        rng: &mut R,
    ) -> Decision {
        let (window, rule) = match retry_after {
            // The server's wait is the minimum: [R, 1.1·R] when it is longer
            // than what the class would wait anyway. A shorter one (even 0)
            // only raises the class's own window, so the backoff keeps growing
            // and a server answering "Retry-After: 0" is not hammered.
            Some(ra) => {
                let ra = ra.min(self.max_retry_after);
                if ra >= window.1 {
                    (
                        (ra, ra.mul_f64(1.1)),
                        format!(
                            "{}: Retry-After {} is the minimum",
                            class.label(),
                            format_duration(ra)
                        ),
                    )
                } else {
                    (
                        (window.0.max(ra), window.1),
                        format!("{rule} (Retry-After {} is below it)", format_duration(ra)),
                    )
                }
            }
            None => (window, rule),
        };
        let lo = window.0.as_millis() as u64;
        let hi = (window.1.as_millis() as u64).max(lo);
        let delay = Duration::from_millis(rng.random_range(lo..=hi));
        Decision::Reconnect {
            delay,
            window: (Duration::from_millis(lo), Duration::from_millis(hi)),
            class,
            rule,
        }
    }
}
