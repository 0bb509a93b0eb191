//! The keys of the viewer, the filter, the composer's editor, the picker's
//! typed code, the connections view, the clock, the mouse and the paste.

use crossterm::event::{KeyCode, KeyModifiers};

use super::*;

fn typed(h: &mut Harness, text: &str) {
    for c in text.chars() {
        h.char(c);
    }
}

#[test]
fn a_paste_is_text_never_keys() {
    let mut h = Harness::new();
    h.open(0);
    // In normal mode a paste runs nothing and opens nothing.
    let fx = update(&mut h.app, Msg::Paste("q\ncri".into()), h.base);
    assert!(fx.is_empty());
    assert_eq!(h.app.mode, Mode::Normal);
    assert!(
        h.app
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("paste ignored"))
    );
    // In the composer it is the text, newlines included, sent as one message.
    h.char('i');
    update(
        &mut h.app,
        Msg::Paste("{\r\n  \"a\": 1\r\n}".into()),
        h.base,
    );
    assert_eq!(composed(&h.app), Some("{\n  \"a\": 1\n}"));
    assert_eq!(
        h.key(KeyCode::Enter)[0],
        Effect::Send(Command::SendText("{\n  \"a\": 1\n}".into()))
    );
}

#[test]
fn the_message_rate_keeps_waking_after_the_run_stops() {
    let mut h = Harness::new();
    h.open(0);
    h.messages(100, 5);
    h.event(200, close(1000, Initiator::Server, true));
    h.event(
        201,
        EventKind::GiveUp {
            reason: "done".into(),
        },
    );
    let now = h.at(300);
    update(&mut h.app, Msg::EngineEnded, now);
    // Nothing arrives: the rate must still be redrawn each second, down to 0.
    assert_eq!(h.app.next_wakeup(h.at(1500)), Some(h.at(2000)));
    assert_eq!(h.app.stats.rate_series(3, 3), [0, 0, 0]);
    assert_eq!(h.app.next_wakeup(h.at(10_000_000)), None, "not forever");
}

#[test]
fn enter_views_v_cycles_end_scrolls_y_copies_w_writes() {
    let mut h = Harness::new();
    update(
        &mut h.app,
        Msg::Screen {
            width: 40,
            height: 12,
        },
        h.base,
    );
    let json = format!("{{\"z\":1,\"a\":[{}]}}", "1,".repeat(400) + "2");
    h.event(0, text(Dir::In, &json));
    h.key(KeyCode::Enter);
    let Mode::Viewer(v) = &h.app.mode else {
        panic!("the viewer opens")
    };
    assert_eq!(v.format, Format::Pretty);
    assert!(v.index.total > 400);
    h.key(KeyCode::End);
    assert!(matches!(&h.app.mode, Mode::Viewer(v) if v.scroll == v.index.total - 8));
    h.char('v');
    assert!(matches!(&h.app.mode, Mode::Viewer(v) if v.format == Format::Raw && v.scroll == 0));
    h.char('v');
    assert!(matches!(&h.app.mode, Mode::Viewer(v) if v.format == Format::Hex));
    h.char('v');
    h.char('v');
    assert_eq!(h.char('y'), [Effect::Copy(json.clone().into_bytes())]);
    h.char('w');
    assert!(matches!(&h.app.mode, Mode::Prompt(_)));
    typed(&mut h, "out.json");
    assert_eq!(
        h.key(KeyCode::Enter),
        [Effect::Write {
            path: "out.json".into(),
            bytes: json.into_bytes()
        }]
    );
    assert!(matches!(h.app.mode, Mode::Viewer(_)), "back in the viewer");
    h.key(KeyCode::Esc);
    assert_eq!(h.app.mode, Mode::Normal);
}

#[test]
fn the_viewer_keeps_an_event_the_history_forgets() {
    let mut h = Harness::with_history(3);
    h.messages(0, 3);
    h.key(KeyCode::Home);
    h.key(KeyCode::Enter);
    h.messages(10, 5);
    let (_, event) = h.app.viewed().expect("still shown");
    assert_eq!(event.kind, text(Dir::In, "m0"));
}

