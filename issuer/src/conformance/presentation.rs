//! Verifying presentations (VC-API `POST /presentations/verify`): the VC 2.0 data model's
//! rules for a verifiable presentation (§4.13) and the proofs the conformance mode can check.
//!
//! * A presentation's `@context` starts with the base context and defines every term it uses
//!   ([`super::terms`]); its `type` includes `VerifiablePresentation`; its `id`, when present,
//!   is a URL; its `holder`, when present, is a URL or an object with a URL `id`.
//! * Each `verifiableCredential` is an object (never a string or a URL): an enveloped
//!   credential ([`super::envelope`]), or a credential that meets the data model and carries
//!   its own proof, verified as `POST /credentials/verify` does (a `did:key` and
//!   `eddsa-jcs-2022`).
//! * Secured by a proof: `DataIntegrityProof` with `eddsa-jcs-2022`, `proofPurpose`
//!   `authentication`, by a `did:key` that is the holder's when a holder is named, with the
//!   request's `challenge` and `domain` when given, within its `created` / `expires`. Or by
//!   an envelope (`EnvelopedVerifiablePresentation`), whose JWS `nonce` / `aud` must then match
//!   the `challenge` / `domain`. A presentation with neither is refused: nothing says who
//!   presented it. Proofs (the presentation's and its credentials') may also be
//!   `eddsa-rdfc-2022` ([`super::rdfc`], as the W3C suite signs them) when the `rdfc` feature
//!   is built in; without it, or with any other cryptosuite, the proof is refused as not
//!   verifiable here — never reported as verified.

use hocba_schema::proof::SecuredDocument;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::envelope;
use super::vc_model::{
    Problem, check_context, check_credential, check_validity, is_url, type_list,
};
use super::{rdfc, resolve_did_key, terms};

/// The request's `challenge` and `domain` (VC-API `options`).
#[derive(Debug, Default)]
pub struct Options {
    /// The challenge the presentation's proof (or envelope `nonce`) must carry.
    pub challenge: Option<String>,
    /// The domain the presentation's proof (or envelope `aud`) must name.
    pub domain: Option<String>,
}

/// Verify the presentation `vp` at `now`.
pub fn verify_presentation(
    vp: &Map<String, Value>,
    options: &Options,
    now: OffsetDateTime,
) -> Result<(), Problem> {
    let types = type_list(vp.get("type")).unwrap_or_default();
    if types.contains(&"EnvelopedVerifiablePresentation") {
        return verify_enveloped(vp, options, now);
    }
    check_presentation(vp, "", now)?;
    verify_proof(vp, options, now)
}

