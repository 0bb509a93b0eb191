//! Reading ahead on threads of their own: the replay in the TUI cuts the
//! recording into chunks of lines on one thread and reads their records on
//! [`WORKERS`] others while the TUI's thread applies events and draws, so a
//! `--speed max` replay is not held to the speed of one thread doing it all.
//!
//! Parsed chunks come back in file order through a bounded queue: at most
//! [`DEPTH`] chunks, and at most [`BUDGET`] bytes of lines beyond the chunk
//! being handed out, are read ahead, so a recording of huge messages is not
//! read far ahead into memory. Dropping a [`Prefetch`] stops its threads.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Condvar, Mutex};

use super::line::{Parsed, parse_lines};
use super::lines::{Chunk, Handout, Lines, Next};
use super::read::{Item, ReadError, Reader, Recorded};

/// Chunks read ahead of the one being handed out.
const DEPTH: usize = 4;
/// Threads that parse.
const WORKERS: usize = 2;
/// Bytes of lines read ahead, when more than one chunk is.
const BUDGET: usize = 32 << 20;

/// A chunk, parsed.
struct Done {
    parsed: Vec<Parsed>,
    /// The error of its bad line, and whether that line had its end.
    bad: Option<(ReadError, bool)>,
    /// What stopped the reading after it.
    stopped: Option<ReadError>,
    /// Its size in bytes, for the budget.
    bytes: usize,
}
type Job = (Chunk, SyncSender<Done>);

/// A recording read ahead on threads, handed out one event at a time.
pub struct Prefetch {
    /// Each chunk's result, in file order.
    slots: Receiver<Receiver<Done>>,
    handout: Handout,
    budget: Arc<Budget>,
}

/// The bytes of lines read and not yet handed out; the reader waits while
/// they are over [`BUDGET`] (unless nothing else is read ahead, so one line
/// longer than the budget is still read).
#[derive(Default)]
struct Budget {
    /// Bytes read ahead, and whether the reading is over.
    state: Mutex<(usize, bool)>,
    freed: Condvar,
}

impl Budget {
    /// Waits until `bytes` more may be read ahead; false once it is over.
    fn take(&self, bytes: usize) -> bool {
        let Ok(mut state) = self.state.lock() else {
            return false;
        };
        while !state.1 && state.0 > 0 && state.0 + bytes > BUDGET {
            state = match self.freed.wait(state) {
                Ok(state) => state,
                Err(_) => return false,
            };
        }
        state.0 += bytes;
        !state.1
    }

    fn give(&self, bytes: usize) {
        if let Ok(mut state) = self.state.lock() {
            state.0 = state.0.saturating_sub(bytes);
            self.freed.notify_all();
        }
    }

    fn close(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.1 = true;
            self.freed.notify_all();
        }
    }
}

impl Drop for Prefetch {
    fn drop(&mut self) {
        self.budget.close();
    }
}

impl Prefetch {
    /// Goes on reading `reader` on threads of their own.
    pub fn spawn<R: std::io::BufRead + Send + 'static>(reader: Reader<R>) -> Self {
        let (lines, handout) = reader.into_parts();
        let (slot_tx, slots) = sync_channel(DEPTH);
        let (job_tx, jobs) = sync_channel::<Job>(WORKERS);
        let jobs = Arc::new(Mutex::new(jobs));
        let mut started: std::io::Result<()> = Ok(());
        for n in 0..WORKERS {
            let jobs = Arc::clone(&jobs);
            let worker = std::thread::Builder::new()
                .name(format!("replay-parse-{n}"))
                .spawn(move || parse_chunks(&jobs));
            started = started.and(worker.map(drop));
        }
        let budget = Arc::new(Budget::default());
        let reader_budget = Arc::clone(&budget);
        let cutter = std::thread::Builder::new()
            .name("replay-reader".into())
            .spawn(move || cut(lines, &slot_tx, &job_tx, &reader_budget));
        let mut p = Self {
            slots,
            handout,
            budget,
        };
        if let Err(e) = started.and(cutter.map(drop)) {
            let stop = ReadError {
                line: 0,
                what: format!("cannot start reading: {e}"),
            };
            p.handout.add(Vec::new(), None, Some(stop));
        }
        p
    }

    /// The next event; `None` at the end (and after a cut-off last line).
    pub fn next_event(&mut self) -> Result<Option<Recorded>, ReadError> {
        loop {
            match self.handout.next() {
                Next::Item(Item::Event(e)) => return Ok(Some(e)),
                Next::Item(Item::Session(_) | Item::Unknown) => {}
                Next::Failed(e) => return Err(e),
                Next::End => return Ok(None),
                // A thread that died without a word panicked, which the
                // panic hook has reported: the end.
                Next::More => match self.slots.recv().map(|done| done.recv()) {
                    Ok(Ok(done)) => {
                        self.budget.give(done.bytes);
                        self.handout.add(done.parsed, done.bad, done.stopped);
                    }
                    Ok(Err(_)) | Err(_) => self.handout.end(),
                },
            }
        }
    }

    /// The line number of a cut-off last line, once the end was reached.
    pub fn truncated(&self) -> Option<u64> {
        self.handout.truncated()
    }
}

