//! The project's limits on signed JSON, checked with a JSON pointer to the offending place:
//! numbers within ±(2^53−1) and every string in Unicode NFC (plus NFC normalisation).

use serde_json::Value;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use super::MAX_SAFE_INTEGER;
use crate::error::{SchemaError, shorten};

/// Check the project's limits on signed JSON: numbers within ±(2^53−1) and strings (keys too) in
/// NFC. Returns the first offending place with its JSON pointer.
pub fn check_signable(value: &Value) -> Result<(), SchemaError> {
    let mut pointer = String::new();
    check_at(value, &mut pointer)
}

/// Only the number limit of [`check_signable`] (for text already NFC-normalised). Walks without
/// building pointers unless something is wrong.
pub fn check_numbers(value: &Value) -> Result<(), SchemaError> {
    fn ok(value: &Value) -> bool {
        match value {
            Value::Number(n) => number_in_range(n),
            Value::Array(items) => items.iter().all(ok),
            Value::Object(map) => map.values().all(ok),
            _ => true,
        }
    }
    if ok(value) {
        Ok(())
    } else {
        check_signable(value)
    }
}

pub(super) fn number_in_range(n: &serde_json::Number) -> bool {
    if let Some(u) = n.as_u64() {
        u <= MAX_SAFE_INTEGER
    } else if let Some(i) = n.as_i64() {
        i.unsigned_abs() <= MAX_SAFE_INTEGER
    } else {
        n.as_f64()
            .is_some_and(|f| f.is_finite() && f.abs() <= MAX_SAFE_INTEGER as f64)
    }
}

pub(super) fn check_at(value: &Value, pointer: &mut String) -> Result<(), SchemaError> {
    match value {
        Value::Number(n) => check_number(n, pointer),
        Value::String(s) => check_nfc(s, pointer),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                check_at(item, pointer)?;
                pointer.truncate(len);
            }
            Ok(())
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = pointer.len();
                pointer.push('/');
                push_escaped(pointer, key);
                check_nfc(key, pointer)?;
                check_at(item, pointer)?;
                pointer.truncate(len);
            }
            Ok(())
        }
        Value::Null | Value::Bool(_) => Ok(()),
    }
}

pub(super) fn check_number(n: &serde_json::Number, pointer: &str) -> Result<(), SchemaError> {
    if number_in_range(n) {
        Ok(())
    } else {
        Err(SchemaError::NumberOutOfRange {
            pointer: pointer.to_owned(),
            value: n.to_string(),
        })
    }
}

pub(super) fn check_nfc(s: &str, pointer: &str) -> Result<(), SchemaError> {
    if is_nfc(s) {
        Ok(())
    } else {
        Err(SchemaError::NotNfc {
            pointer: pointer.to_owned(),
            value: shorten(s),
        })
    }
}

/// Whether `s` is in NFC (fast for ASCII and for already-composed Vietnamese).
pub fn is_nfc(s: &str) -> bool {
    // Fast path: every character below U+0300 (Latin-1, Latin Extended-A/B, IPA, spacing
    // modifiers) and every precomposed letter of Latin Extended Additional (U+1E00–U+1EFF,
    // where Vietnamese letters with two marks live) is NFC on its own and starts no
    // composition. Text made only of them (nearly all Vietnamese) needs no table lookups.
    if nfc_fast(s.as_bytes()) {
        return true;
    }
    match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => true,
        IsNormalized::No => false,
        IsNormalized::Maybe => s.nfc().eq(s.chars()),
    }
}

/// [`nfc_on_its_own`] for every character, on the UTF-8 bytes: lead bytes below 0xCC encode
/// U+0000–U+02FF, and `E1 B8..=BB xx` encodes U+1E00–U+1EFF.
pub(super) fn nfc_fast(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
        } else if (0xC2..0xCC).contains(&b) {
            i += 2;
        } else if b == 0xE1 && matches!(bytes.get(i + 1), Some(0xB8..=0xBB)) {
            i += 3;
        } else {
            return false;
        }
    }
    true
}

/// Characters that are NFC whatever stands around them, with canonical combining class 0
/// (checked against the full tables by a test).
#[cfg(test)]
pub(super) fn nfc_on_its_own(c: char) -> bool {
    (c as u32) < 0x300 || ('\u{1E00}'..='\u{1EFF}').contains(&c)
}

/// Rewrite every string (and object key) of `value` in NFC, in place.
pub fn normalize_nfc(value: &mut Value) {
    match value {
        Value::String(s) => {
            if !is_nfc(s) {
                *s = s.nfc().collect();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize_nfc),
        Value::Object(map) => {
            if map.keys().any(|k| !is_nfc(k)) {
                let old = std::mem::take(map);
                for (k, mut v) in old {
                    normalize_nfc(&mut v);
                    map.insert(k.nfc().collect(), v);
                }
            } else {
                map.values_mut().for_each(normalize_nfc);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Append `key` to a JSON pointer with `~` and `/` escaped (RFC 6901).
pub fn push_escaped(pointer: &mut String, key: &str) {
    for c in key.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}
