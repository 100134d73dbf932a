//! The verified year record in one flat, machine-readable shape for admissions software:
//! pupil, school, year, grade and class, every subject with its yearly average (secondary) or
//! rating (primary), the learning and conduct results, promotion, award and completion.
//!
//! Pure: it reads the `credentialSubject` JSON of a credential (normally one that verified, see
//! [`crate::VerifiedCredential::normalised`]) — as a `Value` ([`normalise`]) or as its bytes
//! ([`normalise_json`], no `Value` tree built), both through one lenient typed view — and
//! never fails — a field the record does
//! not have is `null`/absent, so a record of an older or newer format still yields what it has.
//! Codes are the record's own (`T`, `K`, `Đ`, `len_lop`, …), next to the Vietnamese label.

mod fast;
mod view;

use hocba_schema::record::{Award, PrimaryYearResult, Promotion, Rating, RatingScale};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use view::{Obj, RecordView, SubjectView, TermView, Text};

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
    // Reading the view from a `Value` cannot fail (no duplicate members, every member
    // lenient); the empty record is only a guard.
    assemble(
        Obj::<RecordView>::deserialize(subject)
            .ok()
            .and_then(|o| o.0),
    )
}

/// Normalise a `credentialSubject` given as its JSON bytes (e.g. the verified bytes of a
/// credential, [`crate::VerifiedCredential::normalised`]): read straight into what the record
/// needs, without a `Value` tree, with the same answer as [`normalise`] of the parsed bytes.
/// JSON that the typed view refuses (a member given twice) is parsed as a `Value` and
/// normalised from it (its last value counts, as when parsing into a `Value`).
pub fn normalise_json(subject: &[u8]) -> NormalisedRecord {
    // UTF-8 checked once with SIMD, then read as text (`serde_json` does not check each string
    // again); bytes that are not UTF-8 are read as bytes, which fails as before.
    let view = match simdutf8::basic::from_utf8(subject) {
        // Plain JSON (canonical JCS always is) in one walk; anything else through serde_json.
        Ok(text) => match fast::record(text) {
            Some(view) => Ok(view),
            None => serde_json::from_str::<Obj<RecordView>>(text),
        },
        Err(_) => serde_json::from_slice::<Obj<RecordView>>(subject),
    };
    match view {
        Ok(view) => assemble(view.0),
        Err(_) => normalise(&serde_json::from_slice(subject).unwrap_or(Value::Null)),
    }
}

/// [`normalise_json`] without the fast path: what the tests compare it with.
#[cfg(test)]
fn normalise_json_by_serde(subject: &[u8]) -> NormalisedRecord {
    match serde_json::from_slice::<Obj<RecordView>>(subject) {
        Ok(view) => assemble(view.0),
        Err(_) => normalise(&serde_json::from_slice(subject).unwrap_or(Value::Null)),
    }
}

