//! The explain view: one catalog entry, full screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::panel;
use crate::app::Explained;
use crate::theme::Theme;

/// Draws the explained entry into `area`, with the class the engine's policy concluded.
pub fn render(frame: &mut Frame<'_>, area: Rect, shown: &Explained, theme: &Theme) {
    let (entry, class) = (shown.entry, shown.class);
    let section = |title: &'static str, text: &'static str| {
        [
            Line::styled(title, theme.accent()),
            Line::styled(text, theme.base()),
            Line::raw(""),
        ]
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled("on the wire  ", theme.muted()),
            Span::styled(entry.on_wire.as_str(), theme.base()),
        ]),
        Line::from(vec![
            Span::styled("policy class ", theme.muted()),
            Span::styled(class.label(), theme.accent()),
            Span::styled(format!("  ({})", shown.trigger.describe()), theme.muted()),
        ]),
        Line::raw(""),
    ];
    lines.extend(section("What it means", entry.meaning));
    lines.extend(section("When you see it", entry.when));
    lines.extend(section("How to fix it", entry.fix));
    let title = format!(" explain {} — {} · Esc back ", entry.key, entry.name);
    frame.render_widget(
        Paragraph::new(lines)
            .block(panel(title, theme))
            .wrap(Wrap { trim: false }),
        area,
    );
}
