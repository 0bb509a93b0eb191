//! The TUI in a real pseudo-terminal: it starts, draws, quits on `q`, and
//! leaves the terminal as it found it — also after a panic. Some tests drive
//! the `tui_replay` example (a scripted stand-in for the engine), which
//! `cargo test` builds next to the binaries; the end-to-end ones drive
//! `wsprobe` itself against the scenario server.

use std::path::PathBuf;

use ratatui::layout::Rect;
use wsprobe::app::CLOSE_CODES;
use wsprobe::engine::catalog;
use wsprobe::ui::{self, Regions};

use crate::support::pty::{LEAVE_ALT_SCREEN, Pty, SHOW_CURSOR, tail};
use crate::support::scenario::ScenarioServer;
use crate::support::{Bin, example_exe, wsprobe_exe};

fn replay() -> PathBuf {
    example_exe("tui_replay")
}

#[test]
fn starts_draws_and_quits_cleanly() {
    let mut pty = Pty::spawn(&replay(), &[], &[]);
    // The first message comes right after the open, maybe a frame later.
    pty.wait_for("the open connection and its first message", |s| {
        s.alternate_screen() && s.contents().contains("● open") && s.contents().contains("dlrow")
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
    quit_and_check_restored(&mut pty);
}

#[test]
fn a_panic_restores_the_terminal_before_the_message() {
    let mut pty = Pty::spawn(&replay(), &[], &[("TUI_REPLAY_PANIC", "1")]);
    assert_eq!(pty.wait_exit(), 1);
    pty.wait_for("the panic message on the normal screen", |s| {
        !s.alternate_screen() && !s.hide_cursor() && s.contents().contains("scripted panic")
    });
}

#[tokio::test]
async fn stdout_that_is_not_a_terminal_is_a_usage_error() {
    let out = Bin::program(&replay(), &[]).run().await;
    assert_eq!(out.status, Some(2));
    let stderr = out.stderr;
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

// ---- wsprobe itself, against the scenario server ----

/// The pseudo-terminal's size in the end-to-end tests.
const COLS: u16 = 80;
const ROWS: u16 = 24;

/// The arrow-down key as a terminal sends it.
const DOWN: &str = "\x1b[B";

/// Text that would set the window title and reverse what follows it, were it
/// written to the terminal as it is.
const HOSTILE: &str = "hi \u{1b}]0;pwned\u{7} \u{202e}dlrow";

pub(crate) fn regions() -> Regions {
    ui::layout(Rect::new(0, 0, COLS, ROWS))
}

/// The screen's text inside `area`, row by row.
pub(crate) fn text_in(s: &vt100::Screen, area: Rect) -> Vec<String> {
    s.rows(area.x, area.width)
        .skip(usize::from(area.y))
        .take(usize::from(area.height))
        .collect()
}

/// `area` without its border.
fn inner(area: Rect) -> Rect {
    Rect {
        x: area.x + 1,
        y: area.y + 1,
        width: area.width.saturating_sub(2),
        height: area.height.saturating_sub(2),
    }
}

pub(crate) fn status(s: &vt100::Screen) -> String {
    text_in(s, regions().status).concat()
}

/// True when one row of the timeline contains every one of `parts`.
pub(crate) fn has_row(s: &vt100::Screen, parts: &[&str]) -> bool {
    text_in(s, inner(regions().timeline))
        .iter()
        .any(|row| parts.iter().all(|p| row.contains(p)))
}

/// The close panel, its title (in the border) included.
fn close_panel(s: &vt100::Screen) -> String {
    text_in(s, regions().close).join("\n")
}

/// The reconnect panel's text, its wrapped rows joined into one line.
fn reconnect_panel(s: &vt100::Screen) -> String {
    text_in(s, inner(regions().countdown))
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The seconds left on the reconnect gauge (`12.3s → #2`, `1m0.0s → #2`).
fn seconds_left(s: &vt100::Screen) -> Option<f64> {
    let text = reconnect_panel(s);
    let (before, _) = text.split_once(" → #")?;
    // The gauge's bar runs right up to the label.
    let start = before
        .rfind(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | 'h' | 'm' | 's')))
        .map_or(0, |i| {
            i + before[i..].chars().next().map_or(1, char::len_utf8)
        });
    wsprobe::duration::parse_duration(&before[start..])
        .ok()
        .map(|d| d.as_secs_f64())
}

/// The code the close picker has selected (the row marked `▸`).
fn picked(s: &vt100::Screen) -> Option<u16> {
    s.contents()
        .lines()
        .find_map(|line| line.split_once('▸'))
        .and_then(|(_, rest)| rest.split_whitespace().next()?.parse().ok())
}

/// Quits with `q` and checks that wsprobe exits 0 (`wait_exit` fails a run
/// that does not end) and leaves the terminal as it found it: the output ends by leaving the
/// alternate screen and showing the cursor, and raw mode is off.
pub(crate) fn quit_and_check_restored(pty: &mut Pty) {
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0, "the exit status of a quit");
    pty.wait_output_end();
    let raw = pty.raw();
    let ending = [LEAVE_ALT_SCREEN, SHOW_CURSOR].concat();
    assert!(
        raw.ends_with(&ending),
        "the output must end with {}; it ends with: {}",
        ending.escape_ascii(),
        tail(&raw, 160)
    );
    pty.screen(|s| {
        assert!(!s.alternate_screen(), "back on the main screen");
        assert!(!s.hide_cursor(), "the cursor is shown");
    });
    #[cfg(unix)]
    assert_eq!(
        pty.modes(),
        pty.modes_before(),
        "the terminal modes are as before the start (raw mode off)"
    );
}

/// Sends a message and sees its echo, closes with a code picked from the
/// list, reconnects with `r` once the engine has gone quiet, and quits,
/// with the terminal restored. A message full of escape sequences goes
/// through the echo too, and must reach the screen only in escaped form.
#[test]
fn wsprobe_end_to_end_on_the_scenario_server() {
    let server = ScenarioServer::start();
    let url = server.url("/echo");
    let mut pty = Pty::spawn(wsprobe_exe(), &[&url, "--send", HOSTILE], &[]);

    // The connection opens.
    pty.wait_for("the open connection", |s| {
        s.alternate_screen() && status(s).contains("● open") && status(s).contains("#1")
    });
    #[cfg(unix)]
    assert_ne!(
        pty.modes(),
        pty.modes_before(),
        "raw mode is on while the TUI runs"
    );

    // The hostile text went out and came back: both rows show it escaped.
    pty.wait_for("the hostile message and its echo, escaped", |s| {
        ["→ text", "← text"]
            .iter()
            .all(|dir| has_row(s, &[dir, r"hi \x1b]0;pwned\x07 \u{202e}dlrow"]))
    });

    // A message typed in the composer, and its echo.
    pty.send("i");
    pty.wait_for("the composer", |s| {
        s.contents().contains("send text (0 bytes)")
    });
    pty.send("hello e2e");
    pty.wait_for("the typed text", |s| s.contents().contains("hello e2e▏"));
    pty.send("\r");
    pty.wait_for("the message and its echo", |s| {
        has_row(s, &["→ text", "hello e2e"]) && has_row(s, &["← text", "hello e2e"])
    });

    // Close with 4000, picked from the list one arrow key at a time.
    pty.send("c");
    pty.wait_for("the picker on its first code", |s| {
        picked(s) == Some(CLOSE_CODES[0])
    });
    let target = CLOSE_CODES
        .iter()
        .position(|&c| c == 4000)
        .expect("the picker offers 4000");
    for &code in &CLOSE_CODES[1..=target] {
        pty.send(DOWN);
        pty.wait_for(&format!("the selection on {code}"), |s| {
            picked(s) == Some(code)
        });
    }
    pty.send("\r");
    let name = catalog::name_of(4000);
    pty.wait_for(
        "the close by the client, decoded, and the policy stopped",
        |s| {
            let reconnect = reconnect_panel(s);
            has_row(s, &["close", "4000", name, "client"])
                && close_panel(s).contains(&format!("close 4000 {name}"))
                && reconnect.contains("stopped")
                && reconnect.contains("press r to reconnect")
                && status(s).contains("stopped")
        },
    );

    // The engine is quiet now; `r` must still get through.
    pty.send("r");
    pty.wait_for("attempt #2 open", |s| {
        has_row(s, &["connect", "attempt #2 ws://"])
            && status(s).contains("● open")
            && status(s).contains("#2")
    });

    // Quit: the exit status, the time it takes, the terminal restored.
    quit_and_check_restored(&mut pty);

    let requests = pty.requests();
    assert!(
        requests.titles.is_empty()
            && requests.icon_names.is_empty()
            && requests.clipboard == 0
            && requests.other_osc == 0,
        "the terminal was asked for more than drawing: {requests:?}"
    );
    let raw = pty.raw();
    for unsafe_bytes in [&b"\x1b]0;pwned"[..], "\u{202e}".as_bytes(), b"\x07"] {
        assert!(
            !raw.windows(unsafe_bytes.len()).any(|w| w == unsafe_bytes),
            "{} reached the terminal",
            unsafe_bytes.escape_ascii()
        );
    }
}

/// A server close that the policy answers with a reconnect: the countdown
/// runs on screen (seconds left, rule), and `r` cuts it short.
#[test]
fn wsprobe_counts_down_to_a_reconnect_and_r_skips_the_wait() {
    let server = ScenarioServer::start();
    let dir = tempfile::tempdir().expect("tempdir");
    // A restart waits a whole minute here: only `r` can end the wait within
    // the test's time limits.
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[classes.service-restart]\nfirst-low = \"1m\"\nfirst-high = \"1m\"\n",
    )
    .expect("write the policy");
    let url = server.url("/close/1012?after=300ms");
    let policy = policy.to_str().expect("a UTF-8 path");
    let mut pty = Pty::spawn(wsprobe_exe(), &[&url, "--policy", policy], &[]);

    pty.wait_for("the open connection", |s| status(s).contains("● open"));
    pty.wait_for("the countdown to attempt #2", |s| {
        let reconnect = reconnect_panel(s);
        status(s).contains("waiting")
            && reconnect.contains("→ #2")
            && reconnect.contains("rule service restart")
            && has_row(s, &["close", "1012", "server"])
    });
    let first = pty.screen(seconds_left).expect("seconds left on the gauge");
    assert!(
        (50.0..=60.0).contains(&first),
        "{first} s left of a one-minute wait"
    );
    pty.wait_for("the countdown to move", |s| {
        seconds_left(s).is_some_and(|left| left < first)
    });

    pty.send("r");
    pty.wait_for("attempt #2 at once", |s| {
        has_row(s, &["connect", "attempt #2 ws://"])
    });

    quit_and_check_restored(&mut pty);
}

