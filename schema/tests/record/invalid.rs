//! Every invalid example is rejected with exactly the problems its `.expected.json` lists
//! (pointer, rule, severity), and the JSON Schema rejects it exactly when the expectation says
//! so.
//!
//! Expectation file:
//!
//! ```json
//! {
//!   "description": "what the example shows",
//!   "jsonSchemaRejects": true,
//!   "parses": true,
//!   "problems": [{"pointer": "/grade", "rule": "grade-range", "severity": "error"}]
//! }
//! ```
//!
//! `parses` says whether `parse_and_validate` returns `Ok` (a record with a report) or `Err`
//! (the bytes could not be read as a record).

use hocba_schema::validation::{Severity, ValidationReport, parse_and_validate};
use serde_json::Value;

use crate::support::{invalid_examples, schema_accepts, schema_errors};

fn listed(expected: &Value) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = expected["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["pointer"].as_str().unwrap().to_owned(),
                p["rule"].as_str().unwrap().to_owned(),
                p["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

fn found(report: &ValidationReport) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = report
        .problems
        .iter()
        .map(|p| {
            let severity = serde_json::to_value(p.severity).unwrap();
            (
                p.pointer.clone(),
                p.rule.code().to_owned(),
                severity.as_str().unwrap().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn there_are_enough_invalid_examples() {
    assert!(invalid_examples().len() >= 8);
}

#[test]
fn invalid_examples_get_exactly_the_listed_problems() {
    for (name, bytes, expected) in invalid_examples() {
        let (parsed, report) = match parse_and_validate(&bytes) {
            Ok((_, report)) => (true, report),
            Err(report) => (false, report),
        };
        assert_eq!(
            Some(parsed),
            expected["parses"].as_bool(),
            "{name}: parses\n{report}"
        );
        assert_eq!(found(&report), listed(&expected), "{name}:\n{report}");
        for p in &report.problems {
            assert!(
                p.message_vi.contains(p.rule.code()),
                "{name}: {}",
                p.message_vi
            );
            assert!(
                p.message_en.contains(p.rule.code()),
                "{name}: {}",
                p.message_en
            );
            let place = if p.pointer.is_empty() {
                "/"
            } else {
                &p.pointer
            };
            assert!(p.message_en.contains(place), "{name}: {}", p.message_en);
        }
    }
}

#[test]
fn the_json_schema_rejects_exactly_what_the_expectation_says() {
    for (name, bytes, expected) in invalid_examples() {
        let rejects = expected["jsonSchemaRejects"].as_bool().unwrap();
        match serde_json::from_slice::<Value>(&bytes) {
            // Not JSON at all: nothing can accept it.
            Err(_) => assert!(rejects, "{name} is not JSON, so the schema rejects it"),
            Ok(value) => assert_eq!(
                !schema_accepts(&value),
                rejects,
                "{name}: schema says:\n{}",
                schema_errors(&value)
            ),
        }
    }
}

#[test]
fn derived_mismatches_carry_both_values() {
    for (name, bytes, _) in invalid_examples() {
        let report = match parse_and_validate(&bytes) {
            Ok((_, r)) | Err(r) => r,
        };
        for p in &report.problems {
            if p.rule.code().ends_with("-mismatch") && p.severity == Severity::Warning {
                assert!(p.expected.is_some(), "{name}: {p:?}");
            }
        }
    }
}
