//! Checks shared by both levels' subject lists: codes from the catalogue, allowed in the grade,
//! not repeated, every compulsory subject present, the list not too long.

use std::collections::HashSet;

use serde_json::Value;

use super::Rule;
use super::checks::{Checks, json};
use crate::record::Subject;
use crate::rules::curriculum::{
    Requirement, SubjectRule, exemption_is_routine, parts_of, subject_rule, subjects_for_grade,
};

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
            let parts = parts_of(rule.subject, grade);
            let parts_written = parts.iter().filter(|p| seen.contains(p)).count();
            if rule.requirement == Requirement::Compulsory
                && seen.contains(&rule.subject)
                && parts_written > 0
            {
                complete = false;
                checks.add(
                    base,
                    Rule::SubjectPartsMixed,
                    Value::String(rule.subject.code().to_owned()),
                    &format!(
                        "môn {} được ghi cả gộp (mã {}) lẫn theo từng phần; ghi hoặc một dòng gộp, hoặc đủ các phần ({}), không cả hai",
                        rule.subject.name_vi(),
                        rule.subject.code(),
                        part_codes(&parts)
                    ),
                    &format!(
                        "{} is written both whole (code {}) and as its parts; write either the whole subject or every part ({}), not both",
                        rule.subject.name_en(),
                        rule.subject.code(),
                        part_codes(&parts)
                    ),
                );
                continue;
            }
            if rule.requirement == Requirement::Compulsory && !parts.is_empty() && parts_written > 0
            {
                // Written as its parts: each part is then required.
                for part in parts.iter().filter(|p| !seen.contains(p)) {
                    complete = false;
                    checks.add(
                        base,
                        Rule::SubjectRequiredMissing,
                        Value::String(part.code().to_owned()),
                        &format!(
                            "môn {} được ghi theo từng phần nhưng thiếu phần {} (mã {}) của lớp {grade}",
                            rule.subject.name_vi(),
                            part.name_vi(),
                            part.code()
                        ),
                        &format!(
                            "{} is written as its parts but the part {} (code {}) of grade {grade} is missing",
                            rule.subject.name_en(),
                            part.name_en(),
                            part.code()
                        ),
                    );
                }
                continue;
            }
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

fn part_codes(parts: &[Subject]) -> String {
    parts
        .iter()
        .map(|p| p.code())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Warn about an exempt subject whose exemption has no written grounds: outside Giáo dục thể
/// chất and the arts ([`exemption_is_routine`]), an exemption from a compulsory, chosen or
/// scored subject needs the pupil's disability note or the subject's `exemptionNote`.
pub(crate) fn check_exemption_grounds(
    at: &str,
    entry: &Entry,
    name: &str,
    scored: bool,
    grounds: bool,
    checks: &mut Checks<'_>,
) {
    let Some(subject) = entry.subject else {
        return;
    };
    let weighty = scored
        || entry
            .rule
            .is_some_and(|r| r.requirement != Requirement::Optional);
    if grounds || exemption_is_routine(subject) || !weighty {
        return;
    }
    checks.add(
        format!("{at}/exempt"),
        Rule::ExemptionWithoutGrounds,
        Value::Bool(true),
        &format!(
            "học sinh được miễn môn {name} nhưng hồ sơ không ghi căn cứ: ghi lý do miễn của môn (exemptionNote) hoặc ghi chú khuyết tật của học sinh (cột \"Khuyết tật\" của mẫu nhập); chỉ Giáo dục thể chất, Âm nhạc, Mĩ thuật được miễn mà không cần ghi căn cứ"
        ),
        &format!(
            "the pupil is exempt from {name} but the record gives no grounds: write the subject's exemptionNote or the pupil's disability note (template column \"Khuyết tật\"); only physical education, music and fine arts are exempted without written grounds"
        ),
    );
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
