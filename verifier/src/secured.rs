//! Splitting a secured document into the document and its proof without losing the document
//! when the proof is unusable (the verdict still shows who the credential claims to be from).

use hocba_schema::multibase::decode_base58btc;
use serde_json::{Map, Value};

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

fn proof_parts(proof: Option<Value>) -> ProofParts {
    let malformed = |detail: String| Err((Reason::MalformedProof, detail));
    let mut options = match proof {
        None => return Err((Reason::NotSigned, "the document has no `proof`".into())),
        Some(Value::Object(options)) => options,
        Some(Value::Array(items)) => {
            return malformed(format!(
                "`proof` is an array of {}; exactly one proof object is accepted",
                items.len()
            ));
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

    #[test]
    fn each_malformation_is_named() {
        let (doc, p) = split(json!({"id": "x"}));
        assert_eq!(doc["id"], "x");
        assert_eq!(p.unwrap_err().0, Reason::NotSigned);
        for (proof, needle) in [
            (json!([{}]), "array"),
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
