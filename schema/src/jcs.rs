//! RFC 8785 JSON Canonicalization Scheme, plus the limits this project puts on signed JSON:
//! every number within ±(2^53−1) (so it survives any JSON parser) and every string in Unicode
//! NFC (so the same visible text always has the same bytes).

pub mod scan;

use serde_json::Value;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use crate::error::{SchemaError, shorten};

/// Largest integer that every JSON parser represents exactly (2^53 − 1).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Canonical bytes of `value` (RFC 8785), checking the project's limits on the way: a number
/// beyond ±(2^53−1) or not finite, or a string that is not NFC, is an error naming its place.
pub fn canonical_bytes(value: &Value) -> Result<Vec<u8>, SchemaError> {
    let mut out = Vec::with_capacity(4096);
    write_canonical(value, &mut out)?;
    Ok(out)
}

/// Pure RFC 8785 canonical bytes, without this project's limits (numbers beyond 2^53 are
/// written as the nearest double, any Unicode is kept). Used to check against the RFC's own
/// examples; signed documents go through [`canonical_bytes`].
pub fn rfc8785_bytes(value: &Value) -> Result<Vec<u8>, SchemaError> {
    let mut out = Vec::with_capacity(1024);
    if write_value::<false>(value, &mut out) {
        Ok(out)
    } else {
        Err(SchemaError::Canonicalize("a number is not finite".into()))
    }
}

/// [`rfc8785_bytes`] of an object given as a map.
pub fn rfc8785_object_bytes(map: &serde_json::Map<String, Value>) -> Result<Vec<u8>, SchemaError> {
    let mut out = Vec::with_capacity(4096);
    if write_object::<false>(map, &mut out) {
        Ok(out)
    } else {
        Err(SchemaError::Canonicalize("a number is not finite".into()))
    }
}

/// Canonical bytes of `map` (checked as [`canonical_bytes`]) together with the slot where a
/// member named `key` (not in `map`) belongs, so that a signer can add the proof to the bytes it
/// has just hashed instead of serialising the whole document again ([`Slot::insert`]).
pub fn canonical_object_with_slot(
    map: &serde_json::Map<String, Value>,
    key: &str,
) -> Result<(Vec<u8>, Slot), SchemaError> {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    if map.keys().any(|k| has_high_chars(k)) || has_high_chars(key) {
        entries.sort_unstable_by(|a, b| utf16_order(a.0, b.0));
    }
    let mut out = Vec::with_capacity(4096);
    out.push(b'{');
    let mut slot = None;
    let mut ok = true;
    for (i, (k, v)) in entries.iter().enumerate() {
        if slot.is_none() && utf16_order(k, key) == std::cmp::Ordering::Greater {
            slot = Some(Slot {
                offset: out.len(),
                before: i > 0,
                after: i == 0,
            });
        }
        if i > 0 {
            out.push(b',');
        }
        ok &= write_string::<true>(k, &mut out);
        out.push(b':');
        ok &= write_value::<true>(v, &mut out);
    }
    let slot = slot.unwrap_or(Slot {
        offset: out.len(),
        before: !entries.is_empty(),
        after: false,
    });
    out.push(b'}');
    if ok {
        Ok((out, slot))
    } else {
        let mut scratch = Vec::new();
        write_canonical_object(map, &mut scratch)?;
        Err(SchemaError::Canonicalize("unrepresentable value".into()))
    }
}

/// Where a member goes in canonical object bytes (see [`canonical_object_with_slot`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    offset: usize,
    before: bool,
    after: bool,
}

impl Slot {
    /// `bytes` with `"key":member` inserted at this slot (`member` already canonical).
    pub fn insert(&self, bytes: &[u8], key: &str, member: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes.len() + key.len() + member.len() + 4);
        out.extend_from_slice(&bytes[..self.offset]);
        if self.before {
            out.push(b',');
        }
        write_string::<false>(key, &mut out);
        out.push(b':');
        out.extend_from_slice(member);
        if self.after {
            out.push(b',');
        }
        out.extend_from_slice(&bytes[self.offset..]);
        out
    }
}

/// Append the canonical form of `value` to `out` (see [`canonical_bytes`]).
pub fn write_canonical(value: &Value, out: &mut Vec<u8>) -> Result<(), SchemaError> {
    if write_value::<true>(value, out) {
        Ok(())
    } else {
        // The fast path only knows that something is wrong; find where, for the message.
        Err(check_signable(value)
            .err()
            .unwrap_or_else(|| SchemaError::Canonicalize("unrepresentable value".into())))
    }
}

