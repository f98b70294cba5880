//! Which carrier a scanned express waybill number belongs to (design:
//! domain.md §2.2). Rules come from a data file
//! (`assets/peripherals/carriers.toml`) so that carriers' changes need no
//! rebuild. A lettered prefix names one carrier; a pure-digit number may fit
//! several, and the keeper's one-tap answer is remembered by the caller.

use regex::Regex;
use serde::Deserialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    carrier: String,
    pattern: String,
    confidence: Confidence,
    #[serde(default)]
    check: Option<String>,
}

struct Rule {
    carrier: String,
    pattern: Regex,
    confidence: Confidence,
    s10: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("carrier rules: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("carrier rule {index} ({carrier}): {message}")]
    Rule { index: usize, carrier: String, message: String },
}

/// What a scan is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scan {
    /// A waybill: candidate carriers, most likely first (empty: unknown
    /// carrier, the keeper picks one).
    Waybill { number: String, carriers: Vec<(String, Confidence)> },
    /// Not a waybill, but something a keeper may scan by mistake.
    NotWaybill(NotWaybill),
}

/// What a scanned code was instead of a waybill number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotWaybill {
    /// A mobile number (printed near the waybill on many labels).
    PhoneNumber,
    /// A product's own barcode (EAN-13 from China, `69…`).
    ProductBarcode,
    /// A sorting centre's three-part code (`310-A12-03`).
    SortCode,
}

pub struct Carriers {
    rules: Vec<Rule>,
}

/// The rules shipped with the kiosk.
pub const DEFAULT_RULES: &str = include_str!("../../assets/peripherals/carriers.toml");

impl Carriers {
    pub fn parse(text: &str) -> Result<Carriers, RulesError> {
        let file: RuleFile = toml::from_str(text)?;
        let rules = file
            .rule
            .into_iter()
            .enumerate()
            .map(|(index, r)| {
                let bad = |message: String| RulesError::Rule {
                    index: index + 1,
                    carrier: r.carrier.clone(),
                    message,
                };
                let pattern = Regex::new(&r.pattern).map_err(|e| bad(e.to_string()))?;
                let s10 = match r.check.as_deref() {
                    None => false,
                    Some("s10") => true,
                    Some(other) => return Err(bad(format!("unknown check {other:?}"))),
                };
                Ok(Rule { carrier: r.carrier, pattern, confidence: r.confidence, s10 })
            })
            .collect::<Result<_, _>>()?;
        Ok(Carriers { rules })
    }

    /// Every carrier named by the rules, in file order, once each.
    pub fn names(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in &self.rules {
            if !out.contains(&r.carrier) {
                out.push(r.carrier.clone());
            }
        }
        out
    }

    pub fn shipped() -> Carriers {
        Carriers::parse(DEFAULT_RULES).expect("the shipped carrier rules parse")
    }

    /// Classify a scan (already stripped of its AIM prefix).
    pub fn classify(&self, scanned: &str) -> Scan {
        let number: String = scanned.trim().to_uppercase().chars().filter(|c| !c.is_whitespace()).collect();
        if number.contains('-') {
            return Scan::NotWaybill(NotWaybill::SortCode);
        }
        let digits = number.bytes().all(|b| b.is_ascii_digit());
        if digits
            && number.len() == 11
            && number.starts_with('1')
            && matches!(number.as_bytes()[1], b'3'..=b'9')
        {
            return Scan::NotWaybill(NotWaybill::PhoneNumber);
        }
        if digits && number.len() == 13 && number.starts_with("69") && gtin_ok(&number) {
            return Scan::NotWaybill(NotWaybill::ProductBarcode);
        }
        let mut carriers: Vec<(String, Confidence)> = Vec::new();
        for rule in &self.rules {
            if rule.pattern.is_match(&number)
                && (!rule.s10 || s10_ok(&number))
                && !carriers.iter().any(|(c, _)| *c == rule.carrier)
            {
                carriers.push((rule.carrier.clone(), rule.confidence));
            }
        }
        // One confident answer stands alone; otherwise most likely first.
        if let Some(high) = carriers.iter().find(|(_, c)| *c == Confidence::High).cloned() {
            carriers = vec![high];
        }
        carriers.sort_by_key(|(_, c)| std::cmp::Reverse(*c));
        Scan::Waybill { number, carriers }
    }
}

