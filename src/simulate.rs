//! `wsprobe policy simulate`: the schedule the policy gives for a sequence of
//! endings, as a table or as JSON lines.

use std::fmt::Write as _;
use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::json;

use crate::duration::{format_duration, format_window};
use crate::engine::policy::{
    Class, Decision, History, Outcome, Policy, Trigger, failure_names_text,
};
use crate::usage::UsageError;

/// One simulated decision: what ended attempt `after`, and what follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The attempt that ended (1-based).
    pub after: u32,
    /// What ended it.
    pub trigger: Trigger,
    /// The class that decided.
    pub class: Class,
    /// The decision.
    pub outcome: StepOutcome,
}

/// Reconnect (with the time since the first failure) or stop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepOutcome {
    /// The next attempt starts after `delay`.
    Reconnect {
        /// Window the delay was drawn from.
        window: (Duration, Duration),
        /// The drawn delay.
        delay: Duration,
        /// Time from the end of the first attempt to the start of the next one.
        elapsed: Duration,
        /// The class and rule.
        rule: String,
    },
    /// No further attempt.
    Stop {
        /// Why.
        reason: String,
    },
}

/// Parses what ends an attempt: a close code (0–65535) or a failure name.
pub fn parse_trigger(s: &str) -> Result<Trigger, UsageError> {
    let s = s.trim();
    if let Ok(code) = s.parse::<u32>() {
        return u16::try_from(code).map(Trigger::Code).map_err(|_| {
            UsageError::new(format!(
                "`{s}` is not a close code: codes run from 0 to 65535"
            ))
        });
    }
    Trigger::parse_failure(&s.to_ascii_lowercase()).ok_or_else(|| {
        UsageError::new(format!(
            "`{s}` is neither a close code (0-65535) nor a failure name ({})",
            failure_names_text()
        ))
    })
}

/// Runs the policy over `attempts` attempts; the last trigger repeats.
/// A close code, or a cause that ends an open connection (`liveness`,
/// `protocol-violation`, `capacity`, `user`), ends a connection that stayed up
/// `uptime` (with a frame received when `uptime` is above zero); a handshake
/// failure ends one that never opened.
pub fn simulate(
    policy: &Policy,
    triggers: &[Trigger],
    attempts: u32,
    seed: u64,
    uptime: Duration,
    retry_after: Option<Duration>,
) -> Vec<Step> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut history = History::default();
    let mut steps = Vec::new();
    let mut clock = Duration::ZERO;
    let mut first_end = None;
    for after in 1..=attempts {
        let Some(&trigger) = triggers.get(after as usize - 1).or_else(|| triggers.last()) else {
            break;
        };
        let opened = !trigger.before_open();
        let outcome = Outcome {
            trigger,
            uptime: opened.then_some(uptime),
            received_frame: opened && !uptime.is_zero(),
            retry_after,
        };
        if opened {
            clock += uptime;
        }
        let start = *first_end.get_or_insert(clock);
        let decision = policy.decide(&mut history, &outcome, &mut rng);
        let class = decision.class();
        let outcome = match decision {
            Decision::Reconnect {
                delay,
                window,
                rule,
                ..
            } => {
                clock += delay;
                StepOutcome::Reconnect {
                    window,
                    delay,
                    elapsed: clock.saturating_sub(start),
                    rule,
                }
            }
            Decision::Stop { reason, .. } => StepOutcome::Stop { reason },
        };
        let stop = matches!(outcome, StepOutcome::Stop { .. });
        steps.push(Step {
            after,
            trigger,
            class,
            outcome,
        });
        if stop {
            break;
        }
    }
    steps
}

/// The schedule as a table.
pub fn table(steps: &[Step], header: &str) -> String {
    let mut out = format!("{header}\n\n");
    let _ = writeln!(
        out,
        "{:>5}  {:<30}  {:>4}  {:<17}  {:>10}  {:>10}  rule",
        "after", "ended by", "next", "window", "delay", "at"
    );
    for s in steps {
        let ended = s.trigger.describe();
        match &s.outcome {
            StepOutcome::Reconnect {
                window,
                delay,
                elapsed,
                rule,
            } => {
                let _ = writeln!(
                    out,
                    "{:>5}  {:<30}  {:>4}  {:<17}  {:>10}  {:>10}  {rule}",
                    s.after,
                    ended,
                    s.after + 1,
                    format_window(window.0, window.1),
                    format_duration(*delay),
                    format_duration(*elapsed),
                );
            }
            StepOutcome::Stop { reason } => {
                let _ = writeln!(
                    out,
                    "{:>5}  {:<30}  {:>4}  stop ({}): {reason}",
                    s.after,
                    ended,
                    "-",
                    s.class.label()
                );
            }
        }
    }
    out
}

/// The schedule as JSON, one object per line.
pub fn json_lines(steps: &[Step]) -> String {
    let mut out = String::new();
    for s in steps {
        let value = match &s.outcome {
            StepOutcome::Reconnect {
                window,
                delay,
                elapsed,
                rule,
            } => json!({
                "attempt": s.after + 1,
                "after": s.after,
                "ended_by": s.trigger.key(),
                "class": s.class.key(),
                "window_ms": [window.0.as_millis() as u64, window.1.as_millis() as u64],
                "delay_ms": delay.as_millis() as u64,
                "elapsed_ms": elapsed.as_millis() as u64,
                "rule": rule,
            }),
            StepOutcome::Stop { reason } => json!({
                "attempt": s.after + 1,
                "after": s.after,
                "ended_by": s.trigger.key(),
                "class": s.class.key(),
                "stop": true,
                "reason": reason,
            }),
        };
        out.push_str(&value.to_string());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::policy::{FAILURE_NAMES, HTTP_NAME, all_failures};

    #[test]
    fn every_failure_name_parses_and_a_bad_one_lists_them_all() {
        for t in all_failures() {
            assert_eq!(parse_trigger(&t.key()).ok(), Some(t), "{}", t.key());
            assert_eq!(parse_trigger(&t.key().to_uppercase()).ok(), Some(t));
        }
        let err = parse_trigger("sometimes").unwrap_err().to_string();
        assert!(err.contains(HTTP_NAME.pattern), "{err}");
        for f in FAILURE_NAMES {
            assert!(err.contains(f.name), "{}: {err}", f.name);
        }
    }

    #[test]
    fn causes_that_end_an_open_connection_use_the_uptime() {
        // A healthy connection (a minute up, frames received) resets the
        // backoff, so every retry after a liveness timeout draws from the
        // first window; a handshake failure never opened, so it grows.
        let policy = Policy::default();
        let windows = |t: Trigger| -> Vec<(Duration, Duration)> {
            simulate(&policy, &[t], 3, 1, Duration::from_secs(60), None)
                .into_iter()
                .filter_map(|s| match s.outcome {
                    StepOutcome::Reconnect { window, .. } => Some(window),
                    StepOutcome::Stop { .. } => None,
                })
                .collect()
        };
        let first = (Duration::from_secs(1), Duration::from_secs(2));
        assert_eq!(windows(Trigger::Liveness), vec![first; 3]);
        assert_eq!(windows(Trigger::Code(1006)), vec![first; 3]);
        assert_ne!(windows(Trigger::Refused), vec![first; 3]);
    }
}
