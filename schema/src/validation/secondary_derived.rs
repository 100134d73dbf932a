//! The results derived from a whole secondary block (Circular 22/2021): the learning result of
//! each term with the adjustment of Article 9(3), the year's conduct result (Article 8(2)(b)),
//! promotion or completion of the programme (Articles 12–14), the award (Article 15) and
//! completion of the lower-secondary programme in grade 9. Each disagreement with the school's
//! value is a warning carrying both values.

use super::Rule;
use super::checks::{Checks, json};
use crate::record::{Promotion, Rating, SecondaryYear, Term, format_tenths};
use crate::rules::awards::secondary_award;
use crate::rules::conduct::conduct_year;
use crate::rules::learning_result::{LearningAssessment, SubjectMark, assess_learning};
use crate::rules::promotion::secondary_promotion;

/// One subject's usable marks, per term, once checked.
pub(crate) struct Marks {
    /// The subject's name as the school writes it.
    pub(crate) name: String,
    /// The subject's code.
    pub(crate) code: String,
    /// Scored: the averages in tenths; comment: whether each term is Đ. The year's is the one
    /// the rules give from the semesters (Article 9(1)).
    pub(crate) terms: [Option<SubjectMark>; 3],
    /// Whether the year's mark was recomputed because the school's disagreed.
    pub(crate) year_recomputed: bool,
}

/// What the derived checks start from.
pub(crate) struct Derived<'a> {
    /// The record's grade (6–12).
    pub(crate) grade: u8,
    /// Sessions absent in the year.
    pub(crate) days_absent: u16,
    /// Every non-exempt subject's marks, when all of them are usable.
    pub(crate) marks: Option<&'a [Marks]>,
    /// Whether every learning and conduct result is on the T / K / Đ / CĐ scale.
    pub(crate) results_ok: bool,
    /// Whether the promotion code is one the level uses.
    pub(crate) promotion_ok: bool,
    /// Whether the award is one the level gives.
    pub(crate) award_ok: bool,
}

/// The position of a term in [`Marks::terms`].
pub(crate) fn term_index(term: Term) -> usize {
    match term {
        Term::Semester1 => 0,
        Term::Semester2 => 1,
        Term::Year => 2,
    }
}

/// Run every derived check of the block.
pub(crate) fn check_derived(block: &SecondaryYear, d: Derived<'_>, checks: &mut Checks<'_>) {
    if d.results_ok {
        super::summer::check_summer(block, d.grade, d.days_absent, d.marks, checks);
    }
    if let (Some(marks), true) = (d.marks, d.results_ok) {
        for term in Term::ALL {
            check_learning(block, marks, term, checks);
        }
    }
    if !d.results_ok {
        return;
    }
    check_conduct(block, checks);
    let learning = block.learning_result.year;
    let conduct = block.conduct_result.year;
    let max = checks.thresholds.max_absences_for_promotion;
    let allowed = secondary_promotion(d.grade, learning, conduct, d.days_absent, max);
    if d.promotion_ok && !allowed.contains(&block.promotion) {
        let expected = match allowed {
            [only] => json(only),
            several => json(several),
        };
        let codes: Vec<&str> = allowed.iter().map(|p| p.code()).collect();
        let labels: Vec<&str> = allowed.iter().map(|p| p.label_vi()).collect();
        let days = d.days_absent;
        checks.add_mismatch(
            "/secondary/promotion",
            Rule::PromotionMismatch,
            json(&block.promotion),
            expected,
            &format!(
                "với kết quả học tập cả năm {learning}, rèn luyện {conduct} và {days} buổi nghỉ (tối đa {max}) ở lớp {}, quyết định phải là: {} (Thông tư 22, Điều 12–14)",
                d.grade,
                labels.join(" hoặc ")
            ),
            &format!(
                "with year learning {learning}, conduct {conduct} and {days} absences (at most {max}) in grade {}, the decision is: {} (Circular 22, Articles 12–14)",
                d.grade,
                codes.join(" or ")
            ),
        );
    }
    if let (Some(marks), true) = (d.marks, d.award_ok) {
        check_award(block, marks, checks);
    }
    if let (9, Some(completed)) = (d.grade, block.completed_lower_secondary_programme) {
        let expected = allowed == [Promotion::Promoted];
        if completed != expected {
            checks.add_mismatch(
                "/secondary/completedLowerSecondaryProgramme",
                Rule::CompletionMismatch,
                json(&completed),
                json(&expected),
                &format!(
                    "với kết quả học tập cả năm {learning}, rèn luyện {conduct} và {} buổi nghỉ thì hoàn thành chương trình THCS phải là {expected} (Thông tư 22, khoản 1 Điều 12)",
                    d.days_absent
                ),
                &format!(
                    "with year learning {learning}, conduct {conduct} and {} absences completion of the lower-secondary programme is {expected} (Circular 22, Article 12(1))",
                    d.days_absent
                ),
            );
        }
    }
}

