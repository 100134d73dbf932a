//! Checks shared by both levels' subject lists: codes from the catalogue, allowed in the grade,
//! not repeated, every compulsory subject present, the list not too long.

use std::collections::HashSet;

use serde_json::Value;

use super::Rule;
use super::checks::{Checks, json};
use crate::record::Subject;
use crate::rules::curriculum::{Requirement, SubjectRule, subject_rule, subjects_for_grade};

/// Most subjects in one record.
pub const MAX_SUBJECTS: usize = 40;
/// Most entries in `otherAwards`.
pub const MAX_OTHER_AWARDS: usize = 20;

/// What the catalogue says about one subject entry.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    /// The subject, when the code is known.
    pub(crate) subject: Option<Subject>,
    /// Its place in the grade, when the grade is known and has it.
    pub(crate) rule: Option<SubjectRule>,
    /// Whether the entry repeats an earlier one.
    pub(crate) duplicate: bool,
}

/// What the catalogue says about a whole subject list.
pub(crate) struct Catalogued {
    /// One entry per subject, in order.
    pub(crate) entries: Vec<Entry>,
    /// Whether every compulsory subject of the grade is present.
    pub(crate) complete: bool,
}

/// Check the codes of a subject list (`base` is e.g. `/primary/subjects`). `grade` is `None`
/// when the grade is unusable for this block; then only grade-independent checks run.
pub(crate) fn check_codes(
    base: &str,
    codes: &[&str],
    grade: Option<u8>,
    checks: &mut Checks<'_>,
) -> Catalogued {
    if codes.len() > MAX_SUBJECTS {
        checks.add(
            base,
            Rule::ListTooLong,
            json(&codes.len()),
            &format!(
                "có {} môn học, nhiều hơn giới hạn {MAX_SUBJECTS}",
                codes.len()
            ),
            &format!(
                "{} subjects, more than the limit of {MAX_SUBJECTS}",
                codes.len()
            ),
        );
    }
    let mut seen = HashSet::new();
    let mut entries = Vec::with_capacity(codes.len());
    for (i, code) in codes.iter().enumerate() {
        let pointer = format!("{base}/{i}/code");
        let subject = Subject::from_code(code);
        let mut entry = Entry {
            subject,
            rule: None,
            duplicate: false,
        };
        match subject {
            None => checks.add(
                pointer,
                Rule::SubjectUnknown,
                json(code),
                "mã môn học không có trong danh mục (xem schema/docs/record.md), ví dụ toan, tieng_viet, ngu_van, ngoai_ngu_1",
                "the subject code is not in the catalogue (see schema/docs/record.md), e.g. toan, tieng_viet, ngu_van, ngoai_ngu_1",
            ),
            Some(subject) => {
                if !seen.insert(subject) {
                    entry.duplicate = true;
                    checks.add(
                        pointer.clone(),
                        Rule::SubjectDuplicate,
                        json(code),
                        &format!("môn {} đã có ở trên trong danh sách", subject.name_vi()),
                        &format!("{} is already listed above", subject.name_en()),
                    );
                }
                if let Some(grade) = grade {
                    entry.rule = subject_rule(subject, grade);
                    if entry.rule.is_none() {
                        checks.add(
                            pointer,
                            Rule::SubjectNotAllowedForGrade,
                            json(code),
                            &format!("lớp {grade} không có môn {}", subject.name_vi()),
                            &format!("grade {grade} does not have {}", subject.name_en()),
                        );
                    }
                }
            }
        }
        entries.push(entry);
    }
    let mut complete = true;
    if let Some(grade) = grade {
        for rule in subjects_for_grade(grade) {
            if rule.requirement == Requirement::Compulsory && !seen.contains(&rule.subject) {
                complete = false;
                checks.add(
                    base,
                    Rule::SubjectRequiredMissing,
                    Value::String(rule.subject.code().to_owned()),
                    &format!(
                        "thiếu môn bắt buộc {} (mã {}) của lớp {grade}",
                        rule.subject.name_vi(),
                        rule.subject.code()
                    ),
                    &format!(
                        "the compulsory subject {} (code {}) of grade {grade} is missing",
                        rule.subject.name_en(),
                        rule.subject.code()
                    ),
                );
            }
        }
    }
    Catalogued { entries, complete }
}

/// Check the length of an `otherAwards` list.
pub(crate) fn check_other_awards(pointer: &str, awards: &[String], checks: &mut Checks<'_>) {
    if awards.len() > MAX_OTHER_AWARDS {
        checks.add(
            pointer,
            Rule::ListTooLong,
            json(&awards.len()),
            &format!(
                "có {} khen thưởng, nhiều hơn giới hạn {MAX_OTHER_AWARDS}",
                awards.len()
            ),
            &format!(
                "{} awards, more than the limit of {MAX_OTHER_AWARDS}",
                awards.len()
            ),
        );
    }
}

/// Report a completion decision outside its grade, or a missing one in its grade.
pub(crate) fn check_completion(
    pointer: &str,
    completion: Option<bool>,
    grade: Option<u8>,
    final_grade: u8,
    programme_vi: &str,
    programme_en: &str,
    checks: &mut Checks<'_>,
) {
    let Some(grade) = grade else {
        return;
    };
    match (completion, grade == final_grade) {
        (Some(value), false) => checks.add(
            pointer,
            Rule::CompletionWrongGrade,
            json(&value),
            &format!("việc hoàn thành {programme_vi} chỉ được ghi ở lớp {final_grade}, không ở lớp {grade}"),
            &format!("completion of {programme_en} is recorded in grade {final_grade} only, not in grade {grade}"),
        ),
        (None, true) => checks.add(
            pointer,
            Rule::CompletionMissing,
            Value::Null,
            &format!("lớp {final_grade} phải ghi hiệu trưởng có xác nhận hoàn thành {programme_vi} hay không (true / false)"),
            &format!("grade {final_grade} must record whether the principal confirms completion of {programme_en} (true / false)"),
        ),
        _ => {}
    }
}
