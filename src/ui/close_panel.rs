//! The close-code panel: the last close (or the selected one), decoded from
//! the catalog: code, name, class, what it means, when you see it, the fix.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::{fmt, panel, severity_style};
use crate::app::{App, ClosedAttempt, Phase, severity};
use crate::duration::format_duration;
use crate::engine::catalog;
use crate::engine::policy::Trigger;
use crate::sanitize::sanitize;
use crate::theme::Theme;

const LABEL: usize = 7;
/// The most characters of an error message or a reason shown (both are
/// whole in the event's viewer).
const MESSAGE_CHARS: usize = 2000;

/// Rows of content the close panel has to show at `width` columns (its
/// border not counted).
pub fn wanted_rows(app: &App, width: u16) -> u16 {
    // Only the count matters here, not the colours.
    static PLAIN: OnceLock<Option<Theme>> = OnceLock::new();
    let Some(plain) = PLAIN.get_or_init(|| Theme::builtin("mono").and_then(Result::ok)) else {
        return 1;
    };
    app.close_view().map_or(1, |close| {
        u16::try_from(lines(&close, usize::from(width), plain).len()).unwrap_or(u16::MAX)
    })
}

/// Draws the close panel into `area`: all of it, or the rows that fit from
/// where it is scrolled to (`J`/`K`, the wheel), with the rows above and
/// below counted in the border.
pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme, now: Instant) {
    let Some(close) = app.close_view() else {
        let block = panel(" close ", theme);
        let text = Line::styled("no close yet", theme.muted());
        frame.render_widget(Paragraph::new(text).block(block), area);
        return;
    };
    let inner = panel("", theme).inner(area);
    let mut text = lines(&close, usize::from(inner.width), theme);
    let height = usize::from(inner.height);
    let overflow = text.len().saturating_sub(height);
    app.close_scroll
        .overflow
        .set(u16::try_from(overflow).unwrap_or(u16::MAX));
    let first = usize::from(app.close_scroll.rows_for(close.pos)).min(overflow);
    let below = overflow - first;
    let mut block = panel(title(app, &close, now), theme);
    if overflow > 0 {
        let mut marks = Vec::new();
        if first > 0 {
            marks.push(format!("↑ {first}"));
        }
        if below > 0 {
            marks.push(format!("↓ {below} more"));
        }
        block = block.title_bottom(
            Line::styled(
                format!(" {} · J K scroll ", marks.join(" · ")),
                theme.muted(),
            )
            .right_aligned(),
        );
    }
    frame.render_widget(block, area);
    text.drain(..first);
    text.truncate(height);
    frame.render_widget(Paragraph::new(text).style(theme.base()), inner);
}

/// The panel's title: the real cause, and once a newer attempt is under
/// way, which attempt this was and how long ago it closed.
fn title(app: &App, close: &ClosedAttempt, now: Instant) -> String {
    let info = &close.info;
    // A close derived from a handshake failure is that failure, not "1006".
    let title = match info.trigger {
        Trigger::Code(_) | Trigger::Violation => format!(" close {} {} ", info.code, info.name),
        Trigger::User => format!(" close {} {} (closed by you) ", info.code, info.name),
        _ => format!(
            " {} (derived close {}) ",
            catalog::cause_name(info),
            info.code
        ),
    };
    let newer = app.conn.attempt > close.attempt && app.conn.phase != Phase::Waiting;
    if newer || app.conn.phase == Phase::Open && app.conn.opened_at > close.at {
        let ago = close
            .at
            .map(|at| {
                format_duration(Duration::from_secs(
                    now.saturating_duration_since(at).as_secs(),
                ))
            })
            .unwrap_or_default();
        return format!(" #{} · {ago} ago ·{title}", close.attempt);
    }
    title
}

