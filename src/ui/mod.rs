//! Rendering only: each region of the screen has its own file and a
//! `render(frame, area, …)`. Nothing here does IO or reads the clock; `now`
//! comes in from the loop (or a test).

mod close_panel;
mod composer;
mod connections;
mod countdown;
mod edit;
mod explain;
pub mod fmt;
mod footer;
mod help;
mod mouse;
mod picker;
mod sparklines;
mod status;
mod timeline;
mod viewer;

pub use mouse::message as mouse_message;
use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::widgets::Block;

use crate::app::{App, Mode, Severity};
use crate::theme::Theme;

/// From this width on, the panels sit beside the timeline instead of below it.
const WIDE: u16 = 120;

/// From this height on, the bottom panels of the narrow layout grow to
/// fit the close panel's content (up to half the body).
const TALL: u16 = 32;

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

/// Splits the screen, with the close panel at its usual size. Below
/// [`WIDE`] columns:
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
    layout_for(area, 0)
}

/// Splits the screen, giving the close panel room for `close_rows` rows of
/// content where there is space (the rest of its content scrolls in the
/// explain view).
pub fn layout_for(area: Rect, close_rows: u16) -> Regions {
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
        let most = side.height.saturating_sub(6 + 4);
        let close_height = close_rows.saturating_add(2).clamp(8.min(most), most.max(8));
        let [close, countdown, sparklines] = Layout::vertical([
            Constraint::Length(close_height),
            Constraint::Length(6),
            Constraint::Fill(1),
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
        let bottom_height = if area.height >= TALL {
            close_rows
                .saturating_add(2)
                .clamp(8, (body.height / 2).max(8))
        } else {
            8
        };
        let [timeline, bottom] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(bottom_height)]).areas(body);
        let [close, right] =
            Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)])
                .areas(bottom);
        let [countdown, sparklines] =
            Layout::vertical([Constraint::Length(6), Constraint::Fill(1)]).areas(right);
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

/// The regions for `app` on a screen of `area`: the close panel sized to
/// what it has to say.
pub fn regions(area: Rect, app: &App) -> Regions {
    let width = layout(area).close.width.saturating_sub(2);
    layout_for(area, close_panel::wanted_rows(app, width))
}

/// How many events the timeline shows on a screen of this size (the loop
/// tells `update`, so paging moves by what is visible).
pub fn timeline_rows(area: Rect) -> u16 {
    layout(area).timeline.height.saturating_sub(2)
}

/// How many events the timeline shows for `app` on a screen of this size.
pub fn timeline_rows_for(area: Rect, app: &App) -> u16 {
    regions(area, app).timeline.height.saturating_sub(2)
}

/// Draws the whole screen for `app` at time `now`.
pub fn render(frame: &mut Frame<'_>, app: &App, theme: &Theme, now: Instant) {
    let area = frame.area();
    frame.render_widget(Block::new().style(theme.base()), area);
    let regions = regions(area, app);
    status::render(frame, regions.status, app, theme, now);
    footer::render(frame, regions.footer, app, theme);
    let body = body(area, &regions);
    match &app.mode {
        Mode::Explain { shown, scroll } => {
            explain::render(frame, body, shown, *scroll, theme);
            return;
        }
        Mode::Viewer(_) => {
            viewer::render(frame, body, app, theme);
            return;
        }
        Mode::Connections { selected } => {
            connections::render(frame, body, app, *selected, theme, now);
            return;
        }
        _ => {}
    }
    timeline::render(frame, regions.timeline, app, theme);
    close_panel::render(frame, regions.close, app, theme, now);
    countdown::render(frame, regions.countdown, app, theme, now);
    sparklines::render(frame, regions.sparklines, app, theme, now);
    match &app.mode {
        Mode::Help { scroll } => help::render(frame, body, *scroll, theme, app.replay.is_some()),
        Mode::Picker(p) => picker::render(frame, body, p, theme),
        Mode::Composer(c) => composer::render(frame, regions.timeline, c, theme),
        _ => {}
    }
}

/// The screen between the status bar and the footer, where the full-screen
/// views go.
fn body(area: Rect, regions: &Regions) -> Rect {
    Rect {
        y: regions.status.bottom(),
        height: regions.footer.y.saturating_sub(regions.status.bottom()),
        ..area
    }
}

/// The style of an outcome's severity.
pub fn severity_style(severity: Severity, theme: &Theme) -> Style {
    match severity {
        Severity::Ok => theme.ok(),
        Severity::Warn => theme.warn(),
        Severity::Error => theme.error(),
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
