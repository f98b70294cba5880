//! ESC/POS receipts as bytes (design: domain.md §4). The builder never
//! touches a port: it returns the bytes, which the printer thread sends and
//! tests compare with golden files. Chinese text goes as GB18030 (two-byte
//! characters only, which is all a receipt printer's font has); a line
//! holding a character the printer cannot print (a rare village or family
//! name) is drawn into a raster image instead, as is every QR code on a
//! printer without `GS ( k`.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use qrcode::{Color, EcLevel, QrCode};

pub const ESC: u8 = 0x1B;
pub const GS: u8 = 0x1D;
pub const FS: u8 = 0x1C;
pub const DLE: u8 = 0x10;

/// The real-time paper sensor query (`DLE EOT 4`).
pub const PAPER_STATUS_QUERY: [u8; 3] = [DLE, 0x04, 0x04];

/// What a printer model can do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Profile {
    /// Print width in dots: 384 (58 mm) or 576 (80 mm).
    pub width_dots: u16,
    /// Has the GB18030 font (every Chinese-market printer does).
    pub chinese_font: bool,
    /// Understands `GS ( k` QR codes.
    pub native_qr: bool,
    pub cutter: bool,
}

impl Profile {
    /// The common village-station printer: 58 mm, Chinese font, QR, cutter.
    pub const STATION_58MM: Profile =
        Profile { width_dots: 384, chinese_font: true, native_qr: true, cutter: true };

    /// Columns of half-width characters per line (12-dot ASCII font).
    pub fn columns(&self) -> usize {
        usize::from(self.width_dots / 12)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left = 0,
    Centre = 1,
    Right = 2,
}

/// The font text lines are rasterised with: the kiosk's own.
static FONT: &[u8] = include_bytes!("../../kiosk/ui/fonts/NotoSansSC-Regular-subset.otf");
/// Raster text height in dots, the size of the printer's CJK font.
const TEXT_DOTS: f32 = 24.0;
/// QR module size in dots (6 dots = 0.75 mm at 203 dpi: easy for phones).
const QR_MODULE: u8 = 6;

pub struct Receipt {
    profile: Profile,
    bytes: Vec<u8>,
    align: Align,
}

impl Receipt {
    /// A receipt starting from the printer's defaults, in Chinese mode.
    pub fn new(profile: Profile) -> Receipt {
        let mut bytes = vec![ESC, b'@'];
        if profile.chinese_font {
            bytes.extend_from_slice(&[FS, b'&']);
        }
        Receipt { profile, bytes, align: Align::Left }
    }

    pub fn align(&mut self, a: Align) -> &mut Self {
        self.align = a;
        self.bytes.extend_from_slice(&[ESC, b'a', a as u8]);
        self
    }

    pub fn bold(&mut self, on: bool) -> &mut Self {
        self.bytes.extend_from_slice(&[ESC, b'E', u8::from(on)]);
        self
    }

    /// Character size: `w` and `h` times normal (1–8).
    pub fn size(&mut self, w: u8, h: u8) -> &mut Self {
        let n = ((w.clamp(1, 8) - 1) << 4) | (h.clamp(1, 8) - 1);
        self.bytes.extend_from_slice(&[GS, b'!', n]);
        self
    }

    /// One line of text (a line feed after it).
    pub fn line(&mut self, text: &str) -> &mut Self {
        match self.encode(text) {
            Some(encoded) => {
                self.bytes.extend_from_slice(&encoded);
                self.bytes.push(b'\n');
            }
            None => self.raster_text(text),
        }
        self
    }

    /// `label` on the left and `value` on the right of one line, padded by
    /// display width (a Chinese character is two columns).
    pub fn pair(&mut self, label: &str, value: &str) -> &mut Self {
        use unicode_width::UnicodeWidthStr;
        let used = label.width() + value.width();
        let pad = self.profile.columns().saturating_sub(used).max(1);
        self.line(&format!("{label}{}{value}", " ".repeat(pad)))
    }

    /// A rule across the paper.
    pub fn rule(&mut self) -> &mut Self {
        let dashes = "-".repeat(self.profile.columns());
        self.line(&dashes)
    }

    /// A QR code of `data` (a URL: never personal data).
    pub fn qr(&mut self, data: &str) -> &mut Self {
        if self.profile.native_qr {
            let store_len = u16::try_from(data.len() + 3).expect("QR data fits a receipt");
            let [pl, ph] = store_len.to_le_bytes();
            self.bytes.extend_from_slice(&[GS, b'(', b'k', 4, 0, 0x31, 0x41, 0x32, 0]);
            self.bytes.extend_from_slice(&[GS, b'(', b'k', 3, 0, 0x31, 0x43, QR_MODULE]);
            self.bytes.extend_from_slice(&[GS, b'(', b'k', 3, 0, 0x31, 0x45, 0x31]);
            self.bytes.extend_from_slice(&[GS, b'(', b'k', pl, ph, 0x31, 0x50, 0x30]);
            self.bytes.extend_from_slice(data.as_bytes());
            self.bytes.extend_from_slice(&[GS, b'(', b'k', 3, 0, 0x31, 0x51, 0x30]);
            self.bytes.push(b'\n');
        } else if let Ok(code) = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M) {
            let w = code.width();
            let quiet = 4;
            let side = (w + 2 * quiet) * usize::from(QR_MODULE);
            let colors = code.to_colors();
            let bitmap = Bitmap::draw(side, side, |x, y| {
                let (mx, my) = (x / usize::from(QR_MODULE), y / usize::from(QR_MODULE));
                (quiet..w + quiet).contains(&mx)
                    && (quiet..w + quiet).contains(&my)
                    && colors[(my - quiet) * w + (mx - quiet)] == Color::Dark
            });
            self.raster(&bitmap);
        }
        self
    }

