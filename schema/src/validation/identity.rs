//! Checks of who and when: the pupil's identity (dates, personal identification number, codes,
//! parents), the school, the school year, grade and class, and which results block the grade
//! needs.

use serde_json::Value;
use time::{Date, Month};

use super::Rule;
use super::checks::{Checks, is_blank, json};
use crate::record::{RECORD_TYPE, SchoolLevel, YearRecord, parse_date};
use crate::rules::age::{AgeFit, age_fit, usual_age};
use crate::rules::personal_id::{self, Mismatch};

/// Most characters in a student, school or Department code.
pub const CODE_MAX_CHARS: usize = 32;

/// Check the parts of `record` that are not level-specific.
pub(crate) fn check_identity(record: &YearRecord, checks: &mut Checks<'_>) {
    check_record_type(record, checks);
    check_student(record, checks);
    check_school(record, checks);
    check_year_and_class(record, checks);
    check_level_blocks(record, checks);
}

fn check_record_type(record: &YearRecord, checks: &mut Checks<'_>) {
    if let Some(kind) = &record.record_type
        && kind != RECORD_TYPE
    {
        checks.add(
            "/type",
            Rule::RecordType,
            json(kind),
            &format!("nếu có, trường này phải là \"{RECORD_TYPE}\""),
            &format!("when present, this field must be \"{RECORD_TYPE}\""),
        );
    }
}

fn check_student(record: &YearRecord, checks: &mut Checks<'_>) {
    let student = &record.student;
    let birth = if is_blank(&student.date_of_birth) {
        None
    } else {
        let birth = student.birth_date();
        if birth.is_none() {
            checks.add(
                "/student/dateOfBirth",
                Rule::DateFormat,
                json(&student.date_of_birth),
                "ngày phải có dạng YYYY-MM-DD và là một ngày có thật",
                "a date must be written YYYY-MM-DD and exist in the calendar",
            );
        }
        birth
    };
    if let (Some(birth), Some(start), true) = (
        birth,
        record.school_year_start(),
        (1..=12).contains(&record.grade),
    ) {
        check_age(birth, start, record.grade, &student.date_of_birth, checks);
    }

    match &student.personal_id_number {
        None => checks.add(
            "/student/personalIdNumber",
            Rule::PersonalIdMissing,
            Value::Null,
            "bản ghi không có mã định danh cá nhân nên không đối chiếu được với Cơ sở dữ liệu quốc gia về dân cư; hãy bổ sung nếu học sinh có mã",
            "the record has no personal identification number, so it cannot be matched with the national population database; add it if the pupil has one",
        ),
        Some(number) if is_blank(number) => {}
        Some(number) if !personal_id::is_well_formed(number) => checks.add(
            "/student/personalIdNumber",
            Rule::PersonalIdFormat,
            json(number),
            "mã định danh cá nhân phải gồm đúng 12 chữ số",
            "a personal identification number is exactly 12 digits",
        ),
        Some(number) => {
            if let Some(birth) = birth {
                for mismatch in personal_id::check(number, birth, student.gender) {
                    report_id_mismatch(number, &mismatch, checks);
                }
            }
        }
    }

    check_code(
        "/student/studentCode",
        &student.student_code,
        "mã học sinh",
        "student code",
        checks,
    );

    let named = [
        &student.father_name,
        &student.mother_name,
        &student.guardian_name,
    ]
    .iter()
    .any(|n| n.is_some());
    if !named {
        checks.add(
            "/student",
            Rule::ParentOrGuardianMissing,
            Value::Null,
            "phải ghi họ tên ít nhất một trong: cha (fatherName), mẹ (motherName), người giám hộ (guardianName)",
            "at least one of father (fatherName), mother (motherName) or guardian (guardianName) must be named",
        );
    }
}

