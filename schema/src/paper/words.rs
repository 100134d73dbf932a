//! Words for the record's coded values as the paper prints them (the school's Vietnamese, from
//! [`crate::record`]) with an English gloss after the Vietnamese, so that an English reader can
//! still compare the value with the paper.

use crate::record::{
    Award, Gender, PrimaryYearResult, Promotion, Rating, RatingScale, SchoolLevel, parse_date,
};

use super::Text;

/// `vi` in Vietnamese; `vi (en)` in English.
pub fn gloss(vi: &str, en: &str) -> Text {
    Text {
        vi: vi.to_owned(),
        en: format!("{vi} ({en})"),
    }
}

/// `T (Tốt)` / `T (good)`: a rating with its meaning on `scale` (the code alone when the scale
/// has no such rating).
pub fn rating(scale: RatingScale, r: Rating) -> Text {
    let with = |meaning: Option<&str>| match meaning {
        Some(m) => format!("{} ({m})", r.code()),
        None => r.code().to_owned(),
    };
    Text {
        vi: with(scale.label_vi(r)),
        en: with(scale.label_en(r)),
    }
}

/// The promotion decision; an interim one (rèn luyện trong hè, kiểm tra lại) says that it is
/// not the final decision.
pub fn promotion(p: Promotion) -> Text {
    promotion_with(p, true)
}

/// The year-end decision of a record that also carries the results after the summer: the
/// interim code as written, the final decision being printed with those results.
pub fn promotion_before_summer(p: Promotion) -> Text {
    promotion_with(p, false)
}

fn promotion_with(p: Promotion, awaiting: bool) -> Text {
    let en = match p {
        Promotion::Promoted => "promoted to the next grade",
        Promotion::SummerTraining => "summer conduct training",
        Promotion::Retest => "re-examination",
        Promotion::Retained => "not promoted, repeats the grade",
        Promotion::CompletedGrade => "completed the grade's programme",
        Promotion::CompletedUpperSecondary => "completed the upper-secondary programme",
    };
    match p {
        // An interim decision never prints as if it were final (issue #12, item 3).
        Promotion::SummerTraining | Promotion::Retest if awaiting => gloss(
            &format!(
                "{} (chưa phải quyết định cuối cùng: chờ kết quả sau hè)",
                p.label_vi()
            ),
            &format!("{en} (not the final decision: awaiting the results after the summer)"),
        ),
        _ => gloss(p.label_vi(), en),
    }
}

/// The decision a record states, as the printed page words it: the year-end decision (an
/// interim one saying it is not final), or the final decision after the summer. The PDF, the
/// verifier's record page and the QR landing page all print this.
pub fn decision(d: crate::qr::Decision) -> Text {
    match d {
        crate::qr::Decision::YearEnd(p) => promotion(p),
        crate::qr::Decision::AfterSummer(d) => gloss(d.label_vi(), d.label_en()),
    }
}

/// The label of the decision line, whichever the decision (`Quyết định`).
pub const DECISION: super::Label = super::Label::new("Quyết định", "Decision");

/// The label of the learning result after the summer re-assessment (the paper's section 4, the
/// QR landing page).
pub const LEARNING_AFTER_SUMMER: super::Label = super::Label::new(
    "Kết quả học tập sau đánh giá lại",
    "Learning after re-assessment",
);

/// The label of the conduct result after summer training.
pub const CONDUCT_AFTER_SUMMER: super::Label = super::Label::new(
    "Kết quả rèn luyện sau rèn luyện trong hè",
    "Conduct after summer training",
);

/// An award title.
pub fn award(a: Award) -> Text {
    let en = match a {
        Award::Outstanding => "outstanding pupil",
        Award::Exemplary => "exemplary pupil in learning and conduct",
        Award::Excellent => "excellent pupil",
    };
    gloss(a.label_vi(), en)
}

/// The primary year result.
pub fn year_result(r: PrimaryYearResult) -> Text {
    let en = match r {
        PrimaryYearResult::Outstanding => "completed with distinction",
        PrimaryYearResult::Good => "completed well",
        PrimaryYearResult::Completed => "completed",
        PrimaryYearResult::NotCompleted => "not completed",
    };
    gloss(r.label_vi(), en)
}

/// Gender.
pub fn gender(g: Gender) -> Text {
    let en = match g {
        Gender::Male => "male",
        Gender::Female => "female",
    };
    gloss(g.label_vi(), en)
}

/// The level of a grade, e.g. `Tiểu học` / `Tiểu học (primary)`.
pub fn level(grade: u8) -> Option<Text> {
    SchoolLevel::of_grade(grade).map(|l| gloss(l.label_vi(), l.label_en()))
}

/// Completion of a programme as the record states it: `Có` / `Chưa hoàn thành`.
pub fn yes_no(done: bool) -> Text {
    if done {
        gloss("Có", "yes")
    } else {
        gloss("Chưa hoàn thành", "not completed")
    }
}

/// The label of the completion line for a grade's programme.
pub fn completion_label(grade: u8) -> super::Label {
    if grade <= 5 {
        super::Label::new(
            "Hoàn thành chương trình tiểu học",
            "Completed the primary programme",
        )
    } else {
        super::Label::new(
            "Hoàn thành chương trình trung học cơ sở",
            "Completed the lower secondary programme",
        )
    }
}

/// A `YYYY-MM-DD` date as each language writes it: `dd/mm/yyyy` in Vietnamese, `yyyy-mm-dd` in
/// English; anything else as it is.
pub fn date(text: &str) -> Text {
    match text.get(..10).and_then(parse_date) {
        Some(d) => Text {
            vi: format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year()),
            en: format!("{}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
        },
        None => Text::same(text),
    }
}

/// The awards line: the title and the other awards, `Không` when there are none.
pub fn awards(award: Option<Award>, other: &[String]) -> Text {
    if award.is_none() && other.is_empty() {
        return gloss("Không", "none");
    }
    let join = |first: Option<String>| {
        let mut all: Vec<String> = first.into_iter().collect();
        all.extend(other.iter().cloned());
        all.join("; ")
    };
    let title = award.map(self::award);
    Text {
        vi: join(title.as_ref().map(|t| t.vi.clone())),
        en: join(title.map(|t| t.en)),
    }
}
