//! The viewer: one event full screen, scrolled by rows; the title says the
//! format, the size and where the view is.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::{fmt, panel};
use crate::app::App;
use crate::engine::event::EventKind;
use crate::text::escape;
use crate::theme::Theme;

/// Draws the viewer into `area` (the body between status bar and footer).
pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let Some((v, event)) = app.viewed() else {
        let block = panel(" viewer ", theme);
        let text = Line::styled("the event has left the history", theme.muted());
        frame.render_widget(Paragraph::new(text).block(block), area);
        return;
    };
    let rows = usize::from(area.height.saturating_sub(2));
    let total = v.index.total;
    let first = v.scroll.min(total.saturating_sub(1));
    let last = (first + rows as u64).min(total);
    let what = match &event.kind {
        EventKind::Message { dir, payload } => format!(
            "{} {} {}",
            if dir.as_str() == "in" { "←" } else { "→" },
            if matches!(payload, crate::engine::event::Payload::Text(_)) {
                "text"
            } else {
                "binary"
            },
            fmt::bytes(payload.len())
        ),
        kind => kind.name().to_owned(),
    };
    let formats = if v.formats.len() > 1 {
        format!(
            " · v {}",
            v.formats
                .iter()
                .map(|f| f.label())
                .collect::<Vec<_>>()
                .join("/")
        )
    } else {
        String::new()
    };
    let more = if last < total { " ↓ more" } else { "" };
    let title = format!(
        " {what} · {} · rows {}–{last} of {}{more}{formats} ",
        v.format.label(),
        fmt::count(first + 1),
        fmt::count(total),
    );
    let block = panel(title, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let text = v.text(event);
    // Every row is untrusted text: escaped here, cell by cell as wrapped.
    let lines: Vec<Line<'_>> = v
        .index
        .rows(text, first, rows)
        .map(|(a, b)| Line::styled(escape(&text[a..b]).into_owned(), theme.base()))
        .collect();
    frame.render_widget(Paragraph::new(lines).style(theme.base()), inner);
}