/// A subject's mark as written in messages: `6.5`, `Đ`, `CĐ`.
fn mark_text(mark: SubjectMark) -> String {
    match mark {
        SubjectMark::Scored(t) => format_tenths(t),
        SubjectMark::Commented(true) => Rating::D.code().to_owned(),
        SubjectMark::Commented(false) => Rating::Cd.code().to_owned(),
    }
}

/// The learning result of one term against the school's.
fn check_learning(block: &SecondaryYear, marks: &[Marks], term: Term, checks: &mut Checks<'_>) {
    let with_marks: Vec<(&Marks, SubjectMark)> = marks
        .iter()
        .filter_map(|m| m.terms[term_index(term)].map(|t| (m, t)))
        .collect();
    let term_marks: Vec<SubjectMark> = with_marks.iter().map(|(_, t)| *t).collect();
    let assessment = assess_learning(&term_marks, checks.thresholds.learning_adjustment);
    let computed = assessment.result;
    let written = block.learning_result.get(term);
    if computed == written {
        return;
    }
    let (mut why_vi, mut why_en) = (String::new(), String::new());
    if let LearningAssessment {
        unadjusted,
        adjusted_for: Some((i, without)),
        ..
    } = assessment
        && let Some((subject, mark)) = with_marks.get(i)
    {
        let value = mark_text(*mark);
        why_vi = format!(
            "; theo các ngưỡng của khoản 2 Điều 9 là {unadjusted}, thấp hơn mức {without} từ hai mức trở lên chỉ do môn {} ({value}) nên được điều chỉnh lên mức liền kề theo khoản 3 Điều 9",
            subject.name
        );
        why_en = format!(
            "; the thresholds of Article 9(2) give {unadjusted}, two or more levels below {without} only because of {} ({value}), so it is raised to the adjacent level under Article 9(3)",
            subject.name
        );
    }
    if term == Term::Year {
        let recomputed: Vec<String> = with_marks
            .iter()
            .filter(|(m, _)| m.year_recomputed)
            .map(|(m, t)| format!("{} {}", m.name, mark_text(*t)))
            .collect();
        if !recomputed.is_empty() {
            let list = recomputed.join(", ");
            why_vi.push_str(&format!(
                "; tính với giá trị cả năm tính lại từ hai học kì theo khoản 1 Điều 9 ({list})"
            ));
            why_en.push_str(&format!(
                "; derived with the year values recomputed from the two semesters under Article 9(1) ({list})"
            ));
        }
    }
    checks.add_mismatch(
        format!("/secondary/learningResult/{}", term.key()),
        Rule::LearningResultMismatch,
        json(&written),
        json(&computed),
        &format!(
            "trường ghi {written} nhưng theo điểm trung bình và mức đánh giá các môn {} thì kết quả học tập là {computed}{why_vi} (Thông tư 22, Điều 9)",
            term.label_vi()
        ),
        &format!(
            "the school wrote {written} but the subjects' averages and ratings for {} give {computed}{why_en} (Circular 22, Article 9)",
            term.label_en()
        ),
    );
}

/// The year's conduct result against what the two semesters give.
fn check_conduct(block: &SecondaryYear, checks: &mut Checks<'_>) {
    let c = &block.conduct_result;
    let Some(computed) = conduct_year(c.semester1, c.semester2) else {
        return;
    };
    if computed == c.year {
        return;
    }
    let (s1, s2, year) = (c.semester1, c.semester2, c.year);
    checks.add_mismatch(
        "/secondary/conductResult/year",
        Rule::ConductResultMismatch,
        json(&year),
        json(&computed),
        &format!(
            "trường ghi {year} nhưng với kết quả rèn luyện học kì I là {s1} và học kì II là {s2} thì kết quả rèn luyện cả năm là {computed} (Thông tư 22, điểm b khoản 2 Điều 8)"
        ),
        &format!(
            "the school wrote {year} but conduct {s1} in semester I and {s2} in semester II give {computed} for the year (Circular 22, Article 8(2)(b))"
        ),
    );
}

/// The award against the year's learning and conduct results and the year averages.
fn check_award(block: &SecondaryYear, marks: &[Marks], checks: &mut Checks<'_>) {
    let learning = block.learning_result.year;
    let conduct = block.conduct_result.year;
    let year_averages: Vec<u16> = marks
        .iter()
        .filter_map(|m| match m.terms[term_index(Term::Year)] {
            Some(SubjectMark::Scored(t)) => Some(t),
            _ => None,
        })
        .collect();
    let computed = secondary_award(learning, conduct, &year_averages, checks.thresholds);
    if computed == block.award {
        return;
    }
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
