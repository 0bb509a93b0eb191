//! The watch screen's plain state and its pure update, Elm style like the
//! single-client [`App`]: a [`WatchMsg`] in, state changed, [`WatchEffect`]s
//! out for the loop to carry out. The single-client screen of a selected
//! client is the existing [`App`], fed with that client's events.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::fact::Fact;
use super::state::FleetState;
use crate::app::{self, Action, App, Effect, Mode, Msg};
use crate::engine::event::{Command, EngineEvent};

/// Clients a page key moves the cursor by.
pub const PAGE: u32 = 10;

/// Which screen is shown.
#[derive(Debug, Clone)]
pub enum Screen {
    /// The fleet: states, storm, causes, recovery, clients.
    Fleet,
    /// One client's own timeline.
    Client {
        /// The client's number.
        client: u32,
        /// The single-client screen's state.
        app: Box<App>,
    },
}

/// The whole watch screen state.
#[derive(Debug, Clone)]
pub struct WatchApp {
    /// The aggregates.
    pub fleet: FleetState,
    /// The run, for the status bar (clients, URL, seed).
    pub header: String,
    /// The client the list points at.
    pub cursor: u32,
    /// A client number being typed (digits, then Enter).
    pub goto: String,
    /// The mass close shown; `None` follows the newest.
    pub burst: Option<usize>,
    /// What is shown.
    pub screen: Screen,
    /// The help overlay is open.
    pub help: bool,
    /// Index of the theme in use.
    pub theme: usize,
    /// How many themes `t` cycles through.
    pub theme_count: usize,
    /// Events the single-client screen keeps.
    pub history: usize,
    /// Every client has ended.
    pub ended: bool,
    /// Rows of events the single-client timeline shows.
    pub client_rows: u16,
    /// The screen's size, for the single-client view.
    pub client_screen: (u16, u16),
}

/// One input to [`update`].
#[derive(Debug, Clone)]
pub enum WatchMsg {
    /// A client's lifecycle fact.
    Fact(Fact),
    /// Time passed: the fleet's clock reads this.
    Tick(Duration),
    /// A key was pressed.
    Key(KeyEvent),
    /// An event of the selected client.
    Client(EngineEvent),
    /// The single-client timeline now shows this many rows.
    ClientViewport(u16),
    /// The screen's size changed.
    ClientScreen {
        /// Columns.
        width: u16,
        /// Rows.
        height: u16,
    },
    /// The selected client's engine started at this instant (its events'
    /// `t` count from there).
    ClientEpoch(Instant),
    /// Every client has ended.
    FleetEnded,
    /// Ctrl-C or SIGTERM.
    Shutdown,
}

/// What the loop must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchEffect {
    /// Forward this client's events to the screen (its recent ones first).
    Select(u32),
    /// Stop forwarding.
    Deselect,
    /// Send a command to one client.
    Command(u32, Command),
    /// End every client, closing with this code.
    StopAll(u16),
    /// Leave the screen.
    Quit,
}

impl WatchApp {
    /// A fresh screen for `clients` clients.
    pub fn new(clients: u32, header: String, history: usize, theme_count: usize) -> Self {
        Self {
            fleet: FleetState::new(clients),
            header,
            cursor: 0,
            goto: String::new(),
            burst: None,
            screen: Screen::Fleet,
            help: false,
            theme: 0,
            theme_count: theme_count.max(1),
            history,
            ended: false,
            client_rows: 10,
            client_screen: (80, 24),
        }
    }

    /// The mass close shown: the chosen one, else the newest.
    pub fn shown_burst(&self) -> Option<usize> {
        let n = self.fleet.bursts.len();
        if n == 0 {
            None
        } else {
            Some(self.burst.unwrap_or(n - 1).min(n - 1))
        }
    }

    /// When the screen next changes by itself: the next whole second of the
    /// chart (while clients run), or the single-client screen's own wakeup.
    pub fn next_wakeup(&self, now: Instant, fleet_start: Instant) -> Option<Instant> {
        match &self.screen {
            Screen::Client { app, .. } => app.next_wakeup(now),
            Screen::Fleet if self.ended => None,
            Screen::Fleet => {
                let t = now.saturating_duration_since(fleet_start);
                Some(fleet_start + Duration::from_secs(t.as_secs() + 1))
            }
        }
    }
}

