use std::io::Write;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use wsprobe::cli::{Cli, Command, ServeArgs};
use wsprobe::usage::UsageError;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            if let Some(usage) = err.downcast_ref::<UsageError>() {
                eprintln!("wsprobe: {usage}");
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

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Some(Command::Codes(args)) => {
            let policy = wsprobe::engine::policy::Policy::default();
            print(&wsprobe::explain::codes(&args, &policy))?;
        }
        Some(Command::Explain(args)) => {
            let policy = wsprobe::engine::policy::Policy::default();
            print(&wsprobe::explain::explain(&args, &policy)?)?;
        }
        Some(Command::Serve(args)) => serve(&args)?,
        Some(Command::Policy(_)) | None => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// `wsprobe serve`: prints the server's lines until Ctrl-C or SIGTERM.
fn serve(args: &ServeArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let stop = stop_requested();
        wsprobe::demo_server::run_serve(args, stop, |line| print(&format!("{line}\n"))).await
    })
}

/// Starts listening for Ctrl-C (and SIGTERM where there is one) at once, so
/// a signal that arrives before the returned future is first polled still
/// stops the server cleanly. Must be called inside the runtime.
fn stop_requested() -> impl Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            if let (Ok(mut interrupt), Ok(mut terminate)) = (interrupt, terminate) {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
            } else {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
