//! What the prompts' answers and the replay keys ask for: effects for the
//! player and the saver, or a notice.

use super::keys::Action;
use super::{App, Effect, Mode, PromptFor, ReplayControl};

/// What a prompt's answer asks for.
pub(super) fn answer(app: &mut App, purpose: PromptFor, text: &str) -> Vec<Effect> {
    match purpose {
        PromptFor::Save if text.is_empty() => {
            app.notice = Some("no file name: nothing was saved".into());
            Vec::new()
        }
        PromptFor::Save => vec![Effect::Save(text.into())],
        PromptFor::Goto => match crate::duration::parse_duration(text) {
            Ok(t) => vec![Effect::Replay(ReplayControl::Goto(t))],
            Err(e) => {
                app.notice = Some(format!("{e}; type a time like 1m30s or 90s"));
                Vec::new()
            }
        },
    }
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
            app.mode = Mode::Prompt {
                purpose: PromptFor::Goto,
                text: String::new(),
            };
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
