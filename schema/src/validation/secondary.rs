//! Checks of the secondary block (Circular 22/2021): averages 0–10 with one decimal on scored
//! subjects, Đ / CĐ on comment subjects, T / K / Đ / CĐ learning and conduct results, four chosen
//! subjects in grades 10–12, and each subject's year value from its semesters (Article 9(1)).
//! The results derived from the whole block are in [`super::secondary_derived`].

use serde_json::Value;

use super::Rule;
use super::checks::{Checks, json};
use super::primary::check_rating;
use super::secondary_derived::{Derived, Marks, check_derived, term_index};
use super::subjects::{check_codes, check_completion, check_exemption_grounds, check_other_awards};
use crate::record::{
    Average, Rating, RatingScale, SchoolLevel, SecondarySubjectResult, SecondaryYear, Term,
    format_tenths,
};
use crate::rules::curriculum::{
    Assessment, Requirement, UPPER_SECONDARY_CHOSEN_SUBJECTS, is_comment_assessed,
};
use crate::rules::learning_result::SubjectMark;
use crate::rules::year_average::{comment_year_rating, year_average_tenths};

/// Check `block` at `/secondary`. `grade` is `None` when the record's grade is not a secondary
/// grade (then only grade-independent checks run and nothing is derived).
pub(crate) fn check_secondary(
    block: &SecondaryYear,
    grade: Option<u8>,
    days_absent: u16,
    disability_noted: bool,
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
        if result.exempt {
            check_exemption_grounds(
                &at,
                entry,
                &result.name,
                commented == Some(false),
                disability_noted || result.exemption_note.is_some(),
                checks,
            );
        }
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
    let level = grade.and_then(SchoolLevel::of_grade);
    let promotion_ok = level.is_none_or(|l| block.promotion.used_in(l));
    if !promotion_ok {
        checks.add(
            "/secondary/promotion",
            Rule::PromotionNotForLevel,
            json(&block.promotion),
            "ở trung học quyết định là len_lop, ren_luyen_trong_he, kiem_tra_lai, o_lai_lop, hoặc hoan_thanh_chuong_trinh_thpt ở lớp 12 (hoan_thanh_chuong_trinh_lop_hoc chỉ dùng ở tiểu học)",
            "secondary decisions are len_lop, ren_luyen_trong_he, kiem_tra_lai, o_lai_lop, or hoan_thanh_chuong_trinh_thpt in grade 12 (hoan_thanh_chuong_trinh_lop_hoc is primary only)",
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

    let Some(grade) = grade else {
        return;
    };
    check_derived(
        block,
        Derived {
            grade,
            days_absent,
            marks: marks_ok.then_some(marks.as_slice()),
            results_ok,
            promotion_ok,
            award_ok,
        },
        checks,
    );
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
    let marks = |terms| Marks {
        name: result.name.clone(),
        code: result.code.clone(),
        terms,
        year_recomputed: false,
    };
    if result.exempt {
        for term in Term::ALL {
            if let Some(a) = result.average(term) {
                exempt_with_results(&format!("{at}/{}", term.average_key()), json(&a), checks);
            }
            if let Some(r) = result.rating(term) {
                exempt_with_results(&format!("{at}/{}", term.rating_key()), json(&r), checks);
            }
        }
        return ok.then_some(marks(terms));
    }
    for term in Term::ALL {
        // Pointers written out only for a problem: formatting two per term and subject
        // cost a tenth of a record's validation.
        let average_at = Member(at, term.average_key());
        let rating_at = Member(at, term.rating_key());
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
                        terms[term_index(term)] = Some(SubjectMark::Commented(r == Rating::D));
                    }
                    (Some(_), _) => {}
                }
            }
            None => {}
        }
    }
    let mut marks = marks(terms);
    if ok {
        let recomputed = match commented {
            Some(false) => check_year_average(result, at, checks),
            Some(true) => check_year_rating(result, at, checks),
            None => None,
        };
        if let Some(year) = recomputed {
            marks.terms[term_index(Term::Year)] = Some(year);
            marks.year_recomputed = true;
        }
    }
    ok.then_some(marks)
}

