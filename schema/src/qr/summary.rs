//! The signed summary of one record and its binary layout (format version 2; version 1 is
//! still read).
//!
//! ```text
//! field            encoding
//! version          u8 = 1
//! credential id    16 bytes: the UUID of `id` (`urn:uuid:…`)
//! status index     varint: 0 = no credentialStatus, otherwise statusListIndex + 1
//! credential hash  32 bytes: SHA-256 of the JCS canonical bytes of the whole secured credential
//! key hint         4 bytes: the first 4 bytes of the signing Ed25519 public key
//! signed at        varint: the proof's `created`, seconds since 1970-01-01T00:00:00Z
//! school code      text
//! school year      varint: its first calendar year (2025 = "2025-2026")
//! grade            u8: 1–12
//! class            text
//! pupil name       text
//! date of birth    varint: days since 1900-01-01
//! results          u8 level: 1 primary → u8 year result; 2 secondary → u8 learning, u8 conduct
//! promotion        u8: the decision (see below)
//! award            u8: 0 none
//! completion       u8: 0 not stated, 1 completed the programme, 2 not completed
//! -- version 2 only:
//! record date      varint: 0 none, else the record's approvalDate as days since 1900-01-01 + 1
//! other awards     varint count (at most 8), then each as text, in the record's order
//! replaces         u8 0, or u8 1 then 16 bytes: the UUID of the revoked record this corrects
//! -- version 3 only (a record completed after the summer; see `summer`):
//! after the summer u8 learning, u8 conduct: 0 not stated, else the rating code
//! --
//! signature        64 bytes: Ed25519 over SIGNING_PREFIX ‖ every byte above
//! ```
//!
//! Version 2 carries what the printed page shows besides the title award (the other awards,
//! the date the page carries, the record a correction replaces), so that the landing page can
//! show the same; a version 1 summary still decodes and verifies (its version byte is part of
//! what was signed), with no record date, no other awards and no replaced record. Version 3 is
//! version 2 plus the year's results after the summer, written only for a record that has them
//! (every other record is still written in version 2, byte for byte as before).
//!
//! A varint is unsigned LEB128 in its shortest form; text is a varint byte length then UTF-8 in
//! NFC, at most [`MAX_TEXT_BYTES`] bytes. Enum codes: rating T 1, H 2, C 3, K 4, Đ 5, CĐ 6;
//! primary year result 1 Hoàn thành xuất sắc, 2 Hoàn thành tốt, 3 Hoàn thành, 4 Chưa hoàn thành;
//! promotion 1 lên lớp, 2 rèn luyện trong hè, 3 kiểm tra lại, 4 không được lên lớp, 5 hoàn thành
//! chương trình lớp học, 6 hoàn thành chương trình THPT, and in version 2 the final decision
//! of a record completed after the summer: 7 lên lớp, 8 hoàn thành chương trình THPT, 9 không
//! được lên lớp ([`Decision`]); award 1 Học sinh Xuất
//! sắc, 2 Học sinh Tiêu biểu, 3 Học sinh Giỏi. Decoding accepts exactly what encoding produces
//! (shortest varints, NFC, known codes, no trailing bytes), so the bytes are canonical.

mod decision;
mod read;
mod summer;
mod v2;
mod wire;

pub use decision::Decision;
pub use summer::{SUMMER_VERSION, SummerSummary};

use ed25519_dalek::VerifyingKey;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::{Date, OffsetDateTime};
use unicode_normalization::UnicodeNormalization;

use super::QrError;
use crate::jcs::canonical_bytes;
use crate::record::{
    Award, LevelResults, PrimaryYearResult, Rating, YearRecord, parse_school_year,
};

use wire::{award_code, put_text, put_varint, rating_code, year_result_code};
pub use wire::{format_urn_uuid, parse_urn_uuid};

/// The format version this code writes for a record without results after the summer (one
/// with them is written in [`SUMMER_VERSION`]).
pub const VERSION: u8 = 2;
/// The format versions [`SignedSummary::from_bytes`] reads.
pub const VERSIONS_READ: [u8; 3] = [1, 2, SUMMER_VERSION];
/// Most other awards a summary carries.
pub const MAX_OTHER_AWARDS: usize = 8;
/// Domain separation: the signature is over this prefix followed by the summary body, so a
/// summary signature can never be mistaken for a credential proof or anything else.
pub const SIGNING_PREFIX: &[u8] = b"hocba-qr-v1\0";
/// Longest text field, in UTF-8 bytes.
pub const MAX_TEXT_BYTES: usize = 160;
/// Largest summary (body and signature), in bytes.
pub const MAX_SUMMARY_BYTES: usize = 800;
/// Length of the signature.
pub const SIGNATURE_BYTES: usize = 64;

