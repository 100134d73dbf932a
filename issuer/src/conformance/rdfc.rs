//! The `eddsa-rdfc-2022` cryptosuite (W3C vc-di-eddsa §3.3), for the conformance mode only:
//! the W3C suites sign presentations (and the credentials in them) with it whatever an
//! implementation claims. The product signs and verifies `eddsa-jcs-2022` only.
//!
//! `hashData` = SHA-256(canonical N-Quads of the proof configuration, with the document's
//! `@context`) ‖ SHA-256(canonical N-Quads of the document without its proof). A document is
//! turned into RDF by a JSON-LD processor (`sophia_jsonld`, the `json-ld` crate's expansion and
//! toRdf) whose document loader holds only the vendored W3C contexts ([`super::contexts`]:
//! nothing is fetched), and canonicalised with RDFC-1.0 (`sophia_c14n`, SHA-256, with its
//! bounds on blank-node permutations so a hostile document cannot make it run forever).
//!
//! The JSON-LD processor is compiled only with the cargo feature `rdfc` (about two minutes
//! more of a clean build on two cores); without it every function here answers that
//! `eddsa-rdfc-2022` is not built in — a proof is never reported as verified unchecked.

use ed25519_dalek::VerifyingKey;
use hocba_schema::proof::{PROOF_PURPOSE, PROOF_TYPE, SecuredDocument, attach_proof};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::vc_model::Problem;
use crate::keys::KeyPair;

/// The cryptosuite's name in `proof.cryptosuite`.
pub const CRYPTOSUITE: &str = "eddsa-rdfc-2022";

/// Whether this build verifies and signs `eddsa-rdfc-2022` (the `rdfc` feature).
pub const BUILT_IN: bool = cfg!(feature = "rdfc");

/// The canonical N-Quads (RDFC-1.0) of the JSON-LD document `doc`. Its contexts must be the
/// vendored ones; a term they do not define is dropped by JSON-LD (the conformance mode
/// refuses such documents before, see [`super::terms`]).
#[cfg(feature = "rdfc")]
pub fn canonical_nquads(doc: &Map<String, Value>) -> Result<String, Problem> {
    use sophia_api::quad::Spog;
    use sophia_api::term::{SimpleTerm, Term};
    use sophia_jsonld::loader::{ClosureLoader, FutureExt};
    use sophia_jsonld::{JsonLdOptions, JsonLdParser, JsonLdQuadSource};

    let text = serde_json::to_string(doc).map_err(|e| format!("JSON: {e}"))?;
    let options = JsonLdOptions::new()
        .with_no_base()
        .with_document_loader_closure(|| {
            ClosureLoader::new(|url| {
                let url: String = url.as_str().to_owned();
                let found = super::contexts::document(&url)
                    .map(str::to_owned)
                    .ok_or_else(|| {
                        format!("the context {url} is not one of the W3C contexts known here")
                    });
                async move { found }.boxed()
            })
        });
    let parser = JsonLdParser::new_with_options(options);
    // The loader answers from memory, so the future is ready at once; no runtime is needed
    // (and none may be started inside the server's).
    let quads = match futures::executor::block_on(parser.async_parse_str(&text)) {
        JsonLdQuadSource::Quads(quads) => quads,
        JsonLdQuadSource::Err(e) => {
            let detail = e.map_or_else(|| "unknown error".to_owned(), |e| e.to_string());
            return Err(format!("JSON-LD to RDF: {detail}"));
        }
    };
    let dataset: std::collections::HashSet<Spog<SimpleTerm<'static>>> = quads
        .map(|([s, p, o], g)| {
            (
                [s.into_term(), p.into_term(), o.into_term()],
                g.map(Term::into_term),
            )
        })
        .collect();
    let mut out = Vec::new();
    sophia_c14n::rdfc10::normalize(&dataset, &mut out)
        .map_err(|e| format!("RDF dataset canonicalization: {e}"))?;
    String::from_utf8(out).map_err(|e| format!("RDF dataset canonicalization: {e}"))
}

