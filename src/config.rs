//! Turns the command line (and the policy file it names) into validated
//! engine [`Settings`]. Precedence: flags, then the policy file, then defaults.

use std::path::Path;
use std::time::Duration;

use crate::app::Clock;
use crate::cli::{ConnectArgs, OutputArgs, ServeArgs};
use crate::demo_server::{Scenario, ServerConfig};
use crate::duration::format_duration;
use crate::engine::policy::Policy;
use crate::engine::settings::Settings;

use crate::app::DEFAULT_HISTORY;
use crate::engine::target;
use crate::theme::{self, Theme};
use crate::tui::TuiOptions;
use crate::usage::UsageError;

/// Builds the engine settings for `url` from the connection flags.
pub fn settings(url: &str, args: &ConnectArgs) -> Result<Settings, UsageError> {
    let url = target::normalize_url(url)?;
    let mut policy = load_policy(args.policy.as_deref())?;
    if let Some(d) = args.ping_interval {
        policy.ping_interval = positive(d.0, "--ping-interval")?;
    }
    if let Some(d) = args.ping_timeout {
        policy.ping_timeout = positive(d.0, "--ping-timeout")?;
    }
    if policy.ping_timeout <= policy.ping_interval {
        // Otherwise a quiet but healthy connection is declared dead before
        // the ping that would have kept it alive is even sent.
        return Err(UsageError::new(format!(
            "the ping timeout ({}) must be longer than the ping interval ({}); \
             e.g. --ping-interval 15s --ping-timeout 30s",
            format_duration(policy.ping_timeout),
            format_duration(policy.ping_interval)
        )));
    }
    if args.reconnect_on_normal {
        policy.reconnect_on_normal = true;
    }
    let headers = args
        .headers
        .iter()
        .map(|h| target::parse_header(h))
        .collect::<Result<Vec<_>, _>>()?;
    for p in &args.protocols {
        if p.is_empty() || p.bytes().any(|b| !b.is_ascii_graphic() || b == b',') {
            return Err(UsageError::new(format!(
                "--protocol `{p}` is not a valid subprotocol name (printable ASCII without commas or spaces)"
            )));
        }
    }
    if let Some(path) = &args.cacert
        && !path.is_file()
    {
        return Err(UsageError::new(format!(
            "--cacert {}: no such file; give the path of a PEM CA certificate",
            path.display()
        )));
    }
    if args.max_attempts == Some(0) {
        return Err(UsageError::new("--max-attempts must be at least 1"));
    }
    if args.max_message_size == Some(0) {
        return Err(UsageError::new(
            "--max-message-size must be at least 1 byte",
        ));
    }
    let mut s = Settings::new(url);
    s.headers = headers;
    s.protocols.clone_from(&args.protocols);
    s.origin.clone_from(&args.origin);
    if let Some(d) = args.connect_timeout {
        s.connect_timeout = positive(d.0, "--connect-timeout")?;
    }
    if let Some(m) = args.max_message_size {
        s.max_message_size = m;
    }
    s.insecure = args.insecure;
    s.cacert.clone_from(&args.cacert);
    s.send.clone_from(&args.send);
    s.policy = policy;
    s.max_attempts = args.max_attempts;
    s.no_reconnect = args.no_reconnect;
    s.duration = args.duration.map(|d| d.0);
    s.seed = args.seed;
    s.show_secrets = args.show_secrets;
    Ok(s)
}

/// Loads `--policy FILE` (or the defaults); a bad file is a usage error
/// that names file, line and key and says where to start from.
pub fn load_policy(path: Option<&Path>) -> Result<Policy, UsageError> {
    crate::engine::policy::file::load(path).map_err(|e| {
        UsageError::new(format!(
            "bad policy file {e}\n  (see `wsprobe policy show` for a valid file to start from)"
        ))
    })
}

fn positive(d: Duration, flag: &str) -> Result<Duration, UsageError> {
    if d.is_zero() {
        Err(UsageError::new(format!(
            "{flag} must be above zero (e.g. 5s)"
        )))
    } else {
        Ok(d)
    }
}

/// The scenario server's configuration from `wsprobe serve`'s flags; a bad
/// `--scenario` is a usage error.
pub fn serve_config(args: &ServeArgs) -> Result<ServerConfig, UsageError> {
    let default_scenario: Scenario = args.scenario.parse().map_err(|e| {
        UsageError::new(format!(
            "--scenario {}: {e}; use a name (echo, normal, going-away, restart, overload, \
             drop, silent, flood, cycle) or a path such as close/4000 or reject/503",
            crate::text::escape(&args.scenario)
        ))
    })?;
    Ok(ServerConfig {
        bind: std::net::SocketAddr::new(args.bind, args.port),
        default_scenario,
        restart_downtime: args.restart_downtime.0,
        overload_window: args.overload_window.0,
        retry_after: args.retry_after.0,
        phase: args.phase.0,
        ..ServerConfig::local()
    })
}

