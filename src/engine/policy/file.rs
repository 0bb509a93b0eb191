//! The TOML policy file: every number and mapping of [`Policy`], loaded with
//! errors that name the file, the line and the key.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::duration::Dur;
use crate::engine::policy::{Class, Classes, CodeRange, Policy, Preset, Trigger};

/// The file as written: kebab-case keys, every field optional.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct PolicyFile {
    /// `graphql-ws` or `discord`: their application codes mapped to classes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preset: Option<Preset>,
    /// A connection must stay open this long, and receive a frame, to reset the backoff.
    pub min_uptime: Dur,
    /// Treat a 1000 from the server as going away.
    pub reconnect_on_normal: bool,
    /// Retry-After values above this are clipped to it.
    pub max_retry_after: Dur,
    /// Ping interval and timeout.
    pub liveness: Liveness,
    /// The numbers of each class; a file's keys overlay the built-in ones.
    #[serde(deserialize_with = "super::overlay::classes")]
    pub classes: Classes,
    /// Close code (`4000`) or range (`4000-4099`) → class.
    pub codes: BTreeMap<String, Class>,
    /// Handshake failure (`http-503`, `dns`, `refused`, `timeout`, `tls`, …) → class.
    pub failures: BTreeMap<String, Class>,
}

/// Liveness settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Liveness {
    /// Send a ping this often while open.
    pub ping_interval: Dur,
    /// Dead after this long with nothing received.
    pub ping_timeout: Dur,
}

impl Default for Liveness {
    fn default() -> Self {
        let p = Policy::default();
        Self {
            ping_interval: Dur(p.ping_interval),
            ping_timeout: Dur(p.ping_timeout),
        }
    }
}

impl Default for PolicyFile {
    fn default() -> Self {
        let p = Policy::default();
        Self {
            preset: None,
            min_uptime: Dur(p.min_uptime),
            reconnect_on_normal: p.reconnect_on_normal,
            max_retry_after: Dur(p.max_retry_after),
            liveness: Liveness::default(),
            classes: p.classes,
            codes: BTreeMap::new(),
            failures: BTreeMap::new(),
        }
    }
}

/// A policy file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {key}: {message}")]
pub struct PolicyFileError {
    /// The file's path.
    pub file: String,
    /// 1-based line of the problem.
    pub line: usize,
    /// The dotted key (`classes.going-away.floor`).
    pub key: String,
    /// What is wrong and what is accepted.
    pub message: String,
}

/// Loads the policy from `path`, or the built-in defaults when `None`.
pub fn load(path: Option<&Path>) -> Result<Policy, PolicyFileError> {
    let Some(path) = path else {
        return Ok(Policy::default());
    };
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| PolicyFileError {
        file: file.clone(),
        line: 0,
        key: "-".into(),
        message: format!("cannot read the policy file: {e}"),
    })?;
    parse(&file, &text)
}

/// Parses policy TOML; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<Policy, PolicyFileError> {
    let raw: PolicyFile = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let (line, key) = locate(text, offset);
        PolicyFileError {
            file: file.to_string(),
            line,
            key,
            message: e.message().trim().to_string(),
        }
    })?;
    into_policy(raw).map_err(|(key_path, message)| {
        let line = find_key_line(text, &key_path);
        PolicyFileError {
            file: file.to_string(),
            line,
            key: key_path,
            message,
        }
    })
}

