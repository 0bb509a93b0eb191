//! What the integration tests share. Every wait is bounded by [`TIMEOUT`];
//! [`within`] bounds an await.
//!
//! - [`server`]: hand-written servers on 127.0.0.1:0, and [`frame`]: the
//!   one codec for the frames servers and clients send and read by hand;
//! - [`probe`]: engine runs, collecting events with a timeout on each;
//!   [`check`]: the checker of the SPEC §2 invariants; [`json`]: events as
//!   JSON values;
//! - [`bin`]: the one way to run the built binary ([`Bin`]): to its end,
//!   or spawned with its stdout read line by line;
//! - [`scenario`]: a raw client for the scenario server, and the server on
//!   a runtime of its own;
//! - [`pty`]: a program in a pseudo-terminal, its screen emulated;
//! - [`tui`]: TUI states built by script, and rendered.

pub mod bin;
pub mod check;
pub mod frame;
pub mod json;
pub mod pki;
pub mod probe;
pub mod proxies;
pub mod pty;
pub mod record;
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

/// A config directory that does not exist: every program the tests run
/// gets it as `XDG_CONFIG_HOME`, and no `WSPROBE_*` variable, so the
/// config file and themes of whoever runs the tests change nothing.
pub fn no_config_home() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-config-home")
}

/// The `WSPROBE_*` variables set where the tests run, to be removed from
/// the programs they start.
pub fn wsprobe_vars() -> Vec<String> {
    std::env::vars_os()
        .filter_map(|(k, _)| k.into_string().ok())
        .filter(|k| k.starts_with("WSPROBE_"))
        .collect()
}

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
