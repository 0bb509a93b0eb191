//! The replay in the TUI: recorded events go through the same [`update`]
//! into the same [`App`] as a live run's, at recorded speed, on a clock of
//! their own: the `now` given to `update` and to the views is the recording's
//! time, so countdowns, uptime and sparklines move as they did live (ten
//! times faster at `--speed 10`, and not at all while paused).
//!
//! Going back (`[`, `g` to an earlier time) reads the file again from the
//! start: the recording is streamed, never held, and only the TUI's bounded
//! history is kept.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures_util::StreamExt as _;
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::layout::Rect;
use tokio::sync::Notify;

use super::prefetch::Prefetch;
use super::read::{Item, Reader, Recorded, RecordedSession};
use super::{Speed, truncated_notice};
use crate::app::{App, Effect, FRAME, Msg, ReplayView, update};
use crate::engine::event::EventKind;
use crate::tui::{TerminalGuard, TuiOptions};
use crate::ui;

/// Events applied between two looks at the keyboard at `--speed max`.
const BATCH: usize = 4096;

type FileReader = Reader<io::BufReader<std::fs::File>>;

/// Plays `reader` (opened on `path`) in the TUI until the user quits.
pub async fn run(
    mut reader: FileReader,
    path: &Path,
    speed: Speed,
    opts: TuiOptions,
) -> anyhow::Result<()> {
    // A file that is not a recording fails here, before the screen changes.
    let mut session = RecordedSession::default();
    let first = loop {
        match reader.next_item()? {
            Some(Item::Session(s)) => session = s,
            Some(Item::Event(e)) => break Some(e),
            Some(Item::Unknown) => {}
            None => break None,
        }
    };
    if first.is_none() && reader.truncated().is_none() && reader.line() == 0 {
        anyhow::bail!(crate::usage::UsageError::new(format!(
            "{} is empty: not a recording; make one with --record FILE",
            crate::text::escape(&path.display().to_string())
        )));
    }
    let themes = if opts.themes.is_empty() {
        crate::theme::Theme::builtins()?
    } else {
        opts.themes.clone()
    };
    let mut player = Player {
        path: path.to_path_buf(),
        reader: Prefetch::spawn(reader),
        pending: first,
        session,
        app: App::new(opts.history, themes.len().max(1)),
        opts,
        base: Instant::now(),
        speed,
        playing: true,
        at: Duration::ZERO,
        anchor: Instant::now(),
        last_seq: None,
        closes: Vec::new(),
        ended: false,
        screen: Rect::new(0, 0, 80, 24),
    };
    player.app.clock = player.opts.clock;
    player.reset_app();
    if let Some(first) = &player.pending {
        player.at = first.event.t;
    }
    let panicked = Arc::new(Notify::new());
    let guard = TerminalGuard::enter(Arc::clone(&panicked), player.opts.mouse)
        .context("setting up the terminal")?;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    let result = player.run(&mut terminal, &themes, &panicked).await;
    drop(terminal);
    drop(guard);
    result
}

pub(super) struct Player {
    pub(super) path: PathBuf,
    /// The events after `pending`, read ahead on a thread.
    pub(super) reader: Prefetch,
    /// The next event, read but not applied yet.
    pub(super) pending: Option<Recorded>,
    pub(super) session: RecordedSession,
    pub(super) app: App,
    pub(super) opts: TuiOptions,
    /// The instant that stands for run time zero.
    pub(super) base: Instant,
    pub(super) speed: Speed,
    pub(super) playing: bool,
    /// The run time reached when the clock was last set...
    pub(super) at: Duration,
    /// ...and the real time it was set.
    pub(super) anchor: Instant,
    /// The last event applied.
    pub(super) last_seq: Option<u64>,
    /// The positions (seq) of the closes applied so far, for `[`.
    pub(super) closes: Vec<u64>,
    pub(super) ended: bool,
    /// The screen's size, for what the mouse points at.
    pub(super) screen: Rect,
}

