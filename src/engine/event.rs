//! Facts the engine reports (`EngineEvent`) and requests it accepts (`Command`).
//!
//! The event kinds mirror the headless JSON contract one to one, so the TUI and
//! the JSON writer see exactly the same stream.

use std::time::Duration;

use crate::engine::catalog;
use crate::engine::policy::{Class, Trigger};

/// Which way a frame travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// From the server to wsprobe.
    In,
    /// From wsprobe to the server.
    Out,
}

impl Dir {
    /// `in` or `out`, as the JSON contract spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Dir::In => "in",
            Dir::Out => "out",
        }
    }
}

/// The content of a data message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// A text frame: the exact text.
    Text(String),
    /// A binary frame: its full length and its leading bytes: at most
    /// [`BINARY_HEAD`] of them, or all of them when the engine was asked for
    /// whole payloads (`Settings::whole_binary`); see [`Payload::whole`].
    Binary { len: usize, head: Vec<u8> },
}

/// How many leading bytes of a binary message are kept.
pub const BINARY_HEAD: usize = 64;

impl Payload {
    /// Length of the message in bytes.
    pub fn len(&self) -> usize {
        match self {
            Payload::Text(t) => t.len(),
            Payload::Binary { len, .. } => *len,
        }
    }

    /// True for a zero-length message.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The whole payload of a binary message, when the event carries all of it.
    pub fn whole(&self) -> Option<&[u8]> {
        match self {
            Payload::Binary { len, head } if head.len() == *len => Some(head),
            _ => None,
        }
    }

    /// The first [`BINARY_HEAD`] bytes of a binary message (empty for text):
    /// what previews show, however much the event carries.
    pub fn preview(&self) -> &[u8] {
        match self {
            Payload::Binary { head, .. } => &head[..head.len().min(BINARY_HEAD)],
            Payload::Text(_) => &[],
        }
    }
}

/// Who started the closing of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Initiator {
    /// The server's Close frame came first.
    Server,
    /// wsprobe's Close frame came first (the user, or wsprobe failing the connection).
    Client,
    /// No Close frame at all: the transport ended or never came up.
    Local,
}

impl Initiator {
    /// `server`, `client` or `local`.
    pub fn as_str(self) -> &'static str {
        match self {
            Initiator::Server => "server",
            Initiator::Client => "client",
            Initiator::Local => "local",
        }
    }
}

/// The end of one connection attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseInfo {
    /// The code: as on the wire, or derived (1005, 1006, 1015), or the 1002
    /// wsprobe answered a forbidden code with.
    pub code: u16,
    /// The catalog name of `code`.
    pub name: String,
    /// The reason text sent with the code (untrusted, may be empty).
    pub reason: String,
    /// Who closed first.
    pub initiator: Initiator,
    /// True when the code travelled in a Close frame.
    pub wire: bool,
    /// True when a full close handshake happened.
    pub clean: bool,
    /// The forbidden code the server actually sent, when it sent one.
    pub received_code: Option<u16>,
    /// What the policy was given for this ending (`close 1006`, `http-503`, `user`).
    pub trigger: Trigger,
    /// The class the policy concluded (for a run the user ended: the class of `user`).
    pub class: Class,
}

impl CloseInfo {
    /// A close that no Close frame carried (1006 after a reset, 1015 after a
    /// TLS failure, …), ended by `trigger`. The class is filled in when the
    /// policy has decided.
    pub fn derived(code: u16, initiator: Initiator, trigger: Trigger) -> Self {
        Self {
            code,
            name: catalog::name_of(code).to_string(),
            reason: String::new(),
            initiator,
            wire: false,
            clean: false,
            received_code: None,
            trigger,
            class: Class::Done,
        }
    }

    /// True when the user (or `--duration`) ended the connection.
    pub fn by_user(&self) -> bool {
        self.trigger == Trigger::User
    }
}

/// The class of a failure, as the JSON contract names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// The host name did not resolve.
    Dns,
    /// Nothing accepted the TCP connection.
    Refused,
    /// The connection (or the whole handshake) took longer than allowed.
    Timeout,
    /// TLS could not be established.
    Tls,
    /// The server answered the upgrade with something other than 101.
    Http,
    /// The peer broke the WebSocket protocol.
    Protocol,
    /// A read or write on the socket failed.
    Io,
    /// Nothing was received for longer than the ping timeout.
    Liveness,
    /// A message was larger than the configured limit.
    Capacity,
    /// The proxy could not be reached or would not open the tunnel.
    Proxy,
}

impl ErrorClass {
    /// The contract spelling (`dns`, `refused`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::Dns => "dns",
            ErrorClass::Refused => "refused",
            ErrorClass::Timeout => "timeout",
            ErrorClass::Tls => "tls",
            ErrorClass::Http => "http",
            ErrorClass::Protocol => "protocol",
            ErrorClass::Io => "io",
            ErrorClass::Liveness => "liveness",
            ErrorClass::Capacity => "capacity",
            ErrorClass::Proxy => "proxy",
        }
    }
}

