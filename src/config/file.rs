//! `config.toml`: the defaults of every connection and display option, and
//! the saved endpoints (`[endpoint.NAME]`). Which file is read, and errors
//! that name the file, the line and the dotted key, as the policy file's do.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::de::{DeTable, DeValue};

use crate::cli::ColorWhen;
use crate::duration::Dur;
use crate::engine::policy::Preset;
use crate::text::escape;
use crate::usage::UsageError;

use super::source::Env;

/// The file as written: kebab-case keys, every one optional, none unknown.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    /// `--theme`: a built-in name, a name in `<config dir>/themes/`, or a file.
    pub theme: Option<String>,
    /// `--history`: how many events the TUI keeps.
    pub history: Option<usize>,
    /// `--color`: auto, always or never.
    pub color: Option<ColorWhen>,
    /// The TUI's clock (for `--clock`; kept as written).
    pub clock: Option<String>,
    /// Mouse capture in the TUI (for `--no-mouse`).
    pub mouse: Option<bool>,
    /// `--ping-interval`.
    pub ping_interval: Option<Dur>,
    /// `--ping-timeout`.
    pub ping_timeout: Option<Dur>,
    /// `--connect-timeout`.
    pub connect_timeout: Option<Dur>,
    /// `--max-message-size`, in bytes.
    pub max_message_size: Option<usize>,
    /// `--policy`: a policy file, relative to this file's directory.
    pub policy: Option<PathBuf>,
    /// `--preset`.
    pub preset: Option<Preset>,
    /// The proxy to connect through (for `--proxy`; kept as written).
    pub proxy: Option<String>,
    /// Saved endpoints, by name: `wsprobe @NAME`.
    pub endpoint: BTreeMap<String, EndpointFile>,
}

/// The connection options that the file's top level and each endpoint
/// may set, borrowed from either.
#[derive(Debug, Clone, Copy)]
pub struct ConnectDefaults<'a> {
    /// `ping-interval`.
    pub ping_interval: Option<Dur>,
    /// `ping-timeout`.
    pub ping_timeout: Option<Dur>,
    /// `connect-timeout`.
    pub connect_timeout: Option<Dur>,
    /// `max-message-size`.
    pub max_message_size: Option<usize>,
    /// `policy`, as written.
    pub policy: Option<&'a Path>,
    /// `preset`.
    pub preset: Option<Preset>,
    /// `proxy`.
    pub proxy: Option<&'a str>,
}

macro_rules! connect_defaults {
    ($t:ty) => {
        impl $t {
            /// Its connection options.
            pub fn connect(&self) -> ConnectDefaults<'_> {
                ConnectDefaults {
                    ping_interval: self.ping_interval,
                    ping_timeout: self.ping_timeout,
                    connect_timeout: self.connect_timeout,
                    max_message_size: self.max_message_size,
                    policy: self.policy.as_deref(),
                    preset: self.preset,
                    proxy: self.proxy.as_deref(),
                }
            }
        }
    };
}

connect_defaults!(ConfigFile);
connect_defaults!(EndpointFile);

/// One saved endpoint.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct EndpointFile {
    /// The URL (required).
    pub url: Option<String>,
    /// Request headers; a value may name environment variables: `"Bearer ${TOKEN}"`.
    pub headers: BTreeMap<String, String>,
    /// Subprotocols offered.
    pub protocols: Vec<String>,
    /// The Origin header.
    pub origin: Option<String>,
    /// A PEM CA certificate to trust, relative to this file's directory.
    pub cacert: Option<PathBuf>,
    /// A client certificate (PEM), relative to this file's directory.
    pub cert: Option<PathBuf>,
    /// The client certificate's private key (PEM).
    pub key: Option<PathBuf>,
    /// `--ping-interval`.
    pub ping_interval: Option<Dur>,
    /// `--ping-timeout`.
    pub ping_timeout: Option<Dur>,
    /// `--connect-timeout`.
    pub connect_timeout: Option<Dur>,
    /// `--max-message-size`, in bytes.
    pub max_message_size: Option<usize>,
    /// `--policy`: a policy file, relative to this file's directory.
    pub policy: Option<PathBuf>,
    /// `--preset`.
    pub preset: Option<Preset>,
    /// The proxy to connect through (for `--proxy`; kept as written).
    pub proxy: Option<String>,
}

/// A config file that was found and parsed.
#[derive(Debug, Clone)]
pub struct LoadedFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// What it says.
    pub file: ConfigFile,
    /// The line of every dotted key (`endpoint.staging.url` → 12).
    lines: BTreeMap<String, usize>,
}

/// Which file to read: `--no-config`, then `--config`, then
/// `WSPROBE_CONFIG`, then `<config dir>/config.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// No file at all (`--no-config`).
    None,
    /// A file the user named (`--config` or `WSPROBE_CONFIG`): it must exist.
    Named {
        /// The file.
        path: PathBuf,
        /// `--config` or `WSPROBE_CONFIG`, for messages.
        by: &'static str,
    },
    /// The default file, which may well not exist.
    Default(PathBuf),
}

