//! The sections of a primary page (grades 1–5, Circular 27/2020/TT-BGDĐT): subjects with their
//! rating and periodic tests, qualities and competencies, and the year's result.

use crate::record::{PrimaryYear, Rating, RatingScale, TestScore};

use super::{
    Block, Column, EXEMPT, Field, Label, Row, Section, TEACHER, Table, Text, awards_field,
    completion_field, promotion_field, words,
};

/// The subjects table of the primary form.
const SUBJECT_COLUMNS: [Column; 6] = [
    Column::text("Môn học và HĐGD", "Subject / activity", Some(104.0)),
    Column::centered("Mức đạt được", "Level", Some(40.0)),
    Column::centered("GK I", "Mid I", Some(26.0)),
    Column::centered("CK I", "End I", Some(26.0)),
    Column::centered("GK II", "Mid II", Some(26.0)),
    Column::centered("CN", "Year", Some(26.0)),
];

/// Width on paper of a quality's or competency's rating (`T (Tốt)`, `C (Cần cố gắng)`).
const RATING_WIDTH: f32 = 70.0;

/// How many of [`Competencies::entries`](crate::record::Competencies::entries) are general
/// competencies (năng lực chung: autonomy, communication, problem solving); the rest are
/// specific (năng lực đặc thù).
const GENERAL_COMPETENCIES: usize = 3;

/// The comment column of a subjects table (both levels).
pub(super) const COMMENT: Column = Column::text("Nhận xét", "Comment", None);

/// A periodic test score as printed: whole points as an integer, anything else as written.
fn score(s: Option<TestScore>) -> Text {
    let text = s
        .map(|v| match v.whole() {
            Some(w) => w.to_string(),
            None => v.value().to_string(),
        })
        .unwrap_or_default();
    Text::same(&text)
}

/// Height, weight and the days absent with and without permission, as the primary form has
/// them (only the ones the record gives).
pub(super) fn health_and_days(p: &PrimaryYear) -> Vec<Field> {
    let mut out = Vec::new();
    if let Some(h) = p.height_cm {
        out.push(Field::new(
            Some("height"),
            Label::new("Chiều cao (cm)", "Height (cm)"),
            Text::same(&h.to_string()),
        ));
    }
    if let Some(w) = p.weight_kg {
        let f = Field::new(
            Some("weight"),
            Label::new("Cân nặng (kg)", "Weight (kg)"),
            Text::same(&format!("{w}")),
        );
        out.push(if p.height_cm.is_some() { f.inline() } else { f });
    }
    if let Some(d) = p.days_absent_excused {
        out.push(Field::new(
            Some("days-excused"),
            Label::new("Số ngày nghỉ có phép", "Days absent with permission"),
            Text::same(&d.to_string()),
        ));
    }
    if let Some(d) = p.days_absent_unexcused {
        let f = Field::new(
            Some("days-unexcused"),
            Label::new("Số ngày nghỉ không phép", "Days absent without permission"),
            Text::same(&d.to_string()),
        );
        out.push(if p.days_absent_excused.is_some() {
            f.inline()
        } else {
            f
        });
    }
    out
}

pub(super) fn sections(p: &PrimaryYear) -> Vec<Section> {
    let with_teachers = p.subjects.iter().any(|s| s.teacher.is_some());
    let rows = p
        .subjects
        .iter()
        .map(|s| {
            let t = s.test_scores.as_ref();
            let level = if s.exempt {
                Text::label(EXEMPT)
            } else {
                Text::same(s.rating.map(|r| r.code()).unwrap_or_default())
            };
            Row {
                head: Text::same(&s.name),
                cells: vec![
                    level,
                    score(t.and_then(|t| t.mid_semester1)),
                    score(t.and_then(|t| t.end_semester1)),
                    score(t.and_then(|t| t.mid_semester2)),
                    score(t.map(|t| t.end_year)),
                ]
                .into_iter()
                .chain(with_teachers.then(|| Text::same(s.teacher.as_deref().unwrap_or_default())))
                .collect(),
                comment: s.comment.clone(),
            }
        })
        .collect();
    let mut columns = SUBJECT_COLUMNS.to_vec();
    if with_teachers {
        columns.push(TEACHER);
    }
    let subjects = Table {
        key: "subjects",
        columns,
        comment: Some(COMMENT),
        rows,
    };
    let legend = Label::new(
        "Mức đạt được: T Hoàn thành tốt, H Hoàn thành, C Chưa hoàn thành. Điểm kiểm tra định kì: GK giữa kì, CK cuối kì, CN cuối năm học.",
        "Level: T completed well, H completed, C not completed. Periodic test scores (1–10): mid and end of semester I, mid semester II, end of year.",
    );

    let rated = |key, head: Label, entries: &[(&str, &str, Rating)]| Table {
        key,
        columns: vec![
            Column::new(head, false, None),
            Column::centered("Mức đạt được", "Level", Some(RATING_WIDTH)),
        ],
        comment: None,
        rows: entries
            .iter()
            .map(|(field, vi, r)| Row {
                head: words::gloss(vi, &spaced(field)),
                cells: vec![words::rating(RatingScale::PrimaryQuality, *r)],
                comment: None,
            })
            .collect(),
    };
    let qualities = rated(
        "qualities",
        Label::new("Phẩm chất", "Quality"),
        &p.qualities.entries(),
    );
    // The form lists the core competencies in two groups: the three general ones, then the
    // specific ones (seven in grades 3–5, five in grades 1–2); each group is a table of its
    // own, beside the qualities.
    let competencies = p.competencies.entries();
    let (general, specific) = competencies.split_at(GENERAL_COMPETENCIES.min(competencies.len()));
    let general = rated(
        "general-competencies",
        Label::new("Năng lực chung", "General competency"),
        general,
    );
    let specific = rated(
        "specific-competencies",
        Label::new("Năng lực đặc thù", "Specific competency"),
        specific,
    );
    let mut comments = Vec::new();
    for (vi, en, text) in [
        ("Nhận xét phẩm chất", "On qualities", &p.qualities_comment),
        (
            "Nhận xét năng lực",
            "On competencies",
            &p.competencies_comment,
        ),
    ] {
        if let Some(t) = text {
            comments.push(Field::new(None, Label::new(vi, en), Text::same(t)));
        }
    }
    let mut qualities_blocks = vec![Block::Beside(vec![qualities, general, specific])];
    if !comments.is_empty() {
        qualities_blocks.push(Block::Fields {
            key: None,
            fields: comments,
        });
    }

    let mut decisions = vec![
        Field::new(
            Some("year-result"),
            Label::new("Kết quả giáo dục", "Year result"),
            words::year_result(p.year_result),
        ),
        awards_field(p.award, &p.other_awards),
    ];
    decisions.extend(completion_field(5, p.completed_primary_programme));
    decisions.push(promotion_field(p.promotion));

    vec![
        Section::titled(
            "1. Các môn học và hoạt động giáo dục",
            "1. Subjects and educational activities",
            vec![Block::Table(subjects), Block::Legend(legend)],
        ),
        Section::titled(
            "2. Những phẩm chất chủ yếu và năng lực cốt lõi",
            "2. Main qualities and core competencies",
            qualities_blocks,
        ),
        Section::decisions("3. Kết quả giáo dục cả năm", "3. Year result", decisions),
    ]
}

/// `autonomyAndSelfLearning` → `autonomy and self learning`: a JSON field name as English words.
fn spaced(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push(' ');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
