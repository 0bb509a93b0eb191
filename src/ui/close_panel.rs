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

/// Rows of content the close panel has to show at `width` columns (its
/// border not counted).
pub fn wanted_rows(app: &App, width: u16) -> u16 {
    // Only the count matters here, not the colours.
    static PLAIN: OnceLock<Option<Theme>> = OnceLock::new();
    let Some(plain) = PLAIN.get_or_init(|| Theme::builtin("mono").and_then(Result::ok)) else {
        return 1;
    };
    app.close_view().map_or(1, |close| {
        u16::try_from(lines(&close, usize::from(width), usize::MAX, plain).len())
            .unwrap_or(u16::MAX)
    })
}

/// Draws the close panel into `area`.
pub fn render(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme, now: Instant) {
    let Some(close) = app.close_view() else {
        let block = panel(" close ", theme);
        let text = Line::styled("no close yet", theme.muted());
        frame.render_widget(Paragraph::new(text).block(block), area);
        return;
    };
    let info = &close.info;
    // The title names the real cause: a close derived from a handshake
    // failure is that failure, not "1006".
    let mut title = match info.trigger {
        Trigger::Code(_) | Trigger::Violation => format!(" close {} {} ", info.code, info.name),
        Trigger::User => format!(" close {} {} (closed by you) ", info.code, info.name),
        _ => format!(
            " {} (derived close {}) ",
            catalog::cause_name(info),
            info.code
        ),
    };
    // Once a newer attempt is under way, say which one this was and when.
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
        title = format!(" #{} · {ago} ago ·{title}", close.attempt);
    }
    let block = panel(title, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let text = lines(
        &close,
        usize::from(inner.width),
        usize::from(inner.height),
        theme,
    );
    frame.render_widget(Paragraph::new(text).style(theme.base()), inner);
}

/// The panel's rows for `close`: everything, or cut to `room` rows with a
/// marker where a section is cut.
fn lines(close: &ClosedAttempt, width: usize, room: usize, theme: &Theme) -> Vec<Line<'static>> {
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
    if !info.wire {
        lines.push(Line::styled(
            fmt::fit("derived locally: not sent by the server", width),
            theme.warn(),
        ));
    }
    let mut wrapped = |text: &str, style: Style, max: usize| {
        let mut parts = fmt::wrap(text, width);
        if parts.len() > max {
            parts.truncate(max);
            if let Some(last) = parts.last_mut() {
                *last = fmt::fit(&format!("{last} …"), width);
            }
        }
        lines.extend(parts.into_iter().map(|p| Line::styled(p, style)));
    };
    if let Some(received) = info.received_code {
        let text = format!(
            "the server sent {received} ({}), which may never be sent: a protocol \
             violation; wsprobe answered {}",
            catalog::name_of(received),
            info.code
        );
        wrapped(&text, theme.error(), 3);
    }
    if let Some(error) = &close.error {
        let text = format!(
            "after {}: {}",
            error.class.as_str(),
            sanitize(&error.message, 300)
        );
        wrapped(&text, theme.error(), 2);
    }
    if !info.reason.is_empty() {
        let text = format!("reason \"{}\"", sanitize(&info.reason, 300));
        wrapped(&text, theme.base(), 2);
    }

    if info.by_user() {
        // A close the user asked for needs no advice and no reconnect.
        lines.push(Line::styled(
            fmt::fit("closed at your request: no reconnect follows", width),
            theme.muted(),
        ));
        return lines;
    }
    let entry = close.entry();
    let room = room.saturating_sub(lines.len());
    let text_width = width.saturating_sub(LABEL).max(1);
    let sections = [
        ("means", fmt::wrap(entry.meaning, text_width)),
        ("when", fmt::wrap(entry.when, text_width)),
        ("fix", fmt::wrap(entry.fix, text_width)),
    ];
    let shares = share(&sections.each_ref().map(|(_, l)| l.len()), room);
    for ((label, wrapped), share) in sections.iter().zip(shares) {
        section(&mut lines, label, wrapped, share, text_width, theme);
    }
    lines
}

/// Splits `room` lines among sections needing `want` lines each, when they
/// do not all fit: every section gets its first line before any gets a
/// second, and the fix (the last) is served first, then the meaning.
fn share(want: &[usize; 3], room: usize) -> [usize; 3] {
    let mut got = [0; 3];
    let mut left = room;
    let order = [2, 0, 1];
    loop {
        let mut gave = false;
        for &i in &order {
            if left > 0 && got[i] < want[i] {
                got[i] += 1;
                left -= 1;
                gave = true;
            }
        }
        if !gave {
            return got;
        }
    }
}

fn section(
    lines: &mut Vec<Line<'static>>,
    label: &str,
    wrapped: &[String],
    n: usize,
    width: usize,
    theme: &Theme,
) {
    for (i, text) in wrapped.iter().take(n).enumerate() {
        let head = if i == 0 { label } else { "" };
        let mut text = text.clone();
        if i + 1 == n && n < wrapped.len() {
            // More follows than fits: say so within the width.
            text = fmt::fit(&format!("{text} …"), width);
        }
        lines.push(Line::from(vec![
            Span::styled(format!("{head:<LABEL$}"), theme.muted()),
            Span::styled(text, Style::default()),
        ]));
    }
}

#[cfg(test)]
mod tests {
    use super::share;

    #[test]
    fn sharing_serves_every_section_then_the_fix() {
        assert_eq!(share(&[3, 3, 3], 9), [3, 3, 3]);
        assert_eq!(share(&[3, 3, 3], 4), [1, 1, 2]);
        assert_eq!(share(&[3, 3, 3], 2), [1, 0, 1]);
        assert_eq!(share(&[0, 5, 1], 4), [0, 3, 1]);
    }
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
        let now = std::time::Instant::now();
        update(
            &mut app,
            Msg::Engine(EngineEvent {
                seq: 0,
                t: std::time::Duration::ZERO,
                kind: EventKind::Close(info),
            }),
            now,
        );
        let mut term = Terminal::new(TestBackend::new(60, 12)).unwrap();
        term.draw(|f| {
            super::render(
                f,
                f.area(),
                &app,
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
}
