use std::io::Write;
use std::process::ExitCode;

use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;

use wsprobe::cli::{Cli, Command, PolicyCommand, ServeArgs, SimulateArgs};
use wsprobe::demo_server::{BindError, DemoServer, ServerConfig};
use wsprobe::engine::error::EngineError;
use wsprobe::engine::policy::Policy;

use wsprobe::headless::Format;
use wsprobe::simulate;
use wsprobe::usage::UsageError;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            if let Some(usage) = err.downcast_ref::<UsageError>() {
                eprintln!("wsprobe: {usage}");
                ExitCode::from(2)
            } else if let Some(bad) = err.downcast_ref::<BindError>() {
                eprintln!("wsprobe: {bad}");
                ExitCode::from(2)
            } else if let Some(bad) = err.downcast_ref::<EngineError>() {
                // Settings the engine cannot use are the user's input too.
                eprintln!("wsprobe: {bad}");
                ExitCode::from(2)
            } else {
                eprintln!("wsprobe: {err:#}");
                ExitCode::from(1)
            }
        }
    }
}

fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        // A closed pipe (`wsprobe codes | head`) is not an error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn load_policy(path: Option<&std::path::Path>) -> anyhow::Result<Policy> {
    Ok(wsprobe::config::load_policy(path)?)
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    if cli.output.list_themes {
        print(&wsprobe::theme::list_text(&wsprobe::theme::search_dirs()))?;
        return Ok(ExitCode::SUCCESS);
    }
    match cli.command {
        Some(Command::Codes(args)) => {
            let policy = Policy::default();
            print(&wsprobe::explain::codes(args.json, &policy))?;
        }
        Some(Command::Explain(args)) => {
            let policy = load_policy(args.policy.as_deref())?;
            print(&wsprobe::explain::explain(&args.codes, args.json, &policy)?)?;
        }
        Some(Command::Policy(PolicyCommand::Show { policy })) => {
            let policy = load_policy(policy.as_deref())?;
            print(&wsprobe::engine::policy::file::show(&policy))?;
        }
        Some(Command::Policy(PolicyCommand::Simulate(args))) => {
            print(&simulate_command(&args)?)?;
        }
        Some(Command::Serve(args)) => serve(&args)?,
        None => return live(&cli),
    }
    Ok(ExitCode::SUCCESS)
}

/// Connects (TUI or headless) and maps how the run ended to the exit status.
fn live(cli: &Cli) -> anyhow::Result<ExitCode> {
    let format = if cli.output.json {
        Some(Format::Json)
    } else if cli.output.headless {
        Some(Format::Human)
    } else {
        None
    };
    // Bad input is reported before anything starts or touches the terminal.
    if format.is_none() {
        wsprobe::tui::ensure_terminal()?;
    }
    let url_check = match cli.url.as_deref() {
        Some(url) => Some(wsprobe::config::settings(url, &cli.connect)?),
        None => None,
    };
    init_logging(format.is_some(), cli.output.log_file.as_deref())?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    // Without a URL the built-in scenario server plays the endpoint; it must
    // outlive the run, so it is held here.
    let (mut settings, _demo) = if let Some(settings) = url_check {
        (settings, None)
    } else {
        let server = runtime
            .block_on(DemoServer::start(ServerConfig::local()))
            .context("cannot start the built-in demo server")?;
        let settings = wsprobe::config::demo_settings(&server.url("/cycle"), &cli.connect)?;
        (settings, Some(server))
    };
    let success = if let Some(format) = format {
        // Signal listeners need the runtime, so they are made inside it.
        let end = runtime.block_on(async {
            wsprobe::headless::run(settings, format, wsprobe::signals::stop_requested()).await
        })?;
        end.success
    } else {
        let opts = wsprobe::config::tui_options_for(&cli.output, &settings)?;
        settings.interactive = true;
        runtime.block_on(async {
            let handle = wsprobe::engine::connection::spawn(settings)?;
            wsprobe::tui::run(handle, opts).await
        })?;
        true
    };
    // Do not wait for blocking tasks (stdin readers, DNS lookups) still running.
    runtime.shutdown_background();
    Ok(if success {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Logs go to stderr in headless mode and to `--log-file` (if given) in the
/// TUI, never to stdout; `RUST_LOG` filters them.
fn init_logging(headless: bool, file: Option<&std::path::Path>) -> anyhow::Result<()> {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match file {
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
                .init();
        }
        None if headless => builder.with_writer(std::io::stderr).init(),
        // The TUI owns the terminal: without a file there is nowhere to log.
        None => {}
    }
    Ok(())
}

fn simulate_command(args: &SimulateArgs) -> anyhow::Result<String> {
    let policy = load_policy(args.policy.as_deref())?;
    let triggers = args
        .codes
        .iter()
        .map(|c| simulate::parse_trigger(c))
        .collect::<Result<Vec<_>, _>>()?;
    if args.attempts == 0 {
        return Err(UsageError::new("--attempts must be at least 1").into());
    }
    let seed = args
        .seed
        .unwrap_or_else(wsprobe::engine::policy::random_seed);
    let uptime = args.uptime.map_or(Duration::ZERO, |d| d.0);
    let steps = simulate::simulate(
        &policy,
        &triggers,
        args.attempts,
        seed,
        uptime,
        args.retry_after.map(|d| d.0),
    );
    Ok(if args.json {
        simulate::json_lines(&steps)
    } else {
        let source = args.policy.as_ref().map_or_else(
            || "built-in defaults".to_string(),
            |p| p.display().to_string(),
        );
        simulate::table(
            &steps,
            &format!("policy: {source} · seed {seed} (pass --seed {seed} to repeat)"),
        )
    })
}

/// `wsprobe serve`: prints the server's lines until Ctrl-C or SIGTERM.
fn serve(args: &ServeArgs) -> anyhow::Result<()> {
    let cfg = wsprobe::config::serve_config(args)?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let stop = wsprobe::signals::stop_requested();
        wsprobe::demo_server::run_serve(cfg, stop, |line| print(&format!("{line}\n"))).await
    })
}