fn into_policy(raw: PolicyFile) -> Result<Policy, (String, String)> {
    let mut codes = BTreeMap::new();
    for (key, class) in &raw.codes {
        let range = CodeRange::parse(key).ok_or_else(|| {
            (
                format!("codes.{key}"),
                "not a close code or range: write \"4000\" or \"4000-4099\" (0-65535)".to_string(),
            )
        })?;
        codes.insert(range, *class);
    }
    for key in raw.failures.keys() {
        if Trigger::parse_failure(key).is_none() {
            return Err((
                format!("failures.{key}"),
                "unknown failure: use http-NNN (e.g. http-503), dns, refused, timeout, tls, \
                 not-http, liveness, protocol-violation, capacity or user"
                    .to_string(),
            ));
        }
    }
    let c = &raw.classes;
    for class in Class::ALL {
        if class == Class::ServiceRestart {
            continue;
        }
        let p = c.params(class);
        if p.reconnect && p.base.0.is_zero() && p.floor.0.is_zero() {
            return Err((
                format!("classes.{}.base", class.key()),
                "a reconnecting class needs a base or a floor above zero, or it would hot-loop"
                    .into(),
            ));
        }
        if p.cap.0 < p.base.0 {
            return Err((
                format!("classes.{}.cap", class.key()),
                "cap must be at least base".into(),
            ));
        }
    }
    let r = &c.service_restart;
    if r.first_high.0 < r.first_low.0 {
        return Err((
            "classes.service-restart.first-high".into(),
            "first-high must be at least first-low".into(),
        ));
    }
    if r.then == Class::ServiceRestart {
        return Err((
            "classes.service-restart.then".into(),
            "the class after a failed restart retry cannot be service-restart itself".into(),
        ));
    }
    if raw.liveness.ping_interval.0.is_zero() || raw.liveness.ping_timeout.0.is_zero() {
        return Err((
            "liveness.ping-interval".into(),
            "ping-interval and ping-timeout must be above zero".into(),
        ));
    }
    if raw.liveness.ping_timeout <= raw.liveness.ping_interval {
        return Err((
            "liveness.ping-timeout".into(),
            "ping-timeout must be longer than ping-interval, or a quiet connection is \
             declared dead before it is pinged"
                .into(),
        ));
    }
    Ok(Policy {
        min_uptime: raw.min_uptime.0,
        reconnect_on_normal: raw.reconnect_on_normal,
        max_retry_after: raw.max_retry_after.0,
        ping_interval: raw.liveness.ping_interval.0,
        ping_timeout: raw.liveness.ping_timeout.0,
        classes: raw.classes,
        preset: raw.preset,
        codes,
        failures: raw.failures,
    })
}

/// The code keys `policy show` lists: every catalog code and range.
const SHOWN_CODES: &[&str] = &[
    "0-999",
    "1000",
    "1001",
    "1002",
    "1003",
    "1004",
    "1005",
    "1006",
    "1007",
    "1008",
    "1009",
    "1010",
    "1011",
    "1012",
    "1013",
    "1014",
    "1015",
    "1016-2999",
    "3000",
    "3003",
    "3008",
    "3000-3999",
    "4000-4999",
    "5000-65535",
];

const SHOWN_FAILURES: &[&str] = &[
    "http-400",
    "http-401",
    "http-403",
    "http-404",
    "http-426",
    "http-429",
    "http-500",
    "http-502",
    "http-503",
    "dns",
    "refused",
    "timeout",
    "tls",
    "not-http",
    "liveness",
    "protocol-violation",
    "capacity",
];

/// The effective policy as TOML, every mapping spelled out, ready to edit.
pub fn show(policy: &Policy) -> String {
    let mut codes = BTreeMap::new();
    for key in SHOWN_CODES {
        if let Some(range) = CodeRange::parse(key) {
            // 1000 follows reconnect-on-normal, so leave it to that flag.
            if range.lo == 1000 && range.hi == 1000 {
                continue;
            }
            codes.insert((*key).to_string(), policy.classify(Trigger::Code(range.lo)));
        }
    }
    if let Some(preset) = policy.preset {
        for (code, class) in preset.mappings() {
            codes.insert(code.to_string(), *class);
        }
    }
    for (range, class) in &policy.codes {
        codes.insert(range.to_string(), *class);
    }
    let mut failures = BTreeMap::new();
    for key in SHOWN_FAILURES {
        if let Some(t) = Trigger::parse_failure(key) {
            failures.insert((*key).to_string(), policy.classify(t));
        }
    }
    let file = PolicyFile {
        preset: policy.preset,
        min_uptime: Dur(policy.min_uptime),
        reconnect_on_normal: policy.reconnect_on_normal,
        max_retry_after: Dur(policy.max_retry_after),
        liveness: Liveness {
            ping_interval: Dur(policy.ping_interval),
            ping_timeout: Dur(policy.ping_timeout),
        },
        classes: policy.classes.clone(),
        codes,
        failures,
    };
    let body = toml::to_string_pretty(&file).unwrap_or_else(|e| format!("# cannot render: {e}\n"));
    format!(
        "# wsprobe reconnect policy. Use it with: wsprobe URL --policy FILE\n\
         # Classes: done going-away abnormal service-restart try-again-later server-error fatal auth.\n\
         # Full jitter draws from [floor, floor + min(cap, base*2^k)]; equal jitter from [t/2, t]\n\
         # with t = min(cap, base*2^k); k counts consecutive failures. A Retry-After R is the\n\
         # minimum: [R, 1.1R] when R is past the class's window, else it raises the window's start.\n\
         # [codes] maps a code or range to a class (the narrowest range wins); 1000 is done,\n\
         # or going-away with reconnect-on-normal. preset = \"graphql-ws\" or \"discord\" adds their codes.\n\n{body}"
    )
}

