//! W3C Bitstring Status List v1.0: a school publishes, per list, a credential whose
//! `encodedList` is multibase base64url (`u`) of the GZIP-compressed bitstring. Index 0 is the
//! left-most bit: bit `i` is bit `7 - i % 8` of byte `i / 8`. A set bit means revoked.
//!
//! Decoding is bounded: the compressed input and the decompressed bitstring both have limits, so
//! a crafted list cannot make a verifier allocate without end.
//!
//! Besides the W3C fields, a học bạ list may carry `credentialSubject.revocations`: one
//! [`RevocationNote`] per revoked index, saying when and why, so a verifier can show "revoked on
//! … — reason: …" from the school-signed list alone. The term is defined in the project's
//! context (`hocba:revocations`), which the list then names after the VC v2 context. The reason
//! is public: at most [`MAX_REASON_CHARS`] characters and never personal data.
//!
//! A note may also name the record that replaces the revoked one (`replacedBy`, a correction):
//! the replacement credential's `id`, an opaque `urn:uuid:…` — never a name, an ID number or
//! anything else about the pupil, since the list is public. It is inside the signed subject,
//! so a changed link breaks the list's signature; a list without it reads as before.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::credential::{CONTEXT_HOCBA_V1, CONTEXT_VC_V2, IssuerRef};
use crate::error::{SchemaError, shorten};
use crate::multibase::{decode_base64url, encode_base64url};

/// Smallest list the spec allows (16 KiB of bits), which is also the default size.
pub const MIN_ENTRIES: usize = 131_072;
/// Largest decompressed list accepted (8 Mi entries = 1 MiB).
pub const MAX_ENTRIES: usize = 8 * 1024 * 1024;
/// Largest `encodedList` string accepted (characters).
pub const MAX_ENCODED_LEN: usize = 2 * 1024 * 1024;
/// The status list credential type.
pub const STATUS_LIST_CREDENTIAL_TYPE: &str = "BitstringStatusListCredential";
/// Longest revocation reason, in characters, that an issuer accepts and a verifier shows. The
/// reason is published in the status list, so it must be short and free of personal data.
pub const MAX_REASON_CHARS: usize = 200;

/// A bitstring of status entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitstring {
    bytes: Vec<u8>,
}

impl Bitstring {
    /// A list of `entries` zero bits (rounded up to whole bytes, at least [`MIN_ENTRIES`]).
    pub fn new(entries: usize) -> Self {
        let entries = entries.max(MIN_ENTRIES);
        Self {
            bytes: vec![0; entries.div_ceil(8)],
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.bytes.len() * 8
    }

    /// Never empty (at least [`MIN_ENTRIES`]); present for API symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The bit at `index`, or `None` beyond the end.
    pub fn get(&self, index: usize) -> Option<bool> {
        let byte = self.bytes.get(index / 8)?;
        Some(byte & (0x80 >> (index % 8)) != 0)
    }

    /// Set the bit at `index`; false when `index` is beyond the end.
    pub fn set(&mut self, index: usize, value: bool) -> bool {
        let Some(byte) = self.bytes.get_mut(index / 8) else {
            return false;
        };
        let mask = 0x80 >> (index % 8);
        if value {
            *byte |= mask;
        } else {
            *byte &= !mask;
        }
        true
    }

    /// `u` + base64url(GZIP(bitstring)).
    pub fn encode(&self) -> String {
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        // Writing into a Vec cannot fail.
        let compressed = gz
            .write_all(&self.bytes)
            .and_then(|()| gz.finish())
            .unwrap_or_default();
        encode_base64url(&compressed)
    }

    /// Decode an `encodedList`, refusing lists shorter than [`MIN_ENTRIES`], longer than
    /// [`MAX_ENTRIES`] once decompressed, or encoded in more than [`MAX_ENCODED_LEN`] characters.
    pub fn decode(encoded: &str) -> Result<Self, SchemaError> {
        let err = |problem: String| SchemaError::Encoding {
            field: "encodedList",
            problem,
            value: shorten(encoded),
        };
        if encoded.len() > MAX_ENCODED_LEN {
            return Err(err(format!(
                "{} characters is more than the {MAX_ENCODED_LEN} accepted",
                encoded.len()
            )));
        }
        let compressed = decode_base64url("encodedList", encoded)?;
        let limit = (MAX_ENTRIES / 8) as u64;
        let mut bytes = Vec::new();
        GzDecoder::new(compressed.as_slice())
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| err(format!("not GZIP data: {e}")))?;
        if bytes.len() as u64 > limit {
            return Err(err(format!(
                "decompresses to more than {MAX_ENTRIES} entries"
            )));
        }
        if bytes.len() * 8 < MIN_ENTRIES {
            return Err(err(format!(
                "{} entries is fewer than the {MIN_ENTRIES} the specification requires",
                bytes.len() * 8
            )));
        }
        Ok(Self { bytes })
    }
}

