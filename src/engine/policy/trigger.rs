//! What ended an attempt, as the policy sees it, and the built-in class of each.

use super::Class;

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

    /// The name views and recordings show: `close 3500` for a close code,
    /// the failure key (`http-503`, `not-http`, `liveness`, `user`) otherwise.
    pub fn name(self) -> String {
        match self {
            Trigger::Code(c) => format!("close {c}"),
            other => other.key(),
        }
    }

    /// Parses what [`Self::name`] writes (and a bare code).
    pub fn parse_name(name: &str) -> Option<Trigger> {
        let name = name.trim();
        let code = name.strip_prefix("close ").unwrap_or(name);
        if let Ok(c) = code.trim().parse::<u16>() {
            return Some(Trigger::Code(c));
        }
        Trigger::parse_failure(&name.to_ascii_lowercase())
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
