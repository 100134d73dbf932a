//! How a pupil is recognised across imports, years and entry points — one rule, written once
//! (documented in `schema/docs/record.md`, *Pupil identity*):
//!
//! * the **personal identification number** (mã định danh cá nhân, 12 digits) when the record
//!   has one: it is the national identity, the same in every school and every year;
//! * otherwise the **MOET student code** (mã học sinh), which the sector database keeps for
//!   the pupil across schools — and a row with only the student code of a pupil stored under
//!   their personal identification number is that pupil ([`IdentityBook::key_of`]); a pupil
//!   first stored under the student code alone (no number then) stays under it when a later
//!   row adds the number.
//!
//! **When the two disagree** — a personal identification number stored with another student
//! code, or a student code stored with another personal identification number, in the
//! school's records or earlier in the same file — the row is refused with both values named
//! and nothing is stored for it ([`IdentityBook::key_of`] returns the refusal).
//!
//! The API (JSON, CSV, XLSX), the web app and `hocba-issuer issue` key a pupil by this rule, so
//! the same pupil imported through any of them is one pupil.

use std::collections::HashMap;

use hocba_schema::record::Student;
use serde_json::Value;

use super::import::Refusal;

/// The key a pupil is stored under within a school (before the school's records are known).
pub fn pupil_key(student: &Student) -> String {
    match personal_id(student) {
        Some(pin) => pin.to_owned(),
        None => student.student_code.trim().to_owned(),
    }
}

fn personal_id(student: &Student) -> Option<&str> {
    student
        .personal_id_number
        .as_deref()
        .map(str::trim)
        .filter(|pin| !pin.is_empty())
}

/// The identities a school's records hold, and those a file adds as it is read.
#[derive(Debug, Default)]
pub struct IdentityBook {
    /// Pupil key → the student code its records give.
    code_of_key: HashMap<String, String>,
    /// Student code → the key its pupil is stored under.
    key_of_code: HashMap<String, String>,
}

impl IdentityBook {
    /// The book of `(pupil key, student code)` pairs as stored (`Store::pupil_identities`).
    pub fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut book = IdentityBook::default();
        for (key, code) in pairs {
            book.note(&key, &code);
        }
        book
    }

    fn note(&mut self, key: &str, code: &str) {
        self.code_of_key
            .entry(key.to_owned())
            .or_insert_with(|| code.to_owned());
        self.key_of_code
            .entry(code.to_owned())
            .or_insert_with(|| key.to_owned());
    }

    /// The key `student` is stored under, by the rule; a refusal naming both values when
    /// the personal identification number and the student code disagree with what is known.
    /// A key returned is noted, so a later row of the same file is held to it.
    pub fn key_of(&mut self, student: &Student) -> Result<String, Refusal> {
        let code = student.student_code.trim();
        let key = match personal_id(student) {
            Some(pin) => {
                if let Some(known) = self.code_of_key.get(pin)
                    && known != code
                {
                    return Err(disagree(
                        "/student/studentCode",
                        code,
                        &format!(
                            "mã định danh cá nhân {pin} đã gắn với mã học sinh {known}, dòng này \
                             ghi mã học sinh {code}; hãy sửa cho khớp với cơ sở dữ liệu ngành"
                        ),
                        &format!(
                            "personal identification number {pin} is stored with student code \
                             {known}, this row gives student code {code}; correct it to match the \
                             sector database"
                        ),
                    ));
                }
                if let Some(known) = self.key_of_code.get(code)
                    && known != pin
                    && known != code
                {
                    return Err(disagree(
                        "/student/personalIdNumber",
                        pin,
                        &format!(
                            "mã học sinh {code} đã gắn với mã định danh cá nhân {known}, dòng này \
                             ghi {pin}; hãy sửa cho khớp với cơ sở dữ liệu ngành"
                        ),
                        &format!(
                            "student code {code} is stored with personal identification number \
                             {known}, this row gives {pin}; correct it to match the sector \
                             database"
                        ),
                    ));
                }
                match self.key_of_code.get(code) {
                    // Stored earlier under the student code alone: that pupil.
                    Some(known) if known == code => code.to_owned(),
                    _ => pin.to_owned(),
                }
            }
            // Only the student code: the pupil it is stored for, under whichever key.
            None => self
                .key_of_code
                .get(code)
                .cloned()
                .unwrap_or_else(|| code.to_owned()),
        };
        self.note(&key, code);
        Ok(key)
    }
}

fn disagree(pointer: &'static str, value: &str, vi: &str, en: &str) -> Refusal {
    Refusal {
        pointer: pointer.into(),
        rule: "pupil-identity-mismatch",
        value: Value::String(value.to_owned()),
        message_vi: upper_first(vi),
        message_en: upper_first(en),
    }
}

fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn student(pin: Option<&str>, code: &str) -> Student {
        let mut s: Student = serde_json::from_value(serde_json::json!({
            "fullName": "Nguyễn Văn An",
            "dateOfBirth": "2015-01-01",
            "gender": "nam",
            "ethnicity": "Kinh",
            "nationality": "Việt Nam",
            "placeOfBirth": "Hòa Bình",
            "residence": "Hòa Bình",
            "studentCode": code,
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        s.personal_id_number = pin.map(str::to_owned);
        s
    }

    #[test]
    fn a_pupil_is_one_pupil_whichever_number_a_row_gives() {
        let mut book = IdentityBook::new([("001215000001".to_owned(), "HS01".to_owned())]);
        assert_eq!(
            book.key_of(&student(Some("001215000001"), "HS01")).ok(),
            Some("001215000001".to_owned())
        );
        // Only the student code: the pupil stored under the personal identification number.
        assert_eq!(
            book.key_of(&student(None, "HS01")).ok(),
            Some("001215000001".to_owned())
        );
        // A new pupil without a number is keyed by the student code.
        assert_eq!(
            book.key_of(&student(None, "HS02")).ok(),
            Some("HS02".to_owned())
        );
    }

    #[test]
    fn disagreeing_numbers_are_refused_naming_both() {
        let mut book = IdentityBook::new([("001215000001".to_owned(), "HS01".to_owned())]);
        let refused = book
            .key_of(&student(Some("001215000001"), "HS99"))
            .unwrap_err();
        assert_eq!(refused.rule, "pupil-identity-mismatch");
        assert!(refused.message_vi.contains("001215000001") && refused.message_vi.contains("HS01"));
        assert!(refused.message_en.contains("HS99"));
        let refused = book
            .key_of(&student(Some("001215000002"), "HS01"))
            .unwrap_err();
        assert_eq!(refused.pointer, "/student/personalIdNumber");
        assert!(refused.message_en.contains("001215000001"));
        // Within one file: the second row is held to the first.
        let mut book = IdentityBook::default();
        assert!(book.key_of(&student(Some("001215000003"), "HS03")).is_ok());
        assert!(book.key_of(&student(Some("001215000003"), "HS04")).is_err());
    }
}
