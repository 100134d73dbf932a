//! The one-call API: bytes in, record and report out, never a panic.

use hocba_schema::record::{
    Award, Competencies, PrimaryYearResult, Promotion, Qualities, Rating, YearRecord,
};
use hocba_schema::validation::{MAX_RECORD_BYTES, Rule, Severity, parse_and_validate, validate};
use serde_json::{Value, json};

use crate::support::valid_examples;

fn example(name: &str) -> Vec<u8> {
    valid_examples()
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, b)| b)
        .unwrap()
}

#[test]
fn truncated_and_garbled_input_never_panics() {
    for (_, bytes) in valid_examples() {
        for end in (0..bytes.len()).step_by(61) {
            let report = parse_and_validate(&bytes[..end]).unwrap_err();
            assert_eq!(report.problems.len(), 1);
            assert!(report.has_errors());
        }
        // Flip bytes at a stride: whatever happens, no panic and a report.
        let mut state: u32 = 0x2545_f491;
        for _ in 0..200 {
            let mut garbled = bytes.clone();
            for _ in 0..4 {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                let i = state as usize % garbled.len();
                garbled[i] = (state >> 8) as u8;
            }
            match parse_and_validate(&garbled) {
                Ok((_, report)) | Err(report) => {
                    let _ = report.to_string();
                }
            }
        }
    }
}

#[test]
fn structural_errors_name_the_place() {
    let mut doc: Value = serde_json::from_slice(&example("secondary-grade11.json")).unwrap();
    doc["grade"] = json!(300);
    let report = parse_and_validate(&serde_json::to_vec(&doc).unwrap()).unwrap_err();
    assert_eq!(report.problems[0].rule, Rule::NumberOutOfRange);
    assert_eq!(report.problems[0].pointer, "/grade");
    assert_eq!(report.problems[0].value, json!(300));

    doc["grade"] = json!(11);
    doc["secondary"]["learningResult"]["year"] = json!("Giỏi");
    let report = parse_and_validate(&serde_json::to_vec(&doc).unwrap()).unwrap_err();
    assert_eq!(report.problems[0].rule, Rule::ValueNotAllowed);
    assert_eq!(report.problems[0].pointer, "/secondary/learningResult/year");

    doc["secondary"]["learningResult"]["year"] = json!("T");
    doc["secondary"]["subjects"][2]["yearAverage"] = json!("9,2");
    let report = parse_and_validate(&serde_json::to_vec(&doc).unwrap()).unwrap_err();
    assert_eq!(report.problems[0].rule, Rule::WrongType);
    assert_eq!(
        report.problems[0].pointer,
        "/secondary/subjects/2/yearAverage"
    );
    assert_eq!(report.problems[0].value, json!("9,2"));

    let too_big = vec![b' '; MAX_RECORD_BYTES + 1];
    assert_eq!(
        parse_and_validate(&too_big).unwrap_err().problems[0].rule,
        Rule::JsonTooLarge
    );
}

#[test]
fn nfd_text_is_accepted_normalised_and_warned_about() {
    let text = String::from_utf8(example("primary-grade2.json")).unwrap();
    use unicode_normalization::UnicodeNormalization;
    let nfd: String = text.nfd().collect();
    assert_ne!(nfd, text);
    let (record, report) = parse_and_validate(nfd.as_bytes()).unwrap();
    assert!(!report.has_errors(), "{report}");
    assert!(!report.warnings().is_empty());
    assert!(report.problems.iter().all(|p| p.rule == Rule::TextNotNfc));
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.pointer == "/student/fullName")
    );
    assert_eq!(record.student.full_name, "Nguyễn Minh Quân");
    let (nfc_record, _) = parse_and_validate(text.as_bytes()).unwrap();
    assert_eq!(record, nfc_record);
}

