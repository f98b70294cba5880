//! The parcel scale on its serial port: which protocol it speaks (from
//! `kiosk.toml`, or found from a second of its output), its live reading,
//! the settled parcel weight, and "scale offline" after two seconds without
//! a valid frame (design: domain.md §3.2).

use super::scale::{Detected, Parser, Protocol, Reading, Settle, detect};
use super::serial::{DeviceEvent, Driver};
use std::time::{Duration, Instant};

/// No valid frame for this long: the scale is off or unplugged.
pub const WATCHDOG: Duration = Duration::from_secs(2);
/// Output gathered before guessing the protocol.
const DETECT_SAMPLE: usize = 256;
/// Bad frames out of the last [`QUALITY_WINDOW`] that mean a wrong setting.
const QUALITY_WINDOW: usize = 20;

/// What the scale shows now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weight {
    /// Sending, not settled (moving, empty, over range or negative):
    /// the live grams for the screen.
    Live(i64),
    /// Settled: this weight may be recorded.
    Settled(i64),
    /// Nothing valid for [`WATCHDOG`].
    Offline,
}

pub struct ScaleDriver {
    parser: Option<Parser>,
    /// Bytes kept while the protocol is being found (`protocol = "auto"`).
    sample: Vec<u8>,
    settle: Settle,
    last_valid: Option<Instant>,
    shown: Option<Weight>,
    recent_bad: std::collections::VecDeque<bool>,
    faulted: bool,
}

impl ScaleDriver {
    /// `protocol` as in `kiosk.toml`: a protocol name or `auto`.
    pub fn new(protocol: &str) -> Result<ScaleDriver, String> {
        let parser = match protocol {
            "auto" | "" => None,
            name => Some(Parser::new(Protocol::from_name(name).ok_or_else(|| {
                let known: Vec<&str> = Protocol::ALL.iter().map(|p| p.name()).collect();
                format!("unknown scale protocol {name:?} (known: auto, {})", known.join(", "))
            })?)),
        };
        Ok(ScaleDriver {
            parser,
            sample: Vec::new(),
            settle: Settle::parcel(),
            last_valid: None,
            shown: None,
            recent_bad: Default::default(),
            faulted: false,
        })
    }

    pub fn protocol(&self) -> Option<Protocol> {
        self.parser.as_ref().map(Parser::protocol)
    }

    fn show(&mut self, w: Weight, out: &mut Vec<DeviceEvent>) {
        if self.shown != Some(w) {
            self.shown = Some(w);
            out.push(DeviceEvent::Weight(w));
        }
    }

    fn reading(&mut self, r: &Reading, now: Instant, out: &mut Vec<DeviceEvent>) {
        self.last_valid = Some(now);
        let w = match self.settle.push(r, now) {
            Some(g) => Weight::Settled(g),
            None => Weight::Live(if r.overload { 0 } else { r.grams }),
        };
        self.show(w, out);
    }

    fn quality(&mut self, bad: bool, out: &mut Vec<DeviceEvent>) {
        self.recent_bad.push_back(bad);
        if self.recent_bad.len() > QUALITY_WINDOW {
            self.recent_bad.pop_front();
        }
        let bad_count = self.recent_bad.iter().filter(|b| **b).count();
        if self.recent_bad.len() == QUALITY_WINDOW && bad_count * 2 > QUALITY_WINDOW && !self.faulted {
            self.faulted = true;
            out.push(DeviceEvent::Fault(format!(
                "{bad_count} of the last {QUALITY_WINDOW} frames were bad: check the scale's baud rate and format"
            )));
        } else if bad_count == 0 {
            self.faulted = false;
        }
    }
}

