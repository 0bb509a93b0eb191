//! The command line (clap derive). Options a policy file can also set are
//! `Option<T>`, so "not given" and "default" stay different.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::duration::Dur;

const EXAMPLES: &str = "\
Examples:
  wsprobe                                  the TUI on the built-in demo server (no network needed)
  wsprobe wss://echo.example.com/ws        watch an endpoint live
  wsprobe example.com:8080/ws --json       one JSON event per line, for scripts
  wsprobe ws://localhost:9000 --headless --send '{\"op\":\"sub\"}'
  wsprobe explain 1006                     what a close code means and what to do
  wsprobe explain 1001 1012                compare two codes
  wsprobe policy simulate 1013 --seed 7    the reconnect schedule the policy gives
  wsprobe serve --port 9001                run the scenario server for your own client";

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
    /// or host[:port][/path] (as ws://). Without it: the built-in demo.
    pub url: Option<String>,

    #[command(flatten)]
    pub connect: ConnectArgs,

    #[command(flatten)]
    pub output: OutputArgs,
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
    #[arg(long)]
    pub insecure: bool,

    /// Trust this PEM CA certificate (in addition to the system and webpki roots).
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,

    /// Send this text after each open (repeatable, in order).
    #[arg(long = "send", value_name = "TEXT")]
    pub send: Vec<String>,

    /// Reconnect policy file (TOML); see `wsprobe policy show`.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,

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
    #[arg(long, value_name = "NAME|FILE")]
    pub theme: Option<String>,

    /// List the available themes and exit.
    #[arg(long)]
    pub list_themes: bool,

    /// How many events the TUI keeps [default: 100000].
    #[arg(long, value_name = "N")]
    pub history: Option<usize>,

    /// Write logs here (TUI mode; headless logs go to stderr). Filter with `RUST_LOG`.
    #[arg(long, value_name = "FILE")]
    pub log_file: Option<PathBuf>,

    /// Times in the TUI: run time since the start, or wall-clock time (UTC); `C` switches [default: relative].
    #[arg(long, value_name = "wall|relative", value_parser = ["wall", "relative"])]
    pub clock: Option<String>,

    /// Do not capture the mouse (the terminal's own selection then works; no wheel or clicks).
    #[arg(long)]
    pub no_mouse: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Explain close codes or handshake failures; two give a comparison.
    // With no code, show the help (exit 2) so the user sees what is accepted.
    #[command(
        arg_required_else_help = true,
        after_help = "\
Examples:
  wsprobe explain 1006            one code, with the policy's decision
  wsprobe explain 1001 1012       side by side: differences and when to use which
  wsprobe explain 4321            a code in a range explains the range
  wsprobe explain http-503 dns    handshake failures by name
Names: http-400 http-401 http-403 http-404 http-426 http-429 http-500 http-502 http-503
       dns refused timeout tls"
    )]
    Explain(ExplainArgs),

    /// Print the table of every known code, range and handshake failure.
    Codes(CodesArgs),

    /// Show or simulate the reconnect policy.
    #[command(subcommand)]
    Policy(PolicyCommand),

    /// Run the scenario server alone, for your own clients.
    Serve(ServeArgs),
}

/// `wsprobe explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Close codes (0–65535) or failure names (http-503, dns, refused, timeout, tls).
    // Negative numbers reach `explain`, which says what is accepted, instead
    // of being taken for an unknown flag.
    #[arg(required = true, value_name = "CODE", allow_negative_numbers = true)]
    pub codes: Vec<String>,

    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,

    /// Use this policy file for the decision shown.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
}

/// `wsprobe codes`.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  wsprobe codes --json | jq '.[] | select(.class == \"fatal\")'")]
pub struct CodesArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `wsprobe policy …`.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Print the effective policy as TOML, ready to copy and edit.
    #[command(
        after_help = "Example:\n  wsprobe policy show > policy.toml && wsprobe URL --policy policy.toml"
    )]
    Show {
        /// Start from this policy file.
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
    },
    /// Print the reconnect schedule the policy gives for what ends each attempt.
    #[command(after_help = "\
Each CODE is what ends one attempt: a close code, or a failure name (http-503, dns,
refused, timeout, tls, liveness). The last one repeats for the remaining attempts.
Examples:
  wsprobe policy simulate 1006
  wsprobe policy simulate 1012 refused --seed 1
  wsprobe policy simulate http-503 --retry-after 20s
  wsprobe policy simulate 1011 --attempts 10 --json")]
    Simulate(SimulateArgs),
}

/// `wsprobe policy simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// What ends each attempt, in order; the last repeats.
    #[arg(required = true, value_name = "CODE")]
    pub codes: Vec<String>,

    /// How many attempts to simulate.
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub attempts: u32,

    /// Seed for the jitter (same seed, same schedule).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// How long each connection stayed open before a close code ended it
    /// (with a frame received) [default: 0s, a failure every time].
    #[arg(long, value_name = "DUR")]
    pub uptime: Option<Dur>,

    /// The server's Retry-After on each failure.
    #[arg(long, value_name = "DUR")]
    pub retry_after: Option<Dur>,

    /// Use this policy file.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// Print one JSON object per attempt.
    #[arg(long)]
    pub json: bool,
}

/// `wsprobe serve`.
#[derive(Debug, Clone, Args)]
#[command(after_help = "\
Paths: /echo /normal /going-away /close/{code}?reason=TEXT&after=DUR /restart /overload
       /reject/{status} /drop /silent /flood?n=N&size=B /cycle
Examples:
  wsprobe serve --port 9001
  wscat -c ws://127.0.0.1:9001/close/1013?reason=busy")]
pub struct ServeArgs {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    pub port: u16,

    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,

    /// What `/` does: echo, normal, going-away, restart, overload, drop, silent, flood, cycle,
    /// or any path below without its slash (close/4000, reject/503).
    #[arg(long, default_value = "echo", value_name = "NAME")]
    pub scenario: String,

    /// How long `/restart` refuses connections.
    #[arg(long, default_value = "3s", value_name = "DUR")]
    pub restart_downtime: Dur,

    /// How long after `/overload` handshakes answer 503.
    #[arg(long, default_value = "5s", value_name = "DUR")]
    pub overload_window: Dur,

    /// The Retry-After sent with 503 and 429 answers.
    #[arg(long, default_value = "2s", value_name = "DUR")]
    pub retry_after: Dur,

    /// How long each echo phase of `/cycle` lasts.
    #[arg(long, default_value = "6s", value_name = "DUR")]
    pub phase: Dur,
}
