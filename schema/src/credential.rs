//! The W3C Verifiable Credential 2.0 envelope around a school-year record:
//!
//! ```text
//! @context          ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/hocba/v1"]
//! id                urn:uuid:…
//! type              ["VerifiableCredential", "HocBaCredential"]
//! issuer            {id, name}            the school
//! validFrom         when the school signed
//! credentialSubject the record (type "HocBaYearRecord")
//! credentialStatus  BitstringStatusListEntry (optional until status lists are published)
//! replaces          id of the revoked credential this one corrects (only on corrections)
//! proof             DataIntegrityProof, eddsa-jcs-2022
//! ```
//!
//! [`UnsignedCredential`] builds the document the issuer signs; [`CredentialView`] reads the
//! envelope fields of any credential without trusting it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::SchemaError;
use std::cmp::Ordering;

use crate::jcs::scan::CanonicalJson;
use crate::jcs::{
    Slot, canonical_object_with_raw, canonical_object_with_slot, check_numbers, normalize_nfc,
};

/// The VC 2.0 base context; always first.
pub const CONTEXT_VC_V2: &str = "https://www.w3.org/ns/credentials/v2";
/// The project's JSON-LD context (shipped as [`HOCBA_CONTEXT_DOCUMENT`]).
pub const CONTEXT_HOCBA_V1: &str = "https://w3id.org/hocba/v1";
/// The project's JSON-LD context document, served at [`CONTEXT_HOCBA_V1`].
pub const HOCBA_CONTEXT_DOCUMENT: &str = include_str!("../context/hocba-v1.jsonld");
/// The credential type of a signed year record.
pub const CREDENTIAL_TYPE: &str = "HocBaCredential";
/// The `type` of the credential subject.
pub const SUBJECT_TYPE: &str = "HocBaYearRecord";

/// `issuer` of a credential: the school (or, for a trust list, the authority).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuerRef {
    /// Issuer id, e.g. `urn:hocba:school:79000701`.
    pub id: String,
    /// Human-readable name.
    pub name: String,
}

/// A `BitstringStatusListEntry` (W3C Bitstring Status List v1.0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusEntry {
    /// `<statusListCredential>#<index>`.
    pub id: String,
    /// Always `BitstringStatusListEntry`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `revocation`.
    pub status_purpose: String,
    /// The bit's index, as a decimal string (as the spec requires).
    pub status_list_index: String,
    /// URL of the status list credential.
    pub status_list_credential: String,
}

impl StatusEntry {
    /// A revocation entry at `index` of the list at `list_url`.
    pub fn revocation(list_url: &str, index: u64) -> Self {
        Self {
            id: format!("{list_url}#{index}"),
            kind: "BitstringStatusListEntry".into(),
            status_purpose: "revocation".into(),
            status_list_index: index.to_string(),
            status_list_credential: list_url.into(),
        }
    }
}

/// A credential ready to be signed.
#[derive(Debug, Clone)]
pub struct UnsignedCredential {
    document: Map<String, Value>,
    /// The document's canonical bytes and the slot where `proof` goes in them, made while the
    /// document was checked (`None` after a change, or when it had to be normalised).
    canonical: Option<(Vec<u8>, Slot)>,
}

impl UnsignedCredential {
    /// Wrap `subject` (a record serialised to a JSON object) in the envelope. Text is
    /// NFC-normalised; numbers beyond ±(2^53−1) are refused.
    pub fn new(
        id: &str,
        issuer: &IssuerRef,
        valid_from: OffsetDateTime,
        subject: Value,
        status: Option<&StatusEntry>,
    ) -> Result<Self, SchemaError> {
        let Value::Object(mut subject) = subject else {
            return Err(SchemaError::Field {
                field: "credentialSubject".into(),
                problem: "must be a JSON object".into(),
            });
        };
        // The subject's `type`, unless the record gives its own.
        subject.entry("type").or_insert_with(|| SUBJECT_TYPE.into());
        let mut doc = envelope(id, issuer, valid_from, status)?;
        doc.insert("credentialSubject".into(), Value::Object(subject));
        Self::from_document(doc)
    }

