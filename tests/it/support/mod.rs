//! Shared helpers for the integration tests: hand-written servers on
//! 127.0.0.1:0 ([`server`]) and the frames they send and read ([`frame`]), engine runs with an event collector whose every
//! wait has a timeout ([`probe`]), the checker of the SPEC §2 invariants
//! ([`check`]), accessors for events as JSON ([`json`]), a runner for the
//! built binary ([`bin`]), a raw client for the scenario server
//! ([`scenario`]), a program in a pseudo-terminal ([`pty`]) and TUI states
//! built by script ([`tui`]).

pub mod bin;
pub mod check;
pub mod frame;
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
pub use frame::*;
pub use json::*;
pub use probe::*;
pub use server::*;

/// The longest anything in a test may take before the test fails: an
/// await, a whole engine run (one that keeps reconnecting would otherwise
/// never end), a run of the binary, a screen to show in a pseudo-terminal.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Awaits `fut`, failing the test with `what` when it takes longer than
/// [`TIMEOUT`].
pub async fn within<T>(what: &str, fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(TIMEOUT, fut)
        .await
        .unwrap_or_else(|_| panic!("timed out after {TIMEOUT:?} waiting for {what}"))
}
