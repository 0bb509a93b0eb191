//! The UI-agnostic core: close-code catalog, reconnect policy, and the
//! connection task that turns a socket into [`event::EngineEvent`]s.
//!
//! Nothing here knows the command line or any view: settings come in
//! validated ([`settings::Settings`]), facts go out as events through
//! [`emit::EventSink`] or a channel, and errors are [`error::EngineError`].

pub mod auth;
pub mod catalog;
pub mod clock;
pub mod connection;
mod control;
mod debug_log;
pub mod dial;
pub mod emit;
pub mod error;
pub mod event;
pub mod eyeballs;
pub mod head;
mod hops;
pub mod policy;
pub mod proxy;
pub mod redact;
mod reply;
mod request;
mod session;
pub mod settings;
pub mod tap;
pub mod target;
pub mod tls;
pub mod transport;

/// Public for the fuzz targets only.
#[doc(hidden)]
pub use session::close_from_wire;

/// The house rule, enforced: the engine (and the scenario server) name no
/// view and no command line. A `use` of one of these fails the build's tests.
#[cfg(test)]
mod house {
    use std::path::Path;

    /// The modules outside the engine that it must never name.
    const FACES: &[&str] = &[
        "app",
        "ui",
        "tui",
        "headless",
        "cli",
        "usage",
        "simulate",
        "config",
        "explain",
        "signals",
        "theme",
        "demo_server",
    ];

    fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("readable source folder") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("readable source");
                out.push((path.display().to_string(), text));
            }
        }
    }

    /// Every `crate::<module>` a folder's code names, outside `allowed`.
    fn leaks(folder: &str, forbidden: &[&str]) -> Vec<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src")
            .join(folder);
        let mut files = Vec::new();
        sources(&root, &mut files);
        assert!(!files.is_empty(), "no sources under {}", root.display());
        let mut found = Vec::new();
        for (path, text) in files {
            for (n, line) in text.lines().enumerate() {
                for module in forbidden {
                    let needle = format!("crate::{module}");
                    let hit = line.match_indices(&needle).any(|(i, _)| {
                        let rest = &line[i + needle.len()..];
                        !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_')
                    });
                    if hit {
                        found.push(format!("{path}:{}: {}", n + 1, line.trim()));
                    }
                }
            }
        }
        found
    }

    #[test]
    fn the_engine_names_no_view_and_no_command_line() {
        let found = leaks("engine", FACES);
        assert!(
            found.is_empty(),
            "the engine reaches outside:\n{}",
            found.join("\n")
        );
    }

    #[test]
    fn the_scenario_server_takes_no_command_line_and_no_view() {
        let faces: Vec<&str> = FACES
            .iter()
            .copied()
            .filter(|m| *m != "demo_server")
            .collect();
        let found = leaks("demo_server", &faces);
        assert!(
            found.is_empty(),
            "the server reaches outside:\n{}",
            found.join("\n")
        );
    }
}
