//! Tests of the canonical scan: agreement with the general path, and the recorded members.

#![allow(clippy::unwrap_used)]
use super::super::{canonical_bytes, normalize_nfc};
use super::*;
use serde_json::{Value, json};

/// What the scan must agree with: the bytes are canonical and signable exactly when
/// parsing them (refusing duplicate names) and canonicalising gives them back.
fn general_path_says_canonical(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    if has_duplicate_names(text) {
        return false;
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v @ Value::Object(_)) => canonical_bytes(&v).is_ok_and(|c| c == bytes),
        _ => false,
    }
}

fn has_duplicate_names(text: &str) -> bool {
    struct Dup(bool);
    impl<'de> serde::Deserialize<'de> for Dup {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = Dup;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("json")
                }
                fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Dup, E> {
                    Ok(Dup(false))
                }
                fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Dup, E> {
                    Ok(Dup(false))
                }
                fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Dup, E> {
                    Ok(Dup(false))
                }
                fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Dup, E> {
                    Ok(Dup(false))
                }
                fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Dup, E> {
                    Ok(Dup(false))
                }
                fn visit_unit<E: serde::de::Error>(self) -> Result<Dup, E> {
                    Ok(Dup(false))
                }
                fn visit_seq<A: serde::de::SeqAccess<'de>>(
                    self,
                    mut s: A,
                ) -> Result<Dup, A::Error> {
                    let mut d = false;
                    while let Some(Dup(x)) = s.next_element()? {
                        d |= x;
                    }
                    Ok(Dup(d))
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut m: A,
                ) -> Result<Dup, A::Error> {
                    let mut seen = std::collections::HashSet::new();
                    let mut d = false;
                    while let Some(k) = m.next_key::<String>()? {
                        d |= !seen.insert(k);
                        let Dup(x) = m.next_value()?;
                        d |= x;
                    }
                    Ok(Dup(d))
                }
            }
            d.deserialize_any(V)
        }
    }
    serde_json::from_str::<Dup>(text).is_ok_and(|d| d.0)
}

fn agree(bytes: &[u8]) {
    assert_eq!(
        scan_canonical(bytes).is_some(),
        general_path_says_canonical(bytes),
        "disagree on {:?}",
        String::from_utf8_lossy(bytes)
    );
}

fn documents() -> Vec<Value> {
    let mut docs: Vec<Value> = vec![
        serde_json::from_str(include_str!(
            "../../../tests/vectors/w3c-eddsa-jcs-2022/signed.json"
        ))
        .unwrap(),
        json!({"\u{e000}": 1, "\u{1f600}": 2, "\u{ff61}": 3, "z": [0.1, 1e-7, 0.000001, 0.0000012, 123456789.125, 5e-324, 1e-6, 0.1 + 0.2, 1.5e15_f64.sqrt()], "a\u{7f}\u{1}\"\\/": "\u{8}\u{c}\n\r\t\u{1f}é\u{0}"}),
        json!({"a": [null, true, false, {}, [], "", 9007199254740991u64, -9007199254740991i64, 0, -1, 1234567890123456u64]}),
        json!({"\n": {"\t": 1}, "\u{1}": 2, "b\\": 3, "b\"": 4, "Nguyễn": {"Trần": "Võ Ngọc Bảo Trân", "x": [{"y": [[[]]]}]}}),
        json!({"s": "Ω Å ḱ ǅ ﬀ 가 \u{e0}\u{1ea1} ờ ẞ \u{2126}"}),
    ];
    for dir in ["examples", "examples/invalid"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
            if entry.path().extension().is_some_and(|e| e == "json")
                && let Ok(v) =
                    serde_json::from_slice::<Value>(&std::fs::read(entry.path()).unwrap())
            {
                docs.push(json!({"credentialSubject": v, "proof": {"proofValue": "z1"}}));
            }
        }
    }
    docs
}

#[test]
fn canonical_output_is_recognised_and_parses_to_the_same_document() {
    for mut doc in documents() {
        normalize_nfc(&mut doc);
        let Ok(bytes) = canonical_bytes(&doc) else {
            continue;
        };
        let scan = scan_canonical(&bytes);
        assert!(scan.is_some(), "{}", String::from_utf8_lossy(&bytes));
        agree(&bytes);
        let back: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back, doc);
    }
}