    /// Any JSON object to be signed as it is (after NFC normalisation and the number check):
    /// used for trust lists and status lists, and for the W3C test vector.
    pub fn from_document(mut document: Map<String, Value>) -> Result<Self, SchemaError> {
        document.remove("proof");
        // One pass does it when nothing needs changing (nearly always): canonicalising checks
        // NFC and the number limits on the way, and the bytes are kept for signing. Otherwise
        // the document is normalised and checked on its own, and canonicalised when signed.
        if let Ok(canonical) = canonical_object_with_slot(&document, "proof") {
            return Ok(Self {
                document,
                canonical: Some(canonical),
            });
        }
        let mut value = Value::Object(document);
        normalize_nfc(&mut value);
        check_numbers(&value)?;
        let Value::Object(document) = value else {
            unreachable!("normalisation keeps an object an object")
        };
        Ok(Self {
            document,
            canonical: None,
        })
    }

    /// Name the revoked credential this one corrects: a top-level `replaces` member with its
    /// `id` (`urn:uuid:…`), defined in the học bạ context.
    pub fn with_replaces(mut self, replaced_id: &str) -> Self {
        self.document.insert("replaces".into(), replaced_id.into());
        self.canonical = None;
        self
    }

    /// The document's canonical (JCS) bytes and the slot where a `proof` member goes in them,
    /// when they were made while checking it (see `hocba_schema::proof::secure_canonical`).
    pub fn canonical(&self) -> Option<(&[u8], Slot)> {
        self.canonical
            .as_ref()
            .map(|(bytes, slot)| (bytes.as_slice(), *slot))
    }

    /// The document without proof.
    pub fn document(&self) -> &Map<String, Value> {
        &self.document
    }

    /// Take the document out.
    pub fn into_document(self) -> Map<String, Value> {
        self.document
    }
}

/// The envelope of a credential without its subject: every member [`UnsignedCredential::new`]
/// writes but `credentialSubject` (and `replaces`, which a correction adds).
fn envelope(
    id: &str,
    issuer: &IssuerRef,
    valid_from: OffsetDateTime,
    status: Option<&StatusEntry>,
) -> Result<Map<String, Value>, SchemaError> {
    let mut doc = Map::new();
    doc.insert(
        "@context".into(),
        Value::from(vec![CONTEXT_VC_V2, CONTEXT_HOCBA_V1]),
    );
    doc.insert("id".into(), id.into());
    doc.insert(
        "type".into(),
        Value::from(vec!["VerifiableCredential", CREDENTIAL_TYPE]),
    );
    doc.insert("issuer".into(), to_value(issuer)?);
    doc.insert("validFrom".into(), format_time(valid_from)?.into());
    if let Some(status) = status {
        doc.insert("credentialStatus".into(), to_value(status)?);
    }
    Ok(doc)
}

/// A credential ready to be signed, made from a record whose text is canonical already (as the
/// issuer stores records) without reading the record: the envelope's canonical bytes with the
/// record's text copied in as `credentialSubject` (its `type` added at its place unless the
/// record has one). The bytes are exactly those of [`UnsignedCredential::new`] with the record
/// parsed, then [`UnsignedCredential::with_replaces`] when `replaces` is given.
#[derive(Debug, Clone)]
pub struct CanonicalUnsigned {
    /// The envelope without the subject (for the proof's `@context`).
    envelope: Map<String, Value>,
    bytes: Vec<u8>,
    slot: Slot,
}

