//! Verifying the QR code of a printed record: the school-signed summary
//! ([`hocba_schema::qr`]) checked offline against the trust list, and its binding to a full
//! credential (the one embedded in the PDF, or given as JSON).
//!
//! ```text
//! format        the text decodes as a version-1 summary (bounded, strict)
//! issuer        the school code is a school in the trust list (in a federation, a school
//!               left out gets the federation's reason: no province, wrong province, …)
//! key_validity  a key of that school whose first 4 bytes match the key hint; active, or
//!               retired after the summary's signing time; never compromised; in a
//!               federation, the province key vouching for the school not compromised
//!               before the signing time (`province_compromised`, as for a credential)
//! integrity     Ed25519 verify_strict over b"hocba-qr-v1\0" ‖ summary body
//! validity      the signing time is not after now
//! status        not checked offline (the summary carries the status-list index)
//! ```
//!
//! No I/O and no clock here: the caller passes the scanned text (or image bytes) and `now`.

use ed25519_dalek::{Signature, VerifyingKey};
use hocba_schema::qr::{
    Completion, LevelSummary, SignedSummary, Summary, credential_sha256, parse_qr_text,
};
use hocba_schema::record::RatingScale;
use hocba_schema::trust_list::{KeyStatus, TrustedKey, TrustedSchool};
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::credential::VerifyOptions;
use crate::error::VerifyError;
use crate::federation::{Vouch, vouch_check};
use crate::input::{MAX_CREDENTIAL_BYTES, parse_object};
use crate::reason::{CheckName, Message, Reason};
use crate::trust_list::VerifiedTrustList;
use crate::verdict::{Check, Outcome, TrustListInfo, VerdictResult};

/// Largest image accepted by [`decode_qr_image`], in bytes (32 MiB).
pub const MAX_IMAGE_BYTES: usize = 32 << 20;

/// Largest image accepted by [`decode_qr_image`], in pixels (40 megapixels).
pub const MAX_IMAGE_PIXELS: u64 = 40_000_000;

pub use crate::qr_image::decode_qr_image;

/// What the QR summary says, for display (trusted only when the verdict is valid).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryInfo {
    /// Pupil's full name.
    pub pupil_name: String,
    /// Date of birth, `YYYY-MM-DD`.
    pub date_of_birth: String,
    /// Mã trường.
    pub school_code: String,
    /// School year, e.g. `2025-2026`.
    pub school_year: String,
    /// Grade 1–12.
    pub grade: u8,
    /// Class.
    pub class_name: String,
    /// Overall results in words, e.g. `Kết quả học tập: T (Tốt); Kết quả rèn luyện: T (Tốt)`.
    pub results: String,
    /// Promotion in words.
    pub promotion: String,
    /// Award title, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub award: Option<String>,
    /// Completion of the primary / lower-secondary programme, when stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion: Option<String>,
    /// `urn:uuid:` of the full credential.
    pub credential_id: String,
    /// Its status-list index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_index: Option<u64>,
    /// SHA-256 (hex) of the full credential's JCS bytes.
    pub credential_sha256: String,
    /// When the school signed (RFC 3339).
    pub signed_at: String,
    /// The date the record carries, `YYYY-MM-DD` (summary version 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_date: Option<String>,
    /// The awards besides the title (summary version 2).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_awards: Vec<String>,
    /// `urn:uuid:` of the revoked record this one corrects (summary version 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
    /// The year's results after the summer, in words, on a record completed after it (summary
    /// version 3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results_after_summer: Option<String>,
}

