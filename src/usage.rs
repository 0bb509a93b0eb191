//! Usage errors: bad input from the user, which exits with status 2.

use std::fmt;

/// A problem with what the user typed or gave us (a flag, a URL, a file).
/// `main` turns it into exit status 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl UsageError {
    /// A usage error with this message.
    pub fn new(msg: impl Into<String>) -> Self {
        Self(msg.into())
    }
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

impl From<crate::engine::error::EngineError> for UsageError {
    fn from(e: crate::engine::error::EngineError) -> Self {
        Self(e.to_string())
    }
}
