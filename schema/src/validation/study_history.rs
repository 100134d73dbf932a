//! Checks of the Quá trình học tập table (issue #12, item 6): the table is the pupil's schooling
//! up to the year of the record, so each row is tied to that year and class.
//!
//! * Each row's school year is `YYYY-YYYY`; a transfer date (`leftOn`) falls in its row's year
//!   (`school-year-format`, `date-format`).
//! * Rows run oldest first and none is later than the record's year. Two rows of the same
//!   year are a transfer during that year: the first names the date the pupil left, the two
//!   schools differ and the dates run in order; any other repeated year is an overlap
//!   (`study-history-order`).
//! * The last row of the record's year is the record's own class at the record's school; a
//!   table without a row for the record's year is incomplete (`study-history-current-year`).
//!   The school matches when the row's school name contains the record's school name (the row
//!   may add the commune and province), ignoring case.
//!
//! Every message names the row as the form numbers it (dòng 1 is the first) and its year.

use super::Rule;
use super::checks::{Checks, json};
use super::form::MAX_STUDY_HISTORY;
use crate::record::{StudyPeriod, YearRecord, parse_date, parse_school_year};

/// Check the Quá trình học tập table of `record`.
pub(crate) fn check_study_history(record: &YearRecord, checks: &mut Checks<'_>) {
    let rows = &record.study_history;
    if rows.len() > MAX_STUDY_HISTORY {
        checks.add(
            "/studyHistory",
            Rule::ListTooLong,
            json(&rows.len()),
            &format!(
                "có {} dòng quá trình học tập, nhiều hơn giới hạn {MAX_STUDY_HISTORY}",
                rows.len()
            ),
            &format!(
                "{} schooling rows, more than the limit of {MAX_STUDY_HISTORY}",
                rows.len()
            ),
        );
        return;
    }
    let starts: Vec<Option<i32>> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| row_start(i, r, checks))
        .collect();
    let record_start = parse_school_year(&record.school_year);
    for (i, row) in rows.iter().enumerate() {
        let Some(start) = starts[i] else { continue };
        check_left_on(i, row, start, checks);
        if let Some(year) = record_start
            && start > year
        {
            checks.add(
                format!("/studyHistory/{i}/schoolYear"),
                Rule::StudyHistoryOrder,
                json(&row.school_year),
                &format!(
                    "dòng {} của bảng quá trình học tập ghi năm học {}, sau năm học của học bạ ({})",
                    i + 1,
                    row.school_year,
                    record.school_year
                ),
                &format!(
                    "schooling row {} is the school year {}, after the record's year ({})",
                    i + 1,
                    row.school_year,
                    record.school_year
                ),
            );
        }
        if i > 0
            && let Some(before) = starts[i - 1]
        {
            check_pair(i, &rows[i - 1], row, before, start, checks);
        }
    }
    if let Some(year) = record_start
        && !rows.is_empty()
    {
        check_current_year(record, year, &starts, checks);
    }
}

/// The first calendar year of a row's school year, reporting a malformed one.
fn row_start(i: usize, row: &StudyPeriod, checks: &mut Checks<'_>) -> Option<i32> {
    let start = parse_school_year(&row.school_year);
    if start.is_none() {
        checks.add(
            format!("/studyHistory/{i}/schoolYear"),
            Rule::SchoolYearFormat,
            json(&row.school_year),
            &format!(
                "dòng {} của bảng quá trình học tập: năm học viết dạng YYYY-YYYY với hai năm liền nhau, ví dụ 2024-2025",
                i + 1
            ),
            &format!(
                "schooling row {}: a school year is YYYY-YYYY with consecutive years, e.g. 2024-2025",
                i + 1
            ),
        );
    }
    start
}

/// A transfer date is a date in its row's school year.
fn check_left_on(i: usize, row: &StudyPeriod, start: i32, checks: &mut Checks<'_>) {
    let Some(left) = &row.left_on else { return };
    let pointer = format!("/studyHistory/{i}/leftOn");
    match parse_date(left) {
        None => checks.add(
            pointer,
            Rule::DateFormat,
            json(left),
            &format!(
                "dòng {} của bảng quá trình học tập: ngày chuyển đi viết dạng YYYY-MM-DD, ví dụ 2025-01-15",
                i + 1
            ),
            &format!(
                "schooling row {}: the date the pupil left is YYYY-MM-DD, e.g. 2025-01-15",
                i + 1
            ),
        ),
        Some(date) if date.year() != start && date.year() != start + 1 => checks.add(
            pointer,
            Rule::DateFormat,
            json(left),
            &format!(
                "dòng {}: ngày chuyển đi phải nằm trong năm học {} (năm {start} hoặc {})",
                i + 1,
                row.school_year,
                start + 1
            ),
            &format!(
                "schooling row {}: the date the pupil left must fall in the school year {} ({start} or {})",
                i + 1,
                row.school_year,
                start + 1
            ),
        ),
        Some(_) => {}
    }
}

