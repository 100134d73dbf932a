//! Checks of the primary block (Circular 27/2020): ratings from T / H / C and T / Đ / C, whole
//! test scores 1–10 at the tests the subject has, and the derived year result, promotion, award
//! and completion of the primary programme.

use serde_json::Value;

use super::Rule;
use super::checks::{Checks, json};
use super::subjects::{check_codes, check_completion, check_exemption_grounds, check_other_awards};
use crate::record::{PrimaryYear, Rating, RatingScale, SchoolLevel, TestScore};
use crate::rules::awards::primary_awards;
use crate::rules::curriculum::{Assessment, periodic_tests};
use crate::rules::primary_result::{PrimaryEvidence, primary_year_result};
use crate::rules::promotion::primary_promotion;

/// Check `block` at `/primary`. `grade` is `None` when the record's grade is not a primary
/// grade (then only grade-independent checks run and nothing is derived).
pub(crate) fn check_primary(
    block: &PrimaryYear,
    grade: Option<u8>,
    disability_noted: bool,
    checks: &mut Checks<'_>,
) {
    let base = "/primary/subjects";
    let codes: Vec<&str> = block.subjects.iter().map(|s| s.code.as_str()).collect();
    let catalogued = check_codes(base, &codes, grade, checks);
    let entries = catalogued.entries;
    // Whether the marks the year result is computed from are all usable.
    let mut marks_ok = grade.is_some() && catalogued.complete;
    let mut subject_ratings = Vec::new();
    let mut end_year_scores = Vec::new();

    for (i, (result, entry)) in block.subjects.iter().zip(&entries).enumerate() {
        let at = format!("{base}/{i}");
        let tests = match (entry.subject, grade) {
            (Some(subject), Some(grade)) => periodic_tests(subject, grade),
            _ => &[],
        };
        let known = entry.rule.is_some() && !entry.duplicate;
        if !known {
            marks_ok = false;
        }
        if result.exempt {
            check_exemption_grounds(
                &at,
                entry,
                &result.name,
                false,
                disability_noted || result.exemption_note.is_some(),
                checks,
            );
            if let Some(rating) = result.rating {
                exempt_with_results(&format!("{at}/rating"), json(&rating), checks);
            }
            if let Some(scores) = &result.test_scores {
                exempt_with_results(&format!("{at}/testScores"), json(scores), checks);
            }
            continue;
        }
        match result.rating {
            None => {
                marks_ok = false;
                checks.add(
                    format!("{at}/rating"),
                    Rule::ResultMissing,
                    Value::Null,
                    "môn học phải có mức đạt được T, H hoặc C (hoặc exempt: true nếu học sinh được miễn)",
                    "the subject needs a rating T, H or C (or exempt: true when the pupil is exempt)",
                );
            }
            Some(rating) => {
                if check_rating(
                    &format!("{at}/rating"),
                    rating,
                    RatingScale::PrimarySubject,
                    checks,
                ) {
                    subject_ratings.push(rating);
                } else {
                    marks_ok = false;
                }
            }
        }
        if result.comment.is_none() {
            checks.add(
                format!("{at}/comment"),
                Rule::CommentMissing,
                Value::Null,
                "môn học ở tiểu học phải có nhận xét của giáo viên (Thông tư 27)",
                "a primary subject needs the teacher's comment (Circular 27)",
            );
        }
        match &result.test_scores {
            None => {
                if !tests.is_empty() {
                    marks_ok = false;
                    checks.add(
                        format!("{at}/testScores"),
                        Rule::TestScoreMissing,
                        Value::Null,
                        "môn này có bài kiểm tra định kì ở lớp này; phải ghi ít nhất điểm kiểm tra cuối năm học (endYear)",
                        "this subject has periodic tests in this grade; at least the year-end score (endYear) is required",
                    );
                }
            }
            Some(scores) => {
                let tested = matches!(
                    entry.rule.map(|r| r.assessment),
                    Some(Assessment::Primary { tested: true })
                );
                if entry.rule.is_some() && !tested {
                    checks.add(
                        format!("{at}/testScores"),
                        Rule::TestNotAllowed,
                        json(scores),
                        "môn này không có bài kiểm tra định kì ở lớp này, chỉ đánh giá bằng nhận xét",
                        "this subject has no periodic tests in this grade; it is assessed by comment only",
                    );
                }
                for (test, score) in scores.iter() {
                    let pointer = format!("{at}/testScores/{}", test.key());
                    let valid = check_score(&pointer, score, checks);
                    if tested && !tests.contains(&test) {
                        checks.add(
                            pointer,
                            Rule::TestNotAllowed,
                            json(&score),
                            &format!("môn này không có bài kiểm tra {} ở lớp này (chỉ Tiếng Việt và Toán lớp 4, 5 có kiểm tra giữa kì)", test.label_vi()),
                            "this subject has no such test in this grade (only Tiếng Việt and Toán in grades 4–5 have mid-semester tests)",
                        );
                    }
                    if test == crate::record::PeriodicTest::EndYear {
                        match (valid, score.whole()) {
                            (true, Some(points)) => end_year_scores.push(points),
                            _ => marks_ok = false,
                        }
                    }
                }
            }
        }
    }

    let mut quality_ratings = Vec::new();
    for (key, _, rating) in block.qualities.entries() {
        let pointer = format!("/primary/qualities/{key}");
        if check_rating(&pointer, rating, RatingScale::PrimaryQuality, checks) {
            quality_ratings.push(rating);
        } else {
            marks_ok = false;
        }
    }
    for (key, _, rating) in block.competencies.entries() {
        let pointer = format!("/primary/competencies/{key}");
        if check_rating(&pointer, rating, RatingScale::PrimaryQuality, checks) {
            quality_ratings.push(rating);
        } else {
            marks_ok = false;
        }
    }
    if !check_competency_set(block, grade, checks) {
        marks_ok = false;
    }

    let promotion_ok = block.promotion.used_in(SchoolLevel::Primary);
    if !promotion_ok {
        checks.add(
            "/primary/promotion",
            Rule::PromotionNotForLevel,
            json(&block.promotion),
            "ở tiểu học chỉ có hoan_thanh_chuong_trinh_lop_hoc (hoàn thành chương trình lớp học), len_lop (được lên lớp) hoặc o_lai_lop (ở lại lớp)",
            "primary uses only hoan_thanh_chuong_trinh_lop_hoc (completed the grade's programme), len_lop (promoted) or o_lai_lop (repeats the grade)",
        );
    }
    let award_ok = block.award.is_none_or(|a| a.used_in(SchoolLevel::Primary));
    if let (Some(award), false) = (block.award, award_ok) {
        checks.add(
            "/primary/award",
            Rule::AwardNotForLevel,
            json(&award),
            "ở tiểu học danh hiệu là hoc_sinh_xuat_sac hoặc hoc_sinh_tieu_bieu",
            "primary awards are hoc_sinh_xuat_sac or hoc_sinh_tieu_bieu",
        );
    }
    check_other_awards("/primary/otherAwards", &block.other_awards, checks);
    check_completion(
        "/primary/completedPrimaryProgramme",
        block.completed_primary_programme,
        grade,
        5,
        "chương trình tiểu học",
        "the primary programme",
        checks,
    );

    let Some(grade) = grade else {
        return;
    };
    if marks_ok {
        let computed = primary_year_result(
            PrimaryEvidence {
                subject_ratings: &subject_ratings,
                quality_ratings: &quality_ratings,
                end_year_scores: &end_year_scores,
            },
            checks.thresholds,
        );
        if computed != block.year_result {
            checks.add_mismatch(
                "/primary/yearResult",
                Rule::YearResultMismatch,
                json(&block.year_result),
                json(&computed),
                &format!(
                    "trường ghi \"{}\" nhưng theo các mức đạt được, phẩm chất, năng lực và điểm kiểm tra cuối năm thì kết quả là \"{}\" (Thông tư 27, Điều 9)",
                    block.year_result.label_vi(),
                    computed.label_vi()
                ),
                &format!(
                    "the school wrote {} but the ratings, qualities, competencies and year-end scores give {} (Circular 27, Article 9)",
                    block.year_result.code(),
                    computed.code()
                ),
            );
        }
    }
    // Promotion, award and completion follow the year result the school wrote.
    let allowed = primary_promotion(grade, block.year_result);
    if promotion_ok && !allowed.contains(&block.promotion) {
        let expected = match allowed {
            [only] => json(only),
            several => json(several),
        };
        let labels: Vec<String> = allowed
            .iter()
            .map(|p| format!("\"{}\"", p.label_vi()))
            .collect();
        let codes: Vec<&str> = allowed.iter().map(|p| p.code()).collect();
        checks.add_mismatch(
            "/primary/promotion",
            Rule::PromotionMismatch,
            json(&block.promotion),
            expected,
            &format!(
                "với kết quả \"{}\" ở lớp {grade} thì quyết định phải là {} (Thông tư 27, Điều 11)",
                block.year_result.label_vi(),
                labels.join(" hoặc ")
            ),
            &format!(
                "with the year result {} in grade {grade} the decision is {} (Circular 27, Article 11)",
                block.year_result.code(),
                codes.join(" or ")
            ),
        );
    }
    let allowed_awards = primary_awards(block.year_result);
    if award_ok && !allowed_awards.contains(&block.award) {
        let expected = allowed_awards.first().copied().flatten();
        checks.add_mismatch(
            "/primary/award",
            Rule::AwardMismatch,
            json(&block.award),
            json(&expected),
            &format!(
                "với kết quả \"{}\" thì danh hiệu phải là {} (Thông tư 27, Điều 13)",
                block.year_result.label_vi(),
                expected.map_or("không có danh hiệu".to_owned(), |a| format!(
                    "\"{}\"",
                    a.label_vi()
                ))
            ),
            &format!(
                "with the year result {} the award is {} (Circular 27, Article 13)",
                block.year_result.code(),
                expected.map_or("none".to_owned(), |a| a.code().to_owned())
            ),
        );
    }
    if let Some(completed) = block.completed_primary_programme {
        let expected = block.year_result.is_completed();
        if grade == 5 && completed != expected {
            checks.add_mismatch(
                "/primary/completedPrimaryProgramme",
                Rule::CompletionMismatch,
                json(&completed),
                json(&expected),
                &format!(
                    "với kết quả \"{}\" thì hoàn thành chương trình tiểu học phải là {expected} (Thông tư 27, Điều 11)",
                    block.year_result.label_vi()
                ),
                &format!(
                    "with the year result {} completion of the primary programme is {expected} (Circular 27, Article 11)",
                    block.year_result.code()
                ),
            );
        }
    }
}

