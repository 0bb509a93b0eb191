//! Text and JSON for `wsprobe codes` and `wsprobe explain`, formatted from the
//! close-code catalog and the policy.
//!
//! Everything said about a code comes from its catalog entry; everything said
//! about what happens next comes from the policy given, so a policy file
//! changes the classes and decisions shown here too.

mod json;
mod text;

use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::duration::format_window;
use crate::engine::catalog::{self, Entry, OnWire};
use crate::engine::policy::{
    Class, Decision, History, Outcome, Policy, Trigger, failure_names_text,
};
use crate::text::first_sentence;
use crate::usage::UsageError;

/// The output of `wsprobe codes`.
pub fn codes(json: bool, policy: &Policy) -> String {
    if json {
        json::codes(policy)
    } else {
        text::codes(policy)
    }
}

/// The output of `wsprobe explain`; bad codes are usage errors.
pub fn explain(codes: &[String], json: bool, policy: &Policy) -> Result<String, UsageError> {
    let items = codes
        .iter()
        .map(|input| Item::resolve(input, policy))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(if json {
        json::explain(&items)
    } else {
        text::explain(&items)
    })
}

/// How an input relates to the entry that explains it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fit {
    /// The code has an entry of its own.
    Exact,
    /// The code has no entry of its own; its range explains it.
    InRange,
    /// The code is outside every valid range.
    Invalid,
    /// A failure name with an entry of its own, not a close code.
    Failure,
    /// An HTTP status without an entry of its own: the generic entry explains it.
    OtherStatus,
}

/// One thing to explain: what the user typed, the entry for it, and what the
/// policy makes of it.
struct Item {
    /// The code or failure name, normalised (`1006`, `http-503`).
    label: String,
    /// The close code, when the input was one.
    code: Option<u16>,
    /// What the policy is given: the code itself, or the failure typed.
    trigger: Trigger,
    entry: &'static Entry,
    class: Class,
    decision: Decision,
}

impl Item {
    fn resolve(input: &str, policy: &Policy) -> Result<Item, UsageError> {
        let entry = catalog::by_key(input).ok_or_else(|| bad_input(input))?;
        let code = entry.codes().and_then(|_| input.trim().parse::<u16>().ok());
        // A code inside a range is classified as itself, not as the range's
        // representative, so a policy file that maps that one code is honoured;
        // likewise an HTTP status that shares the generic entry.
        let trigger = match code {
            Some(c) => Trigger::Code(c),
            None if entry.codes().is_some() => entry.trigger,
            None => {
                Trigger::parse_failure(&input.trim().to_ascii_lowercase()).unwrap_or(entry.trigger)
            }
        };
        let outcome = Outcome {
            trigger,
            uptime: Some(Duration::from_secs(60)),
            received_frame: true,
            retry_after: None,
        };
        // A fixed seed: the same command always prints the same thing.
        let mut rng = StdRng::seed_from_u64(0);
        let decision = policy.decide(&mut History::default(), &outcome, &mut rng);
        let label = match (code, trigger) {
            (Some(c), _) => c.to_string(),
            (None, Trigger::Code(_)) => entry.key.to_string(),
            (None, failure) => failure.key(),
        };
        Ok(Item {
            label,
            code,
            trigger,
            entry,
            class: policy.classify(trigger),
            decision,
        })
    }

    fn fit(&self) -> Fit {
        if self.entry.codes().is_none() {
            return if catalog::is_generic(self.entry) {
                Fit::OtherStatus
            } else {
                Fit::Failure
            };
        }
        // A range typed by its key (`4000-4999`) has no code and is explained
        // as itself.
        match self.code {
            Some(_) if self.entry.on_wire == OnWire::Invalid => Fit::Invalid,
            Some(_) if self.entry.is_range() => Fit::InRange,
            _ => Fit::Exact,
        }
    }

