//! Snapshots of the TUI's key screens at a fixed `now`, built by feeding
//! engine events (and keys) through `update`. Every scene is drawn in every
//! theme: the text must not depend on the theme, the colours must.

use crossterm::event::{KeyCode, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use wsprobe::engine::event::{CloseInfo, EventKind, Initiator};
use wsprobe::engine::policy::{Class, Trigger};
use wsprobe::theme::Theme;

use crate::support::tui::{self, *};

type Scene = fn() -> (Script, u64);

fn connecting() -> (Script, u64) {
    let mut s = Script::new();
    s.viewport(80, 24);
    s.ev(0, tui::connecting(1, URL));
    (s, 250)
}

fn open_with_traffic() -> (Script, u64) {
    let mut s = Script::new();
    s.viewport(80, 24);
    traffic(&mut s, 1, 0);
    (s, 5_000)
}

fn closed_1006() -> (Script, u64) {
    let (mut s, _) = open_with_traffic();
    s.ev(
        5_100,
        close(1006, "Abnormal Closure", "", Initiator::Local, false),
    );
    s.ev(
        5_101,
        reconnect(
            2,
            1_400,
            [1_000, 2_000],
            5_101,
            "abnormal: 1s + full jitter over 1s×2^0, cap 1m",
        ),
    );
    (s, 5_300)
}

fn closed_1012() -> (Script, u64) {
    let (mut s, _) = open_with_traffic();
    s.ev(
        5_100,
        close(
            1012,
            "Service Restart",
            "deploy v42",
            Initiator::Server,
            true,
        ),
    );
    s.ev(
        5_101,
        reconnect(
            2,
            3_200,
            [1_000, 5_000],
            5_101,
            "service restart: uniform 1s-5s",
        ),
    );
    (s, 5_200)
}

fn countdown_running() -> (Script, u64) {
    let (s, _) = closed_1012();
    (s, 6_701)
}

fn paused() -> (Script, u64) {
    let (mut s, _) = closed_1012();
    s.ev(6_000, EventKind::Paused);
    (s, 9_000)
}

fn stopped_1008() -> (Script, u64) {
    let (mut s, _) = open_with_traffic();
    s.ev(
        5_100,
        close(
            1008,
            "Policy Violation",
            "token expired",
            Initiator::Server,
            true,
        ),
    );
    s.ev(
        5_101,
        EventKind::GiveUp {
            reason: "auth: close 1008 — fix the credentials first".into(),
        },
    );
    (s, 6_000)
}

fn rejected_upgrade_expanded() -> (Script, u64) {
    let (mut s, _) = closed_1012();
    s.ev(8_301, tui::connecting(2, URL));
    s.ev(8_310, http_503());
    s.ev(
        8_311,
        close_after(
            1006,
            "Abnormal Closure",
            "",
            Initiator::Local,
            false,
            Trigger::Http(503),
        ),
    );
    s.ev(
        8_312,
        reconnect(
            3,
            2_100,
            [2_000, 2_200],
            8_312,
            "try again later: Retry-After 2s",
        ),
    );
    s.key(KeyCode::Up).key(KeyCode::Up).key(KeyCode::Enter);
    (s, 8_500)
}

fn help() -> (Script, u64) {
    let (mut s, now) = open_with_traffic();
    s.key(KeyCode::Char('?'));
    (s, now)
}

fn picker() -> (Script, u64) {
    let (mut s, now) = open_with_traffic();
    s.key(KeyCode::Char('c'))
        .key(KeyCode::Down)
        .key(KeyCode::Down);
    s.typed("maintenance");
    (s, now)
}

fn composer() -> (Script, u64) {
    let (mut s, now) = open_with_traffic();
    s.key(KeyCode::Char('i'));
    s.typed(r#"{"op":"ping","id":1}"#);
    (s, now)
}

fn explain() -> (Script, u64) {
    let (mut s, now) = closed_1006();
    s.key(KeyCode::Char('e'));
    (s, now)
}

fn protocol_violation() -> (Script, u64) {
    let (mut s, _) = open_with_traffic();
    s.ev(
        5_100,
        EventKind::Close(CloseInfo {
            code: 1002,
            name: "Protocol Error".into(),
            reason: String::new(),
            initiator: Initiator::Server,
            wire: true,
            clean: true,
            received_code: Some(1005),
            trigger: Trigger::Violation,
            class: Class::Fatal,
        }),
    );
    s.ev(
        5_101,
        EventKind::GiveUp {
            reason: "fatal: protocol violation by the server".into(),
        },
    );
    (s, 5_200)
}

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

const SCENES: [(&str, Scene); 13] = [
    ("connecting", connecting),
    ("open_with_traffic", open_with_traffic),
    ("closed_1006", closed_1006),
    ("closed_1012", closed_1012),
    ("countdown_running", countdown_running),
    ("paused", paused),
    ("stopped_1008", stopped_1008),
    ("rejected_upgrade_expanded", rejected_upgrade_expanded),
    ("help", help),
    ("picker", picker),
    ("composer", composer),
    ("explain", explain),
    ("protocol_violation", protocol_violation),
];

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

fn themes() -> Vec<Theme> {
    Theme::builtins().expect("built-in themes parse")
}

/// The text with the footer's theme name (and the padding before it) made
/// theme-neutral.
fn neutral(text: &str, theme: &Theme) -> String {
    let text = text.replace(&format!(" theme {}", theme.name), " theme ?");
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    if let Some(footer) = lines.last_mut() {
        *footer = footer.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    lines.join("\n")
}

fn cells_with_fg(buffer: &Buffer, color: Color) -> usize {
    buffer.content().iter().filter(|c| c.fg == color).count()
}

/// Draws `script` in every theme at `width`×`height`: one snapshot of the
/// text, the same text in every theme, the theme's colours on screen.
fn check_scene(name: &str, script: &mut Script, now_ms: u64, width: u16, height: u16) {
    let themes = themes();
    script.viewport(width, height);
    let now = script.at(now_ms);
    let default = render(&script.app, &themes[0], now, width, height);
    insta::assert_snapshot!(format!("{name}_{width}x{height}"), text_of(&default));
    for theme in &themes {
        let buffer = render(&script.app, theme, now, width, height);
        assert_eq!(
            neutral(&text_of(&buffer), theme),
            neutral(&text_of(&default), &themes[0]),
            "{name}: the text differs in theme {}",
            theme.name
        );
        // The background and the status bar's title carry the theme.
        let corner = &buffer[(width - 1, 0)];
        let title = &buffer[(1, 0)];
        assert_eq!(corner.bg, theme.bg, "{name} in {}", theme.name);
        assert_eq!(title.fg, theme.accent, "{name} in {}", theme.name);
        if theme.name != "mono" {
            assert!(cells_with_fg(&buffer, theme.border) > 10, "{name}: borders");
        }
    }
    let styles: Vec<Vec<_>> = themes
        .iter()
        .map(|t| {
            let b = render(&script.app, t, now, width, height);
            b.content().iter().map(|c| (c.fg, c.bg)).collect()
        })
        .collect();
    for (i, a) in styles.iter().enumerate() {
        for b in &styles[i + 1..] {
            assert_ne!(a, b, "{name}: two themes draw the same colours");
        }
    }
}

#[test]
fn every_scene_in_every_theme_at_80x24() {
    for (name, scene) in SCENES {
        let (mut script, now_ms) = scene();
        check_scene(name, &mut script, now_ms, 80, 24);
    }
}

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

#[test]
fn every_file_in_themes_renders() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes");
    let (script, now_ms) = closed_1012();
    for entry in std::fs::read_dir(dir).expect("themes/") {
        let path = entry.expect("entry").path();
        let theme = wsprobe::theme::load_file(&path).expect("parses");
        let buffer = render(&script.app, &theme, script.at(now_ms), 80, 24);
        assert!(
            text_of(&buffer).contains("close 1012"),
            "{}",
            path.display()
        );
        assert_eq!(buffer[(0, 0)].bg, theme.bg, "{}", path.display());
    }
}

#[test]
fn a_huge_message_opens_in_the_viewer_and_scrolls_to_its_end() {
    let mut s = Script::new();
    s.viewport(80, 24);
    let huge = "line of text\n".repeat(200_000) + &"x".repeat(1_000_000) + "END";
    s.ev(0, tui::text(wsprobe::engine::event::Dir::In, &huge));
    s.key(KeyCode::Enter);
    let text = text_of(&render(&s.app, &themes()[0], s.at(10), 80, 24));
    assert!(text.contains("↓ more"), "{text}");
    s.key(KeyCode::End);
    let text = text_of(&render(&s.app, &themes()[0], s.at(10), 80, 24));
    assert!(text.contains("xEND"), "{text}");
    assert!(!text.contains("↓ more"), "{text}");
}

#[test]
fn main_screen_at_160x48() {
    let mut s = Script::new();
    s.viewport(160, 48);
    traffic(&mut s, 1, 0);
    s.ev(
        5_100,
        close(
            1012,
            "Service Restart",
            "deploy v42",
            Initiator::Server,
            true,
        ),
    );
    s.ev(
        5_101,
        reconnect(
            2,
            3_200,
            [1_000, 5_000],
            5_101,
            "service restart: uniform 1s-5s",
        ),
    );
    traffic(&mut s, 2, 8_400);
    s.ev(
        13_500,
        close(1006, "Abnormal Closure", "", Initiator::Local, false),
    );
    s.ev(
        13_501,
        reconnect(
            3,
            1_600,
            [1_000, 2_000],
            13_501,
            "abnormal: 1s + full jitter over 1s×2^0, cap 1m",
        ),
    );
    let theme = &themes()[0];
    let buffer = render(&s.app, theme, s.at(14_000), 160, 48);
    insta::assert_snapshot!("main_160x48", text_of(&buffer));
}

#[test]
fn network_text_never_reaches_a_cell_raw() {
    let (script, now_ms) = rejected_upgrade_expanded();
    for (w, h) in [(80, 24), (160, 48), (20, 8)] {
        let buffer = render(&script.app, &themes()[0], script.at(now_ms), w, h);
        for cell in buffer.content() {
            assert!(
                !cell.symbol().chars().any(wsprobe::sanitize::is_unsafe),
                "unsafe cell {:?} at {w}x{h}",
                cell.symbol()
            );
        }
    }
}

#[test]
fn tiny_terminals_do_not_panic() {
    let theme = &themes()[0];
    for (_, scene) in SCENES {
        let (script, now_ms) = scene();
        for (w, h) in [(1, 1), (10, 3), (40, 10), (80, 5), (200, 12)] {
            render(&script.app, theme, script.at(now_ms), w, h);
        }
    }
}

#[test]
fn the_expanded_message_shows_pretty_json() {
    let (mut s, now) = open_with_traffic();
    // Select the "subscribed" reply: the fourth event.
    s.key(KeyCode::Home)
        .key(KeyCode::Down)
        .key(KeyCode::Down)
        .key(KeyCode::Down);
    s.key(KeyCode::Enter);
    let text = text_of(&render(&s.app, &themes()[0], s.at(now), 80, 24));
    assert!(text.contains("│  \"channel\": \"ticks\","), "{text}");
}
