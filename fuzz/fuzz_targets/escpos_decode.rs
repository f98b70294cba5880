//! The ESC/POS reader the receipt tests check printed bytes with: any bytes
//! are commands or an error that says where, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use station_formats::escpos_decode::{decode, qr_codes, text_lines};

fuzz_target!(|data: &[u8]| {
    if let Ok(cmds) = decode(data) {
        let _ = text_lines(&cmds);
        let _ = qr_codes(&cmds);
        for c in &cmds {
            let _ = c.bitmap();
        }
    }
});
