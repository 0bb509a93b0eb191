//! Small formatters shared by the regions: times, sizes, wrapping.
//! Durations are written by [`crate::duration`], as in every other view.

use std::time::Duration;

use crate::duration::format_window;

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

/// A window as the events carry it (ms) in the one duration style: `1s-5s`.
pub fn window(ms: [u64; 2]) -> String {
    format_window(Duration::from_millis(ms[0]), Duration::from_millis(ms[1]))
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
        assert_eq!(bytes(1536), "1.5KiB");
        assert_eq!(hex(&[0, 255, 16]), "00ff10");
        assert_eq!(window([1000, 5000]), "1s-5s");
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
