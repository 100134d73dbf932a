//! Reading a record from JSON bytes without ever panicking: the bytes become a JSON value (with
//! the strict reader of [`crate::json`]: duplicate keys refused, the nesting depth bounded), text is normalised to
//! NFC, and the value becomes a [`YearRecord`]. Whatever fails becomes a [`Problem`] with the
//! JSON pointer of the place it failed at.

use serde::Deserialize;
use serde_json::Value;
use serde_path_to_error::{Path, Segment};
use unicode_normalization::UnicodeNormalization;

use super::text::{not_nfc_detail_en, not_nfc_detail_vi};
use super::{MAX_RECORD_BYTES, Problem, Rule};
use crate::jcs::{is_nfc, push_escaped};
use crate::json::{DUPLICATE_KEY_PREFIX, Strict, strip_bom};
use crate::record::YearRecord;

/// Read `bytes` as a JSON value.
pub(crate) fn read_value(bytes: &[u8]) -> Result<Value, Box<Problem>> {
    if bytes.len() > MAX_RECORD_BYTES {
        return Err(Box::new(Problem::new(
            "",
            Rule::JsonTooLarge,
            Value::from(bytes.len()),
            &format!(
                "tài liệu dài {} byte, vượt giới hạn {MAX_RECORD_BYTES} byte của một bản ghi",
                bytes.len()
            ),
            &format!(
                "the document is {} bytes, over the limit of {MAX_RECORD_BYTES} bytes for a record",
                bytes.len()
            ),
        )));
    }
    // A byte order mark, as some spreadsheet exports write, is not part of the JSON.
    let bytes = strip_bom(bytes);
    // Read first without tracking the path (what nearly every record needs: a third less
    // work); only a document that fails is read again, with the path, for the problem's
    // pointer. The tracking changes nothing of what is accepted.
    // The text is checked for UTF-8 once, by `simdutf8` (several times std's speed on
    // Vietnamese text), and read as text, so the reader does not check each string again.
    if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
        let mut untracked = serde_json::Deserializer::from_str(text);
        if let Ok(Strict(value)) = Strict::deserialize(&mut untracked)
            && untracked.end().is_ok()
        {
            return Ok(value);
        }
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = match serde_path_to_error::deserialize::<_, Strict>(&mut deserializer) {
        Ok(Strict(value)) => value,
        Err(err) => {
            let pointer = pointer_of(err.path());
            return Err(Box::new(problem_from_serde(&pointer, err.inner(), None)));
        }
    };
    if let Err(err) = deserializer.end() {
        return Err(Box::new(problem_from_serde("", &err, None)));
    }
    Ok(value)
}

/// Rewrite every string of `value` in NFC; returns a `text-not-nfc` warning for each string
/// that was not, with the text as it was written.
pub(crate) fn normalise_text(value: &mut Value) -> Vec<Problem> {
    let mut found = Vec::new();
    let mut pointer = String::new();
    normalise_at(value, &mut pointer, &mut found);
    found
}

