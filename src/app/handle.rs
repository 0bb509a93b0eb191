//! What each action does in each mode (the inputs are in `inputs.rs`), and
//! the mouse and paste.

use super::inputs;
use super::keys::{Action, HELP};
use super::prompts;
use super::prose;
use super::update::quit;
use super::viewer::{Format, Viewer};
use super::{App, Clock, Editor, Effect, Mode, Prompt, Purpose};
use crate::engine::event::{Command, EngineEvent, EventKind, Payload};

/// The most a copy puts on the clipboard: terminals cap OSC 52 well below
/// what a message can hold.
pub const MAX_COPY: usize = 1 << 20;

/// Rows a wheel notch scrolls.
const WHEEL_ROWS: i64 = 3;

impl App {
    /// Columns and rows of the viewer's text (the body between the status
    /// bar and the footer, inside a border).
    pub fn viewer_size(&self) -> (usize, usize) {
        let (w, h) = self.screen;
        (
            usize::from(w.saturating_sub(2)).max(1),
            usize::from(h.saturating_sub(4)).max(1),
        )
    }

    /// Rows the help overlay shows at this screen size (it covers the
    /// body, between the status bar and the footer).
    pub fn help_rows(&self) -> usize {
        HELP.len().min(usize::from(self.screen.1.saturating_sub(4)))
    }
}

/// The screen changed size: the viewer re-wraps.
pub(super) fn resized(app: &mut App) {
    let (width, rows) = app.viewer_size();
    let timeline = &app.timeline;
    if let Mode::Viewer(v) = &mut app.mode {
        let event = v.held.as_deref().or_else(|| timeline.get(v.pos)).cloned();
        if let Some(event) = event {
            v.rebuild(&event, width);
            v.scroll_by(0, rows);
        }
    }
}

pub(super) fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    if action == Action::Interrupt {
        return quit(app, 1001);
    }
    let mode = std::mem::replace(&mut app.mode, Mode::Normal);
    match mode {
        Mode::Normal => normal(app, action),
        Mode::Help { scroll } => {
            let max = HELP.len().saturating_sub(app.help_rows());
            if let Some(scroll) = scrolled(action, usize::from(scroll), max, app.help_rows()) {
                app.mode = Mode::Help {
                    scroll: u16::try_from(scroll).unwrap_or(u16::MAX),
                };
            }
            Vec::new()
        }
        Mode::Explain { shown, scroll } => {
            let (width, rows) = app.viewer_size();
            let max = prose::lines(&shown, width).len().saturating_sub(rows);
            if let Some(scroll) = scrolled(action, usize::from(scroll), max, rows) {
                app.mode = Mode::Explain {
                    shown,
                    scroll: u16::try_from(scroll).unwrap_or(u16::MAX),
                };
            }
            Vec::new()
        }
        Mode::Viewer(v) => viewer(app, v, action),
        Mode::Connections { selected } => connections(app, selected, action),
        Mode::Picker(p) => inputs::picker(app, p, action),
        Mode::Composer(c) => inputs::composer(app, c, action),
        Mode::Prompt(p) => inputs::prompt(app, p, action),
    }
}

/// The new scroll position of an overlay, or `None` when it closes.
fn scrolled(action: Action, scroll: usize, max: usize, page: usize) -> Option<usize> {
    let page = page.saturating_sub(1).max(1);
    Some(match action {
        Action::Back => return None,
        Action::Up => scroll.saturating_sub(1),
        Action::Down => (scroll + 1).min(max),
        Action::PageUp => scroll.saturating_sub(page),
        Action::PageDown => (scroll + page).min(max),
        Action::Home => 0,
        Action::End => max,
        _ => scroll,
    })
}

