//! The built-in scenario server: one WebSocket server that does something
//! different on each URL path (echo, close with any code, restart, overload,
//! reject, drop, stay silent, flood, cycle through them all).
//!
//! It backs `wsprobe serve`, the in-process demo the TUI and headless modes
//! connect to when no URL is given, and the engine's integration tests.
//! Every path and what it does is listed by [`DemoServer::menu`]; the parsing
//! is in [`scenario`].
//!
//! Details a client author may trip over: the handshake accepts the first
//! subprotocol the client offers (so clients that insist on one connect);
//! no extension is negotiated; a restart takes down only the listening
//! socket, so connections already open elsewhere stay open; the overload
//! window turns away every upgrade (any path) but not plain HTTP requests.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use wsprobe::demo_server::{DemoServer, ServerConfig};
//! let server = DemoServer::start(ServerConfig::local()).await?;
//! let url = server.url("/close/4000?reason=bye"); // ws://127.0.0.1:PORT/close/4000?reason=bye
//! let mut log = server.subscribe_log(); // one line per connection and what was done to it
//! # let _ = (url, &mut log);
//! server.shutdown().await;
//! # Ok(()) }
//! ```

mod conn;
mod fleet;
mod hold;
mod http;
mod listen;
mod menu;
mod play;
pub mod scenario;
mod serve;
mod wire;

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

pub use scenario::{CYCLE, CloseSpec, RouteError, Scenario};
pub use serve::{BindError, run_serve};

/// How the server listens and how long its timed scenarios last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Where to listen; port 0 picks a free port.
    pub bind: SocketAddr,
    /// What `/` does.
    pub default_scenario: Scenario,
    /// How long `/restart` refuses connections before listening again.
    pub restart_downtime: Duration,
    /// How long after `/overload` every handshake answers HTTP 503.
    pub overload_window: Duration,
    /// The Retry-After of 503 and 429 answers (sent in whole seconds, rounded up).
    pub retry_after: Duration,
    /// How long a `/cycle` connection echoes before it ends.
    pub phase: Duration,
    /// How often a `/cycle` connection sends a tick message while it echoes.
    pub tick: Duration,
}

