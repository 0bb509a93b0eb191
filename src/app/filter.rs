//! The timeline filter: a substring (case-insensitive unless the query has
//! a capital) or, after `re:`, a regular expression, matched against a
//! message's text, the event's kind and its direction.

use regex::Regex;

use crate::engine::event::{EngineEvent, EventKind, Payload};

/// A compiled filter.
#[derive(Debug, Clone)]
pub struct Filter {
    /// What the user typed.
    pub query: String,
    matcher: Matcher,
}

#[derive(Debug, Clone)]
enum Matcher {
    /// A substring; `fold` compares ASCII letters without case.
    Text {
        needle: String,
        fold: bool,
    },
    Regex(Regex),
}

/// The regular expression is larger than this many bytes compiled: a
/// guard against a pathological pattern, far above any real filter.
const REGEX_SIZE: usize = 1 << 20;

impl Filter {
    /// Compiles `query`; an invalid `re:` pattern is an error to show.
    pub fn new(query: &str) -> Result<Self, String> {
        let matcher = if let Some(pattern) = query.strip_prefix("re:") {
            regex::RegexBuilder::new(pattern)
                .size_limit(REGEX_SIZE)
                .build()
                .map(Matcher::Regex)
                .map_err(|e| format!("not a regular expression: {e}"))?
        } else {
            let fold = !query.chars().any(char::is_uppercase);
            Matcher::Text {
                needle: if fold {
                    query.to_ascii_lowercase()
                } else {
                    query.to_owned()
                },
                fold,
            }
        };
        Ok(Self {
            query: query.to_owned(),
            matcher,
        })
    }

    /// True when `event` matches: its kind (`message`, `close`, …), its
    /// direction (`in`, `out`) or its text.
    pub fn matches(&self, event: &EngineEvent) -> bool {
        let (dir, text) = match &event.kind {
            EventKind::Message { dir, payload } => (
                Some(dir.as_str()),
                match payload {
                    Payload::Text(t) => t.as_str(),
                    Payload::Binary { .. } => "",
                },
            ),
            EventKind::Ping { dir, .. } | EventKind::Pong { dir, .. } => (Some(dir.as_str()), ""),
            EventKind::Close(info) => (None, info.reason.as_str()),
            EventKind::Error { message, .. } => (None, message.as_str()),
            _ => (None, ""),
        };
        let fields = [event.kind.name(), dir.unwrap_or(""), text];
        fields.iter().any(|f| self.matches_str(f))
    }

    fn matches_str(&self, hay: &str) -> bool {
        match &self.matcher {
            Matcher::Regex(re) => re.is_match(hay),
            Matcher::Text {
                needle,
                fold: false,
            } => hay.contains(needle.as_str()),
            Matcher::Text { needle, fold: true } => contains_folded(hay, needle),
        }
    }
}

/// `hay` contains `needle` (lowercase) when ASCII case is ignored.
fn contains_folded(hay: &str, needle: &str) -> bool {
    let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
    if needle.is_empty() {
        return true;
    }
    let first = needle[0];
    hay.len() >= needle.len()
        && (0..=hay.len() - needle.len()).any(|i| {
            hay[i].to_ascii_lowercase() == first
                && hay[i..i + needle.len()]
                    .iter()
                    .zip(needle)
                    .all(|(a, b)| a.to_ascii_lowercase() == *b)
        })
}

/// True for the pings and pongs that `h` hides.
pub fn is_noise(event: &EngineEvent) -> bool {
    matches!(event.kind, EventKind::Ping { .. } | EventKind::Pong { .. })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::engine::event::Dir;

    fn msg(dir: Dir, s: &str) -> EngineEvent {
        EngineEvent {
            seq: 0,
            t: Duration::ZERO,
            kind: EventKind::Message {
                dir,
                payload: Payload::Text(s.into()),
            },
        }
    }

    #[test]
    fn substring_kind_direction_and_regex() {
        let e = msg(Dir::Out, r#"{"op":"Subscribe"}"#);
        assert!(Filter::new("subscribe").expect("ok").matches(&e));
        assert!(!Filter::new("subScribe").expect("ok").matches(&e));
        assert!(Filter::new("out").expect("ok").matches(&e));
        assert!(Filter::new("message").expect("ok").matches(&e));
        assert!(!Filter::new("close").expect("ok").matches(&e));
        assert!(Filter::new(r"re:op.:.S\w+").expect("ok").matches(&e));
        assert!(Filter::new("re:(").is_err());
    }
}
