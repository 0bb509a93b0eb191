//! Fitting a theme to the terminal's colours. Themes are written in RGB
//! (`#rrggbb`), ANSI names or xterm indexes; a terminal that does not say
//! it shows true colour (`COLORTERM=truecolor` or `24bit`) gets each RGB
//! colour as the nearest xterm-256 index, or the nearest of the 16 ANSI
//! colours, and `--color never` gets no colour at all (bold, dim and
//! reverse video still mark what matters).

use ratatui::style::Color;

use super::Theme;

/// How many colours the terminal shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorDepth {
    /// 24-bit RGB.
    TrueColor,
    /// The xterm 256-colour palette.
    Ansi256,
    /// The 16 ANSI colours.
    Ansi16,
    /// No colour: the terminal's own foreground and background, with attributes.
    Mono,
}

impl ColorDepth {
    /// The depth a colour terminal offers, from `COLORTERM` and `TERM`: true
    /// colour only when `COLORTERM` says `truecolor` or `24bit`; 256 colours
    /// when `TERM` names a 256-colour terminal; else the 16 ANSI colours.
    pub fn detect(colorterm: Option<&str>, term: Option<&str>) -> ColorDepth {
        let colorterm = colorterm.unwrap_or("").to_ascii_lowercase();
        if colorterm == "truecolor" || colorterm == "24bit" {
            ColorDepth::TrueColor
        } else if term.is_some_and(|t| t.contains("256")) {
            ColorDepth::Ansi256
        } else {
            ColorDepth::Ansi16
        }
    }

    /// The name `config show` prints.
    pub fn name(self) -> &'static str {
        match self {
            ColorDepth::TrueColor => "true colour",
            ColorDepth::Ansi256 => "256 colours",
            ColorDepth::Ansi16 => "16 colours",
            ColorDepth::Mono => "no colour",
        }
    }

    /// `color` as this depth shows it.
    pub fn fit(self, color: Color) -> Color {
        match (self, color) {
            (ColorDepth::Mono, _) => Color::Reset,
            (ColorDepth::Ansi256, Color::Rgb(r, g, b)) => Color::Indexed(nearest_256(r, g, b)),
            (ColorDepth::Ansi16, Color::Rgb(r, g, b)) => nearest_16(r, g, b),
            (ColorDepth::Ansi16, Color::Indexed(i)) if i >= 16 => {
                let (r, g, b) = xterm_rgb(i);
                nearest_16(r, g, b)
            }
            (ColorDepth::Ansi16, Color::Indexed(i)) => ANSI_16[usize::from(i)].0,
            _ => color,
        }
    }
}

impl Theme {
    /// This theme with every slot fitted to `depth`.
    #[must_use]
    pub fn at_depth(mut self, depth: ColorDepth) -> Theme {
        for slot in super::SLOTS {
            if let Some(color) = self.slot_mut(slot) {
                *color = depth.fit(*color);
            }
        }
        self
    }
}

/// The 16 ANSI colours with xterm's default RGB for each, in index order.
const ANSI_16: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

/// The levels of each axis of xterm's 6×6×6 colour cube (indexes 16-231).
const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

/// Squared distance between two colours, weighted for the eye (red 3,
/// green 4, blue 2), which is close enough to pick among palette entries.
fn distance((r1, g1, b1): (u8, u8, u8), (r2, g2, b2): (u8, u8, u8)) -> u32 {
    let d = |a: u8, b: u8| u32::from(a.abs_diff(b)).pow(2);
    3 * d(r1, r2) + 4 * d(g1, g2) + 2 * d(b1, b2)
}

/// The RGB xterm shows for index `i` (16-255).
fn xterm_rgb(i: u8) -> (u8, u8, u8) {
    match i {
        0..=15 => ANSI_16[usize::from(i)].1,
        16..=231 => {
            let n = usize::from(i - 16);
            (CUBE[n / 36], CUBE[(n / 6) % 6], CUBE[n % 6])
        }
        _ => {
            let level = 8 + 10 * (i - 232);
            (level, level, level)
        }
    }
}

