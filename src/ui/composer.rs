//! The composer: a one-line box for typing a text message.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::{fmt, panel};
use crate::theme::Theme;

/// Draws the composer over the bottom rows of `area` (the timeline).
pub fn render(frame: &mut Frame<'_>, area: Rect, text: &str, theme: &Theme) {
    let title = format!(" send text ({} bytes) · ⏎ sends · Esc cancels ", text.len());
    render_titled(frame, area, text, title, theme);
}

/// The same one-line box with another title (the save and go-to prompts).
pub fn render_titled(frame: &mut Frame<'_>, area: Rect, text: &str, title: String, theme: &Theme) {
    let height = 3.min(area.height);
    let popup = Rect {
        y: area.bottom().saturating_sub(height),
        height,
        ..area
    };
    let room = usize::from(popup.width.saturating_sub(4));
    let line = Line::from(vec![
        Span::styled(fmt::tail(text, room), theme.base()),
        Span::styled("▏", theme.accent()),
    ]);
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(line).block(panel(title, theme)), popup);
}