/// The panel's rows for `close`, all of them, wrapped to `width`.
fn lines(close: &ClosedAttempt, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let info = &close.info;
    let class = close.class();
    let mut lines = vec![Line::from(vec![
        Span::styled("class ", theme.muted()),
        Span::styled(class.label(), severity_style(severity(class), theme)),
        Span::styled(" · ", theme.muted()),
        Span::styled(info.initiator.as_str(), theme.base()),
        Span::styled(" · ", theme.muted()),
        Span::styled(if info.clean { "clean" } else { "unclean" }, theme.base()),
    ])];
    let mut wrapped = |text: &str, style: Style| {
        lines.extend(
            fmt::wrap(text, width)
                .into_iter()
                .map(|p| Line::styled(p, style)),
        );
    };
    if !info.wire {
        wrapped("derived locally: not sent by the server", theme.warn());
    }
    if let Some(received) = info.received_code {
        let text = format!(
            "the server sent {received} ({}), which may never be sent: a protocol \
             violation; wsprobe answered {}",
            catalog::name_of(received),
            info.code
        );
        wrapped(&text, theme.error());
    }
    if let Some(error) = &close.error {
        let text = format!(
            "after {}: {}",
            error.class.as_str(),
            sanitize(&error.message, MESSAGE_CHARS)
        );
        wrapped(&text, theme.error());
    }
    if !info.reason.is_empty() {
        let text = format!("reason \"{}\"", sanitize(&info.reason, MESSAGE_CHARS));
        wrapped(&text, theme.base());
    }
    if info.by_user() {
        // A close the user asked for needs no advice and no reconnect.
        wrapped(
            "closed at your request: no reconnect follows",
            theme.muted(),
        );
        return lines;
    }
    let entry = close.entry();
    let text_width = width.saturating_sub(LABEL).max(1);
    // The fix first: on a small screen the first rows are the ones read
    // without scrolling, and the fix is what the user acts on (`e` shows
    // the entry in the catalog's order).
    for (label, text) in [
        ("fix", entry.fix),
        ("means", entry.meaning),
        ("when", entry.when),
    ] {
        for (i, row) in fmt::wrap(text, text_width).into_iter().enumerate() {
            let head = if i == 0 { label } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("{head:<LABEL$}"), theme.muted()),
                Span::styled(row, Style::default()),
            ]));
        }
    }
    lines
}

#[cfg(test)]
mod render_tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use crate::app::{App, Msg, update};
    use crate::engine::event::{CloseInfo, EngineEvent, EventKind, Initiator};
    use crate::engine::policy::{Class, Trigger};
    use crate::theme::Theme;

    fn panel_text(info: CloseInfo) -> String {
        let mut app = App::new(100, 4);
        closed(&mut app, info);
        drawn(&app, 60, 12)
    }

    fn closed(app: &mut App, info: CloseInfo) {
        update(
            app,
            Msg::Engine(EngineEvent {
                seq: 0,
                t: std::time::Duration::ZERO,
                kind: EventKind::Close(info),
            }),
            std::time::Instant::now(),
        );
    }

    fn drawn(app: &App, width: u16, height: u16) -> String {
        let now = std::time::Instant::now();
        let mut term = Terminal::new(TestBackend::new(width, height)).unwrap();
        term.draw(|f| {
            super::render(
                f,
                f.area(),
                app,
                &Theme::builtin("default").unwrap().unwrap(),
                now,
            );
        })
        .unwrap();
        let buf = term.backend().buffer().clone();
        (0..buf.area.height)
            .map(|y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_title_names_the_real_cause_of_a_derived_close() {
        let mut info = CloseInfo::derived(1006, Initiator::Local, Trigger::Http(503));
        info.class = Class::TryAgainLater;
        let text = panel_text(info);
        assert!(
            text.contains("HTTP 503 Service Unavailable (derived close 1006)"),
            "{text}"
        );
        assert!(text.contains("try again later"), "{text}");
    }

    #[test]
    fn a_users_close_gets_no_advice() {
        let info = CloseInfo {
            code: 1000,
            name: "Normal Closure".into(),
            reason: String::new(),
            initiator: Initiator::Client,
            wire: true,
            clean: true,
            received_code: None,
            trigger: Trigger::User,
            class: Class::Done,
        };
        let text = panel_text(info);
        assert!(text.contains("closed by you"), "{text}");
        assert!(!text.contains("fix"), "{text}");
    }

    fn key(app: &mut App, c: char) {
        let key = crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c));
        update(app, Msg::Key(key), std::time::Instant::now());
    }

    #[test]
    fn what_does_not_fit_scrolls_to_the_last_word() {
        let mut app = App::new(100, 4);
        closed(
            &mut app,
            CloseInfo::derived(1006, Initiator::Local, Trigger::Code(1006)),
        );
        let entry = crate::engine::catalog::lookup(1006);
        let last_word = entry.when.split_whitespace().last().unwrap();
        let first = drawn(&app, 50, 8);
        assert!(first.contains("↓") && first.contains("more"), "{first}");
        assert!(!first.contains("↑"), "{first}");
        assert!(!first.contains(last_word), "{first}");
        // J scrolls a row at a time, no further than the end.
        for _ in 0..200 {
            key(&mut app, 'J');
            drawn(&app, 50, 8);
        }
        let end = drawn(&app, 50, 8);
        assert!(end.contains(last_word), "{end}");
        assert!(end.contains("↑") && !end.contains("more"), "{end}");
        // K comes back a row at once, even after scrolling past the end.
        key(&mut app, 'K');
        let back = drawn(&app, 50, 8);
        assert!(back.contains("↓ 1 more"), "{back}");
        // Tall enough, there is nothing to scroll and no marker.
        let tall = drawn(&app, 50, 40);
        assert!(
            tall.contains(last_word) && !tall.contains("scroll"),
            "{tall}"
        );
    }
}
