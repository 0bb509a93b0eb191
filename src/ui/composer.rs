//! The composer: a one-line box for typing a text message.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::panel;
use crate::sanitize::sanitize;
use crate::theme::Theme;

/// Draws the composer over the bottom rows of `area` (the timeline).
pub fn render(frame: &mut Frame<'_>, area: Rect, text: &str, theme: &Theme) {
    let height = 3.min(area.height);
    let popup = Rect {
        y: area.bottom().saturating_sub(height),
        height,
        ..area
    };
    let room = usize::from(popup.width.saturating_sub(4));
    // Show the end of a long text, where the typing happens.
    let shown = sanitize(text, usize::MAX);
    let n = shown.chars().count();
    let tail: String = shown.chars().skip(n.saturating_sub(room)).collect();
    let line = Line::from(vec![
        Span::styled(tail, theme.base()),
        Span::styled("▏", theme.accent()),
    ]);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(line).block(panel(
            format!(" send text ({} bytes) · ⏎ sends · Esc cancels ", text.len()),
            theme,
        )),
        popup,
    );
}
