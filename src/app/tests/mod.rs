//! `update`: messages in, state and effects out — every engine event kind
//! (events.rs) and every key (keys.rs).

mod events;
mod keys;
mod new_keys;
mod replay;

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::engine::catalog;
use crate::engine::event::{
    CloseInfo, Command, Dir, EngineEvent, ErrorClass, EventKind, HttpReply, Initiator, Payload,
};
use crate::engine::policy::{Class, Policy, Trigger};

pub(super) struct Harness {
    pub(super) app: App,
    pub(super) base: Instant,
    seq: u64,
}

impl Harness {
    pub(super) fn new() -> Self {
        Self::with_history(1000)
    }

    pub(super) fn with_history(n: usize) -> Self {
        Self {
            app: App::new(n, 4),
            base: Instant::now(),
            seq: 0,
        }
    }

    pub(super) fn at(&self, ms: u64) -> Instant {
        self.base + Duration::from_millis(ms)
    }

    /// Feeds `kind` as if it happened at `ms` and was handled at once.
    pub(super) fn event(&mut self, ms: u64, kind: EventKind) -> Vec<Effect> {
        let event = EngineEvent {
            seq: self.seq,
            t: Duration::from_millis(ms),
            kind,
        };
        self.seq += 1;
        let now = self.at(ms);
        update(&mut self.app, Msg::Engine(event), now)
    }

    pub(super) fn key(&mut self, code: KeyCode) -> Vec<Effect> {
        self.key_mod(code, KeyModifiers::NONE)
    }

    pub(super) fn key_mod(&mut self, code: KeyCode, mods: KeyModifiers) -> Vec<Effect> {
        let now = self.base;
        update(&mut self.app, Msg::Key(KeyEvent::new(code, mods)), now)
    }

    pub(super) fn char(&mut self, c: char) -> Vec<Effect> {
        self.key(KeyCode::Char(c))
    }

    pub(super) fn open(&mut self, ms: u64) {
        self.event(ms, connecting(1));
        self.event(ms + 20, open(1));
    }

    pub(super) fn messages(&mut self, from_ms: u64, n: u64) {
        for i in 0..n {
            self.event(from_ms + i, text(Dir::In, &format!("m{i}")));
        }
    }
}

/// The composer's text, when it is open.
pub(super) fn composed(app: &App) -> Option<&str> {
    match &app.mode {
        Mode::Composer(c) => Some(c.editor.text.as_str()),
        _ => None,
    }
}

pub(super) fn connecting(attempt: u32) -> EventKind {
    EventKind::Connecting {
        attempt,
        url: "ws://127.0.0.1:9/ws".into(),
        proxy: None,
    }
}

pub(super) fn open(attempt: u32) -> EventKind {
    EventKind::Open {
        attempt,
        status: 101,
        subprotocol: Some("chat".into()),
        handshake_ms: 3.5,
        headers: vec![],
        insecure: true,
        request_headers: vec![],
        peer: None,
        tls: None,
    }
}

pub(super) fn text(dir: Dir, s: &str) -> EventKind {
    EventKind::Message {
        dir,
        payload: Payload::Text(s.into()),
    }
}

/// A close as the engine reports it: a client close is the user's, any
/// other ends by its code; the class is what the default policy concludes.
pub(super) fn close(code: u16, initiator: Initiator, wire: bool) -> EventKind {
    let trigger = if initiator == Initiator::Client {
        Trigger::User
    } else {
        Trigger::Code(code)
    };
    close_after(code, initiator, wire, trigger)
}

/// A close the engine derived from `trigger` (a handshake failure, …).
pub(super) fn close_after(
    code: u16,
    initiator: Initiator,
    wire: bool,
    trigger: Trigger,
) -> EventKind {
    EventKind::Close(CloseInfo {
        code,
        name: "x".into(),
        reason: String::new(),
        initiator,
        wire,
        clean: wire,
        received_code: None,
        trigger,
        class: Policy::default().classify(trigger),
    })
}

pub(super) fn reconnect(attempt: u32, delay_ms: u64, due_t_ms: f64) -> EventKind {
    EventKind::Reconnect {
        attempt,
        delay_ms,
        window_ms: [1000, 5000],
        due_t_ms,
        rule: "service restart: uniform 1s-5s".into(),
    }
}
