//! What has the keyboard, and the state of each input: the composer, the
//! close picker, the prompts.

use super::Explained;
use super::editor::Editor;
use super::viewer::Viewer;

/// How times are shown in the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    /// Run time since the start, `mm:ss.mmm`.
    #[default]
    Relative,
    /// Wall-clock time (UTC), `hh:mm:ss.mmm`.
    Wall,
}

/// How the composer reads what is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Input {
    /// A text message.
    #[default]
    Text,
    /// A binary message written in hex (spaces allowed).
    Hex,
    /// A binary message written in base64.
    Base64,
}

/// The composer's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composer {
    /// The text typed.
    pub editor: Editor,
    /// Text, or binary written as hex or base64.
    pub input: Input,
    /// Which earlier message ↑ recalled (index into `App::recall`).
    pub recall: Option<usize>,
    /// What was typed before recalling, restored by ↓ past the newest.
    pub draft: String,
}

/// The close picker's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    /// Index into [`CLOSE_CODES`].
    pub index: usize,
    /// The reason typed so far.
    pub reason: Editor,
    /// A code typed by hand (Tab switches to it); it beats the list.
    pub code: Editor,
    /// Typing goes to the code rather than the reason.
    pub on_code: bool,
}

/// What a one-line prompt asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Purpose {
    /// A filter for the timeline (`/`).
    Filter,
    /// A file to write these bytes to (`w`).
    Write(Vec<u8>),
    /// A file to save the history to as a recording (`s`).
    Save,
    /// A run time to go to in a replay (`g`).
    Goto,
}

/// A one-line prompt.
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    /// What it asks for.
    pub purpose: Purpose,
    /// What is typed.
    pub editor: Editor,
    /// The mode to go back to.
    pub back: Box<Mode>,
}

/// What has the keyboard.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// The main screen.
    Normal,
    /// The help overlay, scrolled by `scroll` rows.
    Help {
        /// The first row shown.
        scroll: u16,
    },
    /// Choosing a close code and typing a reason.
    Picker(Picker),
    /// Typing a message.
    Composer(Composer),
    /// The full-screen catalog view of one code.
    Explain {
        /// What is explained.
        shown: Explained,
        /// The first row shown.
        scroll: u16,
    },
    /// One event full screen.
    Viewer(Box<Viewer>),
    /// A one-line prompt (filter, file name).
    Prompt(Prompt),
    /// One row per connection attempt, and the totals.
    Connections {
        /// The selected row (index into `App::attempts.rows`).
        selected: usize,
    },
}
