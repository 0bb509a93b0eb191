//! The status bar, what ended the attempts, recovery, the client list and
//! the help overlay. Every label comes from the engine's facts and the
//! catalog; no text from the network is shown on this screen.

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::panel;
use crate::theme::Theme;
use crate::ui::fmt::fit;
use crate::watch::fact::ClientState;
use crate::watch::report::{self, advice, cause_label, secs};
use crate::watch::view::WatchApp;

/// The one-row status bar: the run, the counts now, the fleet's time.
pub fn status(frame: &mut Frame<'_>, area: Rect, w: &WatchApp, theme: &Theme, t: Duration) {
    let c = w.fleet.counts;
    let mut spans = vec![
        Span::styled(" wsprobe watch ", theme.accent()),
        Span::styled(format!("{} ", report::clock(t)), theme.muted()),
    ];
    let parts = [
        ("open", c[0], theme.ok()),
        ("connecting", c[1], theme.accent()),
        ("waiting", c[2], theme.warn()),
        ("stopped", c[3], theme.error()),
    ];
    for (name, n, style) in parts {
        spans.push(Span::styled(format!("{name} {n}  "), style));
    }
    if c[4] > 0 {
        spans.push(Span::styled(
            format!("not started {}  ", c[4]),
            theme.muted(),
        ));
    }
    if w.ended {
        spans.push(Span::styled("all clients ended  ", theme.warn()));
    }
    spans.push(Span::styled(w.header.clone(), theme.muted()));
    frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.base()), area);
}

/// What ended the attempts: count, name and class of each ending (from the
/// close events), and the catalog's fix for the most common one.
pub fn causes(frame: &mut Frame<'_>, area: Rect, w: &WatchApp, theme: &Theme) {
    let total: u64 = w.fleet.causes.iter().map(|c| c.count).sum();
    let block = panel(format!(" what ended them ({total} attempts) "), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let mut lines = Vec::new();
    let list = usize::from(inner.height.saturating_sub(3)).max(1);
    for cause in w.fleet.causes.iter().take(list) {
        let class = cause.ended.class.label();
        let label_w = width.saturating_sub(class.len() + 10).max(8);
        lines.push(Line::from(vec![
            Span::styled(format!("{:>7} ", cause.count), theme.accent()),
            Span::raw(format!(
                "{:<label_w$} ",
                fit(&cause_label(&cause.ended), label_w)
            )),
            Span::styled(class, theme.muted()),
        ]));
    }
    if let Some(top) = w.fleet.causes.first() {
        lines.push(Line::from(vec![
            Span::styled("fix ", theme.warn()),
            Span::raw(advice(&top.ended)),
        ]));
    } else {
        lines.push(Line::styled("Nothing has ended yet.", theme.muted()));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
}

/// Recovery from the mass close shown, and the run's totals.
pub fn recovery(frame: &mut Frame<'_>, area: Rect, w: &WatchApp, theme: &Theme) {
    let block = panel(" recovery ", theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let f = &w.fleet;
    let mut lines = Vec::new();
    if let Some(b) = w.shown_burst().map(|i| &f.bursts[i]) {
        lines.push(Line::from(vec![
            Span::styled("after the close at ", theme.muted()),
            Span::raw(format!(
                "{} ({} clients)",
                report::clock(b.start),
                b.clients
            )),
        ]));
        lines.push(Line::from(vec![
            Span::styled("back open  ", theme.muted()),
            Span::styled(format!("50 % {}", secs(b.recovery(0.5))), theme.ok()),
            Span::raw(" · "),
            Span::styled(format!("95 % {}", secs(b.recovery(0.95))), theme.ok()),
            Span::raw(" · "),
            Span::styled(format!("100 % {}", secs(b.recovery(1.0))), theme.ok()),
        ]));
        let style = if b.gave_up > 0 {
            theme.error()
        } else {
            theme.muted()
        };
        lines.push(Line::styled(
            format!("{} of them back, {} gave up", b.reopened.len(), b.gave_up),
            style,
        ));
    } else {
        lines.push(Line::styled("No mass close yet.", theme.muted()));
    }
    lines.push(Line::from(vec![
        Span::styled("in all  ", theme.muted()),
        Span::raw(format!(
            "{} attempts · {} opened · {} reconnects · ",
            f.total_attempts, f.opens, f.reconnects
        )),
        Span::styled(
            format!("{} gave up", f.gave_up()),
            if f.gave_up() > 0 {
                theme.error()
            } else {
                theme.muted()
            },
        ),
    ]));
    if let (Some(p99), true) = (f.lateness.quantile(0.99), f.lateness.count > 0) {
        lines.push(Line::from(vec![
            Span::styled("late vs due  ", theme.muted()),
            Span::raw(format!("p99 {p99:.1} ms · max {:.1} ms", f.lateness.max_ms)),
        ]));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
}

/// The client list around the cursor: number, state, attempt, last ending.
pub fn clients(frame: &mut Frame<'_>, area: Rect, w: &WatchApp, theme: &Theme) {
    let block = panel(format!(" clients ({}) ", w.fleet.clients), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = u32::from(inner.height);
    if rows == 0 {
        return;
    }
    let n = w.fleet.clients;
    let first = w
        .cursor
        .saturating_sub(rows / 2)
        .min(n.saturating_sub(rows));
    let width = usize::from(inner.width);
    let mut lines = Vec::new();
    for i in first..(first + rows).min(n) {
        let row = &w.fleet.rows[i as usize];
        let style = match row.state {
            ClientState::Open => theme.ok(),
            ClientState::Connecting => theme.accent(),
            ClientState::Waiting => theme.warn(),
            ClientState::Stopped => theme.error(),
            ClientState::NotStarted => theme.muted(),
        };
        let last = row.last.map_or_else(String::new, |e| cause_label(&e));
        let text = format!(
            "#{i:<6} {:<11} #{:<4} {last}",
            row.state.label(),
            row.attempt
        );
        let line = if i == w.cursor {
            Line::styled(fit(&text, width), theme.selection())
        } else {
            Line::styled(fit(&text, width), style)
        };
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The keys of the fleet screen.
const HELP: [(&str, &str); 10] = [
    ("↑↓ j k", "move through the clients"),
    ("PgUp PgDn", "a page of clients"),
    ("Home End", "first / last client"),
    ("0-9 ⏎", "type a client number and open it"),
    ("⏎", "open the client's own timeline"),
    ("Esc / q", "(in a client) back to the fleet"),
    ("← →", "earlier / later mass close"),
    ("t", "next theme"),
    ("q", "quit: every client closes with 1000"),
    ("Ctrl-C", "quit: every client closes with 1001"),
];

/// The help overlay.
pub fn help(frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
    let width = 64.min(area.width);
    let height = (HELP.len() as u16 + 2).min(area.height);
    let rect = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    let lines: Vec<Line> = HELP
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!(" {k:<11}"), theme.accent()),
                Span::raw(*what),
            ])
        })
        .collect();
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(panel(" keys · Esc closes ", theme)),
        rect,
    );
}