/// Julian day of 1900-01-01, the origin of the date-of-birth field.
pub(super) const DAY_ZERO: i32 = 2_415_021;

/// The year's overall results as the summary carries them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelSummary {
    /// Grades 1–5: kết quả giáo dục cả năm.
    Primary {
        /// The year result.
        year_result: PrimaryYearResult,
    },
    /// Grades 6–12: kết quả học tập and kết quả rèn luyện for the year.
    Secondary {
        /// Learning result (cả năm).
        learning: Rating,
        /// Conduct result (cả năm).
        conduct: Rating,
    },
}

/// Whether the record confirms completion of the primary or lower-secondary programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    /// The record says nothing (not a final grade).
    NotStated,
    /// Hoàn thành chương trình (tiểu học / THCS).
    Completed,
    /// Chưa hoàn thành chương trình.
    NotCompleted,
}

/// The compact summary of one signed credential (what the QR carries, minus the signature).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The credential's UUID (`urn:uuid:` + this).
    pub credential_id: [u8; 16],
    /// The credential's `statusListIndex`, when it has a `credentialStatus`.
    pub status_index: Option<u64>,
    /// SHA-256 of the JCS canonical bytes of the whole secured credential (proof included).
    pub credential_sha256: [u8; 32],
    /// The first 4 bytes of the school's Ed25519 public key that signed.
    pub key_hint: [u8; 4],
    /// The credential proof's `created` (seconds precision).
    pub signed_at: OffsetDateTime,
    /// Mã trường.
    pub school_code: String,
    /// First calendar year of the school year.
    pub school_year_start: u16,
    /// Grade 1–12.
    pub grade: u8,
    /// Class, e.g. `5A`.
    pub class_name: String,
    /// The pupil's full name.
    pub pupil_name: String,
    /// Date of birth.
    pub date_of_birth: Date,
    /// Overall results of the year.
    pub results: LevelSummary,
    /// The decision the printed page states: the year-end promotion, or the final decision
    /// after the summer.
    pub promotion: Decision,
    /// The year's award title.
    pub award: Option<Award>,
    /// Completion of the programme.
    pub completion: Completion,
    /// The format version (what [`Summary::from_credential`] makes: [`VERSION`]; a decoded
    /// summary: the version it was written in).
    pub version: u8,
    /// The date the record carries (`approvalDate`), printed above the signatures (version 2).
    pub record_date: Option<Date>,
    /// The awards besides the title, as the record writes them (version 2).
    pub other_awards: Vec<String>,
    /// The UUID of the revoked record this one corrects (version 2).
    pub replaces: Option<[u8; 16]>,
    /// The year's results after the summer, on a record completed after it (version 3).
    pub summer: Option<SummerSummary>,
}

/// A summary with the school's signature, as read from or written to a QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedSummary {
    summary: Summary,
    body: Vec<u8>,
    signature: [u8; SIGNATURE_BYTES],
}

/// SHA-256 of the JCS canonical bytes of a whole secured credential (with its proof). Pretty
/// printing, member order and escapes do not change it.
pub fn credential_sha256(credential: &Value) -> Result<[u8; 32], QrError> {
    let bytes = canonical_bytes(credential).map_err(|e| QrError::Credential {
        field: "(document)",
        problem: e.to_string(),
    })?;
    Ok(Sha256::digest(&bytes).into())
}

