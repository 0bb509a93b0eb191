//! Snapshots of the TUI's key screens at a fixed `now`, built by feeding
//! engine events (and keys) through `update`. Every scene is drawn in every
//! theme: the text must not depend on the theme, the colours must.

use crossterm::event::KeyCode;
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use wsprobe::engine::event::{CloseInfo, EventKind, Initiator};
use wsprobe::engine::policy::{Class, Trigger};
use wsprobe::theme::Theme;

use crate::support::tui::{self, *};

pub(crate) type Scene = fn() -> (Script, u64);

pub(crate) fn connecting() -> (Script, u64) {
    let mut s = Script::new();
    s.viewport(80, 24);
    s.ev(0, tui::connecting(1, URL));
    (s, 250)
}

pub(crate) fn open_with_traffic() -> (Script, u64) {
    let mut s = Script::new();
    s.viewport(80, 24);
    traffic(&mut s, 1, 0);
    (s, 5_000)
}

pub(crate) fn closed_1006() -> (Script, u64) {
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

pub(crate) fn closed_1012() -> (Script, u64) {
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

pub(crate) fn countdown_running() -> (Script, u64) {
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

pub(crate) fn explain() -> (Script, u64) {
    let (mut s, now) = closed_1006();
    s.key(KeyCode::Char('e'));
    (s, now)
}

pub(crate) fn protocol_violation() -> (Script, u64) {
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

pub(crate) fn themes() -> Vec<Theme> {
    Theme::builtins().expect("built-in themes parse")
}

/// The text with the footer's theme name (and the padding before it) made
/// theme-neutral.
pub(crate) fn neutral(text: &str, theme: &Theme) -> String {
    let text = text.replace(&format!(" theme {}", theme.name), " theme ?");
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    if let Some(footer) = lines.last_mut() {
        *footer = footer.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    lines.join("\n")
}

pub(crate) fn cells_with_fg(buffer: &Buffer, color: Color) -> usize {
    buffer.content().iter().filter(|c| c.fg == color).count()
}

/// Draws `script` in every theme at `width`×`height`: one snapshot of the
/// text, the same text in every theme, the theme's colours on screen.
pub(crate) fn check_scene(name: &str, script: &mut Script, now_ms: u64, width: u16, height: u16) {
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
