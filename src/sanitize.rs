//! Making untrusted text safe for a terminal cell.
//!
//! Everything that came from the network (message text, close reasons,
//! headers, the subprotocol, an HTTP body) passes through [`sanitize`] before
//! the UI puts it on screen. A terminal interprets escape sequences and
//! control characters written into its cells, so a hostile server could
//! otherwise move the cursor, rewrite the window title, or flip the text
//! direction of everything after it.

use std::fmt::Write as _;

/// Returns `text` with every character that could steer the terminal made
/// visible, cut to at most `max_chars` characters (an ellipsis marks a cut).
///
/// - `\n`, `\r` and `\t` become those two-character escapes, so a preview
///   stays on one line and a tab cannot shift the layout;
/// - other C0 controls, DEL and C1 controls become `\x1b`-style escapes (the
///   C1 range matters: `\u{9b}` is a one-byte CSI on some terminals);
/// - bidirectional overrides, isolates and marks (U+202A–U+202E,
///   U+2066–U+2069, U+200E, U+200F, U+061C) and the line and paragraph
///   separators (U+2028, U+2029) become `\u{…}` escapes, because they reorder
///   or break the text shown after them.
///
/// The work done is bounded by `max_chars`, not by the length of `text`, so a
/// 64 MiB message costs no more to preview than a short one.
pub fn sanitize(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars.saturating_mul(4)).min(4096));
    let mut used = 0usize;
    // Where the last character (or escape) written starts, so a cut removes
    // it whole instead of leaving half an escape behind.
    let mut last_start = 0usize;
    for c in text.chars() {
        let before = out.len();
        push_escaped(&mut out, c);
        let added = out[before..].chars().count();
        if used + added > max_chars {
            out.truncate(if used == max_chars {
                last_start
            } else {
                before
            });
            if max_chars > 0 {
                out.push('…');
            }
            return out;
        }
        used += added;
        last_start = before;
    }
    out
}

/// True for characters that [`sanitize`] replaces with an escape.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_or_separator(c)
}

fn is_bidi_or_separator(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{061C}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        // `char::is_control` is exactly C0, DEL and C1.
        c if c.is_control() && (c as u32) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if is_unsafe(c) => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(s: &str) -> String {
        sanitize(s, usize::MAX)
    }

    #[test]
    fn plain_text_passes_unchanged() {
        assert_eq!(clean("hello, wörld ✓ 日本"), "hello, wörld ✓ 日本");
    }

    #[test]
    fn escape_sequences_lose_their_escape() {
        // Cursor movement, title change (OSC) and a colour change.
        let hostile = "\x1b[2J\x1b[H\x1b]0;pwned\x07\x1b[31mred";
        let out = clean(hostile);
        assert!(!out.contains('\x1b'));
        assert!(!out.contains('\x07'));
        assert_eq!(out, "\\x1b[2J\\x1b[H\\x1b]0;pwned\\x07\\x1b[31mred");
    }

    #[test]
    fn c0_and_del_are_escaped() {
        assert_eq!(clean("a\0b\x08c\x7fd"), "a\\x00b\\x08c\\x7fd");
        assert_eq!(clean("l1\nl2\r\tx"), "l1\\nl2\\r\\tx");
    }

    #[test]
    fn c1_controls_are_escaped() {
        // U+009B is a single-character CSI; U+0085 is NEL.
        assert_eq!(clean("a\u{9b}31mb\u{85}"), "a\\u{9b}31mb\\u{85}");
    }

    #[test]
    fn bidi_overrides_and_isolates_are_escaped() {
        for c in ('\u{202A}'..='\u{202E}').chain('\u{2066}'..='\u{2069}') {
            let out = clean(&format!("x{c}y"));
            assert!(!out.contains(c), "{:x} survived", c as u32);
            assert_eq!(out, format!("x\\u{{{:x}}}y", c as u32));
        }
        assert_eq!(clean("\u{200f}\u{2028}"), "\\u{200f}\\u{2028}");
    }

    #[test]
    fn nothing_unsafe_survives_any_char() {
        for cp in 0..0x3000u32 {
            if let Some(c) = char::from_u32(cp) {
                let out = clean(&c.to_string());
                assert!(!out.chars().any(is_unsafe), "U+{cp:04X} survived");
            }
        }
    }

    #[test]
    fn long_lines_are_cut_with_an_ellipsis() {
        let long = "x".repeat(1_000_000);
        let out = sanitize(&long, 80);
        assert_eq!(out.chars().count(), 80);
        assert!(out.ends_with('…'));
        assert_eq!(sanitize("abc", 3), "abc");
        assert_eq!(sanitize("abcd", 3), "ab…");
        assert_eq!(sanitize("abcd", 0), "");
    }

    #[test]
    fn an_escape_is_never_cut_in_half() {
        // "ab" + "\x1b" (4 chars) does not fit in 5: cut before the escape.
        assert_eq!(sanitize("ab\x1bcd", 5), "ab…");
        assert_eq!(sanitize("\x1b\x1b\x1b", 8), "\\x1b…");
    }
}
