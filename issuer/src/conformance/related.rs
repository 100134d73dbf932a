//! `relatedResource` digests (VC 2.0 §5.3): a digest of a resource the conformance mode can
//! obtain — the context documents it holds ([`super::contexts`]), byte for byte — is computed
//! and compared, and a mismatch refused. A resource it cannot obtain (it fetches nothing) is
//! reported by [`unchecked`] as a warning of the verifier's answer, never as checked.
//!
//! `digestSRI` is a Subresource Integrity `hash-expression` list (`sha256-`, `sha384-`,
//! `sha512-` and standard base64, space-separated; each must match). `digestMultibase` is a
//! multibase (`u`, base64url without padding) digest: a multihash (SHA-256 `0x12 0x20`, SHA-384
//! `0x20 0x30`, SHA-512 `0x13 0x40`), or a bare SHA-256 / SHA-384 / SHA-512 digest told by its
//! length, as the data model's own examples write it.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::contexts;
use super::vc_model::Problem;

/// The resources of `doc`'s `relatedResource` (already checked for shape).
fn items(doc: &Map<String, Value>) -> Vec<&Map<String, Value>> {
    match doc.get("relatedResource") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_object).collect(),
        Some(Value::Object(o)) => vec![o],
        _ => Vec::new(),
    }
}

/// Each digest of a resource that can be obtained matches it.
pub(super) fn check_digests(doc: &Map<String, Value>) -> Result<(), Problem> {
    for item in items(doc) {
        let Some(id) = item.get("id").and_then(Value::as_str) else {
            continue;
        };
        let Some(bytes) = contexts::document(id) else {
            continue;
        };
        if let Some(sri) = item.get("digestSRI") {
            check_sri(id, sri, bytes.as_bytes())?;
        }
        if let Some(multibase) = item.get("digestMultibase") {
            check_multibase(id, multibase, bytes.as_bytes())?;
        }
    }
    Ok(())
}

/// The ids of related resources whose digests were not checked (not obtainable here).
pub(super) fn unchecked(doc: &Map<String, Value>) -> Vec<String> {
    items(doc)
        .into_iter()
        .filter_map(|item| item.get("id").and_then(Value::as_str))
        .filter(|id| contexts::document(id).is_none())
        .map(str::to_owned)
        .collect()
}

fn digest(algorithm: &str, bytes: &[u8]) -> Option<Vec<u8>> {
    match algorithm {
        "sha256" => Some(Sha256::digest(bytes).to_vec()),
        "sha384" => Some(Sha384::digest(bytes).to_vec()),
        "sha512" => Some(Sha512::digest(bytes).to_vec()),
        _ => None,
    }
}

fn check_sri(id: &str, value: &Value, bytes: &[u8]) -> Result<(), Problem> {
    let text = value.as_str().ok_or_else(|| {
        format!("relatedResource {id}: digestSRI must be a string, found {value}")
    })?;
    let mut any = false;
    for expression in text.split_ascii_whitespace() {
        any = true;
        // `?options` after the digest are allowed by the SRI grammar and ignored.
        let expression = expression.split('?').next().unwrap_or(expression);
        let (algorithm, encoded) = expression.split_once('-').ok_or_else(|| {
            format!("relatedResource {id}: digestSRI {expression:?} is not algorithm-base64")
        })?;
        let expected = digest(algorithm, bytes).ok_or_else(|| {
            format!("relatedResource {id}: digestSRI algorithm {algorithm:?} is not sha256, sha384 or sha512")
        })?;
        let given = STANDARD
            .decode(encoded)
            .map_err(|_| format!("relatedResource {id}: digestSRI {expression:?} is not base64"))?;
        if given != expected {
            return Err(format!(
                "relatedResource {id}: digestSRI {expression:?} does not match the resource"
            ));
        }
    }
    if any {
        Ok(())
    } else {
        Err(format!("relatedResource {id}: digestSRI is empty"))
    }
}

