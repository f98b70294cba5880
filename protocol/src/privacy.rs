//! Masking of villagers' personal data. Screens, receipts, exports and the
//! data-centre feed show only these forms; the full phone number stays in
//! the hub's store for the call-back and is never put in a QR code.

/// A waybill number as the data centre sees it by default: a keyed hash
/// (HMAC-SHA-256 under the county hub key, first 16 bytes in hex). The same
/// number hashes alike at every kiosk, so a parcel still counts once per
/// direction; without the key nobody can try all numbers to find one (a
/// plain hash of a 15-digit number could be reversed in hours).
pub fn hash_waybill(hub_key: &[u8], waybill: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut m = Hmac::<sha2::Sha256>::new_from_slice(hub_key).expect("HMAC takes keys of any length");
    m.update(b"kh-waybill\0");
    m.update(waybill.as_bytes());
    hex::encode(&m.finalize().into_bytes()[..16])
}

/// A phone number as a kiosk may keep it to recognise it again (one
/// sign-up per phone and session) without holding the number: a keyed hash
/// under the kiosk's own secret, so it cannot be reversed by trying every
/// number, and two kiosks' keys for one phone differ.
pub fn phone_key(secret: &[u8], phone: &str) -> String {
    use hmac::{Hmac, Mac};
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let mut m = Hmac::<sha2::Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    m.update(b"kh-phone\0");
    m.update(digits.as_bytes());
    hex::encode(&m.finalize().into_bytes()[..16])
}

/// Keep the first 3 and last 4 digits: `138****5678`.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(|c| c.is_ascii_digit()).collect();
    if digits.len() < 8 {
        return "*".repeat(digits.len());
    }
    let head: String = digits[..3].iter().collect();
    let tail: String = digits[digits.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(digits.len() - 7))
}

/// The last 4 digits, which a villager types to find their requests.
pub fn phone_tail(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(|c| c.is_ascii_digit()).collect();
    digits[digits.len().saturating_sub(4)..].iter().collect()
}

/// Keep the family name (the first character, or a known two-character
/// compound surname) and mask the rest: `张*`, `欧阳**`. Latin names keep
/// their first letter.
pub fn mask_name(name: &str) -> String {
    const COMPOUND: &[&str] =
        &["欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "夏侯", "长孙"];
    let name = name.trim();
    let chars: Vec<char> = name.chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    let keep = if chars.len() > 2 && COMPOUND.iter().any(|c| name.starts_with(c)) { 2 } else { 1 };
    let kept: String = chars[..keep].iter().collect();
    let hidden = chars.len().saturating_sub(keep).max(1);
    format!("{kept}{}", "*".repeat(hidden))
}

/// Mainland mobile (1[3-9] + 9 digits) or landline with area code.
pub fn check_phone(s: &str) -> Result<(), String> {
    let digits: String = s.chars().filter(|c| *c != '-' && *c != ' ').collect();
    let mobile = digits.len() == 11 && digits.starts_with('1') && matches!(digits.as_bytes()[1], b'3'..=b'9');
    let landline = digits.starts_with('0') && (10..=12).contains(&digits.len());
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !(mobile || landline) {
        return Err(format!(
            "phone {s:?} is neither an 11-digit mobile number nor a landline with area code"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_keep_only_the_ends() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("0715-4321234"), "071****1234");
        assert_eq!(mask_phone("123"), "***");
        assert_eq!(phone_tail("138 1234 5678"), "5678");
        assert_eq!(phone_tail("12"), "12");
        assert!(check_phone("13812345678").is_ok());
        assert!(check_phone("0715-4321234").is_ok());
        assert!(check_phone("12812345678").is_err());
        assert!(check_phone("1381234567").is_err());
    }

    #[test]
    fn names_keep_only_the_family_name() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("王小明"), "王**");
        assert_eq!(mask_name("欧阳娜娜"), "欧阳**");
        assert_eq!(mask_name("欧阳"), "欧*");
        assert_eq!(mask_name("李"), "李*");
        assert_eq!(mask_name(" Li Lei "), "L*****");
        assert_eq!(mask_name(""), "");
    }
}
