//! Checks of the secondary block (Circular 22/2021): averages 0–10 with one decimal on scored
//! subjects, Đ / CĐ on comment subjects, T / K / Đ / CĐ learning and conduct results, four chosen
//! subjects in grades 10–12, and the derived year averages, learning results, promotion, award and
//! completion of the lower-secondary programme.

use serde_json::Value;

use super::Rule;
use super::checks::{Checks, json};
use super::primary::check_rating;
use super::subjects::{check_codes, check_completion, check_other_awards};
use crate::record::{
    Average, RatingScale, SchoolLevel, SecondarySubjectResult, SecondaryYear, Term, format_tenths,
};
use crate::rules::awards::secondary_award;
use crate::rules::curriculum::{
    Assessment, Requirement, UPPER_SECONDARY_CHOSEN_SUBJECTS, is_comment_assessed,
};
use crate::rules::learning_result::{SubjectMark, learning_result};
use crate::rules::promotion::secondary_promotion;
use crate::rules::year_average::year_average_tenths;

/// One subject's usable marks, per term, once checked.
struct Marks {
    /// Scored: the averages in tenths; comment: whether each term is Đ.
    terms: [Option<SubjectMark>; 3],
}

/// Check `block` at `/secondary`. `grade` is `None` when the record's grade is not a secondary
/// grade (then only grade-independent checks run and nothing is derived).
pub(crate) fn check_secondary(
    block: &SecondaryYear,
    grade: Option<u8>,
    days_absent: u16,
    checks: &mut Checks<'_>,
) {
    let base = "/secondary/subjects";
    let codes: Vec<&str> = block.subjects.iter().map(|s| s.code.as_str()).collect();
    let catalogued = check_codes(base, &codes, grade, checks);
    let entries = catalogued.entries;
    let mut marks_ok = grade.is_some() && catalogued.complete;
    let mut marks: Vec<Marks> = Vec::new();
    let mut chosen = Vec::new();

    for (i, (result, entry)) in block.subjects.iter().zip(&entries).enumerate() {
        let at = format!("{base}/{i}");
        if entry.rule.is_none() || entry.duplicate {
            marks_ok = false;
        }
        if entry
            .rule
            .is_some_and(|r| r.requirement == Requirement::Chosen)
            && !entry.duplicate
        {
            chosen.push(result.code.clone());
        }
        // Scored or commented: from the grade's rule, or from the subject alone.
        let commented = match entry.rule.map(|r| r.assessment) {
            Some(Assessment::Commented) => Some(true),
            Some(Assessment::Scored) => Some(false),
            Some(Assessment::Primary { .. }) => None,
            None => entry.subject.map(is_comment_assessed),
        };
        let checked = check_subject(result, &at, commented, checks);
        match checked {
            Some(m) => {
                if !result.exempt {
                    marks.push(m);
                }
            }
            None => marks_ok = false,
        }
    }

    if grade.is_some_and(|g| g >= 10) && chosen.len() != UPPER_SECONDARY_CHOSEN_SUBJECTS {
        checks.add(
            base,
            Rule::ElectiveCount,
            json(&chosen),
            &format!(
                "lớp 10–12 học đúng {UPPER_SECONDARY_CHOSEN_SUBJECTS} môn lựa chọn (Địa lí, GD kinh tế và pháp luật, Vật lí, Hóa học, Sinh học, Công nghệ, Tin học, Âm nhạc, Mĩ thuật); bản ghi có {}",
                chosen.len()
            ),
            &format!(
                "grades 10–12 take exactly {UPPER_SECONDARY_CHOSEN_SUBJECTS} chosen subjects (geography, economic and legal education, physics, chemistry, biology, technology, informatics, music, fine arts); the record has {}",
                chosen.len()
            ),
        );
    }

    let mut results_ok = true;
    for (name, ratings) in [
        ("learningResult", &block.learning_result),
        ("conductResult", &block.conduct_result),
    ] {
        for term in Term::ALL {
            let pointer = format!("/secondary/{name}/{}", term.key());
            if !check_rating(
                &pointer,
                ratings.get(term),
                RatingScale::SecondaryResult,
                checks,
            ) {
                results_ok = false;
            }
        }
    }

    let award_ok = block
        .award
        .is_none_or(|a| a.used_in(SchoolLevel::LowerSecondary));
    if let (Some(award), false) = (block.award, award_ok) {
        checks.add(
            "/secondary/award",
            Rule::AwardNotForLevel,
            json(&award),
            "ở trung học danh hiệu là hoc_sinh_gioi hoặc hoc_sinh_xuat_sac",
            "secondary awards are hoc_sinh_gioi or hoc_sinh_xuat_sac",
        );
    }
    check_other_awards("/secondary/otherAwards", &block.other_awards, checks);
    check_completion(
        "/secondary/completedLowerSecondaryProgramme",
        block.completed_lower_secondary_programme,
        grade,
        9,
        "chương trình trung học cơ sở",
        "the lower-secondary programme",
        checks,
    );

    if grade.is_none() {
        return;
    }
    if marks_ok {
        for term in Term::ALL {
            let term_marks: Vec<SubjectMark> = marks
                .iter()
                .filter_map(|m| m.terms[term_index(term)])
                .collect();
            let computed = learning_result(&term_marks);
            let written = block.learning_result.get(term);
            if results_ok && computed != written {
                checks.add_mismatch(
                    format!("/secondary/learningResult/{}", term.key()),
                    Rule::LearningResultMismatch,
                    json(&written),
                    json(&computed),
                    &format!(
                        "trường ghi {written} nhưng theo điểm trung bình và mức đánh giá các môn {} thì kết quả học tập là {computed} (Thông tư 22, Điều 9)",
                        term.label_vi()
                    ),
                    &format!(
                        "the school wrote {written} but the subjects' averages and ratings for {} give {computed} (Circular 22, Article 9)",
                        term.label_en()
                    ),
                );
            }
        }
    }
    if !results_ok {
        return;
    }
    let learning = block.learning_result.year;
    let conduct = block.conduct_result.year;
    let allowed = secondary_promotion(
        learning,
        conduct,
        days_absent,
        checks.thresholds.max_absences_for_promotion,
    );
    if !allowed.contains(&block.promotion) {
        let expected = match allowed {
            [only] => json(only),
            several => json(several),
        };
        let codes: Vec<&str> = allowed.iter().map(|p| p.code()).collect();
        let labels: Vec<&str> = allowed.iter().map(|p| p.label_vi()).collect();
        checks.add_mismatch(
            "/secondary/promotion",
            Rule::PromotionMismatch,
            json(&block.promotion),
            expected,
            &format!(
                "với kết quả học tập cả năm {learning}, rèn luyện {conduct} và {days_absent} buổi nghỉ (tối đa {}), quyết định phải là: {} (Thông tư 22, Điều 12–13)",
                checks.thresholds.max_absences_for_promotion,
                labels.join(" hoặc ")
            ),
            &format!(
                "with year learning {learning}, conduct {conduct} and {days_absent} absences (at most {}), the decision is: {} (Circular 22, Articles 12–13)",
                checks.thresholds.max_absences_for_promotion,
                codes.join(" or ")
            ),
        );
    }
    if marks_ok && award_ok {
        let year_averages: Vec<u16> = marks
            .iter()
            .filter_map(|m| match m.terms[term_index(Term::Year)] {
                Some(SubjectMark::Scored(t)) => Some(t),
                _ => None,
            })
            .collect();
        let computed = secondary_award(learning, conduct, &year_averages, checks.thresholds);
        if computed != block.award {
            checks.add_mismatch(
                "/secondary/award",
                Rule::AwardMismatch,
                json(&block.award),
                json(&computed),
                &format!(
                    "với kết quả học tập {learning}, rèn luyện {conduct} và điểm trung bình các môn cả năm thì danh hiệu là {} (Thông tư 22, Điều 15)",
                    computed.map_or("không có".to_owned(), |a| format!("\"{}\"", a.label_vi()))
                ),
                &format!(
                    "with learning {learning}, conduct {conduct} and the subjects' year averages the award is {} (Circular 22, Article 15)",
                    computed.map_or("none", |a| a.code())
                ),
            );
        }
    }
    if let (Some(9), Some(completed)) = (grade, block.completed_lower_secondary_programme) {
        let expected = allowed == [crate::record::Promotion::Promoted];
        if completed != expected {
            checks.add_mismatch(
                "/secondary/completedLowerSecondaryProgramme",
                Rule::CompletionMismatch,
                json(&completed),
                json(&expected),
                &format!(
                    "với kết quả học tập cả năm {learning}, rèn luyện {conduct} và {days_absent} buổi nghỉ thì hoàn thành chương trình THCS phải là {expected}"
                ),
                &format!(
                    "with year learning {learning}, conduct {conduct} and {days_absent} absences completion of the lower-secondary programme is {expected}"
                ),
            );
        }
    }
}

