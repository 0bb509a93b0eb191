//! The fleet's aggregates and the screen's update, fact by fact, with a
//! fixed clock; and the screen drawn at 140×36.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::fact::{ClientState, Ended, Fact, What};
use super::state::FleetState;
use super::view::{Screen, WatchApp, WatchEffect, WatchMsg, update};
use crate::engine::policy::{Class, Trigger};
use crate::theme::Theme;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn fact(client: u32, t: u64, what: What) -> Fact {
    Fact {
        client,
        t: ms(t),
        what,
    }
}

fn restart(was_open: bool) -> What {
    What::Closed(Ended {
        code: 1012,
        trigger: Trigger::Code(1012),
        class: Class::ServiceRestart,
        received_code: None,
        was_open,
    })
}

/// `n` clients open at t=0, all closed with 1012 at 5 s, back one by one.
fn deploy(n: u32) -> FleetState {
    let mut s = FleetState::new(n);
    for c in 0..n {
        s.apply(&fact(c, 0, What::Launched));
        s.apply(&fact(
            c,
            1,
            What::Connecting {
                attempt: 1,
                late_ms: None,
            },
        ));
        s.apply(&fact(c, 2, What::Open { handshake_ms: 1.0 }));
    }
    for c in 0..n {
        s.apply(&fact(c, 5000 + u64::from(c), restart(true)));
        let due = ms(6000 + u64::from(c) * 100);
        s.apply(&fact(
            c,
            5000,
            What::Reconnect {
                delay_ms: 1000,
                window_ms: [1000, 5000],
                due,
            },
        ));
    }
    for c in 0..n {
        let t = 6000 + u64::from(c) * 100;
        s.apply(&fact(
            c,
            t + 2,
            What::Connecting {
                attempt: 2,
                late_ms: Some(2.0),
            },
        ));
        s.apply(&fact(c, t + 3, What::Open { handshake_ms: 1.0 }));
    }
    s
}

#[test]
fn a_mass_close_is_one_burst_and_its_recovery_is_measured() {
    let s = deploy(20);
    assert_eq!(s.bursts.len(), 1);
    let b = &s.bursts[0];
    assert_eq!((b.clients, b.code, b.reopened.len()), (20, 1012, 20));
    assert_eq!(b.start, ms(5000));
    // Client c is back at 6003 + 100c ms: half after the 10th.
    assert_eq!(b.recovery(0.5), Some(ms(1903)));
    assert_eq!(b.recovery(1.0), Some(ms(2903)));
    assert_eq!(s.counts[ClientState::Open.index()], 20);
    assert_eq!(s.total_attempts, 40);
    let (from, storm) = s.storm(b, usize::MAX);
    assert_eq!(from, ms(4000));
    assert_eq!(
        storm.iter().sum::<u32>(),
        20,
        "the histogram counts the 20 retries"
    );
    assert_eq!(FleetState::peak_per_second(&storm), 10);
    assert_eq!(s.lateness.quantile(0.99), Some(2.0));
    assert_eq!(s.causes[0].count, 20);
    assert_eq!(s.ended_in(Class::ServiceRestart), 20);
}

#[test]
fn scattered_closes_and_failed_handshakes_make_no_burst() {
    let mut s = FleetState::new(100);
    for c in 0..10 {
        s.apply(&fact(c, 0, What::Launched));
        s.apply(&fact(c, 1, What::Open { handshake_ms: 1.0 }));
        // One close every 2 s: never 5 within a second.
        s.apply(&fact(c, 2000 * u64::from(c) + 10, restart(true)));
    }
    // Handshake failures are endings, not closes of open connections.
    for c in 10..30 {
        s.apply(&fact(c, 100, restart(false)));
    }
    assert!(s.bursts.is_empty());
    assert_eq!(s.causes[0].count, 30);
}

