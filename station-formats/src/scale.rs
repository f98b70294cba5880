//! Parcel scales on RS-232 (design: domain.md §3): streaming parsers for
//! Mettler-Toledo continuous output, Yaohua XK3190 formats 0–2 and "ST,GS"
//! text lines. Bytes go in one at a time, in whatever pieces the port
//! delivers; a reading comes out only from a whole frame whose checksum (or
//! XOR, or syntax, for formats without one) is right. Weights are integer
//! grams; a device's own stability and overload flags are kept, and a
//! reading beyond what any parcel-desk scale weighs ([`MAX_GRAMS`]) is over
//! range: a frame of the right shape from a misconfigured port (the fuzzer
//! found `=99999999`, 99,999 tonnes) must not become a parcel's weight.

/// The most a village station's scale can weigh: platform scales for
/// parcels go to 300 kg; 1,000 kg leaves room for any of them.
pub const MAX_GRAMS: i64 = 1_000_000;

/// The frame families this parser understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// Toledo continuous, 17 bytes, no checksum byte.
    Toledo,
    /// Toledo continuous with the checksum byte after CR (18 bytes).
    ToledoChecked,
    /// XK3190 format 0: STX, sign, 6 digits, decimals, XOR (2 hex), ETX.
    Xk3190Format0,
    /// XK3190 format 1: `=` and the display reversed (`=000.3000` is 3.000).
    Xk3190Format1,
    /// XK3190 format 2: `=` and the display forward (`=0003.000`).
    Xk3190Format2,
    /// `ST,GS,+  12.345kg` lines (A&D-style).
    StGs,
}

impl Protocol {
    pub const ALL: [Protocol; 6] = [
        Protocol::Toledo,
        Protocol::ToledoChecked,
        Protocol::Xk3190Format0,
        Protocol::Xk3190Format1,
        Protocol::Xk3190Format2,
        Protocol::StGs,
    ];

    /// The name in `kiosk.toml` (`protocol = "xk3190-0"`).
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Toledo => "toledo",
            Protocol::ToledoChecked => "toledo-checksum",
            Protocol::Xk3190Format0 => "xk3190-0",
            Protocol::Xk3190Format1 => "xk3190-1",
            Protocol::Xk3190Format2 => "xk3190-2",
            Protocol::StGs => "st-gs",
        }
    }

    pub fn from_name(s: &str) -> Option<Protocol> {
        Self::ALL.into_iter().find(|p| p.name() == s)
    }
}

/// What the device says about motion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Motion {
    Stable,
    Moving,
    /// The format has no flag (XK3190 formats 0–2): stability must come
    /// from repeated readings.
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reading {
    pub grams: i64,
    pub motion: Motion,
    /// Over range (or under): the weight is not to be used.
    pub overload: bool,
    /// Net (tare taken off) rather than gross.
    pub net: bool,
}

/// A frame that was recognised but is wrong: counted, so that the kiosk
/// can say "check the baud rate or the format".
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("checksum does not match")]
    Checksum,
    #[error("malformed frame")]
    Malformed,
}

/// Longest frame of any family, with room: longer runs are garbage.
const MAX_FRAME: usize = 64;

/// A streaming parser for one protocol.
pub struct Parser {
    protocol: Protocol,
    buf: Vec<u8>,
    /// Inside a frame (after its start marker).
    open: bool,
}