impl CanonicalUnsigned {
    /// Wrap `subject`, a record's text recognised as canonical, in the envelope.
    pub fn new(
        id: &str,
        issuer: &IssuerRef,
        valid_from: OffsetDateTime,
        subject: &CanonicalJson<'_>,
        status: Option<&StatusEntry>,
        replaces: Option<&str>,
    ) -> Result<Self, SchemaError> {
        if !subject.text().starts_with('{') {
            return Err(SchemaError::Field {
                field: "credentialSubject".into(),
                problem: "must be a JSON object".into(),
            });
        }
        let mut envelope = envelope(id, issuer, valid_from, status)?;
        if let Some(replaced) = replaces {
            envelope.insert("replaces".into(), replaced.into());
        }
        let text = subject.text();
        let with_type;
        let subject_bytes = match subject.member("type") {
            Some(_) => text.as_bytes(),
            None => {
                with_type = with_subject_type(subject);
                with_type.as_slice()
            }
        };
        let (bytes, slot) = canonical_object_with_raw(
            &envelope,
            Some(("credentialSubject", subject_bytes)),
            "proof",
        )?;
        Ok(Self {
            envelope,
            bytes,
            slot,
        })
    }

    /// The canonical bytes and the slot where `proof` goes in them.
    pub fn canonical(&self) -> (&[u8], Slot) {
        (&self.bytes, self.slot)
    }

    /// The envelope without `credentialSubject` (what the proof configuration reads).
    pub fn envelope(&self) -> &Map<String, Value> {
        &self.envelope
    }
}

/// The canonical text of `subject` with `"type":"HocBaYearRecord"` inserted where RFC 8785's
/// order puts it (`subject` has no `type`).
fn with_subject_type(subject: &CanonicalJson<'_>) -> Vec<u8> {
    let text = subject.text();
    let member = format!("\"type\":\"{SUBJECT_TYPE}\"");
    let mut out = Vec::with_capacity(text.len() + member.len() + 1);
    // The first member whose name sorts after "type" (names are sorted by UTF-16 code units;
    // "type" is ASCII, so comparing UTF-16 units is comparing code points below U+E000 and
    // every unit at or above 0xD800 sorts after it).
    let after = subject
        .members()
        .find(|m| m.key().encode_utf16().cmp("type".encode_utf16()) == Ordering::Greater);
    match after {
        Some(m) => {
            // The member starts at its name's opening quote.
            let at = m.raw_key().as_ptr() as usize - text.as_ptr() as usize - 1;
            out.extend_from_slice(&text.as_bytes()[..at]);
            out.extend_from_slice(member.as_bytes());
            out.push(b',');
            out.extend_from_slice(&text.as_bytes()[at..]);
        }
        None => {
            let close = text.len() - 1;
            out.extend_from_slice(&text.as_bytes()[..close]);
            if subject.members().next().is_some() {
                out.push(b',');
            }
            out.extend_from_slice(member.as_bytes());
            out.push(b'}');
        }
    }
    out
}

/// The envelope fields of a credential, read without any trust.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialView {
    /// `@context`.
    #[serde(rename = "@context")]
    pub context: Vec<String>,
    /// `id`.
    #[serde(default)]
    pub id: Option<String>,
    /// `type`.
    #[serde(rename = "type")]
    pub kind: Vec<String>,
    /// `issuer`.
    pub issuer: IssuerRef,
    /// `validFrom`.
    #[serde(default)]
    pub valid_from: Option<String>,
    /// `validUntil`.
    #[serde(default)]
    pub valid_until: Option<String>,
    /// `credentialStatus`.
    #[serde(default)]
    pub credential_status: Option<StatusEntry>,
}

impl CredentialView {
    /// Read the envelope of `document`.
    pub fn read(document: &Map<String, Value>) -> Result<Self, SchemaError> {
        // Deserialise from a borrowed view of the fields we need, not a clone of the whole
        // record.
        let mut slim = Map::new();
        for key in [
            "@context",
            "id",
            "type",
            "issuer",
            "validFrom",
            "validUntil",
            "credentialStatus",
        ] {
            if let Some(v) = document.get(key) {
                slim.insert(key.into(), v.clone());
            }
        }
        serde_json::from_value(Value::Object(slim)).map_err(|e| SchemaError::Field {
            field: "credential envelope".into(),
            problem: e.to_string(),
        })
    }
}

/// Format a time as XML Schema dateTime in UTC with seconds, e.g. `2026-05-25T08:00:00Z`.
pub fn format_time(t: OffsetDateTime) -> Result<String, SchemaError> {
    t.to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .map_err(|e| SchemaError::Field {
            field: "time".into(),
            problem: e.to_string(),
        })?
        .format(&Rfc3339)
        .map_err(|e| SchemaError::Field {
            field: "time".into(),
            problem: e.to_string(),
        })
}

