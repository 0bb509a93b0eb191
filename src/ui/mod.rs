//! Rendering only: each region of the screen has its own file and a
//! `render(frame, area, …)`. Nothing here does IO or reads the clock; `now`
//! comes in from the loop (or a test).

mod close_panel;
mod composer;
mod countdown;
mod detail;
mod explain;
pub mod fmt;
mod footer;
mod help;
mod picker;
mod sparklines;
mod status;
mod timeline;

use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Block;

use crate::app::{App, Mode, PromptFor};
use crate::theme::Theme;

/// From this width on, the panels sit beside the timeline instead of below it.
const WIDE: u16 = 120;

/// The regions of the main screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Regions {
    /// The status bar (one row).
    pub status: Rect,
    /// The event timeline, with its border.
    pub timeline: Rect,
    /// The close-code panel.
    pub close: Rect,
    /// The reconnect countdown.
    pub countdown: Rect,
    /// RTT and message-rate sparklines.
    pub sparklines: Rect,
    /// The key hints (one row).
    pub footer: Rect,
}

/// Splits the screen. Below [`WIDE`] columns:
///
/// ```text
/// ┌ status ─────────────────────────────────────────────┐
/// ├ timeline ───────────────────────────────────────────┤
/// │ 00:01.234 ← text   12B {"op":"hello"}               │
/// │ …                                                   │
/// ├ close panel ─────────────────┬ reconnect ───────────┤
/// │ code, name, class, meaning,  │ gauge, seconds left, │
/// │ when, fix                    │ rule, window         │
/// │                              ├──────────────────────┤
/// │                              │ rtt    ▂▄▆█ sparkline│
/// │                              │ msg/s  █▅▅▅          │
/// └ footer ──────────────────────┴──────────────────────┘
/// ```
///
/// From [`WIDE`] columns, the close panel, the countdown and the sparklines
/// stack in a column to the right of a full-height timeline.
pub fn layout(area: Rect) -> Regions {
    let [status, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    if area.width >= WIDE {
        let [timeline, side] =
            Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)])
                .areas(body);
        let [close, countdown, sparklines] = Layout::vertical([
            Constraint::Min(8),
            Constraint::Length(6),
            Constraint::Length(8),
        ])
        .areas(side);
        Regions {
            status,
            timeline,
            close,
            countdown,
            sparklines,
            footer,
        }
    } else {
        let [timeline, bottom] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(8)]).areas(body);
        let [close, right] =
            Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)])
                .areas(bottom);
        let [countdown, sparklines] =
            Layout::vertical([Constraint::Length(6), Constraint::Length(2)]).areas(right);
        Regions {
            status,
            timeline,
            close,
            countdown,
            sparklines,
            footer,
        }
    }
}

/// How many events the timeline shows on a screen of this size (the loop
/// tells `update`, so paging moves by what is visible).
pub fn timeline_rows(area: Rect) -> u16 {
    layout(area).timeline.height.saturating_sub(2)
}

/// Draws the whole screen for `app` at time `now`.
pub fn render(frame: &mut Frame<'_>, app: &App, theme: &Theme, now: Instant) {
    let area = frame.area();
    frame.render_widget(Block::new().style(theme.base()), area);
    let regions = layout(area);
    status::render(frame, regions.status, app, theme, now);
    footer::render(frame, regions.footer, app, theme);
    if let Mode::Explain(shown) = &app.mode {
        let body = Rect {
            y: regions.status.bottom(),
            height: regions.footer.y.saturating_sub(regions.status.bottom()),
            ..area
        };
        explain::render(frame, body, shown, theme);
        return;
    }
    timeline::render(frame, regions.timeline, app, theme);
    close_panel::render(frame, regions.close, app, theme);
    countdown::render(frame, regions.countdown, app, theme, now);
    sparklines::render(frame, regions.sparklines, app, theme, now);
    match &app.mode {
        Mode::Help => help::render(frame, area, theme, app.replay.is_some()),
        Mode::Picker { index, reason } => picker::render(frame, area, *index, reason, theme),
        Mode::Composer { text } => composer::render(frame, regions.timeline, text, theme),
        Mode::Prompt { purpose, text } => {
            let title = match purpose {
                PromptFor::Save => " save the events so far as · ⏎ saves · Esc cancels ",
                PromptFor::Goto => " go to the run time (1m30s, 90s) · ⏎ goes · Esc cancels ",
            };
            composer::render_titled(frame, regions.timeline, text, title.into(), theme);
        }
        Mode::Normal | Mode::Explain(_) => {}
    }
}

/// A `width`×`height` rectangle centred in `area` (clipped to it).
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// A bordered panel with a title, in the theme's colours.
fn panel<'a>(title: impl Into<ratatui::text::Line<'a>>, theme: &Theme) -> Block<'a> {
    Block::bordered()
        .border_style(theme.border())
        .title(title)
        .title_style(theme.accent())
        .style(theme.base())
}