/// The xterm-256 index nearest to an RGB colour, from the colour cube and
/// the grey ramp (16-255; the first 16 are left out because terminals
/// redefine them).
pub fn nearest_256(r: u8, g: u8, b: u8) -> u8 {
    (16..=255u8)
        .min_by_key(|&i| distance(xterm_rgb(i), (r, g, b)))
        .unwrap_or(16)
}

/// The ANSI colour (one of 16) nearest to an RGB colour. A clearly
/// coloured input (red, green and blue at least 64 apart) is matched among
/// the coloured entries only, so a muted green stays green rather than
/// turning grey.
pub fn nearest_16(r: u8, g: u8, b: u8) -> Color {
    let chroma = r.max(g).max(b) - r.min(g).min(b);
    let grey = |c: Color| {
        matches!(
            c,
            Color::Black | Color::Gray | Color::DarkGray | Color::White
        )
    };
    ANSI_16
        .iter()
        .filter(|(c, _)| chroma < 64 || !grey(*c))
        .min_by_key(|(_, rgb)| distance(*rgb, (r, g, b)))
        .map_or(Color::Reset, |(c, _)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_follows_colorterm_then_term() {
        let d = ColorDepth::detect;
        assert_eq!(d(Some("truecolor"), None), ColorDepth::TrueColor);
        assert_eq!(d(Some("24bit"), Some("xterm")), ColorDepth::TrueColor);
        assert_eq!(d(Some("yes"), Some("xterm-256color")), ColorDepth::Ansi256);
        assert_eq!(d(None, Some("screen-256color")), ColorDepth::Ansi256);
        assert_eq!(d(None, Some("xterm")), ColorDepth::Ansi16);
        assert_eq!(d(None, None), ColorDepth::Ansi16);
    }

    #[test]
    fn rgb_maps_to_the_nearest_palette_entry() {
        assert_eq!(nearest_256(0, 0, 0), 16);
        assert_eq!(nearest_256(255, 255, 255), 231);
        assert_eq!(nearest_256(255, 0, 0), 196);
        assert_eq!(nearest_256(128, 128, 128), 244);
        assert_eq!(nearest_16(250, 10, 10), Color::LightRed);
        assert_eq!(nearest_16(0x1b, 0x1f, 0x27), Color::Black);
        assert_eq!(nearest_16(0xd8, 0xde, 0xe9), Color::Gray);
        assert_eq!(nearest_16(0x2e, 0x7d, 0x32), Color::Green);
    }

    #[test]
    fn every_builtin_fits_every_depth() {
        for theme in Theme::builtins().expect("built-ins parse") {
            let t256 = theme.clone().at_depth(ColorDepth::Ansi256);
            let t16 = theme.clone().at_depth(ColorDepth::Ansi16);
            let mono = theme.clone().at_depth(ColorDepth::Mono);
            assert_eq!(theme.clone().at_depth(ColorDepth::TrueColor), theme);
            for slot in [t256.fg, t256.bg, t256.accent, t256.selection] {
                assert!(!matches!(slot, Color::Rgb(..)), "{theme}: {slot:?}");
            }
            for slot in [t16.fg, t16.bg, t16.accent, t16.error, t16.selection] {
                assert!(
                    !matches!(slot, Color::Rgb(..) | Color::Indexed(_)),
                    "{theme}: {slot:?}"
                );
            }
            assert_eq!(mono.fg, Color::Reset);
            assert_eq!(mono.selection, Color::Reset);
            // Attributes still mark what matters without colour.
            assert!(
                mono.error()
                    .add_modifier
                    .contains(ratatui::style::Modifier::BOLD)
            );
        }
    }

    #[test]
    fn a_dark_theme_stays_dark_in_16_colours() {
        let t = Theme::builtin("default")
            .expect("exists")
            .expect("parses")
            .at_depth(ColorDepth::Ansi16);
        assert_eq!(t.bg, Color::Black);
        assert_ne!(t.fg, t.bg);
        assert_ne!(t.selection, t.bg);
    }
}
