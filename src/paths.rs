//! Where wsprobe's own files live: the platform's configuration directory
//! (`$XDG_CONFIG_HOME/wsprobe` or `~/.config/wsprobe` on Linux,
//! `~/Library/Application Support/wsprobe` on macOS, `%APPDATA%\wsprobe\config`
//! on Windows), found by the `directories` crate rather than by hand.

use std::path::PathBuf;

/// The directory holding `config.toml` and `themes/`, when the platform has
/// one (no home directory: none).
pub fn config_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "wsprobe").map(|d| d.config_dir().to_path_buf())
}

/// The default config file: `<config dir>/config.toml`.
pub fn config_file() -> Option<PathBuf> {
    config_dir().map(|d| d.join("config.toml"))
}

/// Where `--theme NAME` looks for `NAME.toml` before the built-ins:
/// `<config dir>/themes/`.
pub fn themes_dir() -> Option<PathBuf> {
    config_dir().map(|d| d.join("themes"))
}
