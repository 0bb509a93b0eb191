use std::io::Write;
use std::process::ExitCode;

use std::time::Duration;

use anyhow::Context as _;
use clap::{CommandFactory as _, FromArgMatches as _};

use wsprobe::cli::{
    Cli, Command, ConfigArgs, ConfigCommand, ConfigShowArgs, PolicyCommand, ServeArgs,
    SimulateArgs, WatchArgs,
};
use wsprobe::config::{CliLayer, Config, Env};
use wsprobe::demo_server::{BindError, DemoServer, ServerConfig};
use wsprobe::engine::clock::Clock;
use wsprobe::engine::emit::EventSink;
use wsprobe::engine::error::EngineError;
use wsprobe::engine::policy::Policy;
use wsprobe::record::Recorder;

use wsprobe::headless::Format;
use wsprobe::simulate;
use wsprobe::usage::UsageError;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Before clap: some mistakes parse as a URL and would connect.
    if let Err(trap) = wsprobe::cli::traps::check(&args) {
        eprintln!("wsprobe: {trap}");
        return ExitCode::from(2);
    }
    let matches = command().get_matches_from(args);
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let code = match run(cli) {
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
    };
    wsprobe::memory::report_if_asked();
    code
}

/// The version and the commit it was built from, when the build knew it
/// (set by build.rs).
const VERSION: &str = env!("WSPROBE_VERSION");

/// The command line, with the version that names the commit.
fn command() -> clap::Command {
    Cli::command().version(VERSION)
}

fn print_bytes(bytes: &[u8]) -> anyhow::Result<()> {
    print(&String::from_utf8_lossy(bytes))
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
        Some(Command::Replay(args)) => return wsprobe::replay::command(&args),
        Some(Command::Export(args)) => {
            let report = wsprobe::export::har::command(&args.file, &args.har)?;
            for note in report {
                eprintln!("wsprobe: {note}");
            }
        }
        Some(Command::Completions(args)) => {
            print_bytes(&wsprobe::cli::docs::completions(args.shell, command()))?;
        }
        Some(Command::Man) => print_bytes(&wsprobe::cli::docs::manual(command())?)?,
        Some(Command::Config(ConfigCommand::Show(args))) => print(&config_show(&args)?)?,
        Some(Command::Config(ConfigCommand::Path { config })) => {
            print(&config_path(&config))?;
        }
        Some(Command::Endpoints(args)) => {
            let env = Env::from_process();
            let choice = wsprobe::config::Choice::pick(
                args.config.config.as_deref(),
                args.config.no_config,
                &env,
            );
            let file = choice.load()?;
            print(&wsprobe::config::endpoint::list(
                file.as_ref(),
                &choice,
                args.show_secrets,
            ))?;
        }
        Some(Command::Watch(args)) => return watch(&args),
        None => return live(&cli),
    }
    Ok(ExitCode::SUCCESS)
}

/// `wsprobe config show`: the live command's settings, merged but unused.
fn config_show(args: &ConfigShowArgs) -> anyhow::Result<String> {
    let layer = CliLayer {
        url: args.url.as_deref(),
        connect: &args.connect,
        theme: args.theme.as_deref(),
        history: args.history,
        color: args.color,
        clock: args.clock.as_deref(),
        no_mouse: args.no_mouse,
    };
    let config = Config::load(&layer, &args.config, Env::from_process())?;
    Ok(wsprobe::config::show::render(&config, &args.connect)?)
}

/// `wsprobe config path`: the file that is read, whether it exists or not.
fn config_path(args: &ConfigArgs) -> String {
    let env = Env::from_process();
    let choice = wsprobe::config::Choice::pick(args.config.as_deref(), args.no_config, &env);
    match choice.path() {
        Some(path) => format!("{}\n", path.display()),
        None => "none\n".to_string(),
    }
}

/// How the live command shows the run.
enum Mode {
    Headless(Format),
    Tui(Box<wsprobe::tui::TuiOptions>),
}

