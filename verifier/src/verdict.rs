//! The answer to "is this record valid?": the overall result, each check with its outcome and
//! reason in plain words, and what a person needs to compare with the paper (school, pupil,
//! year, key). Serialises to camelCase JSON for `--json` and the HTTP API.

use std::fmt;

use hocba_schema::credential::IssuerRef;
use hocba_schema::trust_list::KeyStatus;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::credential::VerifiedCredential;
use crate::reason::{CheckName, Message, Reason};

/// A time shown in RFC 3339 (`2026-05-25T08:00:00Z`) in check details.
pub(crate) struct ShowTime(pub(crate) OffsetDateTime);

impl fmt::Display for ShowTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A whole second in UTC (every time a verdict shows): written directly, which is what
        // RFC 3339 formatting gives (a test compares) without its allocation and generic path.
        let t = self.0;
        if t.offset().is_utc() && t.nanosecond() == 0 && (0..=9999).contains(&t.year()) {
            let mut text = *b"0000-00-00T00:00:00Z";
            let year = t.year() as u32;
            for (at, value, digits) in [
                (0, year, 4),
                (5, u32::from(u8::from(t.month())), 2),
                (8, u32::from(t.day()), 2),
                (11, u32::from(t.hour()), 2),
                (14, u32::from(t.minute()), 2),
                (17, u32::from(t.second()), 2),
            ] {
                let mut v = value;
                for i in (at..at + digits).rev() {
                    text[i] = b'0' + (v % 10) as u8;
                    v /= 10;
                }
            }
            return f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?);
        }
        match self.0.format(&Rfc3339) {
            Ok(text) => f.write_str(&text),
            Err(_) => write!(f, "{}", self.0),
        }
    }
}

/// The overall result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictResult {
    /// Every check passed, warned or could not apply; none failed.
    Valid,
    /// At least one check failed.
    Invalid,
    /// Nothing failed except the status check, which could not establish whether the
    /// credential is revoked (status list missing, unreadable or too old). Fails closed: this
    /// is not valid.
    StatusUnknown,
}

impl VerdictResult {
    /// `valid`, `invalid` or `status_unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictResult::Valid => "valid",
            VerdictResult::Invalid => "invalid",
            VerdictResult::StatusUnknown => "status_unknown",
        }
    }
}

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It was checked and holds.
    Passed,
    /// It was checked and does not hold: the credential is not valid.
    Failed,
    /// It could not be checked (missing input, or an earlier check failed).
    NotChecked,
    /// It holds, but something deserves attention (e.g. stale trust material).
    Warning,
}

impl Outcome {
    /// `passed`, `failed`, `not_checked` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::NotChecked => "not_checked",
            Outcome::Warning => "warning",
        }
    }
}

/// One check of a verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// Which check.
    pub name: CheckName,
    /// How it came out.
    pub outcome: Outcome,
    /// Why, unless it passed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// In plain words, Vietnamese and English.
    pub message: Message,
    /// Technical detail: the field, pointer or value concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For a `status` check failed with `revoked`: when and why, as the signed list says
    /// (a credential's verdict also gives it at the top level, as `revocation`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation: Option<Revocation>,
    /// For a `status` check that read a status list (passed or revoked): the list's signed
    /// `validFrom`, i.e. the time the revocation status is known as of ("trạng thái lúc …").
    /// A cached list shows its age here rather than silently.
    #[serde(
        rename = "statusAsOf",
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub status_as_of: Option<OffsetDateTime>,
}

/// When and why a record was revoked, read from its school's signed status list (the list's
/// `credentialSubject.revocations` note for the index). Without a note the record is still
/// revoked; date and reason are then unknown (`null`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Revocation {
    /// The status list that marks the record revoked.
    pub status_list: String,
    /// The record's index in it.
    pub status_list_index: u64,
    /// When the school revoked it (RFC 3339), when the list says.
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
    /// Why, as the school published it (at most 200 characters, one line), when the list says.
    pub reason: Option<String>,
    /// The record that replaces this one, when the school has signed a correction and its list
    /// names it: the new credential's `id` (`urn:uuid:…`, no personal data). Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<String>,
}

