//! Headless rendering with Slint's software renderer: the screenshots in
//! the README, `kiosk snapshot`, the UI tests and the hub's `screenshot`
//! command all draw the same pixels the kiosk shows.

use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType, Rgb565Pixel};
use slint::platform::{Platform, WindowAdapter};
use slint::{PhysicalSize, PlatformError};
use std::path::Path;
use std::rc::Rc;

struct Headless {
    window: Rc<MinimalSoftwareWindow>,
}

impl Platform for Headless {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, PlatformError> {
        Ok(self.window.clone())
    }
}

/// Make this thread draw into memory (once per thread, before any window).
pub fn install() -> Result<Rc<MinimalSoftwareWindow>, PlatformError> {
    install_with(RepaintBufferType::NewBuffer)
}

/// The same, keeping the frame buffer between frames as a display does
/// (`ReusedBuffer`: only what changed is drawn again; the benchmarks).
pub fn install_with(buffer: RepaintBufferType) -> Result<Rc<MinimalSoftwareWindow>, PlatformError> {
    let window = MinimalSoftwareWindow::new(buffer);
    slint::platform::set_platform(Box::new(Headless { window: window.clone() }))
        .map_err(|e| PlatformError::Other(e.to_string()))?;
    Ok(window)
}

/// Draw the current frame at `width`×`height` and return it as RGB bytes.
pub fn frame(window: &MinimalSoftwareWindow, width: u32, height: u32) -> Vec<u8> {
    window.set_size(PhysicalSize::new(width, height));
    slint::platform::update_timers_and_animations();
    window.request_redraw();
    let mut pixels = vec![Rgb565Pixel::default(); (width * height) as usize];
    window.draw_if_needed(|r| {
        r.render(&mut pixels, width as usize);
    });
    let mut rgb = Vec::with_capacity(pixels.len() * 3);
    for p in pixels {
        let v = p.0;
        let (r, g, b) = ((v >> 11) & 0x1f, (v >> 5) & 0x3f, v & 0x1f);
        rgb.extend_from_slice(&[(r << 3 | r >> 2) as u8, (g << 2 | g >> 4) as u8, (b << 3 | b >> 2) as u8]);
    }
    rgb
}

/// Encode RGB bytes as a PNG file.
pub fn write_png(path: &Path, width: u32, height: u32, rgb: &[u8]) -> std::io::Result<()> {
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut enc = png::Encoder::new(file, width, height);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header().map_err(std::io::Error::other)?;
    w.write_image_data(rgb).map_err(std::io::Error::other)?;
    Ok(())
}

/// The same frame as PNG bytes.
pub fn png_bytes(width: u32, height: u32, rgb: &[u8]) -> Vec<u8> {
    encode(width, height, rgb, png::ColorType::Rgb)
}

/// A window snapshot (RGBA) as PNG bytes (the `screenshot` command's answer).
pub fn png_rgba(width: u32, height: u32, rgba: &[u8]) -> Vec<u8> {
    encode(width, height, rgba, png::ColorType::Rgba)
}

fn encode(width: u32, height: u32, pixels: &[u8], color: png::ColorType) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(color);
        enc.set_depth(png::BitDepth::Eight);
        if let Ok(mut w) = enc.write_header() {
            let _ = w.write_image_data(pixels);
        }
    }
    out
}
