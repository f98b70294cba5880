//! One thread per serial device: open it by its configured (stable) path,
//! hand what it reads to the device's driver, write what the driver has to
//! send, and when the device goes (unplugged, powered off) say so and open
//! it again until it is back. Drivers see a [`Port`], so they are tested
//! with in-memory ports and pseudo-terminals alike.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A read returns after this long without data, so that drivers' timers
/// (the scanner's idle gap, the scale's watchdog) run on time.
pub const READ_TICK: Duration = Duration::from_millis(40);
/// Waits between attempts to open a missing device, growing to the last.
const REOPEN_BACKOFF: [Duration; 4] = [
    Duration::from_millis(100),
    Duration::from_millis(250),
    Duration::from_millis(500),
    Duration::from_secs(1),
];

/// A serial port as the drivers need it. A read that times out returns
/// `ErrorKind::TimedOut`, as `serialport` does.
pub trait Port: Read + Write + Send {}
impl<T: Read + Write + Send> Port for T {}

/// Opens ports by path: the real one uses `serialport`; tests may script it.
pub trait Opener: Send {
    fn open(&mut self, path: &Path, baud: u32) -> io::Result<Box<dyn Port>>;
}

/// Real serial ports (and pseudo-terminals), raw 8N1, no flow control.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemPorts;

impl Opener for SystemPorts {
    fn open(&mut self, path: &Path, baud: u32) -> io::Result<Box<dyn Port>> {
        let port = serialport::new(path.to_string_lossy(), baud).timeout(READ_TICK).open_native()?;
        Ok(Box::new(port))
    }
}

/// What a device reports to the kiosk.
#[derive(Clone, Debug, PartialEq)]
pub enum DeviceEvent {
    /// Opened (at start or after it came back).
    Connected,
    /// Gone or failing; being re-opened.
    Lost(String),
    /// A problem with what it sends (wrong baud or format, ambiguous
    /// protocol): the device is there but unusable as configured.
    Fault(String),
    Scan(super::scanner::ScanText),
    /// The scale's reading changed.
    Weight(super::scale_driver::Weight),
    /// A receipt was handed to the printer.
    Printed(u64),
    Paper(super::printer::Paper),
}

/// A device's behaviour over its port.
pub trait Driver: Send {
    /// The port was opened.
    fn connected(&mut self, _now: Instant, _out: &mut Vec<DeviceEvent>) {}
    /// Bytes read at `now`.
    fn read(&mut self, bytes: &[u8], now: Instant, out: &mut Vec<DeviceEvent>);
    /// After every read, with or without data: timers.
    fn tick(&mut self, now: Instant, out: &mut Vec<DeviceEvent>);
    /// Bytes to send now, if any.
    fn to_write(&mut self, _now: Instant) -> Option<Vec<u8>> {
        None
    }
    /// The last `to_write` bytes reached the port.
    fn written(&mut self, _now: Instant, _out: &mut Vec<DeviceEvent>) {}
    /// The port is gone; anything half-sent is to be sent again.
    fn lost(&mut self, _out: &mut Vec<DeviceEvent>) {}
}

/// Where a device's events go; `false` when nobody listens any more.
pub type Sink = Box<dyn FnMut(DeviceEvent) -> bool + Send>;

/// Runs a device until `stop` is set or the sink closes.
pub fn run(
    path: PathBuf,
    baud: u32,
    mut opener: impl Opener,
    mut driver: impl Driver,
    mut sink: Sink,
    stop: Arc<AtomicBool>,
) {
    let mut attempt = 0usize;
    let mut said_missing = false;
    let mut out = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let mut port = match opener.open(&path, baud) {
            Ok(p) => p,
            Err(e) => {
                if !said_missing {
                    tracing::warn!(path = %path.display(), "serial device missing: {e}");
                    if !sink(DeviceEvent::Lost(format!("not found: {e}"))) {
                        return;
                    }
                    said_missing = true;
                }
                std::thread::sleep(REOPEN_BACKOFF[attempt.min(REOPEN_BACKOFF.len() - 1)]);
                attempt += 1;
                continue;
            }
        };
        tracing::info!(path = %path.display(), "serial device open");
        attempt = 0;
        out.push(DeviceEvent::Connected);
        driver.connected(Instant::now(), &mut out);
        let why = serve(&mut *port, &mut driver, &mut out, &mut sink, &stop);
        drop(port);
        let Some(why) = why else { return };
        tracing::warn!(path = %path.display(), "serial device lost: {why}");
        driver.lost(&mut out);
        out.push(DeviceEvent::Lost(why));
        if !flush(&mut out, &mut sink) {
            return;
        }
        said_missing = true;
    }
}

