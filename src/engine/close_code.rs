//! The close-code catalog: every code of RFC 6455 §7.4 and the IANA registry,
//! the code ranges, and the handshake failures that happen before any close
//! code exists. The UI only formats what this table returns.

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
    /// Whether it may appear in a Close frame.
    pub on_wire: OnWire,
    /// The trigger the policy classifies this entry by (a range uses its first code).
    pub trigger: Trigger,
}

/// Whether a server may legitimately send `code` in a Close frame.
pub fn may_be_sent(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}

/// The entry for a close code: the exact code where the catalog has one,
/// otherwise the range it falls in.
pub fn lookup(code: u16) -> &'static Entry {
    todo_entries(code)
}

/// The name of a close code (`Abnormal Closure`, `Private use`, …).
pub fn name_of(code: u16) -> &'static str {
    lookup(code).name
}

/// Looks an entry up by what a user types: a number (`1006`, `4321`), or a
/// failure name (`http-503`, `dns`, `refused`, `timeout`, `tls`).
pub fn by_key(key: &str) -> Option<&'static Entry> {
    let _ = key;
    None
}

/// Every entry, in display order.
pub fn entries() -> &'static [Entry] {
    &[]
}

fn todo_entries(_code: u16) -> &'static Entry {
    const PLACEHOLDER: Entry = Entry {
        key: "?",
        name: "?",
        meaning: "",
        when: "",
        fix: "",
        on_wire: OnWire::Invalid,
        trigger: Trigger::Code(0),
    };
    &PLACEHOLDER
}
