//! A candidate's items after verification ([`ItemOutcome`]) and the checks that make them one
//! candidate's records for a scheme ([`records_for`]): every item verified with its
//! revocation status looked up (fail closed), one pupil (personal identification number, name
//! and date of birth agree), each grade the scheme needs present once, their school years
//! consecutive, conduct and completion as the scheme asks.

// A refusal or a scheme mistake is the rare, cold path and carries the texts people read;
// boxing them would only add noise.
#![allow(clippy::result_large_err)]

use serde::Serialize;

use super::refusal::{Refusal, RefusalCode, of_pupil};
use super::scheme::Scheme;
use crate::normalise::{NormalisedRecord, normalise};
use crate::verdict::{Verdict, VerdictResult};

/// What verifying one item gave, as admissions needs it.
#[derive(Debug, Clone)]
pub enum ItemOutcome {
    /// Valid, revocation looked up: the record.
    Verified {
        /// The normalised year record.
        record: Box<NormalisedRecord>,
        /// The credential id.
        credential_id: Option<String>,
    },
    /// Checked and not valid: `result` and the first failed check's reason code.
    NotValid {
        /// `invalid` or `status_unknown`.
        result: VerdictResult,
        /// Stable reason code (`revoked`, `signature_mismatch`, …).
        reason: Option<&'static str>,
        /// The verifier's message.
        vi: String,
        /// The verifier's message.
        en: String,
    },
    /// A QR summary: no subject averages in it.
    Summary,
    /// Could not be read or fetched (bad file, share code refused).
    Unreadable {
        /// Stable code.
        code: String,
        /// What went wrong.
        detail: String,
    },
}

impl ItemOutcome {
    /// The outcome of a credential's verdict. A valid verdict whose revocation status was
    /// not looked up (`status_not_checked`) is not good enough for admissions: it counts as
    /// `status_unknown` (fail closed).
    pub fn of_verdict(verdict: &Verdict) -> Self {
        match verdict.verified() {
            // The id from the verdict's subject: `v.id()` would parse the whole document
            // again (the fast path reads only `credentialSubject`).
            Some(v) if verdict.revocation_checked() => ItemOutcome::Verified {
                record: Box::new(
                    v.normalised()
                        .unwrap_or_else(|| normalise(&serde_json::Value::Null)),
                ),
                credential_id: verdict.subject().credential_id.clone(),
            },
            Some(_) => ItemOutcome::NotValid {
                result: VerdictResult::StatusUnknown,
                reason: Some("status_not_checked"),
                vi: "Chưa kiểm tra được hồ sơ có bị thu hồi hay không.".into(),
                en: "Whether the record is revoked was not checked.".into(),
            },
            None => ItemOutcome::NotValid {
                result: verdict.result(),
                reason: verdict.reason().map(|r| r.code()),
                vi: verdict.message().vi.to_owned(),
                en: verdict.message().en.to_owned(),
            },
        }
    }

    /// The verdict word for an item report: `valid`, `invalid`, `revoked`, `status_unknown`,
    /// `summary_only` or the unreadable item's code.
    pub fn verdict_word(&self) -> &str {
        match self {
            ItemOutcome::Verified { .. } => "valid",
            ItemOutcome::NotValid {
                reason: Some("revoked"),
                ..
            } => "revoked",
            ItemOutcome::NotValid { result, .. } => result.as_str(),
            ItemOutcome::Summary => "summary_only",
            ItemOutcome::Unreadable { code, .. } => code,
        }
    }
}

/// One item of a candidate as reported: its verdict and, when verified, what it is.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemSummary {
    /// 0-based, in the candidate's order.
    pub index: usize,
    /// `valid`, `invalid`, `revoked`, `status_unknown`, `summary_only`, or an unreadable
    /// item's code.
    pub verdict: String,
    /// The first failed check's reason code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Credential id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_id: Option<String>,
    /// Grade of the record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<u8>,
    /// School year of the record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub school_year: Option<String>,
    /// The school's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub school: Option<String>,
    /// Whether the scheme used this record.
    pub used: bool,
}

impl ItemSummary {
    /// The report of item `index`.
    pub fn of(index: usize, outcome: &ItemOutcome, used: bool) -> Self {
        let (reason, credential_id, grade, school_year, school) = match outcome {
            ItemOutcome::Verified {
                record,
                credential_id,
            } => (
                None,
                credential_id.clone(),
                record.grade,
                record.school_year.clone(),
                record.school.name.clone(),
            ),
            ItemOutcome::NotValid { reason, .. } => {
                (reason.map(str::to_owned), None, None, None, None)
            }
            ItemOutcome::Summary => (None, None, None, None, None),
            ItemOutcome::Unreadable { detail, .. } => {
                (Some(detail.clone()), None, None, None, None)
            }
        };
        Self {
            index,
            verdict: outcome.verdict_word().to_owned(),
            reason,
            credential_id,
            grade,
            school_year,
            school,
            used,
        }
    }
}

