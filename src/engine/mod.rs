//! The UI-agnostic core: close-code catalog, reconnect policy, and the
//! connection task that turns a socket into [`event::EngineEvent`]s.

pub mod close_code;
pub mod connection;
pub mod dial;
pub mod event;
pub mod policy;
pub mod policy_file;
mod session;
pub mod tap;
pub mod target;
pub mod tls;
