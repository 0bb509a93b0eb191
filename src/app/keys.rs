//! The key table: which key does what in which mode. The help overlay is
//! drawn from [`HELP`], so the keys and their docs cannot drift.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::{Edit, Mode};

/// What a key asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Close with 1000 and leave.
    Quit,
    /// Ctrl-C: close with 1001 (going away) and leave.
    Interrupt,
    /// Connect again now.
    Reconnect,
    /// Pause or resume automatic reconnects.
    TogglePause,
    /// Open the close-code picker.
    OpenPicker,
    /// Open the message composer.
    OpenComposer,
    /// Show the help overlay.
    ToggleHelp,
    /// Select the event (or row) above.
    Up,
    /// Select the event (or row) below.
    Down,
    /// Move a page up.
    PageUp,
    /// Move a page down.
    PageDown,
    /// Select the oldest event (or the top).
    Home,
    /// Follow the newest event (or the bottom).
    End,
    /// Follow the newest event.
    Follow,
    /// Open the selected event in the viewer.
    Open,
    /// Switch to the next theme.
    NextTheme,
    /// Open the catalog view of the selected code.
    Explain,
    /// Scroll the close panel down a row.
    PanelDown,
    /// Scroll the close panel up a row.
    PanelUp,
    /// Leave the overlay or input (or clear the filter).
    Back,
    /// Send what the picker or composer holds; answer a prompt.
    Confirm,
    /// Edit the text being typed.
    Edit(Edit),
    /// Filter the timeline.
    Filter,
    /// The next match of the filter.
    NextMatch,
    /// The previous match of the filter.
    PrevMatch,
    /// Hide or show pings and pongs.
    ToggleNoise,
    /// Copy the selected message (or the viewer's content) to the clipboard.
    Copy,
    /// Write the selected message (or the viewer's content) to a file.
    WriteFile,
    /// Switch between run time and wall-clock time.
    ToggleClock,
    /// Show or hide the connections view.
    Connections,
    /// The viewer's next format (raw, pretty, hex).
    Format,
    /// The composer's next input (text, hex, base64); the picker's other field.
    Switch,
    /// Save the history so far to a file (asks for its name).
    Save,
    /// Replay: pause or play on.
    TogglePlay,
    /// Replay: the next event only.
    Step,
    /// Replay: on to the next close.
    NextClose,
    /// Replay: back to the previous close.
    PreviousClose,
    /// Replay: go to a time (asks for it).
    Goto,
}

/// Every key, for the help overlay.
pub const HELP: [(&str, &str); 31] = [
    ("q", "quit (close 1000)"),
    ("r", "reconnect now"),
    ("p", "pause / resume auto-reconnect"),
    ("c", "close with a chosen or typed code"),
    ("i", "compose and send a message"),
    ("↑↓ j k", "select an event"),
    ("⏎", "open the selected event in the viewer"),
    ("/", "filter: text, kind, in/out; re:REGEX"),
    ("n N", "next / previous match"),
    ("h", "hide / show pings and pongs"),
    ("a", "connections: every attempt, totals"),
    ("y", "copy the message (OSC 52)"),
    ("w", "write the message to a file"),
    ("C", "clock: run time / wall (UTC)"),
    ("e", "explain the selected close code"),
    ("J K", "scroll the close panel"),
    ("f", "follow the newest event"),
    ("t", "next theme"),
    ("s", "save the events so far as a recording"),
    ("?", "this help"),
    ("PgUp PgDn", "scroll a page"),
    ("Home End", "oldest event / follow the newest"),
    ("G", "same as End"),
    ("Esc", "clear the filter, or leave an overlay"),
    ("Ctrl-C", "close with 1001 (going away) and quit"),
    (
        "mouse",
        "wheel scrolls (the close panel too), a click selects",
    ),
    ("viewer", "v raw/pretty/hex, ↑↓ PgUp PgDn scroll"),
    ("composer", "⏎ send, Alt-⏎ new line, ↑↓ recall"),
    ("", "Tab text/hex/base64, Ctrl-A E U K W"),
    ("picker", "↑↓ pick, Tab type a code, ⏎ close"),
    ("paste", "text only; ignored outside inputs"),
];

/// The replay's own keys, for the help overlay.
pub const REPLAY_HELP: [(&str, &str); 5] = [
    ("space", "pause / play"),
    (".", "step to the next event"),
    ("] [", "next / previous close"),
    ("g", "go to a time (1m30s)"),
    ("r p c i", "not in a replay: nothing is sent"),
];

/// [`action`] while a recording plays: the replay keys come first, and `g`
/// asks for a time instead of going to the oldest event.
pub fn replay_action(mode: &Mode, key: KeyEvent) -> Option<Action> {
    let plain = key.kind == KeyEventKind::Press
        && !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SUPER);
    if plain && matches!(mode, Mode::Normal) {
        match key.code {
            KeyCode::Char(' ') => return Some(Action::TogglePlay),
            KeyCode::Char('.') => return Some(Action::Step),
            KeyCode::Char(']') => return Some(Action::NextClose),
            KeyCode::Char('[') => return Some(Action::PreviousClose),
            KeyCode::Char('g') => return Some(Action::Goto),
            _ => {}
        }
    }
    action(mode, key)
}