impl SummaryInfo {
    fn of(s: &Summary) -> Self {
        let rating = |scale: RatingScale, r: hocba_schema::record::Rating| {
            format!("{} ({})", r.code(), scale.label_vi(r).unwrap_or("?"))
        };
        let results = match s.results {
            LevelSummary::Primary { year_result } => {
                format!("Kết quả giáo dục: {}", year_result.label_vi())
            }
            LevelSummary::Secondary { learning, conduct } => format!(
                "Kết quả học tập: {}; kết quả rèn luyện: {}",
                rating(RatingScale::SecondaryResult, learning),
                rating(RatingScale::SecondaryResult, conduct)
            ),
        };
        let programme = if s.grade <= 5 {
            "chương trình tiểu học"
        } else {
            "chương trình trung học cơ sở"
        };
        let d = s.date_of_birth;
        Self {
            pupil_name: s.pupil_name.clone(),
            date_of_birth: format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
            school_code: s.school_code.clone(),
            school_year: s.school_year(),
            grade: s.grade,
            class_name: s.class_name.clone(),
            results,
            promotion: s.promotion.label_vi().to_owned(),
            award: s.award.map(|a| a.label_vi().to_owned()),
            completion: match s.completion {
                Completion::NotStated => None,
                Completion::Completed => Some(format!("Hoàn thành {programme}")),
                Completion::NotCompleted => Some(format!("Chưa hoàn thành {programme}")),
            },
            credential_id: s.credential_id_urn(),
            status_index: s.status_index,
            credential_sha256: hex(&s.credential_sha256),
            signed_at: s.signed_at.format(&Rfc3339).unwrap_or_default(),
            record_date: s
                .record_date
                .map(|d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())),
            other_awards: s.other_awards.clone(),
            replaces: s.replaces_urn(),
            results_after_summer: s.summer.map(|after| {
                let mut parts = Vec::new();
                if let Some(r) = after.learning {
                    parts.push(format!(
                        "Kết quả học tập sau đánh giá lại: {}",
                        rating(RatingScale::SecondaryResult, r)
                    ));
                }
                if let Some(r) = after.conduct {
                    parts.push(format!(
                        "Kết quả rèn luyện sau rèn luyện trong hè: {}",
                        rating(RatingScale::SecondaryResult, r)
                    ));
                }
                parts.join("; ")
            }),
        }
    }
}

/// A summary whose signature a trusted school key verified. Only [`verify_signed_summary`]
/// makes one.
#[derive(Debug, Clone)]
pub struct VerifiedSummary {
    signed: SignedSummary,
    school: TrustedSchool,
    key: TrustedKey,
}

impl VerifiedSummary {
    /// The summary.
    pub fn summary(&self) -> &Summary {
        self.signed.summary()
    }
    /// The school that signed, as the trust list has it.
    pub fn school(&self) -> &TrustedSchool {
        &self.school
    }
    /// The key that signed.
    pub fn key(&self) -> &TrustedKey {
        &self.key
    }
}

/// The verdict on a QR summary: valid or not, each check with its reason, and what the
/// summary says.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryVerdict {
    result: VerdictResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<Reason>,
    message: Message,
    summary: SummaryInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    school_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<String>,
    trust_list: TrustListInfo,
    checks: Vec<Check>,
    #[serde(skip)]
    verified: Option<VerifiedSummary>,
    #[serde(skip)]
    signed: SignedSummary,
}