/// With no URL, wsprobe starts its own scenario server and watches `/cycle`.
#[test]
fn wsprobe_demo_starts_and_quits() {
    let mut pty = Pty::spawn(wsprobe_exe(), &[], &[]);
    pty.wait_for("an open connection to the demo", |s| {
        status(s).contains("● open") && status(s).contains("/cycle")
    });
    quit_and_check_restored(&mut pty);
}

/// The terminal closed (SIGHUP: an SSH session dropped, a tmux pane was
/// killed) or SIGQUIT: the TUI ends as on `q` and restores the terminal.
#[cfg(unix)]
#[test]
fn a_hangup_or_quit_signal_restores_the_terminal() {
    for signal in ["HUP", "QUIT"] {
        let mut pty = Pty::spawn(wsprobe_exe(), &[], &[]);
        pty.wait_for("an open connection to the demo", |s| {
            status(s).contains("● open")
        });
        let sent = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &pty.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        assert_eq!(pty.wait_exit(), 0, "SIG{signal} ends the run like a quit");
        pty.wait_output_end();
        let raw = pty.raw();
        let ending = [LEAVE_ALT_SCREEN, SHOW_CURSOR].concat();
        assert!(
            raw.ends_with(&ending),
            "after SIG{signal} the output must end with {}; it ends with: {}",
            ending.escape_ascii(),
            tail(&raw, 160)
        );
        assert_eq!(pty.modes(), pty.modes_before(), "raw mode is off again");
    }
}

