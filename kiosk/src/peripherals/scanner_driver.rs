//! The scanner on its serial port: the framing of
//! [`station_formats::scanner`] fed from the port, its scans and faults
//! reported as device events.

use super::serial::{DeviceEvent, Driver};
use station_formats::scanner::{Framer, ScanError, ScanText};
use std::time::Instant;

/// The scanner on its serial port.
#[derive(Default)]
pub struct ScannerDriver {
    framer: Framer,
}

impl ScannerDriver {
    fn report(found: Vec<Result<ScanText, ScanError>>, out: &mut Vec<DeviceEvent>) {
        for f in found {
            out.push(match f {
                Ok(scan) => DeviceEvent::Scan(scan),
                Err(e) => DeviceEvent::Fault(e.to_string()),
            });
        }
    }
}

impl Driver for ScannerDriver {
    fn read(&mut self, bytes: &[u8], now: Instant, out: &mut Vec<DeviceEvent>) {
        Self::report(self.framer.push(bytes, now), out);
    }
    fn tick(&mut self, now: Instant, out: &mut Vec<DeviceEvent>) {
        Self::report(self.framer.tick(now), out);
    }
    fn lost(&mut self, _out: &mut Vec<DeviceEvent>) {
        // Half a scan from before the unplug is not a scan.
        self.framer = Framer::new();
    }
}
