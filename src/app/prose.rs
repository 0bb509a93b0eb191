//! The explain view's content as rows for a width, so the view can scroll
//! and `update` knows where it ends.

use super::Explained;
use crate::text::wrap;

/// What a row of the explain view is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A label and its value: `label` is the first [`LABEL`] columns.
    Field,
    /// A section title.
    Title,
    /// Text.
    Text,
}

/// Columns of a field's label.
pub const LABEL: usize = 13;

/// The rows of the explain view for `shown` at `width` columns.
pub fn lines(shown: &Explained, width: usize) -> Vec<(Role, String)> {
    let entry = shown.entry;
    let mut out = vec![
        (
            Role::Field,
            format!("{:<LABEL$}{}", "on the wire", entry.on_wire.as_str()),
        ),
        (
            Role::Field,
            format!(
                "{:<LABEL$}{}  ({})",
                "policy class",
                shown.class.label(),
                shown.trigger.describe()
            ),
        ),
        (Role::Text, String::new()),
    ];
    for (title, text) in [
        ("What it means", entry.meaning),
        ("When you see it", entry.when),
        ("How to fix it", entry.fix),
    ] {
        out.push((Role::Title, title.to_owned()));
        out.extend(wrap(text, width).into_iter().map(|l| (Role::Text, l)));
        out.push((Role::Text, String::new()));
    }
    out.pop();
    out
}