#[test]
fn slash_filters_n_jumps_esc_clears_h_hides_pings() {
    let mut h = Harness::new();
    h.messages(0, 10);
    h.event(
        20,
        EventKind::Ping {
            dir: Dir::Out,
            len: 0,
        },
    );
    h.char('/');
    typed(&mut h, "re:m[35]");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.shown_len(), 2);
    assert_eq!(h.app.selected(), Some(5));
    h.char('N');
    assert_eq!(h.app.selected(), Some(3));
    h.char('n');
    assert_eq!(h.app.selected(), Some(5));
    // New events are matched as they come.
    h.event(30, text(Dir::In, "m3 again"));
    assert_eq!(h.app.shown_len(), 3);
    h.key(KeyCode::Esc);
    assert!(h.app.filter.is_none());
    assert_eq!(h.app.shown_len(), 12);
    assert_eq!(h.app.selected(), Some(5), "the selection stays");
    h.char('h');
    assert_eq!(h.app.shown_len(), 11);
    h.char('h');
    assert_eq!(h.app.shown_len(), 12);
    h.char('/');
    typed(&mut h, "re:(");
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.mode, Mode::Prompt(_)), "a bad regex stays");
    assert!(h.app.notice.is_some());
}

#[test]
fn scrolled_back_counts_the_new_events() {
    let mut h = Harness::new();
    h.messages(0, 10);
    h.char('k');
    h.messages(100, 7);
    assert_eq!(h.app.new_since_pinned(), 7);
    h.char('f');
    assert_eq!(h.app.new_since_pinned(), 0);
}

#[test]
fn the_composer_edits_lines_recalls_and_sends_binary() {
    let mut h = Harness::new();
    h.open(0);
    h.char('i');
    typed(&mut h, "one");
    h.key_mod(KeyCode::Enter, KeyModifiers::ALT);
    typed(&mut h, "two three");
    h.key_mod(KeyCode::Char('w'), KeyModifiers::CONTROL);
    h.key_mod(KeyCode::Left, KeyModifiers::ALT);
    h.key_mod(KeyCode::Char('k'), KeyModifiers::CONTROL);
    h.key(KeyCode::Up);
    h.key_mod(KeyCode::Char('e'), KeyModifiers::CONTROL);
    h.char('!');
    assert_eq!(composed(&h.app), Some("one!\n"));
    h.key(KeyCode::Enter);
    h.char('i');
    typed(&mut h, "draft");
    h.key(KeyCode::Up);
    assert_eq!(composed(&h.app), Some("one!\n"), "↑ recalls");
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    assert_eq!(
        composed(&h.app),
        Some("draft"),
        "↓ past the newest: the draft"
    );
    h.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.key(KeyCode::Tab);
    typed(&mut h, "de ad");
    assert_eq!(
        h.key(KeyCode::Enter),
        [Effect::Send(Command::SendBinary(vec![0xde, 0xad]))]
    );
    h.char('i');
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    typed(&mut h, "3q2+7w==");
    assert_eq!(
        h.key(KeyCode::Enter),
        [Effect::Send(Command::SendBinary(vec![
            0xde, 0xad, 0xbe, 0xef
        ]))]
    );
    h.char('i');
    h.key(KeyCode::Tab);
    typed(&mut h, "xyz");
    assert!(h.key(KeyCode::Enter).is_empty(), "bad hex is refused");
    assert!(matches!(h.app.mode, Mode::Composer(_)));
}

#[test]
fn the_picker_takes_a_typed_code_and_refuses_forbidden_ones() {
    let mut h = Harness::new();
    h.open(0);
    h.char('c');
    h.key(KeyCode::Tab);
    typed(&mut h, "10x06");
    assert!(h.key(KeyCode::Enter).is_empty());
    let notice = h.app.notice.clone().unwrap_or_default();
    assert!(
        notice.contains("1006")
            && notice.contains("Abnormal Closure")
            && notice.contains("must not be sent"),
        "{notice}"
    );
    assert!(matches!(h.app.mode, Mode::Picker(_)));
    for _ in 0..4 {
        h.key(KeyCode::Backspace);
    }
    typed(&mut h, "4321");
    h.key(KeyCode::Tab);
    typed(&mut h, "bye");
    assert_eq!(
        h.key(KeyCode::Enter),
        [Effect::Send(Command::Close {
            code: 4321,
            reason: "bye".into()
        })]
    );
}

