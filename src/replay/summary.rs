//! `replay --summary`: one row per connection attempt — when it started, how
//! long it was open, messages and bytes each way, how it ended (code, name,
//! class) and the delay that followed — then totals: uptime, time down,
//! reconnects, the longest outage and the close codes by count. Rows are
//! written as attempts end, so memory does not grow with the recording.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, BufRead, Write};
use std::time::{Duration, SystemTime};

use super::Ending;
use super::read::{Item, Reader};
use crate::duration::format_duration;
use crate::engine::event::{Dir, EventKind};
use crate::text::escape;

/// One attempt being counted.
#[derive(Default)]
struct Attempt {
    number: u32,
    started: Duration,
    wall: Option<SystemTime>,
    opened: Option<Duration>,
    open_for: Duration,
    msgs: [u64; 2],
    bytes: [u64; 2],
    ended: Option<String>,
}

/// Totals over the whole recording.
#[derive(Default)]
struct Totals {
    first: Option<Duration>,
    last: Duration,
    up: Duration,
    attempts: u64,
    /// Since when nothing has been open (the start, or the last close).
    down_since: Option<Duration>,
    longest_outage: Duration,
    codes: BTreeMap<u16, (String, u64)>,
}

const HEADER: &str = "attempt  started                open for    msgs in/out        bytes in/out  ended                                            then";

/// Reads `reader` to its end and writes the table and totals to `out`.
pub fn write<R: BufRead>(
    mut reader: Reader<R>,
    out: &mut impl Write,
    name: &str,
) -> anyhow::Result<Ending> {
    let mut w = io::BufWriter::new(out);
    writeln!(w, "{}", escape(name))?;
    writeln!(w, "{HEADER}")?;
    let mut current: Option<Attempt> = None;
    let mut totals = Totals::default();
    let mut any = false;
    while let Some(item) = reader.next_item()? {
        any = true;
        let Item::Event(rec) = item else {
            continue;
        };
        let t = rec.event.t;
        totals.first.get_or_insert(t);
        totals.last = totals.last.max(t);
        totals.down_since.get_or_insert(t);
        match &rec.event.kind {
            EventKind::Connecting { attempt, .. } => {
                if let Some(a) = current.take() {
                    row(&mut w, &a, "")?;
                }
                totals.attempts += 1;
                current = Some(Attempt {
                    number: *attempt,
                    started: t,
                    wall: rec.ts,
                    ..Attempt::default()
                });
            }
            EventKind::Open { .. } => {
                if let Some(a) = current.as_mut() {
                    a.opened = Some(t);
                }
                if let Some(since) = totals.down_since.take() {
                    totals.longest_outage = totals.longest_outage.max(t.saturating_sub(since));
                }
            }
            EventKind::Message { dir, payload } => {
                if let Some(a) = current.as_mut() {
                    let i = usize::from(*dir == Dir::Out);
                    a.msgs[i] += 1;
                    a.bytes[i] += payload.len() as u64;
                }
            }
            EventKind::Close(info) => {
                if let Some(a) = current.as_mut() {
                    if let Some(opened) = a.opened {
                        a.open_for = t.saturating_sub(opened);
                        totals.up += a.open_for;
                        totals.down_since = Some(t);
                    }
                    a.ended = Some(format!(
                        "{} {} · {}",
                        info.code,
                        crate::engine::catalog::cause_name(info),
                        info.class.label()
                    ));
                }
                let entry = totals
                    .codes
                    .entry(info.code)
                    .or_insert_with(|| (info.name.clone(), 0));
                entry.1 += 1;
            }
            EventKind::Reconnect { delay_ms, .. } => {
                if let Some(a) = current.take() {
                    let d = format_duration(Duration::from_millis(*delay_ms));
                    row(&mut w, &a, &format!("retry after {d}"))?;
                }
            }
            EventKind::GiveUp { .. } => {
                if let Some(a) = current.take() {
                    row(&mut w, &a, "gave up")?;
                }
            }
            _ => {}
        }
    }
    if let Some(mut a) = current.take() {
        // Still open when the recording ends.
        if let Some(opened) = a.opened.filter(|_| a.ended.is_none()) {
            a.open_for = totals.last.saturating_sub(opened);
            totals.up += a.open_for;
            totals.down_since = None;
        }
        row(&mut w, &a, "(end of recording)")?;
    }
    if let Some(since) = totals.down_since {
        totals.longest_outage = totals.longest_outage.max(totals.last.saturating_sub(since));
    }
    write_totals(&mut w, &totals)?;
    w.flush()?;
    Ok(Ending {
        truncated: reader.truncated(),
        any,
    })
}

fn row(w: &mut impl Write, a: &Attempt, then: &str) -> io::Result<()> {
    let mut started = clock(a.started);
    if let Some(wall) = a.wall {
        let ts = crate::timestamp::rfc3339_millis(wall);
        let _ = write!(started, " {}Z", &ts[11..19]);
    }
    let open_for = if a.opened.is_some() {
        seconds(a.open_for)
    } else {
        "never".into()
    };
    let msgs = format!("{}/{}", a.msgs[0], a.msgs[1]);
    let bytes = format!("{}/{}", bytes(a.bytes[0]), bytes(a.bytes[1]));
    let ended = a.ended.as_deref().unwrap_or("(no close recorded)");
    writeln!(
        w,
        "#{:<7} {started:<22} {open_for:>8}    {msgs:>11}  {bytes:>18}  {ended:<48} {then}",
        a.number
    )
}

fn write_totals(w: &mut impl Write, t: &Totals) -> io::Result<()> {
    let span = t.last.saturating_sub(t.first.unwrap_or_default());
    let pct = if span.is_zero() {
        0.0
    } else {
        t.up.as_secs_f64() / span.as_secs_f64() * 100.0
    };
    writeln!(w)?;
    writeln!(
        w,
        "recorded   {} · {} attempt{}",
        seconds(span),
        t.attempts,
        if t.attempts == 1 { "" } else { "s" }
    )?;
    writeln!(w, "uptime     {pct:.1}% ({} open)", seconds(t.up))?;
    writeln!(w, "time down  {}", seconds(span.saturating_sub(t.up)))?;
    writeln!(w, "reconnects {}", t.attempts.saturating_sub(1))?;
    writeln!(w, "longest outage {}", seconds(t.longest_outage))?;
    write!(w, "closes    ")?;
    if t.codes.is_empty() {
        write!(w, " none")?;
    }
    let mut by_count: Vec<_> = t.codes.iter().collect();
    by_count.sort_by(|a, b| b.1.1.cmp(&a.1.1).then(a.0.cmp(b.0)));
    for (code, (name, n)) in by_count {
        write!(w, " {code} {name} ×{n};")?;
    }
    writeln!(w)
}

/// Run time as `mm:ss.mmm` (hours added when needed).
fn clock(t: Duration) -> String {
    let ms = t.as_millis();
    let (h, m, s, ms) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    if h > 0 {
        format!("+{h}:{m:02}:{s:02}.{ms:03}")
    } else {
        format!("+{m:02}:{s:02}.{ms:03}")
    }
}

fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 60.0 {
        format!("{s:.1} s")
    } else {
        format_duration(Duration::from_secs(d.as_secs()))
    }
}

fn bytes(n: u64) -> String {
    match n {
        0..1024 => format!("{n} B"),
        1024..1_048_576 => format!("{:.1} KiB", n as f64 / 1024.0),
        _ => format!("{:.1} MiB", n as f64 / 1_048_576.0),
    }
}
