//! Writing JSON in RFC 8785 canonical form: member order, ECMAScript numbers and JCS string
//! escapes, optionally checking the project's limits on the way.

use serde_json::Value;

use super::{MAX_SAFE_INTEGER, is_nfc};

/// Writes `value`; false when a limit is broken (nothing else can fail).
pub(super) fn write_value<const CHECK: bool>(value: &Value, out: &mut Vec<u8>) -> bool {
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

pub(super) fn write_object<const CHECK: bool>(
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

pub(super) fn write_members<'a, const CHECK: bool>(
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

pub(super) fn has_high_chars(s: &str) -> bool {
    s.bytes().any(|c| c >= 0xEE)
}

/// RFC 8785 sorts member names by their UTF-16 code units. UTF-8 byte order is the same as
/// code point order, which differs from UTF-16 order only for characters at or above U+E000
/// (lead bytes 0xEE and up); only then is the slower comparison needed.
pub(super) fn utf16_order(a: &str, b: &str) -> std::cmp::Ordering {
    if has_high_chars(a) || has_high_chars(b) {
        a.encode_utf16().cmp(b.encode_utf16())
    } else {
        a.as_bytes().cmp(b.as_bytes())
    }
}

pub(super) fn write_number<const CHECK: bool>(n: &serde_json::Number, out: &mut Vec<u8>) -> bool {
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
pub(super) fn write_short_decimal(f: f64, out: &mut Vec<u8>) -> bool {
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
pub(super) fn write_string<const CHECK: bool>(s: &str, out: &mut Vec<u8>) -> bool {
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
pub(super) fn quiet8(chunk: &[u8]) -> bool {
    quiet_prefix8(chunk) == 8
}

/// How many of the eight bytes, from the first, are [`PLAIN`] (0 to 8), by one SWAR test.
///
/// Each test below sets the high bit of the bytes it flags; the tests for a byte value
/// (`has_zero`) can also flag bytes above a flagged one (a borrow runs on), never below, so
/// the lowest flag of all is exactly the first byte that is not plain.
pub(super) fn quiet_prefix8(chunk: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut b = [0u8; 8];
    b.copy_from_slice(chunk);
    let x = u64::from_le_bytes(b);
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let high = x & HIGH;
    let low = x & !HIGH; // each byte's low seven bits: the sums below stay within their byte
    // 0xCC and up: high bit set and low bits at least 0x4C.
    let at_least_cc = high & (low + 0x34 * ONES);
    // Below 0x20: high bit clear and low bits below 0x20.
    let control = !high & !(low + 0x60 * ONES) & HIGH;
    let flags =
        at_least_cc | control | zero(x ^ (b'"' as u64 * ONES)) | zero(x ^ (b'\\' as u64 * ONES));
    (flags.trailing_zeros() / 8) as usize
}

pub(super) const PLAIN: u8 = 0;
pub(super) const ESCAPE: u8 = 1;
pub(super) const LEAD_E1: u8 = 3;
pub(super) const OTHER: u8 = 4;

/// What each byte of a UTF-8 string means to [`write_string`]: printable ASCII is copied;
/// control characters, quote and backslash are escaped; lead bytes 0xC2–0xCB (U+0080–U+02FF)
/// and continuation bytes are plain too, as U+0080–U+02FF are NFC on their own; 0xE1 is NFC on
/// its own when followed by 0xB8–0xBB (U+1E00–U+1EFF); any other lead byte needs the full NFC
/// check. (The input is valid UTF-8, so a continuation byte always follows a lead byte that was
/// classified.)
pub(super) static BYTE_CLASS: [u8; 256] = {
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

pub(super) fn write_escape(c: u8, out: &mut Vec<u8>) {
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
