//! A parcel scale's stream in each of the protocols the kiosk reads: readings
//! or frame errors, never a panic; a usable reading is a weight a station
//! scale can show; the stream cut into pieces reads the same as whole; and
//! the protocol guess on a sample of it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use station_formats::scale::{MAX_GRAMS, Parser, Protocol, detect};
use tongcheng_fuzz::chunks;

fuzz_target!(|data: &[u8]| {
    let Some((&which, stream)) = data.split_first() else { return };
    let _ = detect(stream);
    let protocol = Protocol::ALL[usize::from(which) % Protocol::ALL.len()];
    let pieces: Vec<&[u8]> = chunks(stream).into_iter().map(|(_, bytes)| bytes).collect();
    let mut cut = Parser::new(protocol);
    let piecewise: Vec<_> = pieces.iter().flat_map(|p| cut.push(p)).collect();
    let at_once = Parser::new(protocol).push(&pieces.concat());
    for r in at_once.iter().flatten().filter(|r| !r.overload) {
        assert!(r.grams.abs() <= MAX_GRAMS, "{protocol:?}: an impossible weight to use: {r:?}");
    }
    assert_eq!(piecewise, at_once, "{protocol:?}: the same bytes cut differently read differently");
});