    /// `1006 Abnormal Closure`, `4321 — Private use (range 4000-4999)`,
    /// `HTTP 503 Service Unavailable (http-503)`,
    /// `HTTP 418 (no entry of its own: any other status)`.
    fn title(&self) -> String {
        let e = self.entry;
        match self.fit() {
            Fit::Exact => format!("{} {}", self.label, e.name),
            Fit::InRange | Fit::Invalid => {
                format!("{} — {} (range {})", self.label, e.name, e.key)
            }
            Fit::Failure => format!("{} ({})", e.name, e.key),
            Fit::OtherStatus => format!(
                "{} (no entry of its own: any other status)",
                self.trigger.describe()
            ),
        }
    }

    /// A sentence placing the input, where the title alone could mislead.
    fn note(&self) -> Option<String> {
        let (label, key) = (&self.label, self.entry.key);
        match self.fit() {
            Fit::Exact => None,
            Fit::InRange => Some(format!(
                "{label} has no entry of its own: it is in the range {key}, which is \
                 explained below."
            )),
            Fit::Invalid => Some(format!(
                "{label} is not a valid close code: valid codes lie between 1000 and \
                 4999, and {label} falls in {key}. It is explained as invalid below."
            )),
            Fit::Failure if !self.trigger.before_open() => Some(
                "Not a close code: this names a cause that ended an open connection; the \
                 close that went with it is described below."
                    .to_string(),
            ),
            Fit::Failure => Some(HANDSHAKE_NOTE.to_string()),
            Fit::OtherStatus => Some(format!(
                "{label} has no entry of its own, so the entry for any other {} \
                 explains it below. {HANDSHAKE_NOTE}",
                if key == catalog::OTHER_PROXY_STATUS {
                    "status from a proxy"
                } else {
                    "HTTP status"
                }
            )),
        }
    }
}

/// The note on a failure that ends an attempt before the WebSocket opens.
const HANDSHAKE_NOTE: &str = "A handshake failure: the connection attempt ended before the \
     WebSocket existed, so there is no close code.";

fn bad_input(input: &str) -> UsageError {
    let input = input.trim();
    let names = failure_names_text();
    let problem = if !input.is_empty() && input.bytes().all(|b| b.is_ascii_digit()) {
        "is out of range: close codes go from 0 to 65535"
    } else if input.to_ascii_lowercase().starts_with("http-") {
        "is not an HTTP status name: write http- and three digits, a status from 100 \
         to 599 other than 101 (101 is the upgrade succeeding)"
    } else {
        "is neither a close code nor a failure name"
    };
    UsageError::new(format!(
        "`{input}` {problem}. Accepted: a close code from 0 to 65535, or one of \
         these failure names: {names}"
    ))
}

/// The policy's decision as one line: `stop — …` or `reconnect after …`.
fn decision_text(decision: &Decision) -> String {
    match decision {
        Decision::Stop { reason, .. } => format!("stop — {reason}"),
        Decision::Reconnect { window, rule, .. } => format!(
            "reconnect after a delay drawn from {} — {rule}",
            format_window(window.0, window.1)
        ),
    }
}

/// The decision in a few words, for summaries: `stop`, `reconnect after 1s-2s`.
fn decision_short(decision: &Decision) -> String {
    match decision {
        Decision::Stop { .. } => "stop".to_string(),
        Decision::Reconnect { window, .. } => {
            format!("reconnect after {}", format_window(window.0, window.1))
        }
    }
}

/// What a client should do: the entry's advice in one sentence, then the
/// policy's decision in a few words.
fn client_action(item: &Item) -> String {
    format!(
        "{} Policy: {}.",
        first_sentence(item.entry.fix),
        decision_short(&item.decision)
    )
}

/// The on-wire rule in full, for the entry view.
fn on_wire_text(item: &Item) -> &'static str {
    match item.entry.on_wire {
        OnWire::Yes => "Yes: an endpoint may send this code in a Close frame.",
        OnWire::Never => {
            "Never: RFC 6455 forbids putting this code in a Close frame; it only \
             labels something the client observed. A server that sends it anyway \
             breaks the protocol: wsprobe reports a protocol violation, shows the \
             code it received, and answers with 1002."
        }
        OnWire::Reserved => {
            "No: the code is reserved and not valid in a Close frame today. A server \
             that sends it breaks the protocol: wsprobe reports a protocol violation, \
             shows the code it received, and answers with 1002."
        }
        OnWire::Invalid => {
            "No: the code is outside every valid range. A server that sends it breaks \
             the protocol: wsprobe reports a protocol violation, shows the code it \
             received, and answers with 1002."
        }
        OnWire::NotACode if !item.trigger.before_open() => {
            "Not applicable: this names a cause, not a close code. What was or was \
             not sent in a Close frame is described above."
        }
        OnWire::NotACode => {
            "Not applicable: this happens before the WebSocket exists, so no Close \
             frame is involved. wsprobe records an error event, then a close it \
             derives itself (1015 for TLS failures, 1006 otherwise) marked as not \
             from the wire."
        }
    }
}

