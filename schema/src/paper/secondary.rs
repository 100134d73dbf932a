//! The sections of a secondary page (grades 6–12, Circular 22/2021/TT-BGDĐT): subject averages
//! or ratings per semester and for the year, learning and conduct results, and the year-end
//! decisions.

use crate::record::{RatingScale, SecondaryYear, Term, TermRatings};

use super::primary::COMMENT;
use super::{
    Block, Column, EXEMPT, Label, Row, Section, TEACHER, Table, Text, awards_field,
    certificates_field, completion_field, promotion_field, words,
};

/// The subjects table of the secondary form.
const SUBJECT_COLUMNS: [Column; 4] = [
    Column::text("Môn học / HĐGD", "Subject / activity", Some(130.0)),
    Column::centered("HK I", "Sem. I", Some(44.0)),
    Column::centered("HK II", "Sem. II", Some(44.0)),
    Column::centered("Cả năm", "Year", Some(44.0)),
];

/// The learning and conduct table.
const RESULT_COLUMNS: [Column; 4] = [
    Column::text("", "", Some(150.0)),
    Column::centered("Học kì I", "Semester I", None),
    Column::centered("Học kì II", "Semester II", None),
    Column::centered("Cả năm", "Year", None),
];

pub(super) fn sections(s: &SecondaryYear, grade: u8) -> Vec<Section> {
    let with_teachers = s.subjects.iter().any(|x| x.teacher.is_some());
    let rows = s
        .subjects
        .iter()
        .map(|sub| {
            let cell = |term: Term| {
                if sub.exempt {
                    Text::label(EXEMPT)
                } else {
                    Text::same(&sub.printed(term).unwrap_or_default())
                }
            };
            Row {
                head: Text::same(&sub.name),
                cells: Term::ALL
                    .into_iter()
                    .map(cell)
                    .chain(
                        with_teachers
                            .then(|| Text::same(sub.teacher.as_deref().unwrap_or_default())),
                    )
                    .collect(),
                comment: sub.comment.clone(),
            }
        })
        .collect();
    let subjects = Table {
        key: "subjects",
        columns: if with_teachers {
            let mut c = SUBJECT_COLUMNS.to_vec();
            c.push(TEACHER);
            c
        } else {
            SUBJECT_COLUMNS.to_vec()
        },
        comment: Some(COMMENT),
        rows,
    };
    let legend = Label::new(
        "Điểm trung bình môn học kì và cả năm; môn đánh giá bằng nhận xét: Đ Đạt, CĐ Chưa đạt.",
        "Subject averages (out of 10) per semester and for the year; subjects assessed by comment: Đ passed, CĐ not passed.",
    );

    let result_row = |head: Label, ratings: &TermRatings| Row {
        head: Text::label(head),
        cells: Term::ALL
            .into_iter()
            .map(|t| words::rating(RatingScale::SecondaryResult, ratings.get(t)))
            .collect(),
        comment: None,
    };
    let results = Table {
        key: "learning-conduct",
        columns: RESULT_COLUMNS.to_vec(),
        comment: None,
        rows: vec![
            result_row(
                Label::new("Kết quả học tập", "Learning result"),
                &s.learning_result,
            ),
            result_row(
                Label::new("Kết quả rèn luyện", "Conduct result"),
                &s.conduct_result,
            ),
        ],
    };

    let mut decisions = vec![
        promotion_field(s.promotion),
        awards_field(s.award, &s.other_awards),
    ];
    decisions.extend(completion_field(
        grade,
        s.completed_lower_secondary_programme,
    ));
    decisions.extend(certificates_field(&s.certificates));

    vec![
        Section::titled(
            "1. Kết quả học tập các môn học và hoạt động giáo dục",
            "1. Results in subjects and educational activities",
            vec![Block::Table(subjects), Block::Legend(legend)],
        ),
        Section::titled(
            "2. Kết quả học tập và rèn luyện",
            "2. Learning and conduct results",
            vec![Block::Table(results)],
        ),
        Section::decisions("3. Quyết định cuối năm", "3. Year-end decisions", decisions),
    ]
}
