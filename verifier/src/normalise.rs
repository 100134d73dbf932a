//! The verified year record in one flat, machine-readable shape for admissions software:
//! pupil, school, year, grade and class, every subject with its yearly average (secondary) or
//! rating (primary), the learning and conduct results, promotion, award and completion.
//!
//! Pure: it reads the `credentialSubject` JSON of a credential (normally one that verified, see
//! [`crate::VerifiedCredential::credential_subject`]) and never fails — a field the record does
//! not have is `null`/absent, so a record of an older or newer format still yields what it has.
//! Codes are the record's own (`T`, `K`, `Đ`, `len_lop`, …), next to the Vietnamese label.

use hocba_schema::record::{Award, PrimaryYearResult, Promotion, Rating, RatingScale};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A year record, normalised.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NormalisedRecord {
    /// The pupil.
    pub pupil: Pupil,
    /// The school as the record names it.
    pub school: School,
    /// School year, e.g. `2025-2026`.
    pub school_year: Option<String>,
    /// Grade 1–12.
    pub grade: Option<u8>,
    /// `primary` (grades 1–5) or `secondary` (6–12), from the record's results block.
    pub level: Option<&'static str>,
    /// Class, e.g. `11A2`.
    pub class_name: Option<String>,
    /// Every subject and activity, in the record's order.
    pub subjects: Vec<SubjectResult>,
    /// Secondary: kết quả học tập by term and for the year.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub learning_result: Option<TermResult>,
    /// Secondary: kết quả rèn luyện by term and for the year.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conduct_result: Option<TermResult>,
    /// Primary: the year's education result (`hoan_thanh_tot`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year_result: Option<Coded>,
    /// Promotion (`len_lop`, …).
    pub promotion: Option<Coded>,
    /// Award title (`hoc_sinh_gioi`, …).
    pub award: Option<Coded>,
    /// Other awards, as written.
    pub other_awards: Vec<String>,
    /// Completion of the primary (grade 5) or lower-secondary (grade 9) programme, when stated.
    pub completion: Option<Completion>,
    /// Days absent.
    pub days_absent: Option<u64>,
    /// Date the principal approved the record.
    pub approval_date: Option<String>,
}

/// The pupil.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pupil {
    /// Full name.
    pub full_name: Option<String>,
    /// Date of birth, `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    /// `nam` / `nu`.
    pub gender: Option<String>,
    /// Mã học sinh.
    pub student_code: Option<String>,
    /// Số định danh cá nhân.
    pub personal_id_number: Option<String>,
}

/// The school as written in the record.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct School {
    /// MOET code.
    pub code: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Province.
    pub province: Option<String>,
}

/// One subject's year result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubjectResult {
    /// Subject code (`toan`, `ngu_van`, …).
    pub code: Option<String>,
    /// Subject name.
    pub name: Option<String>,
    /// Secondary, scored subjects: điểm trung bình môn cả năm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year_average: Option<f64>,
    /// Secondary: term averages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub semester1_average: Option<f64>,
    /// Secondary: term averages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub semester2_average: Option<f64>,
    /// Secondary, rated subjects (`Đ`/`CĐ`), or the primary subject rating (`T`/`H`/`C`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year_rating: Option<String>,
    /// Primary: the end-of-year test score, when the subject has tests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_year_score: Option<f64>,
    /// Exempt from the subject.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub exempt: bool,
}

/// A result by term and for the year.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TermResult {
    /// Học kì I.
    pub semester1: Option<String>,
    /// Học kì II.
    pub semester2: Option<String>,
    /// Cả năm.
    pub year: Option<String>,
    /// The year's rating in words (`Tốt`, `Khá`, …).
    pub year_label: Option<&'static str>,
}

/// A coded value with its Vietnamese label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coded {
    /// The code as written in the record.
    pub code: String,
    /// The label, when the code is known.
    pub label: Option<&'static str>,
}

/// Completion of a programme.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Completion {
    /// `primary` or `lower_secondary`.
    pub programme: &'static str,
    /// Whether completed.
    pub completed: bool,
}

