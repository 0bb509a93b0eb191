//! Turning recorded strings back into the engine's types, leniently: a name
//! this version does not know (from a newer wsprobe) falls back to what the
//! rest of the record says instead of failing the replay.

use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::line::Line;
use super::read::RecordedSession;
use crate::engine::event::{ErrorClass, Initiator};
use crate::engine::policy::{Class, Policy, Trigger};

/// Headers as recorded (a JSON object), in the order they were written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(pub Vec<(String, String)>);

impl<'de> Deserialize<'de> for Headers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Headers;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of header names and values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Headers, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, String>()? {
                    out.push((k, v));
                }
                Ok(Headers(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// The session record's facts.
pub(super) fn session(l: Line<'_>) -> RecordedSession {
    RecordedSession {
        version: l.version,
        command_line: l.command_line.unwrap_or_default(),
        policy: match l.policy {
            Some(serde_json::Value::String(s)) => Some(s),
            Some(other) => Some(other.to_string()),
            None => None,
        },
        seed: l.seed,
        wall: l.ts.as_deref().and_then(crate::timestamp::parse_rfc3339),
    }
}

/// The recorded trigger and class of a close. A missing or unknown trigger
/// is the close code; a missing or unknown class is what the built-in
/// policy gives that trigger.
pub(super) fn trigger_and_class(code: u16, l: &Line<'_>) -> (Trigger, Class) {
    let trigger = l
        .trigger
        .as_deref()
        .and_then(Trigger::parse_name)
        .unwrap_or(Trigger::Code(code));
    let class = l
        .class
        .as_deref()
        .and_then(|k| Class::ALL.into_iter().find(|c| c.key() == k))
        .unwrap_or_else(|| Policy::default().classify(trigger));
    (trigger, class)
}

/// `server`, `client` or `local`; anything else reads as `local` (no frame).
pub(super) fn initiator(name: Option<&str>) -> Initiator {
    match name {
        Some("server") => Initiator::Server,
        Some("client") => Initiator::Client,
        _ => Initiator::Local,
    }
}

/// An error class by its contract name; an unknown one reads as `io`.
pub(super) fn error_class(name: Option<&str>) -> ErrorClass {
    match name {
        Some("dns") => ErrorClass::Dns,
        Some("refused") => ErrorClass::Refused,
        Some("timeout") => ErrorClass::Timeout,
        Some("tls") => ErrorClass::Tls,
        Some("http") => ErrorClass::Http,
        Some("protocol") => ErrorClass::Protocol,
        Some("liveness") => ErrorClass::Liveness,
        Some("capacity") => ErrorClass::Capacity,
        _ => ErrorClass::Io,
    }
}

/// Lowercase or uppercase hex digits to bytes.
pub(super) fn unhex(text: &str) -> Option<Vec<u8>> {
    let b = text.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    b.chunks(2)
        .map(|pair| {
            let d = |c: u8| char::from(c).to_digit(16);
            Some((d(pair[0])? * 16 + d(pair[1])?) as u8)
        })
        .collect()
}