/// Row `i` after row `i - 1`: a later year, or the same year as a transfer.
fn check_pair(
    i: usize,
    before: &StudyPeriod,
    row: &StudyPeriod,
    before_start: i32,
    start: i32,
    checks: &mut Checks<'_>,
) {
    let (n, prev) = (i + 1, i);
    let mut order = |field: &str, vi: String, en: String| {
        checks.add(
            format!("/studyHistory/{i}/{field}"),
            Rule::StudyHistoryOrder,
            json(&row.school_year),
            &vi,
            &en,
        );
    };
    if start < before_start {
        order(
            "schoolYear",
            format!(
                "dòng {n} (năm học {}) đứng sau dòng {prev} (năm học {}): các năm học phải theo thứ tự từ cũ đến mới",
                row.school_year, before.school_year
            ),
            format!(
                "schooling row {n} ({}) comes after row {prev} ({}): the years run oldest first",
                row.school_year, before.school_year
            ),
        );
        return;
    }
    if start > before_start {
        return;
    }
    // The same year twice: only a transfer during the year.
    let Some(left) = &before.left_on else {
        order(
            "schoolYear",
            format!(
                "dòng {n} trùng năm học {} với dòng {prev}: hai dòng cùng một năm học chỉ khi học sinh chuyển trường trong năm, và dòng {prev} phải ghi ngày chuyển đi",
                row.school_year
            ),
            format!(
                "schooling row {n} repeats the school year {} of row {prev}: two rows of one year are a transfer during the year, and row {prev} must give the date the pupil left",
                row.school_year
            ),
        );
        return;
    };
    if same_school(&before.school_name, &row.school_name) {
        order(
            "schoolName",
            format!(
                "dòng {n} và dòng {prev} cùng năm học {} và cùng trường: một lần chuyển trường trong năm là sang trường khác",
                row.school_year
            ),
            format!(
                "schooling rows {prev} and {n} are the same year {} and the same school: a transfer during the year is to another school",
                row.school_year
            ),
        );
    }
    if let (Some(a), Some(b)) = (
        parse_date(left),
        row.left_on.as_deref().and_then(parse_date),
    ) && b <= a
    {
        order(
            "leftOn",
            format!(
                "dòng {n}: ngày chuyển đi {} không sau ngày chuyển đi của dòng {prev} ({left})",
                row.left_on.as_deref().unwrap_or_default()
            ),
            format!(
                "schooling row {n}: the date the pupil left, {}, is not after row {prev}'s ({left})",
                row.left_on.as_deref().unwrap_or_default()
            ),
        );
    }
}

/// The last row of the record's year is the record's class at the record's school.
fn check_current_year(
    record: &YearRecord,
    year: i32,
    starts: &[Option<i32>],
    checks: &mut Checks<'_>,
) {
    let Some(i) = starts.iter().rposition(|s| *s == Some(year)) else {
        if starts.iter().all(Option::is_some) {
            checks.add(
                "/studyHistory",
                Rule::StudyHistoryCurrentYear,
                json(&record.school_year),
                &format!(
                    "bảng quá trình học tập không có dòng của năm học {}, năm học của học bạ (lớp {})",
                    record.school_year, record.class_name
                ),
                &format!(
                    "the schooling table has no row for {}, the record's school year (class {})",
                    record.school_year, record.class_name
                ),
            );
        }
        return;
    };
    let row = &record.study_history[i];
    let n = i + 1;
    if !row
        .class_name
        .trim()
        .eq_ignore_ascii_case(record.class_name.trim())
    {
        checks.add(
            format!("/studyHistory/{i}/className"),
            Rule::StudyHistoryCurrentYear,
            json(&row.class_name),
            &format!(
                "dòng {n} (năm học {}) ghi lớp {}, nhưng học bạ là của lớp {}",
                row.school_year, row.class_name, record.class_name
            ),
            &format!(
                "schooling row {n} ({}) gives class {}, but the record is of class {}",
                row.school_year, row.class_name, record.class_name
            ),
        );
    }
    if !contains_school(&row.school_name, &record.school.name) {
        checks.add(
            format!("/studyHistory/{i}/schoolName"),
            Rule::StudyHistoryCurrentYear,
            json(&row.school_name),
            &format!(
                "dòng {n} (năm học {}) ghi trường “{}”, nhưng học bạ do {} lập",
                row.school_year, row.school_name, record.school.name
            ),
            &format!(
                "schooling row {n} ({}) names the school “{}”, but the record is issued by {}",
                row.school_year, row.school_name, record.school.name
            ),
        );
    }
}

