//! The interactive terminal: a guard that restores the terminal on every path
//! (panics included), and the event loop that turns engine events, keys,
//! signals and the animation timer into [`Msg`]s, runs [`update`], carries
//! out the effects, and draws when something changed.

use std::io::{self, IsTerminal as _};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow};
use crossterm::event::{Event, EventStream, KeyEventKind};
use crossterm::terminal::{self, EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute};
use futures_util::StreamExt as _;
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::layout::Rect;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

use crate::app::{App, Effect, FRAME, Msg, update};
use crate::engine::connection::{EngineHandle, RunEnd};
use crate::engine::event::{Command, EngineEvent};
use crate::headless::SessionRecord;
use crate::theme::Theme;
use crate::ui;
use crate::usage::UsageError;

/// Engine events applied before a frame is drawn, at most: enough to catch up
/// with a flood in one frame, few enough to keep keys responsive.
const BATCH: usize = 4096;

/// How long quitting waits for the engine to send its close and finish.
const WIND_DOWN: Duration = Duration::from_secs(1);

/// What the TUI needs besides the engine.
#[derive(Debug, Clone)]
pub struct TuiOptions {
    /// The themes `t` cycles through.
    pub themes: Vec<Theme>,
    /// Index into `themes` of the one shown first.
    pub theme: usize,
    /// How many events the timeline keeps.
    pub history: usize,
    /// The `session` record `s` writes first into a saved recording; `None`
    /// makes one from what the TUI knows (the version and the start time).
    pub session: Option<SessionRecord>,
    /// The file name `s` proposes (`wsprobe-<host>-<date>.jsonl`).
    pub save_name: Option<String>,
}

/// Fails with a usage error when stdout is not a terminal: the TUI cannot
/// draw into a pipe or a file, and the headless modes are made for those.
pub fn ensure_terminal() -> Result<(), UsageError> {
    if io::stdout().is_terminal() {
        Ok(())
    } else {
        Err(UsageError::new(
            "stdout is not a terminal, so the interactive view cannot start; \
             for a pipe or a file use --json (one JSON event per line) or --headless",
        ))
    }
}

/// Runs the TUI on `handle`'s events until the user quits (then the engine
/// gets `Quit` and up to a second to close), the terminal fails, or a panic
/// anywhere in the process.
pub async fn run(handle: EngineHandle, opts: TuiOptions) -> anyhow::Result<()> {
    ensure_terminal()?;
    let EngineHandle {
        mut events,
        commands,
        mut task,
    } = handle;
    let themes = if opts.themes.is_empty() {
        Theme::builtins()?
    } else {
        opts.themes
    };
    let mut app = App::new(opts.history, themes.len());
    app.theme = opts.theme.min(themes.len() - 1);
    if let Some(name) = opts.save_name {
        app.save_name = name;
    }

    let panicked = Arc::new(Notify::new());
    let guard = TerminalGuard::enter(Arc::clone(&panicked)).context("setting up the terminal")?;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    let mut looper = Loop {
        app: &mut app,
        commands: &commands,
        themes: &themes,
        engine_open: true,
        session: opts.session.as_ref(),
    };
    let result = looper.run(&mut terminal, &mut events, &panicked).await;
    if result.is_err() {
        // The loop did not end by a quit: the engine still has to close.
        send(&commands, Command::Quit { code: 1001 });
    }
    wind_down(&mut events, &mut task).await;
    drop(terminal);
    drop(guard);
    result
}

/// Lets the engine finish its close: drains its events (so it never blocks
/// on a full channel) and waits for its task, at most [`WIND_DOWN`].
async fn wind_down(events: &mut mpsc::Receiver<EngineEvent>, task: &mut JoinHandle<RunEnd>) {
    let finish = async {
        while events.recv().await.is_some() {}
        let _ = (&mut *task).await;
    };
    if tokio::time::timeout(WIND_DOWN, finish).await.is_err() {
        task.abort();
    }
}

