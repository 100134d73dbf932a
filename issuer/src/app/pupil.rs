//! How a pupil is recognised across imports, years and entry points — one rule, written once
//! (documented in `schema/docs/record.md`, *Pupil identity*):
//!
//! * the **personal identification number** (mã định danh cá nhân, 12 digits) when the record
//!   has one: it is the national identity, the same in every school and every year;
//! * otherwise the **MOET student code** (mã học sinh), which the sector database keeps for
//!   the pupil across schools.
//!
//! The API (JSON, CSV, XLSX) and `hocba-issuer issue` key a pupil by this rule, so the same
//! pupil imported through any of them is one pupil.

use hocba_schema::record::Student;

/// The key a pupil is stored under within a school.
pub fn pupil_key(student: &Student) -> String {
    match student.personal_id_number.as_deref().map(str::trim) {
        Some(pin) if !pin.is_empty() => pin.to_owned(),
        _ => student.student_code.trim().to_owned(),
    }
}
