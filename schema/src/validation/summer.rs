//! Checks of the results after the summer (Circular 22/2021, Articles 12–14): a `summer` block
//! only after an interim decision (`ren_luyen_trong_he`, `kiem_tra_lai`); conduct after summer
//! training exactly when the year's conduct is CĐ; re-assessment only in the subjects rated CĐ
//! and the scored subjects with a year average below 5.0, and a learning result after it
//! exactly when the year's learning is CĐ; the learning result derived again with the
//! re-assessed values (warning on disagreement); the final decision from the results after the
//! summer and the absences (warning on disagreement).

use serde_json::Value;

use super::Rule;
use super::checks::{Checks, json};
use super::secondary_derived::{Marks, term_index};
use crate::record::{Promotion, Rating, ReassessedSubject, SecondaryYear, SummerDecision, Term};
use crate::rules::learning_result::{SubjectMark, assess_learning, is_at_least_pass};

/// Year average (in tenths) below which a scored subject is re-assessed (Article 14).
pub const REASSESS_BELOW_TENTHS: u16 = 50;

/// Check `/secondary/summer`.
pub(crate) fn check_summer(
    block: &SecondaryYear,
    grade: u8,
    days_absent: u16,
    marks: Option<&[Marks]>,
    checks: &mut Checks<'_>,
) {
    let Some(summer) = &block.summer else {
        return;
    };
    if !matches!(
        block.promotion,
        Promotion::SummerTraining | Promotion::Retest
    ) {
        checks.add(
            "/secondary/summer",
            Rule::SummerNotExpected,
            json(&block.promotion),
            "kết quả sau hè chỉ ghi cho học sinh có quyết định cuối năm là ren_luyen_trong_he hoặc kiem_tra_lai (Thông tư 22, Điều 13–14); bỏ khối summer hoặc sửa quyết định cuối năm",
            "results after the summer are recorded only for a pupil whose year-end decision is ren_luyen_trong_he or kiem_tra_lai (Circular 22, Articles 13–14); remove the summer block or correct the year-end decision",
        );
        return;
    }
    let conduct_cd = block.conduct_result.year == Rating::Cd;
    let learning_cd = block.learning_result.year == Rating::Cd;
    let mut ok = true;
    for (key, due, value, vi, en) in [
        (
            "conductResult",
            conduct_cd,
            summer.conduct_result,
            "kết quả rèn luyện sau rèn luyện trong hè (Thông tư 22, Điều 13)",
            "the conduct result after summer training (Circular 22, Article 13)",
        ),
        (
            "learningResult",
            learning_cd,
            summer.learning_result,
            "kết quả học tập sau kiểm tra lại (Thông tư 22, Điều 14)",
            "the learning result after re-assessment (Circular 22, Article 14)",
        ),
    ] {
        let pointer = format!("/secondary/summer/{key}");
        match (due, value) {
            (true, None) => {
                ok = false;
                checks.add(
                    pointer,
                    Rule::ResultMissing,
                    Value::Null,
                    &format!("kết quả cả năm là CĐ nên phải ghi {vi}: T, K, Đ hoặc CĐ"),
                    &format!("the year's result is CĐ, so {en} is required: T, K, Đ or CĐ"),
                );
            }
            (false, Some(r)) => {
                ok = false;
                checks.add(
                    pointer,
                    Rule::SummerNotExpected,
                    json(&r),
                    &format!("kết quả cả năm không phải CĐ nên không có {vi}; bỏ ô này"),
                    &format!("the year's result is not CĐ, so there is no {en}; leave it out"),
                );
            }
            (_, Some(r)) if !matches!(r, Rating::T | Rating::K | Rating::D | Rating::Cd) => {
                ok = false;
                checks.add(
                    pointer,
                    Rule::RatingNotInSet,
                    json(&r),
                    "kết quả sau hè là T, K, Đ hoặc CĐ",
                    "a result after the summer is T, K, Đ or CĐ",
                );
            }
            _ => {}
        }
    }
    if !learning_cd && !summer.subjects.is_empty() {
        ok = false;
        checks.add(
            "/secondary/summer/subjects",
            Rule::SummerNotExpected,
            json(&summer.subjects.len()),
            "kết quả học tập cả năm không phải CĐ nên không kiểm tra lại môn nào (Thông tư 22, Điều 14)",
            "the year's learning result is not CĐ, so no subject is re-assessed (Circular 22, Article 14)",
        );
    }
    let mut replaced: Vec<(usize, SubjectMark)> = Vec::new();
    for (i, s) in summer.subjects.iter().enumerate() {
        match reassessed_mark(i, s, block, marks, checks) {
            Some(found) => replaced.push(found),
            None => ok = false,
        }
    }
    let (Some(marks), true) = (marks, ok) else {
        return;
    };
    let learning_after = if learning_cd {
        let mut year: Vec<Option<SubjectMark>> = marks
            .iter()
            .map(|m| m.terms[term_index(Term::Year)])
            .collect();
        for (i, mark) in &replaced {
            if let Some(slot) = year.get_mut(*i) {
                *slot = Some(*mark);
            }
        }
        let year: Vec<SubjectMark> = year.into_iter().flatten().collect();
        let computed = assess_learning(&year, checks.thresholds.learning_adjustment).result;
        let written = summer.learning_result.unwrap_or(computed);
        if written != computed {
            checks.add_mismatch(
                "/secondary/summer/learningResult",
                Rule::LearningResultMismatch,
                json(&written),
                json(&computed),
                &format!("với điểm và mức đánh giá sau kiểm tra lại thay cho kết quả cả năm của các môn đó, kết quả học tập là {computed}, không phải {written} (Thông tư 22, Điều 14 và Điều 9)"),
                &format!("with the re-assessed values replacing those subjects' year results, the learning result is {computed}, not {written} (Circular 22, Articles 14 and 9)"),
            );
        }
        written
    } else {
        block.learning_result.year
    };
    let conduct_after = summer.conduct_result.unwrap_or(block.conduct_result.year);
    let max = checks.thresholds.max_absences_for_promotion;
    let passes =
        is_at_least_pass(learning_after) && is_at_least_pass(conduct_after) && days_absent <= max;
    let expected = match (passes, grade) {
        (false, _) => SummerDecision::NotPromoted,
        (true, 12) => SummerDecision::CompletedUpperSecondary,
        (true, _) => SummerDecision::Promoted,
    };
    if summer.decision != expected {
        checks.add_mismatch(
            "/secondary/summer/decision",
            Rule::PromotionMismatch,
            json(&summer.decision),
            json(&expected),
            &format!(
                "sau hè kết quả học tập là {learning_after}, rèn luyện {conduct_after}, {days_absent} buổi nghỉ (tối đa {max}), nên quyết định là \"{}\" (Thông tư 22, Điều 12–14)",
                expected.label_vi()
            ),
            &format!(
                "after the summer learning is {learning_after}, conduct {conduct_after}, {days_absent} sessions absent (at most {max}), so the decision is \"{}\" (Circular 22, Articles 12–14)",
                expected.label_en()
            ),
        );
    }
}