fn normalise_at(value: &mut Value, pointer: &mut String, found: &mut Vec<Problem>) {
    match value {
        Value::String(text) => {
            if !is_nfc(text) {
                found.push(Problem::new(
                    pointer.clone(),
                    Rule::TextNotNfc,
                    Value::String(text.clone()),
                    &not_nfc_detail_vi(true),
                    &not_nfc_detail_en(true),
                ));
                *text = text.nfc().collect();
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                normalise_at(item, pointer, found);
                pointer.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                let len = pointer.len();
                pointer.push('/');
                push_escaped(pointer, key);
                normalise_at(item, pointer, found);
                pointer.truncate(len);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Turn a JSON value into a record.
pub(crate) fn record_from_value(value: &Value) -> Result<YearRecord, Box<Problem>> {
    // Without the path first, as `read_value` does; again with it only for the problem.
    if let Ok(record) = YearRecord::deserialize(value) {
        return Ok(record);
    }
    serde_path_to_error::deserialize::<_, YearRecord>(value).map_err(|err| {
        let pointer = pointer_of(err.path());
        Box::new(problem_from_serde(&pointer, err.inner(), Some(value)))
    })
}

/// The RFC 6901 pointer of a serde path.
fn pointer_of(path: &Path) -> String {
    let mut pointer = String::new();
    for segment in path {
        match segment {
            Segment::Seq { index } => {
                pointer.push('/');
                pointer.push_str(&index.to_string());
            }
            Segment::Map { key } | Segment::Enum { variant: key } => {
                pointer.push('/');
                push_escaped(&mut pointer, key);
            }
            Segment::Unknown => {}
        }
    }
    pointer
}

/// The text between the first pair of backticks after `prefix`, e.g. the field of
/// "missing field `fullName`".
fn quoted_after<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    let rest = message.strip_prefix(prefix)?;
    let rest = rest.strip_prefix('`')?;
    let end = rest.find('`')?;
    rest.get(..end)
}

/// Append `key` to `pointer` unless the pointer already ends with it.
fn pointer_with_key(pointer: &str, key: &str) -> String {
    let mut escaped = String::new();
    push_escaped(&mut escaped, key);
    if pointer.ends_with(&format!("/{escaped}")) {
        pointer.to_owned()
    } else {
        format!("{pointer}/{escaped}")
    }
}

/// What "expected …" in a serde message means for a person.
fn expected_words(message: &str) -> (String, String) {
    let expected = message
        .rsplit_once(", expected ")
        .map(|(_, e)| e)
        .unwrap_or("");
    let expected = expected
        .split(" at line ")
        .next()
        .unwrap_or(expected)
        .trim();
    match expected {
        "u8" | "u16" | "u32" | "u64" => ("một số nguyên không âm".into(), "a whole number".into()),
        "f64" => ("một số".into(), "a number".into()),
        "a string" => ("một chuỗi ký tự".into(), "a string".into()),
        "a boolean" => ("true hoặc false".into(), "true or false".into()),
        "a sequence" => ("một mảng JSON [ … ]".into(), "a JSON array [ … ]".into()),
        e if e.starts_with("struct ") || e == "a map" => (
            "một đối tượng JSON { … }".into(),
            "a JSON object { … }".into(),
        ),
        "" => ("kiểu khác".into(), "another type".into()),
        e => (e.to_owned(), e.to_owned()),
    }
}

/// The problem a serde error stands for. `document` is the parsed value when the error came
/// from turning it into a record (it gives the offending value).
fn problem_from_serde(pointer: &str, err: &serde_json::Error, document: Option<&Value>) -> Problem {
    let message = err.to_string();
    let value_at = |p: &str| {
        document
            .and_then(|d| d.pointer(p))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let location_vi = if err.line() > 0 {
        format!(" (dòng {}, cột {})", err.line(), err.column())
    } else {
        String::new()
    };
    match err.classify() {
        serde_json::error::Category::Syntax
        | serde_json::error::Category::Eof
        | serde_json::error::Category::Io => {
            if message.starts_with("recursion limit exceeded") {
                Problem::new(
                    pointer,
                    Rule::JsonTooDeep,
                    Value::Null,
                    &format!("JSON lồng nhau quá sâu{location_vi}"),
                    &format!("the JSON is nested too deeply ({message})"),
                )
            } else if message.starts_with("number out of range") {
                Problem::new(
                    pointer,
                    Rule::NumberOutOfRange,
                    Value::Null,
                    &format!("số quá lớn để biểu diễn{location_vi}"),
                    &format!("the number is too large to represent ({message})"),
                )
            } else {
                Problem::new(
                    pointer,
                    Rule::JsonSyntax,
                    Value::Null,
                    &format!("tài liệu không phải JSON hợp lệ{location_vi}: {message}"),
                    &format!("the document is not valid JSON: {message}"),
                )
            }
        }
        serde_json::error::Category::Data => data_problem(pointer, &message, value_at),
    }
}

fn data_problem(pointer: &str, message: &str, value_at: impl Fn(&str) -> Value) -> Problem {
    if let Some(field) = quoted_after(message, "missing field ") {
        let at = pointer_with_key(pointer, field);
        return Problem::new(
            at,
            Rule::RequiredFieldMissing,
            Value::Null,
            &format!("thiếu trường bắt buộc `{field}`"),
            &format!("the required field `{field}` is missing"),
        );
    }
    if let Some(field) = quoted_after(message, "unknown field ") {
        let at = pointer_with_key(pointer, field);
        let value = value_at(&at);
        let expected = message
            .split_once(", expected ")
            .map(|(_, e)| e.trim_start_matches("one of ").to_owned())
            .unwrap_or_default();
        return Problem::new(
            at,
            Rule::UnknownField,
            value,
            &format!(
                "trường `{field}` không có trong định dạng học bạ (có thể gõ sai tên); các trường được phép: {expected}"
            ),
            &format!(
                "`{field}` is not a field of the record format (perhaps misspelt); allowed: {expected}"
            ),
        );
    }
    if let Some(key) = quoted_after(message, DUPLICATE_KEY_PREFIX) {
        let at = pointer_with_key(pointer, key);
        return Problem::new(
            at,
            Rule::DuplicateKey,
            Value::Null,
            &format!("khóa `{key}` xuất hiện hai lần trong cùng một đối tượng"),
            &format!("the key `{key}` appears twice in the same object"),
        );
    }
    let value = value_at(pointer);
    if let Some(variant) = quoted_after(message, "unknown variant ") {
        let expected = message
            .split_once(", expected ")
            .map(|(_, e)| e.trim_start_matches("one of ").to_owned())
            .unwrap_or_default();
        return Problem::new(
            pointer,
            Rule::ValueNotAllowed,
            value,
            &format!("`{variant}` không phải giá trị được phép; các giá trị được phép: {expected}"),
            &format!("`{variant}` is not an allowed value; allowed: {expected}"),
        );
    }
    if message.starts_with("invalid value: integer") {
        let (vi, en) = expected_words(message);
        return Problem::new(
            pointer,
            Rule::NumberOutOfRange,
            value,
            &format!("số nằm ngoài khoảng của trường này (cần {vi})"),
            &format!("the number is outside this field's range (expected {en})"),
        );
    }
    let (vi, en) = expected_words(message);
    Problem::new(
        pointer,
        Rule::WrongType,
        value,
        &format!("sai kiểu dữ liệu, cần {vi}"),
        &format!("wrong type, expected {en}"),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::Map;

    #[test]
    fn syntax_errors_are_problems() {
        let p = read_value(b"{\"a\": [1, 2,, 3]}").unwrap_err();
        assert_eq!(p.rule, Rule::JsonSyntax);
        assert_eq!(p.pointer, "/a/2");
        let p = read_value(b"{\"a\": 1} x").unwrap_err();
        assert_eq!(p.rule, Rule::JsonSyntax);
        let p = read_value(b"").unwrap_err();
        assert_eq!(p.rule, Rule::JsonSyntax);
        let p = read_value(b"\xff").unwrap_err();
        assert_eq!(p.rule, Rule::JsonSyntax);
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let p = read_value(br#"{"student": {"fullName": "A", "fullName": "B"}}"#).unwrap_err();
        assert_eq!(p.rule, Rule::DuplicateKey);
        assert_eq!(p.pointer, "/student/fullName");
    }

    #[test]
    fn depth_and_size_are_bounded() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let p = read_value(deep.as_bytes()).unwrap_err();
        assert_eq!(p.rule, Rule::JsonTooDeep);
        let big = vec![b' '; MAX_RECORD_BYTES + 1];
        assert_eq!(read_value(&big).unwrap_err().rule, Rule::JsonTooLarge);
        let p = read_value(br#"{"grade": 1e400}"#).unwrap_err();
        assert_eq!(p.rule, Rule::NumberOutOfRange);
        assert_eq!(p.pointer, "/grade");
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        assert_eq!(
            read_value(b"\xEF\xBB\xBF{}").unwrap(),
            Value::Object(Map::new())
        );
    }

    #[test]
    fn nfd_text_is_normalised_and_reported() {
        let mut v = serde_json::json!({"a": ["Nguye\u{302}\u{303}n", "Lê"]});
        let found = normalise_text(&mut v);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].pointer, "/a/0");
        assert_eq!(found[0].value, "Nguye\u{302}\u{303}n");
        assert_eq!(v["a"][0], "Nguyễn");
    }
}
