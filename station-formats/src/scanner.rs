//! What a serial barcode/QR scanner sends, turned into scans (design:
//! domain.md §2.1): a frame ends at CR or LF (CRLF is one end) or after an
//! idle gap, for scanners set up without a suffix; over-long runs are
//! garbage and dropped whole; an AIM symbology prefix (`]Q1`, `]C0` …) is
//! taken off and kept; text is UTF-8, or GB18030 when it is not; the same
//! code scanned again within the debounce time is a double trigger.

use std::time::{Duration, Instant};

/// Longest scan kept: a QR code holds at most about 3 KB.
pub const MAX_SCAN: usize = 4096;
/// A frame without a suffix ends after this much silence.
pub const IDLE_GAP: Duration = Duration::from_millis(80);
/// The same code again within this time is one scan.
pub const DEBOUNCE: Duration = Duration::from_millis(1500);

/// One decoded scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanText {
    pub text: String,
    /// The AIM symbology identifier, e.g. `]Q1` (QR) or `]C0` (Code 128).
    pub symbology: Option<String>,
}

impl ScanText {
    /// A QR code (AIM `]Q…`), as product trace codes are; without a prefix
    /// the content decides.
    pub fn is_qr(&self) -> bool {
        self.symbology.as_deref().is_some_and(|s| s.starts_with("]Q"))
    }
}

/// What the framer rejected, for the device's diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    #[error("scan longer than {MAX_SCAN} bytes dropped")]
    TooLong,
    #[error("scan is neither UTF-8 nor GB18030 text")]
    NotText,
}

/// Splits the byte stream into scans.
#[derive(Default)]
pub struct Framer {
    buf: Vec<u8>,
    /// Dropping the rest of an over-long run until its end.
    skipping: bool,
    last_byte: Option<Instant>,
    debounce: Debounce,
}

impl Framer {
    pub fn new() -> Framer {
        Framer::default()
    }

    /// Bytes read at `now`; every scan they complete.
    pub fn push(&mut self, bytes: &[u8], now: Instant) -> Vec<Result<ScanText, ScanError>> {
        let mut out = Vec::new();
        // A pause before these bytes ended the previous frame.
        self.idle(now, &mut out);
        for &b in bytes {
            match b {
                b'\r' | b'\n' => self.end(now, &mut out),
                _ if self.skipping => {}
                _ if self.buf.len() == MAX_SCAN => {
                    self.buf.clear();
                    self.skipping = true;
                    out.push(Err(ScanError::TooLong));
                }
                _ => self.buf.push(b),
            }
        }
        if !bytes.is_empty() {
            self.last_byte = Some(now);
        }
        out
    }

    /// Nothing read until `now`: a frame without a suffix may have ended.
    pub fn tick(&mut self, now: Instant) -> Vec<Result<ScanText, ScanError>> {
        let mut out = Vec::new();
        self.idle(now, &mut out);
        out
    }

    fn idle(&mut self, now: Instant, out: &mut Vec<Result<ScanText, ScanError>>) {
        if self.last_byte.is_some_and(|t| now.duration_since(t) >= IDLE_GAP) {
            self.end(now, out);
            self.last_byte = None;
        }
    }

    fn end(&mut self, now: Instant, out: &mut Vec<Result<ScanText, ScanError>>) {
        self.skipping = false;
        if self.buf.is_empty() {
            return;
        }
        let frame = std::mem::take(&mut self.buf);
        match decode(&frame) {
            Ok(scan) => {
                if self.debounce.fresh(&scan.text, now) {
                    out.push(Ok(scan));
                }
            }
            Err(e) => out.push(Err(e)),
        }
    }
}

