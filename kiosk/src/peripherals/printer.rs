//! The receipt printer on its serial port: receipts queue here and go out
//! one at a time, each after asking the paper sensor (`DLE EOT 4`). With no
//! paper the receipt waits, and is printed when paper is back; a receipt
//! cut off by an unplug is printed again whole when the printer returns.
//! Printers that do not answer the status query just print.

use super::escpos::PAPER_STATUS_QUERY;
use super::serial::{DeviceEvent, Driver};
use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, Sender};
use std::time::{Duration, Instant};

/// A printer that has not answered by then does not answer status queries.
const STATUS_WAIT: Duration = Duration::from_millis(300);
/// How often the paper is looked at again while it is out, or when idle.
const PAPER_RECHECK: Duration = Duration::from_secs(2);
const IDLE_CHECK: Duration = Duration::from_secs(30);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paper {
    Ok,
    /// Near the end of the roll: change it soon.
    Low,
    Out,
}

/// Reads the answer to `DLE EOT 4`: fixed bits 1 and 4 set, bits 0 and 7
/// clear; bits 2–3 near end, bits 5–6 paper end.
pub fn paper_status(byte: u8) -> Option<Paper> {
    if byte & 0x93 != 0x12 {
        return None;
    }
    Some(if byte & 0x60 != 0 {
        Paper::Out
    } else if byte & 0x0C != 0 {
        Paper::Low
    } else {
        Paper::Ok
    })
}

#[derive(Clone, Debug)]
pub struct PrintJob {
    pub id: u64,
    pub bytes: Vec<u8>,
}

/// Where the UI hands receipts; cheap to clone.
#[derive(Clone)]
pub struct PrintQueue {
    tx: Sender<PrintJob>,
    next: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl PrintQueue {
    /// Queue `bytes`; the id comes back in [`DeviceEvent::Printed`].
    pub fn print(&self, bytes: Vec<u8>) -> u64 {
        let id = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        // The printer thread outlives the UI; a send after shutdown is moot.
        let _ = self.tx.send(PrintJob { id, bytes });
        id
    }
}

enum State {
    Idle,
    /// Asked the paper sensor (for a job, or just to know).
    Asked {
        since: Instant,
        for_job: bool,
    },
    /// Paper is there for the head job.
    Ready,
    /// The head job is being written.
    Sending,
}

pub struct PrinterDriver {
    jobs: Receiver<PrintJob>,
    queue: VecDeque<PrintJob>,
    state: State,
    paper: Option<Paper>,
    last_check: Option<Instant>,
}

impl PrinterDriver {
    pub fn new() -> (PrinterDriver, PrintQueue) {
        let (tx, jobs) = std::sync::mpsc::channel();
        let driver =
            PrinterDriver { jobs, queue: VecDeque::new(), state: State::Idle, paper: None, last_check: None };
        (driver, PrintQueue { tx, next: Default::default() })
    }

    fn set_paper(&mut self, p: Paper, out: &mut Vec<DeviceEvent>) {
        if self.paper != Some(p) {
            self.paper = Some(p);
            out.push(DeviceEvent::Paper(p));
        }
    }
}

impl Driver for PrinterDriver {
    fn connected(&mut self, _now: Instant, _out: &mut Vec<DeviceEvent>) {
        self.state = State::Idle;
        self.last_check = None;
    }

    fn read(&mut self, bytes: &[u8], now: Instant, out: &mut Vec<DeviceEvent>) {
        let Some(paper) = bytes.iter().rev().find_map(|b| paper_status(*b)) else { return };
        self.last_check = Some(now);
        self.set_paper(paper, out);
        if let State::Asked { for_job, .. } = self.state {
            self.state = if for_job && paper != Paper::Out { State::Ready } else { State::Idle };
        }
    }

    fn tick(&mut self, _now: Instant, _out: &mut Vec<DeviceEvent>) {
        self.queue.extend(self.jobs.try_iter());
    }

