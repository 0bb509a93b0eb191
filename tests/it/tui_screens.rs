//! Snapshots of the screens for reading and finding (the viewer in each
//! format, the filter, the connections view, the composer with several
//! lines, the picker with a typed code) at 80×24 and 40×12 in every theme,
//! and the checks of what they show: severities, sizes, the clock.

use crossterm::event::{KeyCode, KeyModifiers};
use ratatui::buffer::Buffer;
use wsprobe::engine::event::{EventKind, Initiator};

use crate::support::tui::{self, *};
use crate::tui_snapshots::{
    Scene, check_scene, closed_1006, closed_1012, countdown_running, explain, open_with_traffic,
    protocol_violation, themes,
};

fn viewer_pretty() -> (Script, u64) {
    let (mut s, now) = open_with_traffic();
    s.ev(
        5_000,
        tui::text(
            wsprobe::engine::event::Dir::In,
            r#"{"z":1,"a":2,"big":12345678901234567890123,"list":[1,2,{"deep":"x"}],"empty":{}}"#,
        ),
    );
    s.key(KeyCode::Up).key(KeyCode::Down).key(KeyCode::Enter);
    (s, now)
}

fn viewer_raw() -> (Script, u64) {
    let (mut s, now) = viewer_pretty();
    s.key(KeyCode::Char('v'));
    (s, now)
}

fn viewer_hex() -> (Script, u64) {
    let (mut s, now) = viewer_raw();
    s.key(KeyCode::Char('v'));
    (s, now)
}

fn viewer_binary() -> (Script, u64) {
    let (mut s, now) = open_with_traffic();
    let bytes: Vec<u8> = (0..=255u8).cycle().take(5_000).collect();
    s.ev(5_000, tui::binary(wsprobe::engine::event::Dir::In, &bytes));
    s.key(KeyCode::Up).key(KeyCode::Down).key(KeyCode::Enter);
    (s, now)
}

fn viewer_open_headers() -> (Script, u64) {
    let (mut s, now) = open_with_traffic();
    s.key(KeyCode::Home).key(KeyCode::Down).key(KeyCode::Enter);
    (s, now)
}

fn filter() -> (Script, u64) {
    let (mut s, now) = open_with_traffic();
    s.key(KeyCode::Char('/'));
    s.typed("price\":10");
    s.key(KeyCode::Enter);
    s.key(KeyCode::Char('N'));
    (s, now)
}

fn filter_typing() -> (Script, u64) {
    let (mut s, now) = open_with_traffic();
    s.key(KeyCode::Char('h')).key(KeyCode::Char('/'));
    s.typed("re:tick\":1[0-9]");
    (s, now)
}

fn connections() -> (Script, u64) {
    let (mut s, _) = closed_1012();
    traffic(&mut s, 2, 8_400);
    s.ev(
        13_500,
        close(1006, "Abnormal Closure", "", Initiator::Local, false),
    );
    s.ev(
        13_501,
        reconnect(
            2,
            1_600,
            [1_000, 2_000],
            13_501,
            "abnormal: 1s + full jitter",
        ),
    );
    s.key(KeyCode::Char('a'));
    (s, 14_000)
}

fn composer_multiline() -> (Script, u64) {
    let (mut s, now) = open_with_traffic();
    s.key(KeyCode::Char('i'));
    s.paste("{\n  \"op\": \"subscribe\",\n  \"channel\": \"ticks\"\n}");
    s.key_mod(KeyCode::Enter, KeyModifiers::ALT);
    s.typed("// sent as one message");
    (s, now)
}

fn picker_last_code() -> (Script, u64) {
    let (mut s, now) = open_with_traffic();
    s.key(KeyCode::Char('c')).key(KeyCode::Up);
    s.typed("gone");
    (s, now)
}

fn picker_typed_code() -> (Script, u64) {
    let (mut s, now) = open_with_traffic();
    s.key(KeyCode::Char('c')).key(KeyCode::Tab);
    s.typed("4321");
    (s, now)
}

/// The new screens, each at 80×24 and 40×12.
const NEW_SCENES: [(&str, Scene); 12] = [
    ("viewer_pretty", viewer_pretty),
    ("viewer_raw", viewer_raw),
    ("viewer_hex", viewer_hex),
    ("viewer_binary", viewer_binary),
    ("viewer_open_headers", viewer_open_headers),
    ("filter", filter),
    ("filter_typing", filter_typing),
    ("connections", connections),
    ("composer_multiline", composer_multiline),
    ("picker_last_code", picker_last_code),
    ("picker_typed_code", picker_typed_code),
    ("explain_small", explain),
];

#[test]
fn every_new_screen_in_every_theme_at_80x24_and_40x12() {
    for (name, scene) in NEW_SCENES {
        for (w, h) in [(80, 24), (40, 12)] {
            let (mut script, now_ms) = scene();
            check_scene(name, &mut script, now_ms, w, h);
        }
    }
}

