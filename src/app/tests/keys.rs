//! Every key.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::*;

#[test]
fn q_quits_with_1000_and_ctrl_c_with_1001() {
    let mut h = Harness::new();
    h.open(0);
    assert_eq!(
        h.char('q'),
        [Effect::Send(Command::Quit { code: 1000 }), Effect::Quit]
    );
    assert_eq!(h.app.conn.phase, Phase::Closing);
    for key in [None, Some('?'), Some('i')] {
        h.app.mode = Mode::Normal;
        if let Some(c) = key {
            h.char(c);
        }
        let fx = h.key_mod(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(
            fx,
            [Effect::Send(Command::Quit { code: 1001 }), Effect::Quit]
        );
    }
}

#[test]
fn alt_chords_are_not_keys() {
    let mut h = Harness::new();
    assert!(h.key_mod(KeyCode::Char('q'), KeyModifiers::ALT).is_empty());
    h.char('i');
    h.key_mod(KeyCode::Char('x'), KeyModifiers::ALT);
    h.key_mod(KeyCode::Char('Y'), KeyModifiers::SHIFT);
    assert_eq!(composed(&h.app), Some("Y"));
}

#[test]
fn only_key_presses_count() {
    let mut h = Harness::new();
    let mut release = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
    release.kind = KeyEventKind::Release;
    assert!(update(&mut h.app, Msg::Key(release), h.base).is_empty());
    release.kind = KeyEventKind::Repeat;
    assert!(update(&mut h.app, Msg::Key(release), h.base).is_empty());
}

#[test]
fn r_reconnects_and_p_toggles_pause() {
    let mut h = Harness::new();
    assert_eq!(h.char('r'), [Effect::Send(Command::ReconnectNow)]);
    assert_eq!(h.char('p'), [Effect::Send(Command::SetPaused(true))]);
    // Nothing changes until the engine confirms.
    assert!(!h.app.paused);
    h.event(0, EventKind::Paused);
    assert_eq!(h.char('p'), [Effect::Send(Command::SetPaused(false))]);
}

#[test]
fn c_picks_a_code_and_a_reason() {
    let mut h = Harness::new();
    h.open(0);
    assert!(h.char('c').is_empty());
    assert!(matches!(&h.app.mode, Mode::Picker(p) if p.index == 0 && p.reason.text.is_empty()));
    h.key(KeyCode::Up);
    assert!(matches!(&h.app.mode, Mode::Picker(p) if p.index == CLOSE_CODES.len() - 1));
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    for c in "bye!".chars() {
        h.char(c);
    }
    h.key(KeyCode::Backspace);
    let fx = h.key(KeyCode::Enter);
    let reason = "bye".to_owned();
    assert_eq!(
        fx,
        [Effect::Send(Command::Close {
            code: CLOSE_CODES[1],
            reason
        })]
    );
    assert_eq!(
        (h.app.mode.clone(), h.app.conn.phase),
        (Mode::Normal, Phase::Closing)
    );
    // Esc cancels; a reason stops at what fits in a Close frame.
    h.char('c');
    for _ in 0..200 {
        h.char('é');
    }
    assert!(matches!(&h.app.mode, Mode::Picker(p) if p.reason.text.len() <= MAX_REASON_BYTES));
    assert!(h.key(KeyCode::Esc).is_empty());
    assert_eq!(h.app.mode, Mode::Normal);
}

#[test]
fn i_composes_and_sends_text() {
    let mut h = Harness::new();
    h.open(0);
    h.char('i');
    for c in "hi qj".chars() {
        h.char(c);
    }
    h.key(KeyCode::Backspace);
    assert_eq!(
        h.key(KeyCode::Enter),
        [
            Effect::Send(Command::SendText("hi q".into())),
            Effect::Remember("hi q".into())
        ]
    );
    assert_eq!(h.app.mode, Mode::Normal);
    h.char('i');
    h.char('x');
    h.key_mod(KeyCode::Char('x'), KeyModifiers::ALT);
    assert_eq!(composed(&h.app), Some("x"));
    assert!(h.key(KeyCode::Esc).is_empty());
    assert_eq!(h.app.mode, Mode::Normal);
}

#[test]
fn help_opens_and_closes() {
    let mut h = Harness::new();
    h.char('?');
    assert_eq!(h.app.mode, Mode::Help { scroll: 0 });
    assert!(
        h.char('q').is_empty(),
        "q leaves the overlay, it does not quit"
    );
    assert_eq!(h.app.mode, Mode::Normal);
    h.char('?');
    h.key(KeyCode::Esc);
    assert_eq!(h.app.mode, Mode::Normal);
}

#[test]
fn scrolling_leaves_the_tail_and_f_returns() {
    let mut h = Harness::new();
    update(&mut h.app, Msg::Viewport { rows: 5 }, h.base);
    h.messages(0, 20);
    assert_eq!(h.app.selected(), Some(19));
    h.char('k');
    assert!(!h.app.view.follow);
    assert_eq!(h.app.selected(), Some(18));
    h.key(KeyCode::Up);
    h.char('j');
    h.key(KeyCode::Down);
    assert_eq!(h.app.selected(), Some(19));
    h.key(KeyCode::Down);
    assert_eq!(h.app.selected(), Some(19), "stops at the newest");
    // New events do not move a pinned selection.
    h.messages(100, 3);
    assert_eq!(h.app.selected(), Some(19));
    h.key(KeyCode::PageUp);
    assert_eq!(h.app.selected(), Some(15));
    assert_eq!(h.app.view.top, 15);
    h.key(KeyCode::PageDown);
    assert_eq!(h.app.selected(), Some(19));
    h.key(KeyCode::Home);
    assert_eq!((h.app.selected(), h.app.view.top), (Some(0), 0));
    h.char('G');
    assert!(h.app.view.follow);
    h.char('g');
    assert_eq!(h.app.selected(), Some(0));
    h.key(KeyCode::End);
    assert_eq!(h.app.selected(), Some(22));
    h.char('k');
    h.char('f');
    assert!(h.app.view.follow);
}

#[test]
fn the_window_keeps_the_selection_in_view() {
    let mut h = Harness::new();
    h.messages(0, 100);
    assert_eq!(h.app.window_start(10), 90, "following shows the tail");
    h.key(KeyCode::Home);
    assert_eq!(h.app.window_start(10), 0);
    h.app.view.selected = 50;
    assert_eq!(h.app.window_start(10), 41, "selection at the bottom row");
    h.app.view.top = 95;
    h.app.view.selected = 99;
    assert_eq!(h.app.window_start(10), 90, "no empty rows below the newest");
}

#[test]
fn enter_opens_the_viewer_and_pins_esc_leaves() {
    let mut h = Harness::new();
    h.messages(0, 5);
    h.key(KeyCode::Enter);
    assert!(matches!(&h.app.mode, Mode::Viewer(v) if v.pos == 4));
    assert!(!h.app.view.follow);
    h.messages(10, 5);
    assert_eq!(h.app.selected(), Some(4));
    h.key(KeyCode::Esc);
    assert_eq!(h.app.mode, Mode::Normal);
}

#[test]
fn t_cycles_themes() {
    let mut h = Harness::new();
    for expected in [1, 2, 3, 0] {
        h.char('t');
        assert_eq!(h.app.theme, expected);
    }
}

#[test]
fn e_explains_the_selected_or_last_close() {
    let mut h = Harness::new();
    assert!(h.char('e').is_empty());
    assert_eq!(h.app.mode, Mode::Normal);
    assert!(h.app.notice.is_some());
    h.open(0);
    h.event(50, close(1006, Initiator::Local, false));
    h.event(60, reconnect(2, 1000, 1060.0));
    h.char('e');
    assert_eq!(
        h.app.mode,
        Mode::Explain {
            shown: Explained {
                entry: catalog::lookup(1006),
                trigger: Trigger::Code(1006),
                class: Class::Abnormal,
            },
            scroll: 0
        }
    );
    assert!(h.app.notice.is_none());
    h.char('e');
    assert_eq!(h.app.mode, Mode::Normal);
    h.char('e');
    h.key(KeyCode::Esc);
    assert_eq!(h.app.mode, Mode::Normal);
}

#[test]
fn the_close_panel_shows_the_selected_close_or_the_last() {
    let mut h = Harness::new();
    h.open(0);
    h.event(50, close(1012, Initiator::Server, true));
    h.event(60, connecting(2));
    h.event(70, open(2));
    h.event(80, close(1001, Initiator::Server, true));
    h.event(90, reconnect(3, 1000, 1090.0));
    assert_eq!(h.app.close_view().map(|c| c.info.code), Some(1001));
    h.app.view.follow = false;
    h.app.view.selected = 2;
    assert_eq!(
        h.app.close_view().map(|c| (c.pos, c.info.code)),
        Some((2, 1012))
    );
}

#[test]
fn sending_or_closing_without_a_connection_says_so() {
    let mut h = Harness::new();
    h.char('i');
    h.char('x');
    assert!(h.key(KeyCode::Enter).is_empty(), "nothing to send it on");
    assert_eq!(composed(&h.app), Some("x"), "the text is kept");
    assert!(
        h.app
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("not connected"))
    );
    h.key(KeyCode::Esc);
    h.char('c');
    assert!(h.key(KeyCode::Enter).is_empty(), "nothing to close");
    assert_eq!(h.app.mode, Mode::Normal);
    assert!(
        h.app
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("nothing to close"))
    );
}

#[test]
fn two_quick_presses_of_p_pause_and_resume() {
    let mut h = Harness::new();
    assert_eq!(h.char('p'), [Effect::Send(Command::SetPaused(true))]);
    // The engine has not confirmed yet; the second press still resumes.
    assert_eq!(h.char('p'), [Effect::Send(Command::SetPaused(false))]);
}