/// Warn when a comment subject's year rating is not its semester II rating; returns the year
/// mark the rules give when it differs from the school's.
fn check_year_rating(
    result: &SecondarySubjectResult,
    at: &str,
    checks: &mut Checks<'_>,
) -> Option<SubjectMark> {
    let (Some(s2), Some(year)) = (result.semester2_rating, result.year_rating) else {
        return None;
    };
    let computed = comment_year_rating(s2);
    if computed == year {
        return None;
    }
    checks.add_mismatch(
        format!("{at}/yearRating"),
        Rule::YearRatingMismatch,
        json(&year),
        json(&computed),
        &format!(
            "môn {}: mức đánh giá học kì II là {s2} nên mức đánh giá cả năm là {computed}, không phải {year} (Thông tư 22, khoản 1 Điều 9); kết quả học tập cả năm được tính với {computed}",
            result.name
        ),
        &format!(
            "{}: semester II is {s2}, so the year rating is {computed}, not {year} (Circular 22, Article 9(1)); the year's learning result is derived with {computed}",
            result.name
        ),
    );
    Some(SubjectMark::Commented(computed == Rating::D))
}

/// Warn when the year average is not what the semester averages give; returns the year mark
/// the rules give when it differs from the school's.
fn check_year_average(
    result: &SecondarySubjectResult,
    at: &str,
    checks: &mut Checks<'_>,
) -> Option<SubjectMark> {
    let (Some(s1), Some(s2), Some(year)) = (
        result.semester1_average.and_then(Average::tenths),
        result.semester2_average.and_then(Average::tenths),
        result.year_average.and_then(Average::tenths),
    ) else {
        return None;
    };
    let weights = checks.thresholds.year_average_weights;
    let computed = year_average_tenths(s1, s2, weights)?;
    if computed == year {
        return None;
    }
    let formula = format!(
        "({} × {} + {} × {}) / {}",
        weights.semester1,
        format_tenths(s1),
        weights.semester2,
        format_tenths(s2),
        weights.semester1 + weights.semester2,
    );
    let (computed_text, year_text) = (format_tenths(computed), format_tenths(year));
    checks.add_mismatch(
        format!("{at}/yearAverage"),
        Rule::YearAverageMismatch,
        json(&result.year_average),
        json(&Average::from_tenths(computed)),
        &format!(
            "môn {}: {formula} làm tròn một chữ số thập phân là {computed_text}, không phải {year_text} (Thông tư 22, khoản 1 Điều 9); kết quả học tập và danh hiệu được tính với {computed_text}",
            result.name
        ),
        &format!(
            "{}: {formula} rounded to one decimal is {computed_text}, not {year_text} (Circular 22, Article 9(1)); the learning result and award are derived with {computed_text}",
            result.name
        ),
    );
    Some(SubjectMark::Scored(computed))
}

/// Report an average outside 0–10 or with more than one decimal; returns it in tenths if valid.
/// The pointer `{0}/{1}` of a member of the object at `{0}`, written out only when a problem
/// names it.
struct Member<'a>(&'a str, &'static str);

impl std::fmt::Display for Member<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.0, self.1)
    }
}

fn check_average(
    pointer: &dyn std::fmt::Display,
    average: Average,
    checks: &mut Checks<'_>,
) -> Option<u16> {
    if !average.in_range() {
        checks.add(
            pointer.to_string(),
            Rule::AverageRange,
            json(&average),
            "điểm trung bình môn phải từ 0 đến 10",
            "a subject average must be from 0 to 10",
        );
        return None;
    }
    if average.decimals().is_none_or(|d| d > 1) {
        checks.add(
            pointer.to_string(),
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

fn kind_mismatch(
    pointer: &dyn std::fmt::Display,
    value: Value,
    commented: bool,
    checks: &mut Checks<'_>,
) {
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
    checks.add(
        pointer.to_string(),
        Rule::AssessmentKindMismatch,
        value,
        vi,
        en,
    );
}

fn result_missing(pointer: &dyn std::fmt::Display, commented: bool, checks: &mut Checks<'_>) {
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
    checks.add(
        pointer.to_string(),
        Rule::ResultMissing,
        Value::Null,
        vi,
        en,
    );
}
