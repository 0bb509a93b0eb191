//! Every engine event kind.

use std::time::Duration;

use crossterm::event::KeyCode;

use super::*;

#[test]
fn connecting_starts_an_attempt_and_clears_the_last_wait() {
    let mut h = Harness::new();
    h.event(0, EventKind::GiveUp { reason: "x".into() });
    h.event(100, reconnect(2, 1000, 1100.0));
    assert!(h.event(200, connecting(2)).is_empty());
    let app = &h.app;
    assert_eq!(app.conn.phase, Phase::Connecting);
    assert_eq!(app.conn.attempt, 2);
    assert_eq!(app.conn.url, "ws://127.0.0.1:9/ws");
    assert_eq!(app.conn.since, Some(h.at(200)));
    assert!(app.countdown.is_none() && app.stopped.is_none());
    assert_eq!(app.timeline.len(), 3);
}

#[test]
fn open_records_the_connection() {
    let mut h = Harness::new();
    h.open(1000);
    let c = &h.app.conn;
    assert_eq!(c.phase, Phase::Open);
    assert_eq!(c.opened_at, Some(h.at(1020)));
    assert_eq!(c.subprotocol.as_deref(), Some("chat"));
    assert!(c.insecure);
}

#[test]
fn messages_are_counted_per_second_incrementally() {
    let mut h = Harness::new();
    h.event(100, text(Dir::In, "a"));
    h.event(900, text(Dir::Out, "b"));
    h.event(3500, text(Dir::In, "c"));
    let s = &h.app.stats;
    assert_eq!((s.msgs_in, s.msgs_out), (2, 1));
    assert_eq!(s.rate.iter().copied().collect::<Vec<_>>(), [2, 0, 0, 1]);
    // Seconds after the last message are zeros; the series is cut to the width asked.
    assert_eq!(s.rate_series(5, 4), [0, 1, 0, 0]);
    assert_eq!(s.rate_series(3, 10), [2, 0, 0, 1]);
    // A second still being counted is left out.
    assert_eq!(s.rate_series(2, 10), [2, 0, 0]);
    // A gap longer than the series does not loop over every missing second.
    h.event(10_000_000_000, text(Dir::In, "d"));
    assert_eq!(h.app.stats.rate.len(), SERIES_LEN);
}

#[test]
fn pings_and_pongs_go_to_the_timeline_and_rtt_series() {
    let mut h = Harness::new();
    h.event(
        0,
        EventKind::Ping {
            dir: Dir::Out,
            len: 0,
        },
    );
    h.event(
        5,
        EventKind::Pong {
            dir: Dir::In,
            len: 0,
            rtt_ms: Some(4.5),
        },
    );
    h.event(
        9,
        EventKind::Pong {
            dir: Dir::Out,
            len: 0,
            rtt_ms: None,
        },
    );
    assert_eq!(h.app.conn.last_rtt_ms, Some(4.5));
    assert_eq!(
        h.app.stats.rtt_us.iter().copied().collect::<Vec<_>>(),
        [4500]
    );
    assert_eq!(h.app.timeline.len(), 3);
}

#[test]
fn a_close_is_remembered_with_the_error_before_it() {
    let mut h = Harness::new();
    h.event(0, connecting(1));
    h.event(
        10,
        EventKind::Error {
            class: ErrorClass::Http,
            message: "HTTP 503".into(),
            http: Some(HttpReply {
                status: 503,
                reason: "Service Unavailable".into(),
                headers: vec![("retry-after".into(), "2".into())],
                body: "busy".into(),
            }),
            retry_after_ms: Some(2000),
        },
    );
    h.event(
        11,
        close_after(1006, Initiator::Local, false, Trigger::Http(503)),
    );
    assert_eq!(h.app.conn.phase, Phase::Closed);
    let last = h.app.last_close.clone().expect("close kept");
    assert_eq!(last.pos, 2);
    assert_eq!(last.info.trigger, Trigger::Http(503));
    assert_eq!(last.class(), Class::TryAgainLater);
    assert_eq!(last.entry().key, "http-503");
    assert_eq!(last.error.as_ref().map(|e| e.http_status), Some(Some(503)));
    // An error of an earlier attempt does not explain a later close.
    h.event(20, connecting(2));
    h.event(30, open(2));
    h.event(40, close(1012, Initiator::Server, true));
    let last = h.app.last_close.clone().expect("close kept");
    assert_eq!(
        (last.info.trigger, &last.error),
        (Trigger::Code(1012), &None)
    );
    assert_eq!(last.class(), Class::ServiceRestart);
}

