//! The subcommands' own arguments.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::values::{self, Hinted};
use super::{ConnectArgs, MetricsArgs, OutputArgs};
use crate::duration::Dur;
use crate::engine::policy::failure_names_help;

/// `wsprobe replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The recording: JSON lines from --record or --json.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Playing speed: a factor such as 1 or 10, or `max` [default: 1 in the
    /// TUI, max for --headless].
    #[arg(long, value_name = "1|10|max")]
    pub speed: Option<crate::replay::Speed>,

    /// Print one human-readable line per event, as `--headless` did live.
    #[arg(long, conflicts_with = "summary")]
    pub headless: bool,

    /// Print a table of the connection attempts and totals.
    #[arg(long)]
    pub summary: bool,

    /// Colour theme: a built-in name or a TOML file.
    #[arg(long, value_name = "NAME|FILE")]
    pub theme: Option<String>,

    /// How many events the TUI keeps [default: 100000].
    #[arg(long, value_name = "N")]
    pub history: Option<usize>,

    /// Times in the TUI: run time since the start, or the recorded
    /// wall-clock time (UTC); `C` switches [default: relative].
    #[arg(long, value_name = "wall|relative", value_parser = ["wall", "relative"])]
    pub clock: Option<String>,

    /// Do not capture the mouse (the terminal's own selection then works).
    #[arg(long)]
    pub no_mouse: bool,
}

/// `wsprobe export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The recording: JSON lines from --record or --json.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Write HAR 1.2 here, WebSocket messages as browser devtools write them.
    #[arg(long, value_name = "OUT", required = true)]
    pub har: PathBuf,
}

/// The end of `wsprobe explain --help`: examples, then every failure name
/// from the table the commands read.
pub(super) fn explain_help() -> String {
    format!(
        "\
Examples:
  wsprobe explain 1006            one code, with the policy's decision
  wsprobe explain 1001 1012       side by side: differences and when to use which
  wsprobe explain 4321            a code in a range explains the range
  wsprobe explain http-503 dns    handshake failures by name
Failure names:
{}",
        failure_names_help(2).trim_end()
    )
}

/// The end of `wsprobe policy simulate --help`: what a CODE may be (every
/// failure name from the table the commands read), then examples.
pub(super) fn simulate_help() -> String {
    format!(
        "\
Each CODE is what ends one attempt: a close code, or one of these failure names:
{}
The last one repeats for the remaining attempts.
Examples:
  wsprobe policy simulate 1006
  wsprobe policy simulate 1012 refused --seed 1
  wsprobe policy simulate http-503 --retry-after 20s
  wsprobe policy simulate 1011 --attempts 10 --json",
        failure_names_help(2).trim_end()
    )
}

/// `wsprobe watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The endpoint, as for a single run. Without it: the demo (500 clients against the
    /// built-in server's /deploy).
    pub url: Option<String>,

    /// How many clients (1 to 1000000) [default: 100; the demo: 500].
    #[arg(long, value_name = "N")]
    pub clients: Option<u32>,

    /// Spread the first connections evenly over this long [default: all at once].
    #[arg(long, value_name = "DUR")]
    pub ramp: Option<Dur>,

    /// With --json: a `summary` record this often, and one at the end [default: 1s].
    #[arg(long, value_name = "DUR")]
    pub summary_every: Option<Dur>,

    #[command(flatten)]
    pub connect: ConnectArgs,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub metrics: MetricsArgs,
}

/// `wsprobe explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Close codes (0–65535) or failure names (listed below).
    // Negative numbers reach `explain`, which says what is accepted, instead
    // of being taken for an unknown flag.
    #[arg(
        required = true,
        value_name = "CODE",
        allow_negative_numbers = true,
        value_parser = Hinted::new(values::trigger_names),
        hide_possible_values = true
    )]
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
    #[command(after_help = simulate_help())]
    Simulate(SimulateArgs),
}

/// `wsprobe policy simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// What ends each attempt, in order; the last repeats.
    #[arg(
        required = true,
        value_name = "CODE",
        value_parser = Hinted::new(values::trigger_names),
        hide_possible_values = true
    )]
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
  wscat -c 'ws://127.0.0.1:9001/close/1013?reason=busy'")]
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