/// Without the `rdfc` feature: the cryptosuite is not built in.
#[cfg(not(feature = "rdfc"))]
pub fn canonical_nquads(_doc: &Map<String, Value>) -> Result<String, Problem> {
    Err(format!(
        "{CRYPTOSUITE} cannot be verified here: hocba-conformance was built without the `rdfc` \
         feature (RDF dataset canonicalization needs a JSON-LD processor; build with \
         `--features rdfc`)"
    ))
}

fn sha256(text: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes()).into()
}

/// `hashData` of `config` (the proof without `proofValue`) for `doc` (without `proof`):
/// the configuration is canonicalised with the document's `@context`.
pub fn hash_data(
    config: &Map<String, Value>,
    doc: &Map<String, Value>,
) -> Result<[u8; 64], Problem> {
    let mut config = config.clone();
    match doc.get("@context") {
        Some(context) => {
            config.insert("@context".into(), context.clone());
        }
        None => return Err("@context: a JSON-LD document must have one".into()),
    }
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&sha256(&canonical_nquads(&config)?));
    out[32..].copy_from_slice(&sha256(&canonical_nquads(doc)?));
    Ok(out)
}

/// `hashData` of a secured document: its proof options and the document as hashed (the
/// proof's `@context` in it when that is a prefix of the document's, vc-di-eddsa §3.3.2).
pub fn secured_hash_data(secured: &SecuredDocument) -> Result<[u8; 64], Problem> {
    if !secured.context_matches() {
        return Err("proof.@context: must be the document's @context or a prefix of it".into());
    }
    hash_data(&secured.proof_options, &secured.hashed_document())
}

/// `doc` secured with an `eddsa-rdfc-2022` proof by `key` as `verification_method` at
/// `created` for `purpose` (`assertionMethod`, or `authentication` for a presentation), with
/// the other proof `options` (e.g. `challenge`, `domain`). Deterministic (Ed25519).
pub fn sign_document(
    key: &KeyPair,
    doc: &Map<String, Value>,
    verification_method: &str,
    created: &str,
    purpose: &str,
    options: &Map<String, Value>,
) -> Result<Value, Problem> {
    let mut config = Map::new();
    config.insert("type".into(), PROOF_TYPE.into());
    config.insert("cryptosuite".into(), CRYPTOSUITE.into());
    config.insert("created".into(), created.into());
    config.insert("verificationMethod".into(), verification_method.into());
    config.insert("proofPurpose".into(), purpose.into());
    for (name, value) in options {
        config.insert(name.clone(), value.clone());
    }
    let hash = hash_data(&config, doc)?;
    let mut secured = doc.clone();
    attach_proof(&mut secured, config, &key.sign(&hash));
    Ok(Value::Object(secured))
}

/// Check a credential's `eddsa-rdfc-2022` proof with `key` at `now`: `type`
/// DataIntegrityProof, this cryptosuite, `proofPurpose` assertionMethod, the `@context`
/// prefix, `created` / `expires`, then Ed25519 `verify_strict` over `hashData`.
pub fn verify_proof_at(
    secured: &SecuredDocument,
    key: &VerifyingKey,
    now: OffsetDateTime,
) -> Result<(), Problem> {
    let expect = |name: &str, wanted: &str| match secured.proof_options.get(name) {
        Some(Value::String(s)) if s == wanted => Ok(()),
        Some(other) => Err(format!("proof.{name} is {other}, expected {wanted:?}")),
        None => Err(format!("proof.{name} is missing, expected {wanted:?}")),
    };
    expect("type", PROOF_TYPE)?;
    expect("cryptosuite", CRYPTOSUITE)?;
    expect("proofPurpose", PROOF_PURPOSE)?;
    hocba_verifier::check_proof_times(secured, now).map_err(|f| format!("proof: {f}"))?;
    let hash = secured_hash_data(secured)?;
    hocba_verifier::verify_signature(key, &hash, &secured.signature)
        .map_err(|f| format!("proof: {f}"))
}
