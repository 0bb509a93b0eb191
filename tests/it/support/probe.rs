//! Engine runs in tests: a fast policy, and a collector of events whose
//! every wait has a timeout.

use std::time::Duration;

use serde_json::Value;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use url::Url;
use wsprobe::engine::connection::{EngineHandle, RunEnd, spawn};
use wsprobe::engine::event::{Command, EngineEvent};
use wsprobe::engine::policy::{Jitter, Policy};
use wsprobe::engine::settings::Settings;

use super::{TIMEOUT, check, dump, kinds, within};

/// A policy with windows of tens of milliseconds, so real waits stay short.
/// Going away and abnormal: floor 10 ms + full jitter over 20 ms·2ᵏ (k=0:
/// [10, 30], k=1: [10, 50], k=2: [10, 90]); try again later: equal jitter
/// over 40 ms·2ᵏ ([20, 40]); server error: floor 20 + 20 ms·2ᵏ ([20, 40]);
/// service restart: uniform 10–30 ms. `min_uptime` 200 ms.
pub fn fast_policy() -> Policy {
    let ms = |n| wsprobe::duration::Dur(Duration::from_millis(n));
    let mut p = Policy {
        min_uptime: Duration::from_millis(200),
        ..Policy::default()
    };
    for c in [&mut p.classes.going_away, &mut p.classes.abnormal] {
        c.floor = ms(10);
        c.base = ms(20);
        c.cap = ms(1000);
    }
    p.classes.try_again_later.floor = ms(0);
    p.classes.try_again_later.base = ms(40);
    p.classes.try_again_later.cap = ms(1000);
    assert_eq!(p.classes.try_again_later.jitter, Jitter::Equal);
    p.classes.server_error.floor = ms(20);
    p.classes.server_error.base = ms(20);
    p.classes.server_error.cap = ms(1000);
    p.classes.service_restart.first_low = ms(10);
    p.classes.service_restart.first_high = ms(30);
    p
}

/// Settings for tests: the fast policy, a fixed seed, a short connect timeout.
pub fn settings(url: Url) -> Settings {
    let mut s = Settings::new(url);
    s.policy = fast_policy();
    s.seed = Some(7);
    s.connect_timeout = Duration::from_secs(3);
    s
}

/// [`settings`] with a going-away wait of at least 4 s, long enough to act
/// during it.
pub fn long_wait(url: Url) -> Settings {
    let mut s = settings(url);
    s.policy.classes.going_away.floor = wsprobe::duration::Dur(Duration::from_secs(4));
    s
}

/// One engine event as the JSON line the headless writer prints.
pub fn to_json(event: &EngineEvent) -> Value {
    let mut line = Vec::new();
    let style = wsprobe::headless::JsonStyle::full(std::time::UNIX_EPOCH);
    wsprobe::headless::write_json(&mut line, event, &style).expect("serialise");
    serde_json::from_slice(&line).expect("valid JSON")
}

/// A running engine and everything it reported so far.
pub struct Probe {
    rx: mpsc::Receiver<EngineEvent>,
    /// Commands to the engine.
    pub commands: mpsc::Sender<Command>,
    task: JoinHandle<RunEnd>,
    /// Every event received so far, in order.
    pub seen: Vec<EngineEvent>,
}

impl Probe {
    /// Spawns the engine.
    pub fn start(settings: Settings) -> Probe {
        let EngineHandle {
            events,
            commands,
            task,
        } = spawn(settings).expect("settings are usable");
        Probe {
            rx: events,
            commands,
            task,
            seen: Vec::new(),
        }
    }

    fn dump(&self) -> String {
        self.seen
            .iter()
            .map(|e| to_json(e).to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The next event, or `None` when the run ended.
    pub async fn next(&mut self) -> Option<Value> {
        let Ok(event) = tokio::time::timeout(TIMEOUT, self.rx.recv()).await else {
            panic!("no event within {TIMEOUT:?}; so far:\n{}", self.dump())
        };
        let event = event?;
        let v = to_json(&event);
        self.seen.push(event);
        Some(v)
    }

    /// Waits for the next event of this kind.
    pub async fn until(&mut self, kind: &str) -> Value {
        loop {
            match self.next().await {
                Some(v) if v["kind"] == kind => return v,
                Some(_) => {}
                None => panic!("the run ended before a `{kind}` event:\n{}", self.dump()),
            }
        }
    }

    /// Sends a command.
    pub async fn send(&self, command: Command) {
        within("the command channel", self.commands.send(command))
            .await
            .expect("the engine is running");
    }

    /// Collects the rest of the run, checks the invariants and returns it.
    pub async fn finish(mut self) -> Finished {
        let limit = tokio::time::Instant::now() + TIMEOUT;
        while self.next().await.is_some() {
            assert!(
                tokio::time::Instant::now() < limit,
                "the run did not end within {TIMEOUT:?}:\n{}",
                self.dump()
            );
        }
        let end = within("the engine task", &mut self.task)
            .await
            .expect("the engine task did not panic");
        let events: Vec<Value> = self.seen.iter().map(to_json).collect();
        check(&events);
        Finished { events, end }
    }
}

/// Runs the engine to its end.
pub async fn run(settings: Settings) -> Finished {
    Probe::start(settings).finish().await
}

/// A whole run: its events (as JSON lines) and how it ended.
pub struct Finished {
    /// Every event.
    pub events: Vec<Value>,
    /// The engine's verdict.
    pub end: RunEnd,
}

impl Finished {
    /// The kinds in order.
    pub fn kinds(&self) -> Vec<&str> {
        kinds(&self.events)
    }

    /// Every event of a kind.
    pub fn all(&self, kind: &str) -> Vec<&Value> {
        self.events.iter().filter(|e| e["kind"] == kind).collect()
    }

    /// The first event of a kind.
    pub fn first(&self, kind: &str) -> &Value {
        self.events
            .iter()
            .find(|e| e["kind"] == kind)
            .unwrap_or_else(|| panic!("no `{kind}` event in\n{}", self.dump()))
    }

    /// The event right after the first one of `kind`.
    pub fn after(&self, kind: &str) -> &Value {
        let i = self
            .events
            .iter()
            .position(|e| e["kind"] == kind)
            .unwrap_or_else(|| panic!("no `{kind}` event in\n{}", self.dump()));
        self.events
            .get(i + 1)
            .unwrap_or_else(|| panic!("nothing after `{kind}` in\n{}", self.dump()))
    }

    /// The last event.
    pub fn last(&self) -> &Value {
        self.events.last().expect("at least one event")
    }

    /// All events, one JSON line each, for failure messages.
    pub fn dump(&self) -> String {
        dump(&self.events)
    }
}
