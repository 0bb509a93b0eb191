//! Small formatters shared by the regions: times, sizes, wrapping.

use std::time::Duration;

/// Run time as `mm:ss.mmm` (minutes grow past 59 rather than adding hours,
/// so the column keeps one shape for the first 100 minutes).
pub fn clock(t: Duration) -> String {
    let ms = t.as_millis();
    format!(
        "{:02}:{:02}.{:03}",
        ms / 60_000,
        (ms / 1000) % 60,
        ms % 1000
    )
}

// Durations have one formatter (`crate::duration`), one style for every
// view; these names only say which of its forms a region uses.

/// A countdown with tenths: `3.8s`, `1m4.5s`.
pub fn tenths(d: Duration) -> String {
    crate::duration::format_countdown(d)
}

/// A duration for people: `850ms`, `12s`, `4m5s`.
pub fn human(d: Duration) -> String {
    crate::duration::format_duration(d)
}

/// Milliseconds as the engine measures them: `0.4ms`, `12.3ms`.
pub fn millis(ms: f64) -> String {
    crate::duration::format_millis(ms)
}

/// A window in ms: `1s-5s`.
pub fn window(ms: [u64; 2]) -> String {
    crate::duration::format_window(Duration::from_millis(ms[0]), Duration::from_millis(ms[1]))
}

/// A byte count: `12B`, `1.5KiB`, `3.0MiB`.
pub fn bytes(n: usize) -> String {
    const KIB: f64 = 1024.0;
    let f = n as f64;
    if n < 1024 {
        format!("{n}B")
    } else if f < KIB * KIB {
        format!("{:.1}KiB", f / KIB)
    } else {
        format!("{:.1}MiB", f / (KIB * KIB))
    }
}

pub use crate::text::{hex, wrap};

/// Wall-clock time in UTC as `hh:mm:ss.mmm`.
pub fn wall(at: std::time::SystemTime) -> String {
    let since = at.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let ms = since.as_millis() % 86_400_000;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        (ms / 60_000) % 60,
        (ms / 1000) % 60,
        ms % 1000
    )
}

/// A count with its thousands apart: `40 000`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// Cuts `text` to `width` characters, marking the cut with `…`.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    if width > 0 {
        out.push('…');
    }
    out
}

/// The last `width` characters of `text`, sanitized: an input box shows
/// the end of what is typed, where the cursor is.
pub fn tail(text: &str, width: usize) -> String {
    let shown = crate::sanitize::sanitize(text, usize::MAX);
    let n = shown.chars().count();
    shown.chars().skip(n.saturating_sub(width)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(clock(Duration::from_millis(61_234)), "01:01.234");
        // The one duration style of every view.
        assert_eq!(
            tenths(Duration::from_millis(3_401)),
            crate::duration::format_countdown(Duration::from_millis(3_401))
        );
        assert_eq!(human(Duration::from_secs(245)), "4m5s");
        assert_eq!(millis(4.54), crate::duration::format_millis(4.54));
        assert_eq!(bytes(1536), "1.5KiB");
        assert_eq!(hex(&[0, 255, 16]), "00ff10");
        assert_eq!(window([1000, 5000]), "1s-5s");
        assert_eq!(count(40_000), "40 000");
        assert_eq!(count(1_234_567), "1 234 567");
        assert_eq!(count(12), "12");
        let at = std::time::UNIX_EPOCH + Duration::from_millis(86_400_000 + 3_723_004);
        assert_eq!(wall(at), "01:02:03.004");
    }

    #[test]
    fn wraps_words_and_splits_long_ones() {
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(wrap("abcdefgh x", 3), ["abc", "def", "gh", "x"]);
        assert!(wrap("", 10).is_empty());
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(tail("ab\x1bc", 5), "\\x1bc");
    }
}
