//! A theme file's text: `theme::parse`, as the default theme (which must set
//! every slot) and as a theme over the default.
//!
//! Input: one byte choosing the name (even: a custom theme, odd: `default`),
//! then the text.
//!
//! Checks: no panic; an error names a line of the text and the file; parsing
//! the same text twice gives the same answer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsprobe::theme::{ThemeError, parse};

fuzz_target!(|data: &[u8]| {
    let Some((&which, text)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let name = if which & 1 == 1 { "default" } else { "fuzzed" };
    let first = parse(text, name, "fuzz.toml");
    match &first {
        Ok(theme) => assert_eq!(theme.name, name),
        Err(ThemeError::Invalid { file, line, .. }) => {
            assert_eq!(file, "fuzz.toml");
            assert!(
                *line >= 1 && *line <= text.lines().count() + 1,
                "line {line}"
            );
        }
        Err(_) => {}
    }
    let again = parse(text, name, "fuzz.toml");
    assert_eq!(format!("{first:?}"), format!("{again:?}"));
});