fn normal(app: &mut App, action: Action) -> Vec<Effect> {
    if let Some(effects) = prompts::replay_keys(app, action) {
        return effects;
    }
    let page = i64::from(app.view.page.saturating_sub(1).max(1));
    match action {
        Action::Save => app.mode = prompts::ask(Purpose::Save, &app.save_name.clone()),
        Action::Quit => return quit(app, 1000),
        Action::Reconnect => return vec![Effect::Send(Command::ReconnectNow)],
        Action::TogglePause => {
            app.pause_wanted = !app.pause_wanted;
            return vec![Effect::Send(Command::SetPaused(app.pause_wanted))];
        }
        Action::OpenPicker => app.mode = Mode::Picker(inputs::new_picker()),
        Action::OpenComposer => app.mode = Mode::Composer(inputs::new_composer()),
        Action::ToggleHelp => app.mode = Mode::Help { scroll: 0 },
        Action::Up => app.move_by(-1),
        Action::Down => app.move_by(1),
        Action::PageUp => app.move_by(-page),
        Action::PageDown => app.move_by(page),
        Action::Home => {
            if let Some(first) = app.shown_at(0) {
                app.pin(first);
                app.view.top = first;
            }
        }
        Action::End | Action::Follow => app.view.follow = true,
        Action::Open => open_viewer(app),
        Action::NextTheme => app.theme = (app.theme + 1) % app.theme_count,
        Action::PanelDown => scroll_panel(app, 1),
        Action::PanelUp => scroll_panel(app, -1),
        Action::Explain => match app.explain_target() {
            Some(shown) => app.mode = Mode::Explain { shown, scroll: 0 },
            None => app.notice = Some("nothing to explain yet: no close so far".to_owned()),
        },
        Action::Back if app.filter.is_some() => app.set_filter(None),
        Action::Filter => {
            let query = app.filter.as_ref().map_or("", |f| f.query.as_str());
            app.mode = Mode::Prompt(Prompt {
                purpose: Purpose::Filter,
                editor: Editor::with_text(query, inputs::MAX_PROMPT_BYTES),
                back: Box::new(Mode::Normal),
            });
        }
        Action::NextMatch | Action::PrevMatch => {
            if app.filter.is_none() {
                app.notice = Some("no filter: / sets one".into());
            } else {
                app.move_by(if action == Action::NextMatch { 1 } else { -1 });
            }
        }
        Action::ToggleNoise => {
            app.hide_noise = !app.hide_noise;
            app.refilter();
            app.notice = Some(if app.hide_noise {
                "pings and pongs hidden (h shows them)".into()
            } else {
                "pings and pongs shown".into()
            });
        }
        Action::Copy => {
            if let Some(event) = app.selected().and_then(|p| app.timeline.get(p)) {
                let bytes = content(event);
                return copy(app, bytes);
            }
        }
        Action::WriteFile => {
            if let Some(event) = app.selected().and_then(|p| app.timeline.get(p)) {
                let bytes = content(event);
                app.mode = write_prompt(bytes, Mode::Normal);
            }
        }
        Action::ToggleClock => {
            app.clock = match app.clock {
                Clock::Relative => Clock::Wall,
                Clock::Wall => Clock::Relative,
            };
        }
        Action::Connections => {
            app.mode = Mode::Connections {
                selected: app.attempts.rows.len().saturating_sub(1),
            };
        }
        _ => {}
    }
    Vec::new()
}

fn open_viewer(app: &mut App) {
    let Some(pos) = app.selected() else {
        return;
    };
    // Opening pins the event: a flood must not swap it out from under the reader.
    app.pin(pos);
    let width = app.viewer_size().0;
    if let Some(event) = app.timeline.get(pos) {
        app.mode = Mode::Viewer(Box::new(Viewer::open(pos, event, width)));
    }
}

/// What copying or writing an event takes: a message's exact bytes (what
/// the engine kept of a binary one), else its facts as text.
fn content(event: &EngineEvent) -> Vec<u8> {
    if let EventKind::Message { payload, .. } = &event.kind {
        match payload {
            Payload::Text(t) => t.as_bytes().to_vec(),
            Payload::Binary { head, .. } => head.clone(),
        }
    } else {
        let v = Viewer::open(0, event, 80);
        v.text(event).as_bytes().to_vec()
    }
}

fn copy(app: &mut App, bytes: Vec<u8>) -> Vec<Effect> {
    if bytes.len() > MAX_COPY {
        app.notice = Some(format!(
            "{} bytes is too much for the clipboard (at most {MAX_COPY}); w writes it to a file",
            bytes.len()
        ));
        return Vec::new();
    }
    app.notice = Some(format!(
        "copied {} bytes to the clipboard (OSC 52)",
        bytes.len()
    ));
    vec![Effect::Copy(bytes)]
}

fn write_prompt(bytes: Vec<u8>, back: Mode) -> Mode {
    Mode::Prompt(Prompt {
        purpose: Purpose::Write(bytes),
        editor: Editor::new(inputs::MAX_PROMPT_BYTES),
        back: Box::new(back),
    })
}

fn viewer(app: &mut App, mut v: Box<Viewer>, action: Action) -> Vec<Effect> {
    let (width, rows) = app.viewer_size();
    let page = i64::try_from(rows.saturating_sub(1).max(1)).unwrap_or(1);
    let event = v
        .held
        .as_deref()
        .or_else(|| app.timeline.get(v.pos))
        .cloned();
    let mut effects = Vec::new();
    match action {
        Action::Back => return Vec::new(),
        Action::Up => v.scroll_by(-1, rows),
        Action::Down => v.scroll_by(1, rows),
        Action::PageUp => v.scroll_by(-page, rows),
        Action::PageDown => v.scroll_by(page, rows),
        Action::Home => v.scroll = 0,
        Action::End => v.scroll_by(i64::MAX, rows),
        Action::Format => {
            if let Some(event) = &event {
                v.cycle(event, width);
            }
        }
        Action::Copy | Action::WriteFile => {
            let bytes = event
                .as_ref()
                .map(|e| shown_bytes(&v, e))
                .unwrap_or_default();
            if action == Action::Copy {
                effects = copy(app, bytes);
            } else {
                app.mode = write_prompt(bytes, Mode::Viewer(v));
                return Vec::new();
            }
        }
        _ => {}
    }
    app.mode = Mode::Viewer(v);
    effects
}