/// The 1-based line of a byte offset, and the dotted key written there.
fn locate(text: &str, offset: usize) -> (usize, String) {
    let offset = offset.min(text.len());
    let line = text[..offset].matches('\n').count() + 1;
    let mut table = String::new();
    let mut key = String::new();
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if t.starts_with('[') {
            table = t.trim_matches(|c| c == '[' || c == ']').trim().to_string();
        } else if i + 1 == line
            && let Some((k, _)) = t.split_once('=')
        {
            key = k.trim().trim_matches('"').to_string();
        }
        if i + 1 == line {
            break;
        }
    }
    let full = match (table.is_empty(), key.is_empty()) {
        (true, true) => "-".to_string(),
        (true, false) => key,
        (false, true) => table,
        (false, false) => format!("{table}.{key}"),
    };
    (line, full)
}

/// The line where a dotted key is written, or 0 when it cannot be found.
fn find_key_line(text: &str, dotted: &str) -> usize {
    let (table, key) = dotted.rsplit_once('.').unwrap_or(("", dotted));
    let mut current = String::new();
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if t.starts_with('[') {
            current = t.trim_matches(|c| c == '[' || c == ']').trim().to_string();
        } else if current == table
            && let Some((k, _)) = t.split_once('=')
            && k.trim().trim_matches('"') == key
        {
            return i + 1;
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn empty_file_is_the_default_policy() {
        assert_eq!(parse("p.toml", "").unwrap(), Policy::default());
    }

    #[test]
    fn shown_policy_parses_back_to_the_same_decisions() {
        let policy = Policy::default();
        let text = show(&policy);
        let back = parse("shown.toml", &text).unwrap();
        for code in [
            999, 1000, 1001, 1005, 1006, 1011, 1012, 1013, 1014, 3000, 3008, 4000, 5000,
        ] {
            assert_eq!(
                back.classify(Trigger::Code(code)),
                policy.classify(Trigger::Code(code)),
                "code {code}"
            );
        }
        assert_eq!(back.classes, policy.classes);
    }

    #[test]
    fn numbers_and_mappings_can_be_changed() {
        let text = r#"
preset = "discord"
min-uptime = "10s"
[classes.going-away]
floor = "2s"
cap = "10s"
[codes]
"4000-4099" = "fatal"
"4050" = "auth"
[failures]
"http-503" = "abnormal"
"#;
        let p = parse("p.toml", text).unwrap();
        assert_eq!(p.min_uptime, Duration::from_secs(10));
        assert_eq!(p.classes.going_away.floor.0, Duration::from_secs(2));
        assert_eq!(p.classify(Trigger::Code(4050)), Class::Auth);
        assert_eq!(p.classify(Trigger::Code(4001)), Class::Fatal);
        assert_eq!(p.classify(Trigger::Code(4200)), Class::Abnormal);
        assert_eq!(p.classify(Trigger::Http(503)), Class::Abnormal);
        assert_eq!(p.preset, Some(Preset::Discord));
    }

    #[test]
    fn a_bad_value_names_file_line_and_key() {
        let text = "min-uptime = \"5s\"\n[classes.going-away]\nfloor = \"soon\"\n";
        let err = parse("mine.toml", text).unwrap_err();
        assert_eq!(err.line, 3);
        assert_eq!(err.key, "classes.going-away.floor");
        assert!(
            err.to_string()
                .starts_with("mine.toml:3: classes.going-away.floor:")
        );
        assert!(err.message.contains("invalid duration"), "{}", err.message);
    }

    #[test]
    fn an_unknown_key_is_named() {
        let err = parse("p.toml", "[classes.abnormal]\nflor = \"1s\"\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert_eq!(err.key, "classes.abnormal.flor");
        assert!(err.message.contains("unknown field"), "{}", err.message);
    }

    #[test]
    fn bad_mappings_are_named() {
        let err = parse("p.toml", "[codes]\n\"40x0\" = \"fatal\"\n").unwrap_err();
        assert_eq!((err.line, err.key.as_str()), (2, "codes.40x0"));
        let err = parse("p.toml", "[failures]\nhttp-999x = \"fatal\"\n").unwrap_err();
        assert_eq!((err.line, err.key.as_str()), (2, "failures.http-999x"));
        let err = parse("p.toml", "[codes]\n\"4000\" = \"sometimes\"\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("unknown variant"), "{}", err.message);
    }

    #[test]
    fn validation_errors_are_named() {
        let err = parse(
            "p.toml",
            "[classes.abnormal]\nbase = \"10s\"\ncap = \"1s\"\n",
        )
        .unwrap_err();
        assert_eq!((err.line, err.key.as_str()), (3, "classes.abnormal.cap"));
    }
}
