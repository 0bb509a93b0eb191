//! What the save and replay prompts' answers and the replay keys ask for:
//! effects for the player and the saver, or a notice.

use super::inputs::MAX_PROMPT_BYTES;
use super::keys::Action;
use super::{App, Editor, Effect, Mode, Prompt, Purpose, ReplayControl};

/// What a save or go-to prompt's answer asks for.
pub(super) fn answer(app: &mut App, purpose: &Purpose, text: &str) -> Vec<Effect> {
    match purpose {
        Purpose::Save if text.is_empty() => {
            app.notice = Some("no file name: nothing was saved".into());
            Vec::new()
        }
        Purpose::Save => vec![Effect::Save(text.into())],
        Purpose::Goto => match crate::duration::parse_duration(text) {
            Ok(t) => vec![Effect::Replay(ReplayControl::Goto(t))],
            Err(e) => {
                app.notice = Some(format!("{e}; type a time like 1m30s or 90s"));
                Vec::new()
            }
        },
        Purpose::Filter | Purpose::Write(_) => Vec::new(),
    }
}

/// A one-line prompt for `purpose`, starting with `text`.
pub(super) fn ask(purpose: Purpose, text: &str) -> Mode {
    Mode::Prompt(Prompt {
        purpose,
        editor: Editor::with_text(text, MAX_PROMPT_BYTES),
        back: Box::new(Mode::Normal),
    })
}

/// The replay keys; `None` for every other action.
pub(super) fn replay_keys(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    app.replay.as_ref()?;
    let control = match action {
        Action::TogglePlay => ReplayControl::TogglePlay,
        Action::Step => ReplayControl::Step,
        Action::NextClose => ReplayControl::NextClose,
        Action::PreviousClose => ReplayControl::PreviousClose,
        Action::Goto => {
            app.mode = ask(Purpose::Goto, "");
            return Some(Vec::new());
        }
        Action::Reconnect | Action::TogglePause | Action::OpenPicker | Action::OpenComposer => {
            app.notice = Some("a replay sends nothing: r, p, c and i work in a live run".into());
            return Some(Vec::new());
        }
        Action::Quit => return Some(vec![Effect::Quit]),
        _ => return None,
    };
    Some(vec![Effect::Replay(control)])
}
