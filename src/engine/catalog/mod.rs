//! The close-code catalog: every code of RFC 6455 §7.4 and the IANA registry,
//! the code ranges, the handshake failures that happen before any close code
//! exists, and the other named causes of an ending (every name of
//! [`FAILURE_NAMES`](crate::engine::policy::FAILURE_NAMES) has an entry). The
//! UI only formats what this table returns.
//!
//! The table holds no policy classes: the class shown next to an entry always
//! comes from [`Policy::classify`](crate::engine::policy::Policy::classify)
//! applied to the entry's trigger, so a policy file changes what is shown.

use crate::engine::event::CloseInfo;
use crate::engine::policy::Trigger;

/// Whether a code may travel in a Close frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnWire {
    /// A peer may send it.
    Yes,
    /// RFC 6455 forbids sending it (1005, 1006, 1015): it only labels local events.
    Never,
    /// Reserved or unassigned (1004, 1016–2999): not valid today.
    Reserved,
    /// Outside every valid range (0–999, 5000 and up).
    Invalid,
    /// Not a close code at all: a failure before the WebSocket existed.
    NotACode,
}

impl OnWire {
    /// `yes`, `never`, `reserved`, `invalid` or `n/a`.
    pub fn as_str(self) -> &'static str {
        match self {
            OnWire::Yes => "yes",
            OnWire::Never => "never",
            OnWire::Reserved => "reserved",
            OnWire::Invalid => "invalid",
            OnWire::NotACode => "n/a",
        }
    }
}

/// One catalog entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// What it is looked up by: `1006`, `4000-4999`, `http-503`, `dns`.
    pub key: &'static str,
    /// Short name: `Abnormal Closure`.
    pub name: &'static str,
    /// What it means, in plain language.
    pub meaning: &'static str,
    /// When you typically see it.
    pub when: &'static str,
    /// How to fix it (what a client or operator should do).
    pub fix: &'static str,
    /// For server authors and operators: when to send this code (or answer
    /// with this status), or why never to.
    pub send_when: &'static str,
    /// Whether it may appear in a Close frame.
    pub on_wire: OnWire,
    /// The trigger the policy classifies this entry by (a range uses its first
    /// code that has no entry of its own; the [`OTHER_HTTP_STATUS`] entry, a
    /// plain 200 answer).
    pub trigger: Trigger,
}

impl Entry {
    /// The close codes this entry covers (`1006..=1006`, `4000..=4999`), or
    /// `None` for a handshake failure. Read from the key, so the key stays
    /// the single statement of what an entry covers.
    pub fn codes(&self) -> Option<std::ops::RangeInclusive<u16>> {
        let (lo, hi) = self.key.split_once('-').unwrap_or((self.key, self.key));
        Some(lo.parse().ok()?..=hi.parse().ok()?)
    }

    /// Whether this entry is a range of codes rather than one code or a failure.
    pub fn is_range(&self) -> bool {
        self.codes().is_some_and(|r| r.start() != r.end())
    }
}

/// Whether a server may legitimately send `code` in a Close frame.
pub fn may_be_sent(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}

/// The entry for a close code: the exact code where the catalog has one,
/// otherwise the range it falls in.
pub fn lookup(code: u16) -> &'static Entry {
    // The narrowest entry wins, so 3003 finds its own entry rather than the
    // 3000–3999 range that also covers it.
    ENTRIES
        .iter()
        .filter_map(|e| e.codes().filter(|r| r.contains(&code)).map(|r| (e, r)))
        .min_by_key(|(_, r)| r.end() - r.start())
        .map_or(&ABOVE_4999, |(e, _)| e)
}

/// The name of a close code (`Abnormal Closure`, `Private use`, …).
pub fn name_of(code: u16) -> &'static str {
    lookup(code).name
}

/// The key of the entry that explains an HTTP status with no entry of its own.
pub const OTHER_HTTP_STATUS: &str = "http-NNN";

/// The key of the entry that explains a proxy's HTTP status with no entry
/// of its own.
pub const OTHER_PROXY_STATUS: &str = "proxy-NNN";

/// Whether an entry stands for a family of statuses rather than one name
/// ([`OTHER_HTTP_STATUS`], [`OTHER_PROXY_STATUS`]).
pub fn is_generic(entry: &Entry) -> bool {
    entry.key == OTHER_HTTP_STATUS || entry.key == OTHER_PROXY_STATUS
}

/// Looks an entry up by what a user types, ignoring case: a number (`1006`,
/// `4321`), a range key (`4000-4999`), or a failure name as
/// [`Trigger::parse_failure`] accepts it (`http-503`, `dns`, `liveness`; an
/// HTTP status without an entry of its own, such as `http-418`, finds the
/// [`OTHER_HTTP_STATUS`] entry). Numbers are always close codes: HTTP
/// statuses are written `http-NNN`.
pub fn by_key(key: &str) -> Option<&'static Entry> {
    let key = key.trim();
    if !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()) {
        return key.parse::<u16>().ok().map(lookup);
    }
    if let Some(range) = ENTRIES
        .iter()
        .find(|e| e.is_range() && e.key.eq_ignore_ascii_case(key))
    {
        return Some(range);
    }
    Trigger::parse_failure(&key.to_ascii_lowercase()).and_then(for_trigger)
}

/// The entry that explains a trigger: a close code's entry (or its range),
/// a failure's own entry, or for an HTTP status without one, the
/// [`OTHER_HTTP_STATUS`] entry. Every trigger has one (a test checks it).
pub fn for_trigger(trigger: Trigger) -> Option<&'static Entry> {
    let find = |key: &str| ENTRIES.iter().find(|e| e.key == key);
    match trigger {
        Trigger::Code(code) => Some(lookup(code)),
        Trigger::Http(_) => find(&trigger.key()).or_else(|| find(OTHER_HTTP_STATUS)),
        Trigger::ProxyHttp(_) => find(&trigger.key()).or_else(|| find(OTHER_PROXY_STATUS)),
        other => find(&other.key()),
    }
}

/// What ended an attempt, named for people: the close code's name for a
/// close, the cause for a close derived from something else
/// (`HTTP 503 Service Unavailable`, `HTTP 418`, `DNS lookup failed`).
pub fn cause_name(info: &CloseInfo) -> String {
    let entry = for_close(info);
    match info.trigger {
        Trigger::Code(_) | Trigger::User | Trigger::Violation => info.name.clone(),
        Trigger::Http(status) if entry.key == OTHER_HTTP_STATUS => format!("HTTP {status}"),
        Trigger::ProxyHttp(status) if entry.key == OTHER_PROXY_STATUS => {
            format!("proxy answered HTTP {status}")
        }
        _ => entry.name.to_string(),
    }
}

/// The entry that explains how an attempt ended, read from the engine's own
/// decision: the forbidden code a server sent, else what the policy was
/// given (a close code, `http-401`, `liveness`, `user`, …).
pub fn for_close(info: &CloseInfo) -> &'static Entry {
    match (info.trigger, info.received_code) {
        (Trigger::Violation, Some(received)) => lookup(received),
        (trigger, _) => for_trigger(trigger).unwrap_or_else(|| lookup(info.code)),
    }
}

/// Every entry, in display order.
pub fn entries() -> &'static [Entry] {
    &ENTRIES
}
mod entries;
#[cfg(test)]
mod tests;

use entries::{ABOVE_4999, ENTRIES};
