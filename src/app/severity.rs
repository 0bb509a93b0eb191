//! One severity per outcome, read from the class the engine's policy
//! concluded: the timeline, the status bar and the panels colour an ending
//! alike, and none of them classifies anything again.

use crate::engine::policy::Class;

/// How an ending is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Over on purpose: nothing to do.
    Ok,
    /// It will be retried.
    Warn,
    /// Retrying cannot help: fatal, auth.
    Error,
}

/// The severity of an ending of class `class`.
pub fn severity(class: Class) -> Severity {
    match class {
        Class::Done => Severity::Ok,
        Class::GoingAway
        | Class::Abnormal
        | Class::ServiceRestart
        | Class::TryAgainLater
        | Class::ServerError => Severity::Warn,
        Class::Fatal | Class::Auth => Severity::Error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn done_is_ok_retried_is_warn_fatal_and_auth_are_errors() {
        for class in Class::ALL {
            let expected = match class {
                Class::Done => Severity::Ok,
                Class::Fatal | Class::Auth => Severity::Error,
                _ => Severity::Warn,
            };
            assert_eq!(severity(class), expected, "{class}");
        }
    }
}
