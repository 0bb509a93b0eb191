//! Scenarios and their URL paths: what the server does to one connection,
//! chosen by the path it asks for.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::duration::{format_duration, parse_duration};

/// The longest reason a Close frame can carry: 125 payload bytes minus the
/// two bytes of the code.
pub const MAX_REASON_BYTES: usize = 123;

/// The largest `/flood` message size accepted (bytes), so one request cannot
/// make the server allocate without bound.
pub const MAX_FLOOD_SIZE: usize = 128 * 1024 * 1024;

/// How a `/cycle` connection ends, in order; each new connection to `/cycle`
/// gets the next one (the position is kept per server, across reconnects).
pub const CYCLE: [Scenario; 5] = [
    Scenario::Restart,
    Scenario::Overload,
    Scenario::Drop,
    Scenario::GoingAway,
    Scenario::Normal,
];

/// What the server does to one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scenario {
    /// `/echo`: echo text and binary messages; pings are answered.
    Echo,
    /// `/normal`: close with 1000 right after the handshake.
    Normal,
    /// `/going-away`: close with 1001 right after the handshake.
    GoingAway,
    /// `/close/{code}?reason=TEXT&after=DUR` and `/close/empty`.
    Close(CloseSpec),
    /// `/restart`: close with 1012, stop listening for the restart downtime,
    /// then listen again on the same port.
    Restart,
    /// `/overload`: close with 1013; handshakes during the overload window
    /// answer HTTP 503 with Retry-After.
    Overload,
    /// `/reject/{status}`: answer the upgrade with this HTTP status.
    Reject(u16),
    /// `/drop`: send one message, then reset the TCP connection (no Close frame).
    Drop,
    /// `/silent`: never send a frame, never answer a ping.
    Silent,
    /// `/flood?n=N&size=B`: N text messages of B bytes at full speed, then 1000.
    Flood {
        /// How many messages.
        count: u64,
        /// Bytes per message.
        size: usize,
    },
    /// `/cycle`: echo for the phase with a tick each second, then end the way
    /// the next step of [`CYCLE`] says.
    Cycle,
    /// `/deploy?code=C`: every phase, close all open connections of this
    /// path at once with `code` (default 1012), answer handshakes with 503
    /// for the restart downtime, then accept again.
    Deploy {
        /// The close code of each wave.
        code: u16,
    },
    /// `/rolling?batches=K&code=C`: close the connections in K batches, one
    /// batch per phase (each connection joins the next batch in turn).
    Rolling {
        /// How many batches.
        batches: u32,
        /// The close code of each wave.
        code: u16,
    },
    /// `/capacity?max=M`: hold up to M connections open; handshakes beyond
    /// that answer 503 with Retry-After.
    Capacity {
        /// The most connections open at once.
        max: u32,
    },
}

/// The Close frame a `/close/...` connection gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseSpec {
    /// The code on the wire; `None` sends a Close frame with an empty body
    /// (the client then reports 1005).
    pub code: Option<u16>,
    /// The reason text, at most [`MAX_REASON_BYTES`] bytes (longer input is
    /// cut at a character boundary).
    pub reason: String,
    /// How long to echo before closing.
    pub after: Duration,
}

/// What a request target names: the root (which does the default
/// scenario) or a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `/`: the server's default scenario.
    Root,
    /// Any other known path.
    Scenario(Scenario),
}

/// Why a request target names no scenario.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    /// No scenario lives at this path (HTTP 404).
    #[error("there is no scenario at `{0}`")]
    NotFound(String),
    /// The path names a scenario but a part of it is invalid (HTTP 400).
    #[error("{0}")]
    Invalid(String),
}