impl ServerConfig {
    /// 127.0.0.1 on a free port, `/` echoes; restart downtime 3 s, overload
    /// window 5 s, Retry-After 2 s, cycle phase 6 s with a tick each second.
    pub fn local() -> Self {
        Self {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            default_scenario: Scenario::Echo,
            restart_downtime: Duration::from_secs(3),
            overload_window: Duration::from_secs(5),
            retry_after: Duration::from_secs(2),
            phase: Duration::from_secs(6),
            tick: Duration::from_secs(1),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self::local()
    }
}

/// A running scenario server. Dropping it stops it too; [`shutdown`](Self::shutdown)
/// also waits until it has stopped.
#[derive(Debug)]
pub struct DemoServer {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    /// The server's own runtime, when started with [`DemoServer::start_on_own_runtime`].
    runtime: Option<tokio::runtime::Runtime>,
}

impl DemoServer {
    /// Binds `cfg.bind` and starts serving in a background task.
    /// Fails when the address cannot be bound (e.g. the port is in use).
    #[expect(
        clippy::unused_async,
        reason = "binding registers the socket with the tokio runtime, so this must run inside one"
    )]
    pub async fn start(cfg: ServerConfig) -> std::io::Result<DemoServer> {
        let listener = listen::bind(cfg.bind)?;
        let addr = listener.local_addr()?;
        let (stop, stop_rx) = watch::channel(false);
        let (control, control_rx) = mpsc::channel(8);
        let (log, _) = broadcast::channel(1024);
        let shared = Arc::new(Shared {
            cfg,
            addr,
            log,
            started: Instant::now(),
            overload_until_ms: AtomicU64::new(0),
            cycle_next: AtomicU64::new(0),
            next_id: AtomicU64::new(1),
            fleet: fleet::Groups::default(),
            control,
            stop: stop_rx,
        });
        let task = tokio::spawn(listen::accept_loop(shared.clone(), listener, control_rx));
        Ok(DemoServer {
            shared,
            stop,
            task,
            runtime: None,
        })
    }

    /// Like [`start`](Self::start), but on a runtime of its own (one worker
    /// thread), so the caller's runtime does not drive its IO and timers.
    /// For tests that pause time (`tokio::time::pause`): the server's
    /// timeouts and scenario timings keep running on the real clock.
    pub async fn start_on_own_runtime(cfg: ServerConfig) -> std::io::Result<DemoServer> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("wsprobe-demo-server")
            .enable_all()
            .build()?;
        let started = runtime.spawn(Self::start(cfg)).await;
        match started {
            Ok(Ok(mut server)) => {
                server.runtime = Some(runtime);
                Ok(server)
            }
            Ok(Err(e)) => {
                runtime.shutdown_background();
                Err(e)
            }
            Err(e) => {
                runtime.shutdown_background();
                Err(std::io::Error::other(e))
            }
        }
    }

    /// The address it listens on (the real port when port 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// `ws://HOST:PORT` + `path` (a leading `/` is added when missing). An
    /// unspecified bind address (0.0.0.0, ::) becomes loopback, so the URL
    /// can be connected to.
    pub fn url(&self, path: &str) -> String {
        let mut addr = self.shared.addr;
        if addr.ip().is_unspecified() {
            addr.set_ip(if addr.is_ipv4() {
                Ipv4Addr::LOCALHOST.into()
            } else {
                Ipv6Addr::LOCALHOST.into()
            });
        }
        let slash = if path.starts_with('/') { "" } else { "/" };
        format!("ws://{addr}{slash}{path}")
    }

    /// A receiver of the server's log: one line when a connection is
    /// answered, one when it ends (what was done to it), and one per restart
    /// step. Lines sent before subscribing are not seen.
    pub fn subscribe_log(&self) -> broadcast::Receiver<String> {
        self.shared.log.subscribe()
    }

    /// Handshakes so far: answered with 101, and turned away with 503 (a
    /// deploy's downtime, a full capacity, the overload window).
    pub fn handshakes(&self) -> (u64, u64) {
        let f = &self.shared.fleet;
        (
            f.accepted.load(Ordering::Relaxed),
            f.refused.load(Ordering::Relaxed),
        )
    }

    /// Every path with one line saying what it does (as `wsprobe serve` prints it).
    pub fn menu(&self) -> String {
        self.shared.menu()
    }

    /// Stops accepting, closes open echo connections with 1001, and waits
    /// (bounded) until every connection task has ended.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if tokio::time::timeout(Duration::from_secs(5), &mut self.task)
            .await
            .is_err()
        {
            self.task.abort();
        }
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        // Dropping the sender alone would also stop the accept loop; sending
        // makes the intent explicit. An own runtime is shut down without
        // blocking, which is allowed inside async code.
        let _ = self.stop.send(true);
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// State shared by the accept loop and every connection.
#[derive(Debug)]
struct Shared {
    cfg: ServerConfig,
    addr: SocketAddr,
    log: broadcast::Sender<String>,
    started: Instant,
    /// Milliseconds after `started` until which handshakes answer 503 (0: none).
    overload_until_ms: AtomicU64,
    /// The next `/cycle` step (modulo the cycle's length).
    cycle_next: AtomicU64,
    next_id: AtomicU64,
    /// The `/deploy`, `/rolling` and `/capacity` groups.
    fleet: fleet::Groups,
    control: mpsc::Sender<Control>,
    stop: watch::Receiver<bool>,
}

/// Requests from a connection to the accept loop.
#[derive(Debug)]
enum Control {
    /// Stop listening for the restart downtime; answered once the listening
    /// socket is closed, so the 1012 is sent only when connects are refused.
    Restart(oneshot::Sender<()>),
}

impl Shared {
    fn emit(&self, line: String) {
        // Nobody listening is fine: the log is optional.
        let _ = self.log.send(line);
    }

    fn menu(&self) -> String {
        let c = &self.cfg;
        menu::menu(
            &c.default_scenario,
            c.restart_downtime,
            c.overload_window,
            c.retry_after,
            c.phase,
        )
    }

    /// Time left in the overload window, if one is running.
    fn overload_left(&self) -> Option<Duration> {
        let until = self.overload_until_ms.load(Ordering::SeqCst);
        let now = self.started.elapsed().as_millis() as u64;
        (until > now).then(|| Duration::from_millis(until - now))
    }

    fn start_overload(&self) {
        let until = self.started.elapsed() + self.cfg.overload_window;
        self.overload_until_ms
            .fetch_max(until.as_millis() as u64, Ordering::SeqCst);
    }

    /// Asks the accept loop to stop listening; true once it has.
    async fn take_listener_down(&self) -> bool {
        let (ack, done) = oneshot::channel();
        if self.control.send(Control::Restart(ack)).await.is_err() {
            return false;
        }
        matches!(
            tokio::time::timeout(Duration::from_secs(2), done).await,
            Ok(Ok(()))
        )
    }

    /// Resolves once the server is stopping (or its handle was dropped).
    async fn stopped(&self) {
        let mut stop = self.stop.clone();
        let _ = stop.wait_for(|&stopping| stopping).await;
    }
}
