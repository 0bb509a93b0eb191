use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = wsprobe::cli::Cli::parse();
    let _ = cli;
    ExitCode::SUCCESS
}
