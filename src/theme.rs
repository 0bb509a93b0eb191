//! Colour themes: semantic slots (`fg bg muted accent border ok warn error sent
//! received selection`) read from TOML files.
//!
//! The built-in themes live in `themes/` and are compiled into the binary. A
//! theme file may set only some slots; the others come from `default`.
//! Widgets never use raw colours: they ask a [`Theme`] for a [`Style`].
//! [`Theme::at_depth`] fits a theme to what the terminal can show (true
//! colour, 256 colours, 16 colours or none), once, when it is loaded.

use std::fmt;
use std::path::{Path, PathBuf};

use ratatui::style::{Color, Modifier, Style};
use toml::de::DeTable;

/// The themes compiled into the binary, in the order `t` cycles through them.
pub const BUILTIN: [(&str, &str); 4] = [
    ("default", include_str!("../themes/default.toml")),
    ("light", include_str!("../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../themes/high-contrast.toml"),
    ),
    ("mono", include_str!("../themes/mono.toml")),
];

/// The theme `NO_COLOR` selects.
pub const NO_COLOR_THEME: &str = "mono";

/// Every slot a theme file may set.
pub const SLOTS: [&str; 11] = [
    "fg",
    "bg",
    "muted",
    "accent",
    "border",
    "ok",
    "warn",
    "error",
    "sent",
    "received",
    "selection",
];

/// A resolved theme: one colour per semantic slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    /// Built-in name or file stem, shown in the footer and `--list-themes`.
    pub name: String,
    /// Ordinary text.
    pub fg: Color,
    /// Background.
    pub bg: Color,
    /// Secondary text (times, labels).
    pub muted: Color,
    /// Titles, the state, the gauge.
    pub accent: Color,
    /// Panel borders.
    pub border: Color,
    /// Good news: open, clean close.
    pub ok: Color,
    /// Retried closes, paused.
    pub warn: Color,
    /// Errors, stops, `INSECURE`.
    pub error: Color,
    /// Messages wsprobe sent.
    pub sent: Color,
    /// Messages the server sent.
    pub received: Color,
    /// Background of the selected row.
    pub selection: Color,
}

/// A theme that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    /// The file has a syntax error, an unknown slot or a bad colour.
    #[error("theme {file}, line {line}, key `{key}`: {problem}")]
    Invalid {
        /// The file (or `built-in NAME`).
        file: String,
        /// 1-based line.
        line: usize,
        /// The key at fault (`-` for a syntax error before any key).
        key: String,
        /// What is wrong and what would be right.
        problem: String,
    },
    /// No file and no built-in theme has this name.
    #[error("no theme named `{name}`; available: {available}")]
    NotFound {
        /// What was asked for.
        name: String,
        /// The names that exist, comma-separated.
        available: String,
    },
    /// The file could not be read.
    #[error("theme file {file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// Why.
        source: std::io::Error,
    },
}

