//! Which events the timeline shows (all of them, or those a filter or
//! `h` lets through) and the selection within them. Positions are absolute
//! (stable while old events are forgotten); an index counts shown events
//! from the oldest kept.

use std::collections::VecDeque;

use super::filter::is_noise;
use super::{App, Filter};
use crate::engine::event::EngineEvent;

impl App {
    /// True when `event` passes the filter and the noise switch.
    pub fn passes(&self, event: &EngineEvent) -> bool {
        !(self.hide_noise && is_noise(event))
            && self.filter.as_ref().is_none_or(|f| f.matches(event))
    }

    /// Sets the filter (or clears it) and recomputes what is shown: one
    /// pass over the history.
    pub fn set_filter(&mut self, filter: Option<Filter>) {
        self.filter = filter;
        self.refilter();
    }

    /// Recomputes the shown positions after the filter or `hide_noise` changed.
    pub fn refilter(&mut self) {
        if self.filter.is_none() && !self.hide_noise {
            self.shown = None;
            return;
        }
        let (first, end) = (self.timeline.first(), self.timeline.end());
        let shown: VecDeque<u64> = (first..end)
            .filter(|&p| self.timeline.get(p).is_some_and(|e| self.passes(e)))
            .collect();
        self.shown = Some(shown);
    }

    /// Takes the newest event (at `pos`) into the shown list, and lets go
    /// of positions the history forgot. O(1) amortised.
    pub(super) fn track_shown(&mut self, pos: u64) {
        let passes = self.timeline.get(pos).is_some_and(|e| self.passes(e));
        let first = self.timeline.first();
        if let Some(shown) = &mut self.shown {
            if passes {
                shown.push_back(pos);
            }
            while shown.front().is_some_and(|&p| p < first) {
                shown.pop_front();
            }
        }
    }

    /// How many events are shown.
    pub fn shown_len(&self) -> u64 {
        match &self.shown {
            Some(s) => s.len() as u64,
            None => self.timeline.end() - self.timeline.first(),
        }
    }

    /// The position of the `i`-th shown event.
    pub fn shown_at(&self, i: u64) -> Option<u64> {
        match &self.shown {
            Some(s) => s.get(usize::try_from(i).ok()?).copied(),
            None => Some(self.timeline.first() + i).filter(|&p| p < self.timeline.end()),
        }
    }

    /// The index of the first shown event at or after `pos`.
    pub fn shown_index(&self, pos: u64) -> u64 {
        match &self.shown {
            Some(s) => s.partition_point(|&p| p < pos) as u64,
            None => pos.clamp(self.timeline.first(), self.timeline.end()) - self.timeline.first(),
        }
    }

    /// The selected event's position: the newest shown while following,
    /// else the selection (or the nearest shown event after it).
    pub fn selected(&self) -> Option<u64> {
        let n = self.shown_len();
        if n == 0 {
            return None;
        }
        if self.view.follow {
            return self.shown_at(n - 1);
        }
        let i = self.shown_index(self.view.selected).min(n - 1);
        self.shown_at(i)
    }

    /// The index of the first row to show in a timeline of `rows` rows:
    /// the tail while following, otherwise `view.top` moved just enough to
    /// keep the selection in view without leaving empty rows below the
    /// newest event.
    pub fn window_start(&self, rows: u16) -> u64 {
        let n = self.shown_len();
        let rows = u64::from(rows.max(1));
        let Some(sel) = self.selected() else {
            return 0;
        };
        if self.view.follow {
            return n.saturating_sub(rows);
        }
        let sel = self.shown_index(sel);
        let mut start = self.shown_index(self.view.top).min(n.saturating_sub(rows));
        if sel < start {
            start = sel;
        }
        if sel + 1 > start + rows {
            start = sel + 1 - rows;
        }
        start
    }

    /// New events since the view stopped following.
    pub fn new_since_pinned(&self) -> u64 {
        if self.view.follow {
            0
        } else {
            self.timeline.end().saturating_sub(self.view.pinned_end)
        }
    }

    /// Stops following and selects `pos`, keeping the rows on screen where they were.
    pub(super) fn pin(&mut self, pos: u64) {
        if self.view.follow {
            let page = u64::from(self.view.page);
            let n = self.shown_len();
            self.view.top = self
                .shown_at(n.saturating_sub(page))
                .unwrap_or(self.timeline.first());
            self.view.follow = false;
            self.view.pinned_end = self.timeline.end();
        }
        self.view.selected = pos;
    }

    /// Selects `pos`, scrolled into view.
    pub(super) fn select(&mut self, pos: u64) {
        self.pin(pos);
        let page = u64::from(self.view.page.max(1));
        let i = self.shown_index(pos);
        let top = self.shown_index(self.view.top);
        if i < top || i >= top + page {
            self.view.top = self.shown_at(i.saturating_sub(page / 2)).unwrap_or(pos);
        }
    }

    /// Moves the selection by `delta` shown events.
    pub(super) fn move_by(&mut self, delta: i64) {
        let Some(sel) = self.selected() else {
            return;
        };
        self.pin(sel);
        let n = self.shown_len();
        let i = self
            .shown_index(sel)
            .saturating_add_signed(delta)
            .min(n.saturating_sub(1));
        let Some(target) = self.shown_at(i) else {
            return;
        };
        self.view.selected = target;
        let page = u64::from(self.view.page.max(1));
        let top = self.shown_index(self.view.top);
        if i < top {
            self.view.top = target;
        } else if i >= top + page {
            self.view.top = self.shown_at(i + 1 - page).unwrap_or(target);
        }
    }
}