/// Parse an RFC 3339 / XML Schema dateTime; `field` names it in the error.
pub fn parse_time(field: &str, value: &str) -> Result<OffsetDateTime, SchemaError> {
    OffsetDateTime::parse(value, &Rfc3339).map_err(|e| SchemaError::Field {
        field: field.into(),
        problem: format!("not an RFC 3339 date-time ({e}): {value:?}"),
    })
}

fn to_value<T: Serialize>(v: &T) -> Result<Value, SchemaError> {
    serde_json::to_value(v).map_err(|e| SchemaError::Json(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    fn issuer() -> IssuerRef {
        IssuerRef {
            id: "urn:hocba:school:79000701".into(),
            name: "Trường Tiểu học Lê Văn Tám".into(),
        }
    }

    /// A subject given as canonical text gives the very bytes (and proof slot) that the same
    /// subject parsed and wrapped gives: with and without its own `type`, names before and
    /// after "type" (and above U+E000, which sort after it in UTF-16 order), an empty
    /// subject, with and without a status entry and a `replaces`.
    #[test]
    fn canonical_subject_matches_the_parsed_subject() {
        let status = StatusEntry::revocation("https://hocba.example/status/79000701/1", 7);
        let subjects = [
            json!({"student": {"fullName": "Nguyễn Văn An"}, "grade": 5, "schoolYear": "2025-2026"}),
            json!({"aa": 1, "zz": [1, 2, {"b": null}]}),
            json!({"tx": true, "typ": "a", "typeA": 1, "u": "x"}),
            json!({"type": "Own", "a": 1}),
            json!({"\u{e000}": 1, "\u{1F600}": 2, "ä": 3}),
            json!({"a": "\u{7f}\"\\\n"}),
            json!({}),
        ];
        let t = datetime!(2026-05-29 08:00 UTC);
        for subject in subjects {
            let text = crate::jcs::canonical_bytes(&subject).unwrap();
            let scanned = crate::jcs::scan::scan_canonical(&text).unwrap();
            for (status, replaces) in [
                (Some(&status), None),
                (None, None),
                (Some(&status), Some("urn:uuid:old")),
            ] {
                let mut parsed =
                    UnsignedCredential::new("urn:uuid:x", &issuer(), t, subject.clone(), status)
                        .unwrap();
                if let Some(r) = replaces {
                    parsed = parsed.with_replaces(r);
                }
                let expected = canonical_object_with_slot(parsed.document(), "proof").unwrap();
                let fast =
                    CanonicalUnsigned::new("urn:uuid:x", &issuer(), t, &scanned, status, replaces)
                        .unwrap();
                let (bytes, slot) = fast.canonical();
                assert_eq!(
                    String::from_utf8_lossy(bytes),
                    String::from_utf8_lossy(&expected.0),
                    "{subject}"
                );
                assert_eq!(slot, expected.1, "{subject}");
                let mut without = parsed.document().clone();
                without.remove("credentialSubject");
                assert_eq!(fast.envelope(), &without);
            }
        }
    }

    #[test]
    fn envelope_has_the_contract_fields() {
        let status = StatusEntry::revocation("https://hocba.example/status/79000701/1", 4242);
        let c = UnsignedCredential::new(
            "urn:uuid:00000000-0000-4000-8000-000000000000",
            &issuer(),
            datetime!(2026-05-25 08:00:00.123 UTC),
            json!({"student": {"fullName": "Nguye\u{302}\u{303}n Văn An"}}),
            Some(&status),
        )
        .unwrap();
        let doc = c.document();
        let mut keys: Vec<&str> = doc.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "@context",
                "credentialStatus",
                "credentialSubject",
                "id",
                "issuer",
                "type",
                "validFrom"
            ]
        );
        assert_eq!(doc["@context"][0], CONTEXT_VC_V2);
        assert_eq!(doc["validFrom"], "2026-05-25T08:00:00Z");
        assert_eq!(doc["credentialSubject"]["type"], SUBJECT_TYPE);
        assert_eq!(
            doc["credentialSubject"]["student"]["fullName"],
            "Nguyễn Văn An"
        );
        assert_eq!(doc["credentialStatus"]["statusListIndex"], "4242");
        let view = CredentialView::read(doc).unwrap();
        assert_eq!(view.issuer, issuer());
        assert_eq!(view.credential_status, Some(status));
    }

    /// The bytes kept from checking are the document's canonical bytes, whichever way it was
    /// checked, and the slot is where `proof` goes.
    #[test]
    fn kept_canonical_bytes_are_the_documents() {
        let t = datetime!(2026-05-25 08:00 UTC);
        let status = StatusEntry::revocation("https://hocba.example/status/79000701/1", 7);
        for subject in [
            json!({"student": {"fullName": "Nguyễn Văn An"}, "n": [8.5, 10, -3], "e": "a\n\"b\""}),
            json!({"student": {"fullName": "Nguye\u{302}\u{303}n Văn An"}}),
            json!({"Nguye\u{302}\u{303}n": 1, "\u{e000}": 2, "\u{1f600}": 3}),
            json!({}),
        ] {
            let c = UnsignedCredential::new("urn:uuid:x", &issuer(), t, subject, Some(&status))
                .unwrap();
            let expected =
                crate::jcs::canonical_bytes(&Value::Object(c.document().clone())).unwrap();
            let (bytes, slot) = match c.canonical() {
                Some((bytes, slot)) => (bytes.to_vec(), slot),
                None => crate::jcs::canonical_object_with_slot(c.document(), "proof").unwrap(),
            };
            assert_eq!(bytes, expected);
            let mut with_proof = c.document().clone();
            with_proof.insert("proof".into(), json!({"a": 1}));
            assert_eq!(
                slot.insert(&bytes, "proof", b"{\"a\":1}"),
                crate::jcs::canonical_bytes(&Value::Object(with_proof)).unwrap()
            );
            let replaced = c.with_replaces("urn:uuid:old");
            assert!(replaced.canonical().is_none());
            assert_eq!(replaced.document()["replaces"], "urn:uuid:old");
        }
        // NFD text is normalised (and the bytes then made when signing).
        let c = UnsignedCredential::new(
            "urn:uuid:x",
            &issuer(),
            t,
            json!({"name": "Nguye\u{302}\u{303}n"}),
            None,
        )
        .unwrap();
        assert!(c.canonical().is_none());
        assert_eq!(c.document()["credentialSubject"]["name"], "Nguyễn");
        let c =
            UnsignedCredential::new("urn:uuid:x", &issuer(), t, json!({"name": "Nguyễn"}), None)
                .unwrap();
        assert!(c.canonical().is_some());
    }

    #[test]
    fn subject_must_be_an_object_and_numbers_bounded() {
        let t = datetime!(2026-05-25 08:00 UTC);
        assert!(UnsignedCredential::new("urn:uuid:x", &issuer(), t, json!([1]), None).is_err());
        // A record's own `type` is kept, as it always was.
        let own = UnsignedCredential::new("urn:uuid:x", &issuer(), t, json!({"type": "X"}), None)
            .unwrap();
        assert_eq!(own.document()["credentialSubject"]["type"], "X");
        let e = UnsignedCredential::new("urn:uuid:x", &issuer(), t, json!({"n": 1e20}), None)
            .unwrap_err();
        assert!(
            matches!(e, SchemaError::NumberOutOfRange { ref pointer, .. } if pointer == "/credentialSubject/n")
        );
    }

    #[test]
    fn context_document_is_json_and_defines_the_types() {
        let ctx: Value = serde_json::from_str(HOCBA_CONTEXT_DOCUMENT).unwrap();
        for term in [
            CREDENTIAL_TYPE,
            SUBJECT_TYPE,
            crate::trust_list::TRUST_LIST_TYPE,
        ] {
            assert!(ctx["@context"].get(term).is_some(), "context lacks {term}");
        }
    }
}
