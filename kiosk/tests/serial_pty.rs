//! The serial devices over real pseudo-terminals: each device is opened by
//! a stable symlink (as `/dev/serial/by-id/…` is on a kiosk) by its own
//! thread, while simulator threads play the scanner, the scale and the
//! printer on the other ends. Unplugging is closing the simulator's end;
//! plugging back in is a new pseudo-terminal behind the same symlink.
#![cfg(unix)]

use firmware_config::{SerialDevice, SerialKind};
use kiosk::peripherals::escpos_decode::{decode, text_lines};
use kiosk::peripherals::printer::Paper;
use kiosk::peripherals::scale_driver::Weight;
use kiosk::peripherals::serial::DeviceEvent;
use kiosk::peripherals::{Peripherals, Report};
use serialport::{SerialPort, TTYPort};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(15);

/// A device plugged in at `link`: the simulator's end of a new pty.
fn plug(link: &Path) -> TTYPort {
    let (master, slave) = TTYPort::pair().expect("a pseudo-terminal");
    let name = slave.name().expect("the slave has a path");
    // The kiosk opens it by the link, as it would a by-id path.
    drop(slave);
    let _ = std::fs::remove_file(link);
    std::os::unix::fs::symlink(&name, link).unwrap();
    master
}

/// Unplugged: the pty closes and udev removes the by-id link (else the
/// next pty, which may get the same number, would pass for this device).
fn unplug(master: TTYPort, link: &Path) {
    drop(master);
    std::fs::remove_file(link).unwrap();
}

fn device(path: &Path, kind: SerialKind, protocol: &str) -> SerialDevice {
    SerialDevice { path: path.to_owned(), kind, baud: 9600, protocol: protocol.into() }
}

/// Every report so far, and waiting for more.
struct Watch {
    rx: Receiver<Report>,
    log: Vec<Report>,
}

impl Watch {
    /// Where the next wait starts looking.
    fn mark(&self) -> usize {
        self.log.len()
    }

    /// The reports from `since` on, once one matches `want`.
    fn wait(&mut self, since: usize, what: &str, want: impl Fn(&Report) -> bool) -> Vec<Report> {
        let end = Instant::now() + WAIT;
        loop {
            if self.log[since..].iter().any(&want) {
                return self.log[since..].to_vec();
            }
            if Instant::now() > end {
                panic!("no {what} within {WAIT:?}; saw {:#?}", &self.log[since..]);
            }
            if let Ok(r) = self.rx.recv_timeout(Duration::from_millis(50)) {
                self.log.push(r);
            }
        }
    }
}

fn is(kind: SerialKind, pred: impl Fn(&DeviceEvent) -> bool) -> impl Fn(&Report) -> bool {
    move |r| r.kind == kind && pred(&r.event)
}

fn scans(reports: &[Report]) -> Vec<String> {
    reports
        .iter()
        .filter_map(|r| match &r.event {
            DeviceEvent::Scan(s) => Some(s.text.clone()),
            _ => None,
        })
        .collect()
}