impl SummaryVerdict {
    /// Valid or invalid.
    pub fn result(&self) -> VerdictResult {
        self.result
    }
    /// Whether no check failed.
    pub fn is_valid(&self) -> bool {
        self.result == VerdictResult::Valid
    }
    /// The time the revocation status is known as of (see [`crate::Verdict::status_as_of`]).
    pub fn status_as_of(&self) -> Option<OffsetDateTime> {
        crate::verdict::status_as_of(&self.checks)
    }
    /// Whether revocation was looked up (see [`crate::Verdict::revocation_checked`]).
    pub fn revocation_checked(&self) -> bool {
        crate::verdict::revocation_checked(&self.checks)
    }
    /// The reason of the first failed check.
    pub fn reason(&self) -> Option<Reason> {
        self.reason
    }
    /// The headline in Vietnamese and English.
    pub fn message(&self) -> Message {
        self.message
    }
    /// What the summary says.
    pub fn info(&self) -> &SummaryInfo {
        &self.summary
    }
    /// The school's name in the trust list, once found.
    pub fn school_name(&self) -> Option<&str> {
        self.school_name.as_deref()
    }
    /// The signing key's verification method id, once found.
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }
    /// The trust list judged against.
    pub fn trust_list(&self) -> &TrustListInfo {
        &self.trust_list
    }
    /// Every check.
    pub fn checks(&self) -> &[Check] {
        &self.checks
    }
    /// When a status list marks the record revoked: when and why, from the school-signed list
    /// (also serialised in the `status` check as `revocation`).
    pub fn revocation(&self) -> Option<&crate::verdict::Revocation> {
        self.checks
            .iter()
            .find(|c| c.name == CheckName::Status && c.outcome == Outcome::Failed)
            .and_then(|c| c.revocation.as_ref())
    }
    /// The verified summary, when valid.
    pub fn verified(&self) -> Option<&VerifiedSummary> {
        self.verified.as_ref()
    }
    /// The summary as read (verified or not).
    pub fn signed_summary(&self) -> &SignedSummary {
        &self.signed
    }

    /// The same verdict with its `status` check replaced by `check` (from
    /// [`StatusLists::summary_status`](crate::StatusLists::summary_status)) and the result
    /// judged again: revoked is not valid; a status that cannot be established is
    /// `status_unknown`, never valid.
    pub fn with_status(mut self, check: Check) -> Self {
        if check.name != CheckName::Status {
            return self;
        }
        if let Some(slot) = self.checks.iter_mut().find(|c| c.name == CheckName::Status) {
            *slot = check;
        } else {
            self.checks.push(check);
            self.checks
                .sort_by_key(|c| CheckName::ALL.iter().position(|n| *n == c.name));
        }
        let failed: Vec<&Check> = self
            .checks
            .iter()
            .filter(|c| c.outcome == Outcome::Failed)
            .collect();
        if let Some(first) = failed.first() {
            let reason = first.reason.unwrap_or(Reason::DependsOnFailedCheck);
            let only_unknown = failed
                .iter()
                .all(|c| c.reason.is_some_and(Reason::is_status_unknown));
            self.result = if only_unknown {
                VerdictResult::StatusUnknown
            } else {
                VerdictResult::Invalid
            };
            self.reason = Some(reason);
            self.message = reason.message();
            self.verified = None;
        }
        self
    }
}

/// Read the scanned QR `text` and verify it against `trust` at `now`. Unreadable text is an
/// error ([`VerifyError::QrPayload`]); a readable summary that fails a check is a verdict.
pub fn verify_summary(
    text: &str,
    trust: &VerifiedTrustList,
    now: OffsetDateTime,
) -> Result<SummaryVerdict, VerifyError> {
    verify_summary_with(text, trust, now, &VerifyOptions::default())
}

/// [`verify_summary`] with the caller's choices (`accept_stale_trust_list`,
/// `max_trust_list_age`); the status lists of `options` are not read here (the QR summary
/// names no list: see [`StatusLists::summary_status`](crate::status::StatusLists::summary_status)).
pub fn verify_summary_with(
    text: &str,
    trust: &VerifiedTrustList,
    now: OffsetDateTime,
    options: &VerifyOptions,
) -> Result<SummaryVerdict, VerifyError> {
    let signed = parse_qr_text(text)?;
    Ok(verify_signed_summary(signed, trust, now, options))
}