    fn to_write(&mut self, now: Instant) -> Option<Vec<u8>> {
        self.queue.extend(self.jobs.try_iter());
        match self.state {
            State::Sending => None,
            State::Asked { since, for_job } => {
                if now.duration_since(since) < STATUS_WAIT {
                    return None;
                }
                // No answer: a printer without the sensor query.
                self.state = State::Idle;
                self.last_check = Some(now);
                if for_job && !self.queue.is_empty() {
                    self.state = State::Sending;
                    return Some(self.queue[0].bytes.clone());
                }
                None
            }
            State::Ready => {
                if self.queue.is_empty() {
                    self.state = State::Idle;
                    return None;
                }
                self.state = State::Sending;
                Some(self.queue[0].bytes.clone())
            }
            State::Idle => {
                let checked_since = self.last_check.map(|t| now.duration_since(t));
                if !self.queue.is_empty() {
                    // Out of paper: ask again only after a while.
                    if self.paper == Some(Paper::Out) && checked_since.is_some_and(|d| d < PAPER_RECHECK) {
                        return None;
                    }
                    // Every receipt asks first: the last one may have used the roll up.
                    self.state = State::Asked { since: now, for_job: true };
                    return Some(PAPER_STATUS_QUERY.to_vec());
                }
                if checked_since.is_none_or(|d| d >= IDLE_CHECK) {
                    self.state = State::Asked { since: now, for_job: false };
                    return Some(PAPER_STATUS_QUERY.to_vec());
                }
                None
            }
        }
    }

    fn written(&mut self, _now: Instant, out: &mut Vec<DeviceEvent>) {
        if let State::Sending = self.state
            && let Some(job) = self.queue.pop_front()
        {
            out.push(DeviceEvent::Printed(job.id));
            self.state = State::Idle;
        }
    }

    fn lost(&mut self, _out: &mut Vec<DeviceEvent>) {
        // The head job (if it was being sent) stays first in the queue.
        self.state = State::Idle;
        self.paper = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_bytes() {
        assert_eq!(paper_status(0x12), Some(Paper::Ok));
        assert_eq!(paper_status(0x1E), Some(Paper::Low));
        assert_eq!(paper_status(0x72), Some(Paper::Out));
        assert_eq!(paper_status(0x7E), Some(Paper::Out));
        assert_eq!(paper_status(b'A'), None);
    }

    #[test]
    fn a_receipt_waits_for_paper() {
        let (mut d, q) = PrinterDriver::new();
        let mut out = Vec::new();
        let t0 = Instant::now();
        d.connected(t0, &mut out);
        let id = q.print(b"hello\n".to_vec());
        assert_eq!(d.to_write(t0), Some(PAPER_STATUS_QUERY.to_vec()));
        d.read(&[0x72], t0, &mut out);
        assert_eq!(out, [DeviceEvent::Paper(Paper::Out)]);
        assert_eq!(d.to_write(t0 + Duration::from_millis(100)), None);
        // Asked again later; paper is back.
        let t1 = t0 + PAPER_RECHECK;
        assert_eq!(d.to_write(t1), Some(PAPER_STATUS_QUERY.to_vec()));
        d.read(&[0x12], t1, &mut out);
        assert_eq!(d.to_write(t1), Some(b"hello\n".to_vec()));
        d.written(t1, &mut out);
        assert_eq!(out[1..], [DeviceEvent::Paper(Paper::Ok), DeviceEvent::Printed(id)]);
    }

    #[test]
    fn a_silent_printer_prints_and_an_unplug_resends() {
        let (mut d, q) = PrinterDriver::new();
        let mut out = Vec::new();
        let t0 = Instant::now();
        q.print(b"one\n".to_vec());
        assert_eq!(d.to_write(t0), Some(PAPER_STATUS_QUERY.to_vec()));
        assert_eq!(d.to_write(t0 + STATUS_WAIT), Some(b"one\n".to_vec()));
        // Unplugged mid-write: the same receipt again after replug.
        d.lost(&mut out);
        d.connected(t0, &mut out);
        assert_eq!(d.to_write(t0), Some(PAPER_STATUS_QUERY.to_vec()));
        assert_eq!(d.to_write(t0 + STATUS_WAIT), Some(b"one\n".to_vec()));
        d.written(t0, &mut out);
        assert_eq!(out, [DeviceEvent::Printed(1)]);
    }
}
