//! What the user gives wsprobe to send, read and checked before the run:
//! `--send @FILE`, `--send-binary HEX|@FILE`, `--close-code` and
//! `--close-reason`. Every problem is a usage error that names the input.

use std::path::Path;

use crate::engine::catalog::{self, OnWire};
use crate::text::escape;
use crate::usage::UsageError;

/// The longest close reason: a Close frame's payload is at most 125 bytes,
/// two of them the code.
pub const MAX_CLOSE_REASON: usize = 123;

/// One `--send` value: text as it is, `@FILE` the file's content (which
/// must be UTF-8 to be a text message), `@@…` a text starting with `@`.
pub fn send_text(value: &str) -> Result<String, UsageError> {
    if let Some(rest) = value.strip_prefix("@@") {
        return Ok(format!("@{rest}"));
    }
    let Some(path) = value.strip_prefix('@') else {
        return Ok(value.to_string());
    };
    let bytes = read(path, "--send")?;
    String::from_utf8(bytes).map_err(|e| {
        UsageError::new(format!(
            "--send @{}: the file is not UTF-8 text (invalid byte at offset {}); \
             send it as a binary message with --send-binary @{}",
            escape(path),
            e.utf8_error().valid_up_to(),
            escape(path)
        ))
    })
}

/// One `--send-binary` value: hex digits (whitespace between them is
/// ignored, an optional `0x` in front) or `@FILE` for a file's bytes.
pub fn send_binary(value: &str) -> Result<Vec<u8>, UsageError> {
    if let Some(path) = value.strip_prefix('@') {
        return read(path, "--send-binary");
    }
    parse_hex(value).map_err(|(offset, what)| {
        UsageError::new(format!(
            "--send-binary {}: {what} at offset {offset}; write bytes as pairs of hex \
             digits (e.g. --send-binary 0badcafe) or give a file as @FILE",
            escape(value)
        ))
    })
}

/// Hex digits to bytes; the error is the offset (in `text`) and what is wrong there.
fn parse_hex(text: &str) -> Result<Vec<u8>, (usize, &'static str)> {
    let digits = if text.starts_with("0x") || text.starts_with("0X") {
        2
    } else {
        0
    };
    let mut out = Vec::with_capacity(text.len() / 2);
    let mut high: Option<(usize, u8)> = None;
    for (i, c) in text.char_indices().skip(digits) {
        if c.is_ascii_whitespace() {
            if high.is_some() {
                return Err((i, "a space splits a byte"));
            }
            continue;
        }
        let Some(v) = c.to_digit(16) else {
            return Err((i, "not a hex digit"));
        };
        let v = v as u8;
        match high.take() {
            None => high = Some((i, v)),
            Some((_, h)) => out.push(h << 4 | v),
        }
    }
    if let Some((i, _)) = high {
        return Err((i, "an odd number of hex digits: half a byte"));
    }
    if out.is_empty() {
        return Err((0, "no hex digits"));
    }
    Ok(out)
}

fn read(path: &str, flag: &str) -> Result<Vec<u8>, UsageError> {
    if path.is_empty() {
        return Err(UsageError::new(format!(
            "{flag} @: no file name after the @; write {flag} @FILE"
        )));
    }
    std::fs::read(Path::new(path)).map_err(|e| {
        UsageError::new(format!(
            "{flag} @{}: cannot read the file ({e}); check the path",
            escape(path)
        ))
    })
}

/// Checks the close code (and reason) to send when `--duration` ends the
/// run: refused when a code must never travel in a Close frame.
pub fn close_code(code: u16, reason: &str) -> Result<(), UsageError> {
    if !catalog::may_be_sent(code) {
        let entry = catalog::lookup(code);
        let why = match entry.on_wire {
            OnWire::Never => format!(
                "{code} ({}) must never be sent: it only labels a close that no Close frame carried",
                entry.name
            ),
            OnWire::Reserved => format!(
                "{code} ({}) is reserved and not valid in a Close frame",
                entry.name
            ),
            _ => format!("{code} is outside every valid range ({})", entry.name),
        };
        return Err(UsageError::new(format!(
            "--close-code {why}; use 1000 (normal), 1001 (going away) or an application code 3000–4999"
        )));
    }
    if reason.len() > MAX_CLOSE_REASON {
        return Err(UsageError::new(format!(
            "--close-reason is {} bytes; a Close frame has room for {MAX_CLOSE_REASON}",
            reason.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_parsed_and_bad_hex_names_its_offset() {
        assert_eq!(send_binary("0badcafe").unwrap(), [0x0b, 0xad, 0xca, 0xfe]);
        assert_eq!(send_binary("0x01 02\tff").unwrap(), [1, 2, 0xff]);
        let e = send_binary("01z2").unwrap_err().0;
        assert!(e.contains("not a hex digit at offset 2"), "{e}");
        let e = send_binary("012").unwrap_err().0;
        assert!(e.contains("offset 2"), "{e}");
        assert!(send_binary("").is_err());
    }

    #[test]
    fn files_are_read_and_a_missing_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.txt");
        std::fs::write(&path, "hé\n").unwrap();
        let arg = format!("@{}", path.display());
        assert_eq!(send_text(&arg).unwrap(), "hé\n");
        assert_eq!(send_binary(&arg).unwrap(), "hé\n".as_bytes());
        assert_eq!(send_text("@@home").unwrap(), "@home");
        assert_eq!(send_text("plain").unwrap(), "plain");
        let e = send_text("@/no/such/file").unwrap_err().0;
        assert!(e.contains("/no/such/file"), "{e}");
        std::fs::write(&path, [0xff, 0xfe]).unwrap();
        let e = send_text(&arg).unwrap_err().0;
        assert!(e.contains("--send-binary"), "{e}");
    }

    #[test]
    fn codes_that_must_never_be_sent_are_refused() {
        for code in [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535] {
            assert!(close_code(code, "").is_err(), "{code}");
        }
        for code in [1000, 1001, 1011, 3000, 4999] {
            assert!(close_code(code, "bye").is_ok(), "{code}");
        }
        let e = close_code(1006, "").unwrap_err().0;
        assert!(e.contains("1006") && e.contains("never"), "{e}");
        assert!(close_code(1000, &"x".repeat(124)).is_err());
    }
}
