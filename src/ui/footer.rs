//! The footer: the keys that work right now, or a one-off notice.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::{App, Mode};
use crate::sanitize::sanitize;
use crate::theme::Theme;

/// Draws the one-row footer.
pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    if let Some(notice) = &app.notice {
        let line = Line::styled(format!(" {notice}"), theme.warn());
        frame.render_widget(Paragraph::new(line).style(theme.base()), area);
        return;
    }
    let pause = if app.paused { "resume" } else { "pause" };
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    if let Some(replay) = &app.replay {
        let state = if replay.finished {
            "■"
        } else if replay.playing {
            "▶"
        } else {
            "❚❚"
        };
        let tag = format!(
            "replay {state} {} {} ",
            replay.speed,
            super::fmt::clock(replay.position)
        );
        used += tag.chars().count() + 1;
        spans.push(Span::styled(tag, theme.accent()));
        spans.push(Span::raw(" "));
        if let (Some(note), Mode::Normal) = (&replay.note, &app.mode) {
            spans.push(Span::styled(sanitize(note, 200), theme.warn()));
            frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.base()), area);
            return;
        }
    }
    let play = match &app.replay {
        Some(r) if r.playing => "pause",
        _ => "play",
    };
    let keys: &[(&str, &str)] = match &app.mode {
        Mode::Normal if app.replay.is_some() => &[
            ("q", "quit"),
            ("?", "help"),
            ("space", play),
            (".", "step"),
            ("]", "next close"),
            ("[", "previous close"),
            ("g", "go to"),
            ("s", "save"),
            ("⏎", "expand"),
            ("e", "explain"),
            ("f", "follow"),
        ],
        Mode::Normal => &[
            ("q", "quit"),
            ("?", "help"),
            ("r", "reconnect"),
            ("p", pause),
            ("c", "close"),
            ("i", "send"),
            ("⏎", "expand"),
            ("e", "explain"),
            ("f", "follow"),
            ("t", "theme"),
        ],
        Mode::Help => &[("Esc", "close help")],
        Mode::Explain(_) => &[("Esc", "back")],
        Mode::Picker { .. } => &[
            ("↑↓", "code"),
            ("type", "reason"),
            ("⏎", "close"),
            ("Esc", "cancel"),
        ],
        Mode::Composer { .. } => &[("⏎", "send"), ("Esc", "cancel")],
        Mode::Prompt { .. } => &[("⏎", "confirm"), ("Esc", "cancel")],
    };
    let width = usize::from(area.width);
    let theme_tag = format!(" theme {} ", theme.name);
    // The keys come in order of importance: those that do not fit are
    // dropped (the help overlay lists them all); the theme name comes last.
    for (key, what) in keys {
        let len = key.chars().count() + what.chars().count() + 3;
        if used + len > width {
            break;
        }
        spans.push(Span::styled(*key, theme.accent()));
        spans.push(Span::styled(format!(" {what}  "), theme.muted()));
        used += len;
    }
    let theme_len = theme_tag.chars().count();
    if used + theme_len <= width {
        spans.push(Span::raw(" ".repeat(width - used - theme_len)));
        spans.push(Span::styled(theme_tag, theme.muted()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.base()), area);
}
