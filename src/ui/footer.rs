//! The footer: the keys that work right now, a one-off notice, or the
//! prompt being answered (filter, file name).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::edit;
use crate::app::{App, Mode, Purpose};
use crate::sanitize::sanitize;
use crate::theme::Theme;

/// Draws the one-row footer.
pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let width = usize::from(area.width);
    if let Mode::Prompt(p) = &app.mode {
        let label = match p.purpose {
            Purpose::Filter => " filter (re: for a regex) ",
            Purpose::Write(_) => " write to file ",
            Purpose::Save => " save the events so far to ",
            Purpose::Goto => " go to the run time ",
        };
        let mut spans = vec![Span::styled(label, theme.accent())];
        if let Some(notice) = &app.notice {
            spans.push(Span::styled(
                format!("{} ", sanitize(notice, width / 2)),
                theme.warn(),
            ));
        }
        let used: usize = spans.iter().map(Span::width).sum();
        spans.extend(edit::line(&p.editor, width.saturating_sub(used), theme).spans);
        frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.base()), area);
        return;
    }
    if let Some(notice) = &app.notice {
        let line = Line::styled(format!(" {}", sanitize(notice, width)), theme.warn());
        frame.render_widget(Paragraph::new(line).style(theme.base()), area);
        return;
    }
    let pause = if app.paused { "resume" } else { "pause" };
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
            ("⏎", "view"),
            ("/", "filter"),
            ("e", "explain"),
        ],
        Mode::Normal => &[
            ("q", "quit"),
            ("?", "help"),
            ("r", "reconnect"),
            ("p", pause),
            ("c", "close"),
            ("i", "send"),
            ("⏎", "view"),
            ("/", "filter"),
            ("a", "attempts"),
            ("e", "explain"),
            ("f", "follow"),
            ("t", "theme"),
        ],
        Mode::Help { .. } => &[("Esc", "close help"), ("↑↓", "scroll")],
        Mode::Explain { .. } => &[("Esc", "back"), ("↑↓ PgUp PgDn", "scroll")],
        Mode::Viewer(_) => &[
            ("Esc", "back"),
            ("↑↓ PgUp PgDn", "scroll"),
            ("v", "format"),
            ("y", "copy"),
            ("w", "write"),
        ],
        Mode::Connections { .. } => &[("Esc", "back"), ("↑↓", "select"), ("⏎", "show in timeline")],
        Mode::Picker(_) => &[
            ("↑↓", "code"),
            ("Tab", "type a code"),
            ("⏎", "close"),
            ("Esc", "cancel"),
        ],
        Mode::Composer(_) => &[
            ("⏎", "send"),
            ("↑↓", "recall"),
            ("Tab", "hex/b64"),
            ("Esc", "cancel"),
        ],
        Mode::Prompt(_) => &[],
    };
    let theme_tag = format!(" theme {} ", theme.name);
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
    // The theme's name only where every name fits, so the keys shown do
    // not depend on the theme.
    if width >= 60 && used + theme_len <= width {
        spans.push(Span::raw(" ".repeat(width - used - theme_len)));
        spans.push(Span::styled(theme_tag, theme.muted()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.base()), area);
}
