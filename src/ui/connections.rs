//! The connections view: one row per attempt (when, how long open, traffic,
//! how it ended as the close event says, the delay that followed) and the
//! totals over the run.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{fmt, panel, severity_style, timeline};
use crate::app::{App, AttemptRow, severity};
use crate::duration::format_duration;
use crate::sanitize::sanitize;
use crate::theme::Theme;

/// Rows the totals take at the bottom.
const TOTALS: usize = 2;

fn dur(d: Duration) -> String {
    // Tenths are enough here; the formatter shows what is left.
    format_duration(Duration::from_millis(d.as_millis() as u64 / 100 * 100))
}

fn row_text(app: &App, row: &AttemptRow, now: Duration) -> (String, String) {
    let open = row.open_for(now).map_or_else(|| "never".to_owned(), dur);
    let bytes = |n: u64| fmt::bytes(usize::try_from(n).unwrap_or(usize::MAX));
    let head = format!(
        "#{:<3} {} {:>6} {:>9} {:>15} ",
        row.attempt,
        timeline::time(app, row.started),
        open,
        format!("{}/{}", row.msgs_in, row.msgs_out),
        format!("{}/{}", bytes(row.bytes_in), bytes(row.bytes_out)),
    );
    // The code and the class first: they fit; the name may be cut.
    let mut tail = match &row.ending {
        Some(e) => format!("{} {}", e.code, e.class.label()),
        None if row.opened.is_some() => "open".to_owned(),
        None => "connecting".to_owned(),
    };
    if let Some(delay) = row.delay {
        let _ = write!(tail, " · then {}", dur(delay));
    }
    if let Some(e) = &row.ending {
        let _ = write!(tail, " · {}", sanitize(&e.name, 32));
    }
    (head, tail)
}

/// The attempts shown in a view of `height` rows inside its border: the
/// first one's index and how many, so that `selected` is visible.
fn window(height: u16, selected: usize) -> (usize, usize) {
    let visible = usize::from(height).saturating_sub(TOTALS + 1).max(1);
    ((selected + 1).saturating_sub(visible), visible)
}

/// The attempt drawn at screen row `y` of the view drawn into `area` with
/// `selected` highlighted, if `y` is on one.
pub fn attempt_at(area: Rect, app: &App, selected: usize, y: u16) -> Option<usize> {
    let inner = ratatui::widgets::Block::bordered().inner(area);
    // The table's heading is the first row inside the border.
    let row = usize::from(y.checked_sub(inner.y + 1)?);
    let (first, visible) = window(inner.height, selected);
    (row < visible)
        .then_some(first + row)
        .filter(|i| *i < app.attempts.rows.len())
}

/// Draws the connections view into `area`, row `selected` highlighted.
pub fn render(
    frame: &mut Frame<'_>,
    area: Rect,
    app: &App,
    selected: usize,
    theme: &Theme,
    now: Instant,
) {
    let rows = &app.attempts.rows;
    let title = format!(
        " connections · {} attempts · ⏎ shows one in the timeline · Esc back ",
        fmt::count(app.attempts.started)
    );
    let block = panel(title, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let run = app.run_time(now);
    let (first, visible) = window(inner.height, selected);
    let mut lines = vec![Line::styled(
        fmt::fit(
            "#    started       open    in/out    bytes in/out ended · then · name",
            width,
        ),
        theme.muted(),
    )];
    let mut highlight = None;
    for (i, row) in rows.iter().enumerate().skip(first).take(visible) {
        let (head, tail) = row_text(app, row, run);
        let style = row
            .ending
            .as_ref()
            .map_or(theme.ok(), |e| severity_style(severity(e.class), theme));
        if i == selected {
            highlight = Some(lines.len());
        }
        let room = width.saturating_sub(head.chars().count());
        lines.push(Line::from(vec![
            Span::styled(fmt::fit(&head, width), theme.base()),
            Span::styled(fmt::fit(&tail, room), style),
        ]));
    }
    if rows.is_empty() {
        lines.push(Line::styled("no attempt yet", theme.muted()));
    }
    while lines.len() < usize::from(inner.height).saturating_sub(TOTALS) {
        lines.push(Line::raw(""));
    }
    let t = app.attempts.totals(run);
    lines.push(Line::from(vec![
        Span::styled("uptime ", theme.muted()),
        Span::styled(format!("{:.1}%", t.uptime_pct), theme.base()),
        Span::styled(" · down ", theme.muted()),
        Span::styled(dur(t.down), theme.base()),
        Span::styled(" · reconnects ", theme.muted()),
        Span::styled(fmt::count(t.reconnects), theme.base()),
        Span::styled(" · longest outage ", theme.muted()),
        Span::styled(dur(t.longest), theme.base()),
    ]));
    let mut codes = String::new();
    for (code, n) in &app.attempts.codes {
        let _ = write!(codes, " {code}×{n}");
    }
    lines.push(Line::from(vec![
        Span::styled("close codes", theme.muted()),
        Span::styled(
            fmt::fit(
                if codes.is_empty() { " none" } else { &codes },
                width.saturating_sub(11),
            ),
            theme.base(),
        ),
    ]));
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