#[test]
fn close_triggers_follow_the_contract() {
    let mut h = Harness::new();
    h.open(0);
    h.event(50, close(1000, Initiator::Client, true));
    assert_eq!(
        h.app.last_close.as_ref().map(|c| c.info.trigger),
        Some(Trigger::User)
    );
    let violation = CloseInfo {
        code: 1002,
        name: "Protocol Error".into(),
        reason: String::new(),
        initiator: Initiator::Server,
        wire: true,
        clean: true,
        received_code: Some(1005),
        trigger: Trigger::Violation,
        class: Class::Fatal,
    };
    h.event(60, EventKind::Close(violation));
    let last = h.app.last_close.clone().expect("close kept");
    assert_eq!(last.info.trigger, Trigger::Violation);
    assert_eq!(last.entry(), catalog::lookup(1005));
    assert_eq!(last.class(), Class::Fatal);
}

/// The class shown is the one the engine's policy concluded, even where the
/// built-in policy would say otherwise (a policy file mapped `not-http` to
/// abnormal): the app never classifies again.
#[test]
fn the_class_shown_is_the_engines() {
    let mut h = Harness::new();
    h.event(0, connecting(1));
    let EventKind::Close(mut info) = close_after(1006, Initiator::Local, false, Trigger::NotHttp)
    else {
        unreachable!()
    };
    assert_eq!(info.class, Class::Fatal, "the default policy");
    info.class = Class::Abnormal;
    h.event(10, EventKind::Close(info));
    let last = h.app.last_close.clone().expect("close kept");
    assert_eq!(last.class(), Class::Abnormal);
    let shown = h.app.explain_target().expect("something to explain");
    assert_eq!(shown.class, Class::Abnormal);
}

#[test]
fn reconnect_starts_a_countdown_on_our_clock() {
    let mut h = Harness::new();
    h.event(1000, close(1012, Initiator::Server, true));
    h.event(1001, reconnect(2, 3000, 4001.0));
    assert_eq!(h.app.conn.phase, Phase::Waiting);
    let cd = h.app.countdown.clone().expect("countdown");
    assert_eq!((cd.attempt, cd.window_ms), (2, [1000, 5000]));
    assert_eq!(cd.due, h.at(4001));
    assert_eq!(cd.remaining(h.at(2501)), Duration::from_millis(1500));
    assert!((cd.ratio(h.at(2501)) - 0.5).abs() < 1e-9);
    assert_eq!(cd.remaining(h.at(9000)), Duration::ZERO);
    // The timer runs only while the countdown does, at most 30 times a second.
    assert_eq!(h.app.next_wakeup(h.at(2000)), Some(h.at(2000) + FRAME));
    assert_eq!(h.app.next_wakeup(h.at(4000)), Some(h.at(4001)));
    assert_eq!(h.app.next_wakeup(h.at(4001)), None);
}

#[test]
fn a_late_event_does_not_shift_the_clock() {
    let mut h = Harness::new();
    h.event(0, connecting(1));
    // Handled 500 ms after it happened: the epoch stays at the earlier estimate.
    let late = EngineEvent {
        seq: 1,
        t: Duration::from_millis(100),
        kind: reconnect(2, 1000, 1100.0),
    };
    let now = h.at(600);
    update(&mut h.app, Msg::Engine(late), now);
    assert_eq!(h.app.epoch, Some(h.base));
    assert_eq!(h.app.countdown.as_ref().map(|c| c.due), Some(h.at(1100)));
}