fn assemble(view: Option<RecordView>) -> NormalisedRecord {
    let record = view.unwrap_or_default();
    let (level, block) = match (record.primary, record.secondary) {
        (Some(b), _) => (Some("primary"), b.0),
        (None, Some(b)) => (Some("secondary"), b.0),
        (None, None) => (None, None),
    };
    let block = block.unwrap_or_default();
    let primary = level == Some("primary");
    let subjects = block
        .subjects
        .0
        .into_iter()
        .map(|s| subject_result(s.0.unwrap_or_default(), primary))
        .collect();
    let term = |t: Obj<TermView>| {
        t.0.map(|r| TermResult {
            year_label: r.year.0.as_deref().and_then(|y| {
                let rating = parse::<Rating>(y)?;
                RatingScale::SecondaryResult.label_vi(rating)
            }),
            semester1: r.semester1.0,
            semester2: r.semester2.0,
            year: r.year.0,
        })
    };
    let coded = |t: Text, label: fn(&str) -> Option<&'static str>| {
        t.0.map(|code| Coded {
            label: label(&code),
            code,
        })
    };
    let completion = match (
        block.completed_primary_programme.0,
        block.completed_lower_secondary_programme.0,
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
    let student = record.student.0.unwrap_or_default();
    let school = record.school.0.unwrap_or_default();
    NormalisedRecord {
        pupil: Pupil {
            full_name: student.full_name.0,
            date_of_birth: student.date_of_birth.0,
            gender: student.gender.0,
            student_code: student.student_code.0,
            personal_id_number: student.personal_id_number.0,
        },
        school: School {
            code: school.code.0,
            name: school.name.0,
            province: school.province.0,
        },
        school_year: record.school_year.0,
        grade: record.grade.0.and_then(|g| u8::try_from(g).ok()),
        level,
        class_name: record.class_name.0,
        subjects,
        learning_result: term(block.learning_result),
        conduct_result: term(block.conduct_result),
        year_result: coded(block.year_result, |c| {
            parse::<PrimaryYearResult>(c).map(PrimaryYearResult::label_vi)
        }),
        promotion: coded(block.promotion, |c| {
            parse::<Promotion>(c).map(Promotion::label_vi)
        }),
        award: coded(block.award, |c| parse::<Award>(c).map(Award::label_vi)),
        other_awards: block
            .other_awards
            .0
            .into_iter()
            .filter_map(|t| t.0)
            .collect(),
        completion,
        days_absent: record.days_absent.0,
        approval_date: record.approval_date.0,
    }
}

fn subject_result(s: SubjectView, primary: bool) -> SubjectResult {
    SubjectResult {
        code: s.code.0,
        name: s.name.0,
        year_average: s.year_average.0,
        semester1_average: s.semester1_average.0,
        semester2_average: s.semester2_average.0,
        year_rating: if primary { s.rating.0 } else { s.year_rating.0 },
        end_year_score: s.test_scores.0.and_then(|t| t.end_year.0),
        exempt: s.exempt.0.unwrap_or(false),
    }
}

