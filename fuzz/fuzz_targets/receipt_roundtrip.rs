//! Receipts written with any text (a villager's rare name, emoji, control
//! characters): the bytes are always commands a printer reads, the text
//! lines come back, and a QR code holds exactly what was put in it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use station_formats::escpos::{Profile, Receipt};
use station_formats::escpos_decode::{decode, qr_codes};

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let text: String = text.chars().take(200).collect();
    let profile = Profile {
        width_dots: if flags & 1 == 0 { 384 } else { 576 },
        chinese_font: flags & 2 == 0,
        native_qr: flags & 4 == 0,
        cutter: flags & 8 == 0,
    };
    let mut r = Receipt::new(profile);
    r.line(&text).pair(&text, &text).rule();
    let qr_text: String = text.chars().filter(|c| !c.is_control()).take(120).collect();
    if !qr_text.is_empty() {
        r.qr(&qr_text);
    }
    r.cut();
    let cmds = decode(r.bytes()).unwrap_or_else(|e| panic!("a written receipt does not read back: {e}"));
    if profile.native_qr && !qr_text.is_empty() {
        assert_eq!(qr_codes(&cmds), [qr_text]);
    }
});