#[test]
fn give_up_stops() {
    let mut h = Harness::new();
    h.event(0, reconnect(2, 1000, 1000.0));
    h.event(
        10,
        EventKind::GiveUp {
            reason: "auth: close 1008".into(),
        },
    );
    assert_eq!(h.app.conn.phase, Phase::Stopped);
    assert_eq!(h.app.stopped.as_deref(), Some("auth: close 1008"));
    assert!(h.app.countdown.is_none());
    assert_eq!(h.app.next_wakeup(h.at(20)), None);
}

#[test]
fn pause_and_resume_follow_the_engine() {
    let mut h = Harness::new();
    h.event(0, reconnect(2, 5000, 5000.0));
    h.event(1000, EventKind::Paused);
    assert!(h.app.paused);
    assert_eq!(
        h.app.next_wakeup(h.at(1000)),
        None,
        "a paused countdown does not tick"
    );
    h.event(
        3000,
        EventKind::Resumed {
            due_t_ms: Some(7000.0),
        },
    );
    assert!(!h.app.paused);
    let cd = h.app.countdown.clone().expect("countdown");
    assert_eq!(cd.due, h.at(7000));
    assert_eq!(cd.delay, Duration::from_secs(4));
    h.event(3500, EventKind::Paused);
    h.event(3600, EventKind::Resumed { due_t_ms: None });
    assert!(h.app.countdown.is_none());
}

#[test]
fn an_idle_open_connection_wakes_only_when_its_uptime_changes() {
    let mut h = Harness::new();
    h.event(0, connecting(1));
    assert!(h.app.next_wakeup(h.at(50)).is_some(), "the spinner turns");
    assert_eq!(h.app.next_wakeup(h.at(50)), Some(h.at(100)));
    h.event(60, open(1));
    h.messages(100, 3);
    // Uptime 9.94 s is shown as 9s: the next change is at 10 s of uptime.
    assert_eq!(h.app.next_wakeup(h.at(10_000)), Some(h.at(10_060)));
    // Past an hour it is shown in minutes, so once a minute is enough.
    assert_eq!(
        h.app.next_wakeup(h.at(3_605_000)),
        Some(h.at(60 + 3_660_000))
    );
}

#[test]
fn the_history_is_bounded_and_a_pinned_selection_survives() {
    let mut h = Harness::with_history(5);
    h.messages(0, 5);
    h.key(KeyCode::Home);
    assert_eq!(h.app.selected(), Some(0));
    h.messages(10, 3);
    assert_eq!(h.app.timeline.len(), 5);
    assert_eq!(h.app.timeline.dropped(), 3);
    assert_eq!((h.app.timeline.first(), h.app.timeline.end()), (3, 8));
    assert_eq!(h.app.selected(), Some(3));
    assert!(h.app.timeline.get(2).is_none());
}

#[test]
fn large_messages_are_bounded_by_the_text_budget() {
    use crate::app::state::TEXT_BUDGET;
    let mut h = Harness::new();
    let big = "x".repeat(TEXT_BUDGET / 4);
    for i in 0..10 {
        h.event(i, text(Dir::In, &big));
    }
    // Four messages of a quarter of the budget fit; older ones were dropped.
    assert_eq!(h.app.timeline.len(), 4);
    assert_eq!(h.app.timeline.dropped(), 6);
    // One message larger than the whole budget is still kept (the newest is).
    h.event(20, text(Dir::In, &"y".repeat(TEXT_BUDGET + 1)));
    assert_eq!(h.app.timeline.len(), 1);
}

#[test]
fn engine_end_viewport_and_shutdown() {
    let mut h = Harness::new();
    h.event(0, connecting(1));
    assert!(update(&mut h.app, Msg::EngineEnded, h.base).is_empty());
    assert!(h.app.engine_ended);
    assert_eq!(h.app.next_wakeup(h.base), None);
    update(&mut h.app, Msg::Viewport { rows: 17 }, h.base);
    assert_eq!(h.app.view.page, 17);
    let fx = update(&mut h.app, Msg::Shutdown, h.base);
    assert_eq!(
        fx,
        [Effect::Send(Command::Quit { code: 1001 }), Effect::Quit]
    );
}
