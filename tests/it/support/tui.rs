//! Builds TUI states by feeding engine events through `update`, and renders
//! them on a test backend. Shared by the snapshot tests and the benchmarks.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use wsprobe::app::{App, Msg, update};
use wsprobe::engine::event::{
    CloseInfo, Dir, EngineEvent, ErrorClass, EventKind, HttpReply, Initiator, Payload,
};
use wsprobe::engine::policy::{Policy, Trigger};
use wsprobe::theme::Theme;
use wsprobe::ui;

/// A state under construction, with its own clock.
pub struct Script {
    pub app: App,
    pub base: Instant,
    seq: u64,
    /// Run time of the last event, in ms.
    pub last_ms: u64,
}

impl Script {
    pub fn new() -> Self {
        Self::with_history(wsprobe::app::DEFAULT_HISTORY)
    }

    pub fn with_history(history: usize) -> Self {
        Self {
            app: App::new(history, 4),
            base: Instant::now(),
            seq: 0,
            last_ms: 0,
        }
    }

    pub fn at(&self, ms: u64) -> Instant {
        self.base + Duration::from_millis(ms)
    }

    pub fn ev(&mut self, ms: u64, kind: EventKind) -> &mut Self {
        let event = EngineEvent {
            seq: self.seq,
            t: Duration::from_millis(ms),
            kind,
        };
        self.seq += 1;
        self.last_ms = ms;
        let now = self.at(ms);
        update(&mut self.app, Msg::Engine(event), now);
        self
    }

    pub fn key(&mut self, code: KeyCode) -> &mut Self {
        let now = self.at(self.last_ms);
        update(
            &mut self.app,
            Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)),
            now,
        );
        self
    }

    pub fn typed(&mut self, text: &str) -> &mut Self {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
        self
    }

    pub fn key_mod(&mut self, code: KeyCode, mods: KeyModifiers) -> &mut Self {
        let now = self.at(self.last_ms);
        update(&mut self.app, Msg::Key(KeyEvent::new(code, mods)), now);
        self
    }

    pub fn paste(&mut self, text: &str) -> &mut Self {
        let now = self.at(self.last_ms);
        update(&mut self.app, Msg::Paste(text.into()), now);
        self
    }

    /// The screen's size, as the event loop reports it: the app learns the
    /// size and the timeline's rows.
    pub fn viewport(&mut self, width: u16, height: u16) -> &mut Self {
        let now = self.at(self.last_ms);
        update(&mut self.app, Msg::Screen { width, height }, now);
        let rows = ui::timeline_rows_for(Rect::new(0, 0, width, height), &self.app);
        update(&mut self.app, Msg::Viewport { rows }, now);
        self
    }
}

pub fn connecting(attempt: u32, url: &str) -> EventKind {
    EventKind::Connecting {
        attempt,
        url: url.into(),
        proxy: None,
    }
}

pub fn open(attempt: u32, subprotocol: Option<&str>, insecure: bool) -> EventKind {
    EventKind::Open {
        attempt,
        status: 101,
        subprotocol: subprotocol.map(Into::into),
        handshake_ms: 4.2,
        headers: vec![
            ("upgrade".into(), "websocket".into()),
            ("connection".into(), "Upgrade".into()),
            (
                "sec-websocket-accept".into(),
                "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".into(),
            ),
        ],
        insecure,
        request_headers: vec![],
        peer: None,
        tls: None,
    }
}

pub fn text(dir: Dir, s: &str) -> EventKind {
    EventKind::Message {
        dir,
        payload: Payload::Text(s.into()),
    }
}

pub fn binary(dir: Dir, bytes: &[u8]) -> EventKind {
    EventKind::Message {
        dir,
        payload: Payload::Binary {
            len: bytes.len(),
            head: bytes[..bytes.len().min(64)].to_vec(),
        },
    }
}

pub fn pong(rtt_ms: f64) -> EventKind {
    EventKind::Pong {
        dir: Dir::In,
        len: 0,
        rtt_ms: Some(rtt_ms),
    }
}

