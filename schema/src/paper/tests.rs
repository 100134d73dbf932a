//! The description itself: every subject of the catalogue gets its row, sections come in the
//! form's order, and every label has its English.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::*;
use crate::record::Subject;
use crate::rules::curriculum::subjects_for_grade;

const PRIMARY: &str = include_str!("../../examples/primary-grade5.json");
const SECONDARY: &str = include_str!("../../examples/secondary-grade11.json");

/// The example of the grade's level, moved to `grade`, with every subject the grade allows.
fn record_with_every_subject(grade: u8) -> (YearRecord, Vec<String>) {
    let (example, block) = if grade <= 5 {
        (PRIMARY, "primary")
    } else {
        (SECONDARY, "secondary")
    };
    let mut v: Value = serde_json::from_str(example).unwrap();
    let names: Vec<String> = subjects_for_grade(grade)
        .iter()
        .map(|r| format!("{} ({})", r.subject.name_vi(), r.subject.code()))
        .collect();
    let subjects: Vec<Value> = subjects_for_grade(grade)
        .iter()
        .zip(&names)
        .map(|(r, name)| json!({"code": r.subject.code(), "name": name}))
        .collect();
    v["grade"] = json!(grade);
    v[block]["subjects"] = Value::Array(subjects);
    (serde_json::from_value(v).unwrap(), names)
}

fn subjects_table(paper: &Paper) -> &Table {
    paper
        .sections
        .iter()
        .flat_map(|s| &s.blocks)
        .find_map(|b| match b {
            Block::Table(t) if t.key == "subjects" => Some(t),
            _ => None,
        })
        .expect("a subjects table")
}

#[test]
fn every_subject_of_the_catalogue_has_a_row_in_the_order_of_the_form() {
    let mut seen = BTreeSet::new();
    for grade in 1..=12u8 {
        let (record, names) = record_with_every_subject(grade);
        let paper = describe(&record);
        let table = subjects_table(&paper);
        let heads: Vec<&str> = table.rows.iter().map(|r| r.head.vi.as_str()).collect();
        assert_eq!(heads, names, "grade {grade}");
        for row in &table.rows {
            assert_eq!(row.cells.len() + 1, table.columns.len(), "grade {grade}");
        }
        seen.extend(subjects_for_grade(grade).iter().map(|r| r.subject));
    }
    let all: BTreeSet<Subject> = Subject::ALL.into_iter().collect();
    assert_eq!(
        seen, all,
        "a subject of the catalogue is in no grade's table"
    );
}

#[test]
fn sections_follow_the_form_of_each_level() {
    let titles = |json: &str| -> Vec<&'static str> {
        let record: YearRecord = serde_json::from_str(json).unwrap();
        describe(&record)
            .sections
            .iter()
            .filter_map(|s| s.title.map(|t| t.vi))
            .collect()
    };
    assert_eq!(
        titles(PRIMARY),
        [
            "1. Các môn học và hoạt động giáo dục",
            "2. Những phẩm chất chủ yếu và năng lực cốt lõi",
            "3. Kết quả giáo dục cả năm",
            "Nhận xét của giáo viên chủ nhiệm",
        ]
    );
    assert_eq!(
        titles(SECONDARY),
        [
            "1. Kết quả học tập các môn học và hoạt động giáo dục",
            "2. Kết quả học tập và rèn luyện",
            "3. Quyết định cuối năm",
            "Nhận xét của giáo viên chủ nhiệm",
        ]
    );
}

#[test]
fn every_label_has_its_english_and_values_keep_the_vietnamese() {
    for json in [PRIMARY, SECONDARY] {
        let record: YearRecord = serde_json::from_str(json).unwrap();
        let paper = describe(&record);
        let mut labels: Vec<Label> = paper.pupil.iter().map(|f| f.label).collect();
        for section in &paper.sections {
            labels.extend(section.title);
            for block in &section.blocks {
                match block {
                    Block::Fields { fields, .. } => labels.extend(fields.iter().map(|f| f.label)),
                    Block::Table(t) => labels.extend(t.columns.iter().map(|c| c.label)),
                    Block::Beside(ts) => {
                        labels.extend(ts.iter().flat_map(|t| t.columns.iter().map(|c| c.label)))
                    }
                    Block::Legend(l) => labels.push(*l),
                    Block::Paragraph { .. } => {}
                }
            }
        }
        for l in labels {
            assert_eq!(l.vi.is_empty(), l.en.is_empty(), "{l:?}");
        }
        // A coded value: the Vietnamese as printed, the English glossed after it.
        let promotion = paper
            .sections
            .iter()
            .flat_map(|s| &s.blocks)
            .find_map(|b| match b {
                Block::Fields { fields, .. } => fields.iter().find(|f| f.key == Some("promotion")),
                _ => None,
            })
            .unwrap();
        assert_eq!(promotion.value.vi, "Được lên lớp");
        assert_eq!(
            promotion.value.en,
            "Được lên lớp (promoted to the next grade)"
        );
    }
}