#[test]
fn reports_serialise_in_camel_case_and_print_one_line_per_problem() {
    let mut doc: Value = serde_json::from_slice(&example("secondary-grade9.json")).unwrap();
    doc["secondary"]["learningResult"]["year"] = json!("K");
    doc["grade"] = json!(13);
    doc["student"]["fullName"] = json!(" ");
    let (_, report) = parse_and_validate(&serde_json::to_vec(&doc).unwrap()).unwrap();
    let json = serde_json::to_value(&report).unwrap();
    let first = &json["problems"][0];
    for key in [
        "pointer",
        "rule",
        "severity",
        "value",
        "messageVi",
        "messageEn",
    ] {
        assert!(first.get(key).is_some(), "{key} in {first}");
    }
    assert_eq!(report.to_string().lines().count(), report.problems.len());
    assert!(report.has_errors());
}

#[test]
fn a_record_built_in_rust_is_validated_like_parsed_json() {
    let (mut record, _) = parse_and_validate(&example("primary-grade5.json")).unwrap();
    let Some(primary) = record.primary.as_mut() else {
        panic!("primary block")
    };
    // A pupil with every rating T and every score at least 9 is Hoàn thành xuất sắc.
    for s in &mut primary.subjects {
        if let Some(scores) = s.test_scores.as_mut() {
            scores.end_year = hocba_schema::record::TestScore::new(9);
        }
    }
    primary.qualities = Qualities {
        patriotism: Rating::T,
        compassion: Rating::T,
        diligence: Rating::T,
        honesty: Rating::T,
        responsibility: Rating::T,
    };
    let report = validate(&record);
    let problems: Vec<_> = report
        .problems
        .iter()
        .map(|p| (p.rule, p.severity))
        .collect();
    assert_eq!(
        problems,
        vec![(Rule::YearResultMismatch, Severity::Warning),],
        "{report}"
    );
    let p = &report.problems[0];
    assert_eq!(p.value, json!("hoan_thanh_tot"));
    assert_eq!(p.expected, Some(json!("hoan_thanh_xuat_sac")));

    // The school follows the rules: the award must follow too.
    let primary = record.primary.as_mut().unwrap();
    primary.year_result = PrimaryYearResult::Outstanding;
    let report = validate(&record);
    assert_eq!(report.problems.len(), 1, "{report}");
    assert_eq!(report.problems[0].rule, Rule::AwardMismatch);
    assert_eq!(
        report.problems[0].expected,
        Some(json!("hoc_sinh_xuat_sac"))
    );
    record.primary.as_mut().unwrap().award = Some(Award::Outstanding);
    assert!(validate(&record).is_clean());

    // Ratings from another level's set are errors, not parse failures.
    let primary = record.primary.as_mut().unwrap();
    primary.competencies = Competencies {
        language: Rating::K,
        ..primary.competencies.clone()
    };
    primary.promotion = Promotion::Retest;
    let report = validate(&record);
    let rules: Vec<Rule> = report.problems.iter().map(|p| p.rule).collect();
    assert_eq!(
        rules,
        vec![Rule::RatingNotInSet, Rule::PromotionNotForLevel],
        "{report}"
    );
}

#[test]
fn the_record_type_from_a_credential_is_accepted() {
    let mut doc: Value = serde_json::from_slice(&example("secondary-grade7.json")).unwrap();
    doc["type"] = json!("HocBaYearRecord");
    let (record, report) = parse_and_validate(&serde_json::to_vec(&doc).unwrap()).unwrap();
    assert!(report.is_clean(), "{report}");
    assert_eq!(record.record_type.as_deref(), Some("HocBaYearRecord"));
    doc["type"] = json!("VerifiableCredential");
    let (_, report) = parse_and_validate(&serde_json::to_vec(&doc).unwrap()).unwrap();
    assert_eq!(report.problems[0].rule, Rule::RecordType);
    let _: &YearRecord = &record;
}

#[test]
fn validate_warns_about_nfd_text_in_a_record_built_in_rust() {
    let (mut record, _) = parse_and_validate(&example("primary-grade2.json")).unwrap();
    record.homeroom_teacher = "Le\u{302} Thi\u{323} Phương Thảo".into();
    let report = validate(&record);
    assert_eq!(report.problems.len(), 1, "{report}");
    assert_eq!(report.problems[0].rule, Rule::TextNotNfc);
    assert_eq!(report.problems[0].pointer, "/homeroomTeacher");
    assert_eq!(report.problems[0].severity, Severity::Warning);
}
