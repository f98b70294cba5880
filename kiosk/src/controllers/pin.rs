//! The staff PIN in front of the staff page: digits shown as dots, checked
//! against the salted hash in `kiosk.toml`; five wrong tries rest the
//! keypad for a minute.

use std::time::{Duration, Instant};

/// Wrong PINs allowed before the keypad rests.
const TRIES: u32 = 5;
const REST: Duration = Duration::from_secs(60);
const PIN_MAX: usize = 8;

/// Why the PIN page says no.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinProblem {
    Wrong,
    /// Too many wrong tries: wait a minute.
    Resting,
    /// `kiosk.toml` sets no staff PIN.
    NotSet,
}

#[derive(Debug, Default)]
pub struct PinPad {
    digits: String,
    failures: u32,
    resting_until: Option<Instant>,
    pub problem: Option<PinProblem>,
}

impl PinPad {
    pub fn open(&mut self) {
        self.digits.clear();
        self.problem = None;
    }

    /// Dots for the digits typed.
    pub fn shown(&self) -> String {
        "●".repeat(self.digits.len())
    }

    /// A keypad press; `ok` checks the PIN against `hash` and returns true
    /// when it is right.
    pub fn key(&mut self, k: &str, hash: Option<&str>, now: Instant) -> bool {
        if self.resting_until.is_some_and(|t| now < t) {
            self.digits.clear();
            self.problem = Some(PinProblem::Resting);
            return false;
        }
        if k == "ok" {
            return self.check(hash, now);
        }
        if super::keypad::press(&mut self.digits, k, PIN_MAX, super::keypad::digit) {
            self.problem = None;
        }
        false
    }

    fn check(&mut self, hash: Option<&str>, now: Instant) -> bool {
        let typed = std::mem::take(&mut self.digits);
        let Some(hash) = hash else {
            self.problem = Some(PinProblem::NotSet);
            return false;
        };
        if firmware_config::pin::verify(hash, &typed) {
            *self = PinPad::default();
            tracing::info!("staff page opened");
            return true;
        }
        self.failures += 1;
        tracing::warn!(failures = self.failures, "wrong staff PIN");
        if self.failures >= TRIES {
            self.failures = 0;
            self.resting_until = Some(now + REST);
        }
        self.problem = Some(PinProblem::Wrong);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn type_pin(p: &mut PinPad, pin: &str, hash: Option<&str>, now: Instant) -> bool {
        pin.chars().for_each(|k| {
            p.key(&k.to_string(), hash, now);
        });
        p.key("ok", hash, now)
    }

    #[test]
    fn five_wrong_pins_rest_the_keypad_for_a_minute() {
        let hash = firmware_config::pin::hash("2468", b"salt");
        let t0 = Instant::now();
        let mut p = PinPad::default();
        p.key("2", Some(&hash), t0);
        assert_eq!(p.shown(), "●");
        assert!(!type_pin(&mut p, "", None, t0));
        assert_eq!(p.problem, Some(PinProblem::NotSet));
        for _ in 0..5 {
            assert!(!type_pin(&mut p, "1111", Some(&hash), t0));
            assert_eq!(p.problem, Some(PinProblem::Wrong));
        }
        assert!(!type_pin(&mut p, "2468", Some(&hash), t0 + Duration::from_secs(59)), "resting");
        assert_eq!(p.problem, Some(PinProblem::Resting));
        assert!(type_pin(&mut p, "2468", Some(&hash), t0 + Duration::from_secs(61)));
        assert_eq!((p.shown(), p.problem), (String::new(), None));
    }
}
