//! The page for a full credential (an uploaded PDF or credential JSON): the verdict, then the
//! signed year record laid out as the printed học bạ page lays it out
//! (`issuer/src/pdf/content.rs`): header, pupil and school block, results table, qualities and
//! competencies (primary) or learning and conduct (secondary), year decisions, days absent, the
//! homeroom teacher's comment and the signatures.

mod primary;
mod secondary;

use crate::Verdict;
use hocba_schema::record::{LevelResults, TestScore, YearRecord};
use serde::Deserialize;
use serde_json::Value;

use super::html::{self, Html, Place, Shell};
use super::verdict::{self, Banner, VerdictKind};
use super::{Lang, labels};
use primary::primary;
use secondary::secondary;

/// The whole page.
pub(super) fn page(v: &Verdict, lang: Lang) -> String {
    let kind = VerdictKind::of(v.result(), v.checks());
    let signed = VerdictKind::content_is_signed(v.checks());
    let subject = v.subject();
    let title = format!(
        "{} — {}",
        kind.label(lang),
        lang.pick("Kiểm tra học bạ số", "Digital học bạ check")
    );
    let shell = Shell {
        lang,
        title: &title,
        place: Place::Top,
        page: "credential",
    };
    html::page(&shell, |h| {
        h.el(
            "<h1>",
            lang.pick("Kiểm tra học bạ số", "Digital school record check"),
            "</h1>\n",
        );
        let school = subject.school.as_ref().map(|s| s.name.as_str());
        verdict::banner(
            h,
            lang,
            &Banner {
                kind,
                message: v.message(),
                school: school.filter(|_| signed),
                signed_at: subject.signed_at.as_deref().filter(|_| signed),
                note: verdict::status_note(kind, v.checks()),
                revocation: super::revocation(v.checks()),
                status_as_of: v.status_as_of(),
            },
        );
        match v.verified().and_then(|c| c.credential_subject()) {
            Some(record) => signed_record(h, lang, v, record),
            None => claimed(h, lang, v, signed),
        }
        verdict::checks(h, lang, v.checks(), v.trust_list());
    })
}

/// A valid credential: the record it signs.
fn signed_record(h: &mut Html, lang: Lang, v: &Verdict, subject: &Value) {
    h.raw("<section class=\"card\" id=\"record\" data-signed=\"true\">\n")
        .el(
            "<h2>",
            lang.pick("Nội dung nhà trường đã ký", "What the school signed"),
            "</h2>\n",
        )
        .el(
            "<p class=\"lead\">",
            lang.pick(
                "Hãy so sánh với bản học bạ giấy: mọi thông tin dưới đây phải trùng khớp.",
                "Compare with the paper record: everything below must match it.",
            ),
            "</p>\n",
        );
    match YearRecord::deserialize(subject) {
        Ok(record) => year_record(h, lang, &record),
        // A record of another shape (a newer format version): show it as it is.
        Err(_) => {
            h.raw("<div id=\"record-fields\">");
            json_value(h, lang, subject, 0);
            h.raw("</div>\n");
        }
    }
    meta(h, lang, v);
    h.raw("</section>\n");
}