/// Verify an already parsed summary.
pub fn verify_signed_summary(
    signed: SignedSummary,
    trust: &VerifiedTrustList,
    now: OffsetDateTime,
    options: &VerifyOptions,
) -> SummaryVerdict {
    let s = signed.summary();
    let mut checks = vec![
        trust.freshness(
            now,
            options.max_trust_list_age,
            options.accept_stale_trust_list,
        ),
        Check::passed(CheckName::Format, Some("summary format version 1".into())),
        Check::with_reason(
            CheckName::Status,
            Outcome::NotChecked,
            if s.status_index.is_some() {
                Reason::StatusNotChecked
            } else {
                Reason::NoStatusEntry
            },
            s.status_index
                .map(|i| format!("status-list index {i}"))
                .unwrap_or_default(),
        ),
    ];
    checks.push(if s.signed_at > now {
        Check::failed(
            CheckName::ValidityPeriod,
            Reason::ProofCreatedInFuture,
            format!("signed at {} is after the time of checking", s.signed_at),
        )
    } else {
        Check::passed(CheckName::ValidityPeriod, None)
    });

    let schools: Vec<&TrustedSchool> = trust
        .list()
        .credential_subject
        .schools
        .iter()
        .filter(|sc| sc.code == s.school_code)
        .collect();
    let input = signed.signing_input();
    let signature = Signature::from_bytes(signed.signature());
    // Candidates: keys of the school whose public key starts with the hint.
    let mut candidates: Vec<Candidate<'_>> = Vec::new();
    for school in &schools {
        for key in &school.verification_methods {
            if let Some(found) = trust.lookup(&key.id)
                && let Ok(public) = found.public
                && public.as_bytes()[..4] == s.key_hint
            {
                candidates.push((school, key, *public, found.vouch));
            }
        }
    }
    let signer = candidates
        .iter()
        .find(|(_, _, public, _)| public.verify_strict(&input, &signature).is_ok());
    let mut school_name = schools.first().map(|sc| sc.name.clone());
    let mut key_id = None;
    match (schools.is_empty(), candidates.is_empty(), signer) {
        (true, _, _) => {
            // Federation: the precise reason (no province, wrong province, refused list).
            let issuer_id = format!("urn:hocba:school:{}", s.school_code);
            let (reason, detail) = trust
                .federation()
                .and_then(|f| f.why_missing(&issuer_id, Some(&s.school_code)))
                .unwrap_or_else(|| {
                    let detail = format!(
                        "school code {:?} is not in trust list version {}",
                        s.school_code,
                        trust.version()
                    );
                    (Reason::UntrustedIssuer, detail)
                });
            checks.push(Check::failed(CheckName::Issuer, reason, detail));
            checks.push(not_checked(CheckName::KeyValidity, Reason::NoTrustedKey));
            checks.push(not_checked(CheckName::Integrity, Reason::NoTrustedKey));
        }
        (false, true, _) => {
            checks.push(Check::passed(CheckName::Issuer, school_name.clone()));
            let detail = format!(
                "no key of school {} starts with the hint {}",
                s.school_code,
                hex(&s.key_hint)
            );
            checks.push(Check::failed(
                CheckName::KeyValidity,
                Reason::UnknownKey,
                detail,
            ));
            checks.push(not_checked(CheckName::Integrity, Reason::NoTrustedKey));
        }
        (false, false, None) => {
            checks.push(Check::passed(CheckName::Issuer, school_name.clone()));
            checks.push(not_checked(
                CheckName::KeyValidity,
                Reason::DependsOnFailedCheck,
            ));
            checks.push(Check::failed(
                CheckName::Integrity,
                Reason::SignatureMismatch,
                "the summary's signature does not verify with the school's key: the QR was altered or not made by this school",
            ));
        }
        (false, false, Some((school, key, _, vouch))) => {
            school_name = Some(school.name.clone());
            key_id = Some(key.id.clone());
            checks.push(Check::passed(
                CheckName::Issuer,
                Some(format!("{} ({})", school.name, school.code)),
            ));
            checks.push(key_status(key, *vouch, s.signed_at));
            checks.push(Check::passed(CheckName::Integrity, None));
        }
    }
    checks.sort_by_key(|c| CheckName::ALL.iter().position(|n| *n == c.name));
    let failed = checks.iter().find(|c| c.outcome == Outcome::Failed);
    let reason = failed.and_then(|c| c.reason);
    let (result, message) = match failed {
        Some(_) => (
            VerdictResult::Invalid,
            reason.unwrap_or(Reason::DependsOnFailedCheck).message(),
        ),
        None => (
            VerdictResult::Valid,
            Message {
                vi: "Mã QR hợp lệ: bản tóm tắt do nhà trường ký.",
                en: "The QR code is valid: the summary was signed by the school.",
            },
        ),
    };
    let verified = match (result, signer) {
        (VerdictResult::Valid, Some((school, key, _, _))) => Some(VerifiedSummary {
            signed: signed.clone(),
            school: (*school).clone(),
            key: (*key).clone(),
        }),
        _ => None,
    };
    SummaryVerdict {
        result,
        reason,
        message,
        summary: SummaryInfo::of(s),
        school_name,
        key: key_id,
        trust_list: trust.info(),
        checks,
        verified,
        signed,
    }
}

