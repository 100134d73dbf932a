//! Splitting a secured document into the document and its proof without losing the document
//! when the proof is unusable (the verdict still shows who the credential claims to be from).

use hocba_schema::jcs::scan::{MemberRef, RECORDED_DEPTH, scan_canonical};
use hocba_schema::multibase::{decode_base58btc, decode_base58btc_exact};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::ops::Range;

use crate::reason::Reason;

/// A JSON object.
pub(crate) type Object = Map<String, Value>;

/// The proof options (minus `proofValue`) and the 64 signature bytes, or why they cannot be
/// had ([`Reason::NotSigned`] / [`Reason::MalformedProof`] with the field and value).
pub(crate) type ProofParts = Result<(Object, [u8; 64]), (Reason, String)>;

/// Take `proof` out of `document`: the document without it, and the proof's parts.
pub(crate) fn split_proof(mut document: Object) -> (Object, ProofParts) {
    let proof = document.remove("proof");
    (document, proof_parts(proof))
}

/// The members of `credentialSubject` that verification reads (the school code it compares
/// with the trust list and what a verdict shows about the pupil). [`split_canonical`] parses
/// only these; anything that reads more of the subject must be added here.
pub(crate) const SUBJECT_FIELDS_READ: [&str; 5] =
    ["className", "grade", "school", "schoolYear", "student"];

/// Of the members of [`SUBJECT_FIELDS_READ`] whose value is an object, the members that
/// verification reads: `student.fullName` (shown in a verdict), `school.code` (compared with
/// the trust list) and `school.name` (shown). [`split_canonical`] keeps only these of those
/// objects; anything that reads more of them must be added here.
pub(crate) const NESTED_FIELDS_READ: [(&str, &[&str]); 2] =
    [("school", &["code", "name"]), ("student", &["fullName"])];

/// A credential read from bytes already in canonical form (the fast path of verification).
#[derive(Debug)]
pub(crate) struct CanonicalParts {
    /// The document without `proof`, as far as the checks read it: every top-level member,
    /// but of `credentialSubject` only [`SUBJECT_FIELDS_READ`].
    pub(crate) checked: Object,
    /// The proof options (minus `proofValue`) and the 64 signature bytes.
    pub(crate) proof: (Object, [u8; 64]),
    /// `hashData`, hashed from the input bytes themselves.
    pub(crate) hash: [u8; 64],
    /// Where the value of `credentialSubject` lies in the input, when it is an object (so
    /// that it alone can be read later, see [`crate::VerifiedCredential::credential_subject`]).
    pub(crate) subject: Option<Range<usize>>,
}