/// Canonical bytes of a JSON object given as a map (no clone into a `Value`).
pub fn write_canonical_object(
    map: &serde_json::Map<String, Value>,
    out: &mut Vec<u8>,
) -> Result<(), SchemaError> {
    if write_object::<true>(map, out) {
        Ok(())
    } else {
        let mut pointer = String::new();
        for (key, item) in map {
            pointer.clear();
            pointer.push('/');
            push_escaped(&mut pointer, key);
            check_nfc(key, &pointer)?;
            check_at(item, &mut pointer)?;
        }
        Err(SchemaError::Canonicalize("unrepresentable value".into()))
    }
}

/// Writes `value`; false when a limit is broken (nothing else can fail).
fn write_value<const CHECK: bool>(value: &Value, out: &mut Vec<u8>) -> bool {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => return write_number::<CHECK>(n, out),
        Value::String(s) => return write_string::<CHECK>(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                if !write_value::<CHECK>(item, out) {
                    return false;
                }
            }
            out.push(b']');
        }
        Value::Object(map) => return write_object::<CHECK>(map, out),
    }
    true
}

fn write_object<const CHECK: bool>(
    map: &serde_json::Map<String, Value>,
    out: &mut Vec<u8>,
) -> bool {
    out.push(b'{');
    // serde_json's map iterates in byte order, which is RFC 8785's UTF-16 order unless a key
    // holds a character at or above U+E000; only then are the members sorted again.
    let ok = if map.keys().any(|k| has_high_chars(k)) {
        let mut entries: Vec<(&String, &Value)> = map.iter().collect();
        entries.sort_unstable_by(|a, b| utf16_order(a.0, b.0));
        write_members::<CHECK>(entries.into_iter(), out)
    } else {
        write_members::<CHECK>(map.iter(), out)
    };
    out.push(b'}');
    ok
}

fn write_members<'a, const CHECK: bool>(
    members: impl Iterator<Item = (&'a String, &'a Value)>,
    out: &mut Vec<u8>,
) -> bool {
    for (i, (key, item)) in members.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if !write_string::<CHECK>(key, out) {
            return false;
        }
        out.push(b':');
        if !write_value::<CHECK>(item, out) {
            return false;
        }
    }
    true
}

fn has_high_chars(s: &str) -> bool {
    s.bytes().any(|c| c >= 0xEE)
}

/// RFC 8785 sorts member names by their UTF-16 code units. UTF-8 byte order is the same as
/// code point order, which differs from UTF-16 order only for characters at or above U+E000
/// (lead bytes 0xEE and up); only then is the slower comparison needed.
fn utf16_order(a: &str, b: &str) -> std::cmp::Ordering {
    if has_high_chars(a) || has_high_chars(b) {
        a.encode_utf16().cmp(b.encode_utf16())
    } else {
        a.as_bytes().cmp(b.as_bytes())
    }
}

fn write_number<const CHECK: bool>(n: &serde_json::Number, out: &mut Vec<u8>) -> bool {
    if !CHECK
        && n.as_f64()
            .is_some_and(|f| f.abs() > MAX_SAFE_INTEGER as f64)
    {
        // Pure RFC 8785: a large integer is written as the double JavaScript would hold.
        return n.as_f64().is_some_and(|f| {
            out.extend_from_slice(ryu_js::Buffer::new().format(f).as_bytes());
            f.is_finite()
        });
    }
    if let Some(u) = n.as_u64() {
        if u > MAX_SAFE_INTEGER {
            return false;
        }
        out.extend_from_slice(itoa::Buffer::new().format(u).as_bytes());
    } else if let Some(i) = n.as_i64() {
        if i.unsigned_abs() > MAX_SAFE_INTEGER {
            return false;
        }
        out.extend_from_slice(itoa::Buffer::new().format(i).as_bytes());
    } else {
        let Some(f) = n.as_f64().filter(|f| f.is_finite()) else {
            return false;
        };
        if f.abs() > MAX_SAFE_INTEGER as f64 {
            return false;
        }
        // ECMAScript Number::toString, as RFC 8785 §3.2.2.3 requires.
        if !write_short_decimal(f, out) {
            out.extend_from_slice(ryu_js::Buffer::new().format_finite(f).as_bytes());
        }
    }
    true
}