/// The reader thread: cuts the file into chunks, queues each chunk's
/// result in file order and hands the chunk to a parser.
fn cut<R: std::io::BufRead>(
    mut lines: Lines<R>,
    slots: &SyncSender<Receiver<Done>>,
    jobs: &SyncSender<Job>,
    budget: &Budget,
) {
    loop {
        let mut chunk = Chunk::default();
        if !lines.next_chunk(&mut chunk) || !budget.take(chunk.bytes.len()) {
            return;
        }
        let (done_tx, done) = sync_channel(1);
        if slots.send(done).is_err() || jobs.send((chunk, done_tx)).is_err() {
            return;
        }
    }
}

/// A parser thread: reads chunks' records until the reader is gone.
fn parse_chunks(jobs: &Mutex<Receiver<Job>>) {
    loop {
        let job = match jobs.lock() {
            Ok(jobs) => jobs.recv(),
            Err(_) => return,
        };
        let Ok((mut chunk, done)) = job else {
            return;
        };
        let mut parsed = Vec::with_capacity(chunk.spans.len());
        let bad = parse_lines(&chunk.bytes, &chunk.spans, &mut parsed);
        let _ = done.send(Done {
            parsed,
            bad,
            stopped: chunk.stopped.take(),
            bytes: chunk.bytes.len(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(text: &str) -> Reader<std::io::Cursor<Vec<u8>>> {
        Reader::new(std::io::Cursor::new(text.as_bytes().to_vec()))
    }

    fn line(seq: u64) -> String {
        format!(
            r#"{{"seq":{seq},"t_ms":{seq}.0,"kind":"message","dir":"in","type":"text","len":1,"text":"x"}}"#
        )
    }

    #[test]
    fn hands_out_every_event_in_order_across_batches() {
        let n = 3 * 512 + 7;
        let text: String = (0..n).map(|s| line(s) + "\n").collect();
        let mut p = Prefetch::spawn(reader(&text));
        let mut seqs = Vec::new();
        while let Some(r) = p.next_event().expect("no error") {
            seqs.push(r.event.seq);
        }
        assert_eq!(seqs, (0..n).collect::<Vec<_>>());
        assert_eq!(p.truncated(), None);
        assert!(p.next_event().expect("still no error").is_none());
    }

    #[test]
    fn a_cut_off_last_line_is_reported_after_the_events_before_it() {
        let text = format!("{}\n{}\n{{\"seq\":2,\"t_", line(0), line(1));
        let mut p = Prefetch::spawn(reader(&text));
        assert!(p.next_event().expect("first").is_some());
        assert!(p.next_event().expect("second").is_some());
        assert!(p.next_event().expect("end").is_none());
        assert_eq!(p.truncated(), Some(3));
    }

    #[test]
    fn a_bad_line_is_an_error_after_the_events_before_it() {
        let text = format!("{}\nnot json\n{}\n", line(0), line(2));
        let mut p = Prefetch::spawn(reader(&text));
        assert!(p.next_event().expect("first").is_some());
        let e = p.next_event().expect_err("the bad line");
        assert_eq!(e.line, 2);
    }

    #[test]
    fn the_reader_waits_while_the_budget_is_spent_and_stops_when_dropped() {
        let budget = Arc::new(Budget::default());
        // Nothing read ahead: even a line past the budget may be read.
        assert!(budget.take(BUDGET + 1));
        let (tx, rx) = std::sync::mpsc::channel();
        let waiting = Arc::clone(&budget);
        let reader = std::thread::spawn(move || {
            let _ = tx.send(waiting.take(10));
            let _ = tx.send(waiting.take(BUDGET));
        });
        let short = std::time::Duration::from_millis(200);
        assert!(rx.recv_timeout(short).is_err(), "waits while spent");
        budget.give(BUDGET + 1);
        assert_eq!(
            rx.recv_timeout(TIMEOUT),
            Ok(true),
            "goes on once given back"
        );
        assert!(rx.recv_timeout(short).is_err(), "10 + BUDGET is over it");
        budget.close();
        assert_eq!(rx.recv_timeout(TIMEOUT), Ok(false), "stops once closed");
        reader.join().unwrap();
    }

    const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
}
