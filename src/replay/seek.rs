//! Moving through a replay: pause and play, a step, the next or previous
//! close, a time; going back reads the recording again from its start.

use std::time::{Duration, Instant};

use anyhow::Context as _;

use super::player::Player;
use super::prefetch::Prefetch;
use super::read::Reader;
use crate::app::{App, ReplayControl};
use crate::headless::SessionRecord;

impl Player {
    pub(super) fn control(&mut self, control: ReplayControl, now: Instant) -> anyhow::Result<()> {
        let position = now.saturating_duration_since(self.base);
        match control {
            ReplayControl::TogglePlay => {
                self.playing = !self.playing;
                self.set_clock(position);
            }
            ReplayControl::Step => {
                self.playing = false;
                if self.apply_next()? {
                    self.set_clock(self.current_t().max(position));
                } else {
                    self.app.notice = Some("the end of the recording".into());
                }
            }
            ReplayControl::NextClose => {
                self.playing = false;
                let mut found = false;
                while self.apply_next()? {
                    if self.closes.last() == self.last_seq.as_ref() {
                        found = true;
                        break;
                    }
                }
                self.set_clock(self.current_t().max(position));
                if !found {
                    self.app.notice = Some("no close after this point".into());
                }
            }
            ReplayControl::PreviousClose => {
                self.playing = false;
                let current = self.last_seq.unwrap_or(0);
                match self.closes.iter().rev().find(|s| **s < current).copied() {
                    Some(target) => {
                        self.restart()?;
                        while self.last_seq != Some(target) && self.apply_next()? {}
                        self.set_clock(self.current_t());
                    }
                    None => self.app.notice = Some("no close before this point".into()),
                }
            }
            ReplayControl::Goto(t) => {
                self.playing = false;
                if t < position {
                    self.restart()?;
                }
                while self.pending.as_ref().is_some_and(|p| p.event.t <= t) && self.apply_next()? {}
                self.set_clock(t);
            }
        }
        Ok(())
    }

    /// The run time of the last event applied.
    pub(super) fn current_t(&self) -> Duration {
        let end = self.app.timeline.end();
        self.app
            .timeline
            .get(end.saturating_sub(1))
            .map_or(self.at, |e| e.t)
    }

    /// Reads the recording again from its start with a fresh view.
    pub(super) fn restart(&mut self) -> anyhow::Result<()> {
        self.reader = Prefetch::spawn(
            Reader::open(&self.path)
                .with_context(|| format!("reopening {}", self.path.display()))?,
        );
        self.pending = self.reader.next_event()?;
        self.closes.clear();
        self.last_seq = None;
        self.ended = false;
        self.at = Duration::ZERO;
        self.reset_app();
        Ok(())
    }

    /// A fresh [`App`] with the user's settings (theme, layout) kept.
    pub(super) fn reset_app(&mut self) {
        let theme = self.app.theme;
        let follow = self.app.view.follow;
        let clock = self.app.clock;
        self.app = App::new(self.opts.history, self.opts.themes.len().max(1));
        self.app.theme = theme.min(self.opts.themes.len().saturating_sub(1));
        self.app.view.follow = follow;
        self.app.clock = clock;
        // Wall-clock times are the recorded ones: the session's time zero.
        self.app.wall_zero = self.session.wall;
        self.app.save_name = self.save_name();
        self.fit_screen();
        self.show(self.base);
    }

    /// `s` proposes the recording's name with `-saved` added.
    fn save_name(&self) -> String {
        let stem = self
            .path
            .file_stem()
            .map_or_else(|| "wsprobe".into(), |s| s.to_string_lossy().into_owned());
        format!("{stem}-saved.jsonl")
    }

    /// The session record a save writes: the recording's own.
    pub(super) fn session_record(&self) -> SessionRecord {
        let s = &self.session;
        SessionRecord {
            version: s.version.clone().unwrap_or_default(),
            command_line: s.command_line.clone(),
            policy: s.policy.clone().unwrap_or_default(),
            seed: s.seed.unwrap_or_default(),
            wall: s.wall.unwrap_or(std::time::UNIX_EPOCH),
        }
    }
}
