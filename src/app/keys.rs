//! The key table: which key does what in which mode. The help overlay and the
//! footer are drawn from [`HELP`], so the keys and their docs cannot drift.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::Mode;

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
    /// Select the event above.
    Up,
    /// Select the event below.
    Down,
    /// Move a page up.
    PageUp,
    /// Move a page down.
    PageDown,
    /// Select the oldest event.
    Home,
    /// Follow the newest event.
    End,
    /// Follow the newest event.
    Follow,
    /// Expand or collapse the selected event.
    ToggleExpand,
    /// Switch to the next theme.
    NextTheme,
    /// Open the catalog view of the selected code.
    Explain,
    /// Leave the overlay or input (or collapse the selection).
    Back,
    /// Send what the picker or composer holds.
    Confirm,
    /// Type a character.
    Input(char),
    /// Delete the last character typed.
    Backspace,
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

/// Every key of the main screen, for the help overlay; the first entries,
/// in this order, make the footer.
pub const HELP: [(&str, &str); 18] = [
    ("q", "quit (close 1000)"),
    ("r", "reconnect now"),
    ("p", "pause / resume auto-reconnect"),
    ("c", "close with a chosen code"),
    ("i", "type and send a text message"),
    ("↑↓ j k", "select an event"),
    ("f", "follow the newest event"),
    ("⏎", "expand / collapse the selected event"),
    ("e", "explain the selected close code"),
    ("t", "next theme"),
    ("s", "save the events so far as a recording"),
    ("?", "this help"),
    ("PgUp PgDn", "scroll a page"),
    ("Home End", "oldest event / follow the newest"),
    ("g G", "same as Home / End"),
    ("Esc", "collapse, or leave an overlay"),
    ("Ctrl-C", "close with 1001 (going away) and quit"),
    (
        "in c / i",
        "↑↓ pick, type a reason or text, ⏎ send, Esc cancel",
    ),
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
    if plain && *mode == Mode::Normal {
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
        Mode::Help => match key.code {
            KeyCode::Esc | KeyCode::Char('?' | 'q') | KeyCode::Enter => Some(Action::Back),
            _ => None,
        },
        Mode::Explain(_) => match key.code {
            KeyCode::Esc | KeyCode::Char('e' | 'q') | KeyCode::Enter => Some(Action::Back),
            _ => None,
        },
        Mode::Picker { .. } | Mode::Composer { .. } | Mode::Prompt { .. } => {
            input(key.code, chord, mode)
        }
    }
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
        KeyCode::Enter => Action::ToggleExpand,
        KeyCode::Char('t') => Action::NextTheme,
        KeyCode::Char('e') => Action::Explain,
        KeyCode::Char('s') => Action::Save,
        KeyCode::Esc => Action::Back,
        _ => return None,
    })
}

fn input(code: KeyCode, chord: bool, mode: &Mode) -> Option<Action> {
    let picking = matches!(mode, Mode::Picker { .. });
    Some(match code {
        KeyCode::Esc => Action::Back,
        KeyCode::Enter => Action::Confirm,
        KeyCode::Backspace => Action::Backspace,
        KeyCode::Up if picking => Action::Up,
        KeyCode::Down if picking => Action::Down,
        // Chords are not text; without this Ctrl-U would type a `u`.
        KeyCode::Char(c) if !chord => Action::Input(c),
        _ => return None,
    })
}