fn parse<T: DeserializeOwned>(code: &str) -> Option<T> {
    T::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(code)).ok()
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

    /// The bytes path gives what the `Value` path gives: every example, and records with
    /// members of the wrong type, `null` blocks, repeated members and deep nesting.
    #[test]
    fn bytes_and_values_normalise_alike() {
        let dir = format!("{}/../schema/examples", env!("CARGO_MANIFEST_DIR"));
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            let Ok(value) = serde_json::from_slice::<Value>(&bytes) else {
                continue;
            };
            assert_eq!(normalise_json(&bytes), normalise(&value), "{path:?}");
            seen += 1;
        }
        assert!(seen >= 5, "the examples were read");
        let deep = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
        for odd in [
            r#"{"grade": 10.0, "schoolYear": 2025, "student": ["a", "b"], "secondary": null}"#,
            r#"{"grade": -3, "daysAbsent": 4, "primary": [1], "secondary": {"subjects": 5}}"#,
            r#"{"secondary": {"subjects": [1, {"code": "toan", "yearAverage": 8, "exempt": "x"},
                {"code": "van", "semester1Average": -2, "testScores": {"endYear": 7.5}}],
                "conductResult": "T", "learningResult": {"year": "K", "semester1": 3},
                "otherAwards": ["a", 1, null, "b"], "promotion": 7, "award": "hoc_sinh_gioi",
                "completedLowerSecondaryProgramme": true}}"#,
            r#"{"grade": 11, "grade": 12, "student": {"fullName": "A", "fullName": "B"}}"#,
            r#"[1, 2]"#,
            r#""text""#,
            r#"null"#,
        ] {
            let value: Value = serde_json::from_str(odd).unwrap();
            assert_eq!(normalise_json(odd.as_bytes()), normalise(&value), "{odd}");
        }
        let deep_record = format!(r#"{{"x": {deep}, "grade": 10, "secondary": {{"y": {deep}}}}}"#);
        let r = normalise_json(deep_record.as_bytes());
        assert_eq!((r.grade, r.level), (Some(10), Some("secondary")));
        // A repeated member counts with its last value, as in a `Value`.
        let r = normalise_json(br#"{"grade": 11, "grade": 12}"#);
        assert_eq!(r.grade, Some(12));
    }

    /// The fast path reads every example in its canonical form (JCS, as verified bytes are)
    /// and gives what `serde_json` gives; so it does for odd records, and for every byte of a
    /// canonical record replaced by each character that matters to JSON (or cut short).
    #[test]
    fn the_fast_path_reads_as_serde_json() {
        let dir = format!("{}/../schema/examples", env!("CARGO_MANIFEST_DIR"));
        let mut canonical = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let Ok(value) = serde_json::from_slice::<Value>(&std::fs::read(&path).unwrap()) else {
                continue;
            };
            let Ok(bytes) = hocba_schema::jcs::canonical_bytes(&value) else {
                continue;
            };
            let text = std::str::from_utf8(&bytes).unwrap();
            if value.get("student").is_some() {
                assert!(fast::record(text).is_some(), "{path:?} takes the fast path");
            }
            assert_eq!(normalise_json(&bytes), normalise(&value), "{path:?}");
            canonical.push(bytes);
        }
        assert!(canonical.len() >= 5);
        for odd in [
            r#"{"grade":10.0,"schoolYear":2025,"secondary":null,"student":["a","b"]}"#,
            r#"{"daysAbsent":4,"grade":-3,"primary":[1],"secondary":{"subjects":5}}"#,
            r#"{"daysAbsent":-0,"grade":18446744073709551616,"student":{"fullName":"A"Bé"}}"#,
            r#"{"secondary":{"award":"hoc_sinh_gioi","completedLowerSecondaryProgramme":true,
                "conductResult":"T","learningResult":{"semester1":3,"year":"K"},
                "otherAwards":["a",1,null,"b
"],"promotion":7,"subjects":[1,
                {"code":"toan","exempt":"x","yearAverage":8},{"code":"van",
                "semester1Average":-2,"testScores":{"endYear":7.5e0}},[[{}]]]}}"#,
            r#"{"grade":1e999}"#,
            r#"{"x":1e999,"grade":2}"#,
            r#"{"secondary":{"subjects":[1e999]}}"#,
            r#"{"secondary":{"subjects":1e999}}"#,
            r#"{"grade":{"a":1e999,"a":2}}"#,
            r#"{"grade":11,"grade":12}"#,
            r#"{"student":{"gender":"nu","fullName":"A"}}"#,
            r#"{"school":{"code":"1"},"school":{"code":"2"}}"#,
            r#"{"grade":11}"#,
            "[1,2]",
            r#""text""#,
            "null",
            " { } ",
        ] {
            assert_eq!(
                normalise_json(odd.as_bytes()),
                normalise_json_by_serde(odd.as_bytes()),
                "{odd}"
            );
        }
        let swaps: &[u8] = b"\"\\{}[],: 0-.e1tnu";
        let record = &canonical[0];
        for at in (0..record.len()).step_by(3) {
            assert_eq!(
                normalise_json(&record[..at]),
                normalise_json_by_serde(&record[..at]),
                "cut at {at}"
            );
            for &b in swaps {
                let mut changed = record.clone();
                changed[at] = b;
                assert_eq!(
                    normalise_json(&changed),
                    normalise_json_by_serde(&changed),
                    "{:?}",
                    String::from_utf8_lossy(&changed)
                );
            }
        }
    }

    #[test]
    fn anything_else_gives_an_empty_record() {
        let r = normalise(&serde_json::json!([1, 2]));
        assert_eq!(r.level, None);
        assert!(r.subjects.is_empty());
        assert_eq!(r.pupil, Pupil::default());
    }
}
