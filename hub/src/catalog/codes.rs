//! Check digits and identifier formats: GS1 keys (GTIN), 统一社会信用代码
//! (USCC), county trace codes, lots.

/// The GS1 mod-10 check digit for `body` (digits only): weights 3,1,3,…
/// from the right.
pub fn gs1_check_digit(body: &str) -> Option<u8> {
    let mut sum = 0u32;
    for (i, c) in body.chars().rev().enumerate() {
        let d = c.to_digit(10)?;
        sum += d * if i % 2 == 0 { 3 } else { 1 };
    }
    Some(((10 - sum % 10) % 10) as u8)
}

/// Validate a GTIN-8/12/13/14 and return it as GTIN-14.
pub fn normalize_gtin(s: &str) -> Result<String, String> {
    if !s.chars().all(|c| c.is_ascii_digit()) || ![8, 12, 13, 14].contains(&s.len()) {
        return Err(format!("GTIN {s:?} must be 8, 12, 13 or 14 digits"));
    }
    let (body, check) = s.split_at(s.len() - 1);
    let want = gs1_check_digit(body).expect("digits");
    if check != want.to_string() {
        return Err(format!("GTIN {s:?} has check digit {check}, but its digits give {want}"));
    }
    Ok(format!("{s:0>14}"))
}

/// Lots we issue: `[0-9A-Z-]{1,20}`, so they never need percent-encoding in
/// a GS1 Digital Link path (AI 10 allows up to 20 characters).
pub fn check_lot(s: &str) -> Result<(), String> {
    if s.is_empty()
        || s.len() > 20
        || !s.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b == b'-')
    {
        return Err(format!("lot {s:?} must be 1–20 characters of 0-9, A-Z and '-'"));
    }
    Ok(())
}

const USCC_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// The check character of a USCC's first 17 characters (mod 31).
fn uscc_check_char(body17: &[u32]) -> char {
    let sum: u32 = body17.iter().zip(USCC_WEIGHTS).map(|(v, w)| v * w).sum();
    USCC_CHARS.as_bytes()[((31 - sum % 31) % 31) as usize] as char
}

/// 统一社会信用代码 (GB 32100-2015): 18 characters, the last a mod-31 check.
pub fn check_uscc(s: &str) -> Result<(), String> {
    let vals: Option<Vec<u32>> = s.chars().map(|c| USCC_CHARS.find(c).map(|i| i as u32)).collect();
    let vals = vals.filter(|v| v.len() == 18).ok_or_else(|| {
        format!("统一社会信用代码 {s:?} must be 18 characters of 0-9 and A-Y (no I, O, S, V, Z)")
    })?;
    let want = uscc_check_char(&vals[..17]);
    if s.chars().nth(17) != Some(want) {
        return Err(format!(
            "统一社会信用代码 {s:?} has check character {}, but its characters give {want}",
            &s[17..]
        ));
    }
    Ok(())
}

/// County trace code for batches without a GTIN (NY/T 1431 idea): 6-digit
/// county code, `yyMMdd` production date, 4-digit serial, GS1 check digit.
pub fn check_trace_code(code: &str, county: &str, yymmdd: &str) -> Result<(), String> {
    if code.len() != 17 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("trace code {code:?} must be 17 digits: county(6) date(6) serial(4) check(1)"));
    }
    if &code[..6] != county {
        return Err(format!(
            "trace code {code:?} starts with county {}, but the catalog's county_code is {county}",
            &code[..6]
        ));
    }
    if &code[6..12] != yymmdd {
        return Err(format!(
            "trace code {code:?} has date {}, but the batch's production date is {yymmdd}",
            &code[6..12]
        ));
    }
    let want = gs1_check_digit(&code[..16]).expect("digits");
    if code.as_bytes()[16] - b'0' != want {
        return Err(format!(
            "trace code {code:?} has check digit {}, but its digits give {want}",
            &code[16..]
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gs1_check_digits_of_published_examples() {
        assert_eq!(gs1_check_digit("690123456789"), Some(2));
        assert_eq!(gs1_check_digit("890400021003"), Some(7));
        assert_eq!(gs1_check_digit("0950600013435"), Some(2));
        assert_eq!(normalize_gtin("6901234567892").unwrap(), "06901234567892");
        assert!(normalize_gtin("6901234567893").unwrap_err().contains("check digit 3"));
        assert!(normalize_gtin("69012345").is_err());
    }

    #[test]
    fn uscc_roundtrip_and_known_code() {
        // Published codes validate; one changed character does not.
        assert!(check_uscc("91330100799655058B").is_ok());
        assert!(check_uscc("91110000710931141J").is_ok());
        assert!(check_uscc("91330100799655058C").is_err());
        assert!(check_uscc("91330100799655O58B").is_err(), "O is not in the alphabet");
        let body: Vec<u32> =
            "91421222MA4F00001".chars().map(|c| USCC_CHARS.find(c).unwrap() as u32).collect();
        assert!(check_uscc(&format!("91421222MA4F00001{}", uscc_check_char(&body))).is_ok());
    }

    #[test]
    fn trace_codes() {
        let body = "4212222409150001";
        let code = format!("{body}{}", gs1_check_digit(body).unwrap());
        assert!(check_trace_code(&code, "421222", "240915").is_ok());
        assert!(check_trace_code(&code, "421223", "240915").is_err());
        assert!(check_trace_code(&code, "421222", "240916").is_err());
    }
}
