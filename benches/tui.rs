//! What the TUI costs: one frame at 160×48 with a short and a long history
//! (the cost must not grow with the history), and applying a flood of
//! engine events to the state.
//!
//! `cargo bench --bench tui`

#[allow(
    dead_code,
    unused_imports,
    reason = "the benchmark uses only the TUI scripts of the tests' helpers"
)]
#[path = "../tests/it/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use divan::Bencher;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::tui::{self, Script, close, connecting, open, pong, reconnect, text};
use wsprobe::app::{App, Msg, update};
use wsprobe::engine::event::{Dir, EngineEvent, EventKind, Initiator};
use wsprobe::theme::Theme;
use wsprobe::ui;

fn main() {
    divan::main();
}

/// `n` events of a busy run: mostly JSON messages, a ping every hundred,
/// a reconnect every ten thousand.
fn flood(n: usize) -> Vec<EngineEvent> {
    fn push(out: &mut Vec<EngineEvent>, kind: EventKind) {
        let seq = out.len() as u64;
        out.push(EngineEvent {
            seq,
            t: Duration::from_millis(seq),
            kind,
        });
    }
    let mut out = Vec::with_capacity(n);
    let mut attempt = 1;
    while out.len() < n {
        let i = out.len();
        if i % 10_000 == 0 {
            push(&mut out, connecting(attempt, tui::URL));
            push(&mut out, open(attempt, Some("chat"), false));
            attempt += 1;
        } else if i % 10_000 == 9_998 {
            push(
                &mut out,
                close(1012, "Service Restart", "deploy", Initiator::Server, true),
            );
            push(
                &mut out,
                reconnect(
                    attempt,
                    2_000,
                    [1_000, 5_000],
                    i as u64,
                    "service restart: uniform 1s-5s",
                ),
            );
        } else if i % 100 == 0 {
            push(
                &mut out,
                EventKind::Ping {
                    dir: Dir::Out,
                    len: 0,
                },
            );
            push(&mut out, pong(3.5));
        } else {
            push(
                &mut out,
                text(
                    Dir::In,
                    &format!(r#"{{"tick":{i},"price":{}.25,"sym":"WSP"}}"#, i % 997),
                ),
            );
        }
    }
    out.truncate(n);
    out
}

fn filled(events: usize) -> (App, Instant) {
    let mut script = Script::new();
    script.viewport(160, 48);
    let base = script.base;
    for event in flood(events) {
        let now = base + event.t;
        update(&mut script.app, Msg::Engine(event), now);
    }
    let now = base + Duration::from_millis(events as u64 + 500);
    (script.app, now)
}

fn draw(bencher: Bencher, app: &App, now: Instant) {
    let theme = Theme::builtin("default").expect("exists").expect("parses");
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("test backend");
    let mut tick = 0u64;
    bencher.bench_local(|| {
        // Move the clock so the countdown differs from frame to frame.
        tick += 1;
        let now = now + Duration::from_millis(tick % 1000);
        terminal
            .draw(|frame| ui::render(frame, app, &theme, now))
            .expect("draw");
    });
}

/// One frame of the main screen, following the tail.
#[divan::bench(args = [1_000, 100_000])]
fn frame_160x48(bencher: Bencher, history: usize) {
    let (app, now) = filled(history);
    draw(bencher, &app, now);
}

/// One frame with the view scrolled into the middle and an event expanded.
#[divan::bench(args = [1_000, 100_000])]
fn frame_160x48_scrolled_expanded(bencher: Bencher, history: usize) {
    let (mut app, now) = filled(history);
    update(&mut app, Msg::Viewport { rows: 44 }, now);
    for code in [KeyCode::Home, KeyCode::PageDown, KeyCode::Enter] {
        let key = crossterm::event::KeyEvent::from(code);
        update(&mut app, Msg::Key(key), now);
    }
    draw(bencher, &app, now);
}

/// Filtering a history of 100 000 events (one pass over all of them).
#[divan::bench(sample_count = 20)]
fn filter_100k_events(bencher: Bencher) {
    let (app, _) = filled(100_000);
    let filter = wsprobe::app::Filter::new("price\":5").expect("a filter");
    bencher
        .with_inputs(|| app.clone())
        .bench_local_values(|mut app| {
            app.set_filter(Some(filter.clone()));
            app
        });
}

/// A frame with the viewer open on a 1 MB JSON message, scrolled to the middle.
#[divan::bench(args = ["raw", "pretty"])]
fn frame_160x48_viewer_1mb(bencher: Bencher, format: &str) {
    let mut script = Script::new();
    script.viewport(160, 48);
    let items: Vec<String> = (0..50_000)
        .map(|i| format!(r#"{{"i":{i},"v":"abcdef"}}"#))
        .collect();
    let big = format!("[{}]", items.join(","));
    assert!(big.len() > 1_000_000);
    script.ev(0, text(Dir::In, &big));
    script.key(KeyCode::Enter);
    if format == "raw" {
        script.key(KeyCode::Char('v'));
    }
    for _ in 0..50 {
        script.key(KeyCode::PageDown);
    }
    let now = script.at(100);
    draw(bencher, &script.app, now);
}

/// Applying 100 000 engine events to a fresh state (history 100 000).
#[divan::bench(sample_count = 20)]
fn apply_100k_events(bencher: Bencher) {
    let events = flood(100_000);
    let base = Instant::now();
    bencher
        .with_inputs(|| (App::new(100_000, 4), events.clone()))
        .bench_local_values(|(mut app, events)| {
            for event in events {
                let now = base + event.t;
                update(&mut app, Msg::Engine(event), now);
            }
            app
        });
}