/// The GS1 check digit of a GTIN (the last digit).
fn gtin_ok(code: &str) -> bool {
    let d: Vec<u32> = code.bytes().map(|b| u32::from(b - b'0')).collect();
    let Some((check, body)) = d.split_last() else { return false };
    let sum: u32 = body.iter().rev().enumerate().map(|(i, v)| if i % 2 == 0 { v * 3 } else { *v }).sum();
    (10 - sum % 10) % 10 == *check
}

/// The UPU S10 check digit: weights 8 6 4 2 3 5 9 7 on the eight serial
/// digits; 11 − sum mod 11, with 10 → 0 and 11 → 5.
fn s10_ok(code: &str) -> bool {
    let b = code.as_bytes();
    if b.len() != 13 {
        return false;
    }
    let serial = &b[2..10];
    let sum: u32 = serial.iter().zip([8, 6, 4, 2, 3, 5, 9, 7]).map(|(c, w)| u32::from(c - b'0') * w).sum();
    let check = match 11 - sum % 11 {
        10 => 0,
        11 => 5,
        c => c,
    };
    u32::from(b[10] - b'0') == check
}

#[cfg(test)]
mod tests {
    use super::*;

    fn carriers(scan: Scan) -> Vec<String> {
        match scan {
            Scan::Waybill { carriers, .. } => carriers.into_iter().map(|(c, _)| c).collect(),
            other => panic!("not a waybill: {other:?}"),
        }
    }

    #[test]
    fn lettered_numbers_name_one_carrier() {
        let c = Carriers::shipped();
        assert_eq!(carriers(c.classify("SF1234567890123")), ["顺丰"]);
        assert_eq!(carriers(c.classify(" jdva11408814483 ")), ["京东"]);
        assert_eq!(carriers(c.classify("JT1234567890123")), ["极兔"]);
        assert_eq!(carriers(c.classify("YT1234567890123")), ["圆通"]);
        assert_eq!(carriers(c.classify("YT2212345678901234")), ["云途"], "YT + 16 digits is YunExpress");
    }

    #[test]
    fn ems_numbers_are_checked() {
        let c = Carriers::shipped();
        // 47312482 → check digit 9 (the worked example).
        assert_eq!(carriers(c.classify("EA473124829CN")), ["中国邮政"]);
        assert!(carriers(c.classify("EA473124828CN")).is_empty(), "a wrong check digit names no carrier");
    }

    #[test]
    fn pure_digit_numbers_give_candidates_most_likely_first() {
        let c = Carriers::shipped();
        assert_eq!(carriers(c.classify("73123456789012")), ["中通"]);
        assert_eq!(carriers(c.classify("773123456789012")), ["申通", "韵达"]);
        assert_eq!(carriers(c.classify("123456789012")), ["顺丰", "中通"]);
    }

    #[test]
    fn phones_product_barcodes_and_sort_codes_are_not_waybills() {
        let c = Carriers::shipped();
        assert_eq!(c.classify("13812345678"), Scan::NotWaybill(NotWaybill::PhoneNumber));
        assert_eq!(c.classify("6901234567892"), Scan::NotWaybill(NotWaybill::ProductBarcode));
        assert_eq!(c.classify("310-A12-03"), Scan::NotWaybill(NotWaybill::SortCode));
        // A 69… number whose GS1 check digit is wrong may still be a waybill.
        assert!(matches!(c.classify("6901234567891"), Scan::Waybill { .. }));
    }

    #[test]
    fn a_bad_rule_file_says_which_rule() {
        let err = Carriers::parse("[[rule]]\ncarrier = \"X\"\npattern = \"(\"\nconfidence = \"high\"\n")
            .err()
            .unwrap();
        assert!(err.to_string().starts_with("carrier rule 1 (X):"), "{err}");
        assert!(
            Carriers::parse("[[rule]]\ncarrier = \"X\"\npattern = \"x\"\nconfidence = \"sure\"\n").is_err()
        );
    }
}
