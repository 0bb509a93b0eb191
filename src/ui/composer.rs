//! The composer: a box over the bottom of the timeline for typing a
//! message, one or more lines, as text or as binary in hex or base64.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Clear, Paragraph};

use super::{edit, panel};
use crate::app::{Composer, Input};
use crate::theme::Theme;

/// The most text rows the box shows; the cursor's line stays in view.
const MAX_ROWS: u16 = 8;

/// Draws the composer over the bottom rows of `area` (the timeline).
pub fn render(frame: &mut Frame<'_>, area: Rect, c: &Composer, theme: &Theme) {
    let text_rows = u16::try_from(c.editor.text.split('\n').count()).unwrap_or(u16::MAX);
    let height = (text_rows.min(MAX_ROWS) + 2).min(area.height);
    let popup = Rect {
        y: area.bottom().saturating_sub(height),
        height,
        ..area
    };
    let width = usize::from(popup.width.saturating_sub(2));
    let rows = usize::from(height.saturating_sub(2));
    let lines = edit::lines(&c.editor, width, rows, theme);
    let kind = match c.input {
        Input::Text => "text",
        Input::Hex => "binary as hex",
        Input::Base64 => "binary as base64",
    };
    let (line, _) = c.editor.line_col();
    let position = if text_rows > 1 {
        format!(" · line {} of {text_rows}", line + 1)
    } else {
        String::new()
    };
    let title = format!(
        " send {kind} ({} bytes){position} · ⏎ sends · Alt-⏎ new line · Tab text/hex/b64 · Esc ",
        c.editor.text.len()
    );
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(panel(title, theme)), popup);
}
