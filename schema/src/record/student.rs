//! The pupil's identity (thông tin học sinh), as on the first page of the học bạ and in the
//! national population database it must match.

use serde::{Deserialize, Serialize};
use time::Date;

use super::serde_util::present;

/// The pupil (học sinh).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Student {
    /// Họ và tên — full name, e.g. `Nguyễn Thị Minh Anh`.
    pub full_name: String,
    /// Ngày sinh — date of birth, `YYYY-MM-DD`.
    pub date_of_birth: String,
    /// Giới tính — gender.
    pub gender: Gender,
    /// Dân tộc — ethnicity, e.g. `Kinh`, `Tày`, `Mường`.
    pub ethnicity: String,
    /// Quốc tịch — nationality, e.g. `Việt Nam`.
    pub nationality: String,
    /// Nơi sinh — place of birth.
    pub place_of_birth: String,
    /// Nơi ở hiện nay — residence.
    pub residence: String,
    /// Quê quán — the family's home town as the birth registration gives it (optional).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub hometown: Option<String>,
    /// Mã định danh cá nhân — 12-digit personal identification number (absent only for pupils
    /// who have none, e.g. foreign nationals; validation warns when it is missing).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub personal_id_number: Option<String>,
    /// Mã học sinh — the pupil's code in the Ministry's education database.
    pub student_code: String,
    /// Họ và tên cha — father's full name.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub father_name: Option<String>,
    /// Nghề nghiệp của cha — father's occupation (optional).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub father_occupation: Option<String>,
    /// Họ và tên mẹ — mother's full name.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub mother_name: Option<String>,
    /// Nghề nghiệp của mẹ — mother's occupation (optional).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub mother_occupation: Option<String>,
    /// Họ và tên người giám hộ — guardian's full name. At least one of father, mother and
    /// guardian is required.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub guardian_name: Option<String>,
    /// Nghề nghiệp của người giám hộ — guardian's occupation (optional).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub guardian_occupation: Option<String>,
    /// Đối tượng — the policy group as the form prints it after "Đối tượng", e.g. `Con thương
    /// binh`, `Hộ nghèo`, `Dân tộc thiểu số ở vùng đặc biệt khó khăn`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub policy_group: Option<String>,
    /// Khuyết tật — disability note, where assessment of some subjects is exempted or adapted.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub disability_note: Option<String>,
    /// Số sổ đăng bộ — the pupil's number in the school's enrolment register (optional), e.g.
    /// `125/2021`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub registration_number: Option<String>,
}

impl Student {
    /// The date of birth, when it is a valid `YYYY-MM-DD` date.
    pub fn birth_date(&self) -> Option<Date> {
        parse_date(&self.date_of_birth)
    }
}

/// Giới tính — gender, as the population database records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Gender {
    /// `nam` — Nam (male).
    #[serde(rename = "nam")]
    Male,
    /// `nu` — Nữ (female).
    #[serde(rename = "nu")]
    Female,
}

impl Gender {
    /// `Nam` or `Nữ`.
    pub fn label_vi(self) -> &'static str {
        match self {
            Gender::Male => "Nam",
            Gender::Female => "Nữ",
        }
    }
}

/// Parse a strict `YYYY-MM-DD` calendar date (four-digit year, two-digit month and day).
pub fn parse_date(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    let year: i32 = text.get(0..4)?.parse().ok()?;
    let month: u8 = text.get(5..7)?.parse().ok()?;
    let day: u8 = text.get(8..10)?.parse().ok()?;
    let month = time::Month::try_from(month).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_strict() {
        assert!(parse_date("2015-02-28").is_some());
        assert!(parse_date("2016-02-29").is_some());
        assert!(parse_date("2015-02-29").is_none());
        assert!(parse_date("2015-2-28").is_none());
        assert!(parse_date("28/02/2015").is_none());
        assert!(parse_date("2015-13-01").is_none());
        assert!(parse_date("+2015-01-01").is_none());
        assert!(parse_date("2015-01-01T00:00").is_none());
        assert!(parse_date("２０１５-01-01").is_none());
    }
}
