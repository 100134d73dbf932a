//! What keeps the JSON Schema and the Rust types in step: every valid example is mutated in
//! structural ways at every place, and the schema and the Rust parser must agree.
//!
//! * Removing a field: when the Rust parser fails (the field is required by the types), the
//!   schema must reject too; when the schema rejects, the Rust parser or validator must report
//!   an error. (The schema may accept what the Rust validator rejects: cross-field rules.)
//! * Adding an unknown field to any object: both reject.
//! * Changing any value's JSON type, or writing `null` anywhere: both reject.

use serde_json::{Map, Value, json};

use crate::support::{
    rust_parse_fails, rust_rejects, schema_accepts, schema_errors, valid_examples,
};

/// Every JSON pointer in `value` (the root included).
fn pointers(value: &Value) -> Vec<String> {
    fn walk(value: &Value, at: &str, out: &mut Vec<String>) {
        out.push(at.to_owned());
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    walk(
                        v,
                        &format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                        out,
                    );
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, &format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, "", &mut out);
    out
}

fn bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

/// Split `/a/b/c` into the parent pointer and the last key.
fn parent_and_key(pointer: &str) -> (&str, String) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    (parent, key.replace("~1", "/").replace("~0", "~"))
}

#[test]
fn removing_a_field_keeps_schema_and_types_in_step() {
    let mut both_reject = 0;
    for (name, raw) in valid_examples() {
        let doc: Value = serde_json::from_slice(&raw).unwrap();
        for pointer in pointers(&doc) {
            if pointer.is_empty() {
                continue;
            }
            let (parent, key) = parent_and_key(&pointer);
            let mut mutated = doc.clone();
            let Some(Value::Object(map)) = mutated.pointer_mut(parent) else {
                continue;
            };
            map.remove(&key);
            let b = bytes(&mutated);
            let schema_ok = schema_accepts(&mutated);
            if rust_parse_fails(&b) {
                assert!(
                    !schema_ok,
                    "{name}: without {pointer} the Rust types refuse the record but the schema accepts it"
                );
                both_reject += 1;
            }
            if !schema_ok {
                assert!(
                    rust_rejects(&b),
                    "{name}: without {pointer} the schema refuses the record but Rust accepts it:\n{}",
                    schema_errors(&mutated)
                );
            }
        }
    }
    assert!(
        both_reject > 100,
        "only {both_reject} required fields found"
    );
}

#[test]
fn adding_an_unknown_field_is_refused_by_both() {
    for (name, raw) in valid_examples() {
        let doc: Value = serde_json::from_slice(&raw).unwrap();
        for pointer in pointers(&doc) {
            let mut mutated = doc.clone();
            let Some(Value::Object(map)) = mutated.pointer_mut(&pointer) else {
                continue;
            };
            map.insert("ghiChuThem".into(), json!("không có trong định dạng"));
            assert!(
                !schema_accepts(&mutated),
                "{name}: schema accepts an unknown field in {pointer}"
            );
            assert!(
                rust_parse_fails(&bytes(&mutated)),
                "{name}: Rust accepts an unknown field in {pointer}"
            );
        }
    }
}

/// A value of another JSON type than `value`.
fn other_type(value: &Value) -> Value {
    match value {
        Value::String(_) => json!(42),
        Value::Number(_) => json!("42"),
        Value::Bool(_) => json!("true"),
        Value::Array(_) => Value::Object(Map::new()),
        Value::Object(_) => json!([]),
        Value::Null => json!(0),
    }
}

#[test]
fn a_value_of_the_wrong_type_is_refused_by_both() {
    for (name, raw) in valid_examples() {
        let doc: Value = serde_json::from_slice(&raw).unwrap();
        for pointer in pointers(&doc) {
            if pointer.is_empty() {
                continue;
            }
            for replacement in [other_type(doc.pointer(&pointer).unwrap()), Value::Null] {
                let mut mutated = doc.clone();
                *mutated.pointer_mut(&pointer).unwrap() = replacement.clone();
                assert!(
                    !schema_accepts(&mutated),
                    "{name}: schema accepts {replacement} at {pointer}"
                );
                assert!(
                    rust_rejects(&bytes(&mutated)),
                    "{name}: Rust accepts {replacement} at {pointer}"
                );
            }
        }
    }
}
