//! The integration tests, one module per area, all in one binary: the
//! engine against hand-written servers, the built binary as a user runs
//! it, the scenario server, the reconnect policy, and the TUI (snapshots
//! and a real pseudo-terminal). What they share is in [`support`].

mod support;

mod cli_explain;
mod cli_help;
mod cli_policy;
mod engine_close;
mod engine_commands;
mod engine_handshake;
mod engine_limits;
mod engine_session;
mod engine_smoke;
mod engine_tls;
mod headless;
mod headless_output;
mod headless_safety;
mod invariants;
mod policy;
mod policy_decides_views;
mod scenario_server;
mod tui_pty;
mod tui_pty_input;
mod tui_screens;
mod tui_snapshots;