/// Every way of writing a document that is not its canonical form is refused, and so is
/// anything beyond the limits; the scan agrees with the general path on each.
#[test]
fn non_canonical_and_unsignable_input_is_refused() {
    let refused: &[&str] = &[
        "",
        "[]",
        "\"x\"",
        "{ }",
        "{\"a\":1 }",
        "{\"a\": 1}",
        "\u{feff}{}",
        "{}\n",
        "{\"b\":1,\"a\":2}",
        "{\"a\":1,\"a\":1}",
        "{\"a\":{\"x\":1,\"x\":2}}",
        "{\"a\":[{\"y\":1,\"x\":2}]}",
        "{\"\u{ffff}\":1,\"\u{1f600}\":2}",
        "{\"ab\":1,\"a\":2}",
        "{\"\u{e9}\":1,\"z\":2}",
        "{\"x\u{e9}\":1,\"xz\":2}",
        "{\"x\u{e9}b\":1,\"x\u{e9}a\":2}",
        "{\"x\u{e000}\":1,\"x\u{1f600}\":2}",
        "{\"a\":\"\\/\"}",
        "{\"a\":\"\\u00e9\"}",
        "{\"a\":\"\\u000A\"}",
        "{\"a\":\"\\u000a\"}",
        "{\"a\":\"\\u001F\"}",
        "{\"a\":\"\\ud83d\\ude00\"}",
        "{\"a\":\"\\u0022\"}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\u{1}\"}",
        "{\"a\":\"Nguye\u{302}\u{303}n\"}",
        "{\"Nguye\u{302}\u{303}n\":1}",
        "{\"a\":\"\u{212b}\"}",
        "{\"a\":1.0}",
        "{\"a\":1.50}",
        "{\"a\":-0}",
        "{\"a\":-0.0}",
        "{\"a\":01}",
        "{\"a\":1e2}",
        "{\"a\":1E-7}",
        "{\"a\":0.0000001}",
        "{\"a\":1.}",
        "{\"a\":.5}",
        "{\"a\":+1}",
        "{\"a\":9007199254740992}",
        "{\"a\":-9007199254740992}",
        "{\"a\":12345678901234567}",
        "{\"a\":1e300}",
        "{\"a\":9007199254740993.5}",
        "{\"a\":0.30000000000000004000}",
        "{\"a\":0.1000000000000000055511151231257827}",
        "{\"a\":tru}",
        "{\"a\":nul}",
        "{\"a\":True}",
        "{\"a\":1,}",
        "{\"a\":[1,]}",
        "{\"a\":[1 ]}",
        "{\"a\"}",
        "{\"a\":1}{}",
        "{\"a\":\"x}",
        "{\"a\":1",
    ];
    for text in refused {
        assert!(scan_canonical(text.as_bytes()).is_none(), "{text:?}");
        agree(text.as_bytes());
    }
    assert!(scan_canonical(b"{\"a\":\"\xff\"}").is_none());
    let deep = format!("{{\"a\":{}{}}}", "[".repeat(200), "]".repeat(200));
    assert!(scan_canonical(deep.as_bytes()).is_none());
    let ok: &[&str] = &[
        "{}",
        "{\"a\":{}}",
        "{\"\":[]}",
        "{\"a\":\"\\u001f\\n\\\"\\\\\\b\\f\\r\\t\"}",
        "{\"\\n\":1,\"\\t\":2}",
        "{\"\\t\":1,\"\\n\":2}",
        "{\"a\":0.000001}",
        "{\"a\":1e-7}",
        "{\"a\":0.30000000000000004}",
        "{\"a\":-9007199254740991}",
        "{\"a\":9007199254740991}",
        "{\"a\":123456789012345.6}",
        "{\"a\":1234567890123456.8}",
        "{\"a\":[1,-2,3.25,null,true,false,\"\"]}",
        "{\"a\":\"e\\n\u{301}x\"}",
        "{\"\u{e000}\":1,\"\u{1f600}\":2}",
        "{\"a\":1,\"ab\":2}",
        "{\"z\":1,\"\u{e9}\":2}",
        "{\"xz\":1,\"x\u{e9}\":2}",
        "{\"x\u{e9}a\":1,\"x\u{e9}b\":2}",
        "{\"x\u{1f600}\":1,\"x\u{e000}\":2}",
    ];
    for text in ok {
        agree(text.as_bytes());
    }
    // "\t" (U+0009) sorts before "\n" (U+000A), by the decoded names.
    assert!(scan_canonical(b"{\"\\t\":1,\"\\n\":2}").is_some());
    assert!(scan_canonical(b"{\"\\n\":1,\"\\t\":2}").is_none());
    assert!(scan_canonical(b"{\"a\":1234567890123456.8}").is_some());
    // Member names in order at the first differing byte: ASCII on either side, or UTF-16.
    for text in [
        "{\"a\":1,\"ab\":2}",
        "{\"z\":1,\"\u{e9}\":2}",
        "{\"x\u{e9}a\":1,\"x\u{e9}b\":2}",
        "{\"x\u{1f600}\":1,\"x\u{e000}\":2}",
    ] {
        assert!(scan_canonical(text.as_bytes()).is_some(), "{text:?}");
    }
}