/// The index in `marks` and the re-assessed mark of one re-assessed subject, when it is one the
/// pupil may be re-assessed in and its value is well formed.
fn reassessed_mark(
    i: usize,
    s: &ReassessedSubject,
    block: &SecondaryYear,
    marks: Option<&[Marks]>,
    checks: &mut Checks<'_>,
) -> Option<(usize, SubjectMark)> {
    let at = format!("/secondary/summer/subjects/{i}");
    let written = block
        .subjects
        .iter()
        .find(|x| x.code == s.code && !x.exempt);
    let index = marks.and_then(|m| m.iter().position(|x| x.code == s.code));
    let year = index
        .and_then(|k| marks.and_then(|m| m.get(k)))
        .and_then(|m| m.terms[term_index(Term::Year)]);
    let eligible = match year {
        Some(SubjectMark::Scored(t)) => t < REASSESS_BELOW_TENTHS,
        Some(SubjectMark::Commented(passed)) => !passed,
        None => false,
    };
    if written.is_none() || (marks.is_some() && !eligible) {
        checks.add(
            format!("{at}/code"),
            Rule::ReassessmentNotEligible,
            json(&s.code),
            "chỉ kiểm tra lại môn có trong bản ghi, được đánh giá CĐ hoặc có điểm trung bình cả năm dưới 5,0 (Thông tư 22, Điều 14)",
            "only a subject of the record rated CĐ, or with a year average below 5.0, is re-assessed (Circular 22, Article 14)",
        );
        return None;
    }
    let mark = match (year?, s.average, s.rating) {
        (SubjectMark::Scored(_), Some(a), None) => match a.tenths() {
            Some(t) if a.in_range() && a.decimals().is_some_and(|d| d <= 1) => {
                SubjectMark::Scored(t)
            }
            _ => {
                checks.add(
                    format!("{at}/average"),
                    Rule::AverageRange,
                    json(&a),
                    "điểm sau kiểm tra lại từ 0 đến 10, nhiều nhất một chữ số thập phân",
                    "a re-assessed average is 0–10 with at most one decimal",
                );
                return None;
            }
        },
        (SubjectMark::Commented(_), None, Some(r)) if matches!(r, Rating::D | Rating::Cd) => {
            SubjectMark::Commented(r == Rating::D)
        }
        (kind, _, _) => {
            let scored = matches!(kind, SubjectMark::Scored(_));
            checks.add(
                at,
                Rule::AssessmentKindMismatch,
                json(s),
                if scored {
                    "môn tính điểm: ghi điểm sau kiểm tra lại (average), không ghi mức"
                } else {
                    "môn đánh giá bằng nhận xét: ghi mức Đ hoặc CĐ sau kiểm tra lại (rating), không ghi điểm"
                },
                if scored {
                    "a scored subject: write the re-assessed average, no rating"
                } else {
                    "a comment subject: write the re-assessed rating Đ or CĐ, no average"
                },
            );
            return None;
        }
    };
    Some((index?, mark))
}