impl Player {
    async fn run<B: Backend>(
        &mut self,
        terminal: &mut Terminal<B>,
        themes: &[crate::theme::Theme],
        panicked: &Notify,
    ) -> anyhow::Result<()>
    where
        B::Error: Send + Sync + 'static,
    {
        let mut input = EventStream::new();
        let shutdown = crate::signals::stop_requested();
        tokio::pin!(shutdown);
        let size = terminal.size()?;
        self.screen = Rect::new(0, 0, size.width, size.height);
        self.fit_screen();
        let mut last_draw: Option<Instant> = None;
        let mut dirty = true;
        loop {
            let real = Instant::now();
            dirty |= self.feed(real)?;
            let now = self.base + self.position(real);
            if dirty && last_draw.is_none_or(|t| real >= t + FRAME) {
                // The close panel sizes to its content: the timeline's
                // height (paging, clicks) follows it, as in a live run.
                let rows = ui::timeline_rows_for(self.screen, &self.app);
                if rows != self.app.view.page {
                    update(&mut self.app, Msg::Viewport { rows }, now);
                }
                self.show(now);
                let theme = &themes[self.app.theme.min(themes.len() - 1)];
                terminal.draw(|frame| ui::render(frame, &self.app, theme, now))?;
                last_draw = Some(real);
                dirty = false;
            }
            let held = if dirty {
                last_draw.map(|t| t + FRAME)
            } else {
                None
            };
            let wake = [self.next_due(real, now), held].into_iter().flatten().min();
            let msg = tokio::select! {
                biased;
                () = &mut shutdown => return Ok(()),
                () = panicked.notified() => {
                    anyhow::bail!("wsprobe hit an internal error (reported above)");
                }
                input = input.next() => match input {
                    Some(Ok(event)) => self.translate(&event),
                    Some(Err(e)) => return Err(anyhow::Error::new(e).context("reading the terminal")),
                    None => anyhow::bail!("the terminal closed its input"),
                },
                () = crate::duration::until(wake.map(Into::into)), if wake.is_some() => None,
            };
            // Time moved (or a key came): the screen may change either way.
            dirty = true;
            if let Some(msg) = msg
                && self.handle(msg)?
            {
                return Ok(());
            }
            while crossterm::event::poll(Duration::ZERO).unwrap_or(false) {
                let Ok(event) = crossterm::event::read() else {
                    break;
                };
                if let Some(msg) = self.translate(&event)
                    && self.handle(msg)?
                {
                    return Ok(());
                }
            }
        }
    }

    /// The run time the replay has reached at real time `real`.
    fn position(&self, real: Instant) -> Duration {
        match self.speed {
            Speed::Factor(f) if self.playing && !self.ended => {
                let t = self.at + real.saturating_duration_since(self.anchor).mul_f64(f);
                // The clock does not run past the next event before it is applied.
                self.pending
                    .as_ref()
                    .map_or(t, |p| t.min(p.event.t.max(self.at)))
            }
            _ => self.at,
        }
    }

    /// Sets the clock to run time `t`, from now on.
    pub(super) fn set_clock(&mut self, t: Duration) {
        self.at = t;
        self.anchor = Instant::now();
    }

    /// When the loop must look again: the next event's time, or when the
    /// screen changes by itself, on the real clock.
    fn next_due(&self, real: Instant, now: Instant) -> Option<Instant> {
        if !self.playing || self.ended {
            return None;
        }
        let Speed::Factor(f) = self.speed else {
            return Some(real);
        };
        let to_real = |t: Duration| {
            real + t
                .saturating_sub(now.saturating_duration_since(self.base))
                .div_f64(f)
        };
        let next_event = self.pending.as_ref().map(|p| to_real(p.event.t));
        let screen = self
            .app
            .next_wakeup(now)
            .map(|w| to_real(w.saturating_duration_since(self.base)));
        [next_event, screen].into_iter().flatten().min()
    }

