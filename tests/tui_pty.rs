//! The TUI in a real pseudo-terminal: it starts, draws, quits on `q`, and
//! leaves the terminal as it found it — also after a panic. Driven through
//! the `tui_replay` example (a scripted stand-in for the engine), which
//! `cargo test` builds next to the binaries.
//!
//! The same scaffolding drives `wsprobe` itself once it runs the TUI against
//! the demo server (see `wsprobe_demo_starts_and_quits`).

use std::io::{Read as _, Write as _};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

const TIMEOUT: Duration = Duration::from_secs(15);

/// A program running in an 80×24 pseudo-terminal, its screen emulated.
struct Pty {
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn std::io::Write + Send>,
    screen: Arc<Mutex<vt100::Parser>>,
    _master: Box<dyn MasterPty + Send>,
}

impl Pty {
    fn spawn(program: &PathBuf, args: &[&str], env: &[(&str, &str)]) -> Self {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 80,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pseudo-terminal");
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        // A backtrace would scroll the panic message off the 24 rows.
        cmd.env("RUST_BACKTRACE", "0");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.cwd(env!("CARGO_MANIFEST_DIR"));
        let child = pair.slave.spawn_command(cmd).expect("spawn in the pty");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let screen = Arc::new(Mutex::new(vt100::Parser::new(24, 80, 0)));
        let sink = Arc::clone(&screen);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            // Ends with an error (EIO) once the program has exited.
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().expect("screen lock").process(&buf[..n]);
            }
        });
        Self {
            child,
            writer,
            screen,
            _master: pair.master,
        }
    }

    fn contents(&self) -> String {
        self.screen.lock().expect("screen lock").screen().contents()
    }

    /// Polls the emulated screen until `want` holds, failing after TIMEOUT.
    fn wait_for(&self, what: &str, want: impl Fn(&vt100::Screen) -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            if want(self.screen.lock().expect("screen lock").screen()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("timed out waiting for {what}; screen:\n{}", self.contents());
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush keys");
    }

    fn wait_exit(&mut self) -> u32 {
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("child status") {
                return status.exit_code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        panic!("did not exit; screen:\n{}", self.contents());
    }
}

fn replay() -> PathBuf {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_wsprobe"));
    let dir = bin.parent().expect("target dir");
    let example = dir
        .join("examples")
        .join(format!("tui_replay{}", std::env::consts::EXE_SUFFIX));
    assert!(
        example.exists(),
        "build the example first: {}",
        example.display()
    );
    example
}

#[test]
fn starts_draws_and_quits_cleanly() {
    let mut pty = Pty::spawn(&replay(), &[], &[]);
    pty.wait_for("the open connection", |s| {
        s.alternate_screen() && s.contents().contains("● open")
    });
    let screen = pty.contents();
    assert!(
        screen.contains("\\x1b]0;title\\x07"),
        "escapes shown, not obeyed:\n{screen}"
    );
    assert!(
        screen.contains("\\u{202e}dlrow"),
        "bidi override shown:\n{screen}"
    );
    pty.send("?");
    pty.wait_for("the help overlay", |s| {
        s.contents().contains("keys · Esc closes")
    });
    pty.send("\x1b");
    // Wait before the next key: ESC directly followed by `q` reads as Alt-q.
    pty.wait_for("the help overlay to close", |s| {
        !s.contents().contains("keys · Esc closes")
    });
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
    pty.wait_for("the restored terminal", |s| {
        !s.alternate_screen() && !s.hide_cursor()
    });
}

#[test]
fn a_panic_restores_the_terminal_before_the_message() {
    let mut pty = Pty::spawn(&replay(), &[], &[("TUI_REPLAY_PANIC", "1")]);
    assert_eq!(pty.wait_exit(), 1);
    pty.wait_for("the panic message on the normal screen", |s| {
        !s.alternate_screen() && !s.hide_cursor() && s.contents().contains("scripted panic")
    });
}

#[test]
fn stdout_that_is_not_a_terminal_is_a_usage_error() {
    let out = std::process::Command::new(replay())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--json"), "{stderr}");
}

#[test]
fn a_bad_theme_file_is_a_usage_error_naming_file_line_and_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "fg = \"white\"\nacent = \"red\"\n").expect("write");
    let mut pty = Pty::spawn(
        &replay(),
        &["--theme", file.to_str().expect("utf-8 path")],
        &[],
    );
    assert_eq!(pty.wait_exit(), 2);
    pty.wait_for("the error", |s| {
        let text = s.contents();
        text.contains("bad.toml") && text.contains("line 2") && text.contains("`acent`")
    });
}

#[test]
#[ignore = "needs wsprobe's TUI wired to the engine and the demo server"]
fn wsprobe_demo_starts_and_quits() {
    let mut pty = Pty::spawn(&PathBuf::from(env!("CARGO_BIN_EXE_wsprobe")), &[], &[]);
    pty.wait_for("an open connection", |s| s.contents().contains("● open"));
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
    pty.wait_for("the restored terminal", |s| {
        !s.alternate_screen() && !s.hide_cursor()
    });
}
