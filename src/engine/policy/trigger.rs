//! What ended an attempt, as the policy sees it, and the built-in class of
//! each; and [`FAILURE_NAMES`], the one table of the names that `explain`,
//! `policy simulate`, policy files and every view use for what is not a
//! close code.

use std::fmt::Write as _;

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
    /// The proxy's host name did not resolve.
    ProxyDns,
    /// Nothing accepted the TCP connection to the proxy.
    ProxyRefused,
    /// The proxy did not answer within the connect timeout.
    ProxyTimeout,
    /// TLS to an `https://` proxy failed.
    ProxyTls,
    /// The proxy answered CONNECT with this HTTP status instead of 2xx.
    ProxyHttp(u16),
    /// The SOCKS5 proxy refused the credentials, or wants some.
    ProxyAuth,
    /// The SOCKS5 proxy could not open the tunnel (its reply code says why).
    ProxySocks,
    /// The proxy's answer was not the protocol its URL's scheme names.
    ProxyProtocol,
}

impl Trigger {
    /// The key of this trigger in a policy file's `[failures]` table (its
    /// name in [`FAILURE_NAMES`], or `http-NNN`), or the code number for
    /// close codes.
    pub fn key(self) -> String {
        match self {
            Trigger::Code(c) => c.to_string(),
            Trigger::Http(s) => format!("http-{s}"),
            Trigger::ProxyHttp(s) => format!("proxy-{s}"),
            named => FAILURE_NAMES
                .iter()
                .find(|f| f.trigger == named)
                // Every other variant has a row (a test checks it).
                .map_or_else(
                    || format!("{named:?}").to_ascii_lowercase(),
                    |f| f.name.into(),
                ),
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

    /// Parses a failure name: a name in [`FAILURE_NAMES`], or `http-NNN` for
    /// an HTTP status from 100 to 599 other than 101. Close codes are not
    /// failures. The name must be written as listed (lower case).
    pub fn parse_failure(key: &str) -> Option<Trigger> {
        if let Some(f) = FAILURE_NAMES.iter().find(|f| f.name == key) {
            return Some(f.trigger);
        }
        // Exactly three digits, so every status has one spelling (no `http-0503`).
        let status = |digits: &str| -> Option<u16> {
            if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            digits.parse().ok()
        };
        if let Some(digits) = key.strip_prefix("proxy-") {
            let s = status(digits)?;
            return is_proxy_failure_status(s).then_some(Trigger::ProxyHttp(s));
        }
        let s = status(key.strip_prefix("http-")?)?;
        is_failure_status(s).then_some(Trigger::Http(s))
    }

    /// Whether this ends an attempt before the WebSocket opened (an HTTP
    /// answer, DNS, refused, timeout, TLS, a reply that is not HTTP), as
    /// opposed to a close code or a cause that ends an open connection.
    pub fn before_open(self) -> bool {
        match self {
            Trigger::Http(_)
            | Trigger::Dns
            | Trigger::Refused
            | Trigger::Timeout
            | Trigger::Tls
            | Trigger::NotHttp
            | Trigger::ProxyDns
            | Trigger::ProxyRefused
            | Trigger::ProxyTimeout
            | Trigger::ProxyTls
            | Trigger::ProxyHttp(_)
            | Trigger::ProxyAuth
            | Trigger::ProxySocks
            | Trigger::ProxyProtocol => true,
            Trigger::Code(_)
            | Trigger::User
            | Trigger::Liveness
            | Trigger::Violation
            | Trigger::Capacity => false,
        }
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
            Trigger::ProxyDns => "proxy name did not resolve".into(),
            Trigger::ProxyRefused => "proxy refused the connection".into(),
            Trigger::ProxyTimeout => "proxy did not answer in time".into(),
            Trigger::ProxyTls => "TLS to the proxy failed".into(),
            Trigger::ProxyHttp(s) => format!("proxy HTTP {s}"),
            Trigger::ProxyAuth => "SOCKS5 proxy refused the credentials".into(),
            Trigger::ProxySocks => "SOCKS5 proxy could not connect".into(),
            Trigger::ProxyProtocol => "proxy answer not understood".into(),
        }
    }
}

/// One name for a [`Trigger`] that is not a close code: how users, policy
/// files and views write it, and what it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureName {
    /// The name as written (`dns`, `not-http`).
    pub name: &'static str,
    /// The trigger it stands for.
    pub trigger: Trigger,
    /// One line saying what it means, for help texts.
    pub description: &'static str,
}