fn not_checked(name: CheckName, reason: Reason) -> Check {
    Check::with_reason(name, Outcome::NotChecked, reason, "")
}

/// A key of the summary's school that matches the hint: school, key, public key, and the
/// province key that vouches for it (federation).
type Candidate<'a> = (
    &'a TrustedSchool,
    &'a TrustedKey,
    VerifyingKey,
    Option<&'a Vouch>,
);

/// The key status rules of the credential path, at the summary's signing time, with the
/// federation's: a summary signed at or after the compromise of the province key that vouches
/// for the school (or by a school key registered after it) is refused (`province_compromised`).
fn key_status(key: &TrustedKey, vouch: Option<&Vouch>, signed_at: OffsetDateTime) -> Check {
    let name = CheckName::KeyValidity;
    let at = signed_at.format(&Rfc3339).unwrap_or_default();
    if key.status == KeyStatus::Compromised {
        return Check::failed(
            name,
            Reason::CompromisedKey,
            format!("key {} is compromised", key.id),
        );
    }
    if let Some(vouch) = vouch
        && let Some((reason, detail)) = vouch_check(vouch, key, signed_at, &at)
    {
        return Check::failed(name, reason, detail);
    }
    if signed_at < key.valid_from {
        return Check::failed(
            name,
            Reason::SignedBeforeKeyValid,
            format!("signed at {at}, before the key's validFrom"),
        );
    }
    match (key.status, key.valid_until) {
        (KeyStatus::Retired, None) => Check::failed(
            name,
            Reason::RetiredKeyAfterRetirement,
            "retired key without a retirement time",
        ),
        (KeyStatus::Retired, Some(until)) if signed_at >= until => Check::failed(
            name,
            Reason::RetiredKeyAfterRetirement,
            format!("signed at {at}, not before the key's retirement"),
        ),
        (_, Some(until)) if signed_at >= until => Check::failed(
            name,
            Reason::SignedAfterKeyValidity,
            format!("signed at {at}, not before the key's validUntil"),
        ),
        _ => Check::passed(name, Some(format!("{:?} key", key.status).to_lowercase())),
    }
}

/// Whether a full credential is the one a summary was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Binding {
    /// The SHA-256 of the credential's JCS bytes equals the summary's.
    pub hash_matches: bool,
    /// The credential's `id` equals the summary's credential id.
    pub id_matches: bool,
    /// The credential's hash (hex).
    pub credential_sha256: String,
}

impl Binding {
    /// Both the hash and the id match.
    pub fn matches(&self) -> bool {
        self.hash_matches && self.id_matches
    }
}

/// Compare the summary with the credential JSON `bytes` (parsed with the credential limits).
pub fn check_binding(summary: &Summary, credential: &[u8]) -> Result<Binding, VerifyError> {
    let map = parse_object(credential, "credential", MAX_CREDENTIAL_BYTES)?;
    let id_matches = map.get("id").and_then(Value::as_str) == Some(&summary.credential_id_urn());
    let value = Value::Object(map);
    let hash = credential_sha256(&value)?;
    Ok(Binding {
        hash_matches: hash == summary.credential_sha256,
        id_matches,
        credential_sha256: hex(&hash),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
