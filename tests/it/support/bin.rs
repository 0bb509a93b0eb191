//! Running the built binary (or an example cargo built next to it): one
//! builder for the arguments and the environment, giving the whole output
//! at the end ([`Bin::run`]) or stdout line by line while the program runs
//! ([`Bin::spawn`]). Stdin is empty, `RUST_LOG` and `WSPROBE_*` are unset,
//! the config directory is one that does not exist, every wait is
//! bounded by [`TIMEOUT`](super::TIMEOUT), and the process is killed if the
//! test gives up on it.

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

use super::{check, no_config_home, within, wsprobe_vars};

/// The `wsprobe` binary cargo built for these tests.
pub fn wsprobe_exe() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_wsprobe"))
}

/// An example cargo built next to the binary (`cargo test` builds them).
pub fn example_exe(name: &str) -> PathBuf {
    let dir = wsprobe_exe().parent().expect("target dir");
    let example = dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        example.exists(),
        "build the example first: {}",
        example.display()
    );
    example
}

/// A program to run, with its arguments and environment.
pub struct Bin {
    command: Command,
    /// The command line, for failure messages.
    what: String,
}

impl Bin {
    /// `wsprobe ARGS`.
    pub fn wsprobe(args: &[&str]) -> Self {
        Self::program(wsprobe_exe(), args)
    }

    /// `PROGRAM ARGS`.
    pub fn program(program: &Path, args: &[&str]) -> Self {
        let mut command = Command::new(program);
        command
            .args(args)
            .env_remove("RUST_LOG")
            .env("XDG_CONFIG_HOME", no_config_home())
            .stdin(Stdio::null())
            .kill_on_drop(true);
        for var in wsprobe_vars() {
            command.env_remove(var);
        }
        let name = program.file_stem().map_or_else(
            || program.display().to_string(),
            |s| s.display().to_string(),
        );
        let what = std::iter::once(name.as_str())
            .chain(args.iter().copied())
            .collect::<Vec<_>>()
            .join(" ");
        Self { command, what }
    }

    /// Sets an environment variable.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.command.env(key, value);
        self
    }

    /// Removes an environment variable.
    pub fn env_remove(mut self, key: &str) -> Self {
        self.command.env_remove(key);
        self
    }

    /// Runs the program in `dir`.
    pub fn current_dir(mut self, dir: &Path) -> Self {
        self.command.current_dir(dir);
        self
    }

    /// Runs the program to its end and returns what it printed and its
    /// exit status.
    pub async fn run(mut self) -> BinRun {
        let child = self
            .command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.what));
        let out = within(&self.what, child.wait_with_output())
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", self.what));
        BinRun {
            status: out.status.code(),
            stdout: out.stdout,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Starts the program and hands over its stdout line by line (its
    /// stderr is dropped).
    pub fn spawn(mut self) -> Running {
        let mut child = self
            .command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.what));
        let stdout = child.stdout.take().expect("piped stdout");
        Running {
            child,
            lines: BufReader::new(stdout).lines(),
            what: self.what,
        }
    }
}

/// The outcome of one run of a program.
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

    /// stdout parsed as JSON lines, checked against the invariants.
    pub fn json(&self) -> Vec<Value> {
        let mut events: Vec<Value> = self
            .out()
            .lines()
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("not a JSON line ({e}): {l:?}\n{}", self.out()))
            })
            .collect();
        // The leading `session` record (it has no `seq`) describes the run.
        if events.first().is_some_and(|e| e["kind"] == "session") {
            events.remove(0);
        }
        check(&events);
        events
    }
}

/// A program started by [`Bin::spawn`], still running.
pub struct Running {
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
    what: String,
}

impl Running {
    /// The next line on stdout; `None` once stdout has ended.
    pub async fn next_line(&mut self) -> Option<String> {
        let what = format!("a line from {}", self.what);
        within(&what, self.lines.next_line())
            .await
            .unwrap_or_else(|e| panic!("reading {what}: {e}"))
    }

    /// Reads stdout up to the first line containing `needle` and returns it.
    pub async fn line_with(&mut self, needle: &str) -> String {
        loop {
            match self.next_line().await {
                Some(line) if line.contains(needle) => return line,
                Some(_) => {}
                None => panic!("{}: no line with {needle:?} before the end", self.what),
            }
        }
    }

    /// Sends a signal by name (`INT` is what Ctrl-C sends, `TERM` what a
    /// service manager sends), as `kill -NAME PID` does.
    pub async fn signal(&self, name: &str) {
        let pid = self.child.id().expect("still running").to_string();
        let sent = within(
            "kill",
            Command::new("kill")
                .args([format!("-{name}"), pid.clone()])
                .status(),
        )
        .await
        .expect("run kill");
        assert!(sent.success(), "kill -{name} {pid}");
    }

    /// Waits for the program to exit.
    pub async fn wait(&mut self) -> ExitStatus {
        within(&format!("{} to exit", self.what), self.child.wait())
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", self.what))
    }
}
