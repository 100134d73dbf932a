//! The secondary (grades 6–12) part of a year record: subjects by term and the year, learning
//! and conduct ratings, and the awards.

use hocba_schema::record::{Rating, RatingScale, SecondaryYear, Term};

use super::{Html, Lang, awards, exempt, labels, table};

pub(super) fn secondary(h: &mut Html, lang: Lang, s: &SecondaryYear, grade: u8) {
    h.el(
        "<h3>",
        lang.pick(
            "1. Kết quả học tập các môn học và hoạt động giáo dục",
            "1. Results in subjects and educational activities",
        ),
        "</h3>\n",
    );
    let rows: Vec<Vec<String>> = s
        .subjects
        .iter()
        .map(|sub| {
            let cell = |term: Term| {
                if sub.exempt {
                    exempt(lang)
                } else {
                    sub.printed(term).unwrap_or_default()
                }
            };
            vec![
                sub.name.clone(),
                cell(Term::Semester1),
                cell(Term::Semester2),
                cell(Term::Year),
                sub.comment.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let heads = match lang {
        Lang::Vi => ["Môn học / HĐGD", "HK I", "HK II", "Cả năm"],
        Lang::En => ["Subject / activity", "Sem. I", "Sem. II", "Year"],
    };
    table(
        h,
        "subjects",
        &heads,
        &[false, true, true, true],
        &rows,
        lang.pick("Nhận xét:", "Comment:"),
    );
    h.el(
        "<p class=\"legend\">",
        lang.pick(
            "Điểm trung bình môn học kì và cả năm; môn đánh giá bằng nhận xét: Đ Đạt, CĐ Chưa đạt.",
            "Subject averages (out of 10) per semester and for the year; subjects assessed by comment: Đ passed, CĐ not passed.",
        ),
        "</p>\n",
    );

    h.el(
        "<h3>",
        lang.pick(
            "2. Kết quả học tập và rèn luyện",
            "2. Learning and conduct results",
        ),
        "</h3>\n",
    );
    let label = |r: Rating| labels::rating(lang, RatingScale::SecondaryResult, r);
    let rows = vec![
        vec![
            lang.pick("Kết quả học tập", "Learning result").to_owned(),
            label(s.learning_result.semester1),
            label(s.learning_result.semester2),
            label(s.learning_result.year),
        ],
        vec![
            lang.pick("Kết quả rèn luyện", "Conduct result").to_owned(),
            label(s.conduct_result.semester1),
            label(s.conduct_result.semester2),
            label(s.conduct_result.year),
        ],
    ];
    table(
        h,
        "learning-conduct",
        &[
            "",
            lang.pick("Học kì I", "Semester I"),
            lang.pick("Học kì II", "Semester II"),
            lang.pick("Cả năm", "Year"),
        ],
        &[false, true, true, true],
        &rows,
        "",
    );

    h.el(
        "<h3>",
        lang.pick("3. Quyết định cuối năm", "3. Year-end decisions"),
        "</h3>\n<dl class=\"fields\" id=\"decisions\">\n",
    );
    h.field(
        Some("promotion"),
        lang.pick("Lên lớp", "Promotion"),
        &labels::promotion(lang, s.promotion),
    );
    awards(
        h,
        lang,
        s.award.map(|a| labels::award(lang, a)),
        &s.other_awards,
    );
    if let Some(done) = s.completed_lower_secondary_programme {
        h.field(
            Some("completion"),
            labels::completion_label(lang, grade),
            &labels::yes_no(lang, done),
        );
    }
    h.raw("</dl>\n");
}
