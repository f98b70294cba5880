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

/// True when `c` is in GB2312 (lead byte 0xA1–0xF7, trail 0xA1–0xFE in GBK).
pub fn in_gb2312(c: char) -> bool {
    let mut buf = [0u8; 4];
    let s = c.encode_utf8(&mut buf);
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(s);
    !unmappable && bytes.len() == 2 && (0xA1..=0xF7).contains(&bytes[0]) && (0xA1..=0xFE).contains(&bytes[1])
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
}
