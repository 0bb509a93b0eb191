//! The listening socket and the accept loop, including the restart: the
//! socket is really closed for the downtime (connects are refused), then
//! bound again on the same port.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep, sleep_until};

use super::{Control, Shared, conn};
use crate::duration::format_duration;

/// Binds a listening socket. `SO_REUSEADDR` lets a restart bind the same
/// port again while connections from before the restart still use it.
pub(super) fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    // On Windows SO_REUSEADDR would let two servers share a port; elsewhere it
    // only ignores connections left from before (TIME_WAIT, still open).
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    // A fleet reconnecting at once sends thousands of SYNs together; a
    // short queue would drop them and add a second of retransmission.
    socket.listen(4096)
}

/// Accepts connections until the server stops, taking the listener down
/// when a connection asks for a restart.
pub(super) async fn accept_loop(
    shared: Arc<Shared>,
    listener: TcpListener,
    mut control: mpsc::Receiver<Control>,
) {
    let mut listener = Some(listener);
    let mut tasks = JoinSet::new();
    loop {
        let Some(current) = listener.as_ref() else {
            listener = restart(&shared, &mut control).await;
            if listener.is_none() {
                break;
            }
            continue;
        };
        tokio::select! {
            biased;
            () = shared.stopped() => break,
            Some(Control::Restart(ack)) = control.recv() => {
                listener = None;
                let _ = ack.send(());
            }
            // Reap finished connections so the set does not grow without bound.
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            accepted = current.accept() => match accepted {
                Ok((stream, peer)) => {
                    let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
                    tasks.spawn(conn::handle(shared.clone(), stream, peer, id));
                }
                // Running out of file descriptors and similar: back off a
                // little instead of spinning on the same error.
                Err(e) => {
                    shared.emit(format!("accept failed: {e}"));
                    sleep(Duration::from_millis(50)).await;
                }
            },
        }
    }
    drop(listener);
    // Connections see the stop themselves (echo ones close with 1001); give
    // them a moment, then end whatever is left.
    let grace = tokio::time::timeout(Duration::from_secs(2), async {
        while tasks.join_next().await.is_some() {}
    });
    if grace.await.is_err() {
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
    }
}

/// The downtime of a restart: nothing listens until it is over, then the
/// same address is bound again (retrying if something else took the port
/// meanwhile). `None` when the server stopped during the downtime.
async fn restart(shared: &Shared, control: &mut mpsc::Receiver<Control>) -> Option<TcpListener> {
    let downtime = shared.cfg.restart_downtime;
    shared.emit(format!(
        "restart: not listening for {}",
        format_duration(downtime)
    ));
    let mut up_at = Instant::now() + downtime;
    loop {
        tokio::select! {
            biased;
            () = shared.stopped() => return None,
            // A second restart during the downtime (its handshake raced the
            // first one) starts the downtime over.
            Some(Control::Restart(ack)) = control.recv() => {
                up_at = Instant::now() + downtime;
                let _ = ack.send(());
            }
            () = sleep_until(up_at) => break,
        }
    }
    let mut reported = false;
    loop {
        match bind(shared.addr) {
            Ok(listener) => {
                shared.emit(format!("restart: listening again on {}", shared.addr));
                return Some(listener);
            }
            Err(e) => {
                if !reported {
                    shared.emit(format!(
                        "restart: cannot listen on {} again ({e}); retrying",
                        shared.addr
                    ));
                    reported = true;
                }
                tokio::select! {
                    () = shared.stopped() => return None,
                    () = sleep(Duration::from_millis(250)) => {}
                }
            }
        }
    }
}
