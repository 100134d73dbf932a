//! RFC 8785 JSON Canonicalization Scheme, plus the limits this project puts on signed JSON:
//! every number within ±(2^53−1) (so it survives any JSON parser) and every string in Unicode
//! NFC (so the same visible text always has the same bytes).

mod check;
pub mod scan;
mod write;

use serde_json::Value;

use crate::error::SchemaError;
use check::{check_at, check_nfc};
pub use check::{check_numbers, check_signable, is_nfc, normalize_nfc, push_escaped};
use write::{
    BYTE_CLASS, ESCAPE, LEAD_E1, OTHER, PLAIN, has_high_chars, quiet_prefix8, utf16_order,
    write_object, write_string, write_value,
};

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
    canonical_object_with_raw(map, None, key)
}

/// [`canonical_object_with_slot`] of `map` with one more member, `raw = (name, value)`, whose
/// value is given as canonical bytes already (a record stored canonical, say) and is copied
/// as it is: the caller vouches that it is canonical and within the limits (for instance
/// because [`scan::scan_canonical`] accepted it).
pub fn canonical_object_with_raw(
    map: &serde_json::Map<String, Value>,
    raw: Option<(&str, &[u8])>,
    key: &str,
) -> Result<(Vec<u8>, Slot), SchemaError> {
    /// A member's value: from the map, or canonical bytes given.
    enum Member<'a> {
        Value(&'a Value),
        Raw(&'a [u8]),
    }
    let mut entries: Vec<(&str, Member<'_>)> = map
        .iter()
        .map(|(k, v)| (k.as_str(), Member::Value(v)))
        .collect();
    if let Some((name, bytes)) = raw {
        if map.contains_key(name) {
            return Err(SchemaError::Canonicalize(format!(
                "member {name} given twice"
            )));
        }
        entries.push((name, Member::Raw(bytes)));
    }
    if raw.is_some() || map.keys().any(|k| has_high_chars(k)) || has_high_chars(key) {
        entries.sort_unstable_by(|a, b| utf16_order(a.0, b.0));
    }
    let extra = raw.map_or(0, |(_, bytes)| bytes.len());
    let mut out = Vec::with_capacity(4096 + extra);
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
        match v {
            Member::Value(v) => ok &= write_value::<true>(v, &mut out),
            Member::Raw(bytes) => out.extend_from_slice(bytes),
        }
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

#[cfg(test)]
mod tests {
    use super::check::{nfc_fast, nfc_on_its_own};
    use super::write::write_short_decimal;
    use super::*;
    use serde_json::json;
    use unicode_normalization::UnicodeNormalization;

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
        let plain = |c: &u8| BYTE_CLASS[usize::from(*c)] == PLAIN;
        let expected = |chunk: &[u8]| {
            let prefix = chunk.iter().take_while(|c| plain(c)).count();
            assert_eq!(quiet_prefix8(chunk), prefix, "{chunk:x?}");
            prefix == 8
        };
        for a in 0u8..=255 {
            for pos in 0..8 {
                for base in [
                    *b"abcdefgh",
                    [0xC3, 0xA1, b'x', 0xC6, 0xB0, 0xCB, 0x80, b'~'],
                ] {
                    let mut chunk = base;
                    chunk[pos] = a;
                    assert_eq!(
                        write::quiet8(&chunk),
                        expected(&chunk),
                        "byte {a:#x} at {pos}"
                    );
                    for b in [
                        0u8, 0x1f, 0x20, b'"', b'\\', 0x7f, 0x80, 0xcb, 0xcc, 0xe1, 0xff,
                    ] {
                        chunk[(pos + 3) % 8] = b;
                        assert_eq!(write::quiet8(&chunk), expected(&chunk), "{chunk:x?}");
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
            assert_eq!(write::quiet8(&chunk), expected(&chunk), "{chunk:x?}");
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
