//! What the mouse points at, from the same layout the screen is drawn
//! with: the wheel over the close panel scrolls the panel, elsewhere the
//! timeline or the open view; a click selects an event in the timeline or
//! an attempt in the connections view.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use super::{body, connections, regions};
use crate::app::{App, Mode, Msg};

/// The message for a mouse event on a screen of `area`, if it means one.
pub fn message(area: Rect, app: &App, event: &MouseEvent) -> Option<Msg> {
    let at = Position::new(event.column, event.row);
    let regions = regions(area, app);
    let normal = matches!(app.mode, Mode::Normal);
    match event.kind {
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let delta = if event.kind == MouseEventKind::ScrollDown {
                1
            } else {
                -1
            };
            Some(if normal && regions.close.contains(at) {
                Msg::PanelWheel(delta)
            } else {
                Msg::Wheel(delta)
            })
        }
        MouseEventKind::Down(MouseButton::Left) => match app.mode {
            Mode::Normal => {
                let inside = inner(regions.timeline);
                inside.contains(at).then(|| Msg::Click {
                    row: at.y - inside.y,
                })
            }
            Mode::Connections { selected } => {
                let area = body(area, &regions);
                connections::attempt_at(area, app, selected, at.y)
                    .filter(|_| inner(area).contains(at))
                    .map(|row| Msg::ClickAttempt { row })
            }
            _ => None,
        },
        _ => None,
    }
}

/// A bordered region without its border.
fn inner(area: Rect) -> Rect {
    ratatui::widgets::Block::bordered().inner(area)
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    use ratatui::layout::Rect;

    use super::message;
    use crate::app::{App, Mode, Msg};
    use crate::ui::{body, connections, regions};

    fn mouse(kind: MouseEventKind, column: u16, row: u16) -> MouseEvent {
        MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        }
    }

    #[test]
    fn the_wheel_over_the_close_panel_scrolls_the_panel() {
        let screen = Rect::new(0, 0, 80, 24);
        let app = App::new(100, 1);
        let close = regions(screen, &app).close;
        let timeline = regions(screen, &app).timeline;
        let over = |area: Rect, kind| message(screen, &app, &mouse(kind, area.x + 2, area.y + 1));
        assert_eq!(
            over(close, MouseEventKind::ScrollDown),
            Some(Msg::PanelWheel(1))
        );
        assert_eq!(
            over(timeline, MouseEventKind::ScrollUp),
            Some(Msg::Wheel(-1))
        );
        // A click on the timeline's first row inside its border.
        assert_eq!(
            over(timeline, MouseEventKind::Down(MouseButton::Left)),
            Some(Msg::Click { row: 0 })
        );
    }

    #[test]
    fn a_click_in_the_connections_view_names_the_attempt_under_it() {
        let screen = Rect::new(0, 0, 80, 24);
        let mut app = App::new(100, 1);
        for attempt in 1..=3 {
            let kind = crate::engine::event::EventKind::Connecting {
                attempt,
                url: "ws://h/".into(),
                proxy: None,
            };
            let event = crate::engine::event::EngineEvent {
                seq: u64::from(attempt),
                t: std::time::Duration::from_secs(u64::from(attempt)),
                kind,
            };
            crate::app::update(&mut app, Msg::Engine(event), std::time::Instant::now());
        }
        assert_eq!(app.attempts.rows.len(), 3);
        app.mode = Mode::Connections { selected: 0 };
        let area = body(screen, &regions(screen, &app));
        // The border, then the table's heading, then attempt #1.
        let first = area.y + 2;
        let click = |row| {
            message(
                screen,
                &app,
                &mouse(MouseEventKind::Down(MouseButton::Left), 5, row),
            )
        };
        assert_eq!(click(first), Some(Msg::ClickAttempt { row: 0 }));
        assert_eq!(click(first + 2), Some(Msg::ClickAttempt { row: 2 }));
        assert_eq!(click(first + 3), None, "below the last attempt");
        assert_eq!(click(first - 1), None, "the heading");
        assert_eq!(connections::attempt_at(area, &app, 0, first + 1), Some(1));
    }
}
