//! Enveloped credentials and presentations (VC 2.0 §4.13): an object whose `id` is a `data:`
//! URL holding a compact JWS (VC-JOSE-COSE), secured by the JWS rather than a Data Integrity
//! proof. The JWS is verified with the key of its `kid`, a `did:key`: Ed25519 (`EdDSA`) or
//! P-256 (`ES256`); anything else cannot be verified here and is refused. Its payload is the
//! credential or presentation (or carries it as `vc` / `vp`), whose issuer or holder must be
//! the DID that signed.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Verifier;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::vc_model::{CONTEXT_V2, Problem};

/// The multicodec header of a P-256 public key (`p256-pub`, 0x1200 as a varint).
const P256_HEADER: [u8; 2] = [0x80, 0x24];

/// What the JWS of an envelope says once verified: the signer's DID and the payload.
#[derive(Debug)]
pub(super) struct Opened {
    pub(super) signer: String,
    pub(super) payload: Map<String, Value>,
}

/// Check the envelope object `value` (type `wanted`) and verify its JWS at `now`.
pub(super) fn open(
    value: &Map<String, Value>,
    wanted: &str,
    path: &str,
    now: OffsetDateTime,
) -> Result<Opened, Problem> {
    let has_v2 = match value.get("@context") {
        Some(Value::String(s)) => s == CONTEXT_V2,
        Some(Value::Array(items)) => items.iter().any(|i| i.as_str() == Some(CONTEXT_V2)),
        _ => false,
    };
    if !has_v2 {
        return Err(format!(
            "{path}@context: an {wanted} must have a @context that includes {CONTEXT_V2}"
        ));
    }
    let type_ok = match value.get("type") {
        Some(Value::String(t)) => t == wanted,
        Some(Value::Array(items)) => items.len() == 1 && items[0].as_str() == Some(wanted),
        _ => false,
    };
    if !type_ok {
        return Err(format!("{path}type: must be {wanted}"));
    }
    let id = value.get("id").and_then(Value::as_str).unwrap_or("");
    let rest = id.strip_prefix("data:").ok_or_else(|| {
        format!(
            "{path}id: an {wanted}'s id must be a data: URL, found {:?}",
            shorten(id)
        )
    })?;
    let (media, jws) = rest
        .split_once(',')
        .ok_or_else(|| format!("{path}id: the data: URL has no ','"))?;
    let media_type = media.split(';').next().unwrap_or("");
    if !media_type.ends_with("jwt") {
        return Err(format!(
            "{path}id: media type {media_type:?} is not a JWT (only JOSE envelopes are verified here)"
        ));
    }
    verify_jws(jws, path, now)
}

fn shorten(text: &str) -> String {
    text.chars().take(40).collect()
}

fn decode_part(part: &str, what: &str, path: &str) -> Result<Vec<u8>, Problem> {
    URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| format!("{path}id: the JWS {what} is not base64url"))
}

