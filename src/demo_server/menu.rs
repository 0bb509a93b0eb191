//! The scenario menu that `wsprobe serve`, the 404 page and the root page show.

use std::fmt::Write as _;
use std::time::Duration;

use super::scenario::{CYCLE, Scenario};
use crate::duration::format_duration;

/// The scenario menu: each path with one line saying what it does, using the
/// configured timings.
pub(crate) fn menu(
    default: &Scenario,
    downtime: Duration,
    window: Duration,
    retry_after: Duration,
    phase: Duration,
) -> String {
    let d = format_duration;
    let cycle: Vec<&str> = CYCLE.iter().map(Scenario::name).collect();
    let rows = [
        (
            "/echo",
            "echo text and binary messages (pings are answered)".to_string(),
        ),
        ("/normal", "close with 1000 (normal closure)".into()),
        ("/going-away", "close with 1001 (going away)".into()),
        (
            "/close/{code}",
            "close with any code 0-65535, also ones never allowed on the wire".into(),
        ),
        (
            "  ?reason=TEXT&after=DUR",
            "with a reason (max 123 bytes), after echoing for DUR".into(),
        ),
        (
            "/close/empty",
            "a Close frame without a code (the client reports 1005)".into(),
        ),
        (
            "/restart",
            format!(
                "close with 1012, refuse connections for {}, then listen again",
                d(downtime)
            ),
        ),
        (
            "/overload",
            format!(
                "close with 1013; handshakes in the next {} get HTTP 503, Retry-After: {}",
                d(window),
                retry_after_secs(retry_after)
            ),
        ),
        (
            "/reject/{status}",
            "answer the handshake with this HTTP status (200-599)".into(),
        ),
        (
            "/drop",
            "send one message, then reset the TCP connection (the client reports 1006)".into(),
        ),
        ("/silent", "never send a frame, never answer a ping".into()),
        (
            "/flood?n=N&size=B",
            "send N text messages of B bytes at full speed (default 1000 x 32), then 1000".into(),
        ),
        (
            "/cycle",
            format!(
                "each connection echoes for {} (a tick each second), then ends as",
                d(phase)
            ),
        ),
        ("", format!("the next of: {}, in turn", cycle.join(", "))),
        (
            "/deploy?code=1012",
            format!(
                "every {}: close all open connections of the path at once, answer 503",
                d(phase)
            ),
        ),
        (
            "",
            format!("for {}, then accept again (a deploy)", d(downtime)),
        ),
        (
            "/rolling?batches=K",
            format!(
                "close the connections in K batches (default 4), one every {}",
                d(phase)
            ),
        ),
        (
            "/capacity?max=M",
            format!(
                "hold up to M connections (default 100); beyond, 503 + Retry-After: {}",
                retry_after_secs(retry_after)
            ),
        ),
        ("/", format!("the same as {default} (--scenario)")),
    ];
    let mut out = String::new();
    for (path, what) in rows {
        let _ = writeln!(out, "  {path:<26} {what}");
    }
    out
}

/// Retry-After in whole seconds, rounded up so a client never comes back early.
pub(crate) fn retry_after_secs(retry_after: Duration) -> u64 {
    retry_after.as_millis().div_ceil(1000) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_secs(Duration::from_secs(2)), 2);
        assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_secs(Duration::ZERO), 0);
    }

    #[test]
    fn the_menu_lists_every_path_with_the_timings() {
        let text = menu(
            &Scenario::Cycle,
            Duration::from_secs(3),
            Duration::from_secs(5),
            Duration::from_secs(2),
            Duration::from_secs(6),
        );
        for path in [
            "/echo",
            "/normal",
            "/going-away",
            "/close/{code}",
            "/close/empty",
            "/restart",
            "/overload",
            "/reject/{status}",
            "/drop",
            "/silent",
            "/flood",
            "/cycle",
            "/deploy",
            "/rolling",
            "/capacity",
        ] {
            assert!(text.contains(path), "{path} missing from\n{text}");
        }
        assert!(
            text.contains("for 3s") && text.contains("next 5s") && text.contains("Retry-After: 2")
        );
        assert!(text.contains("the same as /cycle"));
    }
}