fn term_index(term: Term) -> usize {
    match term {
        Term::Semester1 => 0,
        Term::Semester2 => 1,
        Term::Year => 2,
    }
}

/// Check one subject's results; returns its usable marks, or `None` when something the derived
/// results need is wrong. `commented` is `None` when the kind of assessment is unknown.
fn check_subject(
    result: &SecondarySubjectResult,
    at: &str,
    commented: Option<bool>,
    checks: &mut Checks<'_>,
) -> Option<Marks> {
    let mut ok = commented.is_some();
    let mut terms = [None; 3];
    if result.exempt {
        for term in Term::ALL {
            if let Some(a) = result.average(term) {
                exempt_with_results(&format!("{at}/{}", term.average_key()), json(&a), checks);
            }
            if let Some(r) = result.rating(term) {
                exempt_with_results(&format!("{at}/{}", term.rating_key()), json(&r), checks);
            }
        }
        return ok.then_some(Marks { terms });
    }
    for term in Term::ALL {
        let average_at = format!("{at}/{}", term.average_key());
        let rating_at = format!("{at}/{}", term.rating_key());
        // Averages: range and decimals, wherever they are written.
        let tenths = result
            .average(term)
            .and_then(|a| check_average(&average_at, a, checks));
        if result.average(term).is_some() && tenths.is_none() {
            ok = false;
        }
        let rating_ok = result
            .rating(term)
            .map(|r| check_rating(&rating_at, r, RatingScale::SecondarySubject, checks));
        if rating_ok == Some(false) {
            ok = false;
        }
        match commented {
            Some(false) => {
                if let Some(r) = result.rating(term) {
                    ok = false;
                    kind_mismatch(&rating_at, json(&r), false, checks);
                }
                match (result.average(term), tenths) {
                    (None, _) => {
                        ok = false;
                        result_missing(&average_at, false, checks);
                    }
                    (Some(_), Some(t)) => terms[term_index(term)] = Some(SubjectMark::Scored(t)),
                    (Some(_), None) => {}
                }
            }
            Some(true) => {
                if let Some(a) = result.average(term) {
                    ok = false;
                    kind_mismatch(&average_at, json(&a), true, checks);
                }
                match (result.rating(term), rating_ok) {
                    (None, _) => {
                        ok = false;
                        result_missing(&rating_at, true, checks);
                    }
                    (Some(r), Some(true)) => {
                        terms[term_index(term)] =
                            Some(SubjectMark::Commented(r == crate::record::Rating::D));
                    }
                    (Some(_), _) => {}
                }
            }
            None => {}
        }
    }
    if ok && commented == Some(false) {
        check_year_average(result, at, checks);
    }
    ok.then_some(Marks { terms })
}

