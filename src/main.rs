use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use wsprobe::cli::{Cli, Command};
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
        Some(Command::Policy(_) | Command::Serve(_)) | None => {}
    }
    Ok(ExitCode::SUCCESS)
}
