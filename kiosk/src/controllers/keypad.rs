//! The on-screen keypads and keyboard: every one sends a character, `back`
//! or `clear`, and fills a field up to its length.

/// Apply key `k` to `field`: a character `accept` allows (while the field
/// is shorter than `max`), `back` or `clear`. Returns false for a key that
/// changes nothing.
pub fn press(field: &mut String, k: &str, max: usize, accept: fn(char) -> bool) -> bool {
    match k {
        "back" => field.pop().is_some(),
        "clear" => {
            let had = !field.is_empty();
            field.clear();
            had
        }
        k => {
            let mut chars = k.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if accept(c) && field.chars().count() < max => {
                    field.push(c);
                    true
                }
                _ => false,
            }
        }
    }
}

/// For number pads.
pub fn digit(c: char) -> bool {
    c.is_ascii_digit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_fills_to_its_length_and_empties() {
        let mut f = String::new();
        assert!(press(&mut f, "1", 2, digit) && press(&mut f, "2", 2, digit));
        assert!(!press(&mut f, "3", 2, digit), "full");
        assert!(!press(&mut f, "x", 5, digit) && !press(&mut f, "12", 5, digit));
        assert!(press(&mut f, "back", 2, digit));
        assert_eq!(f, "1");
        assert!(press(&mut f, "clear", 2, digit) && !press(&mut f, "clear", 2, digit));
    }
}