impl Parser {
    pub fn new(protocol: Protocol) -> Parser {
        Parser { protocol, buf: Vec::with_capacity(MAX_FRAME), open: false }
    }

    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// Feed the bytes read; every complete frame in them, in order.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Result<Reading, FrameError>> {
        let mut out = Vec::new();
        for b in bytes {
            self.feed(*b, &mut out);
        }
        out
    }

    /// One byte. A frame that turns out wrong may have swallowed the start
    /// of the real one (noise can hold a start byte): its bytes after the
    /// first are fed again from the next start marker.
    fn feed(&mut self, b: u8, out: &mut Vec<Result<Reading, FrameError>>) {
        let Some(mut result) = self.byte(b) else { return };
        if let Ok(r) = &mut result
            && r.grams.abs() > MAX_GRAMS
        {
            r.overload = true;
        }
        let failed = result.is_err();
        out.push(result);
        if !failed {
            return;
        }
        let marker = match self.protocol {
            Protocol::Toledo | Protocol::ToledoChecked | Protocol::Xk3190Format0 => 0x02,
            Protocol::Xk3190Format1 | Protocol::Xk3190Format2 => b'=',
            Protocol::StGs => return,
        };
        let frame = std::mem::take(&mut self.buf);
        if let Some(at) = frame.iter().skip(1).position(|c| *c == marker) {
            for c in &frame[at + 1..] {
                self.feed(*c, out);
            }
        }
    }

    fn start(&mut self, b: u8) {
        self.buf.clear();
        self.buf.push(b);
        self.open = true;
    }

    fn byte(&mut self, b: u8) -> Option<Result<Reading, FrameError>> {
        match self.protocol {
            Protocol::Toledo | Protocol::ToledoChecked => self.toledo(b),
            Protocol::Xk3190Format0 => self.xk0(b),
            Protocol::Xk3190Format1 | Protocol::Xk3190Format2 => self.xk12(b),
            Protocol::StGs => self.line(b),
        }
    }

    fn toledo(&mut self, b: u8) -> Option<Result<Reading, FrameError>> {
        let len = if self.protocol == Protocol::ToledoChecked { 18 } else { 17 };
        if !self.open {
            if b == 0x02 {
                self.start(b);
            }
            return None;
        }
        self.buf.push(b);
        // A start byte where no start byte can be (status and digits never
        // are 0x02): a new frame begins; the broken one is dropped.
        if b == 0x02 && self.buf.len() < 17 {
            self.start(b);
            return None;
        }
        if self.buf.len() < len {
            return None;
        }
        self.open = false;
        Some(toledo_frame(&self.buf, self.protocol == Protocol::ToledoChecked))
    }

    fn xk0(&mut self, b: u8) -> Option<Result<Reading, FrameError>> {
        if b == 0x02 {
            self.start(b);
            return None;
        }
        if !self.open {
            return None;
        }
        self.buf.push(b);
        if self.buf.len() < 12 {
            return None;
        }
        self.open = false;
        Some(xk0_frame(&self.buf))
    }

    fn xk12(&mut self, b: u8) -> Option<Result<Reading, FrameError>> {
        if b == b'=' {
            self.start(b);
            return None;
        }
        if !self.open {
            return None;
        }
        self.buf.push(b);
        if self.buf.len() < 9 {
            return None;
        }
        self.open = false;
        let body = &self.buf[1..9];
        let text: Vec<u8> = if self.protocol == Protocol::Xk3190Format1 {
            body.iter().rev().copied().collect()
        } else {
            body.to_vec()
        };
        Some(decimal(&text, 1000).map(|grams| Reading {
            grams,
            motion: Motion::Unknown,
            overload: false,
            net: false,
        }))
    }

    fn line(&mut self, b: u8) -> Option<Result<Reading, FrameError>> {
        if b == b'\r' || b == b'\n' {
            let done = std::mem::take(&mut self.buf);
            if done.len() < 4 {
                return None;
            }
            return st_gs_line(&done);
        }
        if self.buf.len() >= MAX_FRAME {
            self.buf.clear();
        }
        self.buf.push(b);
        None
    }
}

/// The Toledo status bits and the two 6-digit fields.
fn toledo_frame(f: &[u8], checked: bool) -> Result<Reading, FrameError> {
    if checked {
        let sum = f.iter().fold(0u32, |s, b| s + u32::from(*b));
        if sum & 0x7F != 0 {
            return Err(FrameError::Checksum);
        }
    }
    if f[16] != 0x0D {
        return Err(FrameError::Malformed);
    }
    // Seven data bits with parity: the parity bit is not data.
    let (swa, swb) = (f[1] & 0x7F, f[2] & 0x7F);
    if swa & 0x20 == 0 || swb & 0x20 == 0 || f[3] & 0x20 == 0 {
        return Err(FrameError::Malformed);
    }
    let digits = digits_of(&f[4..10]).ok_or(FrameError::Malformed)?;
    digits_of(&f[10..16]).ok_or(FrameError::Malformed)?;
    // Decimal code: ×100, ×10, ×1, then 1 to 5 decimals.
    let (mul, div): (i128, i128) = match swa & 0x07 {
        0 => (100, 1),
        1 => (10, 1),
        c => (1, 10i128.pow(u32::from(c) - 2)),
    };
    let kg = swb & 0x10 != 0;
    // Grams from the displayed units: kilograms, or pounds of 453.59237 g.
    let (num, den) = if kg {
        (i128::from(digits) * mul * 1000, div)
    } else {
        (i128::from(digits) * mul * 45_359_237, div * 100_000)
    };
    let mut grams = ((num + den / 2) / den) as i64;
    if swb & 0x02 != 0 {
        grams = -grams;
    }
    Ok(Reading {
        grams,
        motion: if swb & 0x08 != 0 { Motion::Moving } else { Motion::Stable },
        overload: swb & 0x04 != 0,
        net: swb & 0x01 != 0,
    })
}

