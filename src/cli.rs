//! The command line (clap derive). Options a config or policy file can also
//! set are `Option<T>`, so "not given" and "default" stay different; the
//! merge with the environment and the files is in [`crate::config`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::duration::Dur;

mod commands;
pub mod docs;
mod general;
pub mod traps;
pub mod values;

pub use general::{
    ColorWhen, CompletionsArgs, ConfigArgs, ConfigCommand, ConfigShowArgs, EndpointsArgs,
    GeneralArgs,
};

use commands::explain_help;
pub use commands::{
    CodesArgs, ExplainArgs, ExportArgs, PolicyCommand, ReplayArgs, ServeArgs, SimulateArgs,
    WatchArgs,
};
use values::Hinted;

const EXAMPLES: &str = "\
Examples:
  wsprobe                                  the TUI on the built-in demo server (no network needed)
  wsprobe wss://echo.example.com/ws        watch an endpoint live
  wsprobe example.com:8080/ws --json       one JSON event per line, for scripts
  wsprobe ws://localhost:9000 --headless --send '{\"op\":\"sub\"}'
  wsprobe explain 1006                     what a close code means and what to do
  wsprobe explain 1001 1012                compare two codes
  wsprobe policy simulate 1013 --seed 7    the reconnect schedule the policy gives
  wsprobe serve --port 9001                run the scenario server for your own client
  wsprobe @staging                         an endpoint saved in the config file
  wsprobe config show                      the effective settings and where each came from";

/// See what a WebSocket endpoint really does: a live timeline, every close
/// code explained, and the reconnect the policy applies next.
#[derive(Debug, Parser)]
#[command(
    name = "wsprobe",
    version,
    after_help = EXAMPLES,
    args_conflicts_with_subcommands = true,
    max_term_width = 100
)]
pub struct Cli {
    /// A subcommand; without one, wsprobe connects to URL (or to its demo server).
    #[command(subcommand)]
    pub command: Option<Command>,

    /// The endpoint: ws://, wss://, http:// (as ws://), https:// (as wss://),
    /// host[:port][/path] (as ws://), or @NAME for an endpoint saved in the
    /// config file. Without it: the built-in demo.
    pub url: Option<String>,

    #[command(flatten)]
    pub connect: ConnectArgs,

    #[command(flatten)]
    pub output: OutputArgs,

    /// Config file, verbosity and colour.
    #[command(flatten)]
    pub general: GeneralArgs,
    #[command(flatten)]
    pub metrics: MetricsArgs,
}

/// Prometheus metrics (single runs and `watch` alike).
#[derive(Debug, Clone, Default, Args)]
pub struct MetricsArgs {
    /// Serve Prometheus metrics at `http://ADDR/metrics`, e.g. 127.0.0.1:9464 (0.0.0.0:9464 for
    /// other machines).
    #[arg(long, value_name = "ADDR")]
    pub metrics: Option<String>,

    /// The `instance` label of every metric [default: the host name, else "wsprobe"].
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
}

/// How to connect and when to stop (TUI and headless alike).
#[derive(Debug, Clone, Default, Args)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each bool is an independent command-line flag"
)]
pub struct ConnectArgs {
    /// Extra request header, `Name: value` (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,

    /// Offer this subprotocol (repeatable), e.g. graphql-transport-ws.
    #[arg(long = "protocol", value_name = "NAME")]
    pub protocols: Vec<String>,

    /// Send this Origin header.
    #[arg(long, value_name = "ORIGIN")]
    pub origin: Option<String>,

    /// Give up on one attempt (DNS, TCP, TLS and upgrade together) after this long [default: 10s].
    #[arg(long, value_name = "DUR")]
    pub connect_timeout: Option<Dur>,

    /// Send a ping this often while open [default: 15s].
    #[arg(long, value_name = "DUR")]
    pub ping_interval: Option<Dur>,

    /// Declare the connection dead after this long with nothing received [default: 30s].
    #[arg(long, value_name = "DUR")]
    pub ping_timeout: Option<Dur>,