    /// Applies the events that are due; true when any was.
    fn feed(&mut self, real: Instant) -> anyhow::Result<bool> {
        if !self.playing || self.ended {
            return Ok(false);
        }
        let mut any = false;
        match self.speed {
            Speed::Max => {
                for _ in 0..BATCH {
                    if !self.apply_next()? {
                        break;
                    }
                    any = true;
                }
                if let Some(seq_t) = self
                    .app
                    .timeline
                    .get(self.app.timeline.end().saturating_sub(1))
                {
                    let t = seq_t.t;
                    self.set_clock(t);
                }
            }
            Speed::Factor(_) => {
                let now = self.position(real);
                while self.pending.as_ref().is_some_and(|p| p.event.t <= now) {
                    if !self.apply_next()? {
                        break;
                    }
                    any = true;
                }
                if self.ended {
                    self.set_clock(now);
                }
            }
        }
        Ok(any)
    }

    /// Applies the pending event and reads the next; false at the end.
    pub(super) fn apply_next(&mut self) -> anyhow::Result<bool> {
        let Some(rec) = self.pending.take() else {
            self.finish();
            return Ok(false);
        };
        let event = rec.event;
        if self.app.wall_zero.is_none() {
            // A recording without a session record: its events' own times.
            self.app.wall_zero = rec.ts.and_then(|ts| ts.checked_sub(event.t));
        }
        self.last_seq = Some(event.seq);
        if matches!(event.kind, EventKind::Close(_)) {
            self.closes.push(event.seq);
        }
        let at = self.base + event.t;
        update(&mut self.app, Msg::Engine(event), at);
        self.pending = self.reader.next_event()?;
        if self.pending.is_none() {
            self.finish();
        }
        Ok(true)
    }

    fn finish(&mut self) {
        if !self.ended {
            self.ended = true;
            update(&mut self.app, Msg::EngineEnded, self.base + self.at);
        }
    }

    /// Copies the player's state into what the footer shows.
    pub(super) fn show(&mut self, now: Instant) {
        let note = self.reader.truncated().map(truncated_notice);
        self.app.replay = Some(ReplayView {
            speed: self.speed.label(),
            playing: self.playing && !self.ended,
            position: now.saturating_duration_since(self.base),
            finished: self.ended,
            note: note.filter(|_| self.ended),
        });
    }

    /// Handles a key or a resize; true when the user quit.
    fn handle(&mut self, msg: Msg) -> anyhow::Result<bool> {
        let now = self.base + self.position(Instant::now());
        for effect in update(&mut self.app, msg, now) {
            match effect {
                Effect::Quit => return Ok(true),
                // Nothing is sent from a replay, so nothing to recall either.
                Effect::Send(_) | Effect::Remember(_) => {}
                Effect::Save(path) => {
                    let session = self.session_record();
                    let notice = crate::record::save_history(&path, &session, &self.app.timeline);
                    self.app.notice = Some(notice);
                }
                Effect::Replay(control) => self.control(control, now)?,
                Effect::Copy(bytes) => {
                    use std::io::Write as _;
                    let tmux = std::env::var_os("TMUX").is_some_and(|v| !v.is_empty());
                    let mut out = io::stdout();
                    let _ = out
                        .write_all(crate::tui::osc52(&bytes, tmux).as_bytes())
                        .and_then(|()| out.flush());
                }
                Effect::Write { path, bytes } => {
                    self.app.notice = Some(match std::fs::write(&path, &bytes) {
                        Ok(()) => format!("wrote {} bytes to {path}", bytes.len()),
                        Err(e) => format!("cannot write {path}: {e}"),
                    });
                }
            }
        }
        Ok(false)
    }
}

impl Player {
    fn translate(&mut self, event: &Event) -> Option<Msg> {
        match event {
            Event::Key(key) if key.kind == KeyEventKind::Press => Some(Msg::Key(*key)),
            Event::Resize(width, height) => {
                self.screen = Rect::new(0, 0, *width, *height);
                Some(Msg::Screen {
                    width: *width,
                    height: *height,
                })
            }
            Event::Mouse(m) => ui::mouse_message(self.screen, &self.app, m),
            _ => None,
        }
    }
}

impl Player {
    /// Tells the view the screen's size and the timeline's height on it.
    pub(super) fn fit_screen(&mut self) {
        let (width, height) = (self.screen.width, self.screen.height);
        update(&mut self.app, Msg::Screen { width, height }, self.base);
        let rows = ui::timeline_rows_for(self.screen, &self.app);
        update(&mut self.app, Msg::Viewport { rows }, self.base);
    }
}
