//! Recognising JSON that is already in canonical form, without building a tree.
//!
//! Stored and exchanged credentials are written as their own RFC 8785 (JCS) bytes. For such
//! input, canonicalising again gives back the very same bytes, so the bytes can be hashed as
//! they are. [`scan_canonical`] makes one pass over the input and says whether that holds, with
//! the project's limits too: the bytes must be exactly what [`canonical_bytes`] would write for
//! the document they parse to (no whitespace, members sorted by UTF-16 code units, hence no
//! member name twice, strings escaped only as JCS escapes, numbers written as ECMAScript writes
//! them), every string (member names too) in NFC and every number within ±(2^53−1).
//!
//! Anything else (whitespace, a byte order mark, unsorted members, an escape JCS would not
//! write, a big number, non-NFC text, nesting deeper than [`MAX_DEPTH`], invalid JSON) is
//! refused with `None`, and the caller takes its general path, which parses, checks and
//! canonicalises the usual way. Refusing is always safe; accepting is what the tests pin down.
//!
//! The scan also remembers where the members of the top-level object begin and end, and those
//! of the objects that are their values, down to [`RECORDED_DEPTH`] levels of objects
//! ([`CanonicalJson::member`], [`MemberRef::member`]), so that a caller can read only the few
//! members it needs (a credential's `credentialSubject.school.code`, say) without a parser, and
//! hash the document without one member ([`CanonicalJson::without`]).
//!
//! [`canonical_bytes`]: super::canonical_bytes

use std::ops::Range;

use super::{BYTE_CLASS, ESCAPE};

mod scanner;

pub use scanner::scan_canonical;

/// Deepest nesting the scan accepts (the general path's parser allows 128).
pub const MAX_DEPTH: usize = 64;

/// How many levels of nested objects have their members recorded: the top-level object (1),
/// the objects that are its members' values (2), and the objects that are theirs (3). Objects
/// inside arrays, and deeper ones, are scanned but not recorded.
pub const RECORDED_DEPTH: usize = 3;

/// Input recognised as canonical (see the [module docs](self)).
#[derive(Debug, Clone)]
pub struct CanonicalJson<'a> {
    text: &'a str,
    members: Vec<Member>,
}

/// Where one member sits in the input: 16 bytes, so that the members a credential records fit
/// one small allocation.
///
/// In canonical JSON a member is `"name":value`, so the name ends two bytes before the value
/// starts and the member starts one byte before the name; the member and its value end
/// together.
#[derive(Debug, Clone)]
struct Member {
    /// The index of the member whose object value holds this one; [`TOP`] at the top level.
    parent: u32,
    /// Where the name starts, after its opening quote (escapes left as they are).
    key_start: u32,
    /// Where the value starts.
    value_start: u32,
    /// Where the value (and the member) ends.
    end: u32,
}

/// [`Member::parent`] of a top-level member.
const TOP: u32 = u32::MAX;

impl Member {
    /// The name as written, without its quotes.
    fn key(&self) -> Range<usize> {
        self.key_start as usize..self.value_start as usize - 2
    }

    /// The whole member, from the name's opening quote to the end of the value.
    fn whole(&self) -> Range<u32> {
        self.key_start - 1..self.end
    }

    /// The value.
    fn value(&self) -> Range<u32> {
        self.value_start..self.end
    }
}

/// One member of a [`CanonicalJson`] document.
#[derive(Debug, Clone, Copy)]
pub struct MemberRef<'d, 'a> {
    doc: &'d CanonicalJson<'a>,
    index: u32,
}

impl<'a> CanonicalJson<'a> {
    /// The whole input.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The top-level member named `name`.
    pub fn member(&self, name: &str) -> Option<MemberRef<'_, 'a>> {
        self.find(TOP, name)
    }

    /// Every member of the top-level object, in order.
    pub fn members(&self) -> impl Iterator<Item = MemberRef<'_, 'a>> {
        self.children(TOP)
    }

    /// The members whose parent is `parent`. Members are recorded in the order they are
    /// met, so a member's children follow it, each followed by its own recorded members (which
    /// lie within it in the text): the walk steps from one child to the next by skipping
    /// those, and stops at the first member beyond the parent's value.
    fn children(&self, parent: u32) -> impl Iterator<Item = MemberRef<'_, 'a>> + '_ {
        let (mut next, end) = match parent {
            TOP => (0, u32::MAX),
            p => (p as usize + 1, self.members[p as usize].end),
        };
        std::iter::from_fn(move || {
            let index = next;
            let m = self.members.get(index).filter(|m| m.key_start < end)?;
            debug_assert_eq!(m.parent, parent);
            next += 1;
            while self.members.get(next).is_some_and(|n| n.key_start < m.end) {
                next += 1;
            }
            Some(MemberRef {
                doc: self,
                index: index as u32,
            })
        })
    }

    fn find(&self, parent: u32, name: &str) -> Option<MemberRef<'_, 'a>> {
        // A name without escapes is written as itself; members are unique.
        if name.bytes().any(needs_escape) {
            return None;
        }
        self.children(parent).find(|m| m.raw_key() == name)
    }

    /// The bytes of the top-level object without `member` (the canonical form of the object
    /// without it), as two pieces to feed a hash in order.
    pub fn without(&self, member: MemberRef<'_, 'a>) -> [&'a [u8]; 2] {
        let m = &self.members[member.index as usize];
        let enclosing = match m.parent {
            TOP => 0..self.text.len() as u32,
            p => self.members[p as usize].value(),
        };
        cut(self.text.as_bytes(), enclosing, m.whole())
    }
}