/// Connects (TUI or headless) and maps how the run ended to the exit status.
fn live(cli: &Cli) -> anyhow::Result<ExitCode> {
    if cli.general.quiet && !cli.output.headless {
        return Err(UsageError::new(
            "-q keeps only the errors and the final line of --headless; use it with \
             --headless (--json always writes every event: filter it with jq)",
        )
        .into());
    }
    let format = if cli.output.json {
        Some(Format::Json)
    } else if cli.output.headless && cli.general.quiet {
        Some(Format::Quiet)
    } else if cli.output.headless {
        Some(Format::Human)
    } else {
        None
    };
    // Bad input is reported before anything starts or touches the terminal.
    if format.is_none() {
        wsprobe::tui::ensure_terminal()?;
        if cli.connect.stdin && std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            return Err(UsageError::new(
                "--stdin reads messages from a pipe, but in the TUI stdin is the keyboard; \
                 pipe into wsprobe (cmd | wsprobe URL --stdin), or press i to type a message",
            )
            .into());
        }
    }
    let config = Config::for_live(cli)?;
    let url_check = if config.has_url() {
        Some(config.settings(&cli.connect, None)?)
    } else {
        None
    };
    // The theme is checked before anything starts, too.
    let mode = match format {
        Some(format) => Mode::Headless(format),
        None => Mode::Tui(Box::new(config.tui_options()?)),
    };
    wsprobe::logging::init(
        format.is_some(),
        cli.output.log_file.as_deref(),
        cli.connect.show_secrets,
        cli.general.verbose,
    )?;
    let metrics = wsprobe::config::metrics(&cli.metrics)?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    // `--metrics`: counted by an observer of the engine's events.
    let metrics = match metrics {
        Some(m) => {
            let recorder = std::sync::Arc::new(wsprobe::metrics::Metrics::new(&m.instance, 1));
            let _guard = runtime.enter();
            m.server
                .spawn(recorder.clone())
                .context("cannot serve --metrics")?;
            Some(recorder)
        }
        None => None,
    };
    // Without a URL the built-in scenario server plays the endpoint; it must
    // outlive the run, so it is held here.
    let (mut settings, _demo) = if let Some(settings) = url_check {
        (settings, None)
    } else {
        let server = runtime
            .block_on(DemoServer::start(ServerConfig::local()))
            .context("cannot start the built-in demo server")?;
        let mut settings = config.settings(&cli.connect, Some(&server.url("/cycle")))?;
        wsprobe::config::demo_tweaks(&mut settings, &cli.connect);
        (settings, Some(server))
    };
    settings.whole_binary =
        cli.output.record.is_some() || cli.output.payload == Some(wsprobe::cli::PayloadMode::Full);
    let clock = Clock::now();
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let session = wsprobe::config::session_record(&settings, &args, clock.wall);
    let mut observers: Vec<Box<dyn EventSink>> = Vec::new();
    if let Some(counts) = &metrics {
        observers.push(counts.observer());
    }
    let mut record_failure = None;
    if let Some(path) = &cli.output.record {
        let recorder = Recorder::create(path, &session)?;
        record_failure = Some(recorder.failure());
        observers.push(Box::new(recorder));
    }
    let result = match mode {
        Mode::Headless(format) => {
            let run = wsprobe::headless::Run {
                format,
                clock,
                whole_binary: cli.output.payload == Some(wsprobe::cli::PayloadMode::Full),
                session,
                observers,
                stdin: cli.connect.stdin,
            };
            // Signal listeners need the runtime, so they are made inside it.
            runtime
                .block_on(async {
                    wsprobe::headless::run(settings, run, wsprobe::signals::stop_requested()).await
                })
                .map(|end| end.success)
        }
        Mode::Tui(mut opts) => {
            opts.ping_timeout = Some(settings.policy.ping_timeout);
            opts.reconnect_on_normal = settings.policy.reconnect_on_normal;
            opts.recall_file = wsprobe::config::recall_file(&settings.url);
            let host = settings.url.host_str().unwrap_or("local").to_string();
            opts.save_name = Some(wsprobe::record::default_name(&host, clock.wall));
            opts.session = Some(session);
            settings.interactive = true;
            let stdin = cli.connect.stdin;
            runtime
                .block_on(async {
                    let open = if stdin {
                        let (gate, open) = wsprobe::stdin::gate();
                        observers.push(Box::new(gate));
                        Some(open)
                    } else {
                        None
                    };
                    let handle =
                        wsprobe::engine::connection::spawn_observed(settings, clock, observers)?;
                    if let Some(open) = open {
                        wsprobe::stdin::forward(handle.commands.clone(), open);
                    }
                    wsprobe::tui::run(handle, *opts).await
                })
                .map(|()| true)
        }
    };
    // Do not wait for blocking tasks (stdin readers, DNS lookups) still running.
    runtime.shutdown_background();
    // A recording that could not be written is said before anything else.
    if let Some(e) = record_failure.and_then(|f| f.take()) {
        return Err(anyhow::anyhow!(e));
    }
    let success = result?;
    Ok(if success {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `wsprobe watch`: checks everything (client count against the open-file
/// limit, the metrics port) before starting, then runs the fleet.
fn watch(args: &WatchArgs) -> anyhow::Result<ExitCode> {
    let cfg = wsprobe::config::watch_config(args)?;
    if cfg.format.is_none() {
        wsprobe::tui::ensure_terminal()?;
    }
    let limit = wsprobe::watch::limits::raise_nofile();
    wsprobe::watch::limits::check(cfg.clients, cfg.files_per_client(), limit)?;
    wsprobe::logging::init(
        cfg.format.is_some(),
        args.output.log_file.as_deref(),
        args.connect.show_secrets,
        0,
    )?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let success = runtime
        .block_on(async { wsprobe::watch::run(cfg, wsprobe::signals::stop_requested()).await })?;
    runtime.shutdown_background();
    Ok(if success {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
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
