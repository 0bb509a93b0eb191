//! The inputs: the composer (text or binary, recall), the close picker
//! (a listed or a typed code, and a reason) and the one-line prompts.

use base64::Engine as _;

use super::keys::Action;
use super::state::{CLOSE_CODES, MAX_REASON_BYTES, Phase};
use super::update::closing;
use super::{
    App, Composer, Edit, Editor, Effect, Filter, Input, Mode, Picker, Prompt, Purpose, RECALL_MAX,
};
use crate::engine::catalog::{self, OnWire};
use crate::engine::event::Command;

/// Longest text the composer accepts: a guard against a stuck key, not a
/// protocol limit.
pub const MAX_COMPOSE_BYTES: usize = 64 * 1024;

/// Longest answer to a prompt.
pub const MAX_PROMPT_BYTES: usize = 4096;

pub(super) fn new_composer() -> Composer {
    Composer {
        editor: Editor::new(MAX_COMPOSE_BYTES),
        input: Input::Text,
        recall: None,
        draft: String::new(),
    }
}

pub(super) fn new_picker() -> Picker {
    Picker {
        index: 0,
        reason: Editor::new(MAX_REASON_BYTES),
        code: Editor::new(5),
        on_code: false,
    }
}

pub(super) fn composer(app: &mut App, mut c: Composer, action: Action) -> Vec<Effect> {
    match action {
        Action::Back => return Vec::new(),
        Action::Edit(edit) => c.editor.apply(edit),
        Action::Up if !c.editor.up() && !app.recall.is_empty() => {
            let i = c
                .recall
                .map_or(app.recall.len() - 1, |i| i.saturating_sub(1));
            if c.recall.is_none() {
                c.draft.clone_from(&c.editor.text);
            }
            c.recall = Some(i);
            c.editor.set(&app.recall[i]);
        }
        Action::Down => {
            if !c.editor.down()
                && let Some(i) = c.recall
            {
                if let Some(next) = app.recall.get(i + 1) {
                    c.recall = Some(i + 1);
                    c.editor.set(next);
                } else {
                    c.recall = None;
                    let draft = std::mem::take(&mut c.draft);
                    c.editor.set(&draft);
                }
            }
        }
        Action::Switch => {
            c.input = match c.input {
                Input::Text => Input::Hex,
                Input::Hex => Input::Base64,
                Input::Base64 => Input::Text,
            };
        }
        Action::Confirm => {
            if app.conn.phase != Phase::Open {
                // Keep the text: the composer stays open until a
                // connection can take it.
                app.notice = Some("not connected: the message was not sent; Esc cancels".into());
                app.mode = Mode::Composer(c);
                return Vec::new();
            }
            let command = match c.input {
                Input::Text => Command::SendText(c.editor.text.clone()),
                Input::Hex => match decode_hex(&c.editor.text) {
                    Ok(bytes) => Command::SendBinary(bytes),
                    Err(e) => return refuse(app, c, e),
                },
                Input::Base64 => {
                    let clean: String = c.editor.text.split_whitespace().collect();
                    match base64::engine::general_purpose::STANDARD.decode(clean) {
                        Ok(bytes) => Command::SendBinary(bytes),
                        Err(e) => return refuse(app, c, format!("not base64: {e}")),
                    }
                }
            };
            let mut effects = vec![Effect::Send(command)];
            // Only what the user typed is remembered, exactly as typed.
            let text = c.editor.text;
            if c.input == Input::Text && !text.is_empty() && app.recall.last() != Some(&text) {
                app.recall.push(text.clone());
                if app.recall.len() > RECALL_MAX {
                    app.recall.remove(0);
                }
                effects.push(Effect::Remember(text));
            }
            return effects;
        }
        _ => {}
    }
    app.mode = Mode::Composer(c);
    Vec::new()
}

fn refuse(app: &mut App, c: Composer, why: String) -> Vec<Effect> {
    app.notice = Some(why);
    app.mode = Mode::Composer(c);
    Vec::new()
}