/// Not valid: only what the document claims, marked as such (or as signed but revoked).
fn claimed(h: &mut Html, lang: Lang, v: &Verdict, signed: bool) {
    let p = &v.subject().pupil;
    let (class, heading) = if signed {
        ("card", lang.pick("Hồ sơ này ghi", "This record says"))
    } else {
        (
            "card unverified",
            lang.pick(
                "Tài liệu này ghi (chưa được xác thực)",
                "What the document claims (not verified)",
            ),
        )
    };
    h.raw("<section class=\"")
        .raw(class)
        .raw("\" id=\"record\" data-signed=\"")
        .raw(if signed { "true" } else { "false" })
        .raw("\">\n")
        .el("<h2>", heading, "</h2>\n");
    if !signed {
        h.el(
            "<p class=\"lead\">",
            lang.pick(
                "Không thể xác nhận nội dung này do nhà trường ký: đừng dựa vào nó.",
                "This content could not be confirmed as signed by the school: do not rely on it.",
            ),
            "</p>\n",
        );
    }
    let or_dash = |o: &Option<String>| o.clone().unwrap_or_default();
    h.raw("<dl class=\"fields\">\n");
    h.field(
        Some("pupil-name"),
        lang.pick("Họ và tên học sinh", "Pupil's full name"),
        &or_dash(&p.full_name),
    );
    let school = match (&p.school_name, &p.school_code) {
        (Some(n), Some(c)) => format!("{n} ({} {c})", lang.pick("mã trường", "school code")),
        (Some(n), None) => n.clone(),
        (None, Some(c)) => format!("{} {c}", lang.pick("Mã trường", "School code")),
        (None, None) => String::new(),
    };
    h.field(Some("school"), lang.pick("Trường", "School"), &school);
    h.field(
        Some("school-year"),
        lang.pick("Năm học", "School year"),
        &or_dash(&p.school_year),
    );
    h.field(
        Some("grade"),
        lang.pick("Khối", "Grade"),
        &or_dash(&p.grade),
    );
    h.field(
        Some("class"),
        lang.pick("Lớp", "Class"),
        &or_dash(&p.class_name),
    );
    h.raw("</dl>\n");
    meta(h, lang, v);
    h.raw("</section>\n");
}

/// Record id, the record it replaces, validity.
fn meta(h: &mut Html, lang: Lang, v: &Verdict) {
    let s = v.subject();
    h.raw("<dl class=\"fields\" id=\"record-meta\">\n");
    if let Some(id) = &s.credential_id {
        h.raw("<dt>")
            .text(lang.pick("Mã hồ sơ", "Record id"))
            .raw("</dt><dd id=\"credential-id\" class=\"mono\">")
            .text(id)
            .raw("</dd>\n");
    }
    if let Some(replaces) = &s.replaces {
        h.raw("<dt>")
            .text(lang.pick("Thay thế hồ sơ đã thu hồi", "Replaces the revoked record"))
            .raw("</dt><dd id=\"replaces\" class=\"mono\">")
            .text(replaces)
            .raw("</dd>\n");
    }
    if let Some(at) = &s.signed_at {
        h.field(
            Some("signed-at"),
            lang.pick("Ngày ký số", "Digitally signed on"),
            &labels::date(lang, at),
        );
    }
    if let Some(until) = &s.valid_until {
        h.field(
            Some("valid-until"),
            lang.pick("Hiệu lực đến", "Valid until"),
            &labels::date(lang, until),
        );
    }
    h.raw("</dl>\n");
}

fn year_record(h: &mut Html, lang: Lang, r: &YearRecord) {
    // Header, as on paper.
    h.raw("<div class=\"doc-head\">\n")
        .el(
            "<p class=\"issuer-line\">",
            &format!("SỞ GD&ĐT {}", r.school.province.to_uppercase()),
            "</p>\n",
        )
        .el(
            "<p class=\"issuer-line\"><b>",
            &r.school.name.to_uppercase(),
            "</b></p>\n",
        )
        .el("<p class=\"title\">", "HỌC BẠ", "</p>\n");
    if let Some(level) = labels::level(lang, r.grade) {
        h.el("<p class=\"sub\">", &level.to_uppercase(), "</p>\n");
    }
    let line = match lang {
        Lang::Vi => format!(
            "Năm học {} · Lớp {} · Khối {}",
            r.school_year, r.class_name, r.grade
        ),
        Lang::En => format!(
            "School year {} · Class {} · Grade {}",
            r.school_year, r.class_name, r.grade
        ),
    };
    h.el("<p>", &line, "</p>\n</div>\n");

    pupil_block(h, lang, r);
    match r.results() {
        Some(LevelResults::Primary(p)) => primary(h, lang, p),
        Some(LevelResults::Secondary(s)) => secondary(h, lang, s, r.grade),
        None => {}
    }
    closing(h, lang, r);
}

