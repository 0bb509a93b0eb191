//! The policy file: `policy::file::parse`, and when it parses, `show` of the
//! policy parses back.
//!
//! Checks: no panic; an error names a line of the text (or 0 when the key
//! is not written); `show` parses back to a policy that decides every
//! failure, HTTP status and close code (at every boundary of the catalog
//! and the presets) the same way, has the same numbers, and shows the same
//! text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsprobe::engine::policy::file::{parse, show};
use wsprobe::engine::policy::{Policy, Trigger};

/// Codes at every boundary of the catalog and the presets.
const CODES: &[u16] = &[
    0, 1, 999, 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013,
    1014, 1015, 1016, 2999, 3000, 3003, 3008, 3999, 4000, 4001, 4002, 4003, 4004, 4005, 4007, 4008,
    4009, 4010, 4011, 4012, 4013, 4014, 4400, 4403, 4408, 4409, 4429, 4499, 4500, 4999, 5000,
    65535,
];

const FAILURES: &[Trigger] = &[
    Trigger::User,
    Trigger::Dns,
    Trigger::Refused,
    Trigger::Timeout,
    Trigger::Tls,
    Trigger::NotHttp,
    Trigger::Liveness,
    Trigger::Violation,
    Trigger::Capacity,
];

fn same_decisions(a: &Policy, b: &Policy, extra: &[u16]) {
    let codes = CODES
        .iter()
        .chain(extra)
        .copied()
        .map(Trigger::Code);
    let https = [
        100u16, 200, 301, 400, 401, 403, 404, 426, 429, 500, 502, 503, 599,
    ]
    .into_iter()
    .chain(extra.iter().copied())
    .map(Trigger::Http);
    for t in codes.chain(https).chain(FAILURES.iter().copied()) {
        assert_eq!(
            a.classify(t),
            b.classify(t),
            "{t:?} is classified differently"
        );
    }
    assert_eq!(a.classes, b.classes, "class numbers differ");
    assert_eq!(a.min_uptime, b.min_uptime);
    assert_eq!(a.reconnect_on_normal, b.reconnect_on_normal);
    assert_eq!(a.max_retry_after, b.max_retry_after);
    assert_eq!(a.ping_interval, b.ping_interval);
    assert_eq!(a.ping_timeout, b.ping_timeout);
    assert_eq!(a.preset, b.preset);
}

fuzz_target!(|text: &str| {
    let policy = match parse("fuzz.toml", text) {
        Ok(p) => p,
        Err(e) => {
            assert!(e.line <= text.lines().count() + 1, "line {} of {e}", e.line);
            assert!(!e.key.is_empty());
            return;
        }
    };
    let shown = show(&policy);
    let back = parse("shown.toml", &shown)
        .unwrap_or_else(|e| panic!("the shown policy does not parse back: {e}\n{shown}"));
    // Every number the text names is also asked about.
    let extra: Vec<u16> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .take(64)
        .collect();
    same_decisions(&policy, &back, &extra);
    assert_eq!(show(&back), shown, "show is not stable");
});
