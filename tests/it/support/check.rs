//! The checker of the SPEC §2 invariants, for engine runs and the
//! binary's JSON lines alike.

use serde_json::Value;

use super::{dump, window};

/// How far a `connecting` may come before the announced `due_t_ms`
/// (both are rounded to microseconds; timers never fire early).
const DUE_SLACK_MS: f64 = 1.5;

#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Before the first `connecting`.
    Start,
    /// Between `connecting` and `close`.
    Attempt {
        attempt: u64,
        opened: bool,
        errors: usize,
        protocol_errors: usize,
    },
    /// After `close`, before the decision.
    Closed { attempt: u64 },
    /// After `reconnect`: waiting for `due` (None while paused).
    Waiting { next: u64, due: Option<f64> },
    /// After `give_up`.
    Ended,
}

/// Checks the invariants of SPEC §2 on a finished run and panics with the
/// whole event list when one is broken:
/// - `seq` counts from 0 by one; `t_ms` never decreases;
/// - attempts are numbered 1, 2, …; each `connecting` ends in exactly one
///   `close`, followed by exactly one `reconnect` or `give_up`; errors come
///   before the close; data frames only while open;
/// - a derived close (1005, 1006, 1015) has `wire: false`, a wire code is
///   never one of those, and a close without a Close frame from anyone is
///   explained by an `error` before it (except when the user ended a dial);
/// - `received_code` comes with code 1002 and a protocol error;
/// - the delay lies in its window and `due_t_ms` = `t_ms` + `delay_ms`;
/// - the next `connecting` comes no earlier than the announced `due_t_ms`
///   (as moved by `resumed`, or by a user's reconnect-now, which re-announces
///   the same attempt with delay 0);
/// - while paused no attempt starts on its own;
/// - the run ends with `give_up`.
pub fn check(events: &[Value]) {
    check_run(events, false);
}