/// The printer's end: answers the paper query with `paper`, keeps the rest.
struct PrinterSim {
    got: Arc<Mutex<Vec<u8>>>,
    paper: Arc<AtomicU8>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl PrinterSim {
    fn start(mut master: TTYPort, paper: Arc<AtomicU8>, got: Arc<Mutex<Vec<u8>>>) -> PrinterSim {
        let stop = Arc::new(AtomicBool::new(false));
        let (st, p, g) = (stop.clone(), paper.clone(), got.clone());
        let thread = std::thread::spawn(move || {
            let mut buf = [0u8; 1024];
            while !st.load(Ordering::Relaxed) {
                match master.read(&mut buf) {
                    Ok(n) => {
                        let mut g = g.lock().unwrap();
                        g.extend_from_slice(&buf[..n]);
                        // Answer each status query, and keep only receipts.
                        while let Some(at) = g.windows(3).position(|w| w == [0x10, 0x04, 0x04]) {
                            g.drain(at..at + 3);
                            let _ = master.write_all(&[p.load(Ordering::Relaxed)]);
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        PrinterSim { got, paper, stop, thread: Some(thread) }
    }

    /// Pull the plug: the pty closes.
    fn unplug(mut self) -> (Arc<AtomicU8>, Arc<Mutex<Vec<u8>>>) {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().unwrap().join().unwrap();
        (self.paper.clone(), self.got.clone())
    }
}

/// A scale sending Toledo frames (1.23 kg, stable) every 50 ms until told.
fn scale_sim(mut master: TTYPort, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<TTYPort> {
    std::thread::spawn(move || {
        let frame = b"\x02\x2C\x30\x20000123000000\x0D";
        while !stop.load(Ordering::Relaxed) {
            // Written in two pieces, as a slow line delivers it.
            let _ = master.write_all(&frame[..7]);
            std::thread::sleep(Duration::from_millis(5));
            let _ = master.write_all(&frame[7..]);
            std::thread::sleep(Duration::from_millis(45));
        }
        master
    })
}

#[test]
fn scanner_scale_and_printer_over_ptys_with_unplug_and_replug() {
    let tmp = tempfile::tempdir().unwrap();
    let link = |n: &str| -> PathBuf { tmp.path().join(n) };
    let (scanner_link, scale_link, printer_link) = (link("scanner"), link("scale"), link("printer"));
    let mut scanner = plug(&scanner_link);
    let scale = plug(&scale_link);
    let got = Arc::new(Mutex::new(Vec::new()));
    let paper = Arc::new(AtomicU8::new(0x12));
    let printer = PrinterSim::start(plug(&printer_link), paper.clone(), got.clone());

    let (tx, rx) = std::sync::mpsc::channel();
    let devices = [
        device(&scanner_link, SerialKind::Scanner, "auto"),
        device(&scale_link, SerialKind::Scale, "auto"),
        device(&printer_link, SerialKind::Printer, "escpos"),
    ];
    let mut p = Peripherals::start(&devices, tx).unwrap();
    let mut w = Watch { rx, log: Vec::new() };
    let queue = p.printer.clone().expect("a printer queue");
    for kind in [SerialKind::Scanner, SerialKind::Scale, SerialKind::Printer] {
        w.wait(0, "device connected", is(kind, |e| *e == DeviceEvent::Connected));
    }

    // Scanner: CRLF, a double trigger, GB18030 text, a code with no suffix.
    let m = w.mark();
    scanner.write_all(b"]C0SF1234567890123\r\n]C0SF1234567890123\r\n").unwrap();
    let (gb, _, _) = encoding_rs::GB18030.encode("桐城小花茶");
    scanner.write_all(&gb).unwrap();
    scanner.write_all(b"\r").unwrap();
    std::thread::sleep(Duration::from_millis(30));
    scanner.write_all(b"73123456789012").unwrap();
    let seen = w.wait(
        m,
        "the unsuffixed scan",
        is(SerialKind::Scanner, |e| matches!(e, DeviceEvent::Scan(s) if s.text.starts_with("7312"))),
    );
    assert_eq!(scans(&seen), ["SF1234567890123", "桐城小花茶", "73123456789012"]);

    // Scale: detected, settled, then offline when it goes quiet.
    let stop_scale = Arc::new(AtomicBool::new(false));
    let m = w.mark();
    let scale_thread = scale_sim(scale, stop_scale.clone());
    w.wait(
        m,
        "a settled weight",
        is(SerialKind::Scale, |e| *e == DeviceEvent::Weight(Weight::Settled(1_230))),
    );
    let m = w.mark();
    stop_scale.store(true, Ordering::Relaxed);
    // The sender goes quiet, then is unplugged: its link goes with it.
    let scale = scale_thread.join().unwrap();
    w.wait(m, "scale offline", is(SerialKind::Scale, |e| *e == DeviceEvent::Weight(Weight::Offline)));
    unplug(scale, &scale_link);

    // Printer: a receipt after the paper check.
    let mut receipt =
        kiosk::peripherals::escpos::Receipt::new(kiosk::peripherals::escpos::Profile::STATION_58MM);
    receipt.line("第一张回执").cut();
    let m = w.mark();
    let first = queue.print(receipt.into_bytes());
    w.wait(m, "the first receipt", is(SerialKind::Printer, |e| *e == DeviceEvent::Printed(first)));

    // Scanner unplugged and back: reported, re-opened, scanning again.
    let m = w.mark();
    unplug(scanner, &scanner_link);
    w.wait(m, "scanner lost", is(SerialKind::Scanner, |e| matches!(e, DeviceEvent::Lost(_))));
    let m = w.mark();
    let mut scanner = plug(&scanner_link);
    w.wait(m, "scanner back", is(SerialKind::Scanner, |e| *e == DeviceEvent::Connected));
    let m = w.mark();
    scanner.write_all(b"JT0001112223334\r").unwrap();
    w.wait(
        m,
        "a scan after replug",
        is(SerialKind::Scanner, |e| matches!(e, DeviceEvent::Scan(s) if s.text == "JT0001112223334")),
    );

    // Out of paper: the receipt waits; the printer is unplugged to change
    // the roll and comes back with paper: the receipt prints then, once.
    let m = w.mark();
    paper.store(0x72, Ordering::Relaxed);
    let mut receipt =
        kiosk::peripherals::escpos::Receipt::new(kiosk::peripherals::escpos::Profile::STATION_58MM);
    receipt.line("第二张回执").cut();
    let second = queue.print(receipt.into_bytes());
    w.wait(m, "paper out", is(SerialKind::Printer, |e| *e == DeviceEvent::Paper(Paper::Out)));
    let m = w.mark();
    let (paper, got) = printer.unplug();
    let _ = std::fs::remove_file(&printer_link);
    w.wait(m, "printer lost", is(SerialKind::Printer, |e| matches!(e, DeviceEvent::Lost(_))));
    paper.store(0x12, Ordering::Relaxed);
    let m = w.mark();
    let printer = PrinterSim::start(plug(&printer_link), paper, got.clone());
    let seen =
        w.wait(m, "the second receipt", is(SerialKind::Printer, |e| *e == DeviceEvent::Printed(second)));
    assert!(seen.iter().any(|r| r.event == DeviceEvent::Connected && r.kind == SerialKind::Printer));
    printer.unplug();
    p.stop();

    let printed = got.lock().unwrap().clone();
    let lines = text_lines(&decode(&printed).unwrap());
    assert_eq!(lines, ["第一张回执", "第二张回执"], "each receipt printed once, whole");
}