#[test]
fn labels_come_in_page_order() {
    let record: YearRecord = serde_json::from_str(SECONDARY).unwrap();
    let labels = describe(&record).labels_vi();
    let at = |l: &str| labels.iter().position(|x| x == l).unwrap();
    assert_eq!(at("Họ và tên học sinh"), 0);
    assert!(at("Trường") < at("1. Kết quả học tập các môn học và hoạt động giáo dục"));
    assert!(at("Toán") < at("Kết quả rèn luyện"));
    assert!(at("Quyết định") < at("Số buổi nghỉ học"));
    assert_eq!(
        labels.last().map(String::as_str),
        Some("Nhận xét của giáo viên chủ nhiệm")
    );
}

#[test]
fn every_decision_is_worded_as_the_paper_words_it() {
    use crate::qr::Decision::{AfterSummer, YearEnd};
    use crate::record::{Promotion, SummerDecision};
    for (decision, vi) in [
        (YearEnd(Promotion::Promoted), "Được lên lớp"),
        (YearEnd(Promotion::Retained), "Không được lên lớp"),
        (
            YearEnd(Promotion::CompletedGrade),
            "Hoàn thành chương trình lớp học",
        ),
        (
            YearEnd(Promotion::CompletedUpperSecondary),
            "Hoàn thành chương trình trung học phổ thông",
        ),
        (
            YearEnd(Promotion::Retest),
            "Kiểm tra lại (chưa phải quyết định cuối cùng: chờ kết quả sau hè)",
        ),
        (
            AfterSummer(SummerDecision::Promoted),
            "Được lên lớp sau kiểm tra lại / rèn luyện trong hè",
        ),
        (
            AfterSummer(SummerDecision::NotPromoted),
            "Không được lên lớp",
        ),
    ] {
        assert_eq!(words::decision(decision).vi, vi, "{decision:?}");
    }
    assert_eq!(words::DECISION.vi, "Quyết định");
}

#[test]
fn competencies_are_the_forms_two_groups_beside_the_qualities() {
    let beside = |json: &str| -> Vec<(&'static str, &'static str, usize)> {
        let record: YearRecord = serde_json::from_str(json).unwrap();
        let paper = describe(&record);
        let tables = paper
            .sections
            .iter()
            .flat_map(|s| &s.blocks)
            .find_map(|b| match b {
                Block::Beside(ts) => Some(ts.clone()),
                _ => None,
            })
            .expect("tables side by side");
        tables
            .iter()
            .map(|t| (t.key, t.columns[0].label.vi, t.rows.len()))
            .collect()
    };
    assert_eq!(
        beside(PRIMARY),
        [
            ("qualities", "Phẩm chất", 5),
            ("general-competencies", "Năng lực chung", 3),
            ("specific-competencies", "Năng lực đặc thù", 7),
        ]
    );
    // Grades 1–2 list five specific competencies (no Công nghệ, no Tin học).
    let grade2 = include_str!("../../examples/primary-grade2.json");
    assert_eq!(
        beside(grade2)[2],
        ("specific-competencies", "Năng lực đặc thù", 5)
    );
    let record: YearRecord = serde_json::from_str(PRIMARY).unwrap();
    let heads: Vec<String> = describe(&record).labels_vi();
    let at = |l: &str| heads.iter().position(|x| x == l).unwrap();
    assert!(at("Giải quyết vấn đề và sáng tạo") < at("Năng lực đặc thù"));
    assert!(at("Năng lực đặc thù") < at("Ngôn ngữ"));
}
