//! Asking the policy once per close, and what follows from its answer.

use std::time::Duration;

use super::Engine;
use crate::engine::control::AttemptEnd;
use crate::engine::control::Interrupt;
use crate::engine::policy::{Class, Decision, Trigger};

/// What follows a close: another attempt after a wait, or the end.
pub(super) enum Next {
    Reconnect {
        delay: Duration,
        window: (Duration, Duration),
        rule: String,
    },
    Stop {
        reason: String,
        success: bool,
        /// The run is over (quit, --duration), not a policy stop that an
        /// interactive user may still undo with `r`.
        finished: bool,
    },
    /// The user asked to reconnect at once.
    Now,
}

impl Engine {
    /// Asks the policy what follows `end`; the class it concluded goes into
    /// the close event. A run the user ended asks nothing.
    pub(super) fn decide(&mut self, end: &AttemptEnd, attempt: u32) -> (Class, Next) {
        let user_class = || self.settings.policy.classify(Trigger::User);
        if let Some(interrupt) = end.interrupt.filter(|i| *i != Interrupt::UserClose) {
            tracing::debug!(
                attempt,
                ?interrupt,
                "the policy is not asked: the run was interrupted"
            );
        }
        match end.interrupt {
            Some(Interrupt::Quit) => {
                return (
                    user_class(),
                    Next::Stop {
                        reason: "quit by the user".into(),
                        success: true,
                        finished: true,
                    },
                );
            }
            Some(Interrupt::Duration) => {
                return (
                    user_class(),
                    Next::Stop {
                        reason: "the --duration ran out".into(),
                        success: true,
                        finished: true,
                    },
                );
            }
            Some(Interrupt::ReconnectNow) => return (user_class(), Next::Now),
            Some(Interrupt::UserClose) | None => {}
        }
        let before = self.history.clone();
        let decision = self
            .settings
            .policy
            .decide(&mut self.history, &end.outcome, &mut self.rng);
        tracing::debug!(
            attempt,
            outcome = ?end.outcome,
            history = ?before,
            decision = ?decision,
            "the policy decided"
        );
        let class = decision.class();
        let stop = |reason: String, success: bool| Next::Stop {
            reason,
            success,
            finished: false,
        };
        let next = match decision {
            Decision::Stop { class, reason } => stop(reason, class == Class::Done),
            Decision::Reconnect { .. } if self.settings.no_reconnect => stop(
                format!(
                    "{}: automatic reconnect is off (--no-reconnect)",
                    end.outcome.trigger.describe()
                ),
                false,
            ),
            Decision::Reconnect { .. }
                if self.settings.max_attempts.is_some_and(|max| attempt >= max) =>
            {
                stop(
                    format!(
                        "{}: all {attempt} attempts allowed by --max-attempts were made",
                        end.outcome.trigger.describe()
                    ),
                    false,
                )
            }
            Decision::Reconnect {
                delay,
                window,
                rule,
                ..
            } => Next::Reconnect {
                delay,
                window,
                rule,
            },
        };
        (class, next)
    }
}