/// [`check`]; `interactive` runs (the TUI's) may start again after `give_up`
/// when the user asks.
pub fn check_run(events: &[Value], interactive: bool) {
    let failer = Fail(events);
    let fail = |i: usize, msg: String| -> ! { failer.at(i, &msg) };
    let mut phase = Phase::Start;
    let mut paused = false;
    let mut last_attempt = 0;
    let mut last_t = 0.0f64;
    for (i, e) in events.iter().enumerate() {
        if e["seq"].as_u64() != Some(i as u64) {
            fail(i, format!("seq should be {i}"));
        }
        let t = e["t_ms"]
            .as_f64()
            .unwrap_or_else(|| fail(i, "no t_ms".into()));
        if t < last_t {
            fail(i, format!("t_ms went back from {last_t} to {t}"));
        }
        last_t = t;
        let kind = e["kind"].as_str().unwrap_or_default();
        match kind {
            "paused" if paused => fail(i, "paused twice".into()),
            "paused" => paused = true,
            "resumed" if !paused => fail(i, "resumed without paused".into()),
            "resumed" => paused = false,
            _ => {}
        }
        phase = match (phase, kind) {
            (Phase::Ended, "connecting" | "paused" | "resumed") if interactive => {
                if kind == "connecting" {
                    last_attempt += 1;
                    if e["attempt"].as_u64() != Some(last_attempt) {
                        fail(i, format!("attempt should be {last_attempt}"));
                    }
                    Phase::Attempt {
                        attempt: last_attempt,
                        opened: false,
                        errors: 0,
                        protocol_errors: 0,
                    }
                } else {
                    Phase::Ended
                }
            }
            (Phase::Start | Phase::Waiting { .. }, "connecting") => {
                let attempt = e["attempt"].as_u64().unwrap_or(0);
                if attempt != last_attempt + 1 {
                    fail(i, format!("attempt {attempt} after {last_attempt}"));
                }
                if let Phase::Waiting { next, due } = phase {
                    if next != attempt {
                        fail(i, format!("reconnect announced attempt {next}"));
                    }
                    match due {
                        None => fail(i, "connected while paused".into()),
                        Some(due) if t + DUE_SLACK_MS < due => {
                            fail(i, format!("connecting at {t} before due_t_ms {due}"));
                        }
                        Some(_) => {}
                    }
                }
                if e["url"].as_str().is_none() {
                    fail(i, "connecting without url".into());
                }
                last_attempt = attempt;
                Phase::Attempt {
                    attempt,
                    opened: false,
                    errors: 0,
                    protocol_errors: 0,
                }
            }
            (
                Phase::Attempt {
                    attempt,
                    opened,
                    errors,
                    protocol_errors,
                },
                k,
            ) if k != "close" => {
                let opened = match k {
                    "open" => {
                        if opened {
                            fail(i, "a second open".into());
                        }
                        if e["attempt"].as_u64() != Some(attempt) || e["status"] != 101 {
                            fail(i, format!("open should be attempt {attempt}, status 101"));
                        }
                        true
                    }
                    "message" | "ping" | "pong" => {
                        if !opened {
                            fail(i, format!("`{k}` before open"));
                        }
                        true
                    }
                    "error" | "paused" | "resumed" => opened,
                    other => fail(i, format!("`{other}` inside attempt {attempt}")),
                };
                let is_error = k == "error";
                Phase::Attempt {
                    attempt,
                    opened,
                    errors: errors + usize::from(is_error),
                    protocol_errors: protocol_errors
                        + usize::from(is_error && e["class"] == "protocol"),
                }
            }
            (
                Phase::Attempt {
                    attempt,
                    errors,
                    protocol_errors,
                    ..
                },
                "close",
            ) => {
                check_close(i, e, events.get(i + 1), errors, protocol_errors, &failer);
                Phase::Closed { attempt }
            }
            (Phase::Closed { attempt }, "reconnect") => {
                check_reconnect(i, e, t, attempt, &failer);
                Phase::Waiting {
                    next: attempt + 1,
                    // Announced, but held until `resumed` when paused.
                    due: if paused { None } else { e["due_t_ms"].as_f64() },
                }
            }
            (Phase::Waiting { next, .. }, "reconnect") => {
                // The user asked to reconnect at once (the same attempt,
                // re-announced), or a resume announced its new due time.
                check_reconnect(i, e, t, next - 1, &failer);
                let after_resume = i > 0 && events[i - 1]["kind"] == "resumed";
                if e["delay_ms"] != 0 && !after_resume {
                    fail(
                        i,
                        "a second reconnect during a wait must be immediate or follow a resume"
                            .into(),
                    );
                }
                Phase::Waiting {
                    next,
                    due: e["due_t_ms"].as_f64(),
                }
            }
            (Phase::Waiting { next, .. }, "paused") => Phase::Waiting { next, due: None },
            (Phase::Waiting { next, .. }, "resumed") => {
                let due = e["due_t_ms"]
                    .as_f64()
                    .unwrap_or_else(|| fail(i, "resumed during a wait needs due_t_ms".into()));
                if due + DUE_SLACK_MS < t {
                    fail(i, format!("resumed with due_t_ms {due} in the past"));
                }
                // The screen and the JSON never disagree about the next
                // attempt: a resume keeps the announced due time, or a new
                // reconnect announces the moved one.
                let announced = events[..i]
                    .iter()
                    .rev()
                    .find(|p| p["kind"] == "reconnect")
                    .and_then(|p| p["due_t_ms"].as_f64());
                let next_event = events.get(i + 1);
                let re_announced = next_event.is_some_and(|n| {
                    n["kind"] == "reconnect" && n["due_t_ms"].as_f64() == Some(due)
                });
                if announced.is_some_and(|a| (a - due).abs() > DUE_SLACK_MS) && !re_announced {
                    fail(
                        i,
                        format!(
                            "resumed moved the due time to {due} without a reconnect announcing it"
                        ),
                    );
                }
                Phase::Waiting {
                    next,
                    due: Some(due),
                }
            }
            (Phase::Closed { .. } | Phase::Waiting { .. }, "give_up") => {
                if e["reason"].as_str().is_none_or(str::is_empty) {
                    fail(i, "give_up without a reason".into());
                }
                Phase::Ended
            }
            (phase, kind) => fail(i, format!("`{kind}` is not allowed in {phase:?}")),
        };
    }
    if !matches!(phase, Phase::Ended) {
        fail(
            events.len(),
            format!("the run ended in {phase:?}, not with give_up"),
        );
    }
}