/// Text of one frame: the AIM prefix off, UTF-8 else GB18030, control
/// characters (a stray STX, a GS separator in GS1 codes) kept only as GS.
pub fn decode(frame: &[u8]) -> Result<ScanText, ScanError> {
    let (symbology, body) = match frame {
        [b']', a, b, rest @ ..] if a.is_ascii_alphabetic() && b.is_ascii_alphanumeric() => {
            (Some(String::from_utf8_lossy(&frame[..3]).into_owned()), rest)
        }
        _ => (None, frame),
    };
    let text = match std::str::from_utf8(body) {
        Ok(t) => t.to_owned(),
        Err(_) => {
            let (t, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(body);
            if had_errors {
                return Err(ScanError::NotText);
            }
            t.into_owned()
        }
    };
    let text: String = text.chars().filter(|c| !c.is_control() || *c == '\u{1d}').collect();
    let text = text.trim().to_owned();
    if text.is_empty() {
        return Err(ScanError::NotText);
    }
    Ok(ScanText { text, symbology })
}

/// Forgets a code after [`DEBOUNCE`] without a repeat.
#[derive(Default)]
struct Debounce {
    last: Option<(String, Instant)>,
}

impl Debounce {
    fn fresh(&mut self, text: &str, now: Instant) -> bool {
        let repeat =
            self.last.as_ref().is_some_and(|(t, at)| t == text && now.duration_since(*at) < DEBOUNCE);
        // A trigger held down keeps repeating: each repeat extends the window.
        self.last = Some((text.to_owned(), now));
        !repeat
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn texts(r: Vec<Result<ScanText, ScanError>>) -> Vec<String> {
        r.into_iter().map(|s| s.unwrap().text).collect()
    }

    #[test]
    fn frames_end_at_cr_lf_or_crlf() {
        let mut f = Framer::new();
        let t0 = Instant::now();
        let got = f.push(b"SF1234567890123\r\nJT0001112223334\rYT1234567890123\n", t0);
        assert_eq!(texts(got), ["SF1234567890123", "JT0001112223334", "YT1234567890123"]);
    }

    #[test]
    fn a_scanner_without_suffix_is_framed_by_silence() {
        let mut f = Framer::new();
        let t0 = Instant::now();
        assert!(f.push(b"7312345678", t0).is_empty());
        assert!(f.push(b"9012", t0 + Duration::from_millis(20)).is_empty());
        assert!(f.tick(t0 + Duration::from_millis(60)).is_empty());
        assert_eq!(texts(f.tick(t0 + Duration::from_millis(110))), ["73123456789012"]);
        // The next scan after a pause starts afresh.
        let got = f.push(b"SF1", t0 + Duration::from_millis(400));
        assert!(got.is_empty());
        assert_eq!(texts(f.tick(t0 + Duration::from_millis(500))), ["SF1"]);
    }

    #[test]
    fn aim_prefix_is_taken_off_and_kept() {
        let s = decode(b"]Q1https://trace.example.gov.cn/01/06901234567892/10/A1").unwrap();
        assert_eq!(s.symbology.as_deref(), Some("]Q1"));
        assert!(s.is_qr());
        assert_eq!(s.text, "https://trace.example.gov.cn/01/06901234567892/10/A1");
        assert_eq!(decode(b"]C0SF1234567890123").unwrap().text, "SF1234567890123");
    }

    #[test]
    fn gb18030_when_not_utf8() {
        let (gb, _, _) = encoding_rs::GB18030.encode("桐城小花茶");
        assert_eq!(decode(&gb).unwrap().text, "桐城小花茶");
        assert_eq!(decode("桐城小花茶".as_bytes()).unwrap().text, "桐城小花茶");
    }

    #[test]
    fn over_long_runs_are_dropped_whole() {
        let mut f = Framer::new();
        let t0 = Instant::now();
        let mut long = vec![b'7'; MAX_SCAN + 100];
        long.extend_from_slice(b"\rSF1234567890123\r");
        let got = f.push(&long, t0);
        assert_eq!(got[0], Err(ScanError::TooLong));
        assert_eq!(got[1].as_ref().unwrap().text, "SF1234567890123");
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn double_triggers_are_one_scan() {
        let mut f = Framer::new();
        let t0 = Instant::now();
        assert_eq!(f.push(b"SF1\r", t0).len(), 1);
        assert!(f.push(b"SF1\r", t0 + Duration::from_millis(700)).is_empty());
        // Held: still one, then scanned again after a real pause.
        assert!(f.push(b"SF1\r", t0 + Duration::from_millis(2000)).is_empty());
        assert_eq!(f.push(b"SF1\r", t0 + Duration::from_millis(3600)).len(), 1);
        // A different code in between is not a repeat.
        assert_eq!(f.push(b"JT1\rSF1\r", t0 + Duration::from_millis(3700)).len(), 2);
    }

    proptest! {
        /// Any split of the stream gives the same scans.
        #[test]
        fn splits_do_not_matter(cut in 0usize..40) {
            let stream = b"]C0SF1234567890123\r\n]Q1https://t.cn/x\r";
            let cut = cut.min(stream.len());
            let t0 = Instant::now();
            let mut f = Framer::new();
            let mut got = f.push(&stream[..cut], t0);
            got.extend(f.push(&stream[cut..], t0 + Duration::from_millis(5)));
            prop_assert_eq!(texts(got), vec!["SF1234567890123".to_owned(), "https://t.cn/x".to_owned()]);
        }

        /// Garbage never panics and never yields more than it could hold.
        #[test]
        fn garbage_is_survived(bytes in proptest::collection::vec(any::<u8>(), 0..10_000)) {
            let mut f = Framer::new();
            for r in f.push(&bytes, Instant::now()).into_iter().flatten() {
                prop_assert!(r.text.len() <= MAX_SCAN * 3);
                prop_assert!(!r.text.is_empty());
            }
        }
    }
}
