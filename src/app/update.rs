//! The pure update: one message in, state changed, effects out.

use std::time::{Duration, Instant};

use super::keys::{Action, action, replay_action};
use super::prompts::{answer, replay_keys};
use super::state::{CLOSE_CODES, ClosedAttempt, Countdown, MAX_REASON_BYTES, Phase, View};
use super::{App, Effect, Mode, Msg, PromptFor};
use crate::engine::event::{Command, EngineEvent, EventKind};

/// Longest text the composer accepts: a guard against a stuck key, not a
/// protocol limit.
const MAX_COMPOSE_BYTES: usize = 64 * 1024;

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
        Msg::Shutdown => quit(app, 1001),
        Msg::Key(key) => {
            let action = if app.replay.is_some() {
                replay_action(&app.mode, key)
            } else {
                action(&app.mode, key)
            };
            let Some(action) = action else {
                return Vec::new();
            };
            app.notice = None;
            on_action(app, action)
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
        }
        EventKind::Message { dir, .. } => app.stats.count_message(*dir, t),
        EventKind::Pong {
            rtt_ms: Some(rtt), ..
        } => {
            app.conn.last_rtt_ms = Some(*rtt);
            app.stats.record_rtt(*rtt);
        }
        EventKind::Close(_) => set_phase(app, Phase::Closed, at),
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
        EventKind::Ping { .. } | EventKind::Pong { .. } | EventKind::Error { .. } => {}
    }
    let close = match &event.kind {
        EventKind::Close(info) => Some(info.clone()),
        _ => None,
    };
    app.timeline.push(event);
    if let Some(info) = close {
        let pos = app.timeline.end() - 1;
        app.last_close = Some(ClosedAttempt {
            pos,
            info,
            error: app.error_before(pos),
        });
    }
    keep_selection(&mut app.view, app.timeline.first());
}

fn set_phase(app: &mut App, phase: Phase, at: Option<std::time::Instant>) {
    app.conn.phase = phase;
    app.conn.since = at;
}

/// A pinned selection on an event the ring buffer just forgot moves to the
/// oldest event kept.
fn keep_selection(view: &mut View, first: u64) {
    view.selected = view.selected.max(first);
    view.top = view.top.max(first);
}

fn quit(app: &mut App, code: u16) -> Vec<Effect> {
    closing(app);
    vec![Effect::Send(Command::Quit { code }), Effect::Quit]
}

fn closing(app: &mut App) {
    if matches!(app.conn.phase, Phase::Open | Phase::Connecting) {
        app.conn.phase = Phase::Closing;
    }
}

fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    if action == Action::Interrupt {
        return quit(app, 1001);
    }
    match &mut app.mode {
        Mode::Normal => normal(app, action),
        Mode::Help | Mode::Explain(_) => {
            if action == Action::Back {
                app.mode = Mode::Normal;
            }
            Vec::new()
        }
        Mode::Picker { index, reason } => match action {
            Action::Up => {
                *index = index.checked_sub(1).unwrap_or(CLOSE_CODES.len() - 1);
                Vec::new()
            }
            Action::Down => {
                *index = (*index + 1) % CLOSE_CODES.len();
                Vec::new()
            }
            Action::Input(c) => {
                if reason.len() + c.len_utf8() <= MAX_REASON_BYTES {
                    reason.push(c);
                }
                Vec::new()
            }
            Action::Backspace => {
                reason.pop();
                Vec::new()
            }
            Action::Confirm => {
                let command = Command::Close {
                    code: CLOSE_CODES[(*index).min(CLOSE_CODES.len() - 1)],
                    reason: std::mem::take(reason),
                };
                app.mode = Mode::Normal;
                // The engine can only close an open connection; say so
                // instead of dropping the request silently.
                if app.conn.phase != Phase::Open {
                    app.notice = Some("not connected: nothing to close (r reconnects)".into());
                    return Vec::new();
                }
                closing(app);
                vec![Effect::Send(command)]
            }
            Action::Back => {
                app.mode = Mode::Normal;
                Vec::new()
            }
            _ => Vec::new(),
        },
        Mode::Prompt { purpose, text } => match action {
            Action::Input(c) => {
                if text.len() + c.len_utf8() <= 4096 {
                    text.push(c);
                }
                Vec::new()
            }
            Action::Backspace => {
                text.pop();
                Vec::new()
            }
            Action::Confirm => {
                let (purpose, text) = (*purpose, std::mem::take(text));
                app.mode = Mode::Normal;
                answer(app, purpose, text.trim())
            }
            Action::Back => {
                app.mode = Mode::Normal;
                Vec::new()
            }
            _ => Vec::new(),
        },
        Mode::Composer { text } => match action {
            Action::Input(c) => {
                if text.len() + c.len_utf8() <= MAX_COMPOSE_BYTES {
                    text.push(c);
                }
                Vec::new()
            }
            Action::Backspace => {
                text.pop();
                Vec::new()
            }
            Action::Confirm => {
                if app.conn.phase != Phase::Open {
                    // Keep the text: the composer stays open until a
                    // connection can take it.
                    app.notice =
                        Some("not connected: the message was not sent; Esc cancels".into());
                    return Vec::new();
                }
                let command = Command::SendText(std::mem::take(text));
                app.mode = Mode::Normal;
                vec![Effect::Send(command)]
            }
            Action::Back => {
                app.mode = Mode::Normal;
                Vec::new()
            }
            _ => Vec::new(),
        },
    }
}