/// The `credentialSubject` of a status list credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusListSubject {
    /// `<list url>#list`.
    pub id: String,
    /// Always `BitstringStatusList`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `revocation`.
    pub status_purpose: String,
    /// The encoded bitstring.
    pub encoded_list: String,
    /// When and why each revoked index was revoked (`hocba:revocations`), ascending by index;
    /// absent when nothing is revoked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revocations: Vec<RevocationNote>,
}

/// When and why one entry of a status list was revoked: published, signed, in the list's
/// `credentialSubject.revocations`. Says nothing about the pupil: the index alone does not
/// identify a record, and the reason must not contain personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevocationNote {
    /// The revoked index, as a decimal string (as in `credentialStatus.statusListIndex`).
    pub status_list_index: String,
    /// When it was revoked (RFC 3339, UTC, whole seconds).
    #[serde(with = "time::serde::rfc3339")]
    pub revoked_at: OffsetDateTime,
    /// Why, in at most [`MAX_REASON_CHARS`] characters, no personal data.
    pub reason: String,
    /// The credential that replaces the revoked one (a correction the school has signed): its
    /// `id`, `urn:uuid:…` (`hocba:replacedBy`); absent when none does (yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<String>,
}

impl RevocationNote {
    /// A note for `index` revoked at `revoked_at` (fractions of a second dropped) for `reason`.
    pub fn new(index: usize, revoked_at: OffsetDateTime, reason: &str) -> Self {
        Self {
            status_list_index: index.to_string(),
            revoked_at: revoked_at.replace_nanosecond(0).unwrap_or(revoked_at),
            reason: reason.to_owned(),
            replaced_by: None,
        }
    }

    /// The same note naming `credential_id` (`urn:uuid:…`) as the record that replaces it.
    pub fn replaced_by(mut self, credential_id: &str) -> Self {
        self.replaced_by = Some(credential_id.to_owned());
        self
    }

    /// Whether `id` is a credential id a note may name as a replacement: `urn:uuid:` and a
    /// UUID in lower-case 8-4-4-4-12 hex digits, the form the issuer gives every credential.
    pub fn is_replacement_id(id: &str) -> bool {
        crate::qr::summary::parse_urn_uuid(id)
            .is_some_and(|u| crate::qr::summary::format_urn_uuid(&u) == id)
    }
}

/// A rule a revocation reason breaks (see [`check_revocation_reason`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasonRule {
    /// Empty or only spaces.
    Blank,
    /// More than [`MAX_REASON_CHARS`] characters.
    TooLong,
    /// A control character (line break, tab, terminal escape).
    ControlCharacter,
}

impl ReasonRule {
    /// Stable rule code: `reason-required`, `reason-too-long`, `reason-control-character`.
    pub fn code(self) -> &'static str {
        match self {
            ReasonRule::Blank => "reason-required",
            ReasonRule::TooLong => "reason-too-long",
            ReasonRule::ControlCharacter => "reason-control-character",
        }
    }

    /// The rule in Vietnamese.
    pub fn message_vi(self) -> &'static str {
        match self {
            ReasonRule::Blank => "Cần ghi lý do thu hồi.",
            ReasonRule::TooLong => {
                "Lý do thu hồi dài quá 200 ký tự. Lý do được công bố trong danh sách trạng thái: \
                 hãy viết ngắn gọn và không ghi thông tin cá nhân."
            }
            ReasonRule::ControlCharacter => {
                "Lý do thu hồi không được chứa ký tự điều khiển (xuống dòng, tab)."
            }
        }
    }

    /// The rule in English.
    pub fn message_en(self) -> &'static str {
        match self {
            ReasonRule::Blank => "A revocation needs a reason.",
            ReasonRule::TooLong => {
                "The revocation reason is longer than 200 characters. It is published in the \
                 status list: keep it short, with no personal data."
            }
            ReasonRule::ControlCharacter => {
                "The revocation reason must not contain control characters (line breaks, tabs)."
            }
        }
    }
}