/// A close as the engine reports it: a client close is the user's, any
/// other ends by its code; the class is what the default policy concludes.
pub fn close(code: u16, name: &str, reason: &str, initiator: Initiator, wire: bool) -> EventKind {
    let trigger = if initiator == Initiator::Client {
        Trigger::User
    } else {
        Trigger::Code(code)
    };
    close_after(code, name, reason, initiator, wire, trigger)
}

/// A close the engine derived from `trigger` (a handshake failure, …).
pub fn close_after(
    code: u16,
    name: &str,
    reason: &str,
    initiator: Initiator,
    wire: bool,
    trigger: Trigger,
) -> EventKind {
    EventKind::Close(CloseInfo {
        code,
        name: name.into(),
        reason: reason.into(),
        initiator,
        wire,
        clean: wire,
        received_code: None,
        trigger,
        class: Policy::default().classify(trigger),
    })
}

pub fn reconnect(
    attempt: u32,
    delay_ms: u64,
    window_ms: [u64; 2],
    at_ms: u64,
    rule: &str,
) -> EventKind {
    EventKind::Reconnect {
        attempt,
        delay_ms,
        window_ms,
        due_t_ms: (at_ms + delay_ms) as f64,
        rule: rule.into(),
    }
}

pub fn http_503() -> EventKind {
    EventKind::Error {
        class: ErrorClass::Http,
        message: "the server answered 503 Service Unavailable instead of 101".into(),
        http: Some(HttpReply {
            status: 503,
            reason: "Service Unavailable".into(),
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("retry-after".into(), "2".into()),
                ("server".into(), "demo\x1b[31m".into()),
            ],
            body: "{\"error\":\"overloaded\",\"retry\":2}\nplease come back later".into(),
        }),
        retry_after_ms: Some(2000),
    }
}

pub const URL: &str = "wss://127.0.0.1:9443/cycle?token=[redacted]";

/// Opens attempt `attempt` at `ms` and exchanges some traffic for five seconds.
pub fn traffic(s: &mut Script, attempt: u32, ms: u64) {
    s.ev(ms, connecting(attempt, URL));
    s.ev(ms + 12, open(attempt, Some("chat.v2"), true));
    s.ev(
        ms + 30,
        text(Dir::Out, r#"{"op":"subscribe","channel":"ticks"}"#),
    );
    s.ev(
        ms + 45,
        text(Dir::In, r#"{"op":"subscribed","channel":"ticks","id":7}"#),
    );
    for i in 0..24u64 {
        let t = ms + 200 + i * 190;
        s.ev(
            t,
            text(
                Dir::In,
                &format!(
                    r#"{{"tick":{i},"price":{}.{:02}}}"#,
                    100 + i % 7,
                    i * 13 % 100
                ),
            ),
        );
        if i % 6 == 5 {
            s.ev(
                t + 5,
                EventKind::Ping {
                    dir: Dir::Out,
                    len: 4,
                },
            );
            s.ev(t + 9, pong(3.0 + (i % 5) as f64 * 1.7));
        }
    }
    s.ev(
        ms + 4800,
        binary(
            Dir::In,
            &[
                0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d,
            ],
        ),
    );
    s.ev(
        ms + 4850,
        text(
            Dir::In,
            "\x1b]0;pwned\x07\x1b[2Jhi \u{202e}olleh\u{202c} \u{9b}31m",
        ),
    );
}

/// Renders `app` at `now` on a `width`×`height` test terminal.
pub fn render(app: &App, theme: &Theme, now: Instant, width: u16, height: u16) -> Buffer {
    let mut terminal = match Terminal::new(TestBackend::new(width, height)) {
        Ok(t) => t,
        Err(e) => panic!("test backend: {e}"),
    };
    if let Err(e) = terminal.draw(|frame| ui::render(frame, app, theme, now)) {
        panic!("draw: {e}");
    }
    terminal.backend().buffer().clone()
}

/// The buffer's text, one line per row, trailing spaces trimmed.
pub fn text_of(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        for x in 0..area.width {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
