//! Drawing the watch screen: rendering only, from [`WatchApp`] and `now`.
//! A selected client is drawn by the single-client [`crate::ui`], with this
//! screen's key line over its footer.

mod chart;
mod panels;

use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::view::{Screen, WatchApp};
use crate::theme::Theme;

/// The regions of the fleet screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Regions {
    /// The status bar (one row).
    pub status: Rect,
    /// The stacked chart of states over time.
    pub states: Rect,
    /// The storm around a mass close.
    pub storm: Rect,
    /// What ended the attempts.
    pub causes: Rect,
    /// Recovery from the mass close shown.
    pub recovery: Rect,
    /// The client list.
    pub clients: Rect,
    /// The key hints (one row).
    pub footer: Rect,
}

/// Splits the screen:
///
/// ```text
/// ┌ status: clients · open · connecting · waiting · stopped · time ────┐
/// ├ states over time (stacked, one column per second) ─────────────────┤
/// ├ storm: attempts per 100 ms around a mass close ┬ what ended them ──┤
/// ├ recovery: 50 % · 95 % · 100 % · gave up        ┼ clients (cursor) ─┤
/// └ footer ──────────────────────────────────────────────────────────┘
/// ```
pub fn layout(area: Rect) -> Regions {
    let [status, states, middle, bottom, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Percentage(34),
        Constraint::Percentage(36),
        Constraint::Min(6),
        Constraint::Length(1),
    ])
    .areas(area);
    let [storm, causes] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(middle);
    let [recovery, clients] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(bottom);
    Regions {
        status,
        states,
        storm,
        causes,
        recovery,
        clients,
        footer,
    }
}

/// Draws the screen for `w` at `now` (`start` is the fleet's time zero).
pub fn render(frame: &mut Frame<'_>, w: &WatchApp, theme: &Theme, now: Instant, start: Instant) {
    if let Screen::Client { client, app } = &w.screen {
        crate::ui::render(frame, app, theme, now);
        let area = frame.area();
        let footer = Rect {
            y: area.bottom().saturating_sub(1),
            height: 1.min(area.height),
            ..area
        };
        if app.mode == crate::app::Mode::Normal && app.notice.is_none() {
            let keys = [
                ("Esc", "back to the fleet"),
                ("r", "reconnect"),
                ("p", "pause"),
                ("c", "close"),
                ("i", "send"),
                ("⏎", "expand"),
                ("?", "help"),
            ];
            let tag = format!("client #{client} of {}", w.fleet.clients);
            frame.render_widget(Clear, footer);
            frame.render_widget(keys_line(&keys, &tag, theme, footer.width), footer);
        }
        return;
    }
    let area = frame.area();
    frame.render_widget(Block::new().style(theme.base()), area);
    let r = layout(area);
    let t = now.saturating_duration_since(start);
    panels::status(frame, r.status, w, theme, t);
    chart::states(frame, r.states, w, theme);
    chart::storm(frame, r.storm, w, theme);
    panels::causes(frame, r.causes, w, theme);
    panels::recovery(frame, r.recovery, w, theme);
    panels::clients(frame, r.clients, w, theme);
    let keys = [
        ("q", "quit"),
        ("↑↓", "client"),
        ("⏎", "open its timeline"),
        ("0-9", "client number"),
        ("←→", "mass close"),
        ("t", "theme"),
        ("?", "help"),
    ];
    let tag = if w.goto.is_empty() {
        format!("theme {}", theme.name)
    } else {
        format!("open client #{}_", w.goto)
    };
    frame.render_widget(keys_line(&keys, &tag, theme, r.footer.width), r.footer);
    if w.help {
        panels::help(frame, area, theme);
    }
}

/// A row of keys, then `tag` at the right end.
fn keys_line<'a>(
    keys: &[(&'a str, &'a str)],
    tag: &str,
    theme: &Theme,
    width: u16,
) -> Paragraph<'a> {
    let width = usize::from(width);
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    let tag_len = tag.chars().count() + 2;
    for (key, what) in keys {
        let len = key.chars().count() + what.chars().count() + 3;
        if used + len + tag_len > width {
            break;
        }
        spans.push(Span::styled(*key, theme.accent()));
        spans.push(Span::styled(format!(" {what}  "), theme.muted()));
        used += len;
    }
    if used + tag_len <= width {
        spans.push(Span::raw(" ".repeat(width - used - tag_len)));
        spans.push(Span::styled(format!(" {tag} "), theme.muted()));
    }
    Paragraph::new(Line::from(spans)).style(theme.base())
}

/// A bordered panel with a title, in the theme's colours.
fn panel<'a>(title: impl Into<Line<'a>>, theme: &Theme) -> Block<'a> {
    Block::bordered()
        .border_style(theme.border())
        .title(title)
        .title_style(theme.accent())
        .style(theme.base())
}
