//! The explain view: one catalog entry, full screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::panel;
use crate::app::App;
use crate::engine::close_code::Entry;
use crate::theme::Theme;

/// Draws `entry` into `area`.
pub fn render(frame: &mut Frame<'_>, area: Rect, entry: &Entry, app: &App, theme: &Theme) {
    let class = app.policy.classify(entry.trigger);
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
            Span::styled(format!("  ({})", entry.trigger.describe()), theme.muted()),
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
