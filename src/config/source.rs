//! Where a setting came from, and the environment as one snapshot.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use crate::text::escape;
use crate::usage::UsageError;

/// The environment, read once (only variables whose name and value are
/// UTF-8), so that tests can hand in their own.
#[derive(Debug, Clone, Default)]
pub struct Env(BTreeMap<String, String>);

impl Env {
    /// This process's environment.
    pub fn from_process() -> Env {
        Env(std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect())
    }

    /// An environment made of these pairs.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Env {
        Env(pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect())
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The value of `name` when set and not empty (an empty `WSPROBE_X=`
    /// counts as unset, as shells make it easy to write by accident).
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }
}

/// The layer a setting's value came from, highest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A flag (or the URL argument) on the command line.
    Cli(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// A saved endpoint, `[endpoint.NAME]` in the config file.
    Endpoint {
        /// The endpoint's name.
        name: String,
        /// The config file.
        path: PathBuf,
        /// The line of the key.
        line: usize,
        /// The dotted key (`endpoint.staging.policy`).
        key: String,
    },
    /// The config file's top level.
    File {
        /// The config file.
        path: PathBuf,
        /// The line of the key.
        line: usize,
        /// The key.
        key: String,
    },
    /// The policy file (ping interval and timeout).
    Policy(PathBuf),
    /// wsprobe's own default.
    BuiltIn,
}

impl Source {
    /// The usage error for a bad value from here: `--flag message`,
    /// `WSPROBE_X message`, or `bad config file FILE:LINE: key: message`.
    /// The message is escaped: it may quote the value.
    pub fn complain(&self, message: &str) -> UsageError {
        let message = escape(message);
        UsageError::new(match self {
            Source::Cli(flag) => format!("{flag} {message}"),
            Source::Env(var) => format!("{var} {message}"),
            Source::Endpoint {
                path, line, key, ..
            }
            | Source::File { path, line, key } => format!(
                "bad config file {}:{line}: {}: {message}",
                escape(&path.display().to_string()),
                escape(key)
            ),
            Source::Policy(path) => format!(
                "policy file {}: {message}",
                escape(&path.display().to_string())
            ),
            Source::BuiltIn => format!("the built-in default {message}"),
        })
    }

    /// Where the value was written, for messages: `--flag`, `WSPROBE_X`,
    /// `FILE:LINE: key`.
    pub fn place(&self) -> String {
        match self {
            Source::Cli(flag) => (*flag).to_string(),
            Source::Env(var) => (*var).to_string(),
            Source::Endpoint {
                path, line, key, ..
            }
            | Source::File { path, line, key } => format!(
                "{}:{line}: {}",
                escape(&path.display().to_string()),
                escape(key)
            ),
            Source::Policy(path) => escape(&path.display().to_string()).into_owned(),
            Source::BuiltIn => "the built-in default".into(),
        }
    }

    /// True for the built-in default.
    pub fn is_built_in(&self) -> bool {
        *self == Source::BuiltIn
    }
}

/// How `config show` names a source: `cli`, `env WSPROBE_X`, `endpoint
/// staging`, `file PATH`, `policy PATH`, `built-in`.
impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Cli(_) => f.write_str("cli"),
            Source::Env(var) => write!(f, "env {var}"),
            Source::Endpoint { name, .. } => write!(f, "endpoint {}", escape(name)),
            Source::File { path, .. } => {
                write!(f, "file {}", escape(&path.display().to_string()))
            }
            Source::Policy(path) => write!(f, "policy {}", escape(&path.display().to_string())),
            Source::BuiltIn => f.write_str("built-in"),
        }
    }
}

/// A value and the layer it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Where it came from.
    pub source: Source,
}

impl<T> Sourced<T> {
    /// A value from `source`.
    pub fn new(value: T, source: Source) -> Self {
        Self { value, source }
    }

    /// A built-in default.
    pub fn built_in(value: T) -> Self {
        Self::new(value, Source::BuiltIn)
    }
}
