//! The close-code picker: the codes with their names (scrolling to keep the
//! selection in view), a code typed by hand, and the reason.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::{centered, edit, fmt, panel};
use crate::app::{CLOSE_CODES, MAX_REASON_BYTES, Picker};
use crate::engine::catalog;
use crate::theme::Theme;

const WIDTH: u16 = 48;

/// Rows under the list: the typed code, the reason, the byte count.
const FIELDS: usize = 3;

/// Draws the picker centred in `area`.
pub fn render(frame: &mut Frame<'_>, area: Rect, p: &Picker, theme: &Theme) {
    let height = u16::try_from(CLOSE_CODES.len() + FIELDS + 2).unwrap_or(u16::MAX);
    let popup = centered(area, WIDTH, height);
    let inner_width = usize::from(popup.width.saturating_sub(2));
    let list_rows = usize::from(popup.height.saturating_sub(2))
        .saturating_sub(FIELDS)
        .max(1);
    let first = (p.index + 1).saturating_sub(list_rows);
    let typed = !p.code.text.is_empty();
    let mut lines: Vec<Line<'_>> = CLOSE_CODES
        .iter()
        .enumerate()
        .skip(first)
        .take(list_rows)
        .map(|(i, code)| {
            let text = fmt::fit(
                &format!(" {code} {}", catalog::name_of(*code)),
                inner_width.saturating_sub(2),
            );
            if i == p.index && !typed {
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
    let label = |name: &str, active: bool| {
        Span::styled(
            format!("{}{name:<7}", if active { "▸" } else { " " }),
            if active {
                theme.accent()
            } else {
                theme.muted()
            },
        )
    };
    let field = inner_width.saturating_sub(8);
    let mut code = vec![label("code", p.on_code)];
    if p.on_code {
        code.extend(edit::line(&p.code, field, theme).spans);
    } else if typed {
        code.push(Span::styled(p.code.text.clone(), theme.base()));
    } else {
        code.push(Span::styled("Tab: type any code", theme.muted()));
    }
    if typed && let Ok(n) = p.code.text.parse::<u16>() {
        code.push(Span::styled(
            fmt::fit(
                &format!(" {}", catalog::name_of(n)),
                field.saturating_sub(p.code.text.len() + 1),
            ),
            theme.muted(),
        ));
    }
    lines.push(Line::from(code));
    let mut reason = vec![label("reason", !p.on_code)];
    if p.on_code {
        reason.push(Span::styled(fmt::tail(&p.reason.text, field), theme.base()));
    } else {
        reason.extend(edit::line(&p.reason, field, theme).spans);
    }
    lines.push(Line::from(reason));
    lines.push(Line::styled(
        format!(" {} of {MAX_REASON_BYTES} bytes", p.reason.text.len()),
        theme.muted(),
    ));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(panel(" close with code · ⏎ sends · Esc cancels ", theme)),
        popup,
    );
}