/// The TUI's options from the command line: `--theme` (a file, a name in
/// the config dir, or a built-in; `NO_COLOR` picks `mono` when no theme is
/// named, and takes the colours out of every theme while keeping bold,
/// dim and reverse video), `--history`, `--clock`, `--no-mouse`. A bad
/// theme or a zero history is a usage error.
pub fn tui_options(args: &OutputArgs) -> Result<TuiOptions, UsageError> {
    tui_options_with(args, theme::no_color_requested())
}

/// [`tui_options`] plus what the TUI shows of the connection's settings:
/// the ping timeout (for the liveness countdown), whether a 1000 is
/// reconnected, and the file that remembers what was sent to this URL.
pub fn tui_options_for(args: &OutputArgs, settings: &Settings) -> Result<TuiOptions, UsageError> {
    let mut opts = tui_options(args)?;
    opts.ping_timeout = Some(settings.policy.ping_timeout);
    opts.reconnect_on_normal = settings.policy.reconnect_on_normal;
    opts.recall_file = recall_file(&settings.url);
    Ok(opts)
}

/// Where the messages sent to `url` are remembered: a file in the user's
/// data directory named by a hash of the URL without its query and user
/// info, so no secret reaches a file name.
pub fn recall_file(url: &url::Url) -> Option<std::path::PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "wsprobe")?;
    let key = format!(
        "{}://{}:{}{}",
        url.scheme(),
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or(0),
        url.path()
    );
    // FNV-1a: stable across releases, unlike the standard hasher.
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    Some(
        dirs.data_dir()
            .join("sent")
            .join(format!("{hash:016x}.jsonl")),
    )
}

/// The demo's settings: the scenario server's `/cycle`, reconnecting after
/// its 1000 (`reconnect-on-normal`) so the demo keeps cycling, and pinging
/// every 2 s so the round-trip time shows; flags still win.
pub fn demo_settings(url: &str, args: &ConnectArgs) -> Result<Settings, UsageError> {
    let mut s = settings(url, args)?;
    s.policy.reconnect_on_normal = true;
    if args.ping_interval.is_none() && s.policy.ping_interval > DEMO_PING {
        s.policy.ping_interval = DEMO_PING;
    }
    Ok(s)
}

/// How often the demo pings.
pub const DEMO_PING: Duration = Duration::from_secs(2);

/// [`tui_options`] with `NO_COLOR` given rather than read.
pub fn tui_options_with(args: &OutputArgs, no_color: bool) -> Result<TuiOptions, UsageError> {
    let usage = |e: theme::ThemeError| UsageError::new(e.to_string());
    let chosen =
        theme::select(args.theme.as_deref(), no_color, &theme::search_dirs()).map_err(usage)?;
    let mut themes = Theme::builtins().map_err(usage)?;
    let mut theme = if let Some(i) = themes.iter().position(|t| *t == chosen) {
        i
    } else {
        themes.push(chosen);
        themes.len() - 1
    };
    if no_color {
        // The terminal will not show colours: every theme keeps its
        // attributes so the selection and the severities stay visible.
        themes = themes.iter().map(Theme::without_colour).collect();
        theme = theme.min(themes.len() - 1);
    }
    let history = args.history.unwrap_or(DEFAULT_HISTORY);
    if history == 0 {
        return Err(UsageError::new(
            "--history must be at least 1 (the default keeps 100000 events)",
        ));
    }
    let mut opts = TuiOptions::new(themes, theme, history);
    opts.mouse = !args.no_mouse;
    opts.clock = match args.clock.as_deref() {
        Some("wall") => Clock::Wall,
        _ => Clock::Relative,
    };
    Ok(opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_keeps_attributes_in_every_theme() {
        use ratatui::style::{Color, Modifier};
        let args = OutputArgs {
            theme: Some("light".into()),
            ..OutputArgs::default()
        };
        let opts = tui_options_with(&args, true).expect("options");
        assert_eq!(opts.themes[opts.theme].name, "light");
        for theme in &opts.themes {
            assert!(
                theme.selection().add_modifier.contains(Modifier::REVERSED),
                "{theme}: the selection must stay visible"
            );
            assert!(
                theme.error().add_modifier.contains(Modifier::BOLD),
                "{theme}"
            );
            assert_ne!(theme.warn(), theme.ok(), "{theme}: warn and ok must differ");
            for style in [
                theme.base(),
                theme.ok(),
                theme.warn(),
                theme.error(),
                theme.selection(),
            ] {
                assert!(
                    style.fg.is_none_or(|c| c == Color::Reset)
                        && style.bg.is_none_or(|c| c == Color::Reset),
                    "{theme}: no colour with NO_COLOR"
                );
            }
        }
    }

    #[test]
    fn the_demo_reconnects_after_its_1000_and_pings_often() {
        let s = demo_settings("ws://127.0.0.1:1/cycle", &ConnectArgs::default()).expect("ok");
        assert!(s.policy.reconnect_on_normal);
        assert_eq!(s.policy.ping_interval, DEMO_PING);
    }
}
