//! Turns the command line (and the policy file it names) into validated
//! engine [`Settings`]. Precedence: flags, then the policy file, then defaults.

use std::path::Path;
use std::time::Duration;

use crate::cli::ConnectArgs;
use crate::duration::format_duration;
use crate::engine::policy::Policy;
use crate::engine::settings::Settings;

use crate::engine::target;
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