fn digits_of(b: &[u8]) -> Option<u64> {
    b.iter().try_fold(0u64, |n, c| c.is_ascii_digit().then(|| n * 10 + u64::from(c - b'0')))
}

/// XK3190 format 0: STX, sign, 6 digits, decimals, the XOR of sign…decimals
/// as two upper-case hex digits, ETX.
fn xk0_frame(f: &[u8]) -> Result<Reading, FrameError> {
    if f[11] != 0x03 {
        return Err(FrameError::Malformed);
    }
    let xor = f[1..9].iter().fold(0u8, |x, b| x ^ b);
    let hex = |n: u8| if n <= 9 { n + 0x30 } else { n + 0x37 };
    if f[9] != hex(xor >> 4) || f[10] != hex(xor & 0x0F) {
        return Err(FrameError::Checksum);
    }
    let negative = match f[1] {
        b'+' => false,
        b'-' => true,
        _ => return Err(FrameError::Malformed),
    };
    let digits = digits_of(&f[2..8]).ok_or(FrameError::Malformed)? as i64;
    let decimals = match f[8] {
        d @ b'0'..=b'4' => u32::from(d - b'0'),
        _ => return Err(FrameError::Malformed),
    };
    let den = 10i64.pow(decimals);
    let grams = (digits * 1000 + den / 2) / den;
    Ok(Reading {
        grams: if negative { -grams } else { grams },
        motion: Motion::Unknown,
        overload: false,
        net: false,
    })
}

/// A decimal display string (`-0001.00`, `  12.345`) as thousandths of its
/// unit, rounded: `scale` 1000 turns kilograms into grams.
fn decimal(text: &[u8], scale: i64) -> Result<i64, FrameError> {
    let s = std::str::from_utf8(text).map_err(|_| FrameError::Malformed)?.trim();
    let (neg, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let s = s.trim_start();
    if s.is_empty() || s.matches('.').count() > 1 || !s.bytes().all(|c| c.is_ascii_digit() || c == b'.') {
        return Err(FrameError::Malformed);
    }
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty() || frac.len() > 6 || int.len() > 9 {
        return Err(FrameError::Malformed);
    }
    let int: i64 = if int.is_empty() { 0 } else { int.parse().map_err(|_| FrameError::Malformed)? };
    let frac_val: i64 = if frac.is_empty() { 0 } else { frac.parse().map_err(|_| FrameError::Malformed)? };
    let den = 10i64.pow(frac.len() as u32);
    let v = int * scale + (frac_val * scale + den / 2) / den;
    Ok(if neg { -v } else { v })
}

/// `ST,GS,+  12.345kg` and its variants, by tokens.
fn st_gs_line(line: &[u8]) -> Option<Result<Reading, FrameError>> {
    let text = std::str::from_utf8(line).ok()?;
    let mut parts = text.split(',');
    let head = parts.next()?.trim();
    let (motion, overload) = match head {
        "ST" => (Motion::Stable, false),
        "US" => (Motion::Moving, false),
        "OL" | "UL" => (Motion::Unknown, true),
        _ => return None,
    };
    let mut next = parts.next()?.trim();
    let net = match next {
        "GS" | "NT" => {
            let n = next == "NT";
            next = parts.next()?.trim();
            n
        }
        _ => false,
    };
    if parts.next().is_some() {
        return Some(Err(FrameError::Malformed));
    }
    let unit_at = next.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(next.len());
    let (number, unit) = next.split_at(unit_at);
    let scale = match unit.trim() {
        "kg" => 1000,
        "g" => 1,
        "" if overload => 1,
        _ => return Some(Err(FrameError::Malformed)),
    };
    let number: String = number.chars().filter(|c| *c != ' ').collect();
    if overload {
        return Some(Ok(Reading { grams: 0, motion, overload, net }));
    }
    Some(decimal(number.as_bytes(), scale).map(|grams| Reading { grams, motion, overload, net }))
}

/// What a second or so of bytes from an unknown scale looks like.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Detected {
    Found(Protocol),
    /// XK3190 formats 1 and 2 look alike on the wire; `kiosk.toml` must say.
    Ambiguous(Vec<Protocol>),
    Nothing,
}