/// Write `f` as ECMAScript does when it is a whole number or has one or two decimals (marks
/// and averages: 8.5, 7.25), without the general shortest-digits algorithm; false otherwise.
///
/// Why this is ECMAScript's form: below 10^13 such a decimal `d` has at most 15 significant
/// digits. When `d` rounds to `f` (checked: `m / scale` is the correctly rounded value of `d`),
/// no other decimal of at most 15 digits does (any two of them are distinct doubles), so none
/// shorter does and `d` is the shortest round trip; and from 0.01 up ECMAScript writes it
/// without an exponent. A trailing zero would make it not the shortest, and is refused.
fn write_short_decimal(f: f64, out: &mut Vec<u8>) -> bool {
    if f.abs() >= 1e13 {
        return false;
    }
    for (scale, digits) in [(1.0, 0u32), (10.0, 1), (100.0, 2)] {
        let m = (f * scale).round();
        if m / scale != f {
            continue;
        }
        let m = m as i64;
        let pow = 10u64.pow(digits);
        let frac = m.unsigned_abs() % pow;
        if digits > 0 && frac.is_multiple_of(10) {
            return false;
        }
        if m < 0 {
            out.push(b'-');
        }
        out.extend_from_slice(
            itoa::Buffer::new()
                .format(m.unsigned_abs() / pow)
                .as_bytes(),
        );
        if digits > 0 {
            out.push(b'.');
            if digits == 2 && frac < 10 {
                out.push(b'0');
            }
            out.extend_from_slice(itoa::Buffer::new().format(frac).as_bytes());
        }
        return true;
    }
    false
}

/// A JSON string as RFC 8785 §3.2.2.2 writes it: only quote, backslash and control characters are
/// escaped (the short forms where JSON has them, else `\u00xx` in lowercase hex).
fn write_string<const CHECK: bool>(s: &str, out: &mut Vec<u8>) -> bool {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // One pass over the bytes does both jobs: find what must be escaped and, when checking,
    // confirm NFC by the fast rule of `nfc_fast`; anything that rule cannot settle falls back
    // to the full check once.
    let mut start = 0;
    let mut i = 0;
    let mut slow_nfc = false;
    while i < bytes.len() {
        // Eight quiet bytes at a time: printable ASCII (keys, codes, dates, URLs) and the
        // one-mark Vietnamese letters between them.
        while i + 8 <= bytes.len() && quiet8(&bytes[i..i + 8]) {
            i += 8;
        }
        if i >= bytes.len() {
            break;
        }
        let c = bytes[i];
        match BYTE_CLASS[usize::from(c)] {
            PLAIN => i += 1,
            LEAD_E1 => {
                if !matches!(bytes.get(i + 1), Some(0xB8..=0xBB)) {
                    slow_nfc = true;
                }
                i += 1; // its continuation bytes are quiet
            }
            OTHER => {
                slow_nfc = true;
                i += 1;
            }
            _ => {
                out.extend_from_slice(&bytes[start..i]);
                write_escape(c, out);
                i += 1;
                start = i;
            }
        }
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
    !(CHECK && slow_nfc && !is_nfc(s))
}

/// Whether all eight bytes are [`PLAIN`] (SWAR test): printable ASCII other than `"` and
/// `\\`, or a byte 0x80–0xCB of a UTF-8 sequence.
fn quiet8(chunk: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut b = [0u8; 8];
    b.copy_from_slice(chunk);
    let x = u64::from_le_bytes(b);
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH != 0;
    let high = x & HIGH;
    let low = x & !HIGH; // each byte's low seven bits: the sums below stay within their byte
    // 0xCC and up: high bit set and low bits at least 0x4C.
    let at_least_cc = high & (low + 0x34 * ONES);
    // Below 0x20: high bit clear and low bits below 0x20.
    let control = !high & !(low + 0x60 * ONES) & HIGH;
    at_least_cc == 0
        && control == 0
        && !has_zero(x ^ (b'"' as u64 * ONES))
        && !has_zero(x ^ (b'\\' as u64 * ONES))
}

const PLAIN: u8 = 0;
const ESCAPE: u8 = 1;
const LEAD_E1: u8 = 3;
const OTHER: u8 = 4;

/// What each byte of a UTF-8 string means to [`write_string`]: printable ASCII is copied;
/// control characters, quote and backslash are escaped; lead bytes 0xC2–0xCB (U+0080–U+02FF)
/// and continuation bytes are plain too, as U+0080–U+02FF are NFC on their own; 0xE1 is NFC on
/// its own when followed by 0xB8–0xBB (U+1E00–U+1EFF); any other lead byte needs the full NFC
/// check. (The input is valid UTF-8, so a continuation byte always follows a lead byte that was
/// classified.)
static BYTE_CLASS: [u8; 256] = {
    let mut t = [OTHER; 256];
    let mut b = 0;
    while b < 0x80 {
        t[b] = if b < 0x20 || b == b'"' as usize || b == b'\\' as usize {
            ESCAPE
        } else {
            PLAIN
        };
        b += 1;
    }
    let mut b = 0x80;
    while b < 0xCC {
        // 0xC0 and 0xC1 never occur in UTF-8.
        t[b] = PLAIN;
        b += 1;
    }
    t[0xE1] = LEAD_E1;
    t
};

fn write_escape(c: u8, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match c {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\t' => out.extend_from_slice(b"\\t"),
        0x08 => out.extend_from_slice(b"\\b"),
        0x0c => out.extend_from_slice(b"\\f"),
        _ => {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(c >> 4)]);
            out.push(HEX[usize::from(c & 0xf)]);
        }
    }
}

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