/// What the viewer shows, as bytes: the exact message in raw format.
fn shown_bytes(v: &Viewer, event: &EngineEvent) -> Vec<u8> {
    match (&event.kind, v.format) {
        (
            EventKind::Message {
                payload: Payload::Binary { head, .. },
                ..
            },
            Format::Raw,
        ) => head.clone(),
        _ => v.text(event).as_bytes().to_vec(),
    }
}

fn connections(app: &mut App, selected: usize, action: Action) -> Vec<Effect> {
    let last = app.attempts.rows.len().saturating_sub(1);
    let selected = match action {
        Action::Back => return Vec::new(),
        Action::Up => selected.saturating_sub(1),
        Action::Down => (selected + 1).min(last),
        Action::PageUp => selected.saturating_sub(10),
        Action::PageDown => (selected + 10).min(last),
        Action::Home => 0,
        Action::End => last,
        Action::Confirm => {
            if let Some(row) = app.attempts.rows.get(selected) {
                if row.pos >= app.timeline.first() {
                    let pos = row.pos;
                    app.select(pos);
                } else {
                    app.notice = Some(format!(
                        "attempt #{} has left the history (--history)",
                        row.attempt
                    ));
                }
            }
            return Vec::new();
        }
        _ => selected,
    };
    app.mode = Mode::Connections { selected };
    Vec::new()
}

/// Pasted text goes where typing goes; elsewhere it is ignored (a paste
/// is text, never keys).
pub(super) fn paste(app: &mut App, text: &str) {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    match &mut app.mode {
        Mode::Composer(c) => {
            c.recall = None;
            if !c.editor.insert_str(&text) {
                app.notice = Some(format!(
                    "the paste was cut at {} bytes",
                    inputs::MAX_COMPOSE_BYTES
                ));
            }
        }
        Mode::Picker(p) => {
            if p.on_code {
                let digits: String = text.chars().filter(char::is_ascii_digit).collect();
                p.code.insert_str(&digits);
            } else {
                p.reason.insert_str(&text.replace('\n', " "));
            }
        }
        Mode::Prompt(p) => {
            p.editor.insert_str(&text.replace('\n', " "));
        }
        _ => {
            app.notice = Some("paste ignored here: i opens the composer, then paste".into());
        }
    }
}

pub(super) fn wheel(app: &mut App, delta: i8) {
    let rows = i64::from(delta) * WHEEL_ROWS;
    match &mut app.mode {
        Mode::Viewer(v) => {
            let visible = app.screen.1.saturating_sub(4).max(1);
            v.scroll_by(rows, usize::from(visible));
        }
        Mode::Normal => app.move_by(rows),
        Mode::Help { .. } | Mode::Explain { .. } | Mode::Connections { .. } => {
            let action = if delta > 0 { Action::Down } else { Action::Up };
            for _ in 0..WHEEL_ROWS {
                on_action(app, action);
            }
        }
        // Turning the wheel must not recall a message or move a picker.
        _ => {}
    }
}

/// The wheel over the close panel scrolls it.
pub(super) fn panel_wheel(app: &mut App, delta: i8) {
    scroll_panel(app, i64::from(delta) * WHEEL_ROWS);
}

fn scroll_panel(app: &mut App, rows: i64) {
    if let Some(close) = app.close_view() {
        app.close_scroll.scroll(close.pos, rows);
    }
}

/// A click on a row of the connections view selects that attempt and shows
/// it in the timeline, as ⏎ does.
pub(super) fn click_attempt(app: &mut App, row: usize) -> Vec<Effect> {
    if !matches!(app.mode, Mode::Connections { .. }) || row >= app.attempts.rows.len() {
        return Vec::new();
    }
    app.mode = Mode::Connections { selected: row };
    on_action(app, Action::Confirm)
}

pub(super) fn click(app: &mut App, row: u16) {
    if !matches!(app.mode, Mode::Normal) {
        return;
    }
    let start = app.window_start(app.view.page);
    if let Some(pos) = app.shown_at(start + u64::from(row)) {
        app.pin(pos);
    }
}
