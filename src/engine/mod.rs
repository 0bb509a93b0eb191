//! The UI-agnostic core: close-code catalog, reconnect policy, and the
//! connection task that turns a socket into [`event::EngineEvent`]s.
//!
//! Nothing here knows the command line or any view: settings come in
//! validated ([`settings::Settings`]), facts go out as events through
//! [`emit::EventSink`] or a channel, and errors are [`error::EngineError`].

pub mod catalog;
pub mod connection;
mod control;
mod debug_log;
pub mod dial;
pub mod emit;
pub mod error;
pub mod event;
pub mod policy;
mod session;
pub mod settings;
pub mod tap;
pub mod target;
pub mod tls;
