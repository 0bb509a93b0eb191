//! The policy classes of SPEC §4 and their names.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The policy classes of SPEC §4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// The session is over on purpose: stop.
    Done,
    /// The server is draining or shutting down: reconnect soon.
    GoingAway,
    /// The transport failed: reconnect with backoff.
    Abnormal,
    /// The server restarts: a short uniform first delay.
    ServiceRestart,
    /// The server is overloaded: back off with a guaranteed minimum.
    TryAgainLater,
    /// The server crashed on something: bounded retries.
    ServerError,
    /// Retrying sends the same bytes and fails again: stop, fix first.
    Fatal,
    /// Credentials or permissions: stop.
    Auth,
}

impl Class {
    /// Every class, in table order.
    pub const ALL: [Class; 8] = [
        Class::Done,
        Class::GoingAway,
        Class::Abnormal,
        Class::ServiceRestart,
        Class::TryAgainLater,
        Class::ServerError,
        Class::Fatal,
        Class::Auth,
    ];

    /// The key used in policy files (`going-away`).
    pub fn key(self) -> &'static str {
        match self {
            Class::Done => "done",
            Class::GoingAway => "going-away",
            Class::Abnormal => "abnormal",
            Class::ServiceRestart => "service-restart",
            Class::TryAgainLater => "try-again-later",
            Class::ServerError => "server-error",
            Class::Fatal => "fatal",
            Class::Auth => "auth",
        }
    }

    /// The label people read (`going away`).
    pub fn label(self) -> &'static str {
        match self {
            Class::Done => "done",
            Class::GoingAway => "going away",
            Class::Abnormal => "abnormal",
            Class::ServiceRestart => "service restart",
            Class::TryAgainLater => "try again later",
            Class::ServerError => "server error",
            Class::Fatal => "fatal",
            Class::Auth => "auth",
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
