//! [`VerifiedCredential`]: what a successful verification hands back (the verified document,

//! read lazily on the fast path, and the trust list entries that vouched for it).

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use hocba_schema::proof::SecuredDocument;
use hocba_schema::trust_list::{TrustedKey, TrustedSchool};
use serde_json::{Map, Value};

/// A credential whose every check passed. Only a successful verification makes one; it gives
/// access to the verified document and the trust list entries that vouched for it.
#[derive(Debug, Clone)]
pub struct VerifiedCredential {
    /// The document as verified; on the fast path, read from `canonical` when first asked for.
    pub(super) secured: OnceLock<SecuredDocument>,
    /// The verified bytes, when they were verified on the fast path.
    pub(super) canonical: Option<Arc<[u8]>>,
    /// Where `credentialSubject`'s value lies in `canonical` (fast path).
    pub(super) subject_range: Option<Range<usize>>,
    /// `credentialSubject` alone, read from `canonical` when asked for before the document.
    pub(super) subject: OnceLock<Option<Value>>,
    /// The school as the trust list registers it (shared with the list's index).
    pub(super) school: Arc<TrustedSchool>,
    /// Which of the school's keys signed.
    pub(super) key_index: usize,
}

impl VerifiedCredential {
    /// The document without its proof.
    pub fn document(&self) -> &Map<String, Value> {
        &self.secured().unsecured
    }

    /// `credentialSubject`: the school-year record.
    ///
    /// On the fast path, when the whole document has not been read yet, only the subject's
    /// bytes are parsed (what the bulk API's normalised record needs).
    pub fn credential_subject(&self) -> Option<&Value> {
        if self.secured.get().is_none()
            && let (Some(bytes), Some(range)) = (&self.canonical, &self.subject_range)
        {
            return self
                .subject
                .get_or_init(|| {
                    bytes
                        .get(range.clone())
                        .and_then(|b| serde_json::from_slice(b).ok())
                })
                .as_ref();
        }
        self.document().get("credentialSubject")
    }

    /// `credentialSubject` normalised ([`crate::normalise`]). On the fast path, when neither
    /// the document nor the subject has been parsed yet, read straight from the verified
    /// bytes ([`crate::normalise::normalise_json`]): no `Value` tree is built.
    pub fn normalised(&self) -> Option<crate::normalise::NormalisedRecord> {
        if self.secured.get().is_none()
            && self.subject.get().is_none()
            && let (Some(bytes), Some(range)) = (&self.canonical, &self.subject_range)
        {
            return bytes
                .get(range.clone())
                .map(crate::normalise::normalise_json);
        }
        self.credential_subject().map(crate::normalise::normalise)
    }

    /// The credential's `id`.
    pub fn id(&self) -> Option<&str> {
        self.document().get("id").and_then(Value::as_str)
    }

    /// The document, proof options and signature as verified.
    pub fn secured(&self) -> &SecuredDocument {
        self.secured
            .get_or_init(|| read_verified(self.canonical.as_deref().unwrap_or_default()))
    }

    /// The issuing school as the trust list registers it.
    pub fn school(&self) -> &TrustedSchool {
        &self.school
    }

    /// The trust list entry of the key that signed.
    pub fn key(&self) -> &TrustedKey {
        &self.school.verification_methods[self.key_index]
    }

    /// Take the secured document out.
    pub fn into_secured(self) -> SecuredDocument {
        let Self {
            secured, canonical, ..
        } = self;
        secured
            .into_inner()
            .unwrap_or_else(|| read_verified(canonical.as_deref().unwrap_or_default()))
    }
}

/// The whole secured document of bytes verified on the fast path. They passed the canonical
/// scan and the proof split, so they parse and split; the empty document below is never made.
fn read_verified(bytes: &[u8]) -> SecuredDocument {
    serde_json::from_slice(bytes)
        .ok()
        .and_then(|value| SecuredDocument::from_value(value).ok())
        .unwrap_or_else(|| SecuredDocument {
            unsecured: Map::new(),
            proof_options: Map::new(),
            signature: [0; 64],
        })
}
