//! The page for a full credential (an uploaded PDF or credential JSON): the verdict, then the
//! signed year record laid out as the printed học bạ page lays it out — both render the one
//! description of that page, [`hocba_schema::paper`] (see `record/paper.rs`) — then the record
//! id and validity; a record of a shape this page does not know is shown field by field.

mod paper;

use crate::Verdict;
use hocba_schema::record::YearRecord;
use serde::Deserialize;
use serde_json::Value;

use super::html::{self, Html, Place, Shell};
use super::verdict::{self, Banner, VerdictKind};
use super::{Lang, labels};
use paper::year_record;

/// The whole page.
pub(super) fn page(
    v: &Verdict,
    pdf: Option<&crate::pdf::signatures::PdfSignatures>,
    lang: Lang,
) -> String {
    let (kind, pdf_message) =
        super::pdf_signatures::banner_kind(VerdictKind::of(v.result(), v.checks()), pdf);
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
                message: pdf_message.unwrap_or_else(|| v.message()),
                school: school.filter(|_| signed),
                signed_at: subject.signed_at.as_deref().filter(|_| signed),
                note: verdict::status_note(kind, v.checks()),
                revocation: super::revocation(v.checks()),
                place: Place::Top,
                status_as_of: v.status_as_of(),
            },
        );
        if let Some(pdf) = pdf {
            super::pdf_signatures::block(h, lang, pdf);
        }
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