fn verify_jws(jws: &str, path: &str, now: OffsetDateTime) -> Result<Opened, Problem> {
    let parts: Vec<&str> = jws.split('.').collect();
    let [header, payload, signature] = parts[..] else {
        return Err(format!(
            "{path}id: the data: URL does not hold a compact JWS (3 parts)"
        ));
    };
    let header_json: Map<String, Value> =
        serde_json::from_slice(&decode_part(header, "header", path)?)
            .map_err(|e| format!("{path}id: the JWS header is not a JSON object: {e}"))?;
    let payload_json: Map<String, Value> =
        serde_json::from_slice(&decode_part(payload, "payload", path)?)
            .map_err(|e| format!("{path}id: the JWS payload is not a JSON object: {e}"))?;
    let signature = decode_part(signature, "signature", path)?;
    let kid = header_json
        .get("kid")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            format!("{path}id: the JWS header has no kid, so its key cannot be found")
        })?;
    let (did, fragment) = kid.split_once('#').unwrap_or((kid, ""));
    let multibase = did
        .strip_prefix("did:key:")
        .ok_or_else(|| format!("{path}id: the JWS kid {kid:?} is not a did:key"))?;
    if !fragment.is_empty() && fragment != multibase {
        return Err(format!(
            "{path}id: the JWS kid {kid:?} names another key of the DID"
        ));
    }
    let signed = format!("{header}.{payload}");
    let alg = header_json.get("alg").and_then(Value::as_str).unwrap_or("");
    let verified = match alg {
        "EdDSA" => {
            let key = hocba_schema::multikey::decode_public_key(multibase)
                .map_err(|e| format!("{path}id: the JWS kid: {e}"))?;
            let signature: [u8; 64] = signature
                .try_into()
                .map_err(|_| format!("{path}id: an EdDSA signature must be 64 bytes"))?;
            hocba_verifier::verify_signature(&key, signed.as_bytes(), &signature).is_ok()
        }
        "ES256" => {
            let bytes = hocba_schema::multibase::decode_base58btc("kid", multibase)
                .map_err(|e| format!("{path}id: the JWS kid: {e}"))?;
            let point = bytes
                .strip_prefix(&P256_HEADER[..])
                .ok_or_else(|| format!("{path}id: the JWS kid {kid:?} is not a P-256 did:key"))?;
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
                .map_err(|_| format!("{path}id: the JWS kid {kid:?} is not a P-256 point"))?;
            let signature = p256::ecdsa::Signature::from_slice(&signature)
                .map_err(|_| format!("{path}id: an ES256 signature must be 64 bytes r‖s"))?;
            key.verify(signed.as_bytes(), &signature).is_ok()
        }
        other => {
            return Err(format!(
                "{path}id: JWS alg {other:?} is not verified here (EdDSA or ES256 with a did:key)"
            ));
        }
    };
    if !verified {
        return Err(format!(
            "{path}id: the JWS signature does not verify with {kid}"
        ));
    }
    if let Some(iss) = payload_json.get("iss").and_then(Value::as_str)
        && iss != did
    {
        return Err(format!(
            "{path}id: the JWS iss {iss:?} is not its signer {did:?}"
        ));
    }
    let seconds = OffsetDateTime::unix_timestamp(now);
    if let Some(exp) = payload_json.get("exp").and_then(Value::as_i64)
        && seconds >= exp
    {
        return Err(format!("{path}id: the JWS expired (exp {exp})"));
    }
    if let Some(nbf) = payload_json.get("nbf").and_then(Value::as_i64)
        && seconds < nbf
    {
        return Err(format!("{path}id: the JWS is not valid yet (nbf {nbf})"));
    }
    Ok(Opened {
        signer: did.to_owned(),
        payload: payload_json,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::keys::KeyPair;
    use serde_json::json;

    fn jws(key: &KeyPair, did: &str, payload: &Value) -> String {
        let header =
            json!({"alg": "EdDSA", "kid": format!("{did}#{}", did.trim_start_matches("did:key:"))});
        let h = URL_SAFE_NO_PAD.encode(header.to_string());
        let p = URL_SAFE_NO_PAD.encode(payload.to_string());
        let s = URL_SAFE_NO_PAD.encode(key.sign(format!("{h}.{p}").as_bytes()));
        format!("{h}.{p}.{s}")
    }

    #[test]
    fn an_eddsa_envelope_opens_and_a_tampered_one_does_not() {
        let key = KeyPair::from_seed(&[7; 32]);
        let did = super::super::did_key(&key.verifying_key());
        let payload = json!({"iss": did, "vp": {"type": "VerifiablePresentation"}});
        let token = jws(&key, &did, &payload);
        let envelope = |id: String| {
            json!({"@context": CONTEXT_V2, "type": "EnvelopedVerifiablePresentation", "id": id})
                .as_object()
                .unwrap()
                .clone()
        };
        let now = OffsetDateTime::UNIX_EPOCH;
        let opened = open(
            &envelope(format!("data:application/vp+jwt,{token}")),
            "EnvelopedVerifiablePresentation",
            "",
            now,
        )
        .unwrap();
        assert_eq!(opened.signer, did);
        assert_eq!(opened.payload["vp"]["type"], "VerifiablePresentation");
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        parts[1] = URL_SAFE_NO_PAD.encode(json!({"iss": did, "vp": {}}).to_string());
        let tampered = parts.join(".");
        let problem = open(
            &envelope(format!("data:application/vp+jwt,{tampered}")),
            "EnvelopedVerifiablePresentation",
            "",
            now,
        )
        .unwrap_err();
        assert!(problem.contains("does not verify"), "{problem}");
        let problem = open(
            &envelope(token.clone()),
            "EnvelopedVerifiablePresentation",
            "",
            now,
        )
        .unwrap_err();
        assert!(problem.contains("data: URL"), "{problem}");
        let mut no_v2 = envelope(format!("data:application/vp+jwt,{token}"));
        no_v2.insert("@context".into(), json!([]));
        assert!(
            open(&no_v2, "EnvelopedVerifiablePresentation", "", now)
                .unwrap_err()
                .contains("@context")
        );
        let other = super::super::did_key(&KeyPair::from_seed(&[8; 32]).verifying_key());
        let lying = jws(&key, &did, &json!({"iss": other}));
        assert!(
            open(
                &envelope(format!("data:application/jwt,{lying}")),
                "EnvelopedVerifiablePresentation",
                "",
                now
            )
            .unwrap_err()
            .contains("iss")
        );
    }

    #[test]
    fn an_es256_envelope_by_a_p256_did_key_opens_and_a_tampered_one_does_not() {
        use p256::ecdsa::signature::Signer;
        let key = p256::ecdsa::SigningKey::from_slice(&[5; 32]).unwrap();
        let point = key.verifying_key().to_sec1_point(true);
        let mut multikey = P256_HEADER.to_vec();
        multikey.extend_from_slice(point.as_bytes());
        let multibase = hocba_schema::multibase::encode_base58btc(&multikey);
        let did = format!("did:key:{multibase}");
        let header = json!({"alg": "ES256", "kid": format!("{did}#{multibase}")});
        let payload = json!({"iss": did, "vc": {"issuer": did}});
        let h = URL_SAFE_NO_PAD.encode(header.to_string());
        let p = URL_SAFE_NO_PAD.encode(payload.to_string());
        let signature: p256::ecdsa::Signature = key.sign(format!("{h}.{p}").as_bytes());
        let sig = URL_SAFE_NO_PAD.encode(signature.to_bytes());
        let envelope = |token: String| {
            json!({"@context": [CONTEXT_V2], "type": ["EnvelopedVerifiableCredential"], "id": format!("data:application/vc+jwt,{token}")})
                .as_object()
                .unwrap()
                .clone()
        };
        let now = OffsetDateTime::UNIX_EPOCH;
        let opened = open(
            &envelope(format!("{h}.{p}.{sig}")),
            "EnvelopedVerifiableCredential",
            "",
            now,
        )
        .unwrap();
        assert_eq!(opened.signer, did);
        let other = URL_SAFE_NO_PAD
            .encode(json!({"iss": did, "vc": {"issuer": "did:example:x"}}).to_string());
        let problem = open(
            &envelope(format!("{h}.{other}.{sig}")),
            "EnvelopedVerifiableCredential",
            "",
            now,
        )
        .unwrap_err();
        assert!(problem.contains("does not verify"), "{problem}");
        // No kid: no key to verify with.
        let bare = URL_SAFE_NO_PAD.encode(json!({"alg": "ES256"}).to_string());
        let problem = open(
            &envelope(format!("{bare}.{p}.{sig}")),
            "EnvelopedVerifiableCredential",
            "",
            now,
        )
        .unwrap_err();
        assert!(problem.contains("no kid"), "{problem}");
        // Expired.
        let late = URL_SAFE_NO_PAD.encode(json!({"iss": did, "exp": 0}).to_string());
        let signature: p256::ecdsa::Signature = key.sign(format!("{h}.{late}").as_bytes());
        let sig = URL_SAFE_NO_PAD.encode(signature.to_bytes());
        let problem = open(
            &envelope(format!("{h}.{late}.{sig}")),
            "EnvelopedVerifiableCredential",
            "",
            now,
        )
        .unwrap_err();
        assert!(problem.contains("expired"), "{problem}");
    }
}