fn exempt_with_results(pointer: &str, value: Value, checks: &mut Checks<'_>) {
    checks.add(
        pointer,
        Rule::ExemptWithResults,
        value,
        "học sinh được miễn môn này (exempt: true) nên không được ghi mức đánh giá hay điểm",
        "the pupil is exempt from this subject (exempt: true), so it carries no rating or score",
    );
}

/// Report a rating outside `scale`; returns whether it is on the scale.
pub(crate) fn check_rating(
    pointer: &dyn std::fmt::Display,
    rating: Rating,
    scale: RatingScale,
    checks: &mut Checks<'_>,
) -> bool {
    if scale.allows(rating) {
        return true;
    }
    let (vi, en) = match scale {
        RatingScale::PrimarySubject => ("môn học ở tiểu học", "a primary subject"),
        RatingScale::PrimaryQuality => (
            "phẩm chất, năng lực ở tiểu học",
            "a primary quality or competency",
        ),
        RatingScale::SecondarySubject => (
            "môn đánh giá bằng nhận xét ở trung học",
            "a secondary subject assessed by comment",
        ),
        RatingScale::SecondaryResult => (
            "kết quả học tập, rèn luyện ở trung học",
            "a secondary learning or conduct result",
        ),
    };
    checks.add(
        pointer.to_string(),
        Rule::RatingNotInSet,
        json(&rating),
        &format!("mức đánh giá của {vi} phải là một trong {}", scale.codes()),
        &format!("the rating of {en} must be one of {}", scale.codes()),
    );
    false
}