fn pupil_block(h: &mut Html, lang: Lang, r: &YearRecord) {
    let s = &r.student;
    h.el(
        "<h3>",
        lang.pick("Học sinh và nhà trường", "Pupil and school"),
        "</h3>\n<dl class=\"fields\" id=\"pupil\">\n",
    );
    h.field(
        Some("pupil-name"),
        lang.pick("Họ và tên học sinh", "Pupil's full name"),
        &s.full_name,
    );
    h.field(
        Some("date-of-birth"),
        lang.pick("Ngày sinh", "Date of birth"),
        &labels::date(lang, &s.date_of_birth),
    );
    h.field(
        None,
        lang.pick("Giới tính", "Gender"),
        &labels::gender(lang, s.gender),
    );
    h.field(None, lang.pick("Dân tộc", "Ethnicity"), &s.ethnicity);
    h.field(None, lang.pick("Quốc tịch", "Nationality"), &s.nationality);
    h.field(
        None,
        lang.pick("Nơi sinh", "Place of birth"),
        &s.place_of_birth,
    );
    h.field(None, lang.pick("Chỗ ở hiện nay", "Residence"), &s.residence);
    h.field(
        None,
        lang.pick("Mã định danh cá nhân", "Personal identification number"),
        s.personal_id_number.as_deref().unwrap_or(""),
    );
    h.field(
        None,
        lang.pick("Mã học sinh", "Student code"),
        &s.student_code,
    );
    for (vi, en, value) in [
        ("Họ tên cha", "Father", &s.father_name),
        ("Họ tên mẹ", "Mother", &s.mother_name),
        ("Người giám hộ", "Guardian", &s.guardian_name),
        ("Đối tượng chính sách", "Policy group", &s.policy_group),
        ("Khuyết tật", "Disability note", &s.disability_note),
    ] {
        if let Some(v) = value {
            h.field(None, lang.pick(vi, en), v);
        }
    }
    h.field(
        Some("school"),
        lang.pick("Trường", "School"),
        &format!(
            "{} ({} {})",
            r.school.name,
            lang.pick("mã trường", "school code"),
            r.school.code
        ),
    );
    h.field(
        None,
        lang.pick("Xã/phường, tỉnh/thành phố", "Commune, province"),
        &format!("{}, {}", r.school.commune, r.school.province),
    );
    h.field(
        Some("school-year"),
        lang.pick("Năm học", "School year"),
        &r.school_year,
    );
    h.field(Some("class"), lang.pick("Lớp", "Class"), &r.class_name);
    h.field(
        None,
        lang.pick("Giáo viên chủ nhiệm", "Homeroom teacher"),
        &r.homeroom_teacher,
    );
    h.raw("</dl>\n");
}

/// `<table>` with a header row; `centered[i]` centres column `i`; the first cell of a row is
/// its header. A row with one cell more than `heads` has a comment: it goes on a full-width row
/// of its own under the row (labelled `comment_label`), so that the table stays narrow enough
/// for a phone.
fn table(
    h: &mut Html,
    id: &str,
    heads: &[&str],
    centered: &[bool],
    rows: &[Vec<String>],
    comment_label: &str,
) {
    h.raw("<div class=\"scroll\"><table id=\"")
        .raw(id)
        .raw("\">\n<thead><tr>");
    for (i, head) in heads.iter().enumerate() {
        let open = if centered.get(i).copied().unwrap_or(false) {
            "<th scope=\"col\" class=\"c\">"
        } else {
            "<th scope=\"col\">"
        };
        h.el(open, head, "</th>");
    }
    h.raw("</tr></thead>\n<tbody>\n");
    for row in rows {
        h.raw("<tr>");
        for (i, cell) in row.iter().take(heads.len()).enumerate() {
            let open = if i == 0 {
                "<th scope=\"row\">"
            } else if centered.get(i).copied().unwrap_or(false) {
                "<td class=\"c\">"
            } else {
                "<td>"
            };
            let close = if i == 0 { "</th>" } else { "</td>" };
            h.el(open, cell, close);
        }
        h.raw("</tr>\n");
        if let Some(comment) = row.get(heads.len()).filter(|c| !c.trim().is_empty()) {
            h.raw("<tr class=\"note-row\"><td colspan=\"")
                .raw(&heads.len().to_string())
                .raw("\">")
                .el("<span class=\"note-label\">", comment_label, "</span> ")
                .text(comment)
                .raw("</td></tr>\n");
        }
    }
    h.raw("</tbody>\n</table></div>\n");
}