impl Target {
    /// Parses a request target such as `/close/4000?reason=bye`.
    pub fn parse(target: &str) -> Result<Self, RouteError> {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let trimmed = path.trim_matches('/');
        if trimmed.is_empty() {
            return Ok(Self::Root);
        }
        let segments: Vec<&str> = trimmed.split('/').collect();
        let query: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let param = |name: &str| {
            query
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let scenario = match segments.as_slice() {
            ["echo"] => Scenario::Echo,
            ["normal"] => Scenario::Normal,
            ["going-away"] => Scenario::GoingAway,
            ["restart"] => Scenario::Restart,
            ["overload"] => Scenario::Overload,
            ["drop"] => Scenario::Drop,
            ["silent"] => Scenario::Silent,
            ["cycle"] => Scenario::Cycle,
            ["close"] => {
                return Err(RouteError::Invalid(
                    "`/close` needs a code, e.g. /close/4000 or /close/empty".into(),
                ));
            }
            ["close", code] => Scenario::Close(CloseSpec {
                code: parse_code(code)?,
                reason: truncate_reason(param("reason").unwrap_or("")).to_string(),
                after: match param("after") {
                    Some(v) => {
                        parse_duration(v).map_err(|e| RouteError::Invalid(format!("after: {e}")))?
                    }
                    None => Duration::ZERO,
                },
            }),
            ["reject"] => {
                return Err(RouteError::Invalid(
                    "`/reject` needs an HTTP status, e.g. /reject/503".into(),
                ));
            }
            ["reject", status] => Scenario::Reject(parse_status(status)?),
            ["flood"] => Scenario::Flood {
                count: parse_number(param("n"), "n", 1000, 1_000_000_000)?,
                size: parse_number(param("size"), "size", 32, MAX_FLOOD_SIZE as u64)? as usize,
            },
            ["deploy"] => Scenario::Deploy {
                code: parse_number(param("code"), "code", 1012, 65535)? as u16,
            },
            ["rolling"] => Scenario::Rolling {
                batches: parse_number(param("batches"), "batches", 4, 1000)?.max(1) as u32,
                code: parse_number(param("code"), "code", 1012, 65535)? as u16,
            },
            ["capacity"] => Scenario::Capacity {
                max: parse_number(param("max"), "max", 100, 10_000_000)? as u32,
            },
            _ => return Err(RouteError::NotFound(path.to_string())),
        };
        Ok(Self::Scenario(scenario))
    }
}

fn parse_code(text: &str) -> Result<Option<u16>, RouteError> {
    if text == "empty" {
        return Ok(None);
    }
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(RouteError::Invalid(format!(
            "`{text}` is not a close code: use a number 0-65535, or `empty` for a Close frame without a code"
        )));
    }
    text.parse::<u16>().map(Some).map_err(|_| {
        RouteError::Invalid(format!(
            "close code {text} does not fit in the two bytes of a Close frame: use 0-65535"
        ))
    })
}

fn parse_status(text: &str) -> Result<u16, RouteError> {
    match text.parse::<u16>() {
        Ok(status @ 200..=599) => Ok(status),
        _ => Err(RouteError::Invalid(format!(
            "`{text}` cannot be used as the answer to a handshake: use an HTTP status 200-599"
        ))),
    }
}

fn parse_number(text: Option<&str>, name: &str, default: u64, max: u64) -> Result<u64, RouteError> {
    let Some(text) = text else {
        return Ok(default);
    };
    match text.parse::<u64>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(RouteError::Invalid(format!(
            "{name}={text} is not a number from 0 to {max}"
        ))),
    }
}

/// Cuts `reason` to at most [`MAX_REASON_BYTES`] bytes at a character boundary.
pub fn truncate_reason(reason: &str) -> &str {
    if reason.len() <= MAX_REASON_BYTES {
        return reason;
    }
    let mut end = MAX_REASON_BYTES;
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    &reason[..end]
}

impl Scenario {
    /// The short name used in logs and in `--scenario` (`echo`, `close`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Echo => "echo",
            Self::Normal => "normal",
            Self::GoingAway => "going-away",
            Self::Close(_) => "close",
            Self::Restart => "restart",
            Self::Overload => "overload",
            Self::Reject(_) => "reject",
            Self::Drop => "drop",
            Self::Silent => "silent",
            Self::Flood { .. } => "flood",
            Self::Cycle => "cycle",
            Self::Deploy { .. } => "deploy",
            Self::Rolling { .. } => "rolling",
            Self::Capacity { .. } => "capacity",
        }
    }

    /// The path (with query where needed) that asks for this scenario.
    pub fn path(&self) -> String {
        match self {
            Self::Close(spec) => {
                let code = spec
                    .code
                    .map_or_else(|| "empty".to_string(), |c| c.to_string());
                let mut query = url::form_urlencoded::Serializer::new(String::new());
                if !spec.reason.is_empty() {
                    query.append_pair("reason", &spec.reason);
                }
                if !spec.after.is_zero() {
                    query.append_pair("after", &format_duration(spec.after));
                }
                let query = query.finish();
                if query.is_empty() {
                    format!("/close/{code}")
                } else {
                    format!("/close/{code}?{query}")
                }
            }
            Self::Reject(status) => format!("/reject/{status}"),
            Self::Flood { count, size } => format!("/flood?n={count}&size={size}"),
            Self::Deploy { code: 1012 } => "/deploy".into(),
            Self::Deploy { code } => format!("/deploy?code={code}"),
            Self::Rolling {
                batches,
                code: 1012,
            } => format!("/rolling?batches={batches}"),
            Self::Rolling { batches, code } => format!("/rolling?batches={batches}&code={code}"),
            Self::Capacity { max } => format!("/capacity?max={max}"),
            other => format!("/{}", other.name()),
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

/// Accepts a name (`echo`, `cycle`) or a path with or without the leading
/// slash (`close/4000?reason=bye`, `/reject/503`), as `--scenario` does.
impl FromStr for Scenario {
    type Err = RouteError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let path = format!("/{}", s.trim().trim_start_matches('/'));
        match Target::parse(&path)? {
            Target::Scenario(scenario) => Ok(scenario),
            Target::Root => Err(RouteError::Invalid(
                "an empty scenario name; use echo, cycle, close/4000, …".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests;
