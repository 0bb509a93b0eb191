//! An editor's text on screen, with its cursor: one line (prompts, the
//! picker's fields) or several (the composer). What is typed or pasted is
//! escaped like network text: a pasted escape must not reach the terminal.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::app::Editor;
use crate::sanitize::sanitize;
use crate::theme::Theme;

const CURSOR: &str = "▏";

/// The text around `cursor` (a byte index in `text`) within `width`
/// columns: as much before the cursor as fits, then what follows.
fn around(text: &str, cursor: usize, width: usize, style: Style, theme: &Theme) -> Line<'static> {
    let before = sanitize(&text[..cursor], usize::MAX);
    let room = width.saturating_sub(1);
    let n = before.chars().count();
    let shown: String = before.chars().skip(n.saturating_sub(room)).collect();
    let left = room.saturating_sub(shown.chars().count());
    let after = sanitize(&text[cursor..], left);
    Line::from(vec![
        Span::styled(shown, style),
        Span::styled(CURSOR, theme.accent()),
        Span::styled(after, style),
    ])
}

/// A one-line editor (newlines shown as `\n`).
pub fn line(editor: &Editor, width: usize, theme: &Theme) -> Line<'static> {
    around(&editor.text, editor.cursor, width, theme.base(), theme)
}

/// The rows of a multi-line editor, at most `rows`, keeping the cursor's
/// line in view.
pub fn lines(editor: &Editor, width: usize, rows: usize, theme: &Theme) -> Vec<Line<'static>> {
    let (cursor_line, _) = editor.line_col();
    let first = (cursor_line + 1).saturating_sub(rows.max(1));
    let mut start = 0;
    let mut out = Vec::new();
    for (i, text) in editor.text.split('\n').enumerate() {
        let end = start + text.len();
        if i >= first && out.len() < rows {
            out.push(if i == cursor_line {
                around(text, editor.cursor - start, width, theme.base(), theme)
            } else {
                Line::styled(sanitize(text, width), theme.base())
            });
        }
        start = end + 1;
    }
    out
}