fn score(s: Option<TestScore>) -> String {
    s.map(|v| match v.whole() {
        Some(w) => w.to_string(),
        None => v.value().to_string(),
    })
    .unwrap_or_default()
}

fn exempt(lang: Lang) -> String {
    lang.pick("Miễn", "Exempt").to_owned()
}

fn awards(h: &mut Html, lang: Lang, award: Option<String>, other: &[String]) {
    let mut all: Vec<String> = award.into_iter().collect();
    all.extend(other.iter().cloned());
    let text = if all.is_empty() {
        labels::gloss(lang, "Không", "none")
    } else {
        all.join("; ")
    };
    h.field(Some("award"), lang.pick("Khen thưởng", "Awards"), &text);
}

fn closing(h: &mut Html, lang: Lang, r: &YearRecord) {
    h.raw("<dl class=\"fields\">\n");
    h.field(
        Some("days-absent"),
        lang.pick("Số buổi nghỉ học", "Sessions absent"),
        &r.days_absent.to_string(),
    );
    h.raw("</dl>\n").el(
        "<h3>",
        lang.pick(
            "Nhận xét của giáo viên chủ nhiệm",
            "Homeroom teacher's comment",
        ),
        "</h3>\n",
    );
    h.el(
        "<p class=\"para\" id=\"teacher-comment\">",
        &r.teacher_comment,
        "</p>\n",
    );
    let place_date = r
        .approval_date
        .as_deref()
        .and_then(hocba_schema::record::parse_date)
        .map(|d| match lang {
            Lang::Vi => format!(
                "{}, ngày {:02} tháng {:02} năm {}",
                r.place_of_issue,
                d.day(),
                u8::from(d.month()),
                d.year()
            ),
            Lang::En => format!(
                "{}, {}-{:02}-{:02}",
                r.place_of_issue,
                d.year(),
                u8::from(d.month()),
                d.day()
            ),
        })
        .unwrap_or_else(|| r.place_of_issue.clone());
    h.el("<p class=\"place-date\">", &place_date, "</p>\n");
    h.raw("<div class=\"signatures\">\n<div>")
        .el(
            "<p class=\"role\">",
            lang.pick("Giáo viên chủ nhiệm", "Homeroom teacher"),
            "</p>",
        )
        .el(
            "<p class=\"who\">",
            &r.homeroom_teacher,
            "</p></div>\n<div>",
        )
        .el("<p class=\"role\">", &r.principal.title, "</p>")
        .el(
            "<p class=\"who\" id=\"principal\">",
            &r.principal.name,
            "</p></div>\n</div>\n",
        );
}

/// `autonomyAndSelfLearning` → `autonomy and self learning`.
fn words(key: &str) -> String {
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

/// Deepest nesting and most entries shown for a record of an unknown shape.
const MAX_DEPTH: usize = 6;
const MAX_ITEMS: usize = 200;

/// A JSON value as nested label/value lists (for a record of a shape this page does not know).
fn json_value(h: &mut Html, lang: Lang, value: &Value, depth: usize) {
    if depth >= MAX_DEPTH {
        h.text("…");
        return;
    }
    match value {
        Value::Object(map) => {
            h.raw("<dl class=\"fields\">");
            for (k, v) in map.iter().take(MAX_ITEMS) {
                h.el("<dt>", k, "</dt><dd>");
                json_value(h, lang, v, depth + 1);
                h.raw("</dd>");
            }
            h.raw("</dl>");
        }
        Value::Array(items) => {
            h.raw("<ol>");
            for v in items.iter().take(MAX_ITEMS) {
                h.raw("<li>");
                json_value(h, lang, v, depth + 1);
                h.raw("</li>");
            }
            h.raw("</ol>");
        }
        Value::String(s) => {
            h.text(s);
        }
        Value::Null => {
            h.text("—");
        }
        Value::Bool(b) => {
            h.text(if *b {
                lang.pick("có", "yes")
            } else {
                lang.pick("không", "no")
            });
        }
        Value::Number(n) => {
            h.text(&n.to_string());
        }
    }
}
