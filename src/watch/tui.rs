//! The watch screen's event loop, built like the single-client one
//! ([`crate::tui`]): one biased `select!` over shutdown, facts, the selected
//! client's events, keys and a timer that runs only while the chart moves;
//! draws when something changed, at most ~30 times a second.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow};
use crossterm::event::{Event, EventStream, KeyEventKind};
use crossterm::terminal::{self, EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute};
use futures_util::StreamExt as _;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use tokio::sync::{Notify, mpsc};

use super::fact::Fact;
use super::fleet::{Fleet, FleetEnd};
use super::view::{Screen, WatchApp, WatchEffect, WatchMsg, update};
use crate::app::FRAME;
use crate::engine::event::EngineEvent;
use crate::theme::Theme;
use crate::tui::TuiOptions;

/// Facts folded in before a frame is drawn, at most.
const BATCH: usize = 8192;

/// How long quitting waits for the clients to close.
const WIND_DOWN: Duration = Duration::from_secs(2);

/// Runs the watch screen until the user quits (the clients then close with
/// 1000, or 1001 after Ctrl-C / `stop`).
pub async fn run(
    fleet: Fleet,
    mut facts: mpsc::UnboundedReceiver<Fact>,
    opts: TuiOptions,
    header: String,
    stop: impl Future<Output = ()>,
) -> anyhow::Result<FleetEnd> {
    crate::tui::ensure_terminal()?;
    let themes = if opts.themes.is_empty() {
        Theme::builtins()?
    } else {
        opts.themes
    };
    let mut w = WatchApp::new(fleet.board.clients(), header, opts.history, themes.len());
    w.theme = opts.theme.min(themes.len() - 1);
    let panicked = Arc::new(Notify::new());
    let guard = Guard::enter(Arc::clone(&panicked)).context("setting up the terminal")?;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    let result = event_loop(
        &mut terminal,
        &mut w,
        &fleet,
        &mut facts,
        &themes,
        &panicked,
        stop,
    )
    .await;
    if result.is_err() {
        fleet.stop(1001);
    }
    // Let the clients send their Close frames (bounded), reading facts so
    // no sink waits.
    let finish = async { while facts.recv().await.is_some() {} };
    let _ = tokio::time::timeout(WIND_DOWN, finish).await;
    drop(terminal);
    drop(guard);
    result.map(|()| FleetEnd::default())
}

async fn event_loop(
    terminal: &mut Terminal<CrosstermBackend<io::Stdout>>,
    w: &mut WatchApp,
    fleet: &Fleet,
    facts: &mut mpsc::UnboundedReceiver<Fact>,
    themes: &[Theme],
    panicked: &Notify,
    stop: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let board = fleet.board.clone();
    let start = board.start;
    let mut input = EventStream::new();
    tokio::pin!(stop);
    let mut stop_seen = false;
    let mut facts_open = true;
    let mut client: Option<mpsc::UnboundedReceiver<EngineEvent>> = None;
    let size = terminal.size()?;
    let mut screen = Rect::new(0, 0, size.width, size.height);
    let (width, height) = (size.width, size.height);
    update(w, WatchMsg::ClientScreen { width, height }, Instant::now());
    let mut dirty = true;
    let mut last_draw: Option<Instant> = None;
    loop {
        let now = Instant::now();
        if dirty && last_draw.is_none_or(|t| now >= t + FRAME) {
            // The single-client view's close panel sizes to its content:
            // the timeline's height (paging) follows it, as in a live run.
            if let Screen::Client { app, .. } = &w.screen {
                let rows = crate::ui::timeline_rows_for(screen, app);
                if rows != w.client_rows {
                    update(w, WatchMsg::ClientViewport(rows), now);
                }
            }
            update(
                w,
                WatchMsg::Tick(now.saturating_duration_since(start.into_std())),
                now,
            );
            let theme = &themes[w.theme.min(themes.len() - 1)];
            terminal.draw(|f| super::ui::render(f, w, theme, now, start.into_std()))?;
            last_draw = Some(now);
            dirty = false;
        }
        let held = if dirty {
            last_draw.map(|t| t + FRAME)
        } else {
            None
        };
        let wake = match (w.next_wakeup(now, start.into_std()), held) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let msg = tokio::select! {
            biased;
            () = &mut stop, if !stop_seen => {
                stop_seen = true;
                Some(WatchMsg::Shutdown)
            }
            () = panicked.notified() => {
                return Err(anyhow!("wsprobe hit an internal error (reported above)"));
            }
            fact = facts.recv(), if facts_open => {
                if let Some(fact) = fact {
                    Some(WatchMsg::Fact(fact))
                } else {
                    facts_open = false;
                    Some(WatchMsg::FleetEnded)
                }
            }
            event = recv(&mut client), if client.is_some() => {
                if let Some(event) = event {
                    Some(WatchMsg::Client(event))
                } else {
                    client = None;
                    None
                }
            }
            input = input.next() => match input {
                Some(Ok(Event::Key(key))) if key.kind == KeyEventKind::Press => Some(WatchMsg::Key(key)),
                Some(Ok(Event::Resize(width, height))) => {
                    terminal.clear()?;
                    screen = Rect::new(0, 0, width, height);
                    Some(WatchMsg::ClientScreen { width, height })
                }
                Some(Ok(_)) => None,
                Some(Err(e)) => return Err(anyhow::Error::new(e).context("reading the terminal")),
                None => return Err(anyhow!("the terminal closed its input")),
            },
            () = sleep_until(wake), if wake.is_some() => {
                dirty = true;
                None
            }
        };
        let Some(msg) = msg else { continue };
        dirty = true;
        let mut quit = apply(w, msg, fleet, &mut client);
        // Catch up with everything queued before drawing.
        for _ in 0..BATCH {
            match facts.try_recv() {
                Ok(fact) => {
                    update(w, WatchMsg::Fact(fact), Instant::now());
                }
                Err(_) => break,
            }
        }
        if let Some(rx) = client.as_mut() {
            while let Ok(event) = rx.try_recv() {
                update(w, WatchMsg::Client(event), Instant::now());
            }
        }
        while !quit && crossterm::event::poll(Duration::ZERO).unwrap_or(false) {
            let Ok(Event::Key(key)) = crossterm::event::read() else {
                continue;
            };
            if key.kind == KeyEventKind::Press {
                quit |= apply(w, WatchMsg::Key(key), fleet, &mut client);
            }
        }
        if quit {
            return Ok(());
        }
    }
}