/// Try every parser on a sample; the one with the most valid frames (and
/// no more errors than readings) wins. On a tie the stricter protocol wins:
/// Toledo with its checksum over Toledo without.
pub fn detect(sample: &[u8]) -> Detected {
    let score = |p: Protocol| {
        let results = Parser::new(p).push(sample);
        let good = results.iter().filter(|r| r.is_ok()).count();
        let bad = results.len() - good;
        if good > bad { good } else { 0 }
    };
    let mut scored: Vec<(Protocol, usize)> = Protocol::ALL.iter().map(|p| (*p, score(*p))).collect();
    scored.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    let best = scored[0].1;
    if best < 2 {
        return Detected::Nothing;
    }
    let top: Vec<Protocol> = scored.iter().filter(|(_, n)| *n == best).map(|(p, _)| *p).collect();
    if top.contains(&Protocol::Xk3190Format1) && top.contains(&Protocol::Xk3190Format2) {
        return Detected::Ambiguous(vec![Protocol::Xk3190Format1, Protocol::Xk3190Format2]);
    }
    // `ALL` lists the stricter Toledo variant first among equals.
    let pick = if top.contains(&Protocol::ToledoChecked) { Protocol::ToledoChecked } else { top[0] };
    Detected::Found(pick)
}

/// A parcel weight is taken only when the platform has settled: `needed`
/// readings within `tolerance` grams spanning at least `span`, none of them
/// moving, over range or negative. Formats without a motion flag rely on
/// this alone; flagged ones get it on top of the flag.
pub struct Settle {
    needed: usize,
    span: std::time::Duration,
    tolerance: i64,
    recent: std::collections::VecDeque<(std::time::Instant, i64)>,
}

impl Settle {
    pub fn new(needed: usize, span: std::time::Duration, tolerance: i64) -> Settle {
        Settle { needed: needed.max(1), span, tolerance, recent: Default::default() }
    }

    /// Five readings over half a second within one 5 g division: parcel
    /// scales are read in 5 g or 10 g steps.
    pub fn parcel() -> Settle {
        Settle::new(5, std::time::Duration::from_millis(500), 5)
    }

