//! The `session` record: the first line of a recording (and of `--json`),
//! saying what made it, so a recording is self-describing.

use std::io;
use std::time::SystemTime;

use serde::Serialize;

use super::json::TerminalSafe;

/// What a recording states about its run before the first event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// The wsprobe version that made it.
    pub version: String,
    /// The command line, secrets redacted.
    pub command_line: Vec<String>,
    /// The effective reconnect policy as TOML (`wsprobe policy show`).
    pub policy: String,
    /// The jitter seed the engine used (`--seed` repeats the delays).
    pub seed: u64,
    /// The wall-clock time of `t = 0`.
    pub wall: SystemTime,
}

#[derive(Serialize)]
#[expect(
    clippy::struct_field_names,
    reason = "the field names are the JSON contract's"
)]
struct Line<'a> {
    t_ms: f64,
    ts: &'a str,
    kind: &'static str,
    version: &'a str,
    command_line: &'a [String],
    seed: u64,
    policy: &'a str,
}

/// The `session` record as one JSON line. It comes before the events and
/// has no `seq`: `seq` numbers the engine's events, which start at 0 after it.
pub fn write_session(out: &mut Vec<u8>, session: &SessionRecord) -> io::Result<()> {
    let ts = crate::timestamp::rfc3339_millis(session.wall);
    let line = Line {
        t_ms: 0.0,
        ts: &ts,
        kind: "session",
        version: &session.version,
        command_line: &session.command_line,
        seed: session.seed,
        policy: &session.policy,
    };
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, TerminalSafe);
    line.serialize(&mut ser)?;
    out.push(b'\n');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_record_is_one_line_of_json() {
        let s = SessionRecord {
            version: "9.9.9".into(),
            command_line: vec!["wsprobe".into(), "ws://h/?token=REDACTED".into()],
            policy: "[classes]\nx = 1\n".into(),
            seed: 7,
            wall: std::time::UNIX_EPOCH,
        };
        let mut out = Vec::new();
        write_session(&mut out, &s).unwrap();
        assert_eq!(String::from_utf8_lossy(&out).lines().count(), 1);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["kind"], "session");
        assert_eq!(v["ts"], "1970-01-01T00:00:00.000Z");
        assert_eq!(v["seed"], 7);
        assert_eq!(v["version"], "9.9.9");
        assert_eq!(v["command_line"][1], "ws://h/?token=REDACTED");
        assert!(v.get("seq").is_none());
    }
}