/// The action `key` stands for in `mode`, if any. Only presses count:
/// terminals that report releases and repeats would otherwise act twice.
pub fn action(mode: &Mode, key: KeyEvent) -> Option<Action> {
    if key.kind != KeyEventKind::Press {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && key.code == KeyCode::Char('c') {
        return Some(Action::Interrupt);
    }
    // Chords are not our keys: Alt-q (also what ESC then q can read as)
    // must not quit.
    let chord = key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SUPER);
    match mode {
        Mode::Normal => normal(key.code, chord),
        Mode::Help { .. } | Mode::Explain { .. } => scroll(key.code, chord).or(match key.code {
            KeyCode::Esc | KeyCode::Char('?' | 'q' | 'e') | KeyCode::Enter => Some(Action::Back),
            _ => None,
        }),
        Mode::Viewer(_) => scroll(key.code, chord).or(match key.code {
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Enter => Some(Action::Back),
            KeyCode::Char('v') if !chord => Some(Action::Format),
            KeyCode::Char('y') if !chord => Some(Action::Copy),
            KeyCode::Char('w') if !chord => Some(Action::WriteFile),
            _ => None,
        }),
        Mode::Connections { .. } => scroll(key.code, chord).or(match key.code {
            KeyCode::Esc | KeyCode::Char('q' | 'a') => Some(Action::Back),
            KeyCode::Enter => Some(Action::Confirm),
            _ => None,
        }),
        Mode::Picker(_) | Mode::Composer(_) | Mode::Prompt(_) => input(key, mode),
    }
}

fn scroll(code: KeyCode, chord: bool) -> Option<Action> {
    if chord {
        return None;
    }
    Some(match code {
        KeyCode::Up | KeyCode::Char('k') => Action::Up,
        KeyCode::Down | KeyCode::Char('j') => Action::Down,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::PageDown => Action::PageDown,
        KeyCode::Home => Action::Home,
        KeyCode::End | KeyCode::Char('G') => Action::End,
        _ => return None,
    })
}

fn normal(code: KeyCode, chord: bool) -> Option<Action> {
    if chord {
        return None;
    }
    Some(match code {
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Char('r') => Action::Reconnect,
        KeyCode::Char('p') => Action::TogglePause,
        KeyCode::Char('c') => Action::OpenPicker,
        KeyCode::Char('i') => Action::OpenComposer,
        KeyCode::Char('?') => Action::ToggleHelp,
        KeyCode::Up | KeyCode::Char('k') => Action::Up,
        KeyCode::Down | KeyCode::Char('j') => Action::Down,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::PageDown => Action::PageDown,
        KeyCode::Home | KeyCode::Char('g') => Action::Home,
        KeyCode::End | KeyCode::Char('G') => Action::End,
        KeyCode::Char('f') => Action::Follow,
        KeyCode::Enter => Action::Open,
        KeyCode::Char('t') => Action::NextTheme,
        KeyCode::Char('e') => Action::Explain,
        KeyCode::Char('J') => Action::PanelDown,
        KeyCode::Char('K') => Action::PanelUp,
        KeyCode::Char('/') => Action::Filter,
        KeyCode::Char('n') => Action::NextMatch,
        KeyCode::Char('N') => Action::PrevMatch,
        KeyCode::Char('h') => Action::ToggleNoise,
        KeyCode::Char('y') => Action::Copy,
        KeyCode::Char('w') => Action::WriteFile,
        KeyCode::Char('C') => Action::ToggleClock,
        KeyCode::Char('s') => Action::Save,
        KeyCode::Char('a') => Action::Connections,
        KeyCode::Esc => Action::Back,
        _ => return None,
    })
}

/// Keys while typing: a line editor's.
fn input(key: KeyEvent, mode: &Mode) -> Option<Action> {
    let m = key.modifiers;
    let ctrl = m.contains(KeyModifiers::CONTROL);
    let alt = m.contains(KeyModifiers::ALT);
    let chord = m.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SUPER);
    let composing = matches!(mode, Mode::Composer(_));
    let edit = |e| Some(Action::Edit(e));
    match key.code {
        KeyCode::Esc => Some(Action::Back),
        KeyCode::Enter if alt && composing => edit(Edit::Newline),
        KeyCode::Enter => Some(Action::Confirm),
        KeyCode::Tab if !matches!(mode, Mode::Prompt(_)) => Some(Action::Switch),
        KeyCode::Up => Some(Action::Up),
        KeyCode::Down => Some(Action::Down),
        KeyCode::Left if alt || ctrl => edit(Edit::WordLeft),
        KeyCode::Right if alt || ctrl => edit(Edit::WordRight),
        KeyCode::Left => edit(Edit::Left),
        KeyCode::Right => edit(Edit::Right),
        KeyCode::Home => edit(Edit::Home),
        KeyCode::End => edit(Edit::End),
        KeyCode::Backspace if alt || ctrl => edit(Edit::DeleteWord),
        KeyCode::Backspace => edit(Edit::Backspace),
        KeyCode::Delete => edit(Edit::Delete),
        KeyCode::Char(c) if ctrl => match c {
            'a' => edit(Edit::Home),
            'e' => edit(Edit::End),
            'u' => edit(Edit::KillToStart),
            'k' => edit(Edit::KillToEnd),
            'w' => edit(Edit::DeleteWord),
            _ => None,
        },
        KeyCode::Char('b') if alt => edit(Edit::WordLeft),
        KeyCode::Char('f') if alt => edit(Edit::WordRight),
        // Other chords are not text; without this Alt-x would type an `x`.
        KeyCode::Char(c) if !chord => edit(Edit::Insert(c)),
        _ => None,
    }
}