/// Report a score that is not a whole number from 1 to 10; returns whether it is valid.
fn check_score(pointer: &str, score: TestScore, checks: &mut Checks<'_>) -> bool {
    if score.whole().is_none() && score.value().fract() != 0.0 {
        checks.add(
            pointer,
            Rule::ScoreNotInteger,
            json(&score),
            "điểm kiểm tra định kì ở tiểu học là số nguyên, không có phần thập phân",
            "a primary periodic test score is a whole number, without decimals",
        );
        false
    } else if !score.is_valid() {
        checks.add(
            pointer,
            Rule::ScoreRange,
            json(&score),
            "điểm kiểm tra định kì phải từ 1 đến 10",
            "a periodic test score must be from 1 to 10",
        );
        false
    } else {
        true
    }
}

/// The competency set of the grade's form: Công nghệ and Tin học are rated from grade 3 (an
/// error when missing there) and are not on the grade 1–2 forms (a warning when written there,
/// as records made before issue #12 have them). Returns whether the set is usable.
fn check_competency_set(block: &PrimaryYear, grade: Option<u8>, checks: &mut Checks<'_>) -> bool {
    let Some(grade) = grade else {
        return true;
    };
    let mut ok = true;
    let c = &block.competencies;
    for (key, vi, en, rating) in [
        ("technology", "Công nghệ", "technology", c.technology),
        ("informatics", "Tin học", "informatics", c.informatics),
    ] {
        let pointer = format!("/primary/competencies/{key}");
        match (grade >= 3, rating) {
            (true, None) => {
                ok = false;
                checks.add(
                    pointer,
                    Rule::ResultMissing,
                    Value::Null,
                    &format!("từ lớp 3 học bạ đánh giá năng lực {vi}: ghi T, Đ hoặc C"),
                    &format!("from grade 3 the record rates the {en} competency: write T, Đ or C"),
                );
            }
            (false, Some(r)) => checks.add(
                pointer,
                Rule::CompetencyNotInGrade,
                json(&r),
                &format!("học bạ lớp {grade} không có năng lực {vi} (bắt đầu từ lớp 3 với môn Tin học và Công nghệ); bỏ ô này"),
                &format!("the grade {grade} form has no {en} competency (it starts in grade 3 with Tin học và Công nghệ); leave it out"),
            ),
            _ => {}
        }
    }
    ok
}
