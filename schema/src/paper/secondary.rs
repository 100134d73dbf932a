//! The sections of a secondary page (grades 6–12, Circular 22/2021/TT-BGDĐT): subject averages
//! or ratings per semester and for the year, learning and conduct results, and the year-end
//! decisions.

use crate::record::{Average, RatingScale, SecondaryYear, SummerResults, Term, TermRatings};

use super::primary::COMMENT;
use super::{
    Block, Column, EXEMPT, Field, Label, Row, Section, TEACHER, Table, Text, awards_field,
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

    let mut promotion = promotion_field(s.promotion);
    if s.summer.is_some() {
        promotion.value = words::promotion_before_summer(s.promotion);
    }
    let mut decisions = vec![promotion, awards_field(s.award, &s.other_awards)];
    decisions.extend(completion_field(
        grade,
        s.completed_lower_secondary_programme,
    ));
    decisions.extend(certificates_field(&s.certificates));

    let mut out = vec![
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
    ];
    out.extend(s.summer.as_ref().map(|summer| after_summer(s, summer)));
    out
}

/// Section 4: the results after the summer re-assessment or training and the final decision.
fn after_summer(s: &SecondaryYear, summer: &SummerResults) -> Section {
    let rows = summer
        .subjects
        .iter()
        .map(|r| {
            let name = s
                .subjects
                .iter()
                .find(|x| x.code == r.code)
                .map_or(r.code.as_str(), |x| x.name.as_str());
            let value = r
                .average
                .map(Average::printed)
                .or_else(|| r.rating.map(|x| x.code().to_owned()))
                .unwrap_or_default();
            Row {
                head: Text::same(name),
                cells: vec![Text::same(&value)],
                comment: None,
            }
        })
        .collect::<Vec<_>>();
    let mut blocks = Vec::new();
    if !rows.is_empty() {
        blocks.push(Block::Table(Table {
            key: "reassessed",
            columns: vec![
                Column::text("Môn học / HĐGD", "Subject / activity", Some(130.0)),
                Column::centered(
                    "Điểm TB môn hoặc mức đánh giá sau đánh giá lại",
                    "Average or rating after re-assessment",
                    None,
                ),
            ],
            comment: None,
            rows,
        }));
    }
    let mut fields = Vec::new();
    if let Some(r) = summer.learning_result {
        fields.push(Field::new(
            Some("learning-after-summer"),
            words::LEARNING_AFTER_SUMMER,
            words::rating(RatingScale::SecondaryResult, r),
        ));
    }
    if let Some(r) = summer.conduct_result {
        fields.push(Field::new(
            Some("conduct-after-summer"),
            words::CONDUCT_AFTER_SUMMER,
            words::rating(RatingScale::SecondaryResult, r),
        ));
    }
    fields.push(Field::new(
        Some("decision-after-summer"),
        Label::new("Quyết định sau hè", "Decision after the summer"),
        words::decision(crate::qr::Decision::AfterSummer(summer.decision)),
    ));
    blocks.push(Block::Fields {
        key: Some("after-summer"),
        fields,
    });
    Section::titled(
        "4. Sau kiểm tra lại, rèn luyện trong hè",
        "4. After the summer re-assessment and training",
        blocks,
    )
}
