//! The flags and subcommands around connecting: which config file is read,
//! how much is said, colour, shell completions, the manual, `config` and
//! `endpoints`.

use std::path::PathBuf;

use clap::{ArgAction, Args, Subcommand, ValueEnum};

use super::ConnectArgs;
use super::values::{self, Hinted};

/// The end of `wsprobe completions --help`: where each script goes.
pub(super) const COMPLETIONS_HELP: &str = "\
Install (then start a new shell):
  bash        wsprobe completions bash > ~/.local/share/bash-completion/completions/wsprobe
  zsh         wsprobe completions zsh > ~/.zfunc/_wsprobe
              (and in ~/.zshrc, before compinit: fpath+=(~/.zfunc))
  fish        wsprobe completions fish > ~/.config/fish/completions/wsprobe.fish
  elvish      wsprobe completions elvish >> ~/.config/elvish/rc.elv
  powershell  wsprobe completions powershell >> $PROFILE";

/// Where settings come from, how much is said, and colour (the live modes).
#[derive(Debug, Clone, Default, Args)]
pub struct GeneralArgs {
    /// Which config file.
    #[command(flatten)]
    pub config: ConfigArgs,

    /// More log detail: -v wsprobe's debug lines, -vv trace (frames too); to --log-file,
    /// or stderr when headless. `RUST_LOG`, when set, wins.
    #[arg(short = 'v', long = "verbose", action = ArgAction::Count)]
    pub verbose: u8,

    /// Headless: print only errors and the final line.
    #[arg(short = 'q', long = "quiet")]
    pub quiet: bool,

    /// Colour: auto (`NO_COLOR`, `CLICOLOR_FORCE` and `COLORTERM` decide), always or never
    /// (attributes only) [default: auto].
    #[arg(long, value_name = "WHEN", value_enum, hide_possible_values = true)]
    pub color: Option<ColorWhen>,
}

/// Which config file is read.
#[derive(Debug, Clone, Default, Args)]
pub struct ConfigArgs {
    /// Read this config file instead of <config dir>/config.toml (also `WSPROBE_CONFIG`).
    #[arg(long = "config", value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Read no config file at all.
    #[arg(long)]
    pub no_config: bool,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ColorWhen {
    /// Colour on a terminal unless `NO_COLOR` is set (`CLICOLOR_FORCE` forces it).
    Auto,
    /// Always colour.
    Always,
    /// Never colour: bold, dim and reverse video only.
    Never,
}

impl ColorWhen {
    /// The name as written on the command line and in files.
    pub fn as_str(self) -> &'static str {
        match self {
            ColorWhen::Auto => "auto",
            ColorWhen::Always => "always",
            ColorWhen::Never => "never",
        }
    }
}

/// `wsprobe completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to write the script for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// `wsprobe config …`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective settings and where each came from (cli, env, endpoint, file, built-in).
    #[command(after_help = "\
Examples:
  wsprobe config show
  wsprobe config show @staging --ping-interval 5s
  WSPROBE_THEME=light wsprobe config show --no-config")]
    Show(Box<ConfigShowArgs>),
    /// Print the path of the config file that is read (whether it exists or not).
    #[command(after_help = "Example:\n  vi \"$(wsprobe config path)\"")]
    Path {
        /// Which config file.
        #[command(flatten)]
        config: ConfigArgs,
    },
}

/// `wsprobe config show`: the live command's settings, without connecting.
#[derive(Debug, Args)]
pub struct ConfigShowArgs {
    /// The endpoint whose settings to show: a URL or @NAME.
    pub url: Option<String>,

    /// The connection flags, as for connecting.
    #[command(flatten)]
    pub connect: ConnectArgs,

    /// Colour theme, as for connecting.
    #[arg(long, value_name = "NAME|FILE", value_parser = Hinted::new(values::theme_names), hide_possible_values = true)]
    pub theme: Option<String>,

    /// How many events the TUI keeps, as for connecting.
    #[arg(long, value_name = "N")]
    pub history: Option<usize>,

    /// Colour, as for connecting: auto, always or never.
    #[arg(long, value_name = "WHEN", value_enum, hide_possible_values = true)]
    pub color: Option<ColorWhen>,

    /// Times in the TUI, as for connecting: wall or relative.
    #[arg(long, value_name = "wall|relative", value_parser = ["wall", "relative"])]
    pub clock: Option<String>,

    /// No mouse capture, as for connecting.
    #[arg(long)]
    pub no_mouse: bool,

    /// Which config file.
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// `wsprobe endpoints`.
#[derive(Debug, Args)]
pub struct EndpointsArgs {
    /// Show header values and URL secrets instead of redacting them.
    #[arg(long)]
    pub show_secrets: bool,

    /// Which config file.
    #[command(flatten)]
    pub config: ConfigArgs,
}
