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
pub mod headless;
pub mod sanitize;
pub mod signals;
pub mod simulate;
pub mod text;
pub mod theme;
pub mod tui;
pub mod ui;
pub mod usage;