/// The on-wire rule in a few words, for comparisons.
fn on_wire_short(item: &Item) -> &'static str {
    match item.entry.on_wire {
        OnWire::Yes => "may be sent in a Close frame",
        OnWire::Never => {
            "never sent; only reported locally (a Close frame carrying it is a protocol \
             violation)"
        }
        OnWire::Reserved => {
            "reserved, not valid in a Close frame today (receiving it is a protocol \
             violation)"
        }
        OnWire::Invalid => "outside every valid range (receiving it is a protocol violation)",
        OnWire::NotACode if !item.trigger.before_open() => {
            "not a close code: a cause that ended an open connection"
        }
        OnWire::NotACode => "not a close code: the handshake failed before any frame",
    }
}

/// What kind of thing an item is, for the comparison summary: one, and the
/// plural for two of a kind.
fn kind(item: &Item) -> (&'static str, &'static str) {
    match item.entry.on_wire {
        OnWire::Yes => (
            "a close code an endpoint may send",
            "close codes an endpoint may send",
        ),
        OnWire::Never => (
            "a close code that is only reported locally, never sent",
            "close codes that are only reported locally, never sent",
        ),
        OnWire::Reserved => (
            "a reserved close code that may not be sent",
            "reserved close codes that may not be sent",
        ),
        OnWire::Invalid => ("an invalid close code", "invalid close codes"),
        OnWire::NotACode if !item.trigger.before_open() => (
            "a cause, not a close code, that ended an open connection",
            "causes, not close codes, that ended an open connection",
        ),
        OnWire::NotACode => (
            "a handshake failure that comes before any close code",
            "handshake failures that come before any close code",
        ),
    }
}

/// The one-paragraph summary that opens a comparison.
fn summary(a: &Item, b: &Item) -> String {
    let (ea, eb) = (a.entry, b.entry);
    let kinds = if kind(a) == kind(b) {
        format!("are both {}", kind(a).1)
    } else {
        format!(
            "differ in kind: {} is {}; {} is {}",
            a.label,
            kind(a).0,
            b.label,
            kind(b).0
        )
    };
    let policy = if a.class == b.class {
        format!(
            "The policy puts both in the {} class ({}).",
            a.class.label(),
            decision_short(&a.decision)
        )
    } else {
        format!(
            "The policy treats them differently: {} is {} ({}), {} is {} ({}).",
            a.label,
            a.class.label(),
            decision_short(&a.decision),
            b.label,
            b.class.label(),
            decision_short(&b.decision)
        )
    };
    format!(
        "{} ({}) and {} ({}) {kinds}. {}: {} {}: {} {policy}",
        a.label,
        ea.name,
        b.label,
        eb.name,
        a.label,
        first_sentence(ea.meaning),
        b.label,
        first_sentence(eb.meaning)
    )
}

/// The four "key differences" of a comparison: (aspect, what it is for `a`,
/// what it is for `b`).
fn differences(a: &Item, b: &Item) -> [(&'static str, [String; 2]); 4] {
    let meaning = |i: &Item| first_sentence(i.entry.meaning).to_string();
    let when = |i: &Item| first_sentence(i.entry.when).to_string();
    let wire = |i: &Item| on_wire_short(i).to_string();
    let policy = |i: &Item| format!("{} class: {}", i.class.label(), decision_text(&i.decision));
    [
        ("meaning", [meaning(a), meaning(b)]),
        ("when", [when(a), when(b)]),
        ("on_wire", [wire(a), wire(b)]),
        ("policy", [policy(a), policy(b)]),
    ]
}

#[cfg(test)]
mod tests;