impl Theme {
    /// The built-in theme called `name`.
    pub fn builtin(name: &str) -> Option<Result<Theme, ThemeError>> {
        let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name)?;
        Some(parse(text, name, &format!("built-in {name}")))
    }

    /// Every built-in theme, in cycling order.
    pub fn builtins() -> Result<Vec<Theme>, ThemeError> {
        BUILTIN
            .iter()
            .map(|(name, text)| parse(text, name, &format!("built-in {name}")))
            .collect()
    }

    /// Plain text in the theme's colours.
    pub fn base(&self) -> Style {
        Style::default().fg(self.fg).bg(self.bg)
    }

    /// Secondary text; dimmed when the theme has no colour for it.
    pub fn muted(&self) -> Style {
        with_fallback(self.muted, Modifier::DIM)
    }

    /// Titles and highlights: always bold, so they stand out in `mono` too.
    pub fn accent(&self) -> Style {
        Style::default()
            .fg(self.accent)
            .add_modifier(Modifier::BOLD)
    }

    /// Panel borders.
    pub fn border(&self) -> Style {
        Style::default().fg(self.border)
    }

    /// Good news.
    pub fn ok(&self) -> Style {
        Style::default().fg(self.ok)
    }

    /// Worth a look; underlined when the theme has no colour for it, so it
    /// still differs from good news.
    pub fn warn(&self) -> Style {
        with_fallback(self.warn, Modifier::UNDERLINED)
    }

    /// Something failed: bold, so it stands out without colour.
    pub fn error(&self) -> Style {
        Style::default().fg(self.error).add_modifier(Modifier::BOLD)
    }

    /// Outgoing messages.
    pub fn sent(&self) -> Style {
        Style::default().fg(self.sent)
    }

    /// Incoming messages.
    pub fn received(&self) -> Style {
        Style::default().fg(self.received)
    }

    /// The selected row; reverse video when the theme has no colour for it.
    pub fn selection(&self) -> Style {
        if self.selection == Color::Reset {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default().bg(self.selection)
        }
    }

    /// The same theme without any colour (`NO_COLOR`): every slot the
    /// terminal's own, so the styles fall back to bold, dim, underline and
    /// reverse video.
    #[must_use]
    pub fn without_colour(&self) -> Theme {
        Theme {
            name: self.name.clone(),
            fg: Color::Reset,
            bg: Color::Reset,
            muted: Color::Reset,
            accent: Color::Reset,
            border: Color::Reset,
            ok: Color::Reset,
            warn: Color::Reset,
            error: Color::Reset,
            sent: Color::Reset,
            received: Color::Reset,
            selection: Color::Reset,
        }
    }

    fn slot_mut(&mut self, slot: &str) -> Option<&mut Color> {
        Some(match slot {
            "fg" => &mut self.fg,
            "bg" => &mut self.bg,
            "muted" => &mut self.muted,
            "accent" => &mut self.accent,
            "border" => &mut self.border,
            "ok" => &mut self.ok,
            "warn" => &mut self.warn,
            "error" => &mut self.error,
            "sent" => &mut self.sent,
            "received" => &mut self.received,
            "selection" => &mut self.selection,
            _ => return None,
        })
    }
}

fn with_fallback(color: Color, modifier: Modifier) -> Style {
    if color == Color::Reset {
        Style::default().add_modifier(modifier)
    } else {
        Style::default().fg(color)
    }
}

/// Parses a theme file's text: the slots it sets, over `default`.
/// `origin` names the file in errors.
pub fn parse(text: &str, name: &str, origin: &str) -> Result<Theme, ThemeError> {
    let mut theme = if name == "default" {
        // The default theme is the base, so it must set every slot itself.
        Theme {
            name: String::new(),
            fg: Color::Reset,
            bg: Color::Reset,
            muted: Color::Reset,
            accent: Color::Reset,
            border: Color::Reset,
            ok: Color::Reset,
            warn: Color::Reset,
            error: Color::Reset,
            sent: Color::Reset,
            received: Color::Reset,
            selection: Color::Reset,
        }
    } else {
        parse(BUILTIN[0].1, "default", "built-in default")?
    };
    name.clone_into(&mut theme.name);
    let table = DeTable::parse(text).map_err(|e| ThemeError::Invalid {
        file: origin.to_owned(),
        line: e.span().map_or(1, |s| line_of(text, s.start)),
        key: "-".to_owned(),
        problem: format!("not valid TOML: {}", e.message().trim()),
    })?;
    let mut seen = Vec::new();
    for (key, value) in table.get_ref() {
        let invalid = |problem: String| ThemeError::Invalid {
            file: origin.to_owned(),
            line: line_of(text, key.span().start),
            key: key.get_ref().to_string(),
            problem,
        };
        let slot_name: &str = key.get_ref();
        let Some(slot) = theme.slot_mut(slot_name) else {
            return Err(invalid(format!(
                "not a colour slot; the slots are {}",
                SLOTS.join(" ")
            )));
        };
        let Some(spec) = value.get_ref().as_str() else {
            return Err(invalid(format!(
                "expected a colour in quotes, found a {}",
                value.get_ref().type_str()
            )));
        };
        *slot = parse_color(spec).ok_or_else(|| {
            invalid(format!(
                "`{spec}` is not a colour; use a name (red, lightblue, darkgray, reset), \
                 an index 0-255, or \"#rrggbb\""
            ))
        })?;
        seen.push(slot_name.to_owned());
    }
    if name == "default"
        && let Some(missing) = SLOTS.iter().find(|s| !seen.iter().any(|k| k == *s))
    {
        return Err(ThemeError::Invalid {
            file: origin.to_owned(),
            line: 1,
            key: (*missing).to_owned(),
            problem: "the default theme must set every slot".to_owned(),
        });
    }
    Ok(theme)
}

