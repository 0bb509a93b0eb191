//! The Prometheus text exposition format (0.0.4), written by hand.

use std::fmt::Write as _;
use std::sync::PoisonError;
use std::sync::atomic::Ordering;

use super::{Histogram, Metrics};
use crate::engine::policy::Class;

/// Escapes a label value: backslash, double quote and line feed.
pub fn label(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// A float as Prometheus writes it (`+Inf` for infinity).
fn num(v: f64) -> String {
    if v.is_infinite() {
        "+Inf".into()
    } else {
        format!("{v}")
    }
}

fn head(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn histogram(out: &mut String, name: &str, help: &str, inst: &str, h: &Histogram) {
    head(out, name, "histogram", help);
    let (buckets, count, sum) = h.snapshot();
    for (le, n) in buckets {
        let _ = writeln!(
            out,
            "{name}_bucket{{instance=\"{inst}\",le=\"{}\"}} {n}",
            num(le)
        );
    }
    let _ = writeln!(
        out,
        "{name}_bucket{{instance=\"{inst}\",le=\"+Inf\"}} {count}"
    );
    let _ = writeln!(out, "{name}_sum{{instance=\"{inst}\"}} {}", num(sum));
    let _ = writeln!(out, "{name}_count{{instance=\"{inst}\"}} {count}");
}

/// Every metric, as one exposition.
pub(super) fn render(m: &Metrics) -> String {
    let inst = label(&m.instance);
    let mut out = String::with_capacity(4096);
    head(
        &mut out,
        "wsprobe_clients",
        "gauge",
        "Clients this wsprobe runs (1 for a single run).",
    );
    let _ = writeln!(out, "wsprobe_clients{{instance=\"{inst}\"}} {}", m.clients);
    head(
        &mut out,
        "wsprobe_connections_open",
        "gauge",
        "Connections open now (the upgrade succeeded and no close yet).",
    );
    let _ = writeln!(
        out,
        "wsprobe_connections_open{{instance=\"{inst}\"}} {}",
        m.open.load(Ordering::Relaxed).max(0)
    );
    head(
        &mut out,
        "wsprobe_attempts_total",
        "counter",
        "Connection attempts started.",
    );
    let _ = writeln!(
        out,
        "wsprobe_attempts_total{{instance=\"{inst}\"}} {}",
        m.attempts.load(Ordering::Relaxed)
    );
    head(
        &mut out,
        "wsprobe_reconnects_total",
        "counter",
        "Reconnects the policy scheduled, by the class of the close before them.",
    );
    for (class, n) in Class::ALL.iter().zip(&m.reconnects) {
        let _ = writeln!(
            out,
            "wsprobe_reconnects_total{{instance=\"{inst}\",class=\"{}\"}} {}",
            class.key(),
            n.load(Ordering::Relaxed)
        );
    }
    head(
        &mut out,
        "wsprobe_closes_total",
        "counter",
        "Attempts ended, by close code (derived for handshake failures), the trigger the policy was given and the class it concluded.",
    );
    let closes = m
        .closes
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    for ((code, trigger, class), n) in closes {
        let _ = writeln!(
            out,
            "wsprobe_closes_total{{instance=\"{inst}\",code=\"{code}\",trigger=\"{}\",class=\"{class}\"}} {n}",
            label(&trigger)
        );
    }
    head(
        &mut out,
        "wsprobe_gave_up_total",
        "counter",
        "Clients whose run ended without success (not by the user, --duration or a policy stop after 1000).",
    );
    let _ = writeln!(
        out,
        "wsprobe_gave_up_total{{instance=\"{inst}\"}} {}",
        m.gave_up.load(Ordering::Relaxed)
    );
    histogram(
        &mut out,
        "wsprobe_handshake_seconds",
        "Time from the start of an attempt to the open connection (DNS, TCP, TLS, upgrade).",
        &inst,
        &m.handshake,
    );
    histogram(
        &mut out,
        "wsprobe_rtt_seconds",
        "Round trip of wsprobe's pings, from the pong that answered each.",
        &inst,
        &m.rtt,
    );
    histogram(
        &mut out,
        "wsprobe_down_seconds",
        "Time down: from a connection's close to the client's next open connection.",
        &inst,
        &m.down,
    );
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::engine::event::{CloseInfo, Initiator};
    use crate::engine::policy::Trigger;

    #[test]
    fn the_exposition_has_every_family_and_escapes_labels() {
        let m = Metrics::new("a\"b\\c", 3);
        m.attempt();
        m.opened(Duration::from_millis(3), None);
        let mut info = CloseInfo::derived(1012, Initiator::Server, Trigger::Code(1012));
        info.class = Class::ServiceRestart;
        m.closed(&info, true);
        m.reconnect(Class::ServiceRestart);
        m.opened(Duration::from_millis(2), Some(Duration::from_millis(1500)));
        let text = m.render();
        assert!(text.contains(r#"instance="a\"b\\c""#), "{text}");
        assert!(text.contains("wsprobe_attempts_total{"));
        assert!(text.contains(r#"code="1012",trigger="close 1012",class="service-restart"} 1"#));
        assert!(
            text.contains(
                r#"wsprobe_reconnects_total{instance="a\"b\\c",class="service-restart"} 1"#
            )
        );
        assert!(
            text.contains(r#"wsprobe_handshake_seconds_bucket{instance="a\"b\\c",le="0.005"} 2"#)
        );
        assert!(text.contains(r#"wsprobe_down_seconds_bucket{instance="a\"b\\c",le="2"} 1"#));
        assert!(text.contains(r#"wsprobe_connections_open{instance="a\"b\\c"} 1"#));
    }
}