fn normal(app: &mut App, action: Action) -> Vec<Effect> {
    if let Some(effects) = replay_keys(app, action) {
        return effects;
    }
    match action {
        Action::Quit => return quit(app, 1000),
        Action::Reconnect => return vec![Effect::Send(Command::ReconnectNow)],
        Action::TogglePause => {
            app.pause_wanted = !app.pause_wanted;
            return vec![Effect::Send(Command::SetPaused(app.pause_wanted))];
        }
        Action::OpenPicker => {
            app.mode = Mode::Picker {
                index: 0,
                reason: String::new(),
            };
        }
        Action::OpenComposer => {
            app.mode = Mode::Composer {
                text: String::new(),
            };
        }
        Action::ToggleHelp => app.mode = Mode::Help,
        Action::Up => move_by(app, -1),
        Action::Down => move_by(app, 1),
        Action::PageUp => move_by(app, -i64::from(app.view.page.saturating_sub(1).max(1))),
        Action::PageDown => move_by(app, i64::from(app.view.page.saturating_sub(1).max(1))),
        Action::Home => {
            let first = app.timeline.first();
            app.view.follow = false;
            app.view.selected = first;
            app.view.top = first;
        }
        Action::End | Action::Follow => {
            app.view.follow = true;
            app.view.expanded = false;
        }
        Action::ToggleExpand => {
            if let Some(sel) = app.selected() {
                // Expanding pins the event: a flood must not swap its content
                // out from under the reader.
                pin(app, sel);
                app.view.expanded = !app.view.expanded;
            }
        }
        Action::NextTheme => app.theme = (app.theme + 1) % app.theme_count,
        Action::Explain => match app.explain_target() {
            Some(shown) => app.mode = Mode::Explain(shown),
            None => app.notice = Some("nothing to explain yet: no close so far".to_owned()),
        },
        Action::Back => app.view.expanded = false,
        Action::Save => {
            app.mode = Mode::Prompt {
                purpose: PromptFor::Save,
                text: app.save_name.clone(),
            };
        }
        Action::Interrupt
        | Action::Confirm
        | Action::Input(_)
        | Action::Backspace
        | Action::TogglePlay
        | Action::Step
        | Action::NextClose
        | Action::PreviousClose
        | Action::Goto => {}
    }
    Vec::new()
}

/// Stops following and selects `pos`, keeping the rows on screen where they were.
fn pin(app: &mut App, pos: u64) {
    if app.view.follow {
        let page = u64::from(app.view.page);
        app.view.top = app
            .timeline
            .end()
            .saturating_sub(page)
            .max(app.timeline.first());
        app.view.follow = false;
    }
    app.view.selected = pos;
}

fn move_by(app: &mut App, delta: i64) {
    let Some(sel) = app.selected() else {
        return;
    };
    pin(app, sel);
    let (first, end) = (app.timeline.first(), app.timeline.end());
    let target = sel
        .saturating_add_signed(delta)
        .clamp(first, end.saturating_sub(1).max(first));
    app.view.selected = target;
    let page = u64::from(app.view.page.max(1));
    if target < app.view.top {
        app.view.top = target;
    } else if target >= app.view.top + page {
        app.view.top = target + 1 - page;
    }
}
