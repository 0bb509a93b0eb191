//! The reconnect panel: a gauge draining to the next attempt, the seconds
//! left, the rule and window that produced the delay; or why nothing is
//! pending (open, paused, stopped).

use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Paragraph, Wrap};

use super::{fmt, panel};
use crate::app::{App, Phase, SPINNER_STEP};
use crate::duration::{format_countdown, format_duration};
use crate::sanitize::sanitize;
use crate::theme::Theme;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The spinner frame at `now` for a state that began at `since`.
fn spinner(since: Option<Instant>, now: Instant) -> &'static str {
    let elapsed = since.map_or(0, |s| now.saturating_duration_since(s).as_millis());
    let frame = elapsed / SPINNER_STEP.as_millis();
    SPINNER[usize::try_from(frame % SPINNER.len() as u128).unwrap_or(0)]
}

/// Draws the reconnect panel into `area`.
pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme, now: Instant) {
    let block = panel(" reconnect ", theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let text = |lines: Vec<Line<'static>>| Paragraph::new(lines).wrap(Wrap { trim: true });

    if let Some(reason) = &app.stopped {
        let line = Line::from(vec![
            Span::styled("stopped", theme.error()),
            Span::styled(format!(" — {} — ", sanitize(reason, 200)), theme.base()),
            Span::styled("press r to reconnect", theme.accent()),
        ]);
        frame.render_widget(text(vec![line]), inner);
        return;
    }
    let Some(cd) = &app.countdown else {
        let line = match app.conn.phase {
            Phase::Connecting => Line::from(vec![
                Span::styled(spinner(app.conn.since, now), theme.accent()),
                Span::styled(
                    format!(" connecting · attempt #{}", app.conn.attempt),
                    theme.base(),
                ),
            ]),
            Phase::Closing => Line::from(vec![
                Span::styled(spinner(app.conn.since, now), theme.accent()),
                Span::styled(" closing…", theme.base()),
            ]),
            Phase::Open => Line::styled("open · nothing pending", theme.ok()),
            Phase::Closed => Line::styled("closed · waiting for the policy", theme.muted()),
            _ if app.engine_ended => Line::styled("engine ended", theme.muted()),
            _ => Line::styled("nothing pending", theme.muted()),
        };
        let mut lines = vec![line];
        if app.paused {
            lines.push(Line::styled(
                "auto-reconnect paused · p resumes",
                theme.warn(),
            ));
        }
        frame.render_widget(text(lines), inner);
        return;
    };

    let [gauge_row, rest] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    let mut lines = Vec::new();
    if app.paused {
        let line = Line::from(vec![
            Span::styled("paused", theme.warn()),
            Span::styled(
                format!(" · #{} waits · p resumes", cd.attempt),
                theme.base(),
            ),
        ]);
        frame.render_widget(Paragraph::new(line), gauge_row);
    } else {
        let label = format!("{} → #{}", format_countdown(cd.remaining(now)), cd.attempt);
        let gauge = Gauge::default()
            .ratio(cd.ratio(now))
            .label(Span::styled(label, theme.base()))
            .gauge_style(theme.accent().bg(theme.border))
            .use_unicode(true);
        frame.render_widget(gauge, gauge_row);
    }
    // The window first: it is short and always fits; the rule may wrap.
    lines.push(Line::from(vec![
        Span::styled("window ", theme.muted()),
        Span::styled(fmt::window(cd.window_ms), theme.base()),
        Span::styled(" · delay ", theme.muted()),
        Span::styled(format_duration(cd.delay), theme.base()),
    ]));
    let mut rule = vec![
        Span::styled("rule ", theme.muted()),
        Span::styled(sanitize(&cd.rule, 200), theme.base()),
    ];
    // A 1000 is reconnected only because the policy says so: name it.
    if app.reconnect_on_normal && app.last_close.as_ref().is_some_and(|c| c.info.code == 1000) {
        rule.push(Span::styled(" (reconnect-on-normal)", theme.accent()));
    }
    lines.push(Line::from(rule));
    frame.render_widget(text(lines), rest);
}