/// Sends a command without ever blocking the loop. A full queue hands the
/// command to a task; a closed one means the engine is gone.
fn send(commands: &mpsc::Sender<Command>, command: Command) -> bool {
    match commands.try_send(command) {
        Ok(()) => true,
        Err(mpsc::error::TrySendError::Full(command)) => {
            let commands = commands.clone();
            tokio::spawn(async move {
                let _ = commands.send(command).await;
            });
            true
        }
        Err(mpsc::error::TrySendError::Closed(_)) => false,
    }
}

/// What woke the loop.
enum Wake {
    /// Something for `update`.
    Msg(Msg),
    /// Time passed: a countdown or a spinner moved, or a held-back frame is due.
    Tick,
    /// An input that changes nothing (a key release, a mouse move).
    Nothing,
}

struct Loop<'a> {
    app: &'a mut App,
    commands: &'a mpsc::Sender<Command>,
    themes: &'a [Theme],
    engine_open: bool,
    session: Option<&'a SessionRecord>,
}

impl Loop<'_> {
    async fn run<B: Backend>(
        &mut self,
        terminal: &mut Terminal<B>,
        events: &mut mpsc::Receiver<EngineEvent>,
        panicked: &Notify,
    ) -> anyhow::Result<()>
    where
        B::Error: Send + Sync + 'static,
    {
        let mut input = EventStream::new();
        let shutdown = crate::signals::stop_requested();
        tokio::pin!(shutdown);
        let mut shutdown_seen = false;
        let size = terminal.size()?;
        let rows = ui::timeline_rows(Rect::new(0, 0, size.width, size.height));
        update(self.app, Msg::Viewport { rows }, Instant::now());
        let mut dirty = true;
        let mut last_draw: Option<Instant> = None;
        loop {
            let now = Instant::now();
            if dirty && last_draw.is_none_or(|t| now >= t + FRAME) {
                let theme = &self.themes[self.app.theme.min(self.themes.len() - 1)];
                terminal.draw(|frame| ui::render(frame, self.app, theme, now))?;
                last_draw = Some(now);
                dirty = false;
            }
            // A timer only while something on screen moves with time, or a
            // frame was held back by the frame cap: an idle connection sleeps.
            let held_frame = if dirty {
                last_draw.map(|t| t + FRAME)
            } else {
                None
            };
            let wake_at = match (self.app.next_wakeup(now), held_frame) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            // Order matters: shutdown beats everything, and engine events
            // come before keys so a frame shows the newest state.
            let wake = tokio::select! {
                biased;
                () = &mut shutdown, if !shutdown_seen => {
                    shutdown_seen = true;
                    Wake::Msg(Msg::Shutdown)
                }
                () = panicked.notified() => {
                    return Err(anyhow!("wsprobe hit an internal error (reported above)"));
                }
                event = events.recv(), if self.engine_open => {
                    if let Some(event) = event {
                        Wake::Msg(Msg::Engine(event))
                    } else {
                        self.engine_open = false;
                        Wake::Msg(Msg::EngineEnded)
                    }
                }
                input = input.next() => match input {
                    Some(Ok(event)) => Self::translate(&event),
                    Some(Err(e)) => return Err(anyhow::Error::new(e).context("reading the terminal")),
                    None => return Err(anyhow!("the terminal closed its input")),
                },
                () = crate::duration::until(wake_at.map(Into::into)), if wake_at.is_some() => Wake::Tick,
            };
            let mut quit = match wake {
                Wake::Msg(msg) => {
                    dirty = true;
                    self.handle(msg)
                }
                Wake::Tick => {
                    dirty = true;
                    false
                }
                Wake::Nothing => false,
            };
            if !quit {
                // Catch up with whatever else is queued, so the next frame
                // shows all of it instead of drawing once per event.
                dirty |= self.drain(events);
                // Biased selection would let a flood of engine events starve
                // the keyboard; take keys already waiting as well. This uses
                // crossterm's zero-timeout poll, not the stream: polling the
                // stream with a no-op waker would leave its reader thread
                // holding that waker, and later keys would wake nobody.
                while crossterm::event::poll(Duration::ZERO).unwrap_or(false) {
                    let Ok(event) = crossterm::event::read() else {
                        break;
                    };
                    if let Wake::Msg(msg) = Self::translate(&event) {
                        dirty = true;
                        quit |= self.handle(msg);
                    }
                }
            }
            if quit {
                return Ok(());
            }
        }
    }

    fn translate(event: &Event) -> Wake {
        match event {
            Event::Key(key) if key.kind == KeyEventKind::Press => Wake::Msg(Msg::Key(*key)),
            Event::Resize(width, height) => {
                let rows = ui::timeline_rows(Rect::new(0, 0, *width, *height));
                Wake::Msg(Msg::Viewport { rows })
            }
            _ => Wake::Nothing,
        }
    }

    /// Applies one message and its effects; true when the user quit.
    fn handle(&mut self, msg: Msg) -> bool {
        let mut quit = false;
        for effect in update(self.app, msg, Instant::now()) {
            match effect {
                Effect::Send(command) => {
                    if !send(self.commands, command) {
                        self.app.notice = Some("the engine is no longer running; q quits".into());
                    }
                }
                Effect::Quit => quit = true,
                Effect::Save(path) => {
                    let now = Instant::now();
                    let session = self.session.cloned().unwrap_or_else(|| {
                        let wall = std::time::SystemTime::now() - self.app.run_time(now);
                        crate::record::bare_session(wall)
                    });
                    let notice = crate::record::save_history(&path, &session, &self.app.timeline);
                    self.app.notice = Some(notice);
                }
                // Only a replay has a player to steer.
                Effect::Replay(_) => {}
            }
        }
        quit
    }

    /// Applies queued engine events without waiting; true when there were any.
    fn drain(&mut self, events: &mut mpsc::Receiver<EngineEvent>) -> bool {
        let mut any = false;
        for _ in 0..BATCH {
            if !self.engine_open {
                break;
            }
            let msg = match events.try_recv() {
                Ok(event) => Msg::Engine(event),
                Err(mpsc::error::TryRecvError::Empty) => break,
                Err(mpsc::error::TryRecvError::Disconnected) => {
                    self.engine_open = false;
                    Msg::EngineEnded
                }
            };
            // Engine events yield no effects; only keys do.
            update(self.app, msg, Instant::now());
            any = true;
        }
        any
    }
}