impl Driver for ScaleDriver {
    fn read(&mut self, bytes: &[u8], now: Instant, out: &mut Vec<DeviceEvent>) {
        if self.parser.is_none() {
            self.sample.extend_from_slice(bytes);
            if self.sample.len() < DETECT_SAMPLE {
                return;
            }
            match detect(&self.sample) {
                Detected::Found(p) => {
                    tracing::info!(protocol = p.name(), "scale protocol detected");
                    self.parser = Some(Parser::new(p));
                    let sample = std::mem::take(&mut self.sample);
                    return self.read(&sample, now, out);
                }
                Detected::Ambiguous(ps) => {
                    let names: Vec<&str> = ps.iter().map(|p| p.name()).collect();
                    out.push(DeviceEvent::Fault(format!(
                        "the scale could be {}: set `protocol` in kiosk.toml",
                        names.join(" or ")
                    )));
                }
                Detected::Nothing => {}
            }
            // Keep the newest half and try again with more.
            self.sample.drain(..DETECT_SAMPLE / 2);
            return;
        }
        let results = self.parser.as_mut().expect("parser chosen").push(bytes);
        for r in results {
            match r {
                Ok(reading) => {
                    self.quality(false, out);
                    self.reading(&reading, now, out);
                }
                Err(e) => {
                    tracing::debug!("scale frame refused: {e}");
                    self.quality(true, out);
                }
            }
        }
    }

    fn tick(&mut self, now: Instant, out: &mut Vec<DeviceEvent>) {
        let since = self.last_valid.get_or_insert(now);
        if now.duration_since(*since) >= WATCHDOG {
            self.settle = Settle::parcel();
            self.show(Weight::Offline, out);
        }
    }

    fn lost(&mut self, out: &mut Vec<DeviceEvent>) {
        self.settle = Settle::parcel();
        self.show(Weight::Offline, out);
        self.last_valid = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toledo(grams_10: u32, moving: bool) -> Vec<u8> {
        // 2 decimals in kg: the digits are tens of grams.
        let swb = if moving { 0x38 } else { 0x30 };
        let mut f = vec![0x02, 0x2C, swb, 0x20];
        f.extend_from_slice(format!("{grams_10:06}000000\r").as_bytes());
        f
    }

    fn weights(out: &[DeviceEvent]) -> Vec<Weight> {
        out.iter()
            .filter_map(|e| match e {
                DeviceEvent::Weight(w) => Some(*w),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn detects_settles_and_goes_offline() {
        let mut d = ScaleDriver::new("auto").unwrap();
        let mut out = Vec::new();
        let t0 = Instant::now();
        // Half a second of a parcel being put down, then still.
        let mut t = t0;
        for i in 0..40u32 {
            let frame = if i < 10 { toledo(100 + i * 7, true) } else { toledo(1234, false) };
            d.read(&frame, t, &mut out);
            d.tick(t, &mut out);
            t += Duration::from_millis(50);
        }
        assert_eq!(d.protocol(), Some(Protocol::Toledo));
        let w = weights(&out);
        assert!(w.contains(&Weight::Live(12_340)), "{w:?}");
        assert_eq!(w.last(), Some(&Weight::Settled(12_340)));
        // Silence: offline after the watchdog, once.
        d.tick(t + Duration::from_millis(1900), &mut out);
        assert_eq!(weights(&out).last(), Some(&Weight::Settled(12_340)));
        d.tick(t + Duration::from_millis(2100), &mut out);
        d.tick(t + Duration::from_millis(2500), &mut out);
        assert_eq!(weights(&out).iter().filter(|w| **w == Weight::Offline).count(), 1);
    }

    #[test]
    fn wrong_settings_are_reported_once() {
        let mut d = ScaleDriver::new("toledo-checksum").unwrap();
        let mut out = Vec::new();
        let mut frame = toledo(1234, false);
        frame.push(0x00); // wrong checksum
        for _ in 0..30 {
            d.read(&frame, Instant::now(), &mut out);
        }
        let faults = out.iter().filter(|e| matches!(e, DeviceEvent::Fault(_))).count();
        assert_eq!(faults, 1, "{out:?}");
        assert!(ScaleDriver::new("toledo-9").is_err());
    }
}