/// The pupil the records agree on.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CandidatePupil {
    /// Full name.
    pub full_name: Option<String>,
    /// Date of birth.
    pub date_of_birth: Option<String>,
    /// Số định danh cá nhân.
    pub personal_id_number: Option<String>,
}

/// The records a scheme uses, one per grade it needs (ascending), with the item index each
/// came from.
#[derive(Debug, Clone)]
pub struct CandidateRecords<'a> {
    /// The pupil.
    pub pupil: CandidatePupil,
    /// (grade, item index, record).
    pub by_grade: Vec<(u8, usize, &'a NormalisedRecord)>,
}

fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    norm(a) == norm(b)
}

/// The first year of `2024-2025`.
fn first_year(school_year: &str) -> Option<i32> {
    school_year.split(['-', '–']).next()?.trim().parse().ok()
}

fn conduct_rank(code: &str) -> u8 {
    match code {
        "T" => 3,
        "K" => 2,
        "Đ" => 1,
        _ => 0,
    }
}

/// What an unreadable item's code means, in Vietnamese (the English detail stays in `en`).
fn unreadable_vi(code: &str) -> &'static str {
    match code {
        "share_code_unavailable" => {
            "máy chủ kiểm tra chưa được kết nối với hệ thống cấp học bạ nên không đổi được mã chia \
             sẻ; hãy gửi tệp PDF của học bạ"
        }
        "share_code_used" => {
            "mã chia sẻ đã được dùng (mỗi mã chỉ dùng một lần); hãy đề nghị gia đình tạo mã mới"
        }
        "share_code_expired" => "mã chia sẻ đã hết hạn; hãy đề nghị gia đình tạo mã mới",
        "share_code_withdrawn" => "gia đình đã thu hồi mã chia sẻ này",
        "share_code_unknown" => {
            "không có mã chia sẻ này cho đơn vị của bạn; hãy kiểm tra lại mã với gia đình"
        }
        "share_code_rate_limited" => "đã nhập sai mã quá nhiều lần; hãy thử lại sau",
        "share_code_forbidden" => {
            "hệ thống cấp học bạ không chấp nhận mã truy cập của cổng tuyển sinh; hãy liên hệ \
             quản trị"
        }
        _ => {
            "tệp không đọc được (không phải PDF học bạ hay tệp hồ sơ JSON hợp lệ); hãy gửi lại \
             tệp PDF gốc của học bạ"
        }
    }
}