impl Summary {
    /// The summary of a secured credential signed by `key` (the issuer calls this right after
    /// signing; nothing here checks the proof).
    pub fn from_credential(credential: &Value, key: &VerifyingKey) -> Result<Self, QrError> {
        let field = |field: &'static str, problem: String| QrError::Credential { field, problem };
        let id = credential
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| field("id", "missing or not a string".into()))?;
        let credential_id = parse_urn_uuid(id).ok_or_else(|| {
            field(
                "id",
                format!("{id:?} is not urn:uuid:<8-4-4-4-12 hex digits>"),
            )
        })?;
        let status_index = match credential.get("credentialStatus") {
            None => None,
            Some(status) => {
                let text = status
                    .get("statusListIndex")
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        field(
                            "credentialStatus.statusListIndex",
                            "missing or not a string".into(),
                        )
                    })?;
                Some(text.parse::<u64>().map_err(|_| {
                    field(
                        "credentialStatus.statusListIndex",
                        format!("{text:?} is not a number"),
                    )
                })?)
            }
        };
        let created = credential
            .get("proof")
            .and_then(|p| p.get("created"))
            .and_then(Value::as_str)
            .ok_or_else(|| field("proof.created", "missing: sign the credential first".into()))?;
        let signed_at = crate::credential::parse_time("proof.created", created)
            .map_err(|e| field("proof.created", e.to_string()))?;
        let subject = credential
            .get("credentialSubject")
            .ok_or_else(|| field("credentialSubject", "missing".into()))?;
        let record = YearRecord::deserialize(subject)
            .map_err(|e| field("credentialSubject", e.to_string()))?;
        let school_year_start = parse_school_year(&record.school_year)
            .and_then(|y| u16::try_from(y).ok())
            .ok_or_else(|| field("credentialSubject.schoolYear", record.school_year.clone()))?;
        let date_of_birth = record.student.birth_date().ok_or_else(|| {
            field(
                "credentialSubject.student.dateOfBirth",
                record.student.date_of_birth.clone(),
            )
        })?;
        let mut summer = None;
        let (results, promotion, award, completed, other_awards) = match record.results() {
            Some(LevelResults::Primary(p)) => (
                LevelSummary::Primary {
                    year_result: p.year_result,
                },
                Decision::YearEnd(p.promotion),
                p.award,
                p.completed_primary_programme,
                &p.other_awards,
            ),
            Some(LevelResults::Secondary(s)) => (
                LevelSummary::Secondary {
                    learning: s.learning_result.year,
                    conduct: s.conduct_result.year,
                },
                match &s.summer {
                    Some(after) => {
                        summer = Some(SummerSummary::of(after));
                        Decision::AfterSummer(after.decision)
                    }
                    None => Decision::YearEnd(s.promotion),
                },
                s.award,
                s.completed_lower_secondary_programme,
                &s.other_awards,
            ),
            None => {
                return Err(field(
                    "credentialSubject",
                    "no results block matching the grade".into(),
                ));
            }
        };
        let record_date = match record.approval_date.as_deref() {
            None => None,
            Some(text) => Some(crate::record::parse_date(text).ok_or_else(|| {
                field(
                    "credentialSubject.approvalDate",
                    format!("{text:?} is not a date"),
                )
            })?),
        };
        let replaces = match credential.get("replaces") {
            None => None,
            Some(v) => {
                let id = v.as_str().unwrap_or_default();
                Some(parse_urn_uuid(id).ok_or_else(|| {
                    field(
                        "replaces",
                        format!("{v} is not urn:uuid:<8-4-4-4-12 hex digits>"),
                    )
                })?)
            }
        };
        let mut key_hint = [0u8; 4];
        key_hint.copy_from_slice(&key.as_bytes()[..4]);
        Ok(Self {
            credential_id,
            status_index,
            credential_sha256: credential_sha256(credential)?,
            key_hint,
            signed_at,
            school_code: record.school.code.nfc().collect(),
            school_year_start,
            grade: record.grade,
            class_name: record.class_name.nfc().collect(),
            pupil_name: record.student.full_name.nfc().collect(),
            date_of_birth,
            results,
            promotion,
            award,
            completion: match completed {
                None => Completion::NotStated,
                Some(true) => Completion::Completed,
                Some(false) => Completion::NotCompleted,
            },
            version: if summer.is_some() {
                SUMMER_VERSION
            } else {
                VERSION
            },
            record_date,
            other_awards: other_awards.iter().map(|a| a.nfc().collect()).collect(),
            replaces,
            summer,
        })
    }

    /// The record a correction replaces, as written in the credential, `urn:uuid:…`.
    pub fn replaces_urn(&self) -> Option<String> {
        self.replaces.as_ref().map(format_urn_uuid)
    }

    /// The credential id as written in the credential, `urn:uuid:…`.
    pub fn credential_id_urn(&self) -> String {
        format_urn_uuid(&self.credential_id)
    }

    /// The school year as written in the record, e.g. `2025-2026`.
    pub fn school_year(&self) -> String {
        format!(
            "{}-{}",
            self.school_year_start,
            u32::from(self.school_year_start) + 1
        )
    }

    /// The summary's bytes without the signature.
    pub fn to_bytes(&self) -> Result<Vec<u8>, QrError> {
        let mut out = Vec::with_capacity(256);
        if !VERSIONS_READ.contains(&self.version) {
            return Err(QrError::UnknownVersion {
                found: self.version,
                supported: SUMMER_VERSION,
            });
        }
        out.push(self.version);
        out.extend_from_slice(&self.credential_id);
        put_varint(
            &mut out,
            self.status_index.map_or(0, |i| i.saturating_add(1)),
        );
        out.extend_from_slice(&self.credential_sha256);
        out.extend_from_slice(&self.key_hint);
        let signed_at =
            u64::try_from(self.signed_at.unix_timestamp()).map_err(|_| QrError::Credential {
                field: "proof.created",
                problem: "before 1970".into(),
            })?;
        put_varint(&mut out, signed_at);
        put_text(&mut out, "school code", &self.school_code)?;
        put_varint(&mut out, u64::from(self.school_year_start));
        if !(1..=12).contains(&self.grade) {
            return Err(QrError::BadValue {
                field: "grade",
                value: u64::from(self.grade),
            });
        }
        out.push(self.grade);
        put_text(&mut out, "class", &self.class_name)?;
        put_text(&mut out, "pupil name", &self.pupil_name)?;
        let days = self.date_of_birth.to_julian_day() - DAY_ZERO;
        let days = u64::try_from(days).map_err(|_| QrError::Credential {
            field: "credentialSubject.student.dateOfBirth",
            problem: "before 1900-01-01".into(),
        })?;
        put_varint(&mut out, days);
        match self.results {
            LevelSummary::Primary { year_result } => {
                out.extend_from_slice(&[1, year_result_code(year_result)]);
            }
            LevelSummary::Secondary { learning, conduct } => {
                out.extend_from_slice(&[2, rating_code(learning), rating_code(conduct)]);
            }
        }
        out.push(self.promotion.code());
        out.push(self.award.map_or(0, award_code));
        out.push(match self.completion {
            Completion::NotStated => 0,
            Completion::Completed => 1,
            Completion::NotCompleted => 2,
        });
        if self.version >= 2 {
            v2::put(self, &mut out)?;
        }
        if self.version >= SUMMER_VERSION {
            let after = self.summer.as_ref().ok_or(QrError::BadValue {
                field: "results after the summer",
                value: 0,
            })?;
            summer::check(after, self.promotion)?;
            summer::put(after, &mut out);
        }
        if out.len() + SIGNATURE_BYTES > MAX_SUMMARY_BYTES {
            return Err(QrError::SummaryTooLarge {
                bytes: out.len() + SIGNATURE_BYTES,
                limit: MAX_SUMMARY_BYTES,
            });
        }
        Ok(out)
    }

    /// What the school signs: [`SIGNING_PREFIX`] ‖ [`Summary::to_bytes`].
    pub fn signing_input(&self) -> Result<Vec<u8>, QrError> {
        Ok(prefixed(&self.to_bytes()?))
    }

    /// Attach the school's signature over [`Summary::signing_input`].
    pub fn with_signature(
        self,
        signature: [u8; SIGNATURE_BYTES],
    ) -> Result<SignedSummary, QrError> {
        let body = self.to_bytes()?;
        Ok(SignedSummary {
            summary: self,
            body,
            signature,
        })
    }
}

fn prefixed(body: &[u8]) -> Vec<u8> {
    let mut input = Vec::with_capacity(SIGNING_PREFIX.len() + body.len());
    input.extend_from_slice(SIGNING_PREFIX);
    input.extend_from_slice(body);
    input
}

impl SignedSummary {
    /// The summary.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// The signature as carried.
    pub fn signature(&self) -> &[u8; SIGNATURE_BYTES] {
        &self.signature
    }

    /// The bytes the signature is checked over: [`SIGNING_PREFIX`] ‖ body as carried.
    pub fn signing_input(&self) -> Vec<u8> {
        prefixed(&self.body)
    }

    /// Body followed by the signature: what the QR payload encodes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.body.len() + SIGNATURE_BYTES);
        out.extend_from_slice(&self.body);
        out.extend_from_slice(&self.signature);
        out
    }
}
