//! The pure update: one message in, state changed, effects out.

use std::time::{Duration, Instant};

use super::handle;
use super::keys::action;
use super::state::{ClosedAttempt, Countdown, Phase, View};
use super::{App, Effect, Mode, Msg};
use crate::engine::event::{Command, Dir, EngineEvent, EventKind};

/// Applies `msg` to `app` at time `now` and returns what the loop must do.
pub fn update(app: &mut App, msg: Msg, now: Instant) -> Vec<Effect> {
    match msg {
        Msg::Engine(event) => {
            on_event(app, event, now);
            Vec::new()
        }
        Msg::EngineEnded => {
            app.engine_ended = true;
            Vec::new()
        }
        Msg::Viewport { rows } => {
            app.view.page = rows.max(1);
            Vec::new()
        }
        Msg::Screen { width, height } => {
            app.screen = (width, height);
            handle::resized(app);
            Vec::new()
        }
        Msg::Shutdown => quit(app, 1001),
        Msg::Key(key) => {
            let action = if app.replay.is_some() {
                super::keys::replay_action(&app.mode, key)
            } else {
                action(&app.mode, key)
            };
            let Some(action) = action else {
                return Vec::new();
            };
            app.notice = None;
            handle::on_action(app, action)
        }
        Msg::Paste(text) => {
            app.notice = None;
            handle::paste(app, &text);
            Vec::new()
        }
        Msg::Wheel(delta) => {
            handle::wheel(app, delta);
            Vec::new()
        }
        Msg::PanelWheel(delta) => {
            handle::panel_wheel(app, delta);
            Vec::new()
        }
        Msg::ClickAttempt { row } => handle::click_attempt(app, row),
        Msg::Click { row } => {
            handle::click(app, row);
            Vec::new()
        }
        Msg::Notice(text) => {
            app.notice = Some(text);
            Vec::new()
        }
    }
}

fn on_event(app: &mut App, event: EngineEvent, now: Instant) {
    // The earliest `now - t` is the best estimate of the engine's time zero:
    // an event is never handled before it happened, only later.
    if let Some(epoch) = now.checked_sub(event.t) {
        app.epoch = Some(app.epoch.map_or(epoch, |e| e.min(epoch)));
    }
    let at = app.at(event.t);
    let t = event.t;
    match &event.kind {
        EventKind::Connecting { attempt, url, .. } => {
            set_phase(app, Phase::Connecting, at);
            app.conn.attempt = *attempt;
            app.conn.url.clone_from(url);
            app.conn.opened_at = None;
            app.conn.subprotocol = None;
            app.conn.insecure = false;
            app.countdown = None;
            app.stopped = None;
            if app.down_since.is_none() {
                app.down_since = at;
            }
        }
        EventKind::Open {
            attempt,
            subprotocol,
            insecure,
            ..
        } => {
            set_phase(app, Phase::Open, at);
            app.conn.attempt = *attempt;
            app.conn.opened_at = at;
            app.conn.subprotocol.clone_from(subprotocol);
            app.conn.insecure = *insecure;
            app.down_since = None;
            app.ping_unanswered = None;
            app.last_rx = at;
        }
        EventKind::Message { dir, .. } => {
            app.stats.count_message(*dir, t);
            if *dir == Dir::In {
                app.last_rx = at;
            }
        }
        EventKind::Ping { dir, .. } => match dir {
            Dir::In => app.last_rx = at,
            Dir::Out => {
                if app.ping_unanswered.is_none() {
                    app.ping_unanswered = at;
                }
            }
        },
        EventKind::Pong { dir, rtt_ms, .. } => {
            if *dir == Dir::In {
                app.last_rx = at;
                app.ping_unanswered = None;
            }
            if let Some(rtt) = rtt_ms {
                app.conn.last_rtt_ms = Some(*rtt);
                app.stats.record_rtt(*rtt);
            }
        }
        EventKind::Close(_) => {
            set_phase(app, Phase::Closed, at);
            app.ping_unanswered = None;
            if app.down_since.is_none() {
                app.down_since = at;
            }
        }
        EventKind::Reconnect {
            attempt,
            delay_ms,
            window_ms,
            due_t_ms,
            rule,
        } => {
            set_phase(app, Phase::Waiting, at);
            let due = app
                .at(Duration::from_secs_f64(due_t_ms.max(0.0) / 1000.0))
                .unwrap_or(now);
            app.countdown = Some(Countdown {
                attempt: *attempt,
                delay: Duration::from_millis(*delay_ms),
                window_ms: *window_ms,
                rule: rule.clone(),
                due,
            });
        }
        EventKind::GiveUp { reason } => {
            set_phase(app, Phase::Stopped, at);
            app.stopped = Some(reason.clone());
            app.countdown = None;
        }
        EventKind::Paused => app.paused = true,
        EventKind::Resumed { due_t_ms } => {
            app.paused = false;
            match due_t_ms {
                Some(due_t_ms) => {
                    let due = app.at(Duration::from_secs_f64(due_t_ms.max(0.0) / 1000.0));
                    if let (Some(cd), Some(due)) = (&mut app.countdown, due) {
                        // The wait starts over from the resume.
                        cd.delay = due.saturating_duration_since(now).max(cd.remaining(now));
                        cd.due = due;
                    }
                }
                None => app.countdown = None,
            }
        }
        EventKind::Error { .. } => {}
    }
    let close = match &event.kind {
        EventKind::Close(info) => Some(info.clone()),
        _ => None,
    };
    let pos = app.timeline.end();
    app.attempts.on_event(pos, &event);
    let keep = match &app.mode {
        Mode::Viewer(v) if v.held.is_none() => Some(v.pos),
        _ => None,
    };
    if let Some(gone) = app.timeline.push_keeping(event, keep)
        && let Mode::Viewer(v) = &mut app.mode
    {
        v.held = Some(Box::new(gone));
    }
    app.track_shown(pos);
    if let Some(info) = close {
        app.last_close = Some(ClosedAttempt {
            pos,
            attempt: app.conn.attempt,
            at,
            info,
            error: app.error_before(pos),
        });
    }
    keep_selection(&mut app.view, app.timeline.first());
}

fn set_phase(app: &mut App, phase: Phase, at: Option<Instant>) {
    app.conn.phase = phase;
    app.conn.since = at;
}

/// A pinned selection on an event the ring buffer just forgot moves to the
/// oldest event kept.
fn keep_selection(view: &mut View, first: u64) {
    view.selected = view.selected.max(first);
    view.top = view.top.max(first);
}

pub(super) fn quit(app: &mut App, code: u16) -> Vec<Effect> {
    closing(app);
    vec![Effect::Send(Command::Quit { code }), Effect::Quit]
}

pub(super) fn closing(app: &mut App) {
    if matches!(app.conn.phase, Phase::Open | Phase::Connecting) {
        app.conn.phase = Phase::Closing;
    }
}