/// How HTTP statuses are named: `http-` and the three digits (`http-503`).
/// They are a family rather than rows of [`FAILURE_NAMES`].
pub const HTTP_NAME: FailureNamePattern = FailureNamePattern {
    pattern: "http-NNN",
    example: "http-503",
    description: "the upgrade was answered with HTTP status NNN (100-599) instead of 101",
};

/// How a proxy's HTTP statuses are named: `proxy-` and the three digits
/// (`proxy-407`), a family like [`HTTP_NAME`].
pub const PROXY_NAME: FailureNamePattern = FailureNamePattern {
    pattern: "proxy-NNN",
    example: "proxy-407",
    description: "the proxy answered CONNECT with HTTP status NNN (300-599) instead of 2xx",
};

/// A family of failure names, such as [`HTTP_NAME`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureNamePattern {
    /// The pattern as shown to people (`http-NNN`).
    pub pattern: &'static str,
    /// One real name of the family (`http-503`).
    pub example: &'static str,
    /// One line saying what it means, for help texts.
    pub description: &'static str,
}

/// Every failure with a fixed name, in display order: first what ends an
/// attempt before the WebSocket opens, then what ends an open connection.
/// `explain`, `codes`, `policy simulate`, the policy file's `[failures]`
/// keys and every view read their names from here (with [`HTTP_NAME`]).
pub const FAILURE_NAMES: [FailureName; 16] = [
    FailureName {
        name: "dns",
        trigger: Trigger::Dns,
        description: "the host name did not resolve",
    },
    FailureName {
        name: "refused",
        trigger: Trigger::Refused,
        description: "nothing accepted the TCP connection on that port",
    },
    FailureName {
        name: "timeout",
        trigger: Trigger::Timeout,
        description: "connecting took longer than the connect timeout",
    },
    FailureName {
        name: "tls",
        trigger: Trigger::Tls,
        description: "the TLS handshake failed (derived close 1015)",
    },
    FailureName {
        name: "not-http",
        trigger: Trigger::NotHttp,
        description: "the reply to the upgrade request was not HTTP at all",
    },
    FailureName {
        name: "proxy-dns",
        trigger: Trigger::ProxyDns,
        description: "the proxy's host name did not resolve",
    },
    FailureName {
        name: "proxy-refused",
        trigger: Trigger::ProxyRefused,
        description: "nothing accepted the TCP connection to the proxy",
    },
    FailureName {
        name: "proxy-timeout",
        trigger: Trigger::ProxyTimeout,
        description: "the proxy did not answer within the connect timeout",
    },
    FailureName {
        name: "proxy-tls",
        trigger: Trigger::ProxyTls,
        description: "the TLS handshake with an https:// proxy failed",
    },
    FailureName {
        name: "proxy-auth",
        trigger: Trigger::ProxyAuth,
        description: "the SOCKS5 proxy refused the credentials, or wants some",
    },
    FailureName {
        name: "proxy-socks",
        trigger: Trigger::ProxySocks,
        description: "the SOCKS5 proxy could not open the tunnel to the endpoint",
    },
    FailureName {
        name: "proxy-protocol",
        trigger: Trigger::ProxyProtocol,
        description: "the proxy's answer was not the protocol its URL names",
    },
    FailureName {
        name: "liveness",
        trigger: Trigger::Liveness,
        description: "nothing arrived within the ping timeout (derived close 1006)",
    },
    FailureName {
        name: "protocol-violation",
        trigger: Trigger::Violation,
        description: "the server broke RFC 6455; wsprobe closed with 1002 or 1007",
    },
    FailureName {
        name: "capacity",
        trigger: Trigger::Capacity,
        description: "a message was over --max-message-size; wsprobe closed with 1009",
    },
    FailureName {
        name: "user",
        trigger: Trigger::User,
        description: "you (or --duration) ended the connection",
    },
];

