//! The explain view: one catalog entry, full screen, scrolled by rows.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::panel;
use crate::app::Explained;
use crate::app::prose::{self, LABEL, Role};
use crate::theme::Theme;

/// Draws the explained entry into `area` from row `scroll` on, with the
/// class the engine's policy concluded.
pub fn render(frame: &mut Frame<'_>, area: Rect, shown: &Explained, scroll: u16, theme: &Theme) {
    let entry = shown.entry;
    let width = usize::from(area.width.saturating_sub(2));
    let rows = usize::from(area.height.saturating_sub(2));
    let all = prose::lines(shown, width);
    let first = usize::from(scroll).min(all.len().saturating_sub(rows));
    let more = if first + rows < all.len() {
        " · ↓ more (j, PgDn)"
    } else {
        ""
    };
    let lines: Vec<Line<'_>> = all
        .iter()
        .skip(first)
        .take(rows)
        .map(|(role, text)| match role {
            Role::Title => Line::styled(text.clone(), theme.accent()),
            Role::Text => Line::styled(text.clone(), theme.base()),
            Role::Field => {
                let split = text
                    .char_indices()
                    .nth(LABEL)
                    .map_or(text.len(), |(i, _)| i);
                Line::from(vec![
                    Span::styled(text[..split].to_owned(), theme.muted()),
                    Span::styled(text[split..].to_owned(), theme.base()),
                ])
            }
        })
        .collect();
    let title = format!(" explain {} — {} · Esc back{more} ", entry.key, entry.name);
    frame.render_widget(Paragraph::new(lines).block(panel(title, theme)), area);
}
