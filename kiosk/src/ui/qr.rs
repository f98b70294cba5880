//! QR codes as images: dark modules on white with the 4-module quiet zone
//! scanners need, drawn pixel-exact (the UI shows them `pixelated`).

use qrcode::{Color, EcLevel, QrCode};
use slint::{Image, Rgb8Pixel, SharedPixelBuffer};

/// Pixels per module: a 33-module code is 328 px, sharp on any panel.
const SCALE: u32 = 8;
const QUIET: u32 = 4;

/// Only URLs go into codes (never personal data); a text too long for a
/// QR code gives a blank image rather than a wrong code.
pub fn image(text: &str) -> Image {
    let Ok(code) = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M) else {
        return Image::default();
    };
    let w = code.width() as u32;
    let side = (w + 2 * QUIET) * SCALE;
    let mut buf = SharedPixelBuffer::<Rgb8Pixel>::new(side, side);
    let colors = code.to_colors();
    for (i, px) in buf.make_mut_slice().iter_mut().enumerate() {
        let (x, y) = (i as u32 % side / SCALE, i as u32 / side / SCALE);
        let dark = x >= QUIET
            && y >= QUIET
            && x < w + QUIET
            && y < w + QUIET
            && colors[((y - QUIET) * w + (x - QUIET)) as usize] == Color::Dark;
        let v = if dark { 0 } else { 255 };
        *px = Rgb8Pixel { r: v, g: v, b: v };
    }
    Image::from_rgb8(buf)
}