fn check_multibase(id: &str, value: &Value, bytes: &[u8]) -> Result<(), Problem> {
    let texts: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    for text in texts {
        let text = text.as_str().ok_or_else(|| {
            format!("relatedResource {id}: digestMultibase must be a string, found {text}")
        })?;
        let encoded = text.strip_prefix('u').ok_or_else(|| {
            format!(
                "relatedResource {id}: digestMultibase {text:?} is not base64url multibase (u…)"
            )
        })?;
        let given = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| {
            format!("relatedResource {id}: digestMultibase {text:?} is not base64url")
        })?;
        let (algorithm, hash) = match (given.len(), given.first(), given.get(1)) {
            (34, Some(0x12), Some(0x20)) => ("sha256", &given[2..]),
            (50, Some(0x20), Some(0x30)) => ("sha384", &given[2..]),
            (66, Some(0x13), Some(0x40)) => ("sha512", &given[2..]),
            (32, ..) => ("sha256", &given[..]),
            (48, ..) => ("sha384", &given[..]),
            (64, ..) => ("sha512", &given[..]),
            _ => {
                return Err(format!(
                    "relatedResource {id}: digestMultibase {text:?} is not a SHA-2 digest"
                ));
            }
        };
        if digest(algorithm, bytes).as_deref() != Some(hash) {
            return Err(format!(
                "relatedResource {id}: digestMultibase {text:?} does not match the resource"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    const V2: &str = "https://www.w3.org/ns/credentials/v2";

    fn doc(related: Value) -> Map<String, Value> {
        json!({"relatedResource": related})
            .as_object()
            .unwrap()
            .clone()
    }

    #[test]
    fn digests_of_a_held_context_are_computed_and_compared() {
        let bytes = contexts::document(V2).unwrap().as_bytes();
        let sri = format!("sha384-{}", STANDARD.encode(Sha384::digest(bytes)));
        let bare = format!("u{}", URL_SAFE_NO_PAD.encode(Sha256::digest(bytes)));
        let mut multihash = vec![0x12, 0x20];
        multihash.extend_from_slice(&Sha256::digest(bytes));
        let multihash = format!("u{}", URL_SAFE_NO_PAD.encode(multihash));
        for good in [
            json!({"id": V2, "digestSRI": sri}),
            json!({"id": V2, "digestMultibase": bare}),
            json!([{"id": V2, "digestMultibase": multihash, "digestSRI": sri}]),
            // Not obtainable here: not checked (and listed as unchecked).
            json!({"id": "https://example.org/logo.png", "digestSRI": "sha384-AAAA"}),
        ] {
            assert_eq!(check_digests(&doc(good.clone())), Ok(()), "{good}");
        }
        assert_eq!(
            unchecked(&doc(
                json!([{"id": V2}, {"id": "https://example.org/logo.png"}])
            )),
            vec!["https://example.org/logo.png".to_owned()]
        );
        // The digests the data-model suite gives for the 2024-07-20 draft of the context.
        for bad in [
            json!({"id": V2, "digestSRI": "sha384-NSOcNpmdIVUxIJGvGUoe22FjTWrXiaXlsZ8q6912LdnR3KraQO2n75Ica4wK4Qeg"}),
            json!({"id": V2, "digestMultibase": "uJKGMkOmFbVJhEfKTduMC2XCyvRAYLjOVmZWwIH1wQ7k"}),
            json!({"id": V2, "digestSRI": "sha384-_rCVIV7fSXXTNIvpiq26jRDyj8JG8TDjij-tD0ewLk4JpnXEz6a5AeeY_1qQ0d0P"}),
            json!({"id": V2, "digestSRI": "md5-AAAA"}),
            json!({"id": V2, "digestSRI": ""}),
            json!({"id": V2, "digestMultibase": "zQm"}),
            json!({"id": V2, "digestMultibase": "uAAAA"}),
        ] {
            let problem = check_digests(&doc(bad.clone())).unwrap_err();
            assert!(
                problem.starts_with(&format!("relatedResource {V2}: digest")),
                "{bad}: {problem}"
            );
        }
    }
}