impl Revocation {
    /// `Đã thu hồi ngày <date> — lý do: <reason>` (or that the list gives neither), then the
    /// record that replaces it when the list names one.
    pub fn describe_vi(&self) -> String {
        let line = match (&self.revoked_at, &self.reason) {
            (Some(at), Some(reason)) => {
                format!("Đã thu hồi ngày {} — lý do: {reason}", ShowTime(*at))
            }
            (Some(at), None) => format!("Đã thu hồi ngày {} — không rõ lý do", ShowTime(*at)),
            (None, _) => "Đã thu hồi — danh sách trạng thái không ghi ngày và lý do".to_owned(),
        };
        match &self.replaced_by {
            Some(id) => format!("{line} — đã được thay thế bằng hồ sơ {id}"),
            None => line,
        }
    }

    /// `Revoked on <date> — reason: <reason>` (or that the list gives neither), then the record
    /// that replaces it when the list names one.
    pub fn describe_en(&self) -> String {
        let line = match (&self.revoked_at, &self.reason) {
            (Some(at), Some(reason)) => format!("Revoked on {} — reason: {reason}", ShowTime(*at)),
            (Some(at), None) => format!("Revoked on {} — reason unknown", ShowTime(*at)),
            (None, _) => "Revoked — the status list gives no date or reason".to_owned(),
        };
        match &self.replaced_by {
            Some(id) => format!("{line} — replaced by record {id}"),
            None => line,
        }
    }
}

impl Check {
    /// A passed check.
    pub fn passed(name: CheckName, detail: Option<String>) -> Self {
        Self {
            name,
            outcome: Outcome::Passed,
            reason: None,
            message: name.passed_message(),
            detail,
            revocation: None,
            status_as_of: None,
        }
    }

    /// A check with `outcome` other than passed, explained by `reason`.
    pub fn with_reason(
        name: CheckName,
        outcome: Outcome,
        reason: Reason,
        detail: impl Into<String>,
    ) -> Self {
        let detail = detail.into();
        Self {
            name,
            outcome,
            reason: Some(reason),
            message: reason.message(),
            detail: (!detail.is_empty()).then_some(detail),
            revocation: None,
            status_as_of: None,
        }
    }

    /// A failed check.
    pub fn failed(name: CheckName, reason: Reason, detail: impl Into<String>) -> Self {
        Self::with_reason(name, Outcome::Failed, reason, detail)
    }
}

/// The school as the trust list registers it (authoritative, unlike the credential's own
/// `issuer.name`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SchoolInfo {
    /// Issuer id.
    pub id: String,
    /// MOET school code (mã trường).
    pub code: String,
    /// Name.
    pub name: String,
    /// Province.
    pub province: String,
}

/// The key that signed, as the proof names it and the trust list describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyInfo {
    /// The proof's `verificationMethod`.
    pub id: String,
    /// Its status in the trust list, when the trust list has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<KeyStatus>,
}

/// What the record says about the pupil, read from the JSON for display (untrusted unless the
/// verdict is valid).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PupilInfo {
    /// `/credentialSubject/student/fullName`.
    pub full_name: Option<String>,
    /// `/credentialSubject/schoolYear`.
    pub school_year: Option<String>,
    /// `/credentialSubject/grade` (a number is shown as its decimal text).
    pub grade: Option<String>,
    /// `/credentialSubject/className`.
    pub class_name: Option<String>,
    /// `/credentialSubject/school/code`.
    pub school_code: Option<String>,
    /// `/credentialSubject/school/name`.
    pub school_name: Option<String>,
}

/// The trust list a verdict was judged against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustListInfo {
    /// The list's `id`.
    pub id: String,
    /// Its version number.
    pub version: u64,
    /// The authority that signed it.
    pub authority: IssuerRef,
    /// When it was made.
    #[serde(with = "time::serde::rfc3339")]
    pub valid_from: OffsetDateTime,
    /// When the next version is due.
    #[serde(with = "time::serde::rfc3339")]
    pub valid_until: OffsetDateTime,
}