/// Reports a broken invariant with the whole run.
struct Fail<'a>(&'a [Value]);

impl Fail<'_> {
    fn at(&self, i: usize, msg: &str) -> ! {
        panic!(
            "SPEC §2 invariant broken at event {i}: {msg}\nevents:\n{}",
            dump(self.0)
        )
    }
}

fn check_close(
    i: usize,
    e: &Value,
    next: Option<&Value>,
    errors: usize,
    protocol_errors: usize,
    failer: &Fail<'_>,
) {
    let fail = |i: usize, msg: String| -> ! { failer.at(i, &msg) };
    let code = e["code"]
        .as_u64()
        .unwrap_or_else(|| fail(i, "close without code".into()));
    let wire = e["wire"]
        .as_bool()
        .unwrap_or_else(|| fail(i, "close without wire".into()));
    let initiator = e["initiator"].as_str().unwrap_or_default();
    if !["server", "client", "local"].contains(&initiator) {
        fail(i, format!("initiator `{initiator}`"));
    }
    for field in ["name", "reason"] {
        if !e[field].is_string() {
            fail(i, format!("close without {field}"));
        }
    }
    if !e["clean"].is_boolean() {
        fail(i, "close without clean".into());
    }
    let derived = matches!(code, 1005 | 1006 | 1015);
    if derived && wire {
        fail(i, format!("{code} can never travel in a Close frame"));
    }
    if !wire && !derived && initiator != "client" {
        fail(i, format!("{code} with wire:false"));
    }
    if initiator == "local" {
        if wire || code == 1005 {
            fail(i, "no Close frame, yet a code from the wire".into());
        }
        // The user ending a dial needs no explanation; anything else does.
        let by_user = next.is_some_and(|n| {
            n["kind"] == "give_up" || (n["kind"] == "reconnect" && n["delay_ms"] == 0)
        });
        if errors == 0 && !by_user {
            fail(
                i,
                "a close without a Close frame and no error before it".into(),
            );
        }
    }
    if let Some(received) = e.get("received_code") {
        if code != 1002 || !received.is_u64() {
            fail(i, "received_code needs code 1002".into());
        }
        if protocol_errors == 0 {
            fail(i, "received_code without a protocol error before it".into());
        }
    }
}

fn check_reconnect(i: usize, e: &Value, t: f64, closed: u64, failer: &Fail<'_>) {
    let fail = |i: usize, msg: String| -> ! { failer.at(i, &msg) };
    if e["attempt"].as_u64() != Some(closed + 1) {
        fail(
            i,
            format!("reconnect should announce attempt {}", closed + 1),
        );
    }
    let delay = e["delay_ms"]
        .as_u64()
        .unwrap_or_else(|| fail(i, "no delay_ms".into()));
    let (lo, hi) = window(e);
    if delay < lo || delay > hi {
        fail(i, format!("delay {delay} outside [{lo}, {hi}]"));
    }
    let due = e["due_t_ms"]
        .as_f64()
        .unwrap_or_else(|| fail(i, "no due_t_ms".into()));
    // The due time is fixed just before the event is stamped.
    let start = due - delay as f64;
    if start > t + DUE_SLACK_MS || start + 250.0 < t {
        fail(
            i,
            format!("due_t_ms {due} is not t_ms {t} + delay_ms {delay}"),
        );
    }
    if e["rule"].as_str().is_none_or(str::is_empty) {
        fail(i, "reconnect without a rule".into());
    }
}