/// Warn when the year average is not what the semester averages give.
fn check_year_average(result: &SecondarySubjectResult, at: &str, checks: &mut Checks<'_>) {
    let (Some(s1), Some(s2), Some(year)) = (
        result.semester1_average.and_then(Average::tenths),
        result.semester2_average.and_then(Average::tenths),
        result.year_average.and_then(Average::tenths),
    ) else {
        return;
    };
    let Some(computed) = year_average_tenths(s1, s2, checks.thresholds.year_average_weights) else {
        return;
    };
    if computed != year {
        let weights = checks.thresholds.year_average_weights;
        checks.add_mismatch(
            format!("{at}/yearAverage"),
            Rule::YearAverageMismatch,
            json(&result.year_average),
            json(&Average::from_tenths(computed)),
            &format!(
                "({} × {} + {} × {}) / {} làm tròn một chữ số thập phân là {}, không phải {}; công thức chưa được xác nhận với học bạ thật, hãy kiểm tra lại",
                weights.semester1,
                format_tenths(s1),
                weights.semester2,
                format_tenths(s2),
                weights.semester1 + weights.semester2,
                format_tenths(computed),
                format_tenths(year)
            ),
            &format!(
                "({} × {} + {} × {}) / {} rounded to one decimal is {}, not {}; the formula is not yet confirmed against a real record, please check",
                weights.semester1,
                format_tenths(s1),
                weights.semester2,
                format_tenths(s2),
                weights.semester1 + weights.semester2,
                format_tenths(computed),
                format_tenths(year)
            ),
        );
    }
}

