//! Contrast as a person sees it: measured on the rendered pixels with
//! WCAG 2's relative luminance, not read from the colours the code asked
//! for (an image, an opacity or a tile behind the text all count).
//!
//! A text's background is what its box shows along its top and bottom
//! rows (a line's box is taller than its glyphs); its colour is the pixel
//! farthest from that background (glyph cores are fully covered at the
//! sizes a kiosk uses). Over an image the background varies, so the figure
//! is the contrast against the nearly darkest (or lightest) of it.

/// One pixel, red, green, blue.
pub type Rgb = [u8; 3];

/// A rendered frame, RGB bytes row by row.
#[derive(Clone, Copy)]
pub struct Frame<'a> {
    pub rgb: &'a [u8],
    pub width: u32,
    pub height: u32,
}

/// A box in the frame's pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PixelRect {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

impl Frame<'_> {
    fn px(&self, x: u32, y: u32) -> Rgb {
        let i = ((y * self.width + x) * 3) as usize;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }
}

/// WCAG 2 relative luminance of an sRGB colour.
pub fn luminance(c: Rgb) -> f64 {
    let lin = |v: u8| {
        let s = f64::from(v) / 255.0;
        if s <= 0.040_45 { s / 12.92 } else { ((s + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
}

/// WCAG 2 contrast ratio, 1 to 21.
pub fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// What a text's box shows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TextInk {
    /// The text's colour against its background (the low end of it when
    /// the background varies).
    pub contrast: f64,
    /// The tallest line of ink, in pixels: close to the font's size for
    /// Chinese characters, less for Latin letters, so "large text" judged
    /// by it errs on the strict side.
    pub ink_height: u32,
    pub ink: Rgb,
    pub background: Rgb,
}

/// Measure the text drawn inside `rect` (clamped to the frame); `None` when
/// too little of the box is on screen to hold a line.
pub fn text_ink(frame: &Frame, rect: PixelRect) -> Option<TextInk> {
    let x1 = (rect.x + rect.w).min(frame.width);
    let y1 = (rect.y + rect.h).min(frame.height);
    if rect.x.saturating_add(2) > x1 || rect.y.saturating_add(3) > y1 {
        return None;
    }
    let (x0, y0) = (rect.x, rect.y);
    let edge: Vec<Rgb> = (x0..x1).flat_map(|x| [frame.px(x, y0), frame.px(x, y1 - 1)]).collect::<Vec<_>>();
    let background = most_common(&edge);
    let mut ink = background;
    let mut best = 1.0;
    for y in y0..y1 {
        for x in x0..x1 {
            let p = frame.px(x, y);
            let c = contrast(p, background);
            if c > best {
                best = c;
                ink = p;
            }
        }
    }
    // Against the nearly least contrasting twentieth of the background.
    let mut against: Vec<f64> = edge.iter().map(|p| contrast(ink, *p)).collect();
    against.sort_by(f64::total_cmp);
    let figure = against.get(against.len() / 20).copied().unwrap_or(1.0);
    // A row holds ink when a pixel in it is well away from the background:
    // anti-aliased edges count, an image's grain mostly does not.
    let threshold = best.sqrt().max(1.25);
    let mut tallest = 0;
    let mut run = 0;
    for y in y0..y1 {
        let inked = (x0..x1).any(|x| contrast(frame.px(x, y), background) >= threshold);
        run = if inked { run + 1 } else { 0 };
        tallest = tallest.max(run);
    }
    Some(TextInk { contrast: figure, ink_height: tallest, ink, background })
}

fn most_common(pixels: &[Rgb]) -> Rgb {
    let mut counts = std::collections::HashMap::new();
    for p in pixels {
        *counts.entry(*p).or_insert(0u32) += 1;
    }
    counts.into_iter().max_by_key(|(p, n)| (*n, *p)).map(|(p, _)| p).unwrap_or([0, 0, 0])
}

#[cfg(test)]
mod tests {
    use super::*;

    const WHITE: Rgb = [255, 255, 255];
    const BLACK: Rgb = [0, 0, 0];

    /// A frame of `bg` with a block of `ink` rows `rows` inside columns 4..12.
    fn frame(bg: Rgb, ink: Rgb, rows: std::ops::Range<u32>) -> Vec<u8> {
        let (w, h) = (16u32, 40u32);
        let mut rgb = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let p = if rows.contains(&y) && (4..12).contains(&x) { ink } else { bg };
                rgb.extend_from_slice(&p);
            }
        }
        rgb
    }

    #[test]
    fn luminance_and_contrast_follow_wcag() {
        assert!((contrast(WHITE, BLACK) - 21.0).abs() < 1e-9);
        assert!((contrast(WHITE, WHITE) - 1.0).abs() < 1e-9);
        // #767676 on white is the well-known 4.54:1.
        let c = contrast([0x76, 0x76, 0x76], WHITE);
        assert!((c - 4.54).abs() < 0.01, "{c}");
    }

    #[test]
    fn text_contrast_and_height_come_from_the_pixels() {
        let grey = [0x99, 0x99, 0x99];
        let rgb = frame(WHITE, grey, 10..30);
        let f = Frame { rgb: &rgb, width: 16, height: 40 };
        let m = text_ink(&f, PixelRect { x: 0, y: 0, w: 16, h: 40 }).unwrap();
        assert_eq!((m.ink, m.background, m.ink_height), (grey, WHITE, 20));
        assert!((m.contrast - contrast(grey, WHITE)).abs() < 1e-9 && m.contrast < 3.0, "{m:?}");
    }

    #[test]
    fn a_varied_background_is_judged_by_its_worst_part() {
        // White text over a dark background with a light quarter.
        let (w, h) = (40u32, 20u32);
        let mut rgb = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let p = if (6..14).contains(&y) && (10..30).contains(&x) {
                    WHITE
                } else if x < 30 {
                    [0x20, 0x20, 0x20]
                } else {
                    [0xc0, 0xc0, 0xc0]
                };
                rgb.extend_from_slice(&p);
            }
        }
        let f = Frame { rgb: &rgb, width: w, height: h };
        let m = text_ink(&f, PixelRect { x: 0, y: 0, w, h }).unwrap();
        assert_eq!(m.ink, WHITE);
        assert!(m.contrast < 2.0, "judged against the light quarter: {m:?}");
    }

    #[test]
    fn nothing_drawn_is_contrast_one_and_a_box_off_screen_is_not_measured() {
        let rgb = frame(WHITE, WHITE, 10..30);
        let f = Frame { rgb: &rgb, width: 16, height: 40 };
        let m = text_ink(&f, PixelRect { x: 0, y: 0, w: 16, h: 40 }).unwrap();
        assert_eq!((m.contrast, m.ink_height), (1.0, 0));
        assert_eq!(text_ink(&f, PixelRect { x: 0, y: 39, w: 16, h: 20 }), None);
    }
}
