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

/// Greedy word wrap: the first line holds at most `first` characters, the
/// others `rest`. A word longer than a line gets a line of its own rather
/// than being split, so URLs and flags stay copyable.
pub fn wrap_words(text: &str, first: usize, rest: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut len = 0usize;
    for word in text.split_whitespace() {
        let width = if lines.is_empty() { first } else { rest };
        let n = word.chars().count();
        if len > 0 && len + 1 + n > width {
            lines.push(std::mem::take(&mut line));
            len = 0;
        }
        if len > 0 {
            line.push(' ');
            len += 1;
        }
        line.push_str(word);
        len += n;
    }
    if len > 0 || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Word wrap to `width` columns for a screen: like [`wrap_words`], but a
/// word longer than a line is split across lines. Counts characters, which
/// is exact for the catalog's text; wide characters at worst get clipped.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    for line in wrap_words(text, width, width) {
        if line.is_empty() && text.split_whitespace().next().is_none() {
            continue;
        }
        let chars: Vec<char> = line.chars().collect();
        for chunk in chars.chunks(width) {
            out.push(chunk.iter().collect());
        }
    }
    out
}

/// The first sentence of a catalog text. The texts avoid abbreviations with
/// full stops, so ". " reliably ends a sentence.
pub fn first_sentence(text: &str) -> &str {
    text.find(". ").map_or(text, |i| &text[..=i])
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