fn parse_color(spec: &str) -> Option<Color> {
    // ratatui also accepts "#rgb"-less hex and other spellings; insist on the
    // documented forms so a typo is an error rather than a surprise colour.
    let spec = spec.trim();
    if let Some(hex) = spec.strip_prefix('#')
        && (hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return None;
    }
    spec.parse().ok()
}

fn line_of(text: &str, byte: usize) -> usize {
    text.get(..byte).unwrap_or(text).matches('\n').count() + 1
}

/// Where `--theme NAME` looks for `NAME.toml` before the built-ins: only
/// `<config dir>/themes/` ([`crate::paths::themes_dir`]). The current
/// directory is never searched, so a directory someone else controls
/// cannot slip a theme in.
pub fn search_dirs() -> Vec<PathBuf> {
    crate::paths::themes_dir().into_iter().collect()
}

/// Resolves `--theme`: a file path, or a name looked up in `dirs` and then
/// among the built-ins. Without `--theme`, `default`, or `mono` when
/// `no_color` is set (an explicit `--theme` wins over `NO_COLOR`).
pub fn select(spec: Option<&str>, no_color: bool, dirs: &[PathBuf]) -> Result<Theme, ThemeError> {
    let spec = spec.unwrap_or(if no_color { NO_COLOR_THEME } else { "default" });
    let as_path = Path::new(spec);
    let looks_like_path = spec.contains(std::path::MAIN_SEPARATOR)
        || spec.contains('/')
        || as_path.extension().is_some_and(|e| e == "toml");
    if looks_like_path {
        return load_file(as_path);
    }
    for dir in dirs {
        let file = dir.join(format!("{spec}.toml"));
        if file.is_file() {
            return load_file(&file);
        }
    }
    Theme::builtin(spec).unwrap_or_else(|| {
        Err(ThemeError::NotFound {
            name: spec.to_owned(),
            available: available(dirs)
                .into_iter()
                .map(|(name, _)| name)
                .collect::<Vec<_>>()
                .join(", "),
        })
    })
}

/// Reads and parses one theme file.
pub fn load_file(path: &Path) -> Result<Theme, ThemeError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ThemeError::Io {
        file: shown.clone(),
        source,
    })?;
    let name = path
        .file_stem()
        .map_or_else(|| shown.clone(), |s| s.to_string_lossy().into_owned());
    parse(&text, &name, &shown)
}

/// Every theme `--theme` can name, with where it comes from; a file in a
/// search directory hides a built-in of the same name.
pub fn available(dirs: &[PathBuf]) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        for file in files {
            if let Some(stem) = file.file_stem().map(|s| s.to_string_lossy().into_owned())
                && !found.iter().any(|(n, _)| *n == stem)
            {
                found.push((stem, file.display().to_string()));
            }
        }
    }
    for (name, _) in BUILTIN {
        if !found.iter().any(|(n, _)| n == name) {
            found.push((name.to_owned(), "built-in".to_owned()));
        }
    }
    found
}

/// The text `--list-themes` prints.
pub fn list_text(dirs: &[PathBuf]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for (name, source) in available(dirs) {
        let _ = writeln!(out, "{name:<16} {source}");
    }
    out
}

impl fmt::Display for Theme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

#[path = "theme_depth.rs"]
mod depth;

pub use depth::{ColorDepth, nearest_16, nearest_256};

#[cfg(test)]
#[path = "theme_tests.rs"]
mod tests;