fn check_age(birth: Date, start: i32, grade: u8, written: &str, checks: &mut Checks<'_>) {
    let usual_year = start - usual_age(grade);
    match age_fit(birth.year(), start, grade) {
        AgeFit::Usual => {}
        AgeFit::Unusual { offset } => checks.add(
            "/student/dateOfBirth",
            Rule::DateOfBirthUnusual,
            json(written),
            &format!(
                "học sinh lớp {grade} năm học {start}-{} thường sinh năm {usual_year}; học sinh này {} {} tuổi so với thông thường, hãy kiểm tra lại (học muộn, lưu ban, học vượt là có thể)",
                start + 1,
                if offset > 0 { "lớn hơn" } else { "nhỏ hơn" },
                offset.abs()
            ),
            &format!(
                "a grade {grade} pupil in {start}-{} is usually born in {usual_year}; this pupil is {} years {} than usual, please confirm (late entry, repeated or skipped grades are possible)",
                start + 1,
                offset.abs(),
                if offset > 0 { "older" } else { "younger" }
            ),
        ),
        AgeFit::Implausible { offset } => checks.add(
            "/student/dateOfBirth",
            Rule::DateOfBirthImplausible,
            json(written),
            &format!(
                "học sinh lớp {grade} năm học {start}-{} thường sinh năm {usual_year}; chênh {} năm là không thể, có lẽ năm sinh bị gõ sai",
                start + 1,
                offset.abs()
            ),
            &format!(
                "a grade {grade} pupil in {start}-{} is usually born in {usual_year}; {} years away is not possible, the year is probably mistyped",
                start + 1,
                offset.abs()
            ),
        ),
    }
}

fn report_id_mismatch(number: &str, mismatch: &Mismatch, checks: &mut Checks<'_>) {
    let pointer = "/student/personalIdNumber";
    match mismatch {
        Mismatch::UnknownProvince { code } => checks.add(
            pointer,
            Rule::PersonalIdProvince,
            json(number),
            &format!("ba chữ số đầu {code} không phải mã tỉnh nơi đăng ký khai sinh; hãy đối chiếu với Cơ sở dữ liệu quốc gia về dân cư"),
            &format!("the first three digits {code} are not a province code of birth registration; check against the national population database"),
        ),
        Mismatch::GenderCentury { found, expected } => checks.add_mismatch(
            pointer,
            Rule::PersonalIdGenderCentury,
            json(number),
            json(&expected.to_string()),
            &format!("chữ số thứ 4 là {found} nhưng giới tính và năm sinh của học sinh cho chữ số {expected}; hãy đối chiếu với Cơ sở dữ liệu quốc gia về dân cư"),
            &format!("digit 4 is {found} but the pupil's gender and year of birth call for {expected}; check against the national population database"),
        ),
        Mismatch::BirthYear { found, expected } => checks.add_mismatch(
            pointer,
            Rule::PersonalIdBirthYear,
            json(number),
            json(expected),
            &format!("chữ số thứ 5–6 là {found} nhưng năm sinh kết thúc bằng {expected}; hãy đối chiếu với Cơ sở dữ liệu quốc gia về dân cư"),
            &format!("digits 5–6 are {found} but the year of birth ends in {expected}; check against the national population database"),
        ),
    }
}

