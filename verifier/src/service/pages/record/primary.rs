//! The primary (grades 1–5) part of a year record: subjects and their ratings, qualities and
//! competencies, and the year's result and awards.

use hocba_schema::record::{PrimaryYear, Rating, RatingScale};

use super::{Html, Lang, awards, exempt, labels, score, table, words};

pub(super) fn primary(h: &mut Html, lang: Lang, p: &PrimaryYear) {
    h.el(
        "<h3>",
        lang.pick(
            "1. Các môn học và hoạt động giáo dục",
            "1. Subjects and educational activities",
        ),
        "</h3>\n",
    );
    let rows: Vec<Vec<String>> = p
        .subjects
        .iter()
        .map(|s| {
            let t = s.test_scores.as_ref();
            vec![
                s.name.clone(),
                if s.exempt {
                    exempt(lang)
                } else {
                    s.rating.map(|r| r.code().to_owned()).unwrap_or_default()
                },
                score(t.and_then(|t| t.mid_semester1)),
                score(t.and_then(|t| t.end_semester1)),
                score(t.and_then(|t| t.mid_semester2)),
                score(t.map(|t| t.end_year)),
                s.comment.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let heads = match lang {
        Lang::Vi => [
            "Môn học và HĐGD",
            "Mức đạt được",
            "GK I",
            "CK I",
            "GK II",
            "CN",
        ],
        Lang::En => [
            "Subject / activity",
            "Level",
            "Mid I",
            "End I",
            "Mid II",
            "Year",
        ],
    };
    table(
        h,
        "subjects",
        &heads,
        &[false, true, true, true, true, true],
        &rows,
        lang.pick("Nhận xét:", "Comment:"),
    );
    h.el(
        "<p class=\"legend\">",
        lang.pick(
            "Mức đạt được: T Hoàn thành tốt, H Hoàn thành, C Chưa hoàn thành. Điểm kiểm tra định kì: GK giữa kì, CK cuối kì, CN cuối năm học.",
            "Level: T completed well, H completed, C not completed. Periodic test scores (1–10): mid and end of semester I, mid semester II, end of year.",
        ),
        "</p>\n",
    );

    h.el(
        "<h3>",
        lang.pick(
            "2. Những phẩm chất chủ yếu và năng lực cốt lõi",
            "2. Main qualities and core competencies",
        ),
        "</h3>\n",
    );
    let rated = |entries: &[(&str, &str, Rating)]| -> Vec<Vec<String>> {
        entries
            .iter()
            .map(|(key, vi, r)| {
                vec![
                    labels::gloss(lang, vi, &words(key)),
                    labels::rating(lang, RatingScale::PrimaryQuality, *r),
                ]
            })
            .collect()
    };
    table(
        h,
        "qualities",
        &[
            lang.pick("Phẩm chất", "Quality"),
            lang.pick("Mức đạt được", "Level"),
        ],
        &[false, true],
        &rated(&p.qualities.entries()),
        "",
    );
    table(
        h,
        "competencies",
        &[
            lang.pick("Năng lực", "Competency"),
            lang.pick("Mức đạt được", "Level"),
        ],
        &[false, true],
        &rated(&p.competencies.entries()),
        "",
    );
    if p.qualities_comment.is_some() || p.competencies_comment.is_some() {
        h.raw("<dl class=\"fields\">\n");
        for (vi, en, text) in [
            ("Nhận xét phẩm chất", "On qualities", &p.qualities_comment),
            (
                "Nhận xét năng lực",
                "On competencies",
                &p.competencies_comment,
            ),
        ] {
            if let Some(t) = text {
                h.field(None, lang.pick(vi, en), t);
            }
        }
        h.raw("</dl>\n");
    }

    h.el(
        "<h3>",
        lang.pick("3. Kết quả giáo dục cả năm", "3. Year result"),
        "</h3>\n<dl class=\"fields\" id=\"decisions\">\n",
    );
    h.field(
        Some("year-result"),
        lang.pick("Kết quả giáo dục", "Year result"),
        &labels::year_result(lang, p.year_result),
    );
    awards(
        h,
        lang,
        p.award.map(|a| labels::award(lang, a)),
        &p.other_awards,
    );
    if let Some(done) = p.completed_primary_programme {
        h.field(
            Some("completion"),
            labels::completion_label(lang, 5),
            &labels::yes_no(lang, done),
        );
    }
    h.field(
        Some("promotion"),
        lang.pick("Lên lớp", "Promotion"),
        &labels::promotion(lang, p.promotion),
    );
    h.raw("</dl>\n");
}
