//! wsprobe: see what a WebSocket endpoint really does.
//!
//! The engine (connection, policy, close-code catalog) knows nothing about
//! the terminal; the TUI and the headless writers consume its events.

pub mod app;
pub mod cli;
pub mod config;
pub mod credentials;
pub mod demo_server;
pub mod duration;
pub mod engine;
pub mod explain;
pub mod export;
pub mod headless;
pub mod input;
pub mod logging;
pub mod memory;
pub mod metrics;
pub mod paths;
pub mod record;
pub mod replay;
pub mod sanitize;
pub mod signals;
pub mod simulate;
pub mod stdin;
pub mod text;
pub mod theme;
pub mod timestamp;
pub mod tui;
pub mod ui;
pub mod usage;
pub mod watch;