/// Check a revocation reason before it is stored and published: not blank, at most
/// [`MAX_REASON_CHARS`] characters, no control characters. It must also hold no personal data,
/// which a program cannot check: the issuer's documentation and messages say so.
pub fn check_revocation_reason(reason: &str) -> Result<(), ReasonRule> {
    if reason.trim().is_empty() {
        Err(ReasonRule::Blank)
    } else if reason.chars().count() > MAX_REASON_CHARS {
        Err(ReasonRule::TooLong)
    } else if reason.chars().any(char::is_control) {
        Err(ReasonRule::ControlCharacter)
    } else {
        Ok(())
    }
}

/// A status list credential (without proof).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusListCredential {
    /// `["https://www.w3.org/ns/credentials/v2", "https://w3id.org/hocba/v1"]` (the second
    /// defines `revocations`).
    #[serde(rename = "@context")]
    pub context: Vec<String>,
    /// The list's URL.
    pub id: String,
    /// `["VerifiableCredential", "BitstringStatusListCredential"]`.
    #[serde(rename = "type")]
    pub kind: Vec<String>,
    /// The school.
    pub issuer: IssuerRef,
    /// When this version was made.
    #[serde(with = "time::serde::rfc3339")]
    pub valid_from: OffsetDateTime,
    /// When it must be refreshed.
    #[serde(with = "time::serde::rfc3339")]
    pub valid_until: OffsetDateTime,
    /// The list.
    pub credential_subject: StatusListSubject,
}

impl StatusListCredential {
    /// A revocation list at `url` issued by `issuer`, without revocation notes.
    pub fn revocation(
        url: &str,
        issuer: IssuerRef,
        valid_from: OffsetDateTime,
        valid_until: OffsetDateTime,
        bits: &Bitstring,
    ) -> Self {
        Self::revocation_with_notes(url, issuer, valid_from, valid_until, bits, Vec::new())
    }

