//! The interactive terminal: a guard that restores the terminal on every path
//! (panics included), and the event loop that turns engine events, keys,
//! signals and the animation timer into [`Msg`]s, runs [`update`], carries
//! out the effects, and draws when something changed.

use std::io::{self, IsTerminal as _};
use std::sync::Arc;
use std::time::{Duration, Instant};

use std::io::Write as _;
use std::path::PathBuf;
use std::time::SystemTime;

use anyhow::{Context as _, anyhow};
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures_util::StreamExt as _;
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::layout::Rect;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

use crate::app::{App, Clock, Effect, FRAME, Msg, update};
use crate::engine::connection::{EngineHandle, RunEnd};
use crate::engine::event::{Command, EngineEvent};
use crate::headless::SessionRecord;
use crate::theme::Theme;
use crate::ui;
use crate::usage::UsageError;

mod term;

pub(crate) use term::TerminalGuard;
use term::remember;
pub use term::{load_recall, osc52};

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
    /// Capture the mouse (wheel and clicks); off, the terminal's own
    /// selection works.
    pub mouse: bool,
    /// How times are shown at the start.
    pub clock: Clock,
    /// The policy's ping timeout, for the liveness countdown.
    pub ping_timeout: Option<Duration>,
    /// The policy reconnects after a 1000 (shown with the rule).
    pub reconnect_on_normal: bool,
    /// Where messages sent to this URL are remembered for recall.
    pub recall_file: Option<PathBuf>,
    /// The `session` record `s` writes first into a saved recording; `None`
    /// makes one from what the TUI knows (the version and the start time).
    pub session: Option<SessionRecord>,
    /// The file name `s` proposes (`wsprobe-<host>-<date>.jsonl`).
    pub save_name: Option<String>,
}

impl TuiOptions {
    /// Options with these themes and history, everything else at its default.
    pub fn new(themes: Vec<Theme>, theme: usize, history: usize) -> Self {
        Self {
            themes,
            theme,
            history,
            mouse: true,
            clock: Clock::Relative,
            ping_timeout: None,
            reconnect_on_normal: false,
            recall_file: None,
            session: None,
            save_name: None,
        }
    }
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
    app.clock = opts.clock;
    app.ping_timeout = opts.ping_timeout;
    app.reconnect_on_normal = opts.reconnect_on_normal;
    if let Some(file) = &opts.recall_file {
        app.recall = load_recall(file);
    }
    if let Some(name) = opts.save_name.clone() {
        app.save_name = name;
    }

    let panicked = Arc::new(Notify::new());
    let guard = TerminalGuard::enter(Arc::clone(&panicked), opts.mouse)
        .context("setting up the terminal")?;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    let (notices, mut notices_rx) = mpsc::unbounded_channel();
    let mut looper = Loop {
        app: &mut app,
        commands: &commands,
        themes: &themes,
        engine_open: true,
        recall_file: opts.recall_file.clone(),
        notices,
        size: Rect::default(),
        tmux: std::env::var_os("TMUX").is_some_and(|v| !v.is_empty()),
        session: opts.session.as_ref(),
    };
    let result = looper
        .run(&mut terminal, &mut events, &mut notices_rx, &panicked)
        .await;
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
    recall_file: Option<PathBuf>,
    /// Results of effects done off the loop (a file written) come back here.
    notices: mpsc::UnboundedSender<Msg>,
    /// The terminal's size.
    size: Rect,
    /// Inside tmux: the clipboard sequence is wrapped for it.
    tmux: bool,
    /// What a saved recording starts with.
    session: Option<&'a SessionRecord>,
}

impl Loop<'_> {
    async fn run<B: Backend>(
        &mut self,
        terminal: &mut Terminal<B>,
        events: &mut mpsc::Receiver<EngineEvent>,
        notices: &mut mpsc::UnboundedReceiver<Msg>,
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
        self.resize(size.width, size.height);
        let mut dirty = true;
        let mut last_draw: Option<Instant> = None;
        loop {
            let now = Instant::now();
            if dirty && last_draw.is_none_or(|t| now >= t + FRAME) {
                // The close panel sizes to its content: the timeline's
                // height (paging, clicks) follows it.
                let rows = ui::timeline_rows_for(self.size, self.app);
                if rows != self.app.view.page {
                    update(self.app, Msg::Viewport { rows }, now);
                }
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
                Some(msg) = notices.recv() => Wake::Msg(msg),
                event = events.recv(), if self.engine_open => {
                    if let Some(event) = event {
                        self.take_wall_clock(&event);
                        Wake::Msg(Msg::Engine(event))
                    } else {
                        self.engine_open = false;
                        Wake::Msg(Msg::EngineEnded)
                    }
                }
                input = input.next() => match input {
                    Some(Ok(event)) => self.translate(&event),
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
                    if let Wake::Msg(msg) = self.translate(&event) {
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

    /// The screen changed size: the app learns it, and the timeline's rows.
    fn resize(&mut self, width: u16, height: u16) {
        self.size = Rect::new(0, 0, width, height);
        update(self.app, Msg::Screen { width, height }, Instant::now());
        let rows = ui::timeline_rows_for(self.size, self.app);
        update(self.app, Msg::Viewport { rows }, Instant::now());
    }

    /// The wall clock's time zero, taken when the first event arrives.
    fn take_wall_clock(&mut self, event: &EngineEvent) {
        if self.app.wall_zero.is_none() {
            self.app.wall_zero = SystemTime::now().checked_sub(event.t);
        }
    }

    fn translate(&mut self, event: &Event) -> Wake {
        match event {
            Event::Key(key) if key.kind == KeyEventKind::Press => Wake::Msg(Msg::Key(*key)),
            // A paste is text, never keys.
            Event::Paste(text) => Wake::Msg(Msg::Paste(text.clone())),
            Event::Resize(width, height) => {
                self.resize(*width, *height);
                Wake::Msg(Msg::Screen {
                    width: *width,
                    height: *height,
                })
            }
            Event::Mouse(m) => {
                ui::mouse_message(self.size, self.app, m).map_or(Wake::Nothing, Wake::Msg)
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
                Effect::Copy(bytes) => {
                    let mut out = io::stdout();
                    let _ = out
                        .write_all(osc52(&bytes, self.tmux).as_bytes())
                        .and_then(|()| out.flush());
                }
                Effect::Write { path, bytes } => {
                    let notices = self.notices.clone();
                    tokio::task::spawn_blocking(move || {
                        let notice = match std::fs::write(&path, &bytes) {
                            Ok(()) => format!("wrote {} bytes to {path}", bytes.len()),
                            Err(e) => format!("cannot write {path}: {e}"),
                        };
                        let _ = notices.send(Msg::Notice(notice));
                    });
                }
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
                Effect::Remember(text) => {
                    if let Some(file) = self.recall_file.clone() {
                        tokio::task::spawn_blocking(move || {
                            if let Err(e) = remember(&file, &text) {
                                tracing::warn!(file = %file.display(), "cannot remember a message: {e}");
                            }
                        });
                    }
                }
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
