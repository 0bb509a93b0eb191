//! Human durations: `duration::parse_duration`, and `format_duration` of
//! what it accepted.
//!
//! Checks: no panic; what parses is at most 1e9 s; its formatted form parses
//! again, within a millisecond of it, and formats to the same text.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use wsprobe::duration::{format_duration, parse_duration};

fuzz_target!(|input: &str| {
    let Ok(d) = parse_duration(input) else {
        return;
    };
    assert!(
        d <= Duration::from_secs(1_000_000_000),
        "{input:?} gave {d:?}"
    );
    let shown = format_duration(d);
    let back = parse_duration(&shown)
        .unwrap_or_else(|e| panic!("{input:?} → {d:?} → {shown:?} does not parse: {e}"));
    let gap = if back > d { back - d } else { d - back };
    assert!(
        gap < Duration::from_millis(1),
        "{input:?} → {d:?} → {shown:?} → {back:?}"
    );
    assert_eq!(format_duration(back), shown, "{input:?} → {d:?} → {back:?}");
});
