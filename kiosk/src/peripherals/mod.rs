//! Village-station peripherals on serial ports: the barcode scanner, the
//! parcel scale and the receipt printer. Each configured device runs on its
//! own thread ([`serial::run`]) with its driver; what they report arrives on
//! one channel for the kiosk.

pub mod printer;
pub mod receipts;
pub mod scale_driver;
pub mod scanner_driver;
pub mod serial;

// The devices' byte formats live in their own crate, without Slint.
pub use station_formats::{escpos, escpos_decode, scale, scanner, waybill};

use firmware_config::{SerialDevice, SerialKind};
use serial::{DeviceEvent, Opener, SystemPorts};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::thread::JoinHandle;

/// One report from one device.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub kind: SerialKind,
    /// Its configured path (by-id), which names it on the staff page.
    pub path: String,
    pub event: DeviceEvent,
}

/// The running device threads; dropping this stops them.
pub struct Peripherals {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    /// Where receipts go, when a printer is configured.
    pub printer: Option<printer::PrintQueue>,
}

impl Peripherals {
    /// Start a thread per configured device on the real serial ports.
    pub fn start(devices: &[SerialDevice], reports: Sender<Report>) -> Result<Peripherals, String> {
        Self::start_with(devices, reports, || SystemPorts)
    }

    /// The same with another way of opening ports (tests).
    pub fn start_with<O: Opener + 'static>(
        devices: &[SerialDevice],
        reports: Sender<Report>,
        opener: impl Fn() -> O,
    ) -> Result<Peripherals, String> {
        let stop = Arc::new(AtomicBool::new(false));
        let mut threads = Vec::new();
        let mut printer = None;
        for d in devices {
            let path = d.path.display().to_string();
            let tx = reports.clone();
            let (kind, p) = (d.kind, path.clone());
            let sink: serial::Sink =
                Box::new(move |event| tx.send(Report { kind, path: p.clone(), event }).is_ok());
            let (path_buf, baud, stop2, opener) = (d.path.clone(), d.baud, stop.clone(), opener());
            let name = format!("serial-{}", kind_name(kind));
            let spawn = std::thread::Builder::new().name(name);
            let thread = match d.kind {
                SerialKind::Scanner => spawn.spawn(move || {
                    serial::run(path_buf, baud, opener, scanner_driver::ScannerDriver::default(), sink, stop2)
                }),
                SerialKind::Scale => {
                    let driver =
                        scale_driver::ScaleDriver::new(&d.protocol).map_err(|e| format!("{path}: {e}"))?;
                    spawn.spawn(move || serial::run(path_buf, baud, opener, driver, sink, stop2))
                }
                SerialKind::Printer => {
                    let (driver, queue) = printer::PrinterDriver::new();
                    printer = Some(queue);
                    spawn.spawn(move || serial::run(path_buf, baud, opener, driver, sink, stop2))
                }
            };
            threads.push(thread.map_err(|e| format!("{path}: cannot start its thread: {e}"))?);
        }
        Ok(Peripherals { stop, threads, printer })
    }

    /// Stop every device thread and wait for them.
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for Peripherals {
    fn drop(&mut self) {
        self.stop();
    }
}

pub fn kind_name(kind: SerialKind) -> &'static str {
    match kind {
        SerialKind::Scanner => "scanner",
        SerialKind::Scale => "scale",
        SerialKind::Printer => "printer",
    }
}

/// Every report waiting now (for callers that poll, like the UI timer).
pub fn drain(rx: &Receiver<Report>) -> Vec<Report> {
    rx.try_iter().collect()
}
