//! The terminal itself: the guard that puts it back on every path, the
//! clipboard sequence, and the file that remembers sent messages.

use std::io::{self, Write as _};
use std::sync::Arc;

use base64::Engine as _;
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{self, EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute};
use tokio::sync::Notify;

use crate::app::RECALL_MAX;

/// The messages remembered in `file` (one JSON string per line), the newest
/// [`RECALL_MAX`]; a missing or unreadable file is an empty history.
pub fn load_recall(file: &std::path::Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(file) else {
        return Vec::new();
    };
    let all: Vec<String> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    all[all.len().saturating_sub(RECALL_MAX)..].to_vec()
}

/// Appends `text` to the recall file, creating its directory.
pub(super) fn remember(file: &std::path::Path, text: &str) -> io::Result<()> {
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let line = serde_json::to_string(text).map_err(io::Error::other)?;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)?;
    writeln!(f, "{line}")
}

/// The OSC 52 sequence that puts `bytes` on the clipboard; inside tmux it
/// is wrapped so tmux passes it on to the outer terminal.
pub fn osc52(bytes: &[u8], tmux: bool) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
    if tmux {
        format!("\x1bPtmux;\x1b\x1b]52;c;{b64}\x07\x1b\\")
    } else {
        format!("\x1b]52;c;{b64}\x07")
    }
}

type PanicHook = Box<dyn Fn(&std::panic::PanicHookInfo<'_>) + Send + Sync + 'static>;

/// Raw mode and the alternate screen for as long as it lives. Dropping it,
/// or a panic anywhere, puts the terminal back; the panic hook restores
/// first and then runs the previous hook, so the message lands on a usable
/// screen.
pub(crate) struct TerminalGuard {
    previous_hook: Option<Arc<PanicHook>>,
}

impl TerminalGuard {
    pub(crate) fn enter(panicked: Arc<Notify>, mouse: bool) -> io::Result<Self> {
        let previous: Arc<PanicHook> = Arc::new(std::panic::take_hook());
        let chained = Arc::clone(&previous);
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            chained(info);
            // A panic in another task leaves the loop running on a restored
            // terminal: tell it to stop.
            panicked.notify_one();
        }));
        // Built before touching the terminal, so a failure half-way through
        // is undone by its Drop.
        let guard = Self {
            previous_hook: Some(previous),
        };
        terminal::enable_raw_mode()?;
        execute!(
            io::stdout(),
            EnterAlternateScreen,
            cursor::Hide,
            EnableBracketedPaste
        )?;
        if mouse {
            execute!(io::stdout(), EnableMouseCapture)?;
        }
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
        // The hook cannot be changed while panicking; the process is on its
        // way out then anyway.
        if !std::thread::panicking()
            && let Some(previous) = self.previous_hook.take()
        {
            drop(std::panic::take_hook());
            std::panic::set_hook(Box::new(move |info| previous(info)));
        }
    }
}

/// Turns bracketed paste and mouse capture off, leaves raw mode and the
/// alternate screen and shows the cursor. Safe to call twice (the panic
/// hook and then the guard's Drop both do).
fn restore_terminal() {
    let _ = terminal::disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
}