type PanicHook = Box<dyn Fn(&std::panic::PanicHookInfo<'_>) + Send + Sync + 'static>;

/// Raw mode and the alternate screen for as long as it lives. Dropping it,
/// or a panic anywhere, puts the terminal back; the panic hook restores
/// first and then runs the previous hook, so the message lands on a usable
/// screen.
pub(crate) struct TerminalGuard {
    previous_hook: Option<Arc<PanicHook>>,
}

impl TerminalGuard {
    /// Raw mode and the alternate screen; `panicked` is told about a panic.
    pub(crate) fn enter(panicked: Arc<Notify>) -> io::Result<Self> {
        let previous: Arc<PanicHook> = Arc::new(std::panic::take_hook());
        let chained = Arc::clone(&previous);
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            chained(info);
            // A panic in another task leaves the loop running on a restored
            // terminal: tell it to stop.
            panicked.notify_one();
        }));
        // Built before touching the terminal, so a failure half-way through
        // is undone by its Drop.
        let guard = Self {
            previous_hook: Some(previous),
        };
        terminal::enable_raw_mode()?;
        execute!(io::stdout(), EnterAlternateScreen, cursor::Hide)?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
        // The hook cannot be changed while panicking; the process is on its
        // way out then anyway.
        if !std::thread::panicking()
            && let Some(previous) = self.previous_hook.take()
        {
            drop(std::panic::take_hook());
            std::panic::set_hook(Box::new(move |info| previous(info)));
        }
    }
}

/// Leaves raw mode and the alternate screen and shows the cursor. Safe to
/// call twice (the panic hook and then the guard's Drop both do).
fn restore_terminal() {
    let _ = terminal::disable_raw_mode();
    let _ = execute!(io::stdout(), LeaveAlternateScreen, cursor::Show);
}
