//! Making network text safe for a terminal: `sanitize::sanitize(text, n)`
//! and `text::escape`.
//!
//! Input: two bytes for the limit (0xffff means no limit), then the text
//! (invalid UTF-8 is decoded lossily, as the engine does with close reasons).
//!
//! Checks: no panic; no output holds a C0 control, DEL, a C1 control, a bidi
//! control (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) or a line
//! or paragraph separator (U+2028, U+2029), the set of `is_unsafe`; the
//! output is at most `n` characters, ends with `…` exactly when it was cut,
//! and otherwise equals `escape`; text with nothing to escape is unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsprobe::sanitize::{is_unsafe, sanitize};
use wsprobe::text::escape;

/// The characters no output may hold, spelled out independently.
fn forbidden(c: char) -> bool {
    let u = u32::from(c);
    u < 0x20
        || u == 0x7f
        || (0x80..=0x9f).contains(&u)
        || (0x202a..=0x202e).contains(&u)
        || (0x2066..=0x2069).contains(&u)
        || matches!(u, 0x200e | 0x200f | 0x061c | 0x2028 | 0x2029)
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let raw = u16::from_be_bytes([data[0], data[1]]);
    let max = if raw == u16::MAX {
        usize::MAX
    } else {
        usize::from(raw)
    };
    let text = String::from_utf8_lossy(&data[2..]);

    for c in text.chars() {
        assert_eq!(is_unsafe(c), forbidden(c), "is_unsafe disagrees on {c:?}");
    }

    let escaped = escape(&text);
    assert!(
        !escaped.chars().any(forbidden),
        "escape let through: {escaped:?}"
    );
    if !text.chars().any(forbidden) {
        assert_eq!(escaped, text, "safe text changed");
    }
    assert_eq!(escaped, sanitize(&text, usize::MAX));

    let out = sanitize(&text, max);
    assert!(!out.chars().any(forbidden), "sanitize let through: {out:?}");
    let n = out.chars().count();
    assert!(n <= max, "{n} characters for a limit of {max}");
    let full = escaped.chars().count();
    if full <= max {
        assert_eq!(out, escaped, "cut although it fits");
    } else {
        if max > 0 {
            assert!(out.ends_with('…'), "a cut without an ellipsis: {out:?}");
        } else {
            assert!(out.is_empty());
        }
        let kept = out.strip_suffix('…').unwrap_or(&out);
        assert!(
            escaped.starts_with(kept),
            "the cut is not a prefix: {out:?}"
        );
    }
});
