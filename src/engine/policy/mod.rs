//! The reconnect policy: a pure function from "what ended the connection" and
//! the attempt history to a decision (stop, or reconnect after a delay), with
//! the rule and the window that produced it so the UI can show both.
//!
//! Jitter comes from an injected RNG, so a seed makes every schedule
//! reproducible. Every number and mapping lives in [`Policy`], which a TOML
//! file can change (see [`crate::engine::policy::file`]).

mod class;
pub mod file;
mod overlay;
mod params;
mod trigger;

use std::collections::BTreeMap;
use std::time::Duration;

use rand::Rng;

pub use class::Class;
pub use params::{ClassParams, Classes, CodeRange, Jitter, Preset, RestartParams};
pub use trigger::{
    FAILURE_NAMES, FailureName, FailureNamePattern, HTTP_NAME, PROXY_NAME, Trigger, all_failures,
    default_class, failure_names_help, failure_names_text, is_failure_status,
    is_proxy_failure_status,
};

use crate::duration::format_duration;

/// A fresh seed for the jitter when the user gave none.
pub fn random_seed() -> u64 {
    use rand::{RngCore, SeedableRng};
    rand::rngs::StdRng::from_os_rng().next_u64()
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
