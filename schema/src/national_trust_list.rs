//! The national trust list of the federation: the root (the Ministry, Bộ GD&ĐT) signs one list
//! of provincial authorities (Sở GD&ĐT), each with its code, name, the school codes it answers
//! for, where its own trust list is published, and its Ed25519 keys with validity and status.
//! Each provincial trust list (a [`TrustList`](crate::trust_list::TrustList), signed by one of
//! the province's keys) lists its schools as a single-authority list does.
//!
//! ```text
//! root key (pinned) ──signs──► national trust list ──names keys of──► province 79
//!                                                                       │ signs
//!                                                                       ▼
//!                                          trust list of province 79 ──names keys of──► schools 79…
//! ```
//!
//! **Province keys.** The same [`TrustedKey`] as a school key: `active`; `retired` at
//! `validUntil` (a provincial list signed before stays usable); `compromised` since `validUntil`
//! — unlike a school key, the time matters here: what the province vouched for before the
//! compromise (credentials signed before it, by school keys it had registered before it) stays
//! valid, anything after it does not. A compromised key without `validUntil` vouches for
//! nothing. Times are whole seconds, as everywhere in the trust material.
//!
//! **Which province answers for a school.** A MOET school code begins with the code of its
//! Department of Education (Sở), e.g. `79000701` is in province `79`. After the 2025 mergers a
//! province answers for the schools of several former Departments, so each province lists its
//! `schoolCodePrefixes` (its own code when absent); the longest matching prefix wins.
//!
//! This module holds the data; the verifier (`hocba_verifier::federation`) decides.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::credential::{CONTEXT_HOCBA_V1, CONTEXT_VC_V2, IssuerRef};
use crate::trust_list::TrustedKey;

/// The credential type of the national trust list.
pub const NATIONAL_TRUST_LIST_TYPE: &str = "HocBaNationalTrustList";

/// The issuer id of a province: `urn:hocba:province:<code>`.
pub fn province_id(code: &str) -> String {
    format!("urn:hocba:province:{code}")
}

/// The signed national trust list (without its proof).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NationalTrustList {
    /// JSON-LD contexts: VC 2.0, then the project's.
    #[serde(rename = "@context")]
    pub context: Vec<String>,
    /// `urn:uuid:` of this version.
    pub id: String,
    /// `["VerifiableCredential", "HocBaNationalTrustList"]`.
    #[serde(rename = "type")]
    pub kind: Vec<String>,
    /// The root (the Ministry) that signs the list.
    pub issuer: IssuerRef,
    /// When this version was made.
    #[serde(with = "time::serde::rfc3339")]
    pub valid_from: OffsetDateTime,
    /// When the next version is due; after this the list is stale.
    #[serde(with = "time::serde::rfc3339")]
    pub valid_until: OffsetDateTime,
    /// The provinces.
    pub credential_subject: NationalTrustListBody,
}

/// What the national trust list says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NationalTrustListBody {
    /// Version number that only grows.
    pub version: u64,
    /// Every provincial authority.
    pub provinces: Vec<TrustedProvince>,
}

/// One provincial authority (Sở GD&ĐT) in the national trust list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustedProvince {
    /// The province's issuer id, as in its trust list's `issuer.id`
    /// (`urn:hocba:province:<code>`).
    pub id: String,
    /// Mã Sở GD&ĐT, e.g. `79`.
    pub code: String,
    /// Name of the Department / province, e.g. `Sở GD&ĐT Thành phố Hồ Chí Minh`.
    pub name: String,
    /// The school-code prefixes it answers for; `[code]` when absent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub school_code_prefixes: Vec<String>,
    /// Where its signed trust list is published (an absolute URL).
    pub trust_list: String,
    /// The province's keys, old and new (controller = the province's id).
    pub verification_methods: Vec<TrustedKey>,
}

impl TrustedProvince {
    /// The school-code prefixes it answers for (its code when none are listed).
    pub fn prefixes(&self) -> impl Iterator<Item = &str> {
        let own = self
            .school_code_prefixes
            .is_empty()
            .then_some(self.code.as_str());
        self.school_code_prefixes
            .iter()
            .map(String::as_str)
            .chain(own)
    }

    /// The length of the longest of its prefixes that begins `school_code`.
    pub fn covers(&self, school_code: &str) -> Option<usize> {
        self.prefixes()
            .filter(|p| !p.is_empty() && school_code.starts_with(p))
            .map(str::len)
            .max()
    }

