//! The integration tests, one module per area, all in one binary: the
//! engine against hand-written servers, the built binary as a user runs
//! it, the scenario server, the reconnect policy, and the TUI (snapshots
//! and a real pseudo-terminal). What they share is in [`support`].

mod support;

mod cli_config;
mod cli_explain;
mod cli_help;
mod cli_policy;
mod cli_shell;
mod cli_traps;
mod engine_close;
mod engine_commands;
mod engine_handshake;
mod engine_limits;
mod engine_session;
mod engine_smoke;
mod engine_tls;
mod export_har;
mod headless;
mod headless_output;
mod headless_safety;
mod hostile_handshake;
mod hostile_input;
mod hostile_secrets;
mod invariants;
mod logging;
mod policy;
mod policy_decides_views;
mod reach_auth;
mod reach_eyeballs;
mod reach_proxy;
mod reach_real;
mod reach_tls;
mod record_replay;
mod replay_hostile;
mod replay_tui;
mod scenario_server;
mod tui_pty;
mod tui_pty_input;
mod tui_screens;
mod tui_snapshots;
mod watch;
mod watch_live;
