//! The signals that end a run: one listener for every mode.

use std::future::Future;

/// Starts listening for Ctrl-C (and SIGTERM where there is one) at once, so
/// a signal that arrives before the returned future is first polled still
/// counts. In the TUI's raw mode Ctrl-C arrives as a key instead, but a
/// `kill -INT` still comes as a signal. Must be called inside the runtime.
pub fn stop_requested() -> impl Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            if let (Ok(mut interrupt), Ok(mut terminate)) = (interrupt, terminate) {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
            } else if tokio::signal::ctrl_c().await.is_err() {
                // No way to hear signals: never resolve rather than stop at once.
                std::future::pending::<()>().await;
            }
        }
    }
    #[cfg(not(unix))]
    async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