/// What the verifier found, for display next to the checks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Subject {
    /// The credential's `id`.
    pub credential_id: Option<String>,
    /// The credential's `issuer` as written in it.
    pub issuer: Option<IssuerRef>,
    /// The issuing school as the trust list has it (present once the issuer is found).
    pub school: Option<SchoolInfo>,
    /// The signing key.
    pub key: Option<KeyInfo>,
    /// The proof's `created`, as written.
    pub signed_at: Option<String>,
    /// The credential's `validFrom`, as written.
    pub valid_from: Option<String>,
    /// The credential's `validUntil`, as written.
    pub valid_until: Option<String>,
    /// The revoked credential this one corrects (`replaces`), as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
    /// The pupil and year.
    pub pupil: PupilInfo,
}

/// The verdict on one credential. Only the verifier makes one; "not valid" is a verdict, not
/// an error.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    result: VerdictResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<Reason>,
    message: Message,
    /// When revoked: when and why (from the status check).
    #[serde(skip_serializing_if = "Option::is_none")]
    revocation: Option<Revocation>,
    #[serde(flatten)]
    subject: Subject,
    #[serde(skip_serializing_if = "Option::is_none")]
    trust_list: Option<TrustListInfo>,
    checks: Vec<Check>,
    #[serde(skip)]
    verified: Option<VerifiedCredential>,
}

const VALID_MESSAGE: Message = Message {
    vi: "Hồ sơ hợp lệ.",
    en: "The record is valid.",
};

impl Verdict {
    /// Assemble a verdict; `checks` in any order (sorted into [`CheckName::ALL`] order). The
    /// verified credential is kept only when no check failed.
    pub(crate) fn new(
        subject: Subject,
        trust_list: Option<TrustListInfo>,
        mut checks: Vec<Check>,
        verified: Option<VerifiedCredential>,
    ) -> Self {
        checks.sort_by_key(|c| CheckName::ALL.iter().position(|n| *n == c.name));
        let headline = checks
            .iter()
            .find(|c| c.outcome == Outcome::Failed)
            .and_then(|c| c.reason);
        let only_unknown_status = checks
            .iter()
            .filter(|c| c.outcome == Outcome::Failed)
            .all(|c| c.reason.is_some_and(Reason::is_status_unknown));
        let (result, message, verified) = match headline {
            Some(reason) if only_unknown_status => {
                (VerdictResult::StatusUnknown, reason.message(), None)
            }
            Some(reason) => (VerdictResult::Invalid, reason.message(), None),
            None if checks.iter().any(|c| c.outcome == Outcome::Failed) => (
                VerdictResult::Invalid,
                Reason::DependsOnFailedCheck.message(),
                None,
            ),
            None => (VerdictResult::Valid, VALID_MESSAGE, verified),
        };
        let revocation = checks
            .iter()
            .find(|c| c.name == CheckName::Status && c.outcome == Outcome::Failed)
            .and_then(|c| c.revocation.clone());
        Self {
            result,
            reason: headline,
            message,
            revocation,
            subject,
            trust_list,
            checks,
            verified,
        }
    }

    /// The verdict for any credential when the trust list was rejected
    /// ([`VerifyError::TrustListRejected`](crate::VerifyError::TrustListRejected)): the
    /// `trust_list` check failed with `reason`, every other check not checked.
    pub fn untrusted_trust_list(reason: Reason, detail: impl Into<String>) -> Self {
        let mut checks = vec![Check::failed(CheckName::TrustList, reason, detail)];
        checks.extend(
            CheckName::ALL
                .iter()
                .filter(|n| **n != CheckName::TrustList)
                .map(|n| Check::with_reason(*n, Outcome::NotChecked, Reason::NoTrustList, "")),
        );
        Self::new(Subject::default(), None, checks, None)
    }

    /// The same verdict describing `subject`.
    pub(crate) fn with_subject(mut self, subject: Subject) -> Self {
        self.subject = subject;
        self
    }

    /// Valid or invalid.
    pub fn result(&self) -> VerdictResult {
        self.result
    }

    /// Whether no check failed.
    pub fn is_valid(&self) -> bool {
        self.result == VerdictResult::Valid
    }

    /// Whether revocation was looked up: false when the credential names a status list but
    /// no status lists were given (`status_not_checked`). A valid verdict that did not look
    /// revocation up must be shown as "signature valid, revocation not checked", never as
    /// plainly valid ([`revocation_checked`]).
    pub fn revocation_checked(&self) -> bool {
        revocation_checked(&self.checks)
    }

