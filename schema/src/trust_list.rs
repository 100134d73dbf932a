//! The authority's trust list: every school with its code, name, province, issuer id and its
//! Ed25519 verification methods, each with a validity window and a status. The list itself is a
//! Verifiable Credential signed by the authority key with `eddsa-jcs-2022`; verifiers pin only
//! the authority's public key. This module holds the data; the verifier decides.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::credential::{CONTEXT_HOCBA_V1, CONTEXT_VC_V2, IssuerRef};

/// The credential type of a trust list.
pub const TRUST_LIST_TYPE: &str = "HocBaTrustList";

/// The signed trust list document (without its proof).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustList {
    /// JSON-LD contexts: VC 2.0, then the project's.
    #[serde(rename = "@context")]
    pub context: Vec<String>,
    /// `urn:uuid:` of this version.
    pub id: String,
    /// `["VerifiableCredential", "HocBaTrustList"]`.
    #[serde(rename = "type")]
    pub kind: Vec<String>,
    /// The authority (Department or Ministry) that signs the list.
    pub issuer: IssuerRef,
    /// When this version was made.
    #[serde(with = "time::serde::rfc3339")]
    pub valid_from: OffsetDateTime,
    /// When the next version is due; after this the list is stale.
    #[serde(with = "time::serde::rfc3339")]
    pub valid_until: OffsetDateTime,
    /// The schools.
    pub credential_subject: TrustListBody,
}

/// What the trust list says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustListBody {
    /// Version number that only grows.
    pub version: u64,
    /// Every registered school.
    pub schools: Vec<TrustedSchool>,
}

/// One school in the trust list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustedSchool {
    /// The school's issuer id, as in a credential's `issuer.id`.
    pub id: String,
    /// MOET school code (mã trường).
    pub code: String,
    /// School name.
    pub name: String,
    /// Province (tỉnh / thành phố).
    pub province: String,
    /// The school's keys, old and new.
    pub verification_methods: Vec<TrustedKey>,
    /// SHA-256 (lowercase hex) of the DER of the school's seal certificate (chứng thư số con
    /// dấu đơn vị), the one that PAdES-signs its PDFs: a verifier tells by it that a PDF's seal
    /// and the credential's proof come from the same school. Absent: none registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal_certificate_sha256: Option<String>,
}

/// A school key with its life cycle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustedKey {
    /// `<issuer id>#<publicKeyMultibase>`.
    pub id: String,
    /// Always `Multikey`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The school's issuer id.
    pub controller: String,
    /// `z` + base58btc(0xed 0x01 ‖ key).
    pub public_key_multibase: String,
    /// From when signatures by this key count.
    #[serde(with = "time::serde::rfc3339")]
    pub valid_from: OffsetDateTime,
    /// When the key was retired (signatures made before stay valid).
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub valid_until: Option<OffsetDateTime>,
    /// Active, retired or compromised.
    pub status: KeyStatus,
}

/// The life-cycle state of a school key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyStatus {
    /// In use.
    Active,
    /// No longer signs; what it signed before `validUntil` stays valid.
    Retired,
    /// Lost or stolen: every signature by it is invalid.
    Compromised,
}

impl TrustedSchool {
    /// Whether this school lists a key with this `publicKeyMultibase`.
    pub fn has_key(&self, public_key_multibase: &str) -> bool {
        self.verification_methods
            .iter()
            .any(|k| k.public_key_multibase == public_key_multibase)
    }
}

impl TrustList {
    /// A new trust list with the standard context and type.
    pub fn new(
        id: String,
        issuer: IssuerRef,
        valid_from: OffsetDateTime,
        valid_until: OffsetDateTime,
        body: TrustListBody,
    ) -> Self {
        Self {
            context: vec![CONTEXT_VC_V2.into(), CONTEXT_HOCBA_V1.into()],
            id,
            kind: vec!["VerifiableCredential".into(), TRUST_LIST_TYPE.into()],
            issuer,
            valid_from,
            valid_until,
            credential_subject: body,
        }
    }

    /// The school whose issuer id is `issuer_id`.
    pub fn school(&self, issuer_id: &str) -> Option<&TrustedSchool> {
        self.credential_subject
            .schools
            .iter()
            .find(|s| s.id == issuer_id)
    }

    /// The school that lists a key with this `publicKeyMultibase`, whatever its status.
    pub fn school_with_key(&self, public_key_multibase: &str) -> Option<&TrustedSchool> {
        self.credential_subject
            .schools
            .iter()
            .find(|s| s.has_key(public_key_multibase))
    }

    /// The key whose verification method id is `vm` and the school it belongs to.
    pub fn key(&self, vm: &str) -> Option<(&TrustedSchool, &TrustedKey)> {
        self.credential_subject.schools.iter().find_map(|s| {
            s.verification_methods
                .iter()
                .find(|k| k.id == vm)
                .map(|k| (s, k))
        })
    }
}