/// A policy file maps `not-http` to abnormal: the screen shows the class
/// the engine applied, and the countdown to the reconnect it scheduled.
#[test]
fn the_screen_shows_the_class_the_engine_applied() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("ws://{}/", listener.local_addr().expect("an address"));
    std::thread::spawn(move || {
        for tcp in listener.incoming() {
            let Ok(mut tcp) = tcp else { return };
            let mut buf = [0u8; 1024];
            let _ = std::io::Read::read(&mut tcp, &mut buf);
            let _ = std::io::Write::write_all(&mut tcp, b"\x00\x01garbage, not HTTP\r\n\r\n");
        }
    });
    let dir = tempfile::tempdir().expect("a temp dir");
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[failures]\n\"not-http\" = \"abnormal\"\n[classes.abnormal]\nfloor = \"30s\"\n",
    )
    .expect("write the policy");
    let policy = policy.to_str().expect("a UTF-8 path");
    let mut pty = Pty::spawn(wsprobe_exe(), &[&url, "--policy", policy], &[]);
    pty.wait_for("the close panel and the countdown", |s| {
        close_panel(s).contains("class abnormal") && reconnect_panel(s).contains("→ #2")
    });
    assert!(!close_panel(&pty.screen(Clone::clone)).contains("fatal"));
    quit_and_check_restored(&mut pty);
}
