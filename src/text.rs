//! Making text from the network safe to print.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether a character could change the terminal's state or the reading
/// order: C0/C1 controls, DEL, and the bidi embedding/override/isolate marks.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Escapes every unsafe character as `\n`, `\t`, `\x1b` or `\u{202e}`, so
/// that no escape sequence or control character reaches a terminal.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) && (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:04x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Lowercase hex without separators.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_are_escaped() {
        assert_eq!(escape("plain"), "plain");
        assert_eq!(escape("a\x1b]0;pwned\x07b"), "a\\x1b]0;pwned\\x07b");
        assert_eq!(escape("x\u{202e}y\n"), "x\\u{202e}y\\n");
        assert_eq!(escape("\u{9b}31m"), "\\x9b31m");
    }

    #[test]
    fn hex_is_lowercase_and_packed() {
        assert_eq!(hex(&[0, 0xab, 0x10]), "00ab10");
    }
}