/// Check `outcomes` as one candidate's records for `scheme`: the first refusal found, or the
/// records the scheme uses. Items are checked in order; every item must have verified, even
/// one of a grade the scheme does not use.
pub fn records_for<'a>(
    scheme: &Scheme,
    outcomes: &'a [ItemOutcome],
) -> Result<CandidateRecords<'a>, (CandidatePupil, Refusal)> {
    let mut pupil = CandidatePupil::default();
    let refuse = |pupil: &CandidatePupil, code, item, vi: String, en: String| {
        Err((pupil.clone(), Refusal::new(code, item, vi, en)))
    };
    if outcomes.is_empty() {
        return refuse(
            &pupil,
            RefusalCode::NoItems,
            None,
            "Thí sinh không có học bạ nào: hãy gửi học bạ các lớp phương án yêu cầu.".into(),
            "The candidate has no records: send the records of the grades the scheme needs.".into(),
        );
    }
    // The pupil: from the first verified record.
    if let Some(first) = outcomes.iter().find_map(|o| match o {
        ItemOutcome::Verified { record, .. } => Some(record),
        _ => None,
    }) {
        pupil = CandidatePupil {
            full_name: first.pupil.full_name.clone(),
            date_of_birth: first.pupil.date_of_birth.clone(),
            personal_id_number: first.pupil.personal_id_number.clone(),
        };
    }
    let (of_vi, of_en) = of_pupil(pupil.full_name.as_deref());
    for (i, outcome) in outcomes.iter().enumerate() {
        let n = i + 1;
        match outcome {
            ItemOutcome::Verified { .. } => {}
            ItemOutcome::NotValid {
                reason: Some("revoked"),
                ..
            } => {
                return refuse(
                    &pupil,
                    RefusalCode::ItemRevoked,
                    Some(i),
                    format!(
                        "Học bạ thứ {n}{of_vi} đã bị trường thu hồi: hãy đề nghị thí sinh gửi \
                         bản học bạ thay thế."
                    ),
                    format!(
                        "Record {n}{of_en} was revoked by its school: ask the candidate for the \
                         record that replaces it."
                    ),
                );
            }
            ItemOutcome::NotValid {
                result: VerdictResult::StatusUnknown,
                ..
            } => {
                return refuse(
                    &pupil,
                    RefusalCode::ItemStatusUnknown,
                    Some(i),
                    format!(
                        "Không xác định được học bạ thứ {n}{of_vi} có bị thu hồi hay không \
                         (danh sách trạng thái không có hoặc đã cũ): chưa xét điểm; hãy cập nhật \
                         dữ liệu tin cậy rồi xét lại."
                    ),
                    format!(
                        "Whether record {n}{of_en} is revoked could not be established (status \
                         list missing or too old): not scored; update the trust material and \
                         score again."
                    ),
                );
            }
            ItemOutcome::NotValid { vi, en, .. } => {
                return refuse(
                    &pupil,
                    RefusalCode::ItemInvalid,
                    Some(i),
                    format!("Học bạ thứ {n}{of_vi} không hợp lệ: {vi}"),
                    format!("Record {n}{of_en} is not valid: {en}"),
                );
            }
            ItemOutcome::Summary => {
                return refuse(
                    &pupil,
                    RefusalCode::SummaryOnly,
                    Some(i),
                    format!(
                        "Mục thứ {n} là mã QR tóm tắt, không có điểm trung bình từng môn: hãy gửi \
                         tệp PDF hoặc mã chia sẻ của học bạ."
                    ),
                    format!(
                        "Item {n} is a QR summary without subject averages: send the record's \
                         PDF or a share code."
                    ),
                );
            }
            ItemOutcome::Unreadable { code, detail } => {
                let share = code.starts_with("share_code");
                return refuse(
                    &pupil,
                    if share {
                        RefusalCode::ShareCodeRefused
                    } else {
                        RefusalCode::ItemUnreadable
                    },
                    Some(i),
                    format!("Mục thứ {n}{of_vi}: {}.", unreadable_vi(code)),
                    format!("Item {n}{of_en} could not be read ({code}): {detail}"),
                );
            }
        }
    }
    let verified: Vec<(usize, &NormalisedRecord)> = outcomes
        .iter()
        .enumerate()
        .filter_map(|(i, o)| match o {
            ItemOutcome::Verified { record, .. } => Some((i, &**record)),
            _ => None,
        })
        .collect();
    // One pupil.
    for (i, r) in &verified {
        let n = i + 1;
        let grade = r.grade.map(|g| g.to_string()).unwrap_or_else(|| "?".into());
        if r.level != Some("secondary") || !r.grade.is_some_and(|g| (10..=12).contains(&g)) {
            return refuse(
                &pupil,
                RefusalCode::NotUpperSecondary,
                Some(*i),
                format!(
                    "Học bạ thứ {n}{of_vi} là của lớp {grade}, không phải lớp 10, 11 hay 12: \
                     bỏ học bạ này ra."
                ),
                format!(
                    "Record {n}{of_en} is of grade {grade}, not grade 10, 11 or 12: leave it \
                     out."
                ),
            );
        }
        let Some(id) = r.pupil.personal_id_number.as_deref() else {
            return refuse(
                &pupil,
                RefusalCode::PersonalIdMissing,
                Some(*i),
                format!(
                    "Học bạ lớp {grade}{of_vi} không có số định danh cá nhân nên không đối chiếu \
                     được là cùng một học sinh: đề nghị trường cấp lại học bạ có số định danh."
                ),
                format!(
                    "The grade-{grade} record{of_en} has no personal identification number, so it \
                     cannot be matched to the others: ask the school to re-issue it with one."
                ),
            );
        };
        let mismatch = |what_vi: &str, what_en: &str, theirs: &str, ours: &str| {
            refuse(
                &pupil,
                RefusalCode::PupilMismatch,
                Some(*i),
                format!(
                    "Học bạ lớp {grade} (mục thứ {n}) là của học sinh khác: {what_vi} \
                     \"{theirs}\" khác \"{ours}\"{of_vi}. Mỗi thí sinh chỉ gửi học bạ của chính \
                     mình."
                ),
                format!(
                    "The grade-{grade} record (item {n}) is another pupil's: {what_en} \
                     \"{theirs}\" differs from \"{ours}\"{of_en}. Each candidate sends only their \
                     own records."
                ),
            )
        };
        if pupil.personal_id_number.as_deref() != Some(id) {
            return mismatch(
                "số định danh cá nhân",
                "personal identification number",
                id,
                pupil.personal_id_number.as_deref().unwrap_or(""),
            );
        }
        let name = r.pupil.full_name.as_deref().unwrap_or("");
        if !same_name(name, pupil.full_name.as_deref().unwrap_or("")) {
            return mismatch(
                "họ và tên",
                "full name",
                name,
                pupil.full_name.as_deref().unwrap_or(""),
            );
        }
        let dob = r.pupil.date_of_birth.as_deref().unwrap_or("");
        if dob != pupil.date_of_birth.as_deref().unwrap_or("") {
            return mismatch(
                "ngày sinh",
                "date of birth",
                dob,
                pupil.date_of_birth.as_deref().unwrap_or(""),
            );
        }
    }
    // Each needed grade once.
    let mut by_grade: Vec<(u8, usize, &NormalisedRecord)> = Vec::new();
    for grade in scheme.grades() {
        let found: Vec<&(usize, &NormalisedRecord)> = verified
            .iter()
            .filter(|(_, r)| r.grade == Some(grade))
            .collect();
        match found.as_slice() {
            [] => {
                return refuse(
                    &pupil,
                    RefusalCode::GradeMissing,
                    None,
                    format!(
                        "Thiếu học bạ lớp {grade}{of_vi}: phương án {} cần học bạ lớp {grade}; \
                         hãy gửi thêm.",
                        scheme.name
                    ),
                    format!(
                        "The grade-{grade} record{of_en} is missing: scheme {} needs it; send it.",
                        scheme.name
                    ),
                );
            }
            [(i, r)] => by_grade.push((grade, *i, r)),
            [(a, _), (b, _), ..] => {
                return refuse(
                    &pupil,
                    RefusalCode::GradeTwice,
                    Some(*b),
                    format!(
                        "Có hai học bạ lớp {grade}{of_vi} (mục thứ {} và {}): chỉ gửi bản còn \
                         hiệu lực.",
                        a + 1,
                        b + 1
                    ),
                    format!(
                        "Two grade-{grade} records{of_en} (items {} and {}): send only the one \
                         in force.",
                        a + 1,
                        b + 1
                    ),
                );
            }
        }
    }
    // Consecutive school years (a change of school between them is fine).
    for pair in by_grade.windows(2) {
        let [(g1, _, r1), (g2, i2, r2)] = pair else {
            continue;
        };
        let y1 = r1.school_year.as_deref().and_then(first_year);
        let y2 = r2.school_year.as_deref().and_then(first_year);
        let expected = y1.map(|y| y + i32::from(g2 - g1));
        if y2.is_none() || y2 != expected {
            let s1 = r1.school_year.clone().unwrap_or_default();
            let s2 = r2.school_year.clone().unwrap_or_default();
            return refuse(
                &pupil,
                RefusalCode::YearsNotConsecutive,
                Some(*i2),
                format!(
                    "Năm học không liên tiếp{of_vi}: lớp {g1} năm {s1} nhưng lớp {g2} năm {s2}. \
                     Phương án tính các lớp học liên tiếp; kiểm tra lại học bạ đã gửi."
                ),
                format!(
                    "School years are not consecutive{of_en}: grade {g1} in {s1} but grade {g2} \
                     in {s2}. The scheme counts consecutive years; check the records sent."
                ),
            );
        }
    }
    if let Some(min) = &scheme.conditions.min_conduct {
        for (grade, i, r) in &by_grade {
            let year = r
                .conduct_result
                .as_ref()
                .and_then(|c| c.year.clone())
                .unwrap_or_default();
            if conduct_rank(&year) < conduct_rank(min) {
                let shown = if year.is_empty() { "—" } else { &year };
                return refuse(
                    &pupil,
                    RefusalCode::ConductBelowMinimum,
                    Some(*i),
                    format!(
                        "Kết quả rèn luyện cả năm lớp {grade}{of_vi} là {shown}, dưới mức {min} \
                         phương án yêu cầu: thí sinh không đủ điều kiện xét tuyển."
                    ),
                    format!(
                        "Conduct for the grade-{grade} year{of_en} is {shown}, below the {min} \
                         the scheme asks: the candidate is not eligible."
                    ),
                );
            }
        }
    }
    if scheme.conditions.require_completion {
        let twelve = verified.iter().find(|(_, r)| r.grade == Some(12));
        let done = twelve.is_some_and(|(_, r)| {
            r.promotion
                .as_ref()
                .is_some_and(|p| p.code == "hoan_thanh_chuong_trinh_thpt")
        });
        if !done {
            return refuse(
                &pupil,
                RefusalCode::CompletionMissing,
                twelve.map(|(i, _)| *i),
                format!(
                    "Học bạ lớp 12{of_vi} không ghi \"Hoàn thành chương trình THPT\": phương án \
                     yêu cầu điều này; hãy gửi học bạ lớp 12 đã được xét hoàn thành."
                ),
                format!(
                    "The grade-12 record{of_en} does not state \"Hoàn thành chương trình THPT\" \
                     (completed upper secondary), which the scheme requires: send the final \
                     grade-12 record."
                ),
            );
        }
    }
    Ok(CandidateRecords { pupil, by_grade })
}
