//! The status bar: state, attempt, uptime (or the countdown and how long
//! the endpoint has been down), liveness, RTT, subprotocol, `INSECURE`, URL.

use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{fmt, severity_style};
use crate::app::{App, Phase, Severity};
use crate::duration::format_duration;
use crate::sanitize::sanitize;
use crate::theme::Theme;

/// The state's label and its style: an ended run has the severity of the
/// class the engine gave its last close.
pub(super) fn state(app: &App, theme: &Theme) -> (&'static str, Style) {
    let outcome = |fallback| severity_style(app.outcome().unwrap_or(fallback), theme);
    match app.conn.phase {
        Phase::Starting => ("starting", theme.muted()),
        Phase::Connecting => ("connecting", theme.accent()),
        Phase::Open => ("open", theme.ok()),
        Phase::Closing => ("closing", theme.warn()),
        Phase::Closed => ("closed", outcome(Severity::Warn)),
        Phase::Waiting if app.paused => ("paused", theme.warn()),
        Phase::Waiting => ("waiting", theme.warn()),
        Phase::Stopped => ("stopped", outcome(Severity::Error)),
    }
}

/// Tenths of a second: `3.1s`.
fn tenths(d: std::time::Duration) -> String {
    let d = std::time::Duration::from_millis(d.as_millis() as u64 / 100 * 100);
    if d.is_zero() {
        "0s".into()
    } else {
        format_duration(d)
    }
}

/// Draws the one-row status bar.
pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme, now: Instant) {
    let (label, style) = state(app, theme);
    let sep = Span::styled("  ", theme.base());
    let mut spans = vec![
        Span::styled(" wsprobe ", theme.accent()),
        Span::styled("● ", style),
        Span::styled(label, style),
    ];
    // While a reconnect is pending, the attempt is the one it counts down to.
    let waiting = app
        .countdown
        .as_ref()
        .filter(|_| app.conn.phase == Phase::Waiting);
    if let Some(cd) = waiting {
        spans.push(sep.clone());
        let left = if app.paused {
            " waits".to_owned()
        } else {
            format!(" in {}", tenths(cd.remaining(now)))
        };
        spans.push(Span::styled(format!("#{}{left}", cd.attempt), theme.base()));
    } else if app.conn.attempt > 0 {
        spans.push(sep.clone());
        spans.push(Span::styled(format!("#{}", app.conn.attempt), theme.base()));
    }
    if let (Some(since), Phase::Waiting | Phase::Connecting | Phase::Stopped | Phase::Closed) =
        (app.down_since, app.conn.phase)
        && app.last_close.is_some()
        && !matches!(app.conn.phase, Phase::Stopped | Phase::Closed)
    {
        spans.push(sep.clone());
        spans.push(Span::styled("down ", theme.muted()));
        spans.push(Span::styled(
            tenths(now.saturating_duration_since(since)),
            theme.warn(),
        ));
    }
    if let Some((waited, dead_in)) = app.liveness(now) {
        spans.push(sep.clone());
        spans.push(Span::styled(
            format!(
                "no pong for {} · dead in {}",
                tenths(waited),
                tenths(dead_in)
            ),
            theme.warn(),
        ));
    }
    if let (Phase::Open, Some(opened)) = (app.conn.phase, app.conn.opened_at) {
        spans.push(sep.clone());
        spans.push(Span::styled("up ", theme.muted()));
        spans.push(Span::styled(
            fmt::human(now.saturating_duration_since(opened)),
            theme.base(),
        ));
    }
    if let Some(rtt) = app.conn.last_rtt_ms {
        spans.push(sep.clone());
        spans.push(Span::styled("rtt ", theme.muted()));
        spans.push(Span::styled(fmt::millis(rtt), theme.base()));
    }
    if let Some(proto) = &app.conn.subprotocol {
        spans.push(sep.clone());
        spans.push(Span::styled("proto ", theme.muted()));
        spans.push(Span::styled(sanitize(proto, 24), theme.base()));
    }
    if app.conn.insecure {
        spans.push(sep.clone());
        spans.push(Span::styled("INSECURE", theme.error()));
    }
    if app.paused && app.conn.phase != Phase::Waiting {
        spans.push(sep.clone());
        spans.push(Span::styled("auto-reconnect paused", theme.warn()));
    }
    let used: usize = spans.iter().map(Span::width).sum();
    let room = usize::from(area.width).saturating_sub(used + 2);
    if !app.conn.url.is_empty() && room > 4 {
        spans.push(sep);
        spans.push(Span::styled(sanitize(&app.conn.url, room), theme.muted()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.base()), area);
}
