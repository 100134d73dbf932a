//! Every valid example passes the JSON Schema and the Rust parser and validator with no problem
//! at all, and reads back to exactly the JSON it was written as.

use hocba_schema::record::{LevelResults, YearRecord};
use hocba_schema::validation::parse_and_validate;
use serde_json::Value;

use crate::support::{schema_accepts, schema_errors, valid_examples};

#[test]
fn the_required_examples_exist() {
    let names: Vec<String> = valid_examples().into_iter().map(|(n, _)| n).collect();
    for needed in [
        "primary-grade2.json",
        "primary-grade5.json",
        "secondary-grade9.json",
        "secondary-grade11.json",
        // Issue #12: Article 9(3) both ways, a comment subject CĐ in semester II, year conduct
        // from the semesters, grade-12 completion, a principal's promotion in primary.
        "secondary-grade9-adjusted-learning-result.json",
        "secondary-grade9-comment-subject-cd.json",
        "secondary-grade7-conduct-t-then-d.json",
        "secondary-grade12.json",
        "primary-grade2-principal-promotes.json",
        // Item 5: the optional rows of the secondary forms, primary Tin học và Công nghệ in parts.
        "secondary-grade9-second-language-minority-language.json",
        "primary-grade5-informatics-technology-parts.json",
        // Item 6: every field of the paper forms; a deputy signs the grade 11 record.
        "primary-grade5-every-field-of-the-form.json",
        "secondary-grade11-every-field-of-the-form.json",
        // Item 3: the year-end record with the interim decision, and its correction after the
        // summer re-assessment.
        "secondary-grade7-retest-interim.json",
        "secondary-grade7-reassessed-in-summer-promoted.json",
    ] {
        assert!(names.iter().any(|n| n == needed), "missing {needed}");
    }
}

#[test]
fn valid_examples_pass_the_json_schema() {
    for (name, bytes) in valid_examples() {
        let value: Value = serde_json::from_slice(&bytes).unwrap();
        assert!(schema_accepts(&value), "{name}:\n{}", schema_errors(&value));
    }
}

#[test]
fn valid_examples_pass_the_rust_validator_without_any_problem() {
    for (name, bytes) in valid_examples() {
        let (_, report) = parse_and_validate(&bytes).unwrap_or_else(|r| panic!("{name}:\n{r}"));
        assert!(report.is_clean(), "{name}:\n{report}");
    }
}

#[test]
fn valid_examples_read_back_to_the_same_json() {
    for (name, bytes) in valid_examples() {
        let original: Value = serde_json::from_slice(&bytes).unwrap();
        let record: YearRecord = serde_json::from_value(original.clone()).unwrap();
        assert_eq!(serde_json::to_value(&record).unwrap(), original, "{name}");
    }
}

#[test]
fn grade_five_and_nine_complete_their_programmes() {
    for (name, bytes) in valid_examples() {
        let (record, _) = parse_and_validate(&bytes).unwrap();
        match (record.grade, record.results()) {
            (5, Some(LevelResults::Primary(p))) => {
                assert_eq!(p.completed_primary_programme, Some(true), "{name}")
            }
            (9, Some(LevelResults::Secondary(s))) => {
                assert_eq!(s.completed_lower_secondary_programme, Some(true), "{name}")
            }
            (_, Some(_)) => {}
            (_, None) => panic!("{name} has no results for its grade"),
        }
    }
}
