//! The fleet's aggregates as text and JSON: the headless line per second,
//! the final report table, the `summary` record, and the labels the screen
//! shares with them. Pure functions of [`FleetState`].

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{Value, json};

use super::fact::{ClientState, Ended};
use super::state::{Burst, FleetState};
use crate::engine::catalog;
use crate::engine::policy::Trigger;

/// What ended an attempt, for people: `1012 Service Restart`,
/// `http-503 HTTP 503 Service Unavailable`, `refused Connection refused`.
pub fn cause_label(e: &Ended) -> String {
    let info = e.info();
    match e.trigger {
        Trigger::Code(code) => format!("{code} {}", catalog::cause_name(&info)),
        other => format!("{} {}", other.key(), catalog::cause_name(&info)),
    }
}

/// The catalog's fix advice for an ending.
pub fn advice(e: &Ended) -> &'static str {
    catalog::for_close(&e.info()).fix
}

/// Seconds with one decimal (`4.6s`), or `–`.
pub fn secs(d: Option<Duration>) -> String {
    d.map_or_else(|| "–".into(), |d| format!("{:.1}s", d.as_secs_f64()))
}

/// `mm:ss.t` of a fleet time.
pub fn clock(t: Duration) -> String {
    let s = t.as_secs();
    format!("{:02}:{:02}.{}", s / 60, s % 60, t.subsec_millis() / 100)
}

/// Attempts started in the second before `t`.
pub fn attempts_last_second(state: &FleetState, t: Duration) -> u32 {
    let end = (t.as_millis() / 100) as usize;
    let from = end.saturating_sub(10);
    state
        .attempts
        .get(from..end.min(state.attempts.len()))
        .unwrap_or_default()
        .iter()
        .sum()
}

/// The `--headless` line of one second.
pub fn second_line(state: &FleetState, t: Duration) -> String {
    let c = state.counts;
    let mut line = format!(
        "[{:>7.1}s] open {:>5}  connecting {:>5}  waiting {:>5}  stopped {:>5}",
        t.as_secs_f64(),
        c[0],
        c[1],
        c[2],
        c[3]
    );
    if c[4] > 0 {
        let _ = write!(line, "  not started {:>5}", c[4]);
    }
    let _ = write!(line, "  · {} attempts/s", attempts_last_second(state, t));
    line
}

/// The `--headless` report at the end.
pub fn final_table(state: &FleetState, header: &str) -> String {
    let mut out = String::new();
    let c = state.counts;
    let _ = writeln!(out, "\n{header}");
    let _ = writeln!(
        out,
        "states at the end: open {} · connecting {} · waiting {} · stopped {}",
        c[0], c[1], c[2], c[3]
    );
    let _ = writeln!(
        out,
        "attempts {} · opened {} · reconnects {} · gave up {}",
        state.total_attempts,
        state.opens,
        state.reconnects,
        state.gave_up()
    );
    let l = &state.lateness;
    if let (Some(p50), Some(p99)) = (l.quantile(0.5), l.quantile(0.99)) {
        let _ = writeln!(
            out,
            "lateness of attempts against their announced due time: p50 {p50:.1} ms · p99 {p99:.1} ms · max {:.1} ms ({} attempts)",
            l.max_ms, l.count
        );
    }
    let _ = writeln!(out, "\n{:<44} {:>8}  class", "what ended them", "count");
    for cause in &state.causes {
        let _ = writeln!(
            out,
            "{:<44} {:>8}  {}",
            crate::ui::fmt::fit(&cause_label(&cause.ended), 44),
            cause.count,
            cause.ended.class.label()
        );
    }
    if let Some(top) = state.causes.first() {
        let _ = writeln!(
            out,
            "fix ({}): {}",
            cause_label(&top.ended),
            crate::text::first_sentence(advice(&top.ended))
        );
    }
    if !state.bursts.is_empty() {
        let _ = writeln!(
            out,
            "\n{:<9} {:>5} {:>8} {:>16} {:>7} {:>7} {:>7} {:>8}",
            "mass close", "code", "clients", "peak attempts/s", "50%", "95%", "100%", "gave up"
        );
        for b in &state.bursts {
            let (_, storm) = state.storm(b, usize::MAX);
            let _ = writeln!(
                out,
                "{:<10} {:>5} {:>8} {:>16} {:>7} {:>7} {:>7} {:>8}",
                clock(b.start),
                b.code,
                b.clients,
                FleetState::peak_per_second(&storm),
                secs(b.recovery(0.5)),
                secs(b.recovery(0.95)),
                secs(b.recovery(1.0)),
                b.gave_up
            );
        }
    }
    out
}

fn ms(d: Option<Duration>) -> Value {
    d.map_or(Value::Null, |d| json!(d.as_millis() as u64))
}

fn burst_json(state: &FleetState, b: &Burst) -> Value {
    let (from, storm) = state.storm(b, usize::MAX);
    json!({
        "t_ms": b.start.as_millis() as u64,
        "code": b.code,
        "clients": b.clients,
        "reopened": b.reopened.len(),
        "gave_up": b.gave_up,
        "peak_attempts_per_s": FleetState::peak_per_second(&storm),
        "attempts_per_100ms": { "from_t_ms": from.as_millis() as u64, "counts": storm },
        "recovery_ms": {
            "p50": ms(b.recovery(0.5)),
            "p95": ms(b.recovery(0.95)),
            "p100": ms(b.recovery(1.0)),
        },
    })
}

/// The `summary` record (SPEC §2) at fleet time `t`; `last` for the one at the end.
pub fn summary_json(state: &FleetState, seq: u64, t: Duration, last: bool) -> Value {
    let c = state.counts;
    let states = ClientState::CHARTED
        .iter()
        .chain([&ClientState::NotStarted])
        .map(|s| (s.label().replace(' ', "_"), json!(c[s.index()])))
        .collect::<serde_json::Map<_, _>>();
    let closes: Vec<Value> = state
        .causes
        .iter()
        .map(|cause| {
            let e = &cause.ended;
            json!({
                "trigger": e.trigger.name(),
                "code": e.code,
                "name": catalog::cause_name(&e.info()),
                "class": e.class.key(),
                "count": cause.count,
            })
        })
        .collect();
    let l = &state.lateness;
    json!({
        "seq": seq,
        "t_ms": (t.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
        "kind": "summary",
        "final": last,
        "clients": state.clients,
        "states": states,
        "attempts": state.total_attempts,
        "opened": state.opens,
        "reconnects": state.reconnects,
        "gave_up": state.gave_up(),
        "closes": closes,
        "lateness_ms": {
            "count": l.count,
            "p50": l.quantile(0.5),
            "p99": l.quantile(0.99),
            "max": (l.count > 0).then_some(l.max_ms),
        },
        "bursts": state.bursts.iter().map(|b| burst_json(state, b)).collect::<Vec<_>>(),
    })
}
