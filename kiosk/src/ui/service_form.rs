//! The village station's request form as plain state: the chosen service
//! and village, and a phone number typed on a big keypad.

use protocol::privacy::check_phone;

/// Tongcheng's towns and townships, for one-tap choice: the name the hub
/// stores, and its romanised form for the English screen.
pub const VILLAGES: [(&str, &str); 11] = [
    ("隽水镇", "Juanshui"),
    ("麦市镇", "Maishi"),
    ("塘湖镇", "Tanghu"),
    ("关刀镇", "Guandao"),
    ("沙堆镇", "Shadui"),
    ("五里镇", "Wuli"),
    ("石南镇", "Shinan"),
    ("北港镇", "Beigang"),
    ("马港镇", "Magang"),
    ("四庄乡", "Sizhuang"),
    ("大坪乡", "Daping"),
];

/// A town as shown: its Chinese name, or its romanised one on the English
/// screen; a name not in the list is shown as stored.
pub fn village_label(stored: &str, english: bool) -> &str {
    match VILLAGES.iter().find(|(zh, _)| *zh == stored) {
        Some((_, en)) if english => en,
        _ => stored,
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceForm {
    pub service_id: String,
    pub service_name: String,
    pub is_complaint: bool,
    pub village: String,
    digits: String,
}

impl ServiceForm {
    pub fn start(service_id: &str, service_name: &str, is_complaint: bool) -> ServiceForm {
        ServiceForm {
            service_id: service_id.to_owned(),
            service_name: service_name.to_owned(),
            is_complaint,
            ..ServiceForm::default()
        }
    }

    /// A keypad press: a digit, `back` or `clear`.
    pub fn key(&mut self, k: &str) {
        match k {
            "back" => {
                self.digits.pop();
            }
            "clear" => self.digits.clear(),
            d if d.len() == 1 && d.as_bytes()[0].is_ascii_digit() && self.digits.len() < 12 => {
                self.digits.push_str(d)
            }
            _ => {}
        }
    }

    pub fn phone(&self) -> &str {
        &self.digits
    }

    /// As typed, grouped for reading back: `138 1234 5678`.
    pub fn phone_shown(&self) -> String {
        let d = &self.digits;
        match d.len() {
            0..=3 => d.clone(),
            4..=7 => format!("{} {}", &d[..3], &d[3..]),
            _ => format!("{} {} {}", &d[..3], &d[3..7], &d[7..]),
        }
    }

    pub fn phone_ok(&self) -> bool {
        check_phone(&self.digits).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_keypad_builds_a_checked_number() {
        let mut f = ServiceForm::start("policy", "政策咨询", false);
        for k in "138123456789".chars() {
            f.key(&k.to_string());
        }
        assert_eq!(f.phone(), "138123456789");
        assert!(!f.phone_ok(), "12 digits is not a mobile number");
        f.key("back");
        assert_eq!(f.phone_shown(), "138 1234 5678");
        assert!(f.phone_ok());
        f.key("x");
        f.key("clear");
        assert_eq!(f.phone(), "");
    }
}
