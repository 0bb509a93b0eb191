//! The signals that end a run: one listener for every mode.

use std::future::Future;

/// Starts listening at once for the signals that end a run — SIGINT, SIGTERM,
/// SIGHUP (the terminal closed, an SSH session dropped, a tmux pane was
/// killed) and SIGQUIT — so a signal that arrives before the returned future
/// is first polled still counts, and every mode ends the way it ends on
/// Ctrl-C: the TUI restores the terminal, headless closes with 1001. In the
/// TUI's raw mode Ctrl-C arrives as a key instead, but a `kill -INT` still
/// comes as a signal. Must be called inside the runtime.
pub fn stop_requested() -> impl Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let kinds = [
            SignalKind::interrupt(),
            SignalKind::terminate(),
            SignalKind::hangup(),
            SignalKind::quit(),
        ];
        let listeners: Result<Vec<_>, _> = kinds.into_iter().map(signal).collect();
        async move {
            if let Ok(mut listeners) = listeners {
                let any = listeners.iter_mut().map(|l| Box::pin(l.recv()));
                futures_util::future::select_all(any).await;
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
