//! The event timeline: one row per shown event, newest at the bottom; the
//! selected event opens in the viewer.
//!
//! Only the visible window is formatted, so a frame costs the same with a
//! thousand events in the history as with a hundred thousand.

use std::fmt::Write as _;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{fmt, panel, severity_style};
use crate::app::{App, Clock, severity};
use crate::engine::event::{Dir, EngineEvent, EventKind, Payload};
use crate::sanitize::sanitize;
use crate::theme::Theme;

/// How one event is summarised in its row.
pub(super) struct Summary {
    /// `←` received, `→` sent, `·` neither.
    pub arrow: &'static str,
    /// Short kind label.
    pub label: &'static str,
    /// The colour of the kind.
    pub style: Style,
    /// Length, first characters, or the facts of the event (sanitized).
    pub preview: String,
}

fn arrow(dir: Dir) -> &'static str {
    match dir {
        Dir::In => "←",
        Dir::Out => "→",
    }
}

fn dir_style(dir: Dir, theme: &Theme) -> Style {
    match dir {
        Dir::In => theme.received(),
        Dir::Out => theme.sent(),
    }
}

/// The row summary of the event at `pos`; `room` bounds the preview's length.
pub(super) fn summary(
    app: &App,
    pos: u64,
    event: &EngineEvent,
    room: usize,
    theme: &Theme,
) -> Summary {
    let s = |arrow, label, style, preview| Summary {
        arrow,
        label,
        style,
        preview,
    };
    match &event.kind {
        EventKind::Connecting { attempt, url, .. } => s(
            "·",
            "connect",
            theme.accent(),
            format!("attempt #{attempt} {}", sanitize(url, room)),
        ),
        EventKind::Open {
            status,
            subprotocol,
            handshake_ms,
            insecure,
            ..
        } => {
            let mut p = format!("{status} in {}", fmt::millis(*handshake_ms));
            if let Some(proto) = subprotocol {
                p.push_str(" · ");
                p.push_str(&sanitize(proto, 32));
            }
            if *insecure {
                p.push_str(" · INSECURE");
            }
            s("·", "open", theme.ok(), p)
        }
        EventKind::Message { dir, payload } => {
            let size = fmt::bytes(payload.len());
            match payload {
                Payload::Text(text) => s(
                    arrow(*dir),
                    "text",
                    dir_style(*dir, theme),
                    format!("{size:>7} {}", sanitize(text, room)),
                ),
                Payload::Binary { head, .. } => {
                    let shown = &head[..head.len().min(room / 2)];
                    s(
                        arrow(*dir),
                        "binary",
                        dir_style(*dir, theme),
                        format!("{size:>7} {}", fmt::hex(shown)),
                    )
                }
            }
        }
        EventKind::Ping { dir, len } => s(
            arrow(*dir),
            "ping",
            theme.muted(),
            format!("{:>7}", fmt::bytes(*len)),
        ),
        EventKind::Pong { dir, len, rtt_ms } => {
            let mut p = format!("{:>7}", fmt::bytes(*len));
            if let Some(rtt) = rtt_ms {
                p = format!("{p} · rtt {}", fmt::millis(*rtt));
            }
            s(arrow(*dir), "pong", theme.muted(), p)
        }
        EventKind::Close(info) => {
            let mut p = format!("{} {} · {}", info.code, info.name, info.initiator.as_str());
            if let Some(received) = info.received_code {
                let _ = write!(p, " · server sent {received}, which is not allowed");
            }
            if !info.wire {
                p.push_str(" · not sent by the server");
            }
            if !info.reason.is_empty() {
                let _ = write!(p, " · \"{}\"", sanitize(&info.reason, room));
            }
            // The colour is the class the engine concluded, never the code.
            let style = severity_style(severity(info.class), theme);
            s("·", "close", style, p)
        }
        EventKind::Error { class, message, .. } => s(
            "·",
            "error",
            theme.error(),
            format!("{}: {}", class.as_str(), sanitize(message, room)),
        ),
        EventKind::Reconnect {
            attempt,
            delay_ms,
            rule,
            ..
        } => s(
            "·",
            "retry",
            theme.accent(),
            format!(
                "attempt #{attempt} in {} · {}",
                fmt::tenths(std::time::Duration::from_millis(*delay_ms)),
                sanitize(rule, room)
            ),
        ),
        EventKind::GiveUp { reason } => {
            // A give-up has the severity of the close that led to it.
            let style = app
                .class_before(pos)
                .map_or(theme.warn(), |c| severity_style(severity(c), theme));
            s("·", "give up", style, sanitize(reason, room))
        }
        EventKind::Paused => s("·", "paused", theme.warn(), "auto-reconnect paused".into()),
        EventKind::Resumed { .. } => s(
            "·",
            "resumed",
            theme.warn(),
            "auto-reconnect resumed".into(),
        ),
    }
}

