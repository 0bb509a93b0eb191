//! A program in a pseudo-terminal: its screen emulated by `vt100`, every
//! byte it wrote kept, keys typed into it. Shared by the pseudo-terminal
//! tests and the live TUI benchmark.

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use portable_pty::{ChildKiller, CommandBuilder, MasterPty, PtySize, native_pty_system};

use super::TIMEOUT;

/// Leaves the alternate screen (what crossterm writes for `LeaveAlternateScreen`).
pub const LEAVE_ALT_SCREEN: &[u8] = b"\x1b[?1049l";
/// Shows the cursor.
pub const SHOW_CURSOR: &[u8] = b"\x1b[?25h";

/// What the program asked of the terminal beyond drawing: a window title,
/// an icon name, a clipboard write. A program showing untrusted text must
/// never cause any of these.
#[derive(Debug, Default, Clone)]
pub struct Requests {
    /// Window titles set (OSC 0 and 2).
    pub titles: Vec<String>,
    /// Icon names set (OSC 0 and 1).
    pub icon_names: Vec<String>,
    /// Clipboard writes or reads (OSC 52).
    pub clipboard: usize,
    /// Other OSC sequences.
    pub other_osc: usize,
}

impl vt100::Callbacks for Requests {
    fn set_window_title(&mut self, _: &mut vt100::Screen, title: &[u8]) {
        self.titles
            .push(String::from_utf8_lossy(title).into_owned());
    }

    fn set_window_icon_name(&mut self, _: &mut vt100::Screen, name: &[u8]) {
        self.icon_names
            .push(String::from_utf8_lossy(name).into_owned());
    }

    fn copy_to_clipboard(&mut self, _: &mut vt100::Screen, _: &[u8], _: &[u8]) {
        self.clipboard += 1;
    }

    fn paste_from_clipboard(&mut self, _: &mut vt100::Screen, _: &[u8]) {
        self.clipboard += 1;
    }

    fn unhandled_osc(&mut self, _: &mut vt100::Screen, _: &[&[u8]]) {
        self.other_osc += 1;
    }
}

/// What the reader and the waiter threads keep.
struct Output {
    parser: vt100::Parser<Requests>,
    /// Every byte read from the pseudo-terminal, in order.
    raw: Vec<u8>,
    /// The program's side closed: nothing more will come.
    ended: bool,
    /// The program's exit code (or why it could not be had), once it exited.
    exit: Option<Result<u32, String>>,
}

struct Shared {
    output: Mutex<Output>,
    /// Signalled after each chunk read, at the end of the output and at
    /// the exit.
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Output> {
        // A failed wait panics while holding nothing, but be safe: the
        // output is still worth showing after any panic.
        self.output.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The terminal modes (termios flags) of a pseudo-terminal.
#[cfg(unix)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Modes {
    pub input: u64,
    pub output: u64,
    pub control: u64,
    pub local: u64,
}

/// A program running in a pseudo-terminal, its screen emulated.
pub struct Pty {
    /// Ends the program (a thread waits for its exit).
    killer: Box<dyn ChildKiller + Send + Sync>,
    pid: Option<u32>,
    writer: Box<dyn std::io::Write + Send>,
    shared: Arc<Shared>,
    reader: Option<JoinHandle<()>>,
    master: Box<dyn MasterPty + Send>,
    /// The terminal modes before the program started.
    #[cfg(unix)]
    modes_before: Option<Modes>,
}

impl Pty {
    /// Starts `program` in an 80×24 pseudo-terminal.
    pub fn spawn(program: &Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        Self::spawn_sized(program, args, env, 80, 24)
    }