/// The HTTP answer to an upgrade that was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpReply {
    /// Status code, e.g. 503.
    pub status: u16,
    /// Reason phrase where known.
    pub reason: String,
    /// Response headers (secrets redacted).
    pub headers: Vec<(String, String)>,
    /// The start of the body, lossily decoded.
    pub body: String,
}

/// What TLS settled on and the certificate the server showed, as a
/// browser's security panel shows them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TlsInfo {
    /// The protocol version (`TLSv1.3`).
    pub version: String,
    /// The cipher suite (`TLS13_AES_256_GCM_SHA384`).
    pub cipher: String,
    /// The application protocol ALPN agreed on, if any.
    pub alpn: Option<String>,
    /// The peer certificate's subject (`CN=example.com, O=Example`).
    pub subject: String,
    /// Who issued it.
    pub issuer: String,
    /// Its subject alternative names (`DNS:example.com`, `IP:127.0.0.1`).
    pub sans: Vec<String>,
    /// Valid from (RFC 3339, UTC).
    pub not_before: String,
    /// Valid until (RFC 3339, UTC).
    pub not_after: String,
}

/// One kind of engine event (SPEC §2).
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    /// A connection attempt starts; `proxy` is the proxy it goes through
    /// (secrets redacted).
    Connecting {
        attempt: u32,
        url: String,
        proxy: Option<String>,
    },
    /// The upgrade succeeded.
    Open {
        attempt: u32,
        status: u16,
        subprotocol: Option<String>,
        handshake_ms: f64,
        headers: Vec<(String, String)>,
        insecure: bool,
        /// The request headers wsprobe sent (secrets redacted).
        request_headers: Vec<(String, String)>,
        /// The address that answered, with its port (the proxy's, through a proxy).
        peer: Option<String>,
        /// For wss: what TLS settled on and the server's certificate.
        tls: Option<Box<TlsInfo>>,
    },
    /// A data message.
    Message { dir: Dir, payload: Payload },
    /// A ping frame.
    Ping { dir: Dir, len: usize },
    /// A pong frame; `rtt_ms` when it answers our ping.
    Pong {
        dir: Dir,
        len: usize,
        rtt_ms: Option<f64>,
    },
    /// The attempt ended.
    Close(CloseInfo),
    /// Something went wrong; always explains a following `Close`.
    Error {
        class: ErrorClass,
        message: String,
        http: Option<HttpReply>,
        retry_after_ms: Option<u64>,
    },
    /// The policy decided to reconnect.
    Reconnect {
        attempt: u32,
        delay_ms: u64,
        window_ms: [u64; 2],
        due_t_ms: f64,
        rule: String,
    },
    /// The run ends: no further attempt.
    GiveUp { reason: String },
    /// Auto-reconnect was paused by the user (interactive only).
    Paused,
    /// Auto-reconnect resumed; `due_t_ms` is the new time of a pending attempt.
    Resumed { due_t_ms: Option<f64> },
}

impl EventKind {
    /// The `kind` string of the JSON contract.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Connecting { .. } => "connecting",
            EventKind::Open { .. } => "open",
            EventKind::Message { .. } => "message",
            EventKind::Ping { .. } => "ping",
            EventKind::Pong { .. } => "pong",
            EventKind::Close(_) => "close",
            EventKind::Error { .. } => "error",
            EventKind::Reconnect { .. } => "reconnect",
            EventKind::GiveUp { .. } => "give_up",
            EventKind::Paused => "paused",
            EventKind::Resumed { .. } => "resumed",
        }
    }
}

/// One event with its place in the run.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineEvent {
    /// 0, 1, 2, … in emission order.
    pub seq: u64,
    /// Time since the run started (monotonic clock).
    pub t: Duration,
    /// What happened.
    pub kind: EventKind,
}

impl EngineEvent {
    /// `t` in fractional milliseconds, as the JSON contract has it.
    pub fn t_ms(&self) -> f64 {
        self.t.as_secs_f64() * 1000.0
    }
}

/// Requests to the engine (from the TUI, or from signals in headless mode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Send a text message.
    SendText(String),
    /// Send a binary message.
    SendBinary(Vec<u8>),
    /// Send a ping now.
    Ping,
    /// Close the connection with this code and reason; no automatic reconnect follows.
    Close { code: u16, reason: String },
    /// Drop any wait and connect now.
    ReconnectNow,
    /// Stop or resume automatic reconnects.
    SetPaused(bool),
    /// Close (if open) with `code` and end the run.
    Quit { code: u16 },
}
