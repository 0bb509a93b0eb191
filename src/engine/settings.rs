//! Everything the engine needs for a run, already validated by the caller.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use crate::engine::auth::Credentials;
use crate::engine::policy::Policy;

/// The read buffer a connection starts with unless told otherwise: room
/// for a flood of messages per read.
pub const READ_BUFFER: usize = 128 * 1024;

/// Everything the engine needs to run, already validated.
#[derive(Debug, Clone)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent switches from the command line"
)]
pub struct Settings {
    /// The ws:// or wss:// URL.
    pub url: Url,
    /// Extra request headers.
    pub headers: Vec<(String, String)>,
    /// Subprotocols offered.
    pub protocols: Vec<String>,
    /// Origin header.
    pub origin: Option<String>,
    /// Limit for one whole attempt (DNS, TCP, TLS, upgrade).
    pub connect_timeout: Duration,
    /// Largest message accepted.
    pub max_message_size: usize,
    /// Skip TLS verification.
    pub insecure: bool,
    /// Extra CA certificate (PEM).
    pub cacert: Option<PathBuf>,
    /// Texts sent after each open.
    pub send: Vec<String>,
    /// Binary messages sent after each open, after the texts.
    pub send_binary: Vec<Vec<u8>>,
    /// Keep the whole payload of binary messages in events (recordings,
    /// `--payload full`); otherwise only the first [`BINARY_HEAD`] bytes,
    /// so a flood of large frames stays cheap.
    ///
    /// [`BINARY_HEAD`]: crate::engine::event::BINARY_HEAD
    pub whole_binary: bool,
    /// The close code sent when `duration` ends the run while connected
    /// (validated by the caller: a code that may be sent).
    pub close_code: u16,
    /// The reason sent with `close_code` (at most 123 bytes).
    pub close_reason: String,
    /// The reconnect policy (also holds ping interval and timeout).
    pub policy: Policy,
    /// Total attempts allowed.
    pub max_attempts: Option<u32>,
    /// Never reconnect automatically.
    pub no_reconnect: bool,
    /// End the run after this long.
    pub duration: Option<Duration>,
    /// Jitter seed; the engine draws one when it is `None` (callers that
    /// must tell the seed, like recordings, draw it themselves and set it).
    pub seed: Option<u64>,
    /// Show secrets instead of redacting them.
    pub show_secrets: bool,
    /// Stay alive after `give_up` and wait for commands (the TUI), instead of ending the run.
    pub interactive: bool,
    /// The read buffer of an open connection (bytes). Many connections at
    /// once want it small; one connection reading a flood wants it large.
    pub read_buffer_size: usize,
    /// The proxy to go through (`http://`, `https://`, `socks5://`,
    /// `socks5h://`), already chosen from the flags and the environment.
    pub proxy: Option<Url>,
    /// Basic credentials (`-u`); they win over the URL's `user:password`.
    pub user: Option<Credentials>,
    /// Cookies (`-b`, each `name=value; …`), sent joined in one Cookie header.
    pub cookies: Vec<String>,
    /// A client certificate chain (PEM) for mutual TLS.
    pub cert: Option<PathBuf>,
    /// The client certificate's private key (PEM: PKCS#8, PKCS#1 or SEC1).
    pub key: Option<PathBuf>,
    /// Addresses used instead of DNS for these host names (as curl's
    /// `--resolve` does), in the order given.
    pub resolve: Vec<(String, Vec<IpAddr>)>,
}

impl Settings {
    /// Defaults for `url` (handy for tests and the demo).
    pub fn new(url: Url) -> Self {
        Self {
            url,
            headers: Vec::new(),
            protocols: Vec::new(),
            origin: None,
            connect_timeout: Duration::from_secs(10),
            max_message_size: 64 << 20,
            insecure: false,
            cacert: None,
            send: Vec::new(),
            send_binary: Vec::new(),
            whole_binary: false,
            close_code: 1000,
            close_reason: String::new(),
            policy: Policy::default(),
            max_attempts: None,
            no_reconnect: false,
            duration: None,
            seed: None,
            show_secrets: false,
            interactive: false,
            read_buffer_size: READ_BUFFER,
            proxy: None,
            user: None,
            cookies: Vec::new(),
            cert: None,
            key: None,
            resolve: Vec::new(),
        }
    }
}
