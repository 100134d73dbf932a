//! The conformance mode (`hocba-conformance`): a loopback-only VC-API issuer and verifier
//! that lets the W3C test suites (vc-di-eddsa, vc-data-model-2.0, vc-bitstring-status-list)
//! exercise the project's `eddsa-jcs-2022` and status-list code without touching the
//! product's trust model.
//!
//! * It signs **any** VC 2.0 credential (checked against the data model's MUSTs,
//!   [`vc_model`]) with one Ed25519 key named as a `did:key`, using the same proof code as the
//!   issuer ([`hocba_schema::proof`]), and gives each a `BitstringStatusListEntry` in a
//!   status list it serves and signs ([`hocba_schema::status_list::Bitstring`]).
//! * It verifies presentations ([`presentation`]: the data model's rules, the presentation's
//!   and each credential's proof, enveloped JOSE credentials and presentations).
//! * Every term a document uses must be defined by its contexts ([`terms`]), which come only
//!   from the vendored W3C context documents ([`contexts`]); `relatedResource` digests of
//!   those documents are checked ([`related`]).
//! * It verifies credentials whose `verificationMethod` is a `did:key` (Ed25519), with the
//!   verifier's proof checks ([`hocba_verifier::verify_proof_at`]: options, `created`,
//!   `expires`, `@context` prefix, `verify_strict`) and, for entries in its own lists, status.
//! * With the cargo feature `rdfc` it also verifies `eddsa-rdfc-2022` proofs ([`rdfc`]: a
//!   JSON-LD processor and RDF dataset canonicalization), which the W3C suites use for the
//!   presentations they sign themselves.
//! * It binds only loopback addresses ([`check_loopback`]): it is a test fixture, not a
//!   service. Nothing it signs is trusted by `hocba-verify`, which accepts keys only from a
//!   signed trust list and never resolves `did:key`.
//!
//! The key is made at start (or read from `--key-file`), lives only in memory and is never
//! printed; the `did:key` is its public half. The manifest for the suites
//! (`localConfig.cjs`, see the README's "W3C conformance") is written by [`manifest`].

mod contexts;
mod envelope;
mod handlers;
pub mod presentation;
pub mod rdfc;
mod related;
mod terms;
pub mod vc_model;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use crate::keys::KeyPair;
use axum::Router;
use axum::routing::{get, post};
use hocba_schema::multikey::encode_public_key;
use hocba_schema::status_list::{Bitstring, MIN_ENTRIES};

/// Why the conformance mode will not start.
#[derive(Debug, thiserror::Error)]
pub enum ConformanceError {
    /// The listen address is not a loopback address.
    #[error(
        "hocba-conformance listens only on loopback (127.0.0.0/8 or ::1), not {0}: it is a test fixture"
    )]
    NotLoopback(SocketAddr),
}

/// Refuse any address but loopback.
pub fn check_loopback(addr: SocketAddr) -> Result<(), ConformanceError> {
    if addr.ip().is_loopback() {
        Ok(())
    } else {
        Err(ConformanceError::NotLoopback(addr))
    }
}

/// The conformance service's state: its key, its `did:key`, its base URL and its one status
/// list. Cheap to clone.
#[derive(Clone)]
pub struct Conformance {
    inner: Arc<Inner>,
}

struct Inner {
    key: KeyPair,
    did: String,
    base: String,
    status: Mutex<StatusState>,
}

struct StatusState {
    bits: Bitstring,
    next: usize,
    /// The index given to each credential issued with an `id`.
    by_credential: std::collections::HashMap<String, usize>,
}

impl std::fmt::Debug for Conformance {
    /// The key is not shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conformance")
            .field("did", &self.inner.did)
            .field("base", &self.inner.base)
            .finish_non_exhaustive()
    }
}

impl Conformance {
    /// The service signing with `key`, reachable at `base` (e.g. `http://127.0.0.1:40443`,
    /// no trailing slash).
    pub fn new(key: KeyPair, base: &str) -> Self {
        let did = did_key(&key.verifying_key());
        Self {
            inner: Arc::new(Inner {
                key,
                did,
                base: base.trim_end_matches('/').to_owned(),
                status: Mutex::new(StatusState {
                    bits: Bitstring::new(MIN_ENTRIES),
                    next: 0,
                    by_credential: std::collections::HashMap::new(),
                }),
            }),
        }
    }

    /// The issuer's `did:key`.
    pub fn did(&self) -> &str {
        &self.inner.did
    }

    /// The verification method: `did:key:z…#z…`.
    pub fn verification_method(&self) -> String {
        let fragment = self.inner.did.trim_start_matches("did:key:");
        format!("{}#{fragment}", self.inner.did)
    }

    /// The URL of the status list.
    pub fn status_list_url(&self) -> String {
        format!("{}/status/1", self.inner.base)
    }

    /// The routes: `POST /credentials/issue` (and `POST /rdfc/credentials/issue`, signing
    /// with `eddsa-rdfc-2022`), `POST /credentials/verify`,
    /// `POST /credentials/status`, `POST /presentations/verify`, `GET /status/1`.
    pub fn router(self) -> Router {
        Router::new()
            .route("/credentials/issue", post(handlers::issue))
            .route("/rdfc/credentials/issue", post(handlers::issue_rdfc))
            .route("/credentials/verify", post(handlers::verify))
            .route("/credentials/status", post(handlers::update_status))
            .route("/presentations/verify", post(handlers::verify_presentation))
            .route("/status/1", get(handlers::status_list))
            .with_state(self)
    }
}