impl<'d, 'a> MemberRef<'d, 'a> {
    /// The member's name as written (between the quotes, escapes as they are).
    pub fn raw_key(&self) -> &'a str {
        &self.doc.text[self.doc.members[self.index as usize].key()]
    }

    /// The member's value as written (itself canonical JSON).
    pub fn value_text(&self) -> &'a str {
        let r = self.doc.members[self.index as usize].value();
        &self.doc.text[r.start as usize..r.end as usize]
    }

    /// The members of this member's value, when the value is an object whose members were
    /// recorded (this member at depth 1 or 2: see [`RECORDED_DEPTH`]); none otherwise.
    pub fn members(&self) -> impl Iterator<Item = MemberRef<'d, 'a>> {
        self.doc.children(self.index)
    }

    /// How deep the member sits: 1 for a member of the top-level object, 2 for a member of
    /// its value, and so on. The members of an object value are recorded when this is below
    /// [`RECORDED_DEPTH`].
    pub fn depth(&self) -> usize {
        let mut depth = 1;
        let mut at = self.doc.members[self.index as usize].parent;
        while at != TOP {
            depth += 1;
            at = self.doc.members[at as usize].parent;
        }
        depth
    }

    /// The member's name, with escapes decoded.
    pub fn key(&self) -> std::borrow::Cow<'a, str> {
        let raw = self.raw_key();
        if raw.contains('\\') {
            let mut s = String::with_capacity(raw.len());
            decode_escapes(raw, &mut s);
            s.into()
        } else {
            raw.into()
        }
    }

    /// The member named `name` of this member's value, when the value is an object whose
    /// members were recorded (see [`MemberRef::members`]).
    pub fn member(&self, name: &str) -> Option<MemberRef<'d, 'a>> {
        self.doc.find(self.index, name)
    }

    /// The bytes of this member's object value without its member `inner`, as pieces to feed
    /// a hash in order (`inner` must be a member of this one's value).
    pub fn without(&self, inner: MemberRef<'d, 'a>) -> [&'a [u8]; 2] {
        let outer = self.doc.members[self.index as usize].value();
        let m = &self.doc.members[inner.index as usize];
        debug_assert_eq!(m.parent, self.index);
        cut(self.doc.text.as_bytes(), outer, m.whole())
    }
}

/// `bytes[object]` without `member` and the comma that separates it from a neighbour.
fn cut(bytes: &[u8], object: Range<u32>, member: Range<u32>) -> [&[u8]; 2] {
    let (o, m) = (
        object.start as usize..object.end as usize,
        member.start as usize..member.end as usize,
    );
    if bytes[m.end] == b',' {
        // Not the last member: drop the comma after it.
        [&bytes[o.start..m.start], &bytes[m.end + 1..o.end]]
    } else if bytes[m.start - 1] == b',' {
        // The last of several: drop the comma before it.
        [&bytes[o.start..m.start - 1], &bytes[m.end..o.end]]
    } else {
        // The only member.
        [&bytes[o.start..m.start], &bytes[m.end..o.end]]
    }
}

fn needs_escape(b: u8) -> bool {
    BYTE_CLASS[usize::from(b)] == ESCAPE
}

/// Append the text of a string's content with its (canonical) escapes decoded.
fn decode_escapes(content: &str, out: &mut String) {
    let mut rest = content;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 1..];
        let (c, used) = match tail.as_bytes().first() {
            Some(b'b') => ('\u{8}', 1),
            Some(b'f') => ('\u{c}', 1),
            Some(b'n') => ('\n', 1),
            Some(b'r') => ('\r', 1),
            Some(b't') => ('\t', 1),
            Some(b'u') => (
                tail.get(1..5)
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .and_then(char::from_u32)
                    .unwrap_or('\u{fffd}'),
                5,
            ),
            Some(&other) => (char::from(other), 1),
            None => break,
        };
        out.push(c);
        rest = tail.get(used..).unwrap_or("");
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
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
                "../../tests/vectors/w3c-eddsa-jcs-2022/signed.json"
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
}
