//! The help overlay: every key, from the key table itself; it scrolls
//! when the screen is too small for all of them.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::{centered, panel};
use crate::app::{HELP, REPLAY_HELP};
use crate::theme::Theme;

/// Draws the help overlay centred in `area`, from row `scroll` on; a
/// replay adds its own keys.
pub fn render(frame: &mut Frame<'_>, area: Rect, scroll: u16, theme: &Theme, replay: bool) {
    let extra: &[(&str, &str)] = if replay { &REPLAY_HELP } else { &[] };
    let rows_all: Vec<&(&str, &str)> = HELP.iter().chain(extra).collect();
    let key_width = rows_all
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    let text_width = rows_all
        .iter()
        .map(|(_, t)| t.chars().count())
        .max()
        .unwrap_or(0);
    let popup = centered(
        area,
        u16::try_from(key_width + text_width + 4).unwrap_or(u16::MAX),
        u16::try_from(rows_all.len() + 2).unwrap_or(u16::MAX),
    );
    let rows = usize::from(popup.height.saturating_sub(2));
    let first = usize::from(scroll).min(rows_all.len().saturating_sub(rows));
    let lines: Vec<Line<'_>> = rows_all
        .iter()
        .skip(first)
        .take(rows)
        .map(|(key, text)| {
            Line::from(vec![
                Span::styled(format!(" {key:<key_width$}"), theme.accent()),
                Span::styled(*text, theme.base()),
            ])
        })
        .collect();
    let title = if first + rows < rows_all.len() {
        " keys · Esc closes · ↓ more "
    } else {
        " keys · Esc closes "
    };
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(panel(title, theme)), popup);
}
