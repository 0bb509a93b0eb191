//! The two charts: states over time (stacked, one column per second) and
//! the storm (attempts per 100 ms around a mass close).

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::panel;
use crate::theme::Theme;
use crate::watch::fact::ClientState;
use crate::watch::report;
use crate::watch::state::FleetState;
use crate::watch::view::WatchApp;

/// The style of each charted state, in [`ClientState::CHARTED`] order.
fn state_styles(theme: &Theme) -> [Style; 4] {
    [theme.ok(), theme.accent(), theme.warn(), theme.error()]
}

/// Which of the stacked `counts` covers height `y` (0 at the bottom), in
/// units of clients.
fn stacked_at(counts: [u32; 4], y: f64) -> Option<usize> {
    let mut top = 0.0;
    for (i, c) in counts.iter().enumerate() {
        top += f64::from(*c);
        if y < top {
            return Some(i);
        }
    }
    None
}

/// Draws the stacked chart of states, second by second, newest at the right.
pub fn states(frame: &mut Frame<'_>, area: Rect, w: &WatchApp, theme: &Theme) {
    let styles = state_styles(theme);
    let mut title = vec![Span::raw(" states over time, 1 s per column: ")];
    for (s, style) in ClientState::CHARTED.iter().zip(styles) {
        title.push(Span::styled("█ ", style));
        title.push(Span::styled(format!("{}  ", s.label()), theme.muted()));
    }
    let block = panel(Line::from(title), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.width < 2 || inner.height < 2 {
        return;
    }
    let samples = &w.fleet.samples;
    let cols = usize::from(inner.width);
    let shown = &samples[samples.len().saturating_sub(cols)..];
    let rows = inner.height - 1;
    let scale = f64::from(w.fleet.clients.max(1)) / f64::from(rows);
    let buf = frame.buffer_mut();
    for (x, counts) in shown.iter().enumerate() {
        for r in 0..rows {
            let y = (f64::from(r) + 0.5) * scale;
            if let Some(i) = stacked_at(*counts, y) {
                set(
                    buf,
                    inner.x + x as u16,
                    inner.y + rows - 1 - r,
                    "█",
                    styles[i],
                );
            }
        }
    }
    let first = samples.len().saturating_sub(cols);
    let axis = format!(
        "{} … {}   (height = {} clients)",
        report::clock(std::time::Duration::from_secs(first as u64)),
        report::clock(std::time::Duration::from_secs(
            samples.len().saturating_sub(1) as u64
        )),
        w.fleet.clients
    );
    let axis_area = Rect {
        y: inner.y + rows,
        height: 1,
        ..inner
    };
    frame.render_widget(Paragraph::new(Span::styled(axis, theme.muted())), axis_area);
}

fn set(buf: &mut Buffer, x: u16, y: u16, symbol: &str, style: Style) {
    if let Some(cell) = buf.cell_mut((x, y)) {
        cell.set_symbol(symbol).set_style(style);
    }
}

/// Eighth blocks, from empty to full.
const EIGHTHS: [&str; 9] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

/// Draws the storm: attempts per 100 ms from 1 s before the mass close
/// shown, with the peak rate beside it.
pub fn storm(frame: &mut Frame<'_>, area: Rect, w: &WatchApp, theme: &Theme) {
    let Some(index) = w.shown_burst() else {
        let block = panel(
            " the storm: attempts per 100 ms around a mass close ",
            theme,
        );
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let text = format!(
            "No mass close yet (at least {} open connections closing within 1 s).",
            w.fleet.burst_threshold()
        );
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme.muted()))
                .wrap(ratatui::widgets::Wrap { trim: true }),
            inner,
        );
        return;
    };
    let burst = &w.fleet.bursts[index];
    let (from, counts) = w.fleet.storm(burst, usize::MAX);
    let peak = FleetState::peak_per_second(&counts);
    let title = format!(
        " the storm {}/{}: {} at {} closed {} · peak {} attempts/s ",
        index + 1,
        w.fleet.bursts.len(),
        burst.code,
        report::clock(burst.start),
        burst.clients,
        peak
    );
    let block = panel(title, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.width < 4 || inner.height < 3 {
        return;
    }
    let cols = usize::from(inner.width);
    // The newest buckets when the storm is wider than the panel.
    let skip = counts.len().saturating_sub(cols);
    let shown = &counts[skip..];
    let rows = inner.height - 1;
    let max = f64::from(shown.iter().copied().max().unwrap_or(0).max(1));
    let close_bucket = (burst.start.saturating_sub(from).as_millis() / 100) as usize;
    let buf = frame.buffer_mut();
    for (x, n) in shown.iter().enumerate() {
        let eighths = (f64::from(*n) / max * f64::from(rows) * 8.0).round() as u32;
        let style = if x + skip >= close_bucket {
            theme.warn()
        } else {
            theme.muted()
        };
        for r in 0..rows {
            let fill = eighths.saturating_sub(u32::from(r) * 8).min(8) as usize;
            if fill > 0 {
                set(
                    buf,
                    inner.x + x as u16,
                    inner.y + rows - 1 - r,
                    EIGHTHS[fill],
                    style,
                );
            }
        }
    }
    let start = from + std::time::Duration::from_millis(skip as u64 * 100);
    let mut axis = format!(
        "{} → 100 ms per column · max {} in 100 ms",
        report::clock(start),
        shown.iter().max().copied().unwrap_or(0)
    );
    if close_bucket >= skip && close_bucket - skip < cols {
        axis = format!("{axis} · ▲ close at column {}", close_bucket - skip + 1);
    }
    let axis_area = Rect {
        y: inner.y + rows,
        height: 1,
        ..inner
    };
    frame.render_widget(Paragraph::new(Span::styled(axis, theme.muted())), axis_area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacking_picks_the_state_at_each_height() {
        let counts = [3, 1, 0, 2];
        assert_eq!(stacked_at(counts, 0.5), Some(0));
        assert_eq!(stacked_at(counts, 3.5), Some(1));
        assert_eq!(stacked_at(counts, 4.5), Some(3));
        assert_eq!(stacked_at(counts, 6.5), None);
    }
}