/// The time of `t` as the clock is set: run time, or UTC wall time.
pub(super) fn time(app: &App, t: std::time::Duration) -> String {
    match (app.clock, app.wall_zero) {
        (Clock::Wall, Some(zero)) => fmt::wall(zero + t),
        _ => fmt::clock(t),
    }
}

fn row(app: &App, pos: u64, event: &EngineEvent, width: usize, theme: &Theme) -> Line<'static> {
    let stamp = time(app, event.t);
    // The preview gets what the time, arrow and label (11) leave.
    let room = width.saturating_sub(stamp.chars().count() + 11);
    let sum = summary(app, pos, event, room, theme);
    let line = Line::from(vec![
        Span::styled(stamp, theme.muted()),
        Span::raw(" "),
        Span::styled(sum.arrow, sum.style),
        Span::raw(" "),
        Span::styled(format!("{:<7}", sum.label), sum.style),
        Span::raw(" "),
        Span::styled(fmt::fit(&sum.preview, room), sum.style),
    ]);
    line.style(theme.base())
}

fn title(app: &App) -> String {
    let mut t = format!(" events {} ", fmt::count(app.timeline.end()));
    if app.timeline.dropped() > 0 {
        let _ = write!(
            t,
            "(oldest {} dropped) ",
            fmt::count(app.timeline.dropped())
        );
    }
    if let Some(filter) = &app.filter {
        let _ = write!(
            t,
            "· filter \"{}\" · {} of {} ",
            sanitize(&filter.query, 24),
            fmt::count(app.shown_len()),
            fmt::count(app.timeline.len() as u64)
        );
    }
    if app.hide_noise {
        t.push_str("· pings hidden ");
    }
    let new = app.new_since_pinned();
    if app.view.follow {
        t.push_str("· following ");
    } else if new > 0 {
        let _ = write!(t, "· ↓ {} new · f follows ", fmt::count(new));
    } else {
        t.push_str("· scrolled: f follows ");
    }
    if app.clock == Clock::Wall {
        t.push_str("· UTC ");
    }
    t
}

/// Draws the timeline into `area`.
pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let block = panel(title(app), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let (rows, width) = (inner.height, usize::from(inner.width));
    if rows == 0 {
        return;
    }
    let selected = app.selected();
    let start = app.window_start(rows);
    let mut lines: Vec<Line<'static>> = Vec::with_capacity(usize::from(rows));
    let mut highlight = None;
    for i in start..start + u64::from(rows) {
        let Some(pos) = app.shown_at(i) else {
            break;
        };
        let Some(event) = app.timeline.get(pos) else {
            break;
        };
        if Some(pos) == selected && !app.view.follow {
            highlight = Some(lines.len());
        }
        lines.push(row(app, pos, event, width, theme));
    }
    if lines.is_empty() {
        let text = if app.timeline.is_empty() {
            "waiting for the first event…"
        } else {
            "no event matches the filter (Esc clears it)"
        };
        lines.push(Line::styled(text, theme.muted()));
    }
    frame.render_widget(Paragraph::new(lines).style(theme.base()), inner);
    if let Some(y) = highlight.and_then(|i| u16::try_from(i).ok()) {
        let row = Rect {
            y: inner.y + y,
            height: 1,
            ..inner
        };
        frame.buffer_mut().set_style(row, theme.selection());
    }
}
