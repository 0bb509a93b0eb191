//! The status bar: state, attempt, uptime, RTT, subprotocol, `INSECURE`, URL.

use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::{App, Phase};
use crate::duration::{format_duration, format_millis};
use crate::sanitize::sanitize;
use crate::theme::Theme;

/// The state's label and its style.
pub(super) fn state(app: &App, theme: &Theme) -> (&'static str, Style) {
    match app.conn.phase {
        Phase::Starting => ("starting", theme.muted()),
        Phase::Connecting => ("connecting", theme.accent()),
        Phase::Open => ("open", theme.ok()),
        Phase::Closing => ("closing", theme.warn()),
        Phase::Closed => ("closed", theme.warn()),
        Phase::Waiting if app.paused => ("paused", theme.warn()),
        Phase::Waiting => ("waiting", theme.warn()),
        Phase::Stopped => ("stopped", theme.error()),
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
    if app.conn.attempt > 0 {
        spans.push(sep.clone());
        spans.push(Span::styled(format!("#{}", app.conn.attempt), theme.base()));
    }
    if let (Phase::Open, Some(opened)) = (app.conn.phase, app.conn.opened_at) {
        spans.push(sep.clone());
        spans.push(Span::styled("up ", theme.muted()));
        spans.push(Span::styled(
            // Whole seconds: the status bar redraws every frame.
            format_duration(std::time::Duration::from_secs(
                now.saturating_duration_since(opened).as_secs(),
            )),
            theme.base(),
        ));
    }
    if let Some(rtt) = app.conn.last_rtt_ms {
        spans.push(sep.clone());
        spans.push(Span::styled("rtt ", theme.muted()));
        spans.push(Span::styled(format_millis(rtt), theme.base()));
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
