//! The close-code picker: the codes with their names, and the reason typed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::{centered, fmt, panel};
use crate::app::{CLOSE_CODES, MAX_REASON_BYTES};
use crate::engine::catalog;
use crate::theme::Theme;

const WIDTH: u16 = 48;

/// Draws the picker centred in `area`, with `index` selected.
pub fn render(frame: &mut Frame<'_>, area: Rect, index: usize, reason: &str, theme: &Theme) {
    let height = u16::try_from(CLOSE_CODES.len() + 5).unwrap_or(u16::MAX);
    let popup = centered(area, WIDTH, height);
    let inner_width = usize::from(popup.width.saturating_sub(2));
    let mut lines: Vec<Line<'_>> = CLOSE_CODES
        .iter()
        .enumerate()
        .map(|(i, code)| {
            let text = fmt::fit(
                &format!(" {code} {}", catalog::name_of(*code)),
                inner_width.saturating_sub(2),
            );
            if i == index {
                Line::from(vec![
                    Span::styled("▸", theme.accent()),
                    Span::styled(
                        format!("{text:<w$}", w = inner_width.saturating_sub(1)),
                        theme.selection(),
                    ),
                ])
            } else {
                Line::from(vec![Span::raw(" "), Span::styled(text, theme.base())])
            }
        })
        .collect();
    lines.push(Line::raw(""));
    // The reason is the user's own typing, but it still goes through the
    // sanitizer: a pasted escape must not reach the terminal either.
    lines.push(Line::from(vec![
        Span::styled(" reason ", theme.muted()),
        Span::styled(
            fmt::tail(reason, inner_width.saturating_sub(10)),
            theme.base(),
        ),
        Span::styled("▏", theme.accent()),
    ]));
    lines.push(Line::styled(
        format!(" {} of {MAX_REASON_BYTES} bytes", reason.len()),
        theme.muted(),
    ));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(panel(" close with code · ⏎ sends · Esc cancels ", theme)),
        popup,
    );
}
