//! Input in a real pseudo-terminal: a bracketed paste, the filter, the
//! OSC 52 copy, and scrolling a long message in the viewer.

use crate::support::pty::Pty;
use crate::support::scenario::ScenarioServer;
use crate::support::wsprobe_exe;
use crate::tui_pty::{has_row, quit_and_check_restored, regions, status, text_in};

/// A bracketed paste is text: in normal mode it runs no key (a `q` in it
/// does not quit), in the composer multi-line JSON becomes one message.
/// Then `/` filters the timeline and `y` puts the selected message on the
/// clipboard with OSC 52.
#[test]
fn paste_filter_and_copy_in_a_real_terminal() {
    let server = ScenarioServer::start();
    let url = server.url("/echo");
    let mut pty = Pty::spawn(wsprobe_exe(), &[&url], &[("TMUX", "")]);
    pty.wait_for("the open connection", |s| status(s).contains("● open"));

    pty.send("\x1b[200~q\r\nc\x1b[201~");
    pty.wait_for("the paste ignored", |s| {
        s.contents().contains("paste ignored")
    });
    assert!(
        pty.screen(|s| !s.contents().contains("close with code")),
        "no picker opened"
    );

    pty.send("i");
    pty.wait_for("the composer", |s| {
        s.contents().contains("send text (0 bytes)")
    });
    pty.send("\x1b[200~{\r\n  \"op\": \"quit\",\r\n  \"n\": 12345678901234567890123\r\n}\x1b[201~");
    pty.wait_for("the pasted lines in the composer", |s| {
        s.contents().contains("line 4 of 4")
    });
    pty.send("\r");
    let sent = r#"50B {\n  "op": "quit",\n  "n": 1234567890"#;
    pty.wait_for("the message and its echo, one each", |s| {
        has_row(s, &["→ text", sent]) && has_row(s, &["← text", sent])
    });
    assert!(pty.screen(|s| status(s).contains("● open")), "nothing quit");

    pty.send("/");
    pty.wait_for("the filter prompt", |s| {
        s.contents().contains(" filter (re:")
    });
    pty.send("out\r");
    pty.wait_for("the filtered timeline", |s| {
        text_in(s, regions().timeline)[0].contains("filter \"out\" · 1 of")
            && has_row(s, &["→ text", sent])
            && !has_row(s, &["← text", sent])
    });

    pty.send("y");
    pty.wait_for("the copy confirmed", |s| {
        s.contents().contains("copied 50 bytes")
    });
    let requests = pty.requests();
    assert_eq!(requests.clipboard, 1, "{requests:?}");
    let raw = pty.raw();
    let expected = wsprobe::tui::osc52(
        b"{\n  \"op\": \"quit\",\n  \"n\": 12345678901234567890123\n}",
        false,
    );
    assert!(
        raw.windows(expected.len())
            .any(|w| w == expected.as_bytes()),
        "the OSC 52 sequence with the message in base64"
    );

    pty.send("\x1b");
    pty.wait_for("the filter cleared", |s| {
        !text_in(s, regions().timeline)[0].contains("filter")
    });
    quit_and_check_restored(&mut pty);
}

/// A 20 000-byte message opens in the viewer and scrolls to its very end.
#[test]
fn a_long_message_scrolls_to_its_end_in_the_viewer() {
    let server = ScenarioServer::start();
    let url = server.url("/echo");
    let long = format!("{}END", "0123456789".repeat(1_999) + "abcdefg");
    assert_eq!(long.len(), 20_000);
    let mut pty = Pty::spawn(wsprobe_exe(), &[&url, "--send", &long], &[]);
    pty.wait_for("the echo", |s| has_row(s, &["← text", "19.5KiB"]));
    pty.send("\r");
    pty.wait_for("the viewer at its start", |s| {
        s.contents().contains("← text 19.5KiB · raw · rows 1–") && s.contents().contains("↓ more")
    });
    // End, as terminals send it.
    pty.send("\x1b[F");
    pty.wait_for("the end of the message", |s| {
        let text = s.contents();
        text.contains("abcdefgEND") && !text.contains("↓ more")
    });
    pty.send("\x1b");
    pty.wait_for("the timeline again", |s| has_row(s, &["← text", "19.5KiB"]));
    quit_and_check_restored(&mut pty);
}
