//! Catalog images for the window: found by their SHA-256, decoded by
//! content (PNG or JPEG; blobs have no file extension for Slint to guess
//! from), and kept while pages may come back to them.

use slint::Image;
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;

/// Where an image of the catalog is, by its SHA-256.
pub type ImagePath = Rc<dyn Fn(&str) -> PathBuf>;

/// Decoded images kept for pages to come back to: three pages of cards
/// (a 480×360 picture is 0.5 MB decoded, 0.7 MB with transparency).
const KEPT: usize = 36;

pub struct ImageCache {
    path: ImagePath,
    decoded: HashMap<String, Image>,
}

impl ImageCache {
    pub fn new(path: ImagePath) -> ImageCache {
        ImageCache { path, decoded: HashMap::new() }
    }

    /// Look images up somewhere else (another kiosk's blobs, in the demo).
    pub fn set_path(&mut self, path: ImagePath) {
        self.path = path;
        self.decoded.clear();
    }

    /// A new catalog: its images may be other pictures under the same names
    /// no longer, but the cache is small; start again.
    pub fn clear(&mut self) {
        self.decoded.clear();
    }

    pub fn get(&mut self, sha: Option<&String>) -> Image {
        let Some(sha) = sha else { return Image::default() };
        if let Some(i) = self.decoded.get(sha) {
            return i.clone();
        }
        // Decoded pictures are large; the pages on screen keep their own
        // alive, so a full cache is simply started again.
        if self.decoded.len() >= KEPT {
            self.decoded.clear();
        }
        let img = load(&(self.path)(sha));
        self.decoded.insert(sha.clone(), img.clone());
        img
    }
}

/// Decode a stored image; one that cannot be read shows as empty rather
/// than stopping the page.
fn load(path: &std::path::Path) -> Image {
    let decoded = std::fs::read(path)
        .map_err(|e| e.to_string())
        .and_then(|bytes| image::load_from_memory(&bytes).map_err(|e| e.to_string()));
    match decoded {
        // Photographs have no transparency: kept as RGB they take three
        // bytes a pixel instead of four (0.5 MB for 480×360, not 0.7).
        Ok(img) if !img.color().has_alpha() => {
            let rgb = img.into_rgb8();
            Image::from_rgb8(slint::SharedPixelBuffer::<slint::Rgb8Pixel>::clone_from_slice(
                rgb.as_raw(),
                rgb.width(),
                rgb.height(),
            ))
        }
        Ok(img) => {
            let rgba = img.into_rgba8();
            Image::from_rgba8(slint::SharedPixelBuffer::<slint::Rgba8Pixel>::clone_from_slice(
                rgba.as_raw(),
                rgba.width(),
                rgba.height(),
            ))
        }
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "image not shown");
            Image::default()
        }
    }
}
