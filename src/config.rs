//! Turns the command line (and the policy file it names) into validated
//! engine [`Settings`]. Precedence: flags, then the policy file, then defaults.

use std::path::Path;
use std::time::Duration;

use crate::cli::{ConnectArgs, OutputArgs, ServeArgs};
use crate::demo_server::{Scenario, ServerConfig};
use crate::duration::format_duration;
use crate::engine::policy::Policy;
use crate::engine::settings::Settings;

use crate::app::DEFAULT_HISTORY;
use crate::engine::target;
use crate::text::escape;
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
    if let Some(origin) = &args.origin {
        target::check_header_value("--origin", origin)?;
    }
    single_valued(&headers, args)?;
    for p in &args.protocols {
        if p.is_empty() || p.bytes().any(|b| !b.is_ascii_graphic() || b == b',') {
            return Err(UsageError::new(format!(
                "--protocol `{}` is not a valid subprotocol name (printable ASCII without commas or spaces)",
                escape(p)
            )));
        }
    }
    if let Some(path) = &args.cacert
        && !path.is_file()
    {
        return Err(UsageError::new(format!(
            "--cacert {}: no such file; give the path of a PEM CA certificate",
            escape(&path.display().to_string())
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
    reach(&mut s, args)?;
    Ok(s)
}

/// How the endpoint is reached: the proxy (from `--proxy`, or the
/// environment by curl's rules), credentials, cookies, the client
/// certificate.
fn reach(s: &mut Settings, args: &ConnectArgs) -> Result<(), UsageError> {
    let env = |name: &str| std::env::var(name).ok();
    s.proxy =
        crate::engine::proxy::env::choose(&s.url, args.proxy.as_deref(), args.no_proxy, &env)?;
    s.user = crate::credentials::user(args.user.as_deref())?;
    s.cookies = crate::credentials::cookies(&args.cookies)?;
    crate::credentials::file("--cert", args.cert.as_deref())?;
    crate::credentials::file("--key", args.key.as_deref())?;
    s.cert.clone_from(&args.cert);
    s.key.clone_from(&args.key);
    Ok(())
}

/// Headers that may appear once in the request: a second `-H Host`, or
/// `-H Origin` beside `--origin`, or `-H Sec-WebSocket-Protocol` beside
/// `--protocol`, would replace the other one without a word.
fn single_valued(headers: &[(String, String)], args: &ConnectArgs) -> Result<(), UsageError> {
    let count = |name: &str| {
        headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .count()
    };
    if count("host") > 1 {
        return Err(UsageError::new(
            "-H Host is given more than once; give it once",
        ));
    }
    let origins = count("origin") + usize::from(args.origin.is_some());
    if origins > 1 {
        return Err(UsageError::new(
            "the Origin header is given more than once (-H Origin, --origin); give it once",
        ));
    }
    if count("sec-websocket-protocol") > 0 && !args.protocols.is_empty() {
        return Err(UsageError::new(
            "-H Sec-WebSocket-Protocol and --protocol both set the subprotocols; use --protocol \
             (repeatable)",
        ));
    }
    Ok(())
}

/// Loads `--policy FILE` (or the defaults); a bad file is a usage error
/// that names file, line and key and says where to start from. The
/// problem is quoted escaped: it may hold bytes of the file (an escape
/// sequence there must not retitle or clear the terminal).
pub fn load_policy(path: Option<&Path>) -> Result<Policy, UsageError> {
    crate::engine::policy::file::load(path).map_err(|e| {
        UsageError::new(format!(
            "bad policy file {}\n  (see `wsprobe policy show` for a valid file to start from)",
            escape(&e.to_string())
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
            escape(&args.scenario)
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
/// named) and `--history`. A bad theme or a zero history is a usage error.
pub fn tui_options(args: &OutputArgs) -> Result<TuiOptions, UsageError> {
    let usage = |e: theme::ThemeError| UsageError::new(e.to_string());
    let chosen = theme::select(
        args.theme.as_deref(),
        theme::no_color_requested(),
        &theme::search_dirs(),
    )
    .map_err(usage)?;
    let mut themes = Theme::builtins().map_err(usage)?;
    let theme = if let Some(i) = themes.iter().position(|t| *t == chosen) {
        i
    } else {
        themes.push(chosen);
        themes.len() - 1
    };
    let history = args.history.unwrap_or(DEFAULT_HISTORY);
    if history == 0 {
        return Err(UsageError::new(
            "--history must be at least 1 (the default keeps 100000 events)",
        ));
    }
    Ok(TuiOptions {
        themes,
        theme,
        history,
    })
}