/// Report an average outside 0–10 or with more than one decimal; returns it in tenths if valid.
fn check_average(pointer: &str, average: Average, checks: &mut Checks<'_>) -> Option<u16> {
    if !average.in_range() {
        checks.add(
            pointer,
            Rule::AverageRange,
            json(&average),
            "điểm trung bình môn phải từ 0 đến 10",
            "a subject average must be from 0 to 10",
        );
        return None;
    }
    if average.decimals().is_none_or(|d| d > 1) {
        checks.add(
            pointer,
            Rule::AverageDecimals,
            json(&average),
            "điểm trung bình môn là số nguyên hoặc có một chữ số thập phân",
            "a subject average is a whole number or has one decimal",
        );
        return None;
    }
    average.tenths()
}

fn exempt_with_results(pointer: &str, value: Value, checks: &mut Checks<'_>) {
    checks.add(
        pointer,
        Rule::ExemptWithResults,
        value,
        "học sinh được miễn môn này (exempt: true) nên không được ghi điểm hay mức đánh giá",
        "the pupil is exempt from this subject (exempt: true), so it carries no average or rating",
    );
}

fn kind_mismatch(pointer: &str, value: Value, commented: bool, checks: &mut Checks<'_>) {
    let (vi, en) = if commented {
        (
            "môn này đánh giá bằng nhận xét (Đ / CĐ), không có điểm trung bình",
            "this subject is assessed by comment (Đ / CĐ) and has no averages",
        )
    } else {
        (
            "môn này đánh giá bằng điểm số, không có mức Đ / CĐ",
            "this subject is scored and has no Đ / CĐ ratings",
        )
    };
    checks.add(pointer, Rule::AssessmentKindMismatch, value, vi, en);
}

fn result_missing(pointer: &str, commented: bool, checks: &mut Checks<'_>) {
    let (vi, en) = if commented {
        (
            "môn đánh giá bằng nhận xét phải có mức Đ hoặc CĐ cho học kì I, học kì II và cả năm (hoặc exempt: true)",
            "a comment subject needs Đ or CĐ for semester I, semester II and the year (or exempt: true)",
        )
    } else {
        (
            "môn đánh giá bằng điểm số phải có điểm trung bình học kì I, học kì II và cả năm (hoặc exempt: true)",
            "a scored subject needs the semester I, semester II and year averages (or exempt: true)",
        )
    };
    checks.add(pointer, Rule::ResultMissing, Value::Null, vi, en);
}
