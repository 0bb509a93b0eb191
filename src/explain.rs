//! Text and JSON for `wsprobe codes` and `wsprobe explain`, formatted from the
//! close-code catalog and the policy.

use crate::cli::{CodesArgs, ExplainArgs};
use crate::engine::policy::Policy;
use crate::usage::UsageError;

/// The output of `wsprobe codes`.
pub fn codes(args: &CodesArgs, policy: &Policy) -> String {
    let _ = (args, policy);
    String::new()
}

/// The output of `wsprobe explain`; bad codes are usage errors.
pub fn explain(args: &ExplainArgs, policy: &Policy) -> Result<String, UsageError> {
    let _ = (args, policy);
    Ok(String::new())
}
