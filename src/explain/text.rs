//! Plain text for a terminal: paragraphs wrapped at [`WIDTH`] columns, no
//! colours, so the output reads the same in a pager, a log or a bug report.

use super::{Item, client_action, decision_text, differences, on_wire_text, summary};
use crate::engine::catalog;
use crate::engine::policy::Policy;

/// The column paragraphs are wrapped at.
const WIDTH: usize = 78;

/// `wsprobe codes`: one row per entry.
pub(super) fn codes(policy: &Policy) -> String {
    let rows: Vec<[&str; 4]> = catalog::entries()
        .iter()
        .map(|e| {
            [
                e.key,
                e.name,
                e.on_wire.as_str(),
                policy.classify(e.trigger).label(),
            ]
        })
        .collect();
    let header = ["CODE", "NAME", "ON WIRE", "CLASS"];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[&str; 4]| {
        let [code, name, wire, class] = cells;
        let [w0, w1, w2, _] = widths;
        format!("{code:<w0$}  {name:<w1$}  {wire:<w2$}  {class}\n")
    };
    let mut out = line(&header);
    for row in &rows {
        out.push_str(&line(row));
    }
    out.push('\n');
    out.push_str(&wrap(
        "ON WIRE: yes = an endpoint may send it; never = only reported locally; \
         reserved, invalid = a server sending it breaks the protocol; n/a = not a \
         close code: a handshake failure or another named cause. CLASS is what the \
         reconnect policy makes of it (for http-NNN, of a plain 200 answer; explain \
         a status to see its own).",
        "",
        "",
    ));
    out.push_str("Details: wsprobe explain CODE (or a failure name such as http-503).\n");
    out
}

/// `wsprobe explain`: one item, a comparison of two, or each in turn.
pub(super) fn explain(items: &[Item]) -> String {
    match items {
        [a, b] => compare(a, b),
        _ => items.iter().map(single).collect::<Vec<_>>().join("\n"),
    }
}

fn single(item: &Item) -> String {
    let e = item.entry;
    let mut out = title(&item.title(), '=');
    if let Some(note) = item.note() {
        out.push_str(&wrap(&note, "", ""));
    }
    out.push_str(&status(item));
    out.push_str(&body(item));
    out.push_str(&section("For server authors", e.send_when));
    out.push_str(&decision(item));
    out
}

fn compare(a: &Item, b: &Item) -> String {
    let mut out = title(&format!("{} vs {}", a.title(), b.title()), '=');
    out.push_str(&wrap(&summary(a, b), "", ""));
    for item in [a, b] {
        out.push('\n');
        out.push_str(&title(&item.title(), '-'));
        if let Some(note) = item.note() {
            out.push_str(&wrap(&note, "", ""));
        }
        out.push_str(&status(item));
        out.push_str(&body(item));
        out.push_str(&decision(item));
    }

    out.push('\n');
    out.push_str(&title("Key differences", '-'));
    for (aspect, texts) in differences(a, b) {
        out.push_str(match aspect {
            "meaning" => "What it means\n",
            "when" => "When you see it\n",
            "on_wire" => "On the wire\n",
            _ => "What the policy does\n",
        });
        out.push_str(&bullets(&[(a, &texts[0]), (b, &texts[1])]));
    }

    out.push('\n');
    out.push_str(&title("When to use which", '-'));
    out.push_str("As a client\n");
    out.push_str(&bullets(&[(a, &client_action(a)), (b, &client_action(b))]));
    out.push_str("As a server author or operator\n");
    out.push_str(&bullets(&[(a, a.entry.send_when), (b, b.entry.send_when)]));
    out
}

/// A heading, wrapped if need be, underlined as wide as its longest line.
fn title(text: &str, underline: char) -> String {
    let text = wrap(text, "", "");
    let width = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    let rule: String = std::iter::repeat_n(underline, width).collect();
    format!("{text}{rule}\n")
}

fn status(item: &Item) -> String {
    format!(
        "Class: {}    On the wire: {}\n",
        item.class.label(),
        item.entry.on_wire.as_str()
    )
}

/// What it means, when you see it, how to fix it, on the wire.
fn body(item: &Item) -> String {
    let e = item.entry;
    [
        section("What it means", e.meaning),
        section("When you see it", e.when),
        section("How to fix it", e.fix),
        section("On the wire", on_wire_text(item)),
    ]
    .concat()
}

fn decision(item: &Item) -> String {
    section(
        "What wsprobe does next (first retry, no failures before it)",
        &decision_text(&item.decision),
    )
}

fn section(heading: &str, text: &str) -> String {
    format!("\n{heading}\n{}", wrap(text, "  ", "  "))
}

/// `  - 1001: …` per item, continuation lines aligned under the text.
fn bullets(rows: &[(&Item, &str)]) -> String {
    rows.iter()
        .map(|(item, text)| {
            let lead = format!("  - {}: ", item.label);
            let hang = " ".repeat(lead.chars().count().min(WIDTH / 2));
            wrap(text, &lead, &hang)
        })
        .collect()
}

/// Word wrap at [`WIDTH`]: the first line starts with `first`, the others
/// with `rest`; long words stay whole (see [`crate::text::wrap_words`]).
fn wrap(text: &str, first: &str, rest: &str) -> String {
    let lines = crate::text::wrap_words(
        text,
        WIDTH.saturating_sub(first.chars().count()),
        WIDTH.saturating_sub(rest.chars().count()),
    );
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        let lead = if i == 0 { first } else { rest };
        out.push_str(format!("{lead}{line}").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_lines_short_and_words_whole() {
        let text = "word ".repeat(60) + "a-very-long-flag-that-must-not-be-split";
        let out = wrap(&text, "  - 1001: ", "            ");
        for line in out.lines() {
            assert!(
                line.chars().count() <= WIDTH || !line.trim().contains(' '),
                "{line}"
            );
        }
        assert!(out.starts_with("  - 1001: word word"));
        assert!(out.contains("a-very-long-flag-that-must-not-be-split"));
        assert_eq!(out.split_whitespace().count(), 63);
    }

    #[test]
    fn every_entry_renders_within_the_width() {
        let policy = Policy::default();
        for e in catalog::entries() {
            // The generic HTTP entry is reached through a status it explains.
            let input = if e.key == catalog::OTHER_HTTP_STATUS {
                "http-418"
            } else if e.key == catalog::OTHER_PROXY_STATUS {
                "proxy-418"
            } else {
                e.key
            };
            let item = Item::resolve(input, &policy).unwrap_or_else(|err| panic!("{err}"));
            for line in single(&item).lines() {
                assert!(line.chars().count() <= WIDTH, "{}: {line}", e.key);
            }
        }
        for line in codes(&policy).lines() {
            assert!(line.chars().count() <= WIDTH, "{line}");
        }
    }
}