/// Whether two rows name the same school (ignoring case and surrounding spaces).
fn same_school(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Whether a row's school name names `school` (it may add the commune and province).
fn contains_school(row: &str, school: &str) -> bool {
    row.to_lowercase().contains(&school.trim().to_lowercase())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::validation::validate;

    fn grade5() -> YearRecord {
        let bytes = include_bytes!("../../examples/primary-grade5-every-field-of-the-form.json");
        serde_json::from_slice(bytes).unwrap()
    }

    fn problems(r: &YearRecord) -> Vec<(String, Rule, String)> {
        validate(r)
            .problems
            .iter()
            .filter(|p| p.pointer.starts_with("/studyHistory"))
            .map(|p| (p.pointer.clone(), p.rule, p.message_vi.clone()))
            .collect()
    }

    #[test]
    fn the_example_table_with_a_transfer_is_valid() {
        assert_eq!(problems(&grade5()), vec![]);
    }

    #[test]
    fn a_year_twice_without_a_transfer_is_an_overlap_naming_the_row() {
        let mut r = grade5();
        r.study_history[1].left_on = None;
        let p = problems(&r);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].0, "/studyHistory/2/schoolYear");
        assert_eq!(p[0].1, Rule::StudyHistoryOrder);
        assert!(
            p[0].2.contains("dòng 3") && p[0].2.contains("2022-2023"),
            "{p:?}"
        );
    }

    #[test]
    fn a_transfer_to_the_same_school_is_not_a_transfer() {
        let mut r = grade5();
        r.study_history[1].school_name = r.study_history[2].school_name.clone();
        let p = problems(&r);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(
            (p[0].0.as_str(), p[0].1),
            ("/studyHistory/2/schoolName", Rule::StudyHistoryOrder)
        );
    }

    #[test]
    fn years_out_of_order_or_after_the_record_are_errors() {
        let mut r = grade5();
        r.study_history.swap(3, 4);
        let p = problems(&r);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(
            (p[0].0.as_str(), p[0].1),
            ("/studyHistory/4/schoolYear", Rule::StudyHistoryOrder)
        );
        assert!(p[0].2.contains("dòng 5") && p[0].2.contains("thứ tự"));

        let mut r = grade5();
        let mut later = r.study_history[5].clone();
        later.school_year = "2026-2027".into();
        later.class_name = "6A".into();
        r.study_history.push(later);
        let p = problems(&r);
        assert!(
            p.iter()
                .any(|(at, rule, msg)| at == "/studyHistory/6/schoolYear"
                    && *rule == Rule::StudyHistoryOrder
                    && msg.contains("sau năm học của học bạ")),
            "{p:?}"
        );
    }

    #[test]
    fn the_current_year_row_is_the_record_class_at_the_record_school() {
        let mut r = grade5();
        r.study_history[5].class_name = "5B".into();
        r.study_history[5].school_name = "Trường Tiểu học Cao Phong".into();
        let p = problems(&r);
        assert_eq!(
            p.iter()
                .map(|(at, rule, _)| (at.as_str(), *rule))
                .collect::<Vec<_>>(),
            vec![
                ("/studyHistory/5/className", Rule::StudyHistoryCurrentYear),
                ("/studyHistory/5/schoolName", Rule::StudyHistoryCurrentYear),
            ]
        );
        assert!(p[0].2.contains("dòng 6") && p[0].2.contains("5B") && p[0].2.contains("5A"));

        let mut r = grade5();
        r.study_history.pop();
        let p = problems(&r);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(
            (p[0].0.as_str(), p[0].1),
            ("/studyHistory", Rule::StudyHistoryCurrentYear)
        );
        assert!(p[0].2.contains("2025-2026"));
    }

    #[test]
    fn a_school_name_with_its_place_and_other_case_matches() {
        let mut r = grade5();
        r.study_history[5].school_name = "trường tiểu học hoa ban, xã Mường Thanh".into();
        r.study_history[5].class_name = "5a".into();
        assert_eq!(problems(&r), vec![]);
    }
}
