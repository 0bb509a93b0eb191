//! `wsprobe replay` in the TUI, in a pseudo-terminal: the recording plays to
//! its end, the replay keys move through it, `s` saves what is shown, and
//! `q` restores the terminal.

use std::io::Write as _;

use crate::support::pty::Pty;
use crate::support::wsprobe_exe as wsprobe;

/// Two attempts: a 1012 with a reconnect, then a 1000 and the end.
fn recording() -> tempfile::NamedTempFile {
    let lines = [
        r#"{"t_ms":0.0,"ts":"2026-11-29T12:00:00.000Z","kind":"session","version":"0.1.0","command_line":["wsprobe","ws://h/"],"seed":1,"policy":""}"#,
        r#"{"seq":0,"t_ms":1.0,"kind":"connecting","attempt":1,"url":"ws://h/"}"#,
        r#"{"seq":1,"t_ms":2.0,"kind":"open","attempt":1,"status":101,"handshake_ms":1.0,"headers":{}}"#,
        r#"{"seq":2,"t_ms":3.0,"kind":"message","dir":"in","type":"text","len":5,"text":"hello"}"#,
        r#"{"seq":3,"t_ms":400.0,"kind":"close","code":1012,"reason":"restart","initiator":"server","wire":true,"clean":true,"trigger":"close 1012","class":"service-restart"}"#,
        r#"{"seq":4,"t_ms":400.0,"kind":"reconnect","attempt":2,"delay_ms":1500,"window_ms":[1000,5000],"due_t_ms":1900.0,"rule":"service restart: uniform 1s-5s"}"#,
        r#"{"seq":5,"t_ms":1900.0,"kind":"connecting","attempt":2,"url":"ws://h/"}"#,
        r#"{"seq":6,"t_ms":1901.0,"kind":"open","attempt":2}"#,
        r#"{"seq":7,"t_ms":2500.0,"kind":"close","code":1000,"initiator":"server","wire":true,"clean":true,"trigger":"close 1000","class":"done"}"#,
        r#"{"seq":8,"t_ms":2500.0,"kind":"give_up","reason":"the server closed normally"}"#,
    ];
    let mut f = tempfile::Builder::new()
        .suffix(".jsonl")
        .tempfile()
        .expect("test setup");
    for l in lines {
        writeln!(f, "{l}").expect("test setup");
    }
    f.flush().expect("test setup");
    f
}

fn footer(s: &vt100::Screen) -> String {
    let (rows, _) = s.size();
    s.contents()
        .lines()
        .nth(usize::from(rows) - 1)
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_recording_plays_and_the_replay_keys_move_through_it() {
    let rec = recording();
    let path = rec.path().to_str().unwrap();
    let mut pty = Pty::spawn_sized(wsprobe(), &["replay", path, "--speed", "max"], &[], 120, 30);
    pty.wait_for("the end of the recording", |s| {
        footer(s).contains("replay ■")
    });
    assert!(
        pty.contents().contains("1000 Normal Closure"),
        "{}",
        pty.contents()
    );
    // Back to the last close (the 1000), then to the one before (the 1012):
    // the close panel explains it again.
    pty.send("[");
    pty.wait_for("the last close", |s| {
        footer(s).contains("❚❚") && s.contents().contains("events 8 ")
    });
    pty.send("[");
    pty.wait_for("the close before", |s| {
        s.contents().contains("events 4 ") && s.contents().contains("close 1012 Service Restart")
    });
    assert!(
        !pty.contents().contains("connect attempt #2"),
        "{}",
        pty.contents()
    );
    // One step on: the reconnect, with its countdown.
    pty.send(".");
    pty.wait_for("the reconnect", |s| s.contents().contains("→ #2"));
    // To a time: 2 s is after the second open.
    pty.send("g");
    pty.wait_for("the time prompt", |s| {
        s.contents().contains("go to the run time")
    });
    pty.send("2s\r");
    pty.wait_for("the second attempt", |s| {
        s.contents().contains("connect attempt #2") && footer(s).contains("00:02.000")
    });
    // Nothing is sent from a replay.
    pty.send("r");
    pty.wait_for("the notice", |s| {
        footer(s).contains("a replay sends nothing")
    });
    // s saves what is shown, under a name of its own.
    let saved = rec.path().with_file_name("saved-from-replay.jsonl");
    let _ = std::fs::remove_file(&saved);
    pty.send("s");
    pty.wait_for("the save prompt", |s| {
        s.contents().contains("save the events")
    });
    // Clear the proposed name and type our own.
    pty.send(&"\x7f".repeat(80));
    pty.send(&format!("{}\r", saved.display()));
    pty.wait_for("the save notice", |s| footer(s).contains("events to"));
    let text = std::fs::read_to_string(&saved)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", saved.display(), pty.contents()));
    assert!(text.starts_with(r#"{"t_ms":0.0"#), "{text}");
    assert_eq!(
        text.lines().count(),
        1 + 7,
        "session and the events up to 2 s:\n{text}"
    );
    let _ = std::fs::remove_file(&saved);
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
}

/// A mouse event as a terminal reports it with SGR encoding (1-based).
fn mouse(button: u8, column: u16, row: u16) -> String {
    format!("\x1b[<{button};{column};{row}M")
}

#[test]
fn the_mouse_scrolls_the_close_panel_and_picks_an_attempt_in_a_replay() {
    let rec = recording();
    let path = rec.path().to_str().unwrap();
    let mut pty = Pty::spawn_sized(wsprobe(), &["replay", path, "--speed", "max"], &[], 80, 24);
    pty.wait_for("the end of the recording", |s| {
        footer(s).contains("replay ■")
    });
    // At 80×24 the close panel (bottom left, above the footer) cannot show
    // all of the 1000's text; the wheel over it scrolls it.
    pty.wait_for("the panel's marker", |s| {
        s.contents().contains("more · J K scroll")
    });
    pty.send(&mouse(65, 10, 19));
    pty.wait_for("the panel scrolled", |s| s.contents().contains("↑ 3 ·"));
    // The connections view; a click on attempt #1 (the border, the heading,
    // then the first row) shows it in the timeline.
    pty.send("a");
    pty.wait_for("the connections view", |s| {
        s.contents().contains("connections ·")
    });
    pty.send(&format!("{}\x1b[<0;5;4m", mouse(0, 5, 4)));
    pty.wait_for("the timeline again", |s| {
        !s.contents().contains("connections ·") && s.contents().contains("connect attempt #1")
    });
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
}

#[test]
fn a_replay_shows_the_recorded_wall_clock_and_can_leave_the_mouse_alone() {
    let rec = recording();
    let path = rec.path().to_str().unwrap();
    let args = [
        "replay",
        path,
        "--speed",
        "max",
        "--clock",
        "wall",
        "--no-mouse",
    ];
    let mut pty = Pty::spawn_sized(wsprobe(), &args, &[], 100, 30);
    // The session record started at 12:00:00.000 UTC; the first event came
    // 1 ms later, the second attempt 1.9 s later.
    pty.wait_for("the recorded wall-clock times", |s| {
        let text = s.contents();
        footer(s).contains("replay ■")
            && text.contains("12:00:00.001")
            && text.contains("12:00:01.900")
    });
    let captured = pty.screen(vt100::Screen::mouse_protocol_mode);
    assert_eq!(
        captured,
        vt100::MouseProtocolMode::None,
        "--no-mouse captured the mouse"
    );
    // C switches to run time.
    pty.send("C");
    pty.wait_for("run time", |s| s.contents().contains("00:01.900"));
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
}
