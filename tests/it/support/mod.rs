//! Shared helpers for the integration tests: hand-written servers on
//! 127.0.0.1:0 ([`server`]), engine runs with an event collector whose every
//! wait has a timeout ([`probe`]), the checker of the SPEC §2 invariants
//! ([`check`]), accessors for events as JSON ([`json`]), a runner for the
//! built binary ([`bin`]), a raw client for the scenario server
//! ([`scenario`]), a program in a pseudo-terminal ([`pty`]) and TUI states
//! built by script ([`tui`]).

#![allow(
    dead_code,
    unused_imports,
    reason = "each test file uses a different part"
)]

pub mod bin;
pub mod check;
pub mod json;
pub mod probe;
pub mod pty;
pub mod scenario;
pub mod server;
pub mod tui;

use std::future::Future;
use std::time::Duration;

pub use bin::*;
pub use check::*;
pub use json::*;
pub use probe::*;
pub use server::*;

/// The longest any single wait in a test may take before it fails.
pub const STEP: Duration = Duration::from_secs(5);

/// The longest a whole engine run may take in a test (a run that keeps
/// reconnecting would otherwise never end).
pub const RUN_LIMIT: Duration = Duration::from_secs(10);

/// Awaits `fut`, failing the test with `what` when it takes longer than [`STEP`].
pub async fn within<T>(what: &str, fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(STEP, fut)
        .await
        .unwrap_or_else(|_| panic!("timed out after {STEP:?} waiting for {what}"))
}