/// `doc` secured with an `eddsa-jcs-2022` proof by `key` as `verification_method` at
/// `created`: the issuer's proof code ([`hocba_schema::proof::secure_canonical`]), read back
/// as JSON. Deterministic (Ed25519), so the W3C test vector is reproduced byte for byte.
pub fn sign_document(
    key: &KeyPair,
    doc: &serde_json::Map<String, serde_json::Value>,
    verification_method: &str,
    created: &str,
) -> Result<serde_json::Value, String> {
    let config = hocba_schema::proof::proof_config(doc, verification_method, created);
    let bytes = hocba_schema::proof::secure_canonical(doc, config, |hash| key.sign(hash))
        .map_err(|e| e.to_string())?;
    serde_json::from_slice(&bytes).map_err(|e| e.to_string())
}

/// `did:key:` + the Multikey encoding of the public key (`z6Mk…`).
pub fn did_key(key: &ed25519_dalek::VerifyingKey) -> String {
    format!("did:key:{}", encode_public_key(key))
}

/// The Ed25519 key of a `did:key` verification method (`did:key:z6Mk…#z6Mk…`, or the DID
/// alone); `None` for anything else.
pub fn resolve_did_key(verification_method: &str) -> Option<ed25519_dalek::VerifyingKey> {
    let rest = verification_method.strip_prefix("did:key:")?;
    let (did, fragment) = match rest.split_once('#') {
        Some((did, fragment)) => (did, Some(fragment)),
        None => (rest, None),
    };
    if fragment.is_some_and(|f| f != did) {
        return None;
    }
    hocba_schema::multikey::decode_public_key(did).ok()
}

/// The suites' `localConfig.cjs` for a conformance service at `base` with `did` as issuer id:
/// one implementation with an issuer and a verifier tagged for each of the three suites. Built
/// with the `rdfc` feature, the verifiers are tagged `eddsa-rdfc-2022` too. The issuer
/// `…/rdfc/credentials/issue` is not listed: the vc-di-eddsa suite's rdfc issuer tests do not
/// pass against it yet (its first request is refused), so the tag is not claimed for issuing.
pub fn manifest(base: &str, did: &str) -> String {
    let tags = r#"["eddsa-jcs-2022", "vc2.0", "BitstringStatusList", "localhost"]"#;
    // The verifiers also open JOSE envelopes; the issuer makes none.
    let verifier_tags = if rdfc::BUILT_IN {
        r#"["eddsa-jcs-2022", "eddsa-rdfc-2022", "vc2.0", "BitstringStatusList", "EnvelopingProof", "localhost"]"#
    } else {
        r#"["eddsa-jcs-2022", "vc2.0", "BitstringStatusList", "EnvelopingProof", "localhost"]"#
    };
    format!(
        "// Written by hocba-conformance: the W3C suites' local implementation.\n\
         module.exports = {{\n  settings: {{enableInteropTests: false, testAllImplementations: false}},\n  \
         implementations: [{{\n    name: 'hocba',\n    implementation: 'hocba-conformance',\n    \
         issuers: [{{\n      id: '{did}',\n      endpoint: '{base}/credentials/issue',\n      \
         supports: {{vc: ['2.0']}},\n      tags: {tags}\n    }}],\n    \
         verifiers: [{{\n      id: '{did}',\n      endpoint: '{base}/credentials/verify',\n      \
         supports: {{vc: ['2.0']}},\n      tags: {verifier_tags}\n    }}],\n    \
         vpVerifiers: [{{\n      id: '{did}',\n      endpoint: '{base}/presentations/verify',\n      \
         supports: {{vc: ['2.0']}},\n      tags: {verifier_tags}\n    }}]\n  }}]\n}};\n"
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn only_loopback_binds() {
        assert!(check_loopback("127.0.0.1:0".parse().unwrap()).is_ok());
        assert!(check_loopback("[::1]:0".parse().unwrap()).is_ok());
        assert!(check_loopback("0.0.0.0:0".parse().unwrap()).is_err());
        assert!(check_loopback("192.168.1.2:80".parse().unwrap()).is_err());
    }

    #[test]
    fn did_key_round_trips() {
        let key = KeyPair::from_seed(&[9; 32]);
        let public = key.verifying_key();
        let c = Conformance::new(key, "http://127.0.0.1:1/");
        assert!(c.did().starts_with("did:key:z6Mk"));
        assert_eq!(resolve_did_key(&c.verification_method()), Some(public));
        assert_eq!(resolve_did_key(c.did()), Some(public));
        let other = did_key(&KeyPair::from_seed(&[8; 32]).verifying_key());
        let mixed = format!("{}#{}", c.did(), other.trim_start_matches("did:key:"));
        assert_eq!(resolve_did_key(&mixed), None);
        assert_eq!(resolve_did_key("did:web:example.org#k"), None);
        assert_eq!(c.status_list_url(), "http://127.0.0.1:1/status/1");
    }
}