/// Whether `http-{status}` is a failure name: any status from 100 to 599
/// except 101, which is the upgrade succeeding.
pub fn is_failure_status(status: u16) -> bool {
    (100..=599).contains(&status) && status != 101
}

/// Whether `proxy-{status}` is a failure name: a status from 300 to 599
/// (any 2xx opens the tunnel; 1xx answers are interim).
pub fn is_proxy_failure_status(status: u16) -> bool {
    (300..=599).contains(&status)
}

/// Every trigger that has a failure name: each HTTP status of [`HTTP_NAME`],
/// each proxy status of [`PROXY_NAME`], then the rows of [`FAILURE_NAMES`].
pub fn all_failures() -> impl Iterator<Item = Trigger> {
    (100..=599)
        .filter(|s| is_failure_status(*s))
        .map(Trigger::Http)
        .chain(
            (300..=599)
                .filter(|s| is_proxy_failure_status(*s))
                .map(Trigger::ProxyHttp),
        )
        .chain(FAILURE_NAMES.iter().map(|f| f.trigger))
}

/// The accepted failure names in one line, for error messages:
/// `http-NNN (such as http-503), dns, refused, …, user`.
pub fn failure_names_text() -> String {
    let mut names = vec![
        format!(
            "{} (an HTTP status other than 101, such as {})",
            HTTP_NAME.pattern, HTTP_NAME.example
        ),
        format!(
            "{} (a proxy's HTTP status from 300 to 599, such as {})",
            PROXY_NAME.pattern, PROXY_NAME.example
        ),
    ];
    names.extend(FAILURE_NAMES.iter().map(|f| f.name.to_string()));
    names.join(", ")
}

/// The accepted failure names, one per line with what each means, indented
/// by `indent` spaces, for help texts.
pub fn failure_names_help(indent: usize) -> String {
    let rows = [
        (HTTP_NAME.pattern, HTTP_NAME.description),
        (PROXY_NAME.pattern, PROXY_NAME.description),
    ]
    .into_iter()
    .chain(FAILURE_NAMES.iter().map(|f| (f.name, f.description)));
    let width = rows.clone().map(|(n, _)| n.len()).max().unwrap_or(0);
    let pad = " ".repeat(indent);
    let mut out = String::new();
    for (name, what) in rows {
        // Writing to a String cannot fail.
        let _ = writeln!(out, "{pad}{name:<width$}  {what}");
    }
    out
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
        // A proxy that wants credentials, or refuses these, is asked the
        // same way next time; one that could not reach the endpoint may
        // manage later.
        Trigger::ProxyHttp(status) => match status {
            401 | 403 | 407 => Class::Auth,
            429 | 503 => Class::TryAgainLater,
            500..=599 => Class::Abnormal,
            _ => Class::Fatal,
        },
        Trigger::Dns
        | Trigger::Refused
        | Trigger::Timeout
        | Trigger::Liveness
        | Trigger::ProxyDns
        | Trigger::ProxyRefused
        | Trigger::ProxyTimeout
        | Trigger::ProxySocks => Class::Abnormal,
        Trigger::ProxyAuth => Class::Auth,
        Trigger::Tls
        | Trigger::NotHttp
        | Trigger::Violation
        | Trigger::Capacity
        | Trigger::ProxyTls
        | Trigger::ProxyProtocol => Class::Fatal,
    }
}

#[cfg(test)]
mod tests;