/// Mutations of canonical documents, one byte at a time: the scan agrees with the general
/// path on every one.
#[test]
fn agrees_with_the_general_path_on_byte_mutations() {
    let doc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "a": [1, -2.5, 0.001, 9007199254740991u64, "x\ny", {"k": null}],
        "credentialSubject": {"name": "Nguyễn Thị Ánh", "score": 8.5, "e": "\u{1}"},
        "proof": {"proofValue": "z3x", "type": "T"}
    });
    let bytes = canonical_bytes(&doc).unwrap();
    assert!(scan_canonical(&bytes).is_some());
    let replacements = b" \t\n{}[],:\"\\0159.-+eEatrufnlxuz/";
    for at in 0..bytes.len() {
        for &r in replacements {
            let mut m = bytes.clone();
            m[at] = r;
            agree(&m);
        }
        let mut m = bytes.clone();
        m.remove(at);
        agree(&m);
        let mut m = bytes.clone();
        m.insert(at, b' ');
        agree(&m);
    }
}

#[test]
fn numbers_agree_with_the_general_path() {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let candidates = [
            f64::from_bits(x),
            (x % 100_000) as f64 / 1000.0,
            (x % 1_000_000_007) as f64 / 1e9,
            -((x >> 11) as f64),
            (x >> 11) as f64 / 3.0,
            (x % 1000) as f64 * 1e-9,
        ];
        for f in candidates {
            if !f.is_finite() {
                continue;
            }
            let doc = json!({ "n": f });
            let canonical = serde_json_canonicalizer::to_vec(&doc).unwrap();
            agree(&canonical);
            // The same number as Rust writes it (not always canonical).
            agree(format!("{{\"n\":{f}}}").as_bytes());
            agree(format!("{{\"n\":{f:e}}}").as_bytes());
        }
        agree(format!("{{\"n\":{}}}", x >> (x % 64)).as_bytes());
        agree(format!("{{\"n\":-{}}}", x >> (x % 64)).as_bytes());
    }
}

#[test]
fn members_and_cuts() {
    let text =
        br#"{"a":1,"proof":{"created":"x","proofValue":"z1","type":"T"},"z":{"b":[{"c":1}]}}"#;
    let scan = scan_canonical(text).unwrap();
    let names: Vec<&str> = scan.members().map(|m| m.raw_key()).collect();
    assert_eq!(names, ["a", "proof", "z"]);
    let proof = scan.member("proof").unwrap();
    assert_eq!(proof.member("type").unwrap().value_text(), "\"T\"");
    assert!(scan.member("z").unwrap().member("b").is_some());
    assert!(scan.member("b").is_none());
    assert!(scan.member("a").unwrap().member("x").is_none());
    let joined = |p: [&[u8]; 2]| String::from_utf8(p.concat()).unwrap();
    assert_eq!(
        joined(scan.without(proof)),
        r#"{"a":1,"z":{"b":[{"c":1}]}}"#
    );
    assert_eq!(
        joined(proof.without(proof.member("proofValue").unwrap())),
        r#"{"created":"x","type":"T"}"#
    );
    assert_eq!(
        joined(proof.without(proof.member("created").unwrap())),
        r#"{"proofValue":"z1","type":"T"}"#
    );
    assert_eq!(
        joined(proof.without(proof.member("type").unwrap())),
        r#"{"created":"x","proofValue":"z1"}"#
    );
    // Members are recorded down to the third level of objects, and only through objects.
    let deep =
        scan_canonical(br#"{"a":{"b":{"c":{"d":1},"e":[{"f":2}]}},"g":[{"h":{}}]}"#).unwrap();
    let b = deep.member("a").unwrap().member("b").unwrap();
    assert_eq!((b.depth(), b.value_text().len()), (2, 27));
    let c = b.member("c").unwrap();
    assert_eq!((c.depth(), c.value_text()), (3, r#"{"d":1}"#));
    assert!(c.member("d").is_none() && c.members().next().is_none());
    assert_eq!(
        b.members().map(|m| m.raw_key()).collect::<Vec<_>>(),
        ["c", "e"]
    );
    assert!(b.member("e").unwrap().member("f").is_none());
    assert!(deep.member("g").unwrap().members().next().is_none());
    assert_eq!(joined(b.without(c)), r#"{"e":[{"f":2}]}"#);
    let only = scan_canonical(br#"{"proof":{"proofValue":"z"}}"#).unwrap();
    let p = only.member("proof").unwrap();
    assert_eq!(joined(only.without(p)), "{}");
    assert_eq!(joined(p.without(p.member("proofValue").unwrap())), "{}");
}
