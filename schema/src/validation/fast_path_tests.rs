//! The canonical fast path of [`super::parse_and_validate`] gives what the general path gives:
//! the same record, the same report (errors and warnings, pointers and all) and the same JSON
//! form, for every example record (valid and invalid) written canonically; and anything that
//! is not canonical, or not a record, goes the general way.

#![allow(clippy::unwrap_used)]

use super::{
    Documented, ValidationReport, parse_and_validate, parse_and_validate_document,
    parse_and_validate_general, read_canonical,
};
use crate::jcs::canonical_bytes;
use crate::rules::Thresholds;

fn general(json: &[u8]) -> Result<Documented, ValidationReport> {
    parse_and_validate_general(json, &Thresholds::default())
}

/// Every example record, as written in `examples/` (valid ones and invalid ones).
fn examples() -> Vec<(String, Vec<u8>)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut out = Vec::new();
    for dir in [root.clone(), root.join("invalid")] {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".json") && !name.ends_with(".expected.json") {
                out.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    assert!(out.len() > 20, "examples found: {}", out.len());
    out
}

/// The canonical text of a record as the general path reads it (what the issuer stores).
fn canonical(json: &[u8]) -> Option<Vec<u8>> {
    let (_, _, document) = general(json).ok()?;
    canonical_bytes(&document).ok()
}

#[test]
fn canonical_examples_take_the_fast_path_and_get_the_general_answer() {
    let mut fast = 0;
    for (name, bytes) in examples() {
        let Some(text) = canonical(&bytes) else {
            continue;
        };
        let expected = general(&text);
        match read_canonical(&text) {
            Some(record) => {
                fast += 1;
                assert_eq!(
                    Some(&record),
                    expected.as_ref().ok().map(|d| &d.0),
                    "{name}"
                );
            }
            None => assert!(expected.is_err(), "{name}: a record, yet not read"),
        }
        assert_eq!(parse_and_validate_document(&text), expected, "{name}");
        assert_eq!(
            parse_and_validate(&text),
            expected.map(|(record, report, _)| (record, report)),
            "{name}"
        );
    }
    assert!(fast > 20, "records read the fast way: {fast}");
}

#[test]
fn examples_with_errors_keep_every_error_on_the_fast_path() {
    let mut with_errors = 0;
    for (name, bytes) in examples() {
        let Some(text) = canonical(&bytes) else {
            continue;
        };
        let (_, report, _) = parse_and_validate_document(&text).unwrap();
        let (_, general_report, _) = general(&text).unwrap();
        assert_eq!(report, general_report, "{name}");
        if report.has_errors() {
            with_errors += 1;
        }
    }
    assert!(with_errors > 5, "invalid examples checked: {with_errors}");
}

#[test]
fn anything_not_canonical_or_not_a_record_goes_the_general_way() {
    let (_, bytes) = examples()
        .into_iter()
        .find(|(name, _)| name == "secondary-grade9.json")
        .unwrap();
    let text = String::from_utf8(canonical(&bytes).unwrap()).unwrap();
    let cases = [
        // An unknown member, in its sorted place: canonical, but not a record.
        text.replacen("\"className\":", "\"classNama\":1,\"className\":", 1),
        // A member twice: not canonical.
        text.replacen("\"className\":", "\"className\":\"9A\",\"className\":", 1),
        // Whitespace, a byte order mark: not canonical.
        text.replacen(':', ": ", 1),
        format!("\u{feff}{text}"),
        // Text in NFD: not canonical; the general path warns and normalises.
        text.replacen("\"fullName\":\"", "\"fullName\":\"Nguye\u{302}\u{303}n ", 1),
        // A wrong type, a number too large, truncated bytes.
        text.replacen("\"grade\":9", "\"grade\":\"9\"", 1),
        text.replacen("\"grade\":9", "\"grade\":9007199254740993", 1),
        text[..text.len() / 2].to_owned(),
    ];
    for (i, case) in cases.iter().enumerate() {
        assert_ne!(case, &text, "case {i} changed nothing");
        let expected = general(case.as_bytes());
        assert_eq!(
            parse_and_validate_document(case.as_bytes()),
            expected,
            "case {i}"
        );
        assert_eq!(
            parse_and_validate(case.as_bytes()),
            expected.map(|(record, report, _)| (record, report)),
            "case {i}"
        );
    }
    // A canonical record with an error in it is read the fast way, and its error reported.
    let wrong = text.replacen("\"grade\":9", "\"grade\":13", 1);
    assert!(read_canonical(wrong.as_bytes()).is_some());
    let (_, report) = parse_and_validate(wrong.as_bytes()).unwrap();
    assert!(report.has_errors());
    assert_eq!(report, general(wrong.as_bytes()).unwrap().1);
}