    /// Largest message accepted, in bytes; a larger one closes with 1009 [default: 64 MiB].
    #[arg(long, value_name = "BYTES")]
    pub max_message_size: Option<usize>,

    /// Do not verify TLS certificates (flagged in every output).
    #[arg(short = 'k', long)]
    pub insecure: bool,

    /// Trust this PEM CA certificate (in addition to the system and webpki roots).
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,

    /// Send this text after each open (repeatable, in order); `@FILE` sends
    /// the file's content as one message (`@@…` for a text starting with @).
    #[arg(long = "send", value_name = "TEXT|@FILE")]
    pub send: Vec<String>,

    /// Send this binary message after each open, after the texts (repeatable):
    /// hex digits, or `@FILE` for a file's bytes.
    #[arg(long = "send-binary", value_name = "HEX|@FILE")]
    pub send_binary: Vec<String>,

    /// Send each line read from standard input as a text message once a
    /// connection is open (headless; the TUI when stdin is a pipe).
    #[arg(long)]
    pub stdin: bool,

    /// The close code sent when --duration ends the run [default: 1000].
    #[arg(long, value_name = "CODE")]
    pub close_code: Option<u16>,

    /// The reason sent with that close (at most 123 bytes).
    #[arg(long, value_name = "TEXT")]
    pub close_reason: Option<String>,

    /// Reconnect policy file (TOML); see `wsprobe policy show`.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// Policy preset: no-jitter (no class draws jitter: each window's low end equals its
    /// high end, to show the herd), graphql-ws or discord (their application codes).
    #[arg(long, value_name = "NAME", value_parser = Hinted::new(values::preset_names), hide_possible_values = true)]
    pub preset: Option<String>,

    /// Make at most this many connection attempts in total, then stop.
    #[arg(long, value_name = "N")]
    pub max_attempts: Option<u32>,

    /// Never reconnect automatically.
    #[arg(long)]
    pub no_reconnect: bool,

    /// Treat a 1000 from the server as going away (reconnect) instead of done.
    #[arg(long)]
    pub reconnect_on_normal: bool,

    /// Stop after this long (closes with 1000 when connected).
    #[arg(long, value_name = "DUR")]
    pub duration: Option<Dur>,

    /// Seed the jitter so delays are reproducible.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Show Authorization, Cookie and token-like query values instead of redacting them.
    #[arg(long)]
    pub show_secrets: bool,

    /// Go through this proxy: http://, https://, socks5:// or socks5h://, with user:pass@
    /// if it wants credentials; '' for none [default: from `HTTPS_PROXY` (wss), `http_proxy`
    /// (ws) or `ALL_PROXY`, minus `NO_PROXY`, as curl reads them].
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,

    /// Ignore the `*_PROXY` and `NO_PROXY` environment variables.
    #[arg(long)]
    pub no_proxy: bool,

    /// HTTP Basic credentials; without :PASS the password is asked for on the terminal.
    #[arg(short = 'u', long = "user", value_name = "USER[:PASS]")]
    pub user: Option<String>,

    /// Send cookies, `name=value; …` (repeatable; all go in one Cookie header).
    #[arg(short = 'b', long = "cookie", value_name = "NAME=VALUE")]
    pub cookies: Vec<String>,

    /// Client certificate (PEM) for mutual TLS, with --key.
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,

    /// The private key of --cert (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,
}

/// Where and how events are shown.
#[derive(Debug, Clone, Default, Args)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each bool is an independent command-line flag"
)]
pub struct OutputArgs {
    /// Headless: one JSON event per line on stdout.
    #[arg(long, conflicts_with = "headless")]
    pub json: bool,

    /// Headless: one human-readable line per event on stdout.
    #[arg(long)]
    pub headless: bool,

    /// Colour theme: a built-in name (default, light, high-contrast, mono) or a TOML file.
    #[arg(long, value_name = "NAME|FILE", value_parser = Hinted::new(values::theme_names), hide_possible_values = true)]
    pub theme: Option<String>,

    /// List the available themes and exit.
    #[arg(long)]
    pub list_themes: bool,