/// At the smallest size, the picker keeps its selection and the reason in
/// view, wherever the selection is.
#[test]
fn the_picker_scrolls_at_40x12() {
    let (mut s, now) = picker_last_code();
    s.viewport(40, 12);
    let text = text_of(&render(&s.app, &themes()[0], s.at(now), 40, 12));
    assert!(text.contains("▸ 4000"), "{text}");
    assert!(text.contains("reason gone"), "{text}");
}

/// One severity per outcome, from the class the engine concluded: a clean
/// 1000 is good news everywhere, a fatal 1002 an error everywhere.
#[test]
fn colours_follow_the_class_not_the_code() {
    let theme = &themes()[0];
    let fg_of = |buffer: &Buffer, needle: &str| {
        let text = text_of(buffer);
        let (y, line) = text
            .lines()
            .enumerate()
            .find(|(_, l)| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} not on screen:\n{text}"));
        let x = line
            .chars()
            .take_while(|_| true)
            .collect::<String>()
            .find(needle)
            .map_or(0, |b| line[..b].chars().count());
        buffer[(u16::try_from(x).expect("x"), u16::try_from(y).expect("y"))].fg
    };
    let (mut s, _) = open_with_traffic();
    s.ev(
        5_100,
        close(1000, "Normal Closure", "", Initiator::Server, true),
    );
    s.ev(
        5_101,
        EventKind::GiveUp {
            reason: "done: the server closed normally".into(),
        },
    );
    let buffer = render(&s.app, theme, s.at(5_200), 80, 24);
    assert_eq!(fg_of(&buffer, "give up"), theme.ok);
    assert_eq!(fg_of(&buffer, "● stopped"), theme.ok);
    let (s, now) = protocol_violation();
    let buffer = render(&s.app, theme, s.at(now), 80, 24);
    assert_eq!(fg_of(&buffer, "close   1002"), theme.error);
    assert_eq!(fg_of(&buffer, "● stopped"), theme.error);
}

/// At 160×48 the close panel has room for all of its advice: nothing is cut.
#[test]
fn the_close_panel_sizes_to_its_content() {
    let (mut s, now) = closed_1006();
    s.viewport(160, 48);
    let buffer = render(&s.app, &themes()[0], s.at(now), 160, 48);
    let regions = wsprobe::ui::regions(buffer.area, &s.app);
    let panel: String = (regions.close.y..regions.close.bottom())
        .map(|y| {
            (regions.close.x..regions.close.right())
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(!panel.contains('…'), "{panel}");
    assert!(panel.contains("error event that precedes it"), "{panel}");
}

/// While waiting, the status bar shows the attempt the countdown counts to,
/// the time left and how long the endpoint has been down.
#[test]
fn the_status_shows_the_countdown_and_the_downtime() {
    let (s, now) = countdown_running();
    let text = text_of(&render(&s.app, &themes()[0], s.at(now), 80, 24));
    let status = text.lines().next().unwrap_or_default();
    assert!(status.contains("#2 in 1.6s"), "{status}");
    assert!(status.contains("down 1.6s"), "{status}");
}

/// Once a newer connection is open, the close panel says which attempt the
/// close belonged to and how long ago it was.
#[test]
fn the_close_panel_names_its_attempt_once_a_newer_one_is_open() {
    let (mut s, _) = closed_1012();
    s.ev(8_301, tui::connecting(2, URL));
    s.ev(8_320, tui::open(2, None, false));
    let text = text_of(&render(&s.app, &themes()[0], s.at(20_000), 80, 24));
    assert!(text.contains("#1 · 14s ago · close 1012"), "{text}");
}

/// Wall-clock time: the clock taken at the first event plus each event's `t`.
#[test]
fn the_wall_clock_shows_utc() {
    let (mut s, now) = open_with_traffic();
    s.app.wall_zero = Some(std::time::UNIX_EPOCH + std::time::Duration::from_secs(3_600 * 10));
    s.key(KeyCode::Char('C'));
    let text = text_of(&render(&s.app, &themes()[0], s.at(now), 80, 24));
    assert!(text.contains("10:00:04.850"), "{text}");
    assert!(text.contains("UTC"), "{text}");
}

/// The demo reconnects after its 1000 because its policy says so: the
/// reconnect panel names the setting next to the rule.
#[test]
fn a_1000_reconnected_by_policy_says_so() {
    let (mut s, _) = open_with_traffic();
    s.app.reconnect_on_normal = true;
    s.ev(
        5_100,
        close(1000, "Normal Closure", "", Initiator::Server, true),
    );
    s.ev(
        5_101,
        reconnect(2, 1_000, [500, 1_500], 5_101, "going away: 0.5s-1.5s"),
    );
    let text = text_of(&render(&s.app, &themes()[0], s.at(5_200), 80, 24));
    assert!(text.contains("(reconnect-on-normal)"), "{text}");
}