    /// The reason of the first failed check (in report order), when invalid.
    pub fn reason(&self) -> Option<Reason> {
        self.reason
    }

    /// The overall message in plain words.
    pub fn message(&self) -> Message {
        self.message
    }

    /// When the status list marks the record revoked: when and why (both unknown when the
    /// list has no note for it).
    pub fn revocation(&self) -> Option<&Revocation> {
        self.revocation.as_ref()
    }

    /// The time the revocation status is known as of: the signed `validFrom` of the status
    /// list the `status` check read (see [`Check::status_as_of`]).
    pub fn status_as_of(&self) -> Option<OffsetDateTime> {
        status_as_of(&self.checks)
    }

    /// Credential id, issuer, school, key, pupil: what to show next to the result.
    pub fn subject(&self) -> &Subject {
        &self.subject
    }

    /// The trust list judged against.
    pub fn trust_list(&self) -> Option<&TrustListInfo> {
        self.trust_list.as_ref()
    }

    /// Every check, in [`CheckName::ALL`] order.
    pub fn checks(&self) -> &[Check] {
        &self.checks
    }

    /// The check named `name`.
    pub fn check(&self, name: CheckName) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }

    /// The checks that passed with a warning.
    pub fn warnings(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.outcome == Outcome::Warning)
    }

    /// The verified credential, when the verdict is valid.
    pub fn verified(&self) -> Option<&VerifiedCredential> {
        self.verified.as_ref()
    }

    /// Take the verified credential out, when the verdict is valid.
    pub fn into_verified(self) -> Option<VerifiedCredential> {
        self.verified
    }
}

/// The `statusAsOf` of the `status` check of `checks`.
pub fn status_as_of(checks: &[Check]) -> Option<OffsetDateTime> {
    checks
        .iter()
        .find(|c| c.name == CheckName::Status)
        .and_then(|c| c.status_as_of)
}

/// Whether the `status` check of `checks` ran (anything but `not_checked` with
/// `status_not_checked`).
pub fn revocation_checked(checks: &[Check]) -> bool {
    !checks.iter().any(|c| {
        c.name == CheckName::Status
            && c.outcome == Outcome::NotChecked
            && c.reason == Some(Reason::StatusNotChecked)
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn rejected_trust_list_verdict_names_it_and_checks_nothing_else() {
        let v = Verdict::untrusted_trust_list(Reason::TrustListSignatureInvalid, "bad");
        assert_eq!(v.result(), VerdictResult::Invalid);
        assert_eq!(v.reason(), Some(Reason::TrustListSignatureInvalid));
        assert_eq!(v.message().en, "The trust list's signature is not valid.");
        assert_eq!(v.checks().len(), CheckName::ALL.len());
        assert!(
            v.checks()
                .iter()
                .filter(|c| c.name != CheckName::TrustList)
                .all(|c| c.outcome == Outcome::NotChecked)
        );
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["result"], "invalid");
        assert_eq!(json["reason"], "trust_list_signature_invalid");
        assert_eq!(json["checks"][6]["name"], "trust_list");
        assert_eq!(json["checks"][6]["outcome"], "failed");
        assert!(v.verified().is_none());
    }

    /// The direct writing of a whole UTC second is what RFC 3339 formatting gives; other
    /// times (an offset, a fraction) take the general path.
    #[test]
    fn shown_times_are_rfc3339() {
        use time::macros::datetime;
        let mut t = datetime!(0000-01-01 00:00:00 UTC);
        let step = time::Duration::seconds(86_400 * 367 + 3_600 * 7 + 60 * 13 + 17);
        loop {
            assert_eq!(ShowTime(t).to_string(), t.format(&Rfc3339).unwrap());
            match t.checked_add(step) {
                Some(next) => t = next,
                None => break,
            }
        }
        for t in [
            datetime!(2026-05-25 08:00:00 +07:00),
            datetime!(2026-05-25 08:00:00.5 UTC),
            datetime!(9999-12-31 23:59:59 UTC),
        ] {
            assert_eq!(ShowTime(t).to_string(), t.format(&Rfc3339).unwrap());
        }
        assert_eq!(
            ShowTime(datetime!(2026-05-25 08:00:00 +07:00)).to_string(),
            "2026-05-25T08:00:00+07:00"
        );
    }
}