/// Hex digits, with any whitespace between bytes.
fn decode_hex(text: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if digits.len() % 2 == 1 {
        return Err("hex needs two digits per byte".into());
    }
    digits
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|s| u8::from_str_radix(s, 16).ok())
                .ok_or_else(|| format!("not hex: {}", String::from_utf8_lossy(pair)))
        })
        .collect()
}

pub(super) fn picker(app: &mut App, mut p: Picker, action: Action) -> Vec<Effect> {
    match action {
        Action::Back => return Vec::new(),
        Action::Up => {
            p.index = p.index.checked_sub(1).unwrap_or(CLOSE_CODES.len() - 1);
            p.code.set("");
        }
        Action::Down => {
            p.index = (p.index + 1) % CLOSE_CODES.len();
            p.code.set("");
        }
        Action::Switch => p.on_code = !p.on_code,
        Action::Edit(edit) if p.on_code => match edit {
            Edit::Insert(c) if !c.is_ascii_digit() => {}
            edit => p.code.apply(edit),
        },
        Action::Edit(edit) => p.reason.apply(edit),
        Action::Confirm => {
            let code = if p.code.text.is_empty() {
                CLOSE_CODES[p.index.min(CLOSE_CODES.len() - 1)]
            } else {
                let Ok(code) = p.code.text.parse::<u16>() else {
                    app.notice = Some("a close code is a number from 0 to 65535".into());
                    app.mode = Mode::Picker(p);
                    return Vec::new();
                };
                code
            };
            if !catalog::may_be_sent(code) {
                app.notice = Some(refusal(code));
                app.mode = Mode::Picker(p);
                return Vec::new();
            }
            // The engine can only close an open connection; say so
            // instead of dropping the request silently.
            if app.conn.phase != Phase::Open {
                app.notice = Some("not connected: nothing to close (r reconnects)".into());
                return Vec::new();
            }
            closing(app);
            return vec![Effect::Send(Command::Close {
                code,
                reason: p.reason.text,
            })];
        }
        _ => {}
    }
    app.mode = Mode::Picker(p);
    Vec::new()
}

/// Why `code` may not be sent, with its catalog name.
pub fn refusal(code: u16) -> String {
    let entry = catalog::lookup(code);
    let why = match entry.on_wire {
        OnWire::Never => "RFC 6455 keeps it for reporting a close locally; it never travels",
        OnWire::Reserved => "it is reserved and not assigned",
        OnWire::Invalid => "it is outside every valid range (1000–4999)",
        OnWire::Yes | OnWire::NotACode => "it is not valid in a Close frame",
    };
    format!("{code} ({}) must not be sent: {why}", entry.name)
}

pub(super) fn prompt(app: &mut App, mut p: Prompt, action: Action) -> Vec<Effect> {
    match action {
        Action::Back => {
            app.mode = *p.back;
            return Vec::new();
        }
        Action::Edit(edit) => p.editor.apply(edit),
        Action::Confirm => match &p.purpose {
            Purpose::Filter => {
                let query = p.editor.text.trim();
                if query.is_empty() {
                    app.set_filter(None);
                } else {
                    match Filter::new(query) {
                        Ok(filter) => app.set_filter(Some(filter)),
                        Err(e) => {
                            app.notice = Some(e);
                            app.mode = Mode::Prompt(p);
                            return Vec::new();
                        }
                    }
                }
                app.mode = *p.back;
                return Vec::new();
            }
            Purpose::Save | Purpose::Goto => {
                let text = p.editor.text.trim().to_owned();
                app.mode = *p.back;
                return super::prompts::answer(app, &p.purpose, &text);
            }
            Purpose::Write(_) => {
                let path = p.editor.text.trim().to_owned();
                if path.is_empty() {
                    app.notice = Some("type a file name, or Esc".into());
                    app.mode = Mode::Prompt(p);
                    return Vec::new();
                }
                let Purpose::Write(bytes) = p.purpose else {
                    return Vec::new();
                };
                app.mode = *p.back;
                return vec![Effect::Write { path, bytes }];
            }
        },
        _ => {}
    }
    app.mode = Mode::Prompt(p);
    Vec::new()
}
