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
    /// The message with every control character escaped except its own line
    /// breaks: usage errors quote arguments and files, and an escape
    /// sequence in one must not retitle or clear the terminal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, line) in self.0.split('\n').enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            f.write_str(&crate::text::escape(line))?;
        }
        Ok(())
    }
}

impl std::error::Error for UsageError {}

impl From<crate::engine::error::EngineError> for UsageError {
    fn from(e: crate::engine::error::EngineError) -> Self {
        Self(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_input_cannot_steer_the_terminal() {
        let e = UsageError::new("bad `\x1b]0;t\x07`\n  (see help)");
        assert_eq!(e.to_string(), "bad `\\x1b]0;t\\x07`\n  (see help)");
    }
}