    /// Starts `program` in a `cols`×`rows` pseudo-terminal, in the crate's
    /// directory, with `TERM=xterm-256color`, colours allowed and `env` set.
    pub fn spawn_sized(
        program: &Path,
        args: &[&str],
        env: &[(&str, &str)],
        cols: u16,
        rows: u16,
    ) -> Self {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pseudo-terminal");
        #[cfg(unix)]
        let modes_before = modes_of(pair.master.as_ref());
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        cmd.env("XDG_CONFIG_HOME", super::no_config_home());
        for var in super::wsprobe_vars() {
            cmd.env_remove(var);
        }
        // A backtrace would scroll the panic message off the screen.
        cmd.env("RUST_BACKTRACE", "0");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.cwd(env!("CARGO_MANIFEST_DIR"));
        let mut child = pair.slave.spawn_command(cmd).expect("spawn in the pty");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let shared = Arc::new(Shared {
            output: Mutex::new(Output {
                parser: vt100::Parser::new_with_callbacks(rows, cols, 0, Requests::default()),
                raw: Vec::new(),
                ended: false,
                exit: None,
            }),
            changed: Condvar::new(),
        });
        let sink = Arc::clone(&shared);
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 16 * 1024];
            // Ends with an error (EIO) once the program has exited.
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let mut out = sink.lock();
                out.parser.process(&buf[..n]);
                out.raw.extend_from_slice(&buf[..n]);
                drop(out);
                sink.changed.notify_all();
            }
            sink.lock().ended = true;
            sink.changed.notify_all();
        });
        let killer = child.clone_killer();
        let pid = child.process_id();
        let sink = Arc::clone(&shared);
        std::thread::spawn(move || {
            let exit = child
                .wait()
                .map(|status| status.exit_code())
                .map_err(|e| e.to_string());
            sink.lock().exit = Some(exit);
            sink.changed.notify_all();
        });
        Self {
            killer,
            pid,
            writer,
            shared,
            reader: Some(reader),
            master: pair.master,
            #[cfg(unix)]
            modes_before,
        }
    }

    /// The program's process id.
    #[allow(dead_code, reason = "the live TUI benchmark measures the process")]
    pub fn pid(&self) -> u32 {
        self.pid.expect("a process id")
    }

    /// The screen's text.
    pub fn contents(&self) -> String {
        self.shared.lock().parser.screen().contents()
    }

    /// Runs `f` on the emulated screen.
    pub fn screen<R>(&self, f: impl FnOnce(&vt100::Screen) -> R) -> R {
        f(self.shared.lock().parser.screen())
    }

    /// What the program asked of the terminal besides drawing.
    pub fn requests(&self) -> Requests {
        self.shared.lock().parser.callbacks().clone()
    }

    /// A copy of every byte the program wrote so far.
    pub fn raw(&self) -> Vec<u8> {
        self.shared.lock().raw.clone()
    }

    /// Waits until `want` holds for the screen, failing with the screen's
    /// contents after [`TIMEOUT`]. Returns how long it took.
    pub fn wait_for(&self, what: &str, want: impl Fn(&vt100::Screen) -> bool) -> Duration {
        self.wait_within(what, TIMEOUT, want)
    }

    /// Like [`wait_for`](Self::wait_for) with a time limit of its own. The
    /// screen is checked each time new output arrives, so the time returned
    /// is when the change reached the terminal, not a polling interval.
    pub fn wait_within(
        &self,
        what: &str,
        limit: Duration,
        want: impl Fn(&vt100::Screen) -> bool,
    ) -> Duration {
        let start = Instant::now();
        let out = self.wait_until(limit, |out| want(out.parser.screen()) || out.ended);
        if want(out.parser.screen()) {
            return start.elapsed();
        }
        let how = if out.ended {
            "the program's output ended"
        } else {
            "timed out"
        };
        let screen = out.parser.screen().contents();
        drop(out);
        panic!(
            "{how} waiting for {what} (after {:.1?}); screen:\n{screen}",
            start.elapsed(),
        );
    }

    /// Waits until `done` holds for the output, or `limit` passes; either
    /// way returns the output, locked. Woken by every change, it never polls.
    fn wait_until(
        &self,
        limit: Duration,
        done: impl Fn(&Output) -> bool,
    ) -> MutexGuard<'_, Output> {
        let deadline = Instant::now() + limit;
        let mut out = self.shared.lock();
        loop {
            let now = Instant::now();
            if done(&out) || now >= deadline {
                return out;
            }
            out = self
                .shared
                .changed
                .wait_timeout(out, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Types `keys`.
    pub fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush keys");
    }

    /// Waits for the program to exit and returns its exit code.
    pub fn wait_exit(&mut self) -> u32 {
        let out = self.wait_until(TIMEOUT, |out| out.exit.is_some());
        if let Some(exit) = &out.exit {
            return exit
                .clone()
                .unwrap_or_else(|e| panic!("the exit status: {e}"));
        }
        let screen = out.parser.screen().contents();
        drop(out);
        let _ = self.killer.kill();
        panic!("did not exit; screen:\n{screen}");
    }

    /// Waits (after the program exited) until everything it wrote was read.
    pub fn wait_output_end(&mut self) {
        let ended = self.wait_until(TIMEOUT, |out| out.ended).ended;
        assert!(ended, "the output did not end");
        if let Some(reader) = self.reader.take() {
            reader.join().expect("reader thread");
        }
    }

    /// The terminal modes now.
    #[cfg(unix)]
    pub fn modes(&self) -> Modes {
        modes_of(self.master.as_ref()).expect("termios of the pseudo-terminal")
    }

    /// The terminal modes before the program started.
    #[cfg(unix)]
    pub fn modes_before(&self) -> Modes {
        self.modes_before.expect("termios before the start")
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        // A failed test must not leave the program running (the waiting
        // thread reaps it).
        if self.shared.lock().exit.is_none() {
            let _ = self.killer.kill();
        }
    }
}

#[cfg(unix)]
fn modes_of(master: &(dyn MasterPty + Send)) -> Option<Modes> {
    let t = master.get_termios()?;
    Some(Modes {
        input: u64::from(t.input_flags.bits()),
        output: u64::from(t.output_flags.bits()),
        control: u64::from(t.control_flags.bits()),
        local: u64::from(t.local_flags.bits()),
    })
}

/// The last `n` bytes of `raw`, escaped, for failure messages.
pub fn tail(raw: &[u8], n: usize) -> String {
    raw[raw.len().saturating_sub(n)..]
        .escape_ascii()
        .to_string()
}
