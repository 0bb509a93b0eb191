//! Sparklines of the round-trip time and of messages per second.

use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Sparkline};

use crate::app::App;
use crate::duration::format_millis;
use crate::theme::Theme;

const LABEL: u16 = 14;

/// Draws both sparklines into `area`, sharing its rows.
pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme, now: Instant) {
    let stats = &app.stats;
    // A short area (the narrow layout) has no room for a border: the
    // labels say what each line is.
    let inner = if area.height >= 4 {
        let title = format!(" rtt · msg/s  in {} out {} ", stats.msgs_in, stats.msgs_out);
        let block = Block::new()
            .borders(Borders::TOP)
            .border_style(theme.border())
            .title(title)
            .title_style(theme.accent())
            .style(theme.base());
        let inner = block.inner(area);
        frame.render_widget(block, area);
        inner
    } else {
        area
    };
    if inner.height == 0 {
        return;
    }
    // One row: the two sparklines side by side; more: one above the other.
    let [rtt_area, rate_area] = if inner.height == 1 {
        Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(inner)
    } else {
        Layout::vertical([Constraint::Fill(1), Constraint::Fill(1)]).areas(inner)
    };

    let rtt_label = app
        .conn
        .last_rtt_ms
        .map_or_else(|| "–".to_owned(), format_millis);
    let points = usize::from(rtt_area.width.saturating_sub(LABEL));
    let rtt: Vec<u64> = tail(stats.rtt_us.iter().copied(), stats.rtt_us.len(), points);
    row(frame, rtt_area, "rtt", &rtt_label, &rtt, theme);

    // The current second is still being counted: show complete ones only.
    let last_complete = app.run_time(now).as_secs().saturating_sub(1);
    let points = usize::from(rate_area.width.saturating_sub(LABEL));
    let rate = stats.rate_series(last_complete, points);
    let last = rate.last().copied().unwrap_or(0);
    row(frame, rate_area, "msg/s", &last.to_string(), &rate, theme);
}

fn tail(values: impl Iterator<Item = u64>, len: usize, n: usize) -> Vec<u64> {
    values.skip(len.saturating_sub(n)).collect()
}

fn row(frame: &mut Frame<'_>, area: Rect, name: &str, value: &str, data: &[u64], theme: &Theme) {
    let [label, spark] =
        Layout::horizontal([Constraint::Length(LABEL), Constraint::Fill(1)]).areas(area);
    let text = Line::from(vec![
        Span::styled(format!("{name:<6}"), theme.muted()),
        Span::styled(format!("{value:>7} "), theme.base()),
    ]);
    frame.render_widget(Paragraph::new(text), label);
    let sparkline = Sparkline::default().data(data).style(theme.received());
    frame.render_widget(sparkline, spark);
}
