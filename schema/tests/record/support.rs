//! Loading the JSON Schema and the example files.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use hocba_schema::validation::parse_and_validate;
use serde_json::Value;

/// The JSON Schema, as shipped.
pub(crate) const SCHEMA: &str = include_str!("../../json/hocba-year-record.schema.json");

/// The compiled JSON Schema (draft 2020-12, with `format` asserted).
pub(crate) fn schema() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let schema: Value = serde_json::from_str(SCHEMA).unwrap();
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&schema)
            .unwrap()
    })
}

/// Whether the JSON Schema accepts `value`.
pub(crate) fn schema_accepts(value: &Value) -> bool {
    schema().is_valid(value)
}

/// The JSON Schema's complaints about `value`, one per line.
pub(crate) fn schema_errors(value: &Value) -> String {
    schema()
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether the Rust parser or validator reports an error for `bytes`.
pub(crate) fn rust_rejects(bytes: &[u8]) -> bool {
    match parse_and_validate(bytes) {
        Ok((_, report)) => report.has_errors(),
        Err(_) => true,
    }
}

/// Whether the Rust parser alone fails on `bytes`.
pub(crate) fn rust_parse_fails(bytes: &[u8]) -> bool {
    parse_and_validate(bytes).is_err()
}

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn json_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "json")
                && !p.to_string_lossy().ends_with(".expected.json")
        })
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// Every valid example: `schema/examples/*.json`.
pub(crate) fn valid_examples() -> Vec<(String, Vec<u8>)> {
    json_files(&examples_dir())
}

/// Every invalid example with its expectation file.
pub(crate) fn invalid_examples() -> Vec<(String, Vec<u8>, Value)> {
    let dir = examples_dir().join("invalid");
    json_files(&dir)
        .into_iter()
        .map(|(name, bytes)| {
            let stem = name.trim_end_matches(".json");
            let expected = dir.join(format!("{stem}.expected.json"));
            let expected = std::fs::read(&expected)
                .unwrap_or_else(|_| panic!("{name} has no {stem}.expected.json"));
            let expected: Value = serde_json::from_slice(&expected).unwrap();
            (name, bytes, expected)
        })
        .collect()
}
