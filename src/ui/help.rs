//! The help overlay: every key, from the key table itself.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::{centered, panel};
use crate::app::{HELP, REPLAY_HELP};
use crate::theme::Theme;

/// Draws the help overlay centred in `area`; a replay adds its own keys.
pub fn render(frame: &mut Frame<'_>, area: Rect, theme: &Theme, replay: bool) {
    let extra: &[(&str, &str)] = if replay { &REPLAY_HELP } else { &[] };
    let rows: Vec<&(&str, &str)> = HELP.iter().chain(extra).collect();
    let key_width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    let text_width = rows
        .iter()
        .map(|(_, t)| t.chars().count())
        .max()
        .unwrap_or(0);
    let popup = centered(
        area,
        u16::try_from(key_width + text_width + 4).unwrap_or(u16::MAX),
        u16::try_from(rows.len() + 2).unwrap_or(u16::MAX),
    );
    let lines: Vec<Line<'_>> = rows
        .iter()
        .map(|(key, text)| {
            Line::from(vec![
                Span::styled(format!(" {key:<key_width$}"), theme.accent()),
                Span::styled(*text, theme.base()),
            ])
        })
        .collect();
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(panel(" keys · Esc closes ", theme)),
        popup,
    );
}
