//! Reading events as JSON values, and assertions on them.

use serde_json::Value;

/// The kinds of a list of events.
pub fn kinds(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or("?"))
        .collect()
}

/// One JSON line per event.
pub fn dump(events: &[Value]) -> String {
    events
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A JSON number as `f64` (panics when missing).
pub fn num(v: &Value, field: &str) -> f64 {
    v[field]
        .as_f64()
        .unwrap_or_else(|| panic!("`{field}` is not a number in {v}"))
}

/// A JSON integer as `u64` (panics when missing).
pub fn int(v: &Value, field: &str) -> u64 {
    v[field]
        .as_u64()
        .unwrap_or_else(|| panic!("`{field}` is not an integer in {v}"))
}

/// `window_ms` as a pair.
pub fn window(v: &Value) -> (u64, u64) {
    let w = v["window_ms"]
        .as_array()
        .unwrap_or_else(|| panic!("no window_ms in {v}"));
    assert_eq!(w.len(), 2, "window_ms has two ends: {v}");
    (
        w[0].as_u64().expect("integer"),
        w[1].as_u64().expect("integer"),
    )
}

/// Asserts a `reconnect` event: rule prefix and window.
pub fn assert_reconnect(v: &Value, rule_prefix: &str, expected_window: (u64, u64)) {
    assert_eq!(v["kind"], "reconnect", "expected a reconnect, got {v}");
    let rule = v["rule"].as_str().unwrap_or_default();
    assert!(
        rule.starts_with(rule_prefix),
        "rule `{rule}` should start with `{rule_prefix}`"
    );
    assert_eq!(window(v), expected_window, "window of {v}");
}

/// Asserts how an attempt that never opened starts: `connecting`, an
/// `error` of `class`, a derived `close` with `code` (wire false, local).
pub fn assert_failed_attempt(events: &[Value], class: &str, code: u64) {
    let ctx = dump(events);
    assert_eq!(
        &kinds(events)[..3],
        ["connecting", "error", "close"],
        "{ctx}"
    );
    assert_eq!(events[1]["class"], class, "{ctx}");
    assert_eq!(events[2]["code"], code, "{ctx}");
    assert_eq!(events[2]["wire"], false, "{ctx}");
    assert_eq!(events[2]["initiator"], "local", "{ctx}");
}