#[test]
fn samples_record_each_second_and_failures_count_once() {
    let mut s = FleetState::new(2);
    s.apply(&fact(0, 0, What::Launched));
    s.apply(&fact(0, 1500, What::Open { handshake_ms: 1.0 }));
    s.apply(&fact(0, 2500, What::Ended { success: false }));
    s.apply(&fact(0, 2600, What::Ended { success: false }));
    assert_eq!(s.samples, vec![[0, 0, 0, 0], [0, 1, 0, 0], [1, 0, 0, 0]]);
    assert_eq!(
        s.gave_up(),
        2,
        "each Ended counts (the runner sends one per client)"
    );
    assert_eq!(s.counts[ClientState::Stopped.index()], 1);
    assert_eq!(s.counts[ClientState::NotStarted.index()], 1);
}

fn key(code: KeyCode) -> WatchMsg {
    WatchMsg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

#[test]
fn keys_pick_open_and_leave_a_client() {
    let now = Instant::now();
    let mut w = WatchApp::new(5, "run".into(), 100, 1);
    assert!(update(&mut w, key(KeyCode::Down), now).is_empty());
    assert_eq!(w.cursor, 1);
    assert_eq!(
        update(&mut w, key(KeyCode::Enter), now),
        vec![WatchEffect::Select(1)]
    );
    assert!(matches!(w.screen, Screen::Client { client: 1, .. }));
    // Keys of the single-client screen go to that client.
    assert_eq!(
        update(&mut w, key(KeyCode::Char('r')), now),
        vec![WatchEffect::Command(
            1,
            crate::engine::event::Command::ReconnectNow
        )]
    );
    assert_eq!(
        update(&mut w, key(KeyCode::Esc), now),
        vec![WatchEffect::Deselect]
    );
    assert!(matches!(w.screen, Screen::Fleet));
    // A typed number opens that client; past the end is the last one.
    update(&mut w, key(KeyCode::Char('9')), now);
    assert_eq!(
        update(&mut w, key(KeyCode::Enter), now),
        vec![WatchEffect::Select(4)]
    );
    update(&mut w, key(KeyCode::Char('q')), now);
    assert_eq!(
        update(&mut w, key(KeyCode::Char('q')), now),
        vec![WatchEffect::StopAll(1000), WatchEffect::Quit]
    );
}

#[test]
fn the_single_client_view_knows_the_screen_size() {
    let now = Instant::now();
    let mut w = WatchApp::new(3, "run".into(), 100, 1);
    let size = WatchMsg::ClientScreen {
        width: 120,
        height: 40,
    };
    update(&mut w, size, now);
    update(&mut w, key(KeyCode::Enter), now);
    let Screen::Client { app, .. } = &w.screen else {
        panic!("a client is open");
    };
    assert_eq!(app.screen, (120, 40), "told when it opens");
    let size = WatchMsg::ClientScreen {
        width: 60,
        height: 20,
    };
    update(&mut w, size, now);
    let Screen::Client { app, .. } = &w.screen else {
        panic!("a client is open");
    };
    assert_eq!(app.screen, (60, 20), "and when the screen changes");
}

#[test]
fn the_screen_draws_every_panel() {
    let mut w = WatchApp::new(20, "wsprobe watch: 20 clients".into(), 100, 1);
    w.fleet = deploy(20);
    w.fleet.advance(ms(9500));
    let theme = Theme::builtins().expect("themes").remove(0);
    let mut terminal = Terminal::new(TestBackend::new(140, 36)).expect("terminal");
    let start = Instant::now();
    terminal
        .draw(|f| super::ui::render(f, &w, &theme, start + ms(9500), start))
        .expect("draw");
    let text: String = terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(ratatui::buffer::Cell::symbol)
        .collect();
    for needle in [
        "states over time",
        "the storm 1/1",
        "peak 10 attempts/s",
        "what ended them",
        "1012 Service Restart",
        "50 % 1.9s",
        "clients (20)",
        "open",
    ] {
        assert!(text.contains(needle), "{needle} missing");
    }
}