/// A code of ASCII letters and digits, at most [`CODE_MAX_CHARS`] long.
pub(crate) fn is_code(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= CODE_MAX_CHARS
        && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn check_code(pointer: &str, code: &str, name_vi: &str, name_en: &str, checks: &mut Checks<'_>) {
    if !is_blank(code) && !is_code(code) {
        checks.add(
            pointer,
            Rule::CodeFormat,
            json(code),
            &format!(
                "{name_vi} chỉ gồm chữ cái Latin không dấu và chữ số, tối đa {CODE_MAX_CHARS} ký tự"
            ),
            &format!(
                "a {name_en} has only ASCII letters and digits, at most {CODE_MAX_CHARS} of them"
            ),
        );
    }
}

fn check_school(record: &YearRecord, checks: &mut Checks<'_>) {
    let school = &record.school;
    check_code(
        "/school/code",
        &school.code,
        "mã trường",
        "school code",
        checks,
    );
    check_code(
        "/school/departmentCode",
        &school.department_code,
        "mã Sở GD&ĐT",
        "Department code",
        checks,
    );
    if school.levels.is_empty() {
        checks.add(
            "/school/levels",
            Rule::SchoolLevels,
            json(&school.levels),
            "phải ghi ít nhất một cấp học của trường (tieu_hoc, thcs, thpt)",
            "the school must list at least one level (tieu_hoc, thcs, thpt)",
        );
    }
    for (i, level) in school.levels.iter().enumerate() {
        if school.levels[..i].contains(level) {
            checks.add(
                format!("/school/levels/{i}"),
                Rule::SchoolLevels,
                json(level),
                "cấp học này đã được ghi ở trên",
                "this level is already listed",
            );
        }
    }
}

fn check_year_and_class(record: &YearRecord, checks: &mut Checks<'_>) {
    let start = record.school_year_start();
    if start.is_none() && !is_blank(&record.school_year) {
        checks.add(
            "/schoolYear",
            Rule::SchoolYearFormat,
            json(&record.school_year),
            "năm học phải có dạng YYYY-YYYY với hai năm liên tiếp, ví dụ 2025-2026",
            "a school year is written YYYY-YYYY with consecutive years, e.g. 2025-2026",
        );
    }
    let grade = record.grade;
    match SchoolLevel::of_grade(grade) {
        None => checks.add(
            "/grade",
            Rule::GradeRange,
            json(&grade),
            "khối lớp phải từ 1 đến 12",
            "the grade must be from 1 to 12",
        ),
        Some(level) => {
            if !record.school.levels.is_empty() && !record.school.levels.contains(&level) {
                let levels = &record.school.levels;
                let taught_vi: Vec<&str> = levels.iter().map(|l| l.label_vi()).collect();
                let taught_en: Vec<&str> = levels.iter().map(|l| l.label_en()).collect();
                checks.add(
                    "/grade",
                    Rule::GradeNotInSchoolLevel,
                    json(&grade),
                    &format!(
                        "lớp {grade} thuộc cấp {}, nhưng trường chỉ dạy cấp {}",
                        level.label_vi(),
                        taught_vi.join(", ")
                    ),
                    &format!(
                        "grade {grade} is {}, but the school teaches only {}",
                        level.label_en(),
                        taught_en.join(", ")
                    ),
                );
            }
            check_class_name(record, checks);
        }
    }
    if let Some(date) = &record.approval_date {
        if is_blank(date) {
            return;
        }
        match parse_date(date) {
            None => checks.add(
                "/approvalDate",
                Rule::DateFormat,
                json(date),
                "ngày phải có dạng YYYY-MM-DD và là một ngày có thật",
                "a date must be written YYYY-MM-DD and exist in the calendar",
            ),
            Some(approved) => {
                let opening =
                    start.and_then(|y| Date::from_calendar_date(y, Month::August, 1).ok());
                if let Some(opening) = opening
                    && approved < opening
                {
                    checks.add(
                        "/approvalDate",
                        Rule::ApprovalDateBeforeSchoolYear,
                        json(date),
                        &format!(
                            "ngày xác nhận không thể trước khi năm học {} bắt đầu ({opening})",
                            record.school_year
                        ),
                        &format!(
                            "the approval cannot be dated before the school year {} began ({opening})",
                            record.school_year
                        ),
                    );
                }
            }
        }
    }
}

/// A class name that starts with a number should start with the grade (`5A`, `11A2`).
fn check_class_name(record: &YearRecord, checks: &mut Checks<'_>) {
    let digits: String = record
        .class_name
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    if digits.is_empty() {
        return;
    }
    if digits.parse::<u32>().ok() != Some(u32::from(record.grade)) {
        checks.add(
            "/className",
            Rule::ClassNameGrade,
            json(&record.class_name),
            &format!(
                "tên lớp bắt đầu bằng {digits} nhưng bản ghi là của khối lớp {}",
                record.grade
            ),
            &format!(
                "the class name starts with {digits} but the record is for grade {}",
                record.grade
            ),
        );
    }
}

fn check_level_blocks(record: &YearRecord, checks: &mut Checks<'_>) {
    let Some(level) = record.level() else {
        return;
    };
    let (needed, needed_ptr, other, other_ptr) = if level == SchoolLevel::Primary {
        (
            record.primary.is_some(),
            "/primary",
            record.secondary.is_some(),
            "/secondary",
        )
    } else {
        (
            record.secondary.is_some(),
            "/secondary",
            record.primary.is_some(),
            "/primary",
        )
    };
    if !needed {
        checks.add(
            needed_ptr,
            Rule::LevelResultsMissing,
            Value::Null,
            &format!(
                "lớp {} thuộc cấp {} nên bản ghi phải có khối kết quả `{}`",
                record.grade,
                level.label_vi(),
                &needed_ptr[1..]
            ),
            &format!(
                "grade {} is {} so the record needs the `{}` results block",
                record.grade,
                level.label_en(),
                &needed_ptr[1..]
            ),
        );
    }
    if other {
        checks.add(
            other_ptr,
            Rule::LevelResultsMismatch,
            Value::Null,
            &format!(
                "lớp {} thuộc cấp {} nên bản ghi không được có khối kết quả `{}`",
                record.grade,
                level.label_vi(),
                &other_ptr[1..]
            ),
            &format!(
                "grade {} is {} so the record must not have the `{}` results block",
                record.grade,
                level.label_en(),
                &other_ptr[1..]
            ),
        );
    }
}