    /// Its key with this `publicKeyMultibase`.
    pub fn key_by_multibase(&self, public_key_multibase: &str) -> Option<&TrustedKey> {
        self.verification_methods
            .iter()
            .find(|k| k.public_key_multibase == public_key_multibase)
    }
}

impl NationalTrustList {
    /// A new national list with the standard context and type.
    pub fn new(
        id: String,
        issuer: IssuerRef,
        valid_from: OffsetDateTime,
        valid_until: OffsetDateTime,
        body: NationalTrustListBody,
    ) -> Self {
        Self {
            context: vec![CONTEXT_VC_V2.into(), CONTEXT_HOCBA_V1.into()],
            id,
            kind: vec![
                "VerifiableCredential".into(),
                NATIONAL_TRUST_LIST_TYPE.into(),
            ],
            issuer,
            valid_from,
            valid_until,
            credential_subject: body,
        }
    }

    /// The province with this code.
    pub fn province(&self, code: &str) -> Option<&TrustedProvince> {
        self.credential_subject
            .provinces
            .iter()
            .find(|p| p.code == code)
    }

    /// The province whose issuer id is `id`.
    pub fn province_by_id(&self, id: &str) -> Option<&TrustedProvince> {
        self.credential_subject
            .provinces
            .iter()
            .find(|p| p.id == id)
    }

    /// The province that answers for `school_code` (longest matching prefix; the first listed
    /// on a tie).
    pub fn province_for_school(&self, school_code: &str) -> Option<&TrustedProvince> {
        let mut best: Option<(usize, &TrustedProvince)> = None;
        for p in &self.credential_subject.provinces {
            if let Some(len) = p.covers(school_code)
                && best.is_none_or(|(b, _)| len > b)
            {
                best = Some((len, p));
            }
        }
        best.map(|(_, p)| p)
    }

    /// The province that lists a key with this `publicKeyMultibase`, whatever its status.
    pub fn province_with_key(&self, public_key_multibase: &str) -> Option<&TrustedProvince> {
        self.credential_subject
            .provinces
            .iter()
            .find(|p| p.key_by_multibase(public_key_multibase).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trust_list::KeyStatus;
    use time::macros::datetime;

    fn province(code: &str, prefixes: &[&str]) -> TrustedProvince {
        TrustedProvince {
            id: province_id(code),
            code: code.into(),
            name: format!("Sở GD&ĐT {code}"),
            school_code_prefixes: prefixes.iter().map(|p| (*p).into()).collect(),
            trust_list: format!("http://h/{code}/trust-list.json"),
            verification_methods: vec![TrustedKey {
                id: format!("{}#z6Mk{code}", province_id(code)),
                kind: "Multikey".into(),
                controller: province_id(code),
                public_key_multibase: format!("z6Mk{code}"),
                valid_from: datetime!(2025-01-01 0:00 UTC),
                valid_until: None,
                status: KeyStatus::Active,
            }],
        }
    }

    fn list() -> NationalTrustList {
        NationalTrustList::new(
            "urn:uuid:x".into(),
            IssuerRef {
                id: "urn:hocba:root:test".into(),
                name: "Bộ GD&ĐT".into(),
            },
            datetime!(2026-01-01 0:00 UTC),
            datetime!(2026-02-01 0:00 UTC),
            NationalTrustListBody {
                version: 1,
                provinces: vec![province("79", &["79", "74", "77"]), province("01", &[])],
            },
        )
    }

    #[test]
    fn a_school_belongs_to_the_province_of_its_code_prefix() {
        let l = list();
        assert_eq!(l.province_for_school("74000123").unwrap().code, "79");
        assert_eq!(l.province_for_school("01000502").unwrap().code, "01");
        assert!(l.province_for_school("40000918").is_none());
        assert_eq!(l.province_with_key("z6Mk01").unwrap().code, "01");
        assert_eq!(
            l.province_by_id("urn:hocba:province:79").unwrap().code,
            "79"
        );
    }

    #[test]
    fn it_round_trips_through_json_in_camel_case() {
        let l = list();
        let v = serde_json::to_value(&l).unwrap();
        assert_eq!(v["type"][1], NATIONAL_TRUST_LIST_TYPE);
        assert_eq!(
            v["credentialSubject"]["provinces"][0]["schoolCodePrefixes"][1],
            "74"
        );
        assert!(
            v["credentialSubject"]["provinces"][1]
                .get("schoolCodePrefixes")
                .is_none()
        );
        assert_eq!(serde_json::from_value::<NationalTrustList>(v).unwrap(), l);
    }
}
