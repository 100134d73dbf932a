//! Checks every string of a record: not blank, not longer than its limit, no control
//! characters (line breaks and tabs only in comments), and in Unicode NFC.
//!
//! The check walks the record's JSON form, so the pointers are exactly those of the document.

use serde_json::Value;

use super::Rule;
use super::checks::{Checks, is_blank};
use crate::jcs::{is_nfc, push_escaped};

/// Most characters in a comment or note.
pub const COMMENT_MAX_CHARS: usize = 2000;
/// Most characters in a person's name, a title, a class name, an ethnicity or a nationality.
pub const NAME_MAX_CHARS: usize = 100;
/// Most characters in any other text (addresses, school and subject names, awards, codes).
pub const TEXT_MAX_CHARS: usize = 300;

/// Fields that hold free text over several lines.
const COMMENT_KEYS: [&str; 6] = [
    "comment",
    "exemptionNote",
    "teacherComment",
    "qualitiesComment",
    "competenciesComment",
    "disabilityNote",
];

/// Fields limited to [`NAME_MAX_CHARS`].
const NAME_KEYS: [&str; 14] = [
    "fullName",
    "fatherOccupation",
    "motherOccupation",
    "guardianOccupation",
    "teacher",
    "registrationNumber",
    "fatherName",
    "motherName",
    "guardianName",
    "homeroomTeacher",
    "title",
    "className",
    "ethnicity",
    "nationality",
];

/// The character limit of a field and whether it may span lines.
pub(crate) fn limit_of(key: &str) -> (usize, bool) {
    if COMMENT_KEYS.contains(&key) {
        (COMMENT_MAX_CHARS, true)
    } else if NAME_KEYS.contains(&key) {
        (NAME_MAX_CHARS, false)
    } else {
        (TEXT_MAX_CHARS, false)
    }
}

/// Check every string of `document`.
pub(crate) fn check_text(document: &Value, checks: &mut Checks<'_>) {
    let mut pointer = String::new();
    walk(document, &mut pointer, "", checks);
}

fn walk(value: &Value, pointer: &mut String, key: &str, checks: &mut Checks<'_>) {
    match value {
        Value::String(text) => check_string(text, pointer, key, checks),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                push_index(pointer, i);
                walk(item, pointer, key, checks);
                pointer.truncate(len);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                let len = pointer.len();
                pointer.push('/');
                // Every member name of a record is plain: copied whole, escaped only when it
                // holds `~` or `/` (escaping char by char cost a tenth of the validation).
                if k.contains(['~', '/']) {
                    push_escaped(pointer, k);
                } else {
                    pointer.push_str(k);
                }
                walk(item, pointer, k, checks);
                pointer.truncate(len);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Append the decimal digits of `i` without a temporary `String` (one per array item
/// walked otherwise).
fn push_index(pointer: &mut String, i: usize) {
    if i >= 10 {
        push_index(pointer, i / 10);
    }
    pointer.push(char::from(b'0' + (i % 10) as u8));
}

fn check_string(text: &str, pointer: &str, key: &str, checks: &mut Checks<'_>) {
    let value = || Value::String(text.to_owned());
    if is_blank(text) {
        checks.add(
            pointer,
            Rule::TextEmpty,
            value(),
            "trường này không được để trống; nếu không có thông tin thì bỏ hẳn trường (khi trường không bắt buộc)",
            "this field must not be empty; leave an optional field out instead",
        );
        return;
    }
    let (max, multiline) = limit_of(key);
    let count = text.chars().count();
    if count > max {
        checks.add(
            pointer,
            Rule::TextTooLong,
            value(),
            &format!("văn bản dài {count} ký tự, vượt giới hạn {max} ký tự"),
            &format!("the text is {count} characters long, over the limit of {max}"),
        );
    }
    let bad = text
        .chars()
        .find(|&c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')));
    if let Some(c) = bad {
        let code = format!("U+{:04X}", u32::from(c));
        let (vi, en) = if multiline {
            (
                format!("văn bản chứa ký tự điều khiển {code}; chỉ cho phép xuống dòng và tab"),
                format!(
                    "the text holds the control character {code}; only line breaks and tabs are allowed"
                ),
            )
        } else {
            (
                format!("văn bản chứa ký tự điều khiển {code}; trường này phải nằm trên một dòng"),
                format!(
                    "the text holds the control character {code}; this field must be on one line"
                ),
            )
        };
        checks.add(pointer, Rule::TextControlCharacter, value(), &vi, &en);
    }
    if !is_nfc(text) {
        checks.add(
            pointer,
            Rule::TextNotNfc,
            value(),
            &not_nfc_detail_vi(false),
            &not_nfc_detail_en(false),
        );
    }
}

/// What a `text-not-nfc` warning says, in Vietnamese.
pub(crate) fn not_nfc_detail_vi(normalised: bool) -> String {
    let action = if normalised {
        "đã được chuyển sang NFC trong bản ghi đọc được"
    } else {
        "hãy chuyển sang NFC trước khi ký"
    };
    format!(
        "văn bản không ở dạng chuẩn Unicode NFC (dấu tiếng Việt được gõ tách khỏi chữ, dạng NFD); {action}"
    )
}

/// What a `text-not-nfc` warning says, in English.
pub(crate) fn not_nfc_detail_en(normalised: bool) -> String {
    let action = if normalised {
        "it was converted to NFC in the parsed record"
    } else {
        "convert it to NFC before signing"
    };
    format!(
        "the text is not in Unicode NFC (Vietnamese diacritics stored apart from their letters, NFD); {action}"
    )
}
