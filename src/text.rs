//! Making text from the network safe to print.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::sanitize::{is_unsafe, sanitize};

/// [`sanitize`] without a length limit, borrowing when nothing needs escaping
/// (the common case, which then costs one scan and no allocation).
pub fn escape(s: &str) -> Cow<'_, str> {
    if s.chars().any(is_unsafe) {
        Cow::Owned(sanitize(s, usize::MAX))
    } else {
        Cow::Borrowed(s)
    }
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
    }

    #[test]
    fn hex_is_lowercase_and_packed() {
        assert_eq!(hex(&[0, 0xab, 0x10]), "00ab10");
    }
}