fn number_in_range(n: &serde_json::Number) -> bool {
    if let Some(u) = n.as_u64() {
        u <= MAX_SAFE_INTEGER
    } else if let Some(i) = n.as_i64() {
        i.unsigned_abs() <= MAX_SAFE_INTEGER
    } else {
        n.as_f64()
            .is_some_and(|f| f.is_finite() && f.abs() <= MAX_SAFE_INTEGER as f64)
    }
}

fn check_at(value: &Value, pointer: &mut String) -> Result<(), SchemaError> {
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

fn check_number(n: &serde_json::Number, pointer: &str) -> Result<(), SchemaError> {
    if number_in_range(n) {
        Ok(())
    } else {
        Err(SchemaError::NumberOutOfRange {
            pointer: pointer.to_owned(),
            value: n.to_string(),
        })
    }
}

fn check_nfc(s: &str, pointer: &str) -> Result<(), SchemaError> {
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
fn nfc_fast(bytes: &[u8]) -> bool {
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
fn nfc_on_its_own(c: char) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// RFC 8785 §3.2.2 / appendix B number serialisation examples.
    #[test]
    fn rfc8785_numbers() {
        let cases: &[(&str, &str)] = &[
            ("0", "0"),
            ("-0", "0"),
            ("1e+30", "1e+30"),
            ("4.50", "4.5"),
            ("2e-3", "0.002"),
            ("0.000001", "0.000001"),
            ("1e-7", "1e-7"),
            ("9007199254740991", "9007199254740991"),
            ("-9007199254740991", "-9007199254740991"),
            ("295147905179352830000", "295147905179352830000"),
            ("1e23", "1e+23"),
            ("333333333.3333333", "333333333.3333333"),
            ("5e-324", "5e-324"),
        ];
        for (input, expected) in cases {
            let v: Value = serde_json::from_str(input).unwrap();
            let out = rfc8785_bytes(&v).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), *expected, "input {input}");
        }
    }

    /// RFC 8785 §3.2.3 sorting example: keys sorted by UTF-16 code units.
    #[test]
    fn rfc8785_sorting() {
        let input = r#"{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}"#;
        let v: Value = serde_json::from_str(input).unwrap();
        let out = String::from_utf8(rfc8785_bytes(&v).unwrap()).unwrap();
        let order: Vec<&str> = [
            "Carriage Return",
            "One",
            "Control",
            "Latin Small Letter O With Diaeresis",
            "Euro Sign",
            "Emoji: Grinning Face",
            "Hebrew Letter Dalet With Dagesh",
        ]
        .to_vec();
        let mut last = 0;
        for name in order {
            let at = out.find(name).unwrap();
            assert!(at > last, "{name} out of order in {out}");
            last = at;
        }
    }

    /// RFC 8785 §3.2.4 / appendix: the main example document.
    #[test]
    fn rfc8785_main_example() {
        let input = r#"{
          "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
          "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
          "literals": [null, true, false]
        }"#;
        let v: Value = serde_json::from_str(input).unwrap();
        let out = String::from_utf8(rfc8785_bytes(&v).unwrap()).unwrap();
        assert_eq!(
            out,
            "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}"
        );
    }

    /// Our serializer agrees with the reference implementation byte for byte.
    #[test]
    fn agrees_with_the_reference_canonicalizer() {
        let mut docs: Vec<Value> = vec![
            serde_json::from_str(include_str!(
                "../tests/vectors/w3c-eddsa-jcs-2022/signed.json"
            ))
            .unwrap(),
            json!({"\u{e000}": 1, "\u{1f600}": 2, "z": [0.1, -0.0, 1e-7, 123456789.125, 5e-324, -1.5e300_f64.sqrt()], "a\u{7f}\u{1}\"\\/": "\u{8}\u{c}\n\r\t\u{1f}é"}),
            json!([
                null,
                true,
                false,
                {},
                [],
                "",
                9007199254740991u64,
                -9007199254740991i64
            ]),
        ];
        for dir in ["examples", "examples/invalid"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
                if entry.path().extension().is_some_and(|e| e == "json")
                    && let Ok(v) = serde_json::from_slice(&std::fs::read(entry.path()).unwrap())
                {
                    docs.push(v);
                }
            }
        }
        // Pseudo-random numbers across the whole double range.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut floats = Vec::new();
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let f = f64::from_bits(x);
            if f.is_finite() && f.abs() <= MAX_SAFE_INTEGER as f64 {
                floats.push(json!(f));
            }
            floats.push(json!((x % 100_000) as f64 / 1000.0));
        }
        docs.push(Value::Array(floats));
        docs.push(json!([
            1e30,
            295147905179352830000u128 as f64,
            -1e23,
            "\u{fb33}"
        ]));
        for doc in docs {
            assert_eq!(
                rfc8785_bytes(&doc).unwrap(),
                serde_json_canonicalizer::to_vec(&doc).unwrap()
            );
            let mut doc = doc;
            normalize_nfc(&mut doc);
            if check_signable(&doc).is_err() {
                continue;
            }
            let ours = canonical_bytes(&doc).unwrap();
            let reference = serde_json_canonicalizer::to_vec(&doc).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(reference).unwrap()
            );
        }
    }

    /// Whole numbers and one- or two-decimal numbers are written as ECMAScript writes them.
    #[test]
    fn short_decimals_are_written_as_ecmascript_writes_them() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let check = |f: f64| {
            let mut out = Vec::new();
            if write_short_decimal(f, &mut out) {
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    ryu_js::Buffer::new().format_finite(f),
                    "{f:e}"
                );
                true
            } else {
                false
            }
        };
        let mut fast = 0;
        for _ in 0..300_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let m = (x >> (x % 50)) as i64 * if x & 1 == 0 { 1 } else { -1 };
            for f in [
                m as f64 / 10.0,
                m as f64 / 100.0,
                m as f64,
                (m % 1000) as f64 / 10.0,
                (m % 100_000) as f64 / 100.0,
                (m % 100_000) as f64 / 1000.0,
                f64::from_bits(x),
                (m % 100) as f64 * 0.1,
                (m % 1000) as f64 * 0.01,
            ] {
                if f.is_finite() {
                    fast += usize::from(check(f));
                }
            }
        }
        assert!(fast > 500_000, "{fast}");
        for f in [
            0.0,
            -0.0,
            0.01,
            0.1,
            0.3,
            8.5,
            7.25,
            -0.05,
            9.99,
            1e12 + 0.5,
            9999999999999.99,
        ] {
            assert!(check(f), "{f}");
        }
        assert!(!check(1e13));
        assert!(!check(0.001));
        assert!(!check(0.1 + 0.2));
    }

    #[test]
    fn a_member_added_at_its_slot_equals_canonicalising_the_whole() {
        let member = json!({"proofValue": "z1", "b": [true]});
        let member_bytes = canonical_bytes(&member).unwrap();
        for doc in [
            json!({"a": 1, "proof0": [1.5], "type": ["x"], "\u{e000}": null}),
            json!({"only": 1}),
            json!({}),
        ] {
            let Value::Object(map) = doc else {
                unreachable!()
            };
            for key in ["proof", "\u{0}", "zzz", "\u{1f600}", "m", "\u{ffff}"] {
                let (bytes, slot) = canonical_object_with_slot(&map, key).unwrap();
                assert_eq!(bytes, canonical_bytes(&Value::Object(map.clone())).unwrap());
                let mut whole = map.clone();
                whole.insert(key.into(), member.clone());
                assert_eq!(
                    slot.insert(&bytes, key, &member_bytes),
                    canonical_bytes(&Value::Object(whole)).unwrap(),
                    "{key:?} in {map:?}"
                );
            }
        }
    }

    #[test]
    fn canonical_bytes_enforces_the_limits_with_a_pointer() {
        let e = canonical_bytes(&json!({"x": [1, {"y": 1e300}]})).unwrap_err();
        assert!(
            matches!(e, SchemaError::NumberOutOfRange { ref pointer, .. } if pointer == "/x/1/y")
        );
        let e = canonical_bytes(&json!({"name": "Nguye\u{302}\u{303}n"})).unwrap_err();
        assert!(matches!(e, SchemaError::NotNfc { .. }));
    }

    #[test]
    fn numbers_beyond_2_pow_53_are_refused() {
        let err = check_signable(&json!({"a": [1, 9007199254740992u64]})).unwrap_err();
        assert_eq!(
            err,
            SchemaError::NumberOutOfRange {
                pointer: "/a/1".into(),
                value: "9007199254740992".into()
            }
        );
        assert!(check_signable(&json!({"a": -9007199254740992i64})).is_err());
        assert!(check_signable(&json!({"a": 1e300})).is_err());
        assert!(check_signable(&json!({"a": 9007199254740991u64, "b": 8.5})).is_ok());
    }

    /// The fast path agrees with the Unicode tables for every character it covers, alone and
    /// followed by a combining mark.
    #[test]
    fn nfc_fast_path_agrees_with_the_tables() {
        use unicode_normalization::char::canonical_combining_class;
        for c in (0..0x300u32)
            .chain(0x1E00..0x1F00)
            .filter_map(char::from_u32)
        {
            assert!(nfc_on_its_own(c));
            assert!(nfc_fast(c.to_string().as_bytes()), "{c:?}");
            let alone = c.to_string();
            assert!(alone.nfc().eq(alone.chars()), "{c:?} is not NFC alone");
            assert_eq!(canonical_combining_class(c), 0, "{c:?}");
            let with_mark = format!("{c}\u{301}");
            assert_eq!(
                is_nfc(&with_mark),
                with_mark.nfc().eq(with_mark.chars()),
                "{c:?}+U+0301"
            );
        }
        assert!(is_nfc("Võ Ngọc Bảo Trân — Trường THPT Bình Tây"));
        assert!(!is_nfc("Vo\u{303}"));
        assert!(!nfc_fast("Vo\u{303}".as_bytes()));
        assert!(!nfc_fast("\u{1F00}".as_bytes()));
        assert!(!nfc_fast("\u{300}".as_bytes()));
    }

    #[test]
    fn eight_byte_test_agrees_with_the_byte_table() {
        let expected = |chunk: &[u8]| chunk.iter().all(|&c| BYTE_CLASS[usize::from(c)] == PLAIN);
        for a in 0u8..=255 {
            for pos in 0..8 {
                for base in [
                    *b"abcdefgh",
                    [0xC3, 0xA1, b'x', 0xC6, 0xB0, 0xCB, 0x80, b'~'],
                ] {
                    let mut chunk = base;
                    chunk[pos] = a;
                    assert_eq!(quiet8(&chunk), expected(&chunk), "byte {a:#x} at {pos}");
                    for b in [
                        0u8, 0x1f, 0x20, b'"', b'\\', 0x7f, 0x80, 0xcb, 0xcc, 0xe1, 0xff,
                    ] {
                        chunk[(pos + 3) % 8] = b;
                        assert_eq!(quiet8(&chunk), expected(&chunk), "{chunk:x?}");
                    }
                }
            }
        }
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let chunk = x.to_le_bytes();
            assert_eq!(quiet8(&chunk), expected(&chunk), "{chunk:x?}");
        }
    }

    #[test]
    fn nfd_text_is_refused_and_normalised() {
        let nfd = "Nguye\u{302}\u{303}n"; // "Nguyễn" decomposed
        let mut v = json!({"name": nfd});
        let err = check_signable(&v).unwrap_err();
        assert!(matches!(err, SchemaError::NotNfc { ref pointer, .. } if pointer == "/name"));
        normalize_nfc(&mut v);
        assert_eq!(v["name"], "Nguyễn");
        check_signable(&v).unwrap();
    }

    #[test]
    fn pointer_escapes_keys() {
        let err = check_signable(&json!({"a/b": {"~c": 1e300}})).unwrap_err();
        assert!(
            matches!(err, SchemaError::NumberOutOfRange { ref pointer, .. } if pointer == "/a~1b/~0c")
        );
    }
}