/// Applies `msg`; returns what the loop must do.
pub fn update(w: &mut WatchApp, msg: WatchMsg, now: Instant) -> Vec<WatchEffect> {
    match msg {
        WatchMsg::Fact(fact) => {
            w.fleet.apply(&fact);
            Vec::new()
        }
        WatchMsg::Tick(t) => {
            w.fleet.advance(t);
            Vec::new()
        }
        WatchMsg::ClientEpoch(epoch) => {
            if let Screen::Client { app, .. } = &mut w.screen {
                app.epoch = Some(epoch);
            }
            Vec::new()
        }
        WatchMsg::FleetEnded => {
            w.ended = true;
            Vec::new()
        }
        WatchMsg::Shutdown => vec![WatchEffect::StopAll(1001), WatchEffect::Quit],
        WatchMsg::Client(event) => {
            if let Screen::Client { app, .. } = &mut w.screen {
                app::update(app, Msg::Engine(event), now);
            }
            Vec::new()
        }
        WatchMsg::ClientScreen { width, height } => {
            w.client_screen = (width, height);
            if let Screen::Client { app, .. } = &mut w.screen {
                app::update(app, Msg::Screen { width, height }, now);
            }
            Vec::new()
        }
        WatchMsg::ClientViewport(rows) => {
            w.client_rows = rows;
            if let Screen::Client { app, .. } = &mut w.screen {
                app::update(app, Msg::Viewport { rows }, now);
            }
            Vec::new()
        }
        WatchMsg::Key(key) if key.kind == KeyEventKind::Press => match &w.screen {
            Screen::Fleet => fleet_key(w, key),
            Screen::Client { .. } => client_key(w, key, now),
        },
        WatchMsg::Key(_) => Vec::new(),
    }
}

fn open_client(w: &mut WatchApp, client: u32) -> Vec<WatchEffect> {
    let client = client.min(w.fleet.clients.saturating_sub(1));
    w.cursor = client;
    let mut app = App::new(w.history, w.theme_count);
    app.theme = w.theme;
    let now = Instant::now();
    let (width, height) = w.client_screen;
    app::update(&mut app, Msg::Screen { width, height }, now);
    app::update(
        &mut app,
        Msg::Viewport {
            rows: w.client_rows,
        },
        now,
    );
    w.screen = Screen::Client {
        client,
        app: Box::new(app),
    };
    vec![WatchEffect::Select(client)]
}

fn fleet_key(w: &mut WatchApp, key: KeyEvent) -> Vec<WatchEffect> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && key.code == KeyCode::Char('c') {
        return vec![WatchEffect::StopAll(1001), WatchEffect::Quit];
    }
    if w.help {
        if matches!(key.code, KeyCode::Esc | KeyCode::Char('?' | 'q')) {
            w.help = false;
        }
        return Vec::new();
    }
    let last = w.fleet.clients.saturating_sub(1);
    match key.code {
        KeyCode::Char('q') => return vec![WatchEffect::StopAll(1000), WatchEffect::Quit],
        KeyCode::Char('?') => w.help = true,
        KeyCode::Char('t') => w.theme = (w.theme + 1) % w.theme_count,
        KeyCode::Char(d) if d.is_ascii_digit() && w.goto.len() < 7 => w.goto.push(d),
        KeyCode::Backspace => {
            w.goto.pop();
        }
        KeyCode::Esc => w.goto.clear(),
        KeyCode::Enter => {
            let target = if w.goto.is_empty() {
                w.cursor
            } else {
                w.goto.parse().unwrap_or(w.cursor)
            };
            w.goto.clear();
            return open_client(w, target);
        }
        KeyCode::Up | KeyCode::Char('k') => w.cursor = w.cursor.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => w.cursor = (w.cursor + 1).min(last),
        KeyCode::PageUp => w.cursor = w.cursor.saturating_sub(PAGE),
        KeyCode::PageDown => w.cursor = (w.cursor + PAGE).min(last),
        KeyCode::Home | KeyCode::Char('g') => w.cursor = 0,
        KeyCode::End | KeyCode::Char('G') => w.cursor = last,
        KeyCode::Left | KeyCode::Char('h') => {
            if let Some(b) = w.shown_burst() {
                w.burst = Some(b.saturating_sub(1));
            }
        }
        KeyCode::Right | KeyCode::Char('l') => {
            if let Some(b) = w.shown_burst() {
                let next = b + 1;
                w.burst = (next < w.fleet.bursts.len()).then_some(next);
            }
        }
        _ => {}
    }
    Vec::new()
}

fn client_key(w: &mut WatchApp, key: KeyEvent, now: Instant) -> Vec<WatchEffect> {
    let Screen::Client { client, app } = &mut w.screen else {
        return Vec::new();
    };
    let client = *client;
    let action = app::action(&app.mode, key);
    let back = match action {
        Some(Action::Quit) => app.mode == Mode::Normal,
        Some(Action::Back) => matches!(app.mode, Mode::Normal) && app.filter.is_none(),
        Some(Action::Interrupt) => {
            return vec![WatchEffect::StopAll(1001), WatchEffect::Quit];
        }
        _ => false,
    };
    if back {
        w.theme = app.theme;
        w.screen = Screen::Fleet;
        return vec![WatchEffect::Deselect];
    }
    let mut out = Vec::new();
    for effect in app::update(app, Msg::Key(key), now) {
        match effect {
            Effect::Send(command) => out.push(WatchEffect::Command(client, command)),
            // A client's screen is live: nothing to save or replay from here.
            Effect::Quit
            | Effect::Save(_)
            | Effect::Replay(_)
            | Effect::Copy(_)
            | Effect::Write { .. }
            | Effect::Remember(_) => {}
        }
    }
    out
}
