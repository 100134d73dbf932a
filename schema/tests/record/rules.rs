//! The rules of issue #12 seen through validation: the adjustment of Circular 22 Art. 9(3) and
//! what its message says, the deployment switch for comment subjects, year values recomputed
//! before the learning result is derived, and the year's conduct from each pair of semester
//! results.

use hocba_schema::rules::Thresholds;
use hocba_schema::rules::learning_result::Adjustment;
use hocba_schema::validation::{Rule, parse_and_validate, parse_and_validate_with};
use serde_json::{Value, json};

use crate::support::valid_examples;

fn example(name: &str) -> Value {
    let bytes = valid_examples()
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, b)| b)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn bytes(doc: &Value) -> Vec<u8> {
    serde_json::to_vec(doc).unwrap()
}

#[test]
fn the_unadjusted_result_is_reported_with_the_reason_and_the_subject() {
    let mut doc = example("secondary-grade9-adjusted-learning-result.json");
    doc["secondary"]["learningResult"]["semester2"] = json!("Đ");
    let (_, report) = parse_and_validate(&bytes(&doc)).unwrap();
    assert_eq!(report.problems.len(), 1, "{report}");
    let p = &report.problems[0];
    assert_eq!(p.rule, Rule::LearningResultMismatch);
    assert_eq!(p.pointer, "/secondary/learningResult/semester2");
    assert_eq!(
        (p.value.clone(), p.expected.clone()),
        (json!("Đ"), Some(json!("K")))
    );
    for needed in [
        "điều chỉnh lên mức liền kề theo khoản 3 Điều 9",
        "Công nghệ (4.0)",
        "học kì II",
        "Thông tư 22",
    ] {
        assert!(p.message_vi.contains(needed), "{needed}: {}", p.message_vi);
    }
    for needed in ["Article 9(3)", "Công nghệ (4.0)", "semester II"] {
        assert!(p.message_en.contains(needed), "{needed}: {}", p.message_en);
    }
}

#[test]
fn a_comment_subject_is_adjusted_for_unless_the_deployment_says_otherwise() {
    let doc = example("secondary-grade9-comment-subject-cd.json");
    let (_, report) = parse_and_validate(&bytes(&doc)).unwrap();
    assert!(report.is_clean(), "{report}");
    let strict = Thresholds {
        learning_adjustment: Adjustment {
            comment_subjects: false,
        },
        ..Thresholds::default()
    };
    let (_, report) = parse_and_validate_with(&bytes(&doc), &strict).unwrap();
    let found: Vec<_> = report
        .problems
        .iter()
        .map(|p| (p.pointer.as_str(), p.rule, p.expected.clone()))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "/secondary/learningResult/semester2",
                Rule::LearningResultMismatch,
                Some(json!("Đ"))
            ),
            (
                "/secondary/learningResult/year",
                Rule::LearningResultMismatch,
                Some(json!("Đ"))
            ),
        ],
        "{report}"
    );
}

#[test]
fn the_year_learning_result_comes_from_recomputed_year_averages() {
    // Tiếng Anh 6.6 and 6.2: (6.6 + 2 × 6.2) / 3 = 6.3 for the year, below the 6.5 every subject
    // needs for Tốt. The school wrote 6.5 and, from it, Tốt: the year is Khá.
    let mut doc = example("secondary-grade9.json");
    let subjects = doc["secondary"]["subjects"].as_array_mut().unwrap();
    let english = subjects
        .iter_mut()
        .find(|s| s["code"] == "ngoai_ngu_1")
        .unwrap();
    english["semester1Average"] = json!(6.6);
    english["semester2Average"] = json!(6.2);
    english["yearAverage"] = json!(6.5);
    doc["secondary"]["learningResult"]["semester2"] = json!("K");
    let (_, report) = parse_and_validate(&bytes(&doc)).unwrap();
    let found: Vec<_> = report
        .problems
        .iter()
        .map(|p| (p.pointer.as_str(), p.rule, p.expected.clone()))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "/secondary/subjects/2/yearAverage",
                Rule::YearAverageMismatch,
                Some(json!(6.3))
            ),
            (
                "/secondary/learningResult/year",
                Rule::LearningResultMismatch,
                Some(json!("K"))
            ),
        ],
        "{report}"
    );
    let year = &report.problems[1];
    assert!(
        year.message_vi.contains("Tiếng Anh 6.3"),
        "{}",
        year.message_vi
    );
    assert!(
        year.message_vi.contains("khoản 1 Điều 9"),
        "{}",
        year.message_vi
    );
    // With the year average written right, the same Tốt is one warning only.
    let subjects = doc["secondary"]["subjects"].as_array_mut().unwrap();
    subjects[2]["yearAverage"] = json!(6.3);
    let (_, report) = parse_and_validate(&bytes(&doc)).unwrap();
    let rules: Vec<_> = report.problems.iter().map(|p| p.rule).collect();
    assert_eq!(rules, vec![Rule::LearningResultMismatch], "{report}");
}

