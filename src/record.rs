//! `--record FILE` and the TUI's `s`: the event stream as JSON lines — the
//! `--json` contract, written by the same [`write_json`] — with a `session`
//! record first and whole binary payloads.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use crate::app::Timeline;
use crate::engine::emit::EventSink;
use crate::engine::event::EngineEvent;
use crate::headless::{JsonStyle, SessionRecord, write_json, write_session};
use crate::usage::UsageError;

/// Writes every event it is given to a file, flushed per event, so a run
/// that is killed leaves a recording that ends at most in one cut-off line.
pub struct Recorder {
    out: BufWriter<File>,
    path: PathBuf,
    style: JsonStyle,
    line: Vec<u8>,
    failed: Arc<Mutex<Option<String>>>,
}

/// Says, after the run, whether the recording could not be written.
#[derive(Debug, Clone, Default)]
pub struct RecordFailure(Arc<Mutex<Option<String>>>);

impl RecordFailure {
    /// What went wrong, if anything did (naming the file).
    pub fn take(&self) -> Option<String> {
        self.0.lock().ok().and_then(|mut e| e.take())
    }
}

impl Recorder {
    /// Creates (or truncates) `path` and writes the `session` record. A file
    /// that cannot be created is a usage error naming it.
    pub fn create(path: &Path, session: &SessionRecord) -> Result<Self, UsageError> {
        let cannot = |e: io::Error| {
            UsageError::new(format!(
                "--record {}: cannot write it ({e}); give a path in a writable folder",
                path.display()
            ))
        };
        let file = File::create(path).map_err(cannot)?;
        let mut out = BufWriter::with_capacity(64 * 1024, file);
        let mut line = Vec::with_capacity(512);
        write_session(&mut line, session).map_err(cannot)?;
        out.write_all(&line)
            .and_then(|()| out.flush())
            .map_err(cannot)?;
        Ok(Self {
            out,
            path: path.to_path_buf(),
            style: JsonStyle::full(session.wall),
            line,
            failed: Arc::default(),
        })
    }

    /// A handle that tells, after the run, whether writing failed.
    pub fn failure(&self) -> RecordFailure {
        RecordFailure(Arc::clone(&self.failed))
    }

    fn note(&self, e: io::Error) -> io::Error {
        if let Ok(mut slot) = self.failed.lock()
            && slot.is_none()
        {
            *slot = Some(format!(
                "cannot write the recording {}: {e}; the run was stopped",
                self.path.display()
            ));
        }
        e
    }
}

impl EventSink for Recorder {
    fn event(&mut self, event: &EngineEvent) -> io::Result<()> {
        self.line.clear();
        write_json(&mut self.line, event, &self.style)?;
        let written = self
            .out
            .write_all(&self.line)
            .and_then(|()| self.out.flush());
        written.map_err(|e| self.note(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush().map_err(|e| self.note(e))
    }
}

/// Writes `session` and `events` to `path` as a recording (the TUI's `s`);
/// returns how many events were written. An existing file is left alone.
pub fn save<'a>(
    path: &Path,
    session: &SessionRecord,
    events: impl IntoIterator<Item = &'a EngineEvent>,
) -> io::Result<u64> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    let mut out = BufWriter::new(file);
    let style = JsonStyle::full(session.wall);
    let mut line = Vec::with_capacity(512);
    write_session(&mut line, session)?;
    out.write_all(&line)?;
    let mut n = 0;
    for event in events {
        line.clear();
        write_json(&mut line, event, &style)?;
        out.write_all(&line)?;
        n += 1;
    }
    out.flush()?;
    Ok(n)
}

/// Saves the history the TUI keeps and says how it went, for the footer.
pub fn save_history(path: &Path, session: &SessionRecord, timeline: &Timeline) -> String {
    let events = (timeline.first()..timeline.end()).filter_map(|p| timeline.get(p));
    let shown = crate::text::escape(&path.display().to_string()).into_owned();
    match save(path, session, events) {
        Ok(n) if timeline.dropped() > 0 => format!(
            "saved {n} events to {shown} (the {} oldest were no longer kept; --history keeps more)",
            timeline.dropped()
        ),
        Ok(n) => format!("saved {n} events to {shown}"),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            format!("{shown} exists: press s and give another name")
        }
        Err(e) => format!("cannot save to {shown}: {e}"),
    }
}

/// A `session` record with only what any run knows: the version and the
/// wall-clock time of `t = 0`.
pub fn bare_session(wall: SystemTime) -> SessionRecord {
    SessionRecord {
        version: env!("CARGO_PKG_VERSION").to_string(),
        command_line: Vec::new(),
        policy: String::new(),
        seed: 0,
        wall,
    }
}

/// The file name `s` proposes: `wsprobe-<host>-<date>.jsonl`, the date in
/// UTC as `YYYYMMDD-HHMMSS`, the host reduced to characters safe in a name.
pub fn default_name(host: &str, at: SystemTime) -> String {
    let ts = crate::timestamp::rfc3339_millis(at);
    let date: String = ts
        .chars()
        .take(19)
        .filter(char::is_ascii_digit)
        .enumerate()
        .flat_map(|(i, c)| (i == 8).then_some('-').into_iter().chain([c]))
        .collect();
    let host: String = host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    let host = if host.is_empty() {
        "local".into()
    } else {
        host
    };
    format!("wsprobe-{host}-{date}.jsonl")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn the_default_name_has_host_and_date() {
        let at = UNIX_EPOCH + Duration::from_secs(1_795_953_784);
        assert_eq!(
            default_name("echo.example.com", at),
            "wsprobe-echo.example.com-20261129-120304.jsonl"
        );
        assert_eq!(
            default_name("[::1]", at),
            "wsprobe-___1_-20261129-120304.jsonl"
        );
    }
}
