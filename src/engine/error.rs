//! The engine's own errors: settings that cannot work. Failures of a
//! connection are never errors; they are events on the timeline.

/// Why the engine could not take its input or could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// The endpoint URL cannot be used.
    #[error("{0}")]
    Url(String),
    /// A request header cannot be sent.
    #[error("{0}")]
    Header(String),
    /// A certificate, key or trust setting cannot be used.
    #[error("{0}")]
    Tls(String),
}

impl EngineError {
    /// A bad URL, with what to write instead.
    pub fn url(msg: impl Into<String>) -> Self {
        Self::Url(msg.into())
    }

    /// A bad header, with what to write instead.
    pub fn header(msg: impl Into<String>) -> Self {
        Self::Header(msg.into())
    }

    /// An unusable TLS setting, with what to give instead.
    pub fn tls(msg: impl Into<String>) -> Self {
        Self::Tls(msg.into())
    }
}