    /// How many events the TUI keeps [default: 100000].
    #[arg(long, value_name = "N")]
    pub history: Option<usize>,

    /// Write logs here (TUI or headless; without it headless logs go to stderr).
    /// Filter with `RUST_LOG` [default: warn,wsprobe=debug].
    #[arg(long, value_name = "FILE")]
    pub log_file: Option<PathBuf>,

    /// Times in the TUI: run time since the start, or wall-clock time (UTC); `C` switches [default: relative].
    #[arg(long, value_name = "wall|relative", value_parser = ["wall", "relative"])]
    pub clock: Option<String>,

    /// Do not capture the mouse (the terminal's own selection then works; no wheel or clicks).
    #[arg(long)]
    pub no_mouse: bool,

    /// Record every event to FILE as JSON lines (the --json contract, whole
    /// binary payloads), in every mode; `wsprobe replay FILE` plays it back.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,

    /// How much of a binary message --json writes: `preview` (the first 64
    /// bytes as hex) or `full` (also the whole payload as base64).
    #[arg(long, value_name = "MODE", value_enum, hide_possible_values = true)]
    pub payload: Option<PayloadMode>,
}

/// How much of a binary message `--json` carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PayloadMode {
    /// The first 64 bytes, as `hex`.
    Preview,
    /// Also the whole payload, as `base64`.
    Full,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Explain close codes or handshake failures; two give a comparison.
    // With no code, show the help (exit 2) so the user sees what is accepted.
    #[command(arg_required_else_help = true, after_help = explain_help())]
    Explain(ExplainArgs),

    /// Print the table of every known code, range and handshake failure.
    Codes(CodesArgs),

    /// Show or simulate the reconnect policy.
    #[command(subcommand)]
    Policy(PolicyCommand),

    /// Run the scenario server alone, for your own clients.
    Serve(ServeArgs),

    /// Print a shell completion script (subcommands, flags, themes, presets, failure names).
    #[command(after_help = general::COMPLETIONS_HELP)]
    Completions(CompletionsArgs),

    /// Print the manual page (roff), every subcommand on one page.
    #[command(after_help = "Examples:\n  wsprobe man | man -l -\n  \
        wsprobe man > ~/.local/share/man/man1/wsprobe.1")]
    Man,

    /// The config file: its effective settings and its path.
    #[command(subcommand)]
    Config(ConfigCommand),

    /// List the endpoints saved in the config file (secrets redacted).
    #[command(after_help = "Examples:\n  wsprobe endpoints\n  wsprobe @staging --headless")]
    Endpoints(EndpointsArgs),
    /// Play a recording (made with --record or --json) back in the TUI, as
    /// human lines (--headless) or as a table of connections (--summary).
    #[command(after_help = "\
Keys (besides the live view's): space pause/play, . next event, ] next close,
[ previous close, g go to a time (1m30s), s save what is shown so far.
Examples:
  wsprobe replay run.jsonl
  wsprobe replay run.jsonl --speed 10
  wsprobe replay run.jsonl --headless | grep close
  wsprobe replay run.jsonl --summary")]
    Replay(ReplayArgs),

    /// Convert a recording into another format.
    #[command(after_help = "Example:\n  wsprobe export run.jsonl --har run.har")]
    Export(ExportArgs),
    /// Many clients at once: their states over time, the reconnect storm, what ended them,
    /// how fast they recovered.
    #[command(after_help = "\
Examples:
  wsprobe watch                                  the demo: 500 clients against the built-in /deploy
  wsprobe watch --preset no-jitter               the same without jitter: the thundering herd
  wsprobe watch wss://api.example.com/ws --clients 2000 --ramp 30s --seed 1
  wsprobe watch URL --clients 5000 --headless --metrics 0.0.0.0:9464 --instance $(hostname)
Keys: ↑/↓ pick a client, Enter opens its own timeline (Esc comes back), ←/→ earlier or later
mass close, q quits (every client closes with 1000), ? help.")]
    Watch(Box<WatchArgs>),
}