/// The data model's rules for a presentation and its credentials (not its own proof).
fn check_presentation(
    vp: &Map<String, Value>,
    path: &str,
    now: OffsetDateTime,
) -> Result<(), Problem> {
    check_context(vp.get("@context")).map_err(|p| format!("{path}{p}"))?;
    let types = type_list(vp.get("type"))
        .ok_or_else(|| format!("{path}type: must be a string or a list of strings"))?;
    if !types.contains(&"VerifiablePresentation") {
        return Err(format!(
            "{path}type: must include VerifiablePresentation, found {types:?}"
        ));
    }
    terms::check_terms(vp).map_err(|p| format!("{path}{p}"))?;
    if let Some(id) = vp.get("id")
        && !id.as_str().is_some_and(is_url)
    {
        return Err(format!("{path}id: must be a URL, found {id}"));
    }
    match vp.get("holder") {
        None => {}
        Some(Value::String(h)) if is_url(h) => {}
        Some(Value::Object(o)) if o.get("id").and_then(Value::as_str).is_some_and(is_url) => {}
        Some(other) => {
            return Err(format!(
                "{path}holder: must be a URL or an object whose id is a URL, found {other}"
            ));
        }
    }
    let credentials: Vec<&Value> = match vp.get("verifiableCredential") {
        None => Vec::new(),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(other) => vec![other],
    };
    for (i, credential) in credentials.into_iter().enumerate() {
        let at = format!("{path}verifiableCredential[{i}].");
        let Value::Object(credential) = credential else {
            return Err(format!(
                "{at}: each verifiable credential must be an object (a credential or an \
                 enveloped credential), not {}",
                kind(credential)
            ));
        };
        check_embedded_credential(credential, &at, now)?;
    }
    Ok(())
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "a string",
        Value::Number(_) => "a number",
        Value::Bool(_) => "a boolean",
        Value::Null => "null",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// One credential of a presentation: enveloped (its JWS verified, its payload a credential),
/// or embedded with its own verified proof.
fn check_embedded_credential(
    credential: &Map<String, Value>,
    at: &str,
    now: OffsetDateTime,
) -> Result<(), Problem> {
    let types = type_list(credential.get("type")).unwrap_or_default();
    if types.contains(&"EnvelopedVerifiableCredential") {
        return verify_enveloped_credential(credential, at, now);
    }
    check_credential(credential).map_err(|p| format!("{at}{p}"))?;
    check_validity(credential, now).map_err(|p| format!("{at}{p}"))?;
    if !credential.contains_key("proof") {
        return Err(format!("{at}proof: the credential has no proof of its own"));
    }
    let secured = SecuredDocument::from_value(Value::Object(credential.clone()))
        .map_err(|e| format!("{at}proof: {e}"))?;
    let rdfc = cryptosuite_supported(&secured, at)?;
    let vm = secured.proof_str("verificationMethod").unwrap_or("");
    let key = resolve_did_key(vm)
        .ok_or_else(|| format!("{at}proof.verificationMethod: {vm:?} is not an Ed25519 did:key"))?;
    if rdfc {
        return rdfc::verify_proof_at(&secured, &key, now).map_err(|p| format!("{at}{p}"));
    }
    hocba_verifier::verify_proof_at(&secured, &key, now).map_err(|f| format!("{at}proof: {f}"))
}

/// An `EnvelopedVerifiableCredential`: its JWS verified, its payload a credential that meets
/// the data model, is within its validity period and was issued by the DID that signed it.
pub(super) fn verify_enveloped_credential(
    credential: &Map<String, Value>,
    at: &str,
    now: OffsetDateTime,
) -> Result<(), Problem> {
    let opened = envelope::open(credential, "EnvelopedVerifiableCredential", at, now)?;
    let inner = match opened.payload.get("vc") {
        Some(Value::Object(vc)) => vc.clone(),
        _ => opened.payload,
    };
    check_credential(&inner).map_err(|p| format!("{at}(enveloped) {p}"))?;
    check_validity(&inner, now).map_err(|p| format!("{at}(enveloped) {p}"))?;
    let issuer = issuer_id(&inner);
    if issuer.as_deref() != Some(opened.signer.as_str()) {
        return Err(format!(
            "{at}(enveloped) issuer {issuer:?} is not the DID that signed it ({})",
            opened.signer
        ));
    }
    Ok(())
}

fn issuer_id(doc: &Map<String, Value>) -> Option<String> {
    match doc.get("issuer")? {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("id").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

fn holder_id(doc: &Map<String, Value>) -> Option<String> {
    match doc.get("holder")? {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("id").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

/// Only `DataIntegrityProof` with `eddsa-jcs-2022`, or `eddsa-rdfc-2022` when the `rdfc`
/// feature is built in, can be verified here. `Ok(true)` for `eddsa-rdfc-2022`.
fn cryptosuite_supported(secured: &SecuredDocument, at: &str) -> Result<bool, Problem> {
    let proof_type = secured.proof_str("type").unwrap_or("");
    let suite = secured.proof_str("cryptosuite").unwrap_or("");
    match (proof_type, suite) {
        ("DataIntegrityProof", "eddsa-jcs-2022") => Ok(false),
        ("DataIntegrityProof", rdfc::CRYPTOSUITE) if rdfc::BUILT_IN => Ok(true),
        _ => Err(format!(
            "{at}proof: type {proof_type:?} with cryptosuite {suite:?} cannot be verified here \
             (only DataIntegrityProof eddsa-jcs-2022{}; this build has {})",
            if rdfc::BUILT_IN {
                " or eddsa-rdfc-2022"
            } else {
                ""
            },
            if rdfc::BUILT_IN {
                "the rdfc feature"
            } else {
                "no JSON-LD processor for eddsa-rdfc-2022: build with --features rdfc"
            }
        )),
    }
}

/// The presentation's own Data Integrity proof.
fn verify_proof(
    vp: &Map<String, Value>,
    options: &Options,
    now: OffsetDateTime,
) -> Result<(), Problem> {
    if !vp.contains_key("proof") {
        return Err(
            "proof: the presentation has no proof (nor an envelope): nothing says who presented it"
                .into(),
        );
    }
    let secured = SecuredDocument::from_value(Value::Object(vp.clone()))
        .map_err(|e| format!("proof: {e}"))?;
    let rdfc = cryptosuite_supported(&secured, "")?;
    let purpose = secured.proof_str("proofPurpose").unwrap_or("");
    if purpose != "authentication" {
        return Err(format!(
            "proof.proofPurpose: a presentation's proof must be for authentication, found {purpose:?}"
        ));
    }
    if !secured.context_matches() {
        return Err("proof.@context: must be the presentation's @context or a prefix of it".into());
    }
    if let Some(challenge) = &options.challenge
        && secured.proof_str("challenge") != Some(challenge.as_str())
    {
        return Err(format!(
            "proof.challenge: must be the request's challenge {challenge:?}"
        ));
    }
    if let Some(domain) = &options.domain {
        let matches = match secured.proof_options.get("domain") {
            Some(Value::String(d)) => d == domain,
            Some(Value::Array(items)) => items.iter().any(|d| d.as_str() == Some(domain)),
            _ => false,
        };
        if !matches {
            return Err(format!(
                "proof.domain: must include the request's domain {domain:?}"
            ));
        }
    }
    let vm = secured.proof_str("verificationMethod").unwrap_or("");
    let key = resolve_did_key(vm)
        .ok_or_else(|| format!("proof.verificationMethod: {vm:?} is not an Ed25519 did:key"))?;
    if let Some(holder) = holder_id(vp)
        && vm.split('#').next() != Some(holder.as_str())
    {
        return Err(format!(
            "proof.verificationMethod: {vm:?} is not a key of the holder {holder:?}"
        ));
    }
    hocba_verifier::check_proof_times(&secured, now).map_err(|f| format!("proof: {f}"))?;
    let hash = if rdfc {
        rdfc::secured_hash_data(&secured)?
    } else {
        jcs_hash(&secured)?
    };
    hocba_verifier::verify_signature(&key, &hash, &secured.signature)
        .map_err(|f| format!("proof: {f}"))
}

/// `hashData` of an `eddsa-jcs-2022` proof; a document beyond the project's limits on signed
/// JSON (NFC, number range) is hashed with plain RFC 8785, as the cryptosuite defines it.
fn jcs_hash(secured: &SecuredDocument) -> Result<[u8; 64], Problem> {
    match secured.hash_data() {
        Ok(hash) => Ok(hash),
        Err(
            hocba_schema::SchemaError::NotNfc { .. }
            | hocba_schema::SchemaError::NumberOutOfRange { .. },
        ) => secured
            .hash_data_unchecked()
            .map_err(|e| format!("proof: {e}")),
        Err(e) => Err(format!("proof: {e}")),
    }
}

/// An enveloped presentation: its JWS, its `nonce` / `aud` against the request, and the
/// presentation it carries (whose holder, when named, is the signer).
fn verify_enveloped(
    vp: &Map<String, Value>,
    options: &Options,
    now: OffsetDateTime,
) -> Result<(), Problem> {
    let opened = envelope::open(vp, "EnvelopedVerifiablePresentation", "", now)?;
    if let Some(challenge) = &options.challenge
        && opened.payload.get("nonce").and_then(Value::as_str) != Some(challenge.as_str())
    {
        return Err(format!(
            "id: the enveloped presentation's nonce must be the request's challenge {challenge:?}"
        ));
    }
    if let Some(domain) = &options.domain
        && opened.payload.get("aud").and_then(Value::as_str) != Some(domain.as_str())
    {
        return Err(format!(
            "id: the enveloped presentation's aud must be the request's domain {domain:?}"
        ));
    }
    let inner = match opened.payload.get("vp") {
        Some(Value::Object(vp)) => vp.clone(),
        _ => opened.payload.clone(),
    };
    check_presentation(&inner, "(enveloped) ", now)?;
    if let Some(holder) = holder_id(&inner)
        && holder != opened.signer
    {
        return Err(format!(
            "(enveloped) holder {holder:?} is not the DID that signed the envelope ({})",
            opened.signer
        ));
    }
    Ok(())
}
