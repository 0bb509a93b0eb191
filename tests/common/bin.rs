//! Running the built binary with a timeout.

use serde_json::Value;

use super::{check, within};

/// The outcome of one run of the built binary.
pub struct BinRun {
    /// The exit status (`None` when killed by a signal).
    pub status: Option<i32>,
    /// Everything on stdout.
    pub stdout: Vec<u8>,
    /// Everything on stderr.
    pub stderr: String,
}

impl BinRun {
    /// stdout as text.
    pub fn out(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// How many line ends stdout has.
    pub fn newlines(&self) -> usize {
        self.out().matches('\n').count()
    }

    /// stdout parsed as JSON lines, checked against the invariants; the
    /// leading `session` record (which has no `seq`) is left out.
    pub fn json(&self) -> Vec<Value> {
        let mut events: Vec<Value> = self
            .out()
            .lines()
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("not a JSON line ({e}): {l:?}\n{}", self.out()))
            })
            .collect();
        if events.first().is_some_and(|e| e["kind"] == "session") {
            events.remove(0);
        }
        check(&events);
        events
    }
}

/// Runs `wsprobe ARGS` with a timeout of [`STEP`](super::STEP); the process is killed if
/// the test gives up on it.
pub async fn run_bin(args: &[&str]) -> BinRun {
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_wsprobe"))
        .args(args)
        .env_remove("RUST_LOG")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let out = within(
        &format!("wsprobe {}", args.join(" ")),
        child.wait_with_output(),
    )
    .await
    .expect("the binary runs");
    BinRun {
        status: out.status.code(),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
