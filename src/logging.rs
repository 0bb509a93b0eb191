//! Where wsprobe's own logs go (never stdout): a file, or stderr when
//! headless, filtered by `RUST_LOG` or `-v`.

use anyhow::Context as _;

use crate::usage::UsageError;

/// Logs go to `--log-file` when given (TUI or headless), else to stderr in
/// headless mode, never to stdout. `RUST_LOG` filters them; without it a log
/// file gets wsprobe's own debug lines (asking for a file means wanting
/// them) and stderr only warnings; `-v` gives wsprobe's debug lines and
/// `-vv` trace, tungstenite's frames included, wherever logs go. The `log`
/// records of tungstenite and rustls arrive through the same filter.
pub fn init(
    headless: bool,
    file: Option<&std::path::Path>,
    show_secrets: bool,
    verbose: u8,
) -> anyhow::Result<()> {
    use tracing_subscriber::EnvFilter;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let default = match verbose {
        0 if file.is_none() => "warn",
        0 | 1 => "warn,wsprobe=debug",
        _ => "warn,wsprobe=trace,tungstenite=trace,tokio_tungstenite=trace",
    };
    let mut filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    if !show_secrets {
        // tungstenite traces the raw upgrade request, Authorization and
        // token included; wsprobe logs a redacted copy of it (and all else
        // that module says) instead. Off, not a level, so that it never
        // enables more than `RUST_LOG` asked for.
        if let Ok(cap) = "tungstenite::handshake::client=off".parse() {
            filter = filter.add_directive(cap);
        }
    }
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    // `try_init` also installs the bridge that turns `log` records into events.
    let installed = match file {
        Some(path) => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| {
                    UsageError::new(format!(
                        "--log-file {}: cannot open it ({e})",
                        path.display()
                    ))
                })?;
            builder
                .with_ansi(false)
                .with_writer(std::sync::Mutex::new(file))
                .finish()
                .try_init()
        }
        None if headless => builder.with_writer(std::io::stderr).finish().try_init(),
        // The TUI owns the terminal: without a file there is nowhere to log.
        None => Ok(()),
    };
    installed.context("cannot set up logging")
}