    /// Feed `n` lines.
    pub fn feed(&mut self, n: u8) -> &mut Self {
        self.bytes.extend_from_slice(&[ESC, b'd', n]);
        self
    }

    /// Feed past the tear bar and cut (partial cut), or feed to tear.
    pub fn cut(&mut self) -> &mut Self {
        if self.profile.cutter {
            self.bytes.extend_from_slice(&[GS, b'V', 0x42, 3]);
        } else {
            self.feed(4);
        }
        self
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// GB18030 two-byte text, or `None` when a character needs more (or
    /// the printer has no Chinese font and the text is not ASCII).
    fn encode(&self, text: &str) -> Option<Vec<u8>> {
        let clean: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        if !self.profile.chinese_font {
            return clean.is_ascii().then(|| clean.into_bytes());
        }
        let mut out = Vec::with_capacity(clean.len());
        let mut buf = [0u8; 4];
        for c in clean.chars() {
            let (enc, _, unmappable) = encoding_rs::GB18030.encode(c.encode_utf8(&mut buf));
            if unmappable || enc.len() > 2 {
                return None;
            }
            out.extend_from_slice(&enc);
        }
        Some(out)
    }

    /// Draw a line of text with the kiosk's font and send it as an image.
    fn raster_text(&mut self, text: &str) {
        let font = FontRef::try_from_slice(FONT).expect("the kiosk font parses");
        let scaled = font.as_scaled(PxScale::from(TEXT_DOTS));
        let width = usize::from(self.profile.width_dots);
        let height = TEXT_DOTS as usize + 6;
        let mut ink = vec![0f32; width * height];
        let mut caret = 0.0f32;
        for c in text.chars() {
            let mut glyph = scaled.scaled_glyph(c);
            glyph.position = ab_glyph::point(caret, scaled.ascent());
            caret += scaled.h_advance(glyph.id);
            if let Some(outline) = font.outline_glyph(glyph) {
                let b = outline.px_bounds();
                outline.draw(|x, y, c| {
                    let (x, y) = (b.min.x as i32 + x as i32, b.min.y as i32 + y as i32);
                    if (0..width as i32).contains(&x) && (0..height as i32).contains(&y) {
                        ink[y as usize * width + x as usize] += c;
                    }
                });
            }
        }
        let used = (caret.ceil() as usize).clamp(8, width);
        let offset = match self.align {
            Align::Left => 0,
            Align::Centre => (width - used) / 2,
            Align::Right => width - used,
        };
        // Alignment does not move images on every printer: draw it in place.
        let bitmap = Bitmap::draw(width, height, |x, y| {
            x >= offset && x - offset < used && ink[y * width + (x - offset)] > 0.5
        });
        let saved = self.align;
        self.align(Align::Left);
        self.raster(&bitmap);
        self.align(saved);
    }

    /// `GS v 0`: a 1-bit image, rows of bytes, most significant bit left.
    fn raster(&mut self, b: &Bitmap) {
        let [xl, xh] = u16::try_from(b.row_bytes).expect("raster width").to_le_bytes();
        let [yl, yh] = u16::try_from(b.height).expect("raster height").to_le_bytes();
        self.bytes.extend_from_slice(&[GS, b'v', b'0', 0, xl, xh, yl, yh]);
        self.bytes.extend_from_slice(&b.data);
    }
}

/// A 1-bit image packed for `GS v 0`.
pub struct Bitmap {
    pub row_bytes: usize,
    pub height: usize,
    pub data: Vec<u8>,
}

impl Bitmap {
    pub fn draw(width: usize, height: usize, dark: impl Fn(usize, usize) -> bool) -> Bitmap {
        let row_bytes = width.div_ceil(8);
        let mut data = vec![0u8; row_bytes * height];
        for y in 0..height {
            for x in 0..width {
                if dark(x, y) {
                    data[y * row_bytes + x / 8] |= 0x80 >> (x % 8);
                }
            }
        }
        Bitmap { row_bytes, height, data }
    }

    pub fn dark(&self, x: usize, y: usize) -> bool {
        self.data[y * self.row_bytes + x / 8] & (0x80 >> (x % 8)) != 0
    }
}