/// Reads and writes until the port fails (its reason) or the kiosk stops
/// (`None`).
fn serve(
    port: &mut dyn Port,
    driver: &mut impl Driver,
    out: &mut Vec<DeviceEvent>,
    sink: &mut Sink,
    stop: &AtomicBool,
) -> Option<String> {
    let mut buf = [0u8; 512];
    loop {
        if !flush(out, sink) || stop.load(Ordering::Relaxed) {
            return None;
        }
        if let Some(bytes) = driver.to_write(Instant::now()) {
            if let Err(e) = port.write_all(&bytes).and_then(|()| port.flush()) {
                return Some(format!("write failed: {e}"));
            }
            driver.written(Instant::now(), out);
        }
        match port.read(&mut buf) {
            Ok(0) => return Some("end of stream".into()),
            Ok(n) => driver.read(&buf[..n], Instant::now(), out),
            Err(e) if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::Interrupted) => {}
            Err(e) => return Some(format!("read failed: {e}")),
        }
        driver.tick(Instant::now(), out);
    }
}

fn flush(out: &mut Vec<DeviceEvent>, sink: &mut Sink) -> bool {
    out.drain(..).all(sink)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;
    use std::sync::Mutex;

    /// A port that plays reads from a script and then fails.
    struct Scripted(VecDeque<io::Result<Vec<u8>>>);
    impl Read for Scripted {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match self.0.pop_front() {
                Some(Ok(b)) => {
                    buf[..b.len()].copy_from_slice(&b);
                    Ok(b.len())
                }
                Some(Err(e)) => Err(e),
                None => Err(io::Error::new(io::ErrorKind::BrokenPipe, "unplugged")),
            }
        }
    }
    impl Write for Scripted {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// First open fails (not plugged in yet), then two sessions.
    struct Plugs(VecDeque<Option<Scripted>>);
    impl Opener for Plugs {
        fn open(&mut self, _: &Path, _: u32) -> io::Result<Box<dyn Port>> {
            match self.0.pop_front() {
                Some(Some(p)) => Ok(Box::new(p)),
                _ => Err(io::Error::new(io::ErrorKind::NotFound, "no such device")),
            }
        }
    }

    struct Echo;
    impl Driver for Echo {
        fn read(&mut self, bytes: &[u8], _: Instant, out: &mut Vec<DeviceEvent>) {
            out.push(DeviceEvent::Fault(String::from_utf8_lossy(bytes).into_owned()));
        }
        fn tick(&mut self, _: Instant, _: &mut Vec<DeviceEvent>) {}
    }

    #[test]
    fn a_device_is_reopened_after_it_goes() {
        let timed_out = || Err(io::Error::new(io::ErrorKind::TimedOut, "quiet"));
        let session = |text: &str| Scripted(VecDeque::from([timed_out(), Ok(text.as_bytes().to_vec())]));
        let opener = Plugs(VecDeque::from([None, Some(session("one")), None, Some(session("two"))]));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (seen.clone(), stop.clone());
        let sink: Sink = Box::new(move |e| {
            let mut s = s.lock().unwrap();
            s.push(e);
            if s.iter().filter(|e| matches!(e, DeviceEvent::Fault(_))).count() == 2 {
                st.store(true, Ordering::Relaxed);
            }
            true
        });
        run(PathBuf::from("/dev/serial/by-id/x"), 9600, opener, Echo, sink, stop);
        let seen = seen.lock().unwrap();
        let names: Vec<String> = seen
            .iter()
            .map(|e| match e {
                DeviceEvent::Lost(_) => "lost".into(),
                DeviceEvent::Connected => "connected".into(),
                DeviceEvent::Fault(t) => t.clone(),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(names, ["lost", "connected", "one", "lost", "connected", "two"]);
    }
}