    /// A revocation list at `url` issued by `issuer`, with a note (date and reason) for revoked
    /// indices; notes are sorted by index.
    pub fn revocation_with_notes(
        url: &str,
        issuer: IssuerRef,
        valid_from: OffsetDateTime,
        valid_until: OffsetDateTime,
        bits: &Bitstring,
        mut revocations: Vec<RevocationNote>,
    ) -> Self {
        revocations.sort_by_key(|n| n.status_list_index.parse::<u64>().unwrap_or(u64::MAX));
        Self {
            context: vec![CONTEXT_VC_V2.into(), CONTEXT_HOCBA_V1.into()],
            id: url.into(),
            kind: vec![
                "VerifiableCredential".into(),
                STATUS_LIST_CREDENTIAL_TYPE.into(),
            ],
            issuer,
            valid_from,
            valid_until,
            credential_subject: StatusListSubject {
                id: format!("{url}#list"),
                kind: "BitstringStatusList".into(),
                status_purpose: "revocation".into(),
                encoded_list: bits.encode(),
                revocations,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn bit_order_is_left_most_first() {
        let mut b = Bitstring::new(MIN_ENTRIES);
        assert_eq!(b.len(), MIN_ENTRIES);
        assert!(b.set(0, true));
        assert!(b.set(9, true));
        assert_eq!(b.bytes[0], 0b1000_0000);
        assert_eq!(b.bytes[1], 0b0100_0000);
        assert_eq!(b.get(9), Some(true));
        assert_eq!(b.get(8), Some(false));
        assert!(!b.set(MIN_ENTRIES, true));
        assert_eq!(b.get(MIN_ENTRIES), None);
        b.set(9, false);
        assert_eq!(b.get(9), Some(false));
    }

    #[test]
    fn encode_decode_round_trip() {
        let mut b = Bitstring::new(0);
        for i in [1, 77, 94_567, MIN_ENTRIES - 1] {
            b.set(i, true);
        }
        let text = b.encode();
        assert!(text.starts_with('u'));
        let back = Bitstring::decode(&text).unwrap();
        assert_eq!(back, b);
    }

    #[test]
    fn notes_serialise_in_the_subject_sorted_and_only_when_present() {
        let t = time::macros::datetime!(2026-06-02 10:15:30.5 UTC);
        let issuer = IssuerRef {
            id: "urn:hocba:school:1".into(),
            name: "T".into(),
        };
        let url = "https://x.example/status/1/a";
        let bits = Bitstring::new(0);
        let plain = StatusListCredential::revocation(url, issuer.clone(), t, t, &bits);
        let json = serde_json::to_value(&plain).unwrap();
        assert!(json["credentialSubject"].get("revocations").is_none());
        assert_eq!(json["@context"][1], CONTEXT_HOCBA_V1);
        let notes = vec![
            RevocationNote::new(900, t, "Sai điểm môn Toán"),
            RevocationNote::new(12, t, "Nhập nhầm lớp"),
        ];
        let list = StatusListCredential::revocation_with_notes(url, issuer, t, t, &bits, notes);
        let json = serde_json::to_value(&list).unwrap();
        let notes = &json["credentialSubject"]["revocations"];
        assert_eq!(notes[0]["statusListIndex"], "12");
        assert_eq!(notes[1]["statusListIndex"], "900");
        assert_eq!(notes[1]["revokedAt"], "2026-06-02T10:15:30Z");
        assert_eq!(notes[1]["reason"], "Sai điểm môn Toán");
        let back: StatusListCredential = serde_json::from_value(json).unwrap();
        assert_eq!(back, list);
        // The project's context defines the term and its members.
        let ctx: serde_json::Value =
            serde_json::from_str(crate::credential::HOCBA_CONTEXT_DOCUMENT).unwrap();
        let term = &ctx["@context"]["revocations"];
        assert_eq!(term["@id"], "hocba:revocations");
        for member in ["statusListIndex", "revokedAt", "reason", "replacedBy"] {
            assert!(term["@context"].get(member).is_some(), "{member}");
        }
    }

    #[test]
    fn a_note_names_its_replacement_only_when_it_has_one() {
        let t = time::macros::datetime!(2026-08-20 08:00 UTC);
        let plain = RevocationNote::new(5, t, "Cập nhật kết quả sau hè");
        let json = serde_json::to_value(&plain).unwrap();
        assert!(json.get("replacedBy").is_none());
        let id = "urn:uuid:7a2e4c10-3b5d-4e8f-9a01-000000000042";
        let linked = plain.clone().replaced_by(id);
        let json = serde_json::to_value(&linked).unwrap();
        assert_eq!(json["replacedBy"], id);
        let back: RevocationNote = serde_json::from_value(json).unwrap();
        assert_eq!(back, linked);
        // A note written before the member existed still reads.
        let old = serde_json::json!({
            "statusListIndex": "5", "revokedAt": "2026-08-20T08:00:00Z",
            "reason": "Cập nhật kết quả sau hè"
        });
        assert_eq!(
            serde_json::from_value::<RevocationNote>(old).unwrap(),
            plain
        );
        assert!(RevocationNote::is_replacement_id(id));
        for bad in [
            "urn:uuid:7A2E4C10-3B5D-4E8F-9A01-000000000042",
            "https://example.org/pupil/Nguyen",
            "urn:uuid:7a2e4c10",
            "",
        ] {
            assert!(!RevocationNote::is_replacement_id(bad), "{bad}");
        }
    }

    #[test]
    fn reasons_are_short_single_line_and_not_blank() {
        assert_eq!(check_revocation_reason("Sai điểm môn Toán"), Ok(()));
        assert_eq!(check_revocation_reason(&"ệ".repeat(200)), Ok(()));
        assert_eq!(
            check_revocation_reason(&"ệ".repeat(201)),
            Err(ReasonRule::TooLong)
        );
        assert_eq!(check_revocation_reason("  "), Err(ReasonRule::Blank));
        assert_eq!(
            check_revocation_reason("a\nb"),
            Err(ReasonRule::ControlCharacter)
        );
        assert_eq!(
            check_revocation_reason("\u{1b}[31mred"),
            Err(ReasonRule::ControlCharacter)
        );
    }

    #[test]
    fn short_huge_and_garbage_lists_are_refused() {
        let short = {
            let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
            gz.write_all(&[0u8; 100]).unwrap();
            encode_base64url(&gz.finish().unwrap())
        };
        assert!(
            Bitstring::decode(&short)
                .unwrap_err()
                .to_string()
                .contains("fewer")
        );
        // A GZIP bomb: 64 MiB of zeros compresses to ~64 KiB.
        let bomb = {
            let mut gz = GzEncoder::new(Vec::new(), Compression::best());
            let chunk = vec![0u8; 1 << 20];
            for _ in 0..64 {
                gz.write_all(&chunk).unwrap();
            }
            encode_base64url(&gz.finish().unwrap())
        };
        assert!(
            Bitstring::decode(&bomb)
                .unwrap_err()
                .to_string()
                .contains("more than")
        );
        assert!(Bitstring::decode("uAAAA").is_err());
        assert!(Bitstring::decode("zAAAA").is_err());
    }
}
