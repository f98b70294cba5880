//! Which characters the kiosk font can draw: printable ASCII, GB2312 (the
//! subset the kiosk font is cut to) and the extra characters listed in
//! `assets/fonts/extra-chars.txt`. Text outside it shows as boxes on screen,
//! so `hub catalog check` warns about it.

use std::collections::HashSet;
use std::sync::OnceLock;

const EXTRA: &str = include_str!("../../../assets/fonts/extra-chars.txt");

fn extra() -> &'static HashSet<char> {
    static SET: OnceLock<HashSet<char>> = OnceLock::new();
    SET.get_or_init(|| {
        EXTRA
            .lines()
            .filter(|l| !l.starts_with('#'))
            .flat_map(|l| l.chars())
            .filter(|c| !c.is_whitespace())
            .collect()
    })
}

/// The characters of GB2312's area of GBK (lead byte 0xA1–0xF7, trail
/// 0xA1–0xFE), decoded once. Asking the GBK encoder per character searches
/// its table linearly: a catalog check spent most of its time there.
fn gb2312() -> &'static HashSet<char> {
    static SET: OnceLock<HashSet<char>> = OnceLock::new();
    SET.get_or_init(|| {
        let mut pairs = Vec::with_capacity(2 * 87 * 94);
        for lead in 0xA1..=0xF7u8 {
            for trail in 0xA1..=0xFEu8 {
                pairs.extend_from_slice(&[lead, trail]);
            }
        }
        let (text, _) = encoding_rs::GBK.decode_without_bom_handling(&pairs);
        text.chars().filter(|&c| c != char::REPLACEMENT_CHARACTER).collect()
    })
}

/// True when `c` is in GB2312 (lead byte 0xA1–0xF7, trail 0xA1–0xFE in GBK).
pub fn in_gb2312(c: char) -> bool {
    gb2312().contains(&c)
}

pub fn kiosk_font_has(c: char) -> bool {
    (' '..='~').contains(&c) || in_gb2312(c) || extra().contains(&c)
}

/// The characters of `text` the kiosk font lacks, in order, without repeats.
pub fn missing_in_font(text: &str) -> Vec<char> {
    let mut seen = Vec::new();
    for c in text.chars() {
        if !kiosk_font_has(c) && !seen.contains(&c) {
            seen.push(c);
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_text_is_covered_and_rare_characters_are_not() {
        assert!(missing_in_font("通城县黄袍山油茶 500ml/瓶，¥68").is_empty());
        assert_eq!(missing_in_font("㮾下村"), vec!['㮾']);
        assert_eq!(missing_in_font("😀"), vec!['😀']);
    }

    /// The decoded set answers as the GBK encoder does, over every CJK
    /// ideograph, the symbols and full-width forms, and the private use area.
    /// The one difference is on purpose: a private-use code point that the
    /// encoder also maps onto bytes which decode to another character (the
    /// vertical forms, U+E78E and U+FE10 alike) is not in the set; the font
    /// has no glyph for it.
    #[test]
    fn the_set_agrees_with_the_encoder() {
        let by_encoder = |c: char| {
            let mut buf = [0u8; 4];
            let (bytes, _, unmappable) = encoding_rs::GBK.encode(c.encode_utf8(&mut buf));
            let (back, _) = encoding_rs::GBK.decode_without_bom_handling(&bytes);
            !unmappable
                && bytes.len() == 2
                && (0xA1..=0xF7).contains(&bytes[0])
                && (0xA1..=0xFE).contains(&bytes[1])
                && back.chars().eq([c])
        };
        let ranges =
            [0x00A0..0x0500, 0x2000..0x2700, 0x3000..0x3100, 0x4E00..0xA000, 0xE000..0xE800, 0xFE30..0xFFF0];
        let chars = ranges.into_iter().flatten().step_by(3).filter_map(char::from_u32);
        let mut checked = 0;
        for c in chars {
            assert_eq!(in_gb2312(c), by_encoder(c), "{c:?} U+{:04X}", c as u32);
            checked += 1;
        }
        assert!(checked > 8_000);
        assert!(gb2312().len() > 7_000, "GB2312 has 7,445 characters");
    }
}