/// Read a credential whose bytes are exactly their JCS form, with NFC text and numbers within
/// ±(2^53−1) (checked by [`scan_canonical`] in one pass), and which carries one proof object
/// with a `proofValue` of 64 bytes. For such bytes the canonical form of the document without
/// its proof is the bytes without the `proof` member, and that of the proof options is the
/// `proof` member's value without `proofValue`: both are hashed where they lie, and only the
/// members the checks read are parsed. `None` for any other input, which then takes the
/// general path ([`split_proof`] after a full parse), so the verdict never depends on which
/// path was taken.
pub(crate) fn split_canonical(bytes: &[u8]) -> Option<CanonicalParts> {
    let scan = scan_canonical(bytes)?;
    let proof = scan.member("proof")?;
    let proof_value = proof.member("proofValue")?;
    let encoded = proof_value
        .value_text()
        .strip_prefix('"')?
        .strip_suffix('"')?;
    let signature = decode_base58btc_exact::<64>(encoded)?;
    // A proof `@context` that differs from the document's (a strict prefix of it) means the
    // document is hashed with the proof's: the bytes as they lie are not what was signed.
    if let Some(proof_ctx) = proof.member("@context")
        && scan.member("@context").map(|m| m.value_text()) != Some(proof_ctx.value_text())
    {
        return None;
    }
    let mut hash = [0u8; 64];
    let digest = |pieces: [&[u8]; 2]| {
        let mut h = Sha256::new();
        pieces.iter().for_each(|p| h.update(p));
        h.finalize()
    };
    hash[..32].copy_from_slice(&digest(proof.without(proof_value)));
    hash[32..].copy_from_slice(&digest(scan.without(proof)));
    let mut options = Object::new();
    for m in proof.members() {
        if m.raw_key() != "proofValue" {
            options.insert(m.key().into_owned(), parse(m)?);
        }
    }
    let mut checked = Object::new();
    let mut subject_range = None;
    for m in scan.members() {
        let key = m.key();
        match &*key {
            "proof" => continue,
            "credentialSubject" if m.value_text().starts_with('{') => {
                let text = m.value_text();
                subject_range = (text.as_ptr() as usize)
                    .checked_sub(bytes.as_ptr() as usize)
                    .map(|start| start..start + text.len());
                let mut subject = Object::new();
                for field in m.members() {
                    let name = field.raw_key();
                    if !SUBJECT_FIELDS_READ.contains(&name) {
                        continue;
                    }
                    let nested = NESTED_FIELDS_READ.iter().find(|(f, _)| *f == name);
                    let value = match nested {
                        // Only the members read are kept (their members were recorded).
                        Some((_, names)) if field.value_text().starts_with('{') => {
                            let mut object = Object::new();
                            for inner in field.members() {
                                if names.contains(&inner.raw_key()) {
                                    object.insert(inner.raw_key().to_owned(), parse(inner)?);
                                }
                            }
                            Value::Object(object)
                        }
                        _ => parse(field)?,
                    };
                    subject.insert(name.to_owned(), value);
                }
                checked.insert(key.into_owned(), Value::Object(subject));
            }
            _ => {
                checked.insert(key.into_owned(), parse(m)?);
            }
        }
    }
    Some(CanonicalParts {
        checked,
        proof: (options, signature),
        hash,
        subject: subject_range,
    })
}

/// The value of a member of canonical input (it always parses), built without a parser where
/// the bytes say plainly what it is: a string without escapes (its text between the quotes),
/// a small non-negative integer, an array of such strings, and an object whose members the scan
/// recorded (each member's value read the same way). Anything else is parsed.
fn parse(m: MemberRef<'_, '_>) -> Option<Value> {
    let text = m.value_text();
    if let Some(s) = plain_string(text) {
        return Some(Value::String(s.to_owned()));
    }
    match text.as_bytes().first() {
        Some(b'{') if text.len() > 2 && m.depth() < RECORDED_DEPTH => {
            let mut object = Object::new();
            for inner in m.members() {
                object.insert(inner.key().into_owned(), parse(inner)?);
            }
            // A recorded object has at least one member: an empty map here would be a bug.
            return (!object.is_empty()).then_some(Value::Object(object));
        }
        Some(b'[') => {
            if let Some(items) = plain_string_array(text) {
                return Some(Value::Array(items));
            }
        }
        Some(b'0'..=b'9') if text.len() <= 15 && text.bytes().all(|b| b.is_ascii_digit()) => {
            return text.parse::<u64>().ok().map(Value::from);
        }
        _ => {}
    }
    serde_json::from_str(text).ok()
}

/// The content of a canonical JSON string without escapes (`"…"`, no backslash inside).
fn plain_string(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains('\\')).then_some(inner)
}

/// The items of a canonical JSON array whose every item is a string without escapes. Without a
/// backslash, a quote can only delimit a string, so the text between the outer quotes split at
/// `","` gives the items exactly when none of the pieces holds a quote; `None` otherwise.
fn plain_string_array(text: &str) -> Option<Vec<Value>> {
    let inner = text.strip_prefix('[')?.strip_suffix(']')?;
    if inner.is_empty() {
        return Some(Vec::new());
    }
    if inner.contains('\\') {
        return None;
    }
    let strings = inner.strip_prefix('"')?.strip_suffix('"')?;
    strings
        .split("\",\"")
        .map(|item| (!item.contains('"')).then(|| Value::String(item.to_owned())))
        .collect()
}