impl Choice {
    /// Decides which file is read.
    pub fn pick(flag: Option<&Path>, no_config: bool, env: &Env) -> Choice {
        if no_config {
            Choice::None
        } else if let Some(path) = flag {
            Choice::Named {
                path: path.to_path_buf(),
                by: "--config",
            }
        } else if let Some(path) = env.get("WSPROBE_CONFIG").filter(|v| !v.is_empty()) {
            Choice::Named {
                path: PathBuf::from(path),
                by: "WSPROBE_CONFIG",
            }
        } else {
            crate::paths::config_file().map_or(Choice::None, Choice::Default)
        }
    }

    /// The path this choice reads, if any.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Choice::None => None,
            Choice::Named { path, .. } | Choice::Default(path) => Some(path),
        }
    }

    /// Reads and parses the file; `None` when there is none to read (the
    /// default file missing is fine, a named one missing is an error).
    pub fn load(&self) -> Result<Option<LoadedFile>, UsageError> {
        let (path, by) = match self {
            Choice::None => return Ok(None),
            Choice::Named { path, by } => (path, Some(*by)),
            Choice::Default(path) => (path, None),
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && by.is_none() => {
                return Ok(None);
            }
            Err(e) => {
                let shown = escape(&path.display().to_string()).into_owned();
                let why = by.map_or_else(String::new, |by| format!(" (named by {by})"));
                return Err(UsageError::new(format!(
                    "config file {shown}{why}: cannot read it ({e}); \
                     give an existing file, or --no-config to read none"
                )));
            }
        };
        parse(path, &text).map(Some)
    }
}

/// Parses config TOML; `path` names it in errors and anchors relative paths.
pub fn parse(path: &Path, text: &str) -> Result<LoadedFile, UsageError> {
    let shown = path.display().to_string();
    let file: ConfigFile = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let key = key_at(text, offset);
        let message = e
            .message()
            .trim()
            .replace("expected usize", "expected a whole number");
        file_error(&shown, line_of(text, offset), &key, &message)
    })?;
    let lines = key_lines(text);
    let loaded = LoadedFile {
        path: path.to_path_buf(),
        file,
        lines,
    };
    loaded.check()?;
    Ok(loaded)
}

impl LoadedFile {
    /// The 1-based line where `dotted` is written (0 when it is not).
    pub fn line(&self, dotted: &str) -> usize {
        self.lines.get(dotted).copied().unwrap_or(0)
    }

    /// An error about `dotted`: `FILE:LINE: dotted: message`, escaped.
    pub fn error(&self, dotted: &str, message: &str) -> UsageError {
        file_error(
            &self.path.display().to_string(),
            self.line(dotted),
            dotted,
            message,
        )
    }

    /// A path written in the file, taken relative to the file's directory.
    pub fn resolve_path(&self, written: &Path) -> PathBuf {
        if written.is_absolute() {
            written.to_path_buf()
        } else {
            self.path
                .parent()
                .unwrap_or_else(|| Path::new(""))
                .join(written)
        }
    }

    /// What can be checked without the environment: endpoint names and URLs.
    fn check(&self) -> Result<(), UsageError> {
        for (name, endpoint) in &self.file.endpoint {
            let at = format!("endpoint.{name}");
            if !valid_name(name) {
                return Err(self.error(
                    &at,
                    "an endpoint name is letters, digits, `-`, `_` and `.` (used as @NAME)",
                ));
            }
            if endpoint.url.is_none() {
                return Err(self.error(
                    &at,
                    "this endpoint has no url; add url = \"wss://host/path\"",
                ));
            }
        }
        Ok(())
    }
}

/// Whether `name` can follow `@` on a command line without quoting.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// `FILE:LINE: key: message` with everything from the file escaped.
fn file_error(file: &str, line: usize, key: &str, message: &str) -> UsageError {
    UsageError::new(format!(
        "bad config file {}:{line}: {}: {}",
        escape(file),
        escape(key),
        escape(message)
    ))
}

fn line_of(text: &str, byte: usize) -> usize {
    text.get(..byte).unwrap_or(text).matches('\n').count() + 1
}

/// Every key of the file, dotted, with the byte ranges of the key and its
/// value.
fn walk(text: &str) -> Vec<(String, std::ops::Range<usize>, std::ops::Range<usize>)> {
    fn visit(
        table: &DeTable<'_>,
        prefix: &str,
        out: &mut Vec<(String, std::ops::Range<usize>, std::ops::Range<usize>)>,
    ) {
        for (key, value) in table {
            let dotted = if prefix.is_empty() {
                key.get_ref().to_string()
            } else {
                format!("{prefix}.{}", key.get_ref())
            };
            out.push((dotted.clone(), key.span(), value.span()));
            if let DeValue::Table(inner) = value.get_ref() {
                visit(inner, &dotted, out);
            }
        }
    }
    let mut out = Vec::new();
    if let Ok(table) = DeTable::parse(text) {
        visit(table.get_ref(), "", &mut out);
    }
    out
}

/// The line of each dotted key.
fn key_lines(text: &str) -> BTreeMap<String, usize> {
    walk(text)
        .into_iter()
        .map(|(key, span, _)| (key, line_of(text, span.start)))
        .collect()
}

/// The deepest dotted key whose key or value covers byte `offset`, or `-`.
fn key_at(text: &str, offset: usize) -> String {
    walk(text)
        .into_iter()
        .filter(|(_, key, value)| {
            key.contains(&offset) || value.contains(&offset) || key.start == offset
        })
        .max_by_key(|(dotted, _, _)| dotted.matches('.').count())
        .map_or_else(|| "-".to_string(), |(dotted, _, _)| dotted)
}
