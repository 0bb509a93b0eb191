//! `wsprobe replay FILE`: a recording played back through the same views as
//! a live run — the TUI (the same `App` and `update`), the human lines
//! (`--headless`, the same `write_human`), or a table of the connection
//! attempts (`--summary`). The file is streamed line by line.

mod convert;
mod fields;
mod line;
mod lines;
mod player;
mod prefetch;
pub mod read;
mod seek;
pub mod summary;

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::{Duration, Instant};

use crate::cli::{OutputArgs, ReplayArgs};
use crate::headless::write_human;
use crate::text::escape;
use crate::usage::UsageError;
use read::{ReadError, Reader};

/// How fast a recording plays.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Speed {
    /// This many seconds of the recording per second (1 = as recorded).
    Factor(f64),
    /// As fast as it can be read and shown.
    Max,
}

impl FromStr for Speed {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("max") {
            return Ok(Speed::Max);
        }
        let n = s.strip_suffix(['x', 'X']).unwrap_or(s);
        match n.parse::<f64>() {
            Ok(f) if f.is_finite() && f > 0.0 && f <= 1e6 => Ok(Speed::Factor(f)),
            _ => Err(format!(
                "`{}` is not a speed; use a factor such as 1 or 10, or max",
                escape(s)
            )),
        }
    }
}

impl Speed {
    /// How it is shown: `1×`, `10×`, `max`.
    pub fn label(self) -> String {
        match self {
            Speed::Factor(f) => format!("{f}×"),
            Speed::Max => "max".into(),
        }
    }
}

/// Runs `wsprobe replay` and says how it ended.
pub fn command(args: &ReplayArgs) -> anyhow::Result<ExitCode> {
    let path = args.file.as_path();
    let reader = open(path)?;
    if args.summary {
        let mut out = io::stdout().lock();
        let notes = summary::write(reader, &mut out, &path.display().to_string());
        return finish(path, notes);
    }
    if args.headless {
        let speed = args.speed.unwrap_or(Speed::Max);
        return finish(path, headless(reader, speed));
    }
    crate::tui::ensure_terminal()?;
    let output = OutputArgs {
        theme: args.theme.clone(),
        history: args.history,
        clock: args.clock.clone(),
        no_mouse: args.no_mouse,
        ..OutputArgs::default()
    };
    let opts = crate::config::tui_options(&output)?;
    let runtime = tokio::runtime::Runtime::new()?;
    let speed = args.speed.unwrap_or(Speed::Factor(1.0));
    let result = runtime.block_on(player::run(reader, path, speed, opts));
    runtime.shutdown_background();
    result.map_err(|e| bad_file(path, e))?;
    Ok(ExitCode::SUCCESS)
}

/// Opens a recording; a file that cannot be read is a usage error.
pub fn open(path: &Path) -> Result<Reader<io::BufReader<std::fs::File>>, UsageError> {
    Reader::open(path).map_err(|e| {
        UsageError::new(format!(
            "{}: cannot open it ({e}); give a recording made with --record or --json",
            escape(&path.display().to_string())
        ))
    })
}

/// A line that is not a recording's, as the usage error that names it.
pub fn bad_file(path: &Path, e: anyhow::Error) -> anyhow::Error {
    match e.downcast::<ReadError>() {
        Ok(bad) => UsageError::new(format!(
            "{} {bad}; this does not look like a recording made with --record or --json",
            escape(&path.display().to_string())
        ))
        .into(),
        Err(other) => other,
    }
}

/// What a replay that read to its end has to say: the line a cut-off
/// recording ended in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ending {
    /// The line number of a cut-off last line.
    pub truncated: Option<u64>,
    /// Whether any record at all was read.
    pub any: bool,
}

/// The notice for a cut-off recording.
pub fn truncated_notice(line: u64) -> String {
    format!(
        "line {line} is cut off (the recording was interrupted): replayed up to line {}",
        line.saturating_sub(1)
    )
}

fn finish(path: &Path, ending: anyhow::Result<Ending>) -> anyhow::Result<ExitCode> {
    let ending = ending.map_err(|e| bad_file(path, e))?;
    let name = escape(&path.display().to_string()).into_owned();
    if let Some(line) = ending.truncated {
        eprintln!("wsprobe: {name}: {}", truncated_notice(line));
    } else if !ending.any {
        return Err(UsageError::new(format!(
            "{name} is empty: not a recording; make one with --record FILE"
        ))
        .into());
    }
    Ok(ExitCode::SUCCESS)
}

/// `replay --headless`: the human lines, at `speed`.
fn headless<R: io::BufRead>(mut reader: Reader<R>, speed: Speed) -> anyhow::Result<Ending> {
    let mut out = io::BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    let mut line = Vec::with_capacity(256);
    let start = Instant::now();
    let mut first: Option<Duration> = None;
    let mut any = false;
    while let Some(item) = reader.next_item()? {
        any = true;
        let read::Item::Event(rec) = item else {
            continue;
        };
        if let Speed::Factor(f) = speed {
            let t0 = *first.get_or_insert(rec.event.t);
            let due = start + (rec.event.t.saturating_sub(t0)).div_f64(f);
            let now = Instant::now();
            if due > now {
                if flush(&mut out).is_err() {
                    break;
                }
                std::thread::sleep(due - now);
            }
        }
        line.clear();
        write_human(&mut line, &rec.event)?;
        if let Err(e) = out.write_all(&line) {
            if e.kind() == io::ErrorKind::BrokenPipe {
                break;
            }
            return Err(e.into());
        }
    }
    match flush(&mut out) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => return Err(e.into()),
        _ => {}
    }
    Ok(Ending {
        truncated: reader.truncated(),
        any,
    })
}

fn flush(out: &mut impl Write) -> io::Result<()> {
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speeds_parse() {
        assert_eq!("max".parse(), Ok(Speed::Max));
        assert_eq!("10".parse(), Ok(Speed::Factor(10.0)));
        assert_eq!("2x".parse(), Ok(Speed::Factor(2.0)));
        assert!("0".parse::<Speed>().is_err());
        assert!("fast".parse::<Speed>().is_err());
        assert_eq!(Speed::Factor(10.0).label(), "10×");
    }
}