fn proof_parts(proof: Option<Value>) -> ProofParts {
    let malformed = |detail: String| Err((Reason::MalformedProof, detail));
    let mut options = match proof {
        None => return Err((Reason::NotSigned, "the document has no `proof`".into())),
        Some(Value::Object(options)) => options,
        Some(Value::Array(items)) => {
            let count = items.len();
            match hocba_schema::proof::single_proof(items) {
                Some(options) => options,
                None => {
                    return malformed(format!(
                        "`proof` is a set of {count}; a proof set is accepted only with exactly one proof object"
                    ));
                }
            }
        }
        Some(other) => return malformed(format!("`proof` must be an object, found {other}")),
    };
    let value = match options.remove("proofValue") {
        Some(Value::String(s)) => s,
        Some(other) => {
            return malformed(format!("proof.proofValue must be a string, found {other}"));
        }
        None => return malformed("proof.proofValue is missing".into()),
    };
    if let Some(signature) = decode_base58btc_exact::<64>(&value) {
        return Ok((options, signature));
    }
    let bytes = match decode_base58btc("proofValue", &value) {
        Ok(bytes) => bytes,
        Err(e) => return malformed(e.to_string()),
    };
    match <[u8; 64]>::try_from(bytes.as_slice()) {
        Ok(signature) => Ok((options, signature)),
        Err(_) => malformed(format!(
            "proof.proofValue decodes to {} bytes; an Ed25519 signature is 64",
            bytes.len()
        )),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn split(v: Value) -> (Object, ProofParts) {
        let Value::Object(m) = v else { panic!() };
        split_proof(m)
    }

    /// The fast path's hash, proof options and signature are the general path's, and what it
    /// parses of the document is the document's; input that is not canonical is left to the
    /// general path.
    #[test]
    fn canonical_split_agrees_with_the_general_split() {
        use hocba_schema::jcs::canonical_bytes;
        use hocba_schema::proof::SecuredDocument;
        let vector: Value = serde_json::from_str(include_str!(
            "../../schema/tests/vectors/w3c-eddsa-jcs-2022/signed.json"
        ))
        .unwrap();
        let mut with_subject = vector.clone();
        with_subject["credentialSubject"] = json!({
            "student": {"fullName": "Nguyễn Thị Ánh", "id": 7, "dateOfBirth": "2009-07-08"},
            "school": {"code": "79000701", "levels": ["thpt"], "name": null},
            "grade": 11,
            "schoolYear": "2025-2026",
            "className": "11A1",
            "subjects": [{"score": 8.5}],
            "z\n": "\"quoted\"\t"
        });
        with_subject["a\u{1}"] = json!([1, {"b": null}]);
        // Every kind of value the fast reading builds without a parser, and the ones next to
        // them that it must leave to the parser: escapes in names and strings, arrays that are
        // not all plain strings, numbers that are not small non-negative integers, objects
        // below the recorded depth, empty objects and arrays.
        let mut odd = with_subject.clone();
        odd["credentialSubject"]["school"] = json!({
            "code": "a\\b\"c", "name": {"vi": "Trường", "deep": {"x": [1]}}, "z": 1
        });
        odd["credentialSubject"]["student"] = json!({"fullName": ["Võ", "Trân"]});
        odd["credentialSubject"]["grade"] = json!(-11);
        odd["credentialSubject"]["className"] = json!(9007199254740991u64);
        odd["credentialSubject"]["schoolYear"] = json!(12.5);
        odd["issuer"] = json!({"id": "urn:x", "name": "A\u{1}", "n\t": {"k": {"l": {}}}, "e": {}});
        odd["credentialStatus"] = json!({"a": [], "b": ["x", "y\"z"], "c": ["x", 1, "y"],
            "d": ["x", ["y"], "z"], "e": [["x"]], "f": ["", ""], "g": [{}], "h": 0, "i": 123456789012345u64,
            "j": 1234567890123456u64, "k": "", "l": [""]});
        odd["type"] = json!(["VerifiableCredential", "Hoc\"Ba", "x\\y"]);
        odd["validFrom"] = json!(true);
        odd["validUntil"] = json!(null);
        odd["proof"]["created"] = json!({"at": "2026", "n": 1.5});
        odd["proof"]["expires"] = json!(["2026"]);
        for v in [vector, with_subject, odd] {
            let bytes = canonical_bytes(&v).unwrap();
            let fast = split_canonical(&bytes).unwrap();
            let general = SecuredDocument::from_value(v.clone()).unwrap();
            assert_eq!(fast.hash, general.hash_data().unwrap());
            assert_eq!(fast.proof.0, general.proof_options);
            assert_eq!(fast.proof.1, general.signature);
            for (key, value) in &general.unsecured {
                if key == "credentialSubject" {
                    let subject = fast.checked[key].as_object().unwrap();
                    for (field, inner) in subject {
                        assert!(SUBJECT_FIELDS_READ.contains(&field.as_str()));
                        match NESTED_FIELDS_READ.iter().find(|(f, _)| f == field) {
                            // Of student and school, exactly the members read.
                            Some((_, names)) => {
                                let inner = inner.as_object().unwrap();
                                for (name, v) in inner {
                                    assert!(names.contains(&name.as_str()), "{field}.{name}");
                                    assert_eq!(&value[field][name], v);
                                }
                                for name in *names {
                                    assert_eq!(inner.get(*name), value[field].get(*name));
                                }
                            }
                            None => assert_eq!(&value[field], inner),
                        }
                    }
                    for field in SUBJECT_FIELDS_READ {
                        assert_eq!(subject.contains_key(field), value.get(field).is_some());
                    }
                } else {
                    assert_eq!(fast.checked.get(key), Some(value), "{key}");
                }
            }
            assert_eq!(fast.checked.len(), general.unsecured.len());
            let subject: Value = serde_json::from_slice(&bytes[fast.subject.unwrap()]).unwrap();
            assert_eq!(Some(&subject), general.unsecured.get("credentialSubject"));
            assert!(split_canonical(&serde_json::to_vec_pretty(&v).unwrap()).is_none());
        }
        // No proof, a proof that is not an object, a proofValue that is not 64 bytes: left
        // to the general path, which names the problem.
        for v in [
            json!({"a": 1}),
            json!({"a": 1, "proof": "z"}),
            json!({"proof": {"proofValue": "z3yq"}}),
            json!({"proof": {"proofValue": 5}}),
            json!({"proof": {"type": "x"}}),
        ] {
            assert!(
                split_canonical(&canonical_bytes(&v).unwrap()).is_none(),
                "{v}"
            );
        }
    }

    #[test]
    fn each_malformation_is_named() {
        let (doc, p) = split(json!({"id": "x"}));
        assert_eq!(doc["id"], "x");
        assert_eq!(p.unwrap_err().0, Reason::NotSigned);
        for (proof, needle) in [
            (json!([{}, {}]), "set of 2"),
            (json!([]), "set of 0"),
            (json!(["z"]), "exactly one proof object"),
            (json!("z"), "object"),
            (json!({}), "missing"),
            (json!({"proofValue": 5}), "string"),
            (json!({"proofValue": "uabc"}), "prefix"),
            (json!({"proofValue": "z1111"}), "64"),
        ] {
            let (doc, p) = split(json!({"id": "x", "proof": proof}));
            assert!(!doc.contains_key("proof"));
            let (reason, detail) = p.unwrap_err();
            assert_eq!(reason, Reason::MalformedProof);
            assert!(detail.contains(needle), "{detail} lacks {needle}");
        }
    }
}
