//! Share codes: `HB-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX`, 24 Crockford base32 symbols, 22 of them
//! random (110 bits from the operating system) and 2 a check on those, read forgivingly and
//! stored only as SHA-256 (the decisions are in `shares.rs`).

use std::fmt;

use sha2::{Digest, Sha256};

use super::{StoreError, hex, random_bytes};

/// Crockford's base32 alphabet (no I, L, O, U).
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Random symbols in a code (5 bits each).
const RANDOM_SYMBOLS: usize = 22;
/// Check symbols after them.
const CHECK_SYMBOLS: usize = 2;
/// Symbols per printed group.
const GROUP: usize = 4;
/// What a printed code starts with.
const PREFIX: &str = "HB";

/// A share code. `Debug` does not show it; [`ShareCode::expose`] gives the printed form.
#[derive(Clone, PartialEq, Eq)]
pub struct ShareCode(String);

impl fmt::Debug for ShareCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ShareCode(<redacted>)")
    }
}

fn check_symbols(random: &str) -> [u8; CHECK_SYMBOLS] {
    let digest = Sha256::digest(format!("hocba-share-check:{random}").as_bytes());
    let (a, b) = (
        digest.first().copied().unwrap_or_default(),
        digest.get(1).copied().unwrap_or_default(),
    );
    [ALPHABET[usize::from(a >> 3)], ALPHABET[usize::from(b >> 3)]]
}

fn decode_symbol(c: char) -> Option<u8> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        c => c,
    };
    ALPHABET
        .iter()
        .position(|&a| char::from(a) == c)
        .and_then(|p| u8::try_from(p).ok())
}

impl ShareCode {
    /// A fresh code: 110 random bits from the operating system and its check symbols.
    pub fn generate() -> Result<ShareCode, StoreError> {
        let bytes = random_bytes::<RANDOM_SYMBOLS>()?;
        // 256 is a multiple of 32: the low five bits of a uniform byte are uniform.
        let random: String = bytes
            .iter()
            .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
            .collect();
        let check = check_symbols(&random);
        let mut canonical = random;
        canonical.extend(check.iter().map(|&c| char::from(c)));
        Ok(ShareCode(canonical))
    }

    /// Reads a code as a person typed it; `None` when it cannot be one (wrong length, a
    /// letter outside the alphabet, a failed check).
    pub fn parse(text: &str) -> Option<ShareCode> {
        let compact: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        let total = RANDOM_SYMBOLS + CHECK_SYMBOLS;
        let body = if compact.len() == total + PREFIX.len()
            && compact
                .get(..PREFIX.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(PREFIX))
        {
            compact.get(PREFIX.len()..)?
        } else {
            compact.as_str()
        };
        if body.chars().count() != total {
            return None;
        }
        let canonical: String = body
            .chars()
            .map(|c| decode_symbol(c).map(|v| char::from(ALPHABET[usize::from(v)])))
            .collect::<Option<String>>()?;
        let (random, check) = canonical.split_at(RANDOM_SYMBOLS);
        (check.as_bytes() == check_symbols(random)).then(|| ShareCode(canonical.clone()))
    }

    /// The printed form, `HB-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX`, to show to its owner once.
    pub fn expose(&self) -> String {
        let groups: Vec<&str> = self
            .0
            .as_bytes()
            .chunks(GROUP)
            .filter_map(|g| std::str::from_utf8(g).ok())
            .collect();
        format!("{PREFIX}-{}", groups.join("-"))
    }

    /// SHA-256 of the canonical form (hex): what is stored, and the per-code limit's key.
    pub fn sha256(&self) -> String {
        hex(&Sha256::digest(
            format!("hocba-share:{}", self.0).as_bytes(),
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn codes_round_trip_and_are_forgiving() {
        let code = ShareCode::generate().unwrap();
        let printed = code.expose();
        assert_eq!(printed.len(), 3 + 24 + 5);
        assert!(printed.starts_with("HB-"));
        assert_eq!(ShareCode::parse(&printed), Some(code.clone()));
        let sloppy = printed
            .to_lowercase()
            .replace('-', " ")
            .replace('0', "o")
            .replace('1', "l");
        assert_eq!(ShareCode::parse(&sloppy), Some(code.clone()));
        assert_eq!(ShareCode::parse(&printed[3..]), Some(code.clone()));
        assert!(!format!("{code:?}").contains(&printed[3..7]));
        assert_ne!(ShareCode::generate().unwrap(), code);
    }

    #[test]
    fn garbled_codes_are_refused() {
        assert_eq!(ShareCode::parse(""), None);
        assert_eq!(ShareCode::parse("HB-"), None);
        assert_eq!(ShareCode::parse("HB-UUUU-UUUU-UUUU-UUUU-UUUU-UUUU"), None);
        let code = ShareCode::generate().unwrap().expose();
        assert_eq!(ShareCode::parse(&code[..code.len() - 1]), None);
        // Change one random symbol: the check catches it unless 1 in 1024.
        let mut caught = 0;
        for _ in 0..50 {
            let code = ShareCode::generate().unwrap().expose();
            let mut bytes = code.into_bytes();
            bytes[3] = if bytes[3] == b'Z' { b'Y' } else { b'Z' };
            if ShareCode::parse(std::str::from_utf8(&bytes).unwrap()).is_none() {
                caught += 1;
            }
        }
        assert!(caught >= 45, "{caught}");
    }
}