/// Applies one message and carries out its effects; true to quit.
fn apply(
    w: &mut WatchApp,
    msg: WatchMsg,
    fleet: &Fleet,
    client: &mut Option<mpsc::UnboundedReceiver<EngineEvent>>,
) -> bool {
    let mut quit = false;
    for effect in update(w, msg, Instant::now()) {
        match effect {
            WatchEffect::Select(c) => {
                let (tx, rx) = mpsc::unbounded_channel();
                if let Some(epoch) = fleet.board.client_epoch(c) {
                    update(w, WatchMsg::ClientEpoch(epoch.into_std()), Instant::now());
                }
                fleet.board.select(c, tx);
                *client = Some(rx);
            }
            WatchEffect::Deselect => {
                fleet.board.deselect();
                *client = None;
            }
            WatchEffect::Command(c, command) => {
                fleet.board.command(c, command);
            }
            WatchEffect::StopAll(code) => fleet.stop(code),
            WatchEffect::Quit => quit = true,
        }
    }
    quit
}

async fn recv(rx: &mut Option<mpsc::UnboundedReceiver<EngineEvent>>) -> Option<EngineEvent> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

type PanicHook = Box<dyn Fn(&std::panic::PanicHookInfo<'_>) + Send + Sync + 'static>;

/// Raw mode and the alternate screen while it lives; a panic anywhere
/// restores the terminal first, then runs the previous hook (as the
/// single-client screen's guard does).
struct Guard {
    previous: Option<Arc<PanicHook>>,
}

impl Guard {
    fn enter(panicked: Arc<Notify>) -> io::Result<Self> {
        let previous: Arc<PanicHook> = Arc::new(std::panic::take_hook());
        let chained = Arc::clone(&previous);
        std::panic::set_hook(Box::new(move |info| {
            restore();
            chained(info);
            panicked.notify_one();
        }));
        let guard = Self {
            previous: Some(previous),
        };
        terminal::enable_raw_mode()?;
        execute!(io::stdout(), EnterAlternateScreen, cursor::Hide)?;
        Ok(guard)
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
        if !std::thread::panicking()
            && let Some(previous) = self.previous.take()
        {
            drop(std::panic::take_hook());
            std::panic::set_hook(Box::new(move |info| previous(info)));
        }
    }
}

fn restore() {
    let _ = terminal::disable_raw_mode();
    let _ = execute!(io::stdout(), LeaveAlternateScreen, cursor::Show);
}