#[test]
fn a_lists_attempts_and_enter_jumps_to_one() {
    let mut h = Harness::new();
    h.open(0);
    h.messages(100, 3);
    h.event(200, close(1012, Initiator::Server, true));
    h.event(201, reconnect(2, 1000, 1201.0));
    h.event(1201, connecting(2));
    h.event(1220, open(2));
    let rows = &h.app.attempts.rows;
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0].msgs_in, rows[0].bytes_in), (3, 6));
    assert_eq!(rows[0].ending.as_ref().map(|e| e.code), Some(1012));
    assert_eq!(rows[0].delay, Some(Duration::from_secs(1)));
    let t = h.app.attempts.totals(Duration::from_millis(2220));
    assert_eq!(t.reconnects, 1);
    assert_eq!(t.longest, Duration::from_millis(1020));
    h.char('a');
    assert_eq!(h.app.mode, Mode::Connections { selected: 1 });
    h.key(KeyCode::Up);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.mode, Mode::Normal);
    assert_eq!(h.app.selected(), Some(0));
    // A click on a row does the same, in one go.
    h.char('a');
    update(&mut h.app, Msg::ClickAttempt { row: 1 }, h.base);
    assert_eq!(h.app.mode, Mode::Normal);
    assert_eq!(h.app.selected(), Some(h.app.attempts.rows[1].pos));
    // Outside the view, or below the last row, a click does nothing.
    update(&mut h.app, Msg::ClickAttempt { row: 0 }, h.base);
    assert_eq!(h.app.selected(), Some(h.app.attempts.rows[1].pos));
    h.char('a');
    update(&mut h.app, Msg::ClickAttempt { row: 7 }, h.base);
    assert_eq!(h.app.mode, Mode::Connections { selected: 1 });
}

#[test]
fn capital_c_switches_the_clock() {
    let mut h = Harness::new();
    h.char('C');
    assert_eq!(h.app.clock, Clock::Wall);
    h.char('C');
    assert_eq!(h.app.clock, Clock::Relative);
}

#[test]
fn the_wheel_scrolls_and_a_click_selects() {
    let mut h = Harness::new();
    update(&mut h.app, Msg::Viewport { rows: 5 }, h.base);
    h.messages(0, 20);
    update(&mut h.app, Msg::Wheel(-1), h.base);
    assert_eq!(h.app.selected(), Some(16));
    update(&mut h.app, Msg::Click { row: 0 }, h.base);
    assert_eq!(h.app.selected(), Some(15));
}

#[test]
fn an_unanswered_ping_counts_down_to_dead() {
    let mut h = Harness::new();
    h.app.ping_timeout = Some(Duration::from_secs(5));
    h.open(0);
    h.event(1000, text(Dir::In, "x"));
    h.event(
        2000,
        EventKind::Ping {
            dir: Dir::Out,
            len: 0,
        },
    );
    assert_eq!(h.app.liveness(h.at(2500)), None, "not late yet");
    assert_eq!(
        h.app.next_wakeup(h.at(2500)),
        Some(h.at(2000) + Duration::from_millis(500) + Duration::from_millis(500))
    );
    assert_eq!(
        h.app.liveness(h.at(5100)),
        Some((Duration::from_millis(3100), Duration::from_millis(900)))
    );
    h.event(
        5200,
        EventKind::Pong {
            dir: Dir::In,
            len: 0,
            rtt_ms: Some(3200.0),
        },
    );
    assert_eq!(h.app.liveness(h.at(5300)), None);
}

#[test]
fn explain_scrolls_to_its_end_at_80x24() {
    let mut h = Harness::new();
    update(
        &mut h.app,
        Msg::Screen {
            width: 80,
            height: 24,
        },
        h.base,
    );
    h.open(0);
    h.event(50, close(1006, Initiator::Local, false));
    h.char('e');
    h.key(KeyCode::End);
    let Mode::Explain { scroll, .. } = h.app.mode else {
        panic!("explaining")
    };
    assert!(scroll > 0, "the explanation is longer than the screen");
}