    /// The settled weight in grams, or `None` while there is none (empty
    /// platform, moving, refused).
    pub fn push(&mut self, r: &Reading, at: std::time::Instant) -> Option<i64> {
        if r.overload || r.motion == Motion::Moving || r.grams <= 0 {
            self.recent.clear();
            return None;
        }
        self.recent.push_back((at, r.grams));
        // The longest run of recent readings within the tolerance …
        loop {
            let (lo, hi) =
                self.recent.iter().fold((i64::MAX, i64::MIN), |(lo, hi), (_, g)| (lo.min(*g), hi.max(*g)));
            if hi - lo <= self.tolerance {
                break;
            }
            self.recent.pop_front();
        }
        // … no longer than it takes to cover the span (at 20 frames a
        // second that is ten readings, not all since the parcel settled).
        while self.recent.len() > self.needed
            && self.recent.get(1).is_some_and(|(t, _)| at.duration_since(*t) >= self.span)
        {
            self.recent.pop_front();
        }
        let (first, last) = (self.recent.front()?, self.recent.back()?);
        (self.recent.len() >= self.needed && last.0.duration_since(first.0) >= self.span).then_some(last.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const fn r(grams: i64, motion: Motion) -> Reading {
        Reading { grams, motion, overload: false, net: false }
    }

    /// Frames from the manuals (domain.md §3) and their readings.
    fn golden() -> Vec<(Protocol, Vec<u8>, Reading)> {
        let toledo = b"\x02\x2C\x30\x20001234000000\x0D".to_vec();
        let mut checked = toledo.clone();
        checked.push(0x2B);
        vec![
            (Protocol::Toledo, toledo, r(12_340, Motion::Stable)),
            (Protocol::ToledoChecked, checked, r(12_340, Motion::Stable)),
            (
                Protocol::Xk3190Format0,
                b"\x02+0020002".iter().copied().chain(*b"1B\x03").collect(),
                r(20_000, Motion::Unknown),
            ),
            (Protocol::Xk3190Format1, b"=000.3000".to_vec(), r(3_000, Motion::Unknown)),
            (Protocol::Xk3190Format1, b"=00.1000-".to_vec(), r(-1_000, Motion::Unknown)),
            (Protocol::Xk3190Format2, b"=0003.000".to_vec(), r(3_000, Motion::Unknown)),
            (Protocol::StGs, b"ST,GS,+  12.345kg\r\n".to_vec(), r(12_345, Motion::Stable)),
            (
                Protocol::StGs,
                b"US,NT,-   0.020kg\r\n".to_vec(),
                Reading { grams: -20, motion: Motion::Moving, overload: false, net: true },
            ),
            (Protocol::StGs, b"ST,+00123.45  g\r\n".to_vec(), r(123, Motion::Stable)),
        ]
    }

    fn readings(p: Protocol, chunks: &[&[u8]]) -> Vec<Reading> {
        let mut parser = Parser::new(p);
        chunks.iter().flat_map(|c| parser.push(c)).filter_map(Result::ok).collect()
    }

    #[test]
    fn golden_frames_parse_to_their_readings() {
        for (p, frame, want) in golden() {
            assert_eq!(readings(p, &[&frame]), [want], "{p:?} {frame:?}");
        }
    }

    #[test]
    fn flags_units_and_decimals_of_toledo() {
        // Motion, negative, net, over range; pounds; ×10 and three decimals.
        let frame = |swa: u8, swb: u8, w: &[u8; 6]| {
            let mut f = vec![0x02, swa, swb, 0x20];
            f.extend_from_slice(w);
            f.extend_from_slice(b"000000\r");
            f
        };
        let one = |f: Vec<u8>| Parser::new(Protocol::Toledo).push(&f).pop().unwrap().unwrap();
        let moving = one(frame(0x2C, 0x30 | 0x08 | 0x02 | 0x01, b"001234"));
        assert_eq!((moving.grams, moving.motion, moving.net), (-12_340, Motion::Moving, true));
        assert!(one(frame(0x2C, 0x30 | 0x04, b"999999")).overload);
        assert_eq!(one(frame(0x2C, 0x20, b"000100")).grams, 454, "1.00 lb");
        assert_eq!(one(frame(0x21, 0x30, b"000005")).grams, 50_000, "5 ×10 kg");
        assert_eq!(one(frame(0x25, 0x30, b"012345")).grams, 12_345, "12.345 kg");
        // Status bytes always have bit 5 set; without it this is no frame.
        assert_eq!(
            Parser::new(Protocol::Toledo).push(&frame(0x0C, 0x30, b"001234")),
            [Err(FrameError::Malformed)]
        );
    }

    /// Found by `fuzz/` (scale): eight nines with no decimal point are a
    /// well-formed XK3190 frame of 99,999 tonnes.
    #[test]
    fn impossible_weights_are_over_range() {
        let got = Parser::new(Protocol::Xk3190Format2).push(b"=99999999");
        let r = got[0].unwrap();
        assert_eq!(r.grams, 99_999_999_000);
        assert!(r.overload, "a weight no station scale reads is not to be used");
        let mut settle = Settle::parcel();
        let t0 = std::time::Instant::now();
        for i in 0..20 {
            assert_eq!(settle.push(&r, t0 + std::time::Duration::from_millis(100 * i)), None);
        }
        assert!(
            !Parser::new(Protocol::Xk3190Format2).push(b"=0300.000")[0].unwrap().overload,
            "300 kg is a weight"
        );
    }

    #[test]
    fn damaged_frames_are_errors_not_readings() {
        let mut bad = golden()[1].1.clone();
        bad[7] = b'9';
        assert_eq!(Parser::new(Protocol::ToledoChecked).push(&bad), [Err(FrameError::Checksum)]);
        let mut bad = golden()[2].1.clone();
        bad[4] = b'9';
        assert_eq!(Parser::new(Protocol::Xk3190Format0).push(&bad), [Err(FrameError::Checksum)]);
        assert_eq!(Parser::new(Protocol::Xk3190Format2).push(b"=00x3.000"), [Err(FrameError::Malformed)]);
        assert!(readings(Protocol::StGs, &[b"ST,GS,+  12.3.45kg\r\n"]).is_empty());
        let ol = Parser::new(Protocol::StGs).push(b"OL,GS,+999999 kg\r\n");
        assert!(ol[0].unwrap().overload);
    }

    #[test]
    fn the_protocol_is_found_from_a_second_of_bytes() {
        let repeat = |f: &[u8], n: usize| f.repeat(n);
        let g = golden();
        assert_eq!(detect(&repeat(&g[0].1, 10)), Detected::Found(Protocol::Toledo));
        assert_eq!(detect(&repeat(&g[1].1, 10)), Detected::Found(Protocol::ToledoChecked));
        assert_eq!(detect(&repeat(&g[2].1, 10)), Detected::Found(Protocol::Xk3190Format0));
        assert_eq!(detect(&repeat(&g[6].1, 10)), Detected::Found(Protocol::StGs));
        assert_eq!(
            detect(&repeat(&g[5].1, 10)),
            Detected::Ambiguous(vec![Protocol::Xk3190Format1, Protocol::Xk3190Format2])
        );
        assert_eq!(detect(b"\x00\xff garbage \x13\x37"), Detected::Nothing);
    }

    #[test]
    fn a_weight_is_taken_only_once_the_platform_settles() {
        let t0 = std::time::Instant::now();
        let at = |ms: u64| t0 + std::time::Duration::from_millis(ms);
        let mut s = Settle::parcel();
        let flagless = |g: i64| r(g, Motion::Unknown);
        // Loading: moving readings, then a bounce, then steady.
        assert_eq!(s.push(&r(800, Motion::Moving), at(0)), None);
        for (i, g) in [1_210, 1_250, 1_235, 1_235, 1_240, 1_235, 1_235].iter().enumerate() {
            let got = s.push(&flagless(*g), at(100 * i as u64 + 100));
            assert_eq!(got, None, "not settled at reading {i}");
        }
        assert_eq!(s.push(&flagless(1_235), at(900)), Some(1_235), "five readings within 5 g over 500 ms");
        // Overload, negative and an empty platform give nothing.
        assert_eq!(s.push(&Reading { overload: true, ..flagless(99_999) }, at(1_000)), None);
        assert_eq!(s.push(&flagless(-20), at(1_100)), None);
        assert_eq!(s.push(&flagless(0), at(1_200)), None);
        // Five quick readings are not enough time.
        for i in 0..5 {
            assert_eq!(s.push(&flagless(500), at(1_300 + i * 10)), None);
        }
    }

    proptest! {
        /// Every golden frame, cut anywhere and wrapped in noise, gives
        /// exactly its reading.
        #[test]
        fn frames_survive_any_split_and_noise(
            which in 0usize..9,
            cut in 0usize..24,
            before in proptest::collection::vec(any::<u8>(), 0..40),
            after in proptest::collection::vec(any::<u8>(), 0..40),
        ) {
            let (p, frame, want) = golden().swap_remove(which);
            let cut = cut.min(frame.len());
            // A line protocol needs the line before it to end.
            let lead: &[u8] = if p == Protocol::StGs { b"\n" } else { b"" };
            let got = readings(p, &[&before, lead, &frame[..cut], &frame[cut..], &after]);
            prop_assert_eq!(got, vec![want]);
        }

        /// Garbage never yields a reading, in any protocol.
        #[test]
        fn garbage_never_reads(junk in proptest::collection::vec(any::<u8>(), 0..400)) {
            for p in Protocol::ALL {
                prop_assert!(readings(p, &[&junk]).is_empty(), "{:?}", p);
            }
        }
    }
}