/// Normalise a `credentialSubject` (a year record).
pub fn normalise(subject: &Value) -> NormalisedRecord {
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
    let student = subject.get("student").unwrap_or(&Value::Null);
    let school = subject.get("school").unwrap_or(&Value::Null);
    let (level, block) = match (subject.get("primary"), subject.get("secondary")) {
        (Some(b), _) => (Some("primary"), b),
        (None, Some(b)) => (Some("secondary"), b),
        (None, None) => (None, &Value::Null),
    };
    let subjects = block
        .get("subjects")
        .and_then(Value::as_array)
        .map(|items| items.iter().map(|s| subject_result(s, level)).collect())
        .unwrap_or_default();
    let term = |key: &str| {
        block.get(key).filter(|v| v.is_object()).map(|r| {
            let year = text(r, "year");
            TermResult {
                semester1: text(r, "semester1"),
                semester2: text(r, "semester2"),
                year_label: year.as_deref().and_then(|y| {
                    let rating = parse::<Rating>(y)?;
                    RatingScale::SecondaryResult.label_vi(rating)
                }),
                year,
            }
        })
    };
    let coded = |key: &str, label: fn(&str) -> Option<&'static str>| {
        text(block, key).map(|code| Coded {
            label: label(&code),
            code,
        })
    };
    let completion = match (
        block
            .get("completedPrimaryProgramme")
            .and_then(Value::as_bool),
        block
            .get("completedLowerSecondaryProgramme")
            .and_then(Value::as_bool),
    ) {
        (Some(done), _) => Some(Completion {
            programme: "primary",
            completed: done,
        }),
        (None, Some(done)) => Some(Completion {
            programme: "lower_secondary",
            completed: done,
        }),
        (None, None) => None,
    };
    NormalisedRecord {
        pupil: Pupil {
            full_name: text(student, "fullName"),
            date_of_birth: text(student, "dateOfBirth"),
            gender: text(student, "gender"),
            student_code: text(student, "studentCode"),
            personal_id_number: text(student, "personalIdNumber"),
        },
        school: School {
            code: text(school, "code"),
            name: text(school, "name"),
            province: text(school, "province"),
        },
        school_year: text(subject, "schoolYear"),
        grade: subject
            .get("grade")
            .and_then(Value::as_u64)
            .and_then(|g| u8::try_from(g).ok()),
        level,
        class_name: text(subject, "className"),
        subjects,
        learning_result: term("learningResult"),
        conduct_result: term("conductResult"),
        year_result: coded("yearResult", |c| {
            parse::<PrimaryYearResult>(c).map(PrimaryYearResult::label_vi)
        }),
        promotion: coded("promotion", |c| {
            parse::<Promotion>(c).map(Promotion::label_vi)
        }),
        award: coded("award", |c| parse::<Award>(c).map(Award::label_vi)),
        other_awards: block
            .get("otherAwards")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        completion,
        days_absent: subject.get("daysAbsent").and_then(Value::as_u64),
        approval_date: text(subject, "approvalDate"),
    }
}

fn subject_result(s: &Value, level: Option<&str>) -> SubjectResult {
    let text = |key: &str| s.get(key).and_then(Value::as_str).map(str::to_owned);
    let number = |key: &str| s.get(key).and_then(Value::as_f64);
    let primary = level == Some("primary");
    SubjectResult {
        code: text("code"),
        name: text("name"),
        year_average: number("yearAverage"),
        semester1_average: number("semester1Average"),
        semester2_average: number("semester2Average"),
        year_rating: if primary {
            text("rating")
        } else {
            text("yearRating")
        },
        end_year_score: s
            .get("testScores")
            .and_then(|t| t.get("endYear"))
            .and_then(Value::as_f64),
        exempt: s.get("exempt").and_then(Value::as_bool).unwrap_or(false),
    }
}

fn parse<T: DeserializeOwned>(code: &str) -> Option<T> {
    serde_json::from_value(Value::String(code.to_owned())).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn example(name: &str) -> Value {
        let path = format!(
            "{}/../schema/examples/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    #[test]
    fn grade_11_has_averages_results_and_award() {
        let r = normalise(&example("secondary-grade11"));
        assert_eq!(r.level, Some("secondary"));
        assert_eq!(r.grade, Some(11));
        assert_eq!(r.school.code.as_deref(), Some("79000701"));
        assert_eq!(r.pupil.full_name.as_deref(), Some("Võ Ngọc Bảo Trân"));
        let toan = r
            .subjects
            .iter()
            .find(|s| s.code.as_deref() == Some("toan"))
            .unwrap();
        assert_eq!(toan.year_average, Some(9.4));
        let pe = r
            .subjects
            .iter()
            .find(|s| s.code.as_deref() == Some("giao_duc_the_chat"))
            .unwrap();
        assert_eq!(pe.year_rating.as_deref(), Some("Đ"));
        assert_eq!(pe.year_average, None);
        let learning = r.learning_result.unwrap();
        assert_eq!(learning.year.as_deref(), Some("T"));
        assert_eq!(learning.year_label, Some("Tốt"));
        assert_eq!(r.conduct_result.unwrap().year.as_deref(), Some("T"));
        assert_eq!(r.promotion.unwrap().code, "len_lop");
        assert_eq!(r.award.unwrap().label, Some("Học sinh Xuất sắc"));
        assert_eq!(r.completion, None);
        assert_eq!(r.subjects.len(), 12);
    }

    #[test]
    fn grade_9_states_completion_and_grade_7_its_results() {
        let r = normalise(&example("secondary-grade9"));
        assert_eq!(
            r.completion,
            Some(Completion {
                programme: "lower_secondary",
                completed: true
            })
        );
        let r7 = normalise(&example("secondary-grade7"));
        assert_eq!(r7.learning_result.unwrap().year.as_deref(), Some("K"));
        assert_eq!(r7.award, None);
    }

    #[test]
    fn primary_records_have_ratings_scores_and_year_result() {
        let r = normalise(&example("primary-grade5"));
        assert_eq!(r.level, Some("primary"));
        let tv = &r.subjects[0];
        assert_eq!(tv.year_rating.as_deref(), Some("T"));
        assert_eq!(tv.end_year_score, Some(9.0));
        let result = r.year_result.unwrap();
        assert_eq!(result.code, "hoan_thanh_tot");
        assert_eq!(result.label, Some("Hoàn thành tốt"));
        assert_eq!(
            r.completion,
            Some(Completion {
                programme: "primary",
                completed: true
            })
        );
        assert!(r.learning_result.is_none());
        let r2 = normalise(&example("primary-grade2"));
        assert_eq!(r2.year_result.unwrap().code, "hoan_thanh");
    }

    #[test]
    fn anything_else_gives_an_empty_record() {
        let r = normalise(&serde_json::json!([1, 2]));
        assert_eq!(r.level, None);
        assert!(r.subjects.is_empty());
        assert_eq!(r.pupil, Pupil::default());
    }
}