/// Article 8(2)(b) as it lists the cases: (semester I, semester II) → the year.
const CONDUCT_YEAR: [(&str, &str, &str); 16] = [
    ("T", "T", "T"),
    ("K", "T", "T"),
    ("Đ", "T", "K"),
    ("CĐ", "T", "K"),
    ("T", "K", "K"),
    ("K", "K", "K"),
    ("Đ", "K", "K"),
    ("CĐ", "K", "Đ"),
    ("T", "Đ", "K"),
    ("K", "Đ", "Đ"),
    ("Đ", "Đ", "Đ"),
    ("CĐ", "Đ", "Đ"),
    ("T", "CĐ", "CĐ"),
    ("K", "CĐ", "CĐ"),
    ("Đ", "CĐ", "CĐ"),
    ("CĐ", "CĐ", "CĐ"),
];

#[test]
fn year_conduct_from_each_pair_of_semester_results() {
    let mut doc = example("secondary-grade7-conduct-t-then-d.json");
    for (s1, s2, year) in CONDUCT_YEAR {
        // The year the Article gives: no conduct problem.
        doc["secondary"]["conductResult"] = json!({"semester1": s1, "semester2": s2, "year": year});
        let (_, report) = parse_and_validate(&bytes(&doc)).unwrap();
        assert!(
            !report
                .problems
                .iter()
                .any(|p| p.rule == Rule::ConductResultMismatch),
            "{s1}/{s2} → {year}: {report}"
        );
        // Any other year: a warning carrying the Article's value.
        for wrong in ["T", "K", "Đ", "CĐ"].into_iter().filter(|w| *w != year) {
            doc["secondary"]["conductResult"]["year"] = json!(wrong);
            let (_, report) = parse_and_validate(&bytes(&doc)).unwrap();
            let p = report
                .problems
                .iter()
                .find(|p| p.rule == Rule::ConductResultMismatch)
                .unwrap_or_else(|| panic!("{s1}/{s2} written {wrong}: {report}"));
            assert_eq!(p.pointer, "/secondary/conductResult/year");
            assert_eq!(p.value, json!(wrong));
            assert_eq!(p.expected, Some(json!(year)));
            assert!(
                p.message_vi.contains("điểm b khoản 2 Điều 8"),
                "{}",
                p.message_vi
            );
            assert!(
                p.message_vi
                    .contains(&format!("học kì I là {s1} và học kì II là {s2}")),
                "{}",
                p.message_vi
            );
        }
    }
}

/// `schema/docs/record.md` lists every rule code in its table, each warning marked *(W)*: a
/// school reading a message's code finds what it means.
#[test]
fn the_documented_rule_table_names_every_rule() {
    let doc = include_str!("../../docs/record.md");
    let table = doc
        .split("### Rule codes")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("record.md has a Rule codes section");
    let missing: Vec<&str> = Rule::ALL
        .iter()
        .map(|r| r.code())
        .filter(|code| !table.contains(&format!("`{code}`")))
        .collect();
    assert!(missing.is_empty(), "not in record.md's table: {missing:?}");
}
