//! JSON pretty-printing that only re-indents: the tokens are copied from
//! the raw text as they are, so keys keep their order and numbers every
//! digit (`12345678901234567890123` stays exact), and nothing depends on
//! how a JSON library would read or write the value.

/// `text` re-indented by two spaces per level, when it is a JSON object or
/// array; `None` for anything else.
pub fn pretty_json(text: &str) -> Option<String> {
    let trimmed = text.trim();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return None;
    }
    // Validates without building a value: nothing is converted.
    serde_json::from_str::<serde::de::IgnoredAny>(trimmed).ok()?;
    let mut out = String::with_capacity(trimmed.len() + trimmed.len() / 4);
    let mut depth = 0usize;
    let mut chars = trimmed.char_indices().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                // Copy the string verbatim, escapes included.
                let mut end = i + 1;
                let mut escaped = false;
                for (j, d) in chars.by_ref() {
                    end = j + d.len_utf8();
                    if escaped {
                        escaped = false;
                    } else if d == '\\' {
                        escaped = true;
                    } else if d == '"' {
                        break;
                    }
                }
                out.push_str(&trimmed[i..end]);
            }
            '{' | '[' => {
                // An empty container stays on one line.
                while chars.peek().is_some_and(|(_, d)| d.is_whitespace()) {
                    chars.next();
                }
                if let Some(&(_, d)) = chars.peek()
                    && (d == '}' || d == ']')
                {
                    out.push(c);
                    out.push(d);
                    chars.next();
                    continue;
                }
                out.push(c);
                depth += 1;
                newline(&mut out, depth);
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(',');
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_key_order_and_exact_numbers() {
        let text = r#"{"z":1,"a":2,"big":12345678901234567890123}"#;
        assert_eq!(
            pretty_json(text).as_deref(),
            Some("{\n  \"z\": 1,\n  \"a\": 2,\n  \"big\": 12345678901234567890123\n}")
        );
    }

    #[test]
    fn nests_keeps_strings_and_empty_containers() {
        let text = r#" { "a" : [1, {"b":"x, {y}: \"q\""}], "e":{}, "f":[ ] } "#;
        assert_eq!(
            pretty_json(text).as_deref(),
            Some(
                "{\n  \"a\": [\n    1,\n    {\n      \"b\": \"x, {y}: \\\"q\\\"\"\n    }\n  ],\n  \"e\": {},\n  \"f\": []\n}"
            )
        );
    }

    #[test]
    fn not_json_is_none() {
        assert_eq!(pretty_json("hello"), None);
        assert_eq!(pretty_json("{broken"), None);
        assert_eq!(pretty_json("42"), None);
    }
}
