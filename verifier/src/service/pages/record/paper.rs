//! The signed year record as the printed page lays it out, rendered from the same description
//! the issuer's PDF draws ([`hocba_schema::paper`]): header, pupil and school block, the
//! sections' tables and label/value lists, the homeroom teacher's comment and the signatures.
//! Tables keep the paper's columns; a row's comment goes on a full-width row under it, so that
//! the table stays narrow enough for a phone.

use hocba_schema::paper::{self, Block, Field, Header, Paper, Section, Signatures, Table};
use hocba_schema::record::YearRecord;

use super::super::Lang;
use super::super::html::Html;
use super::super::labels::{label, pick};

/// The whole record.
pub(super) fn year_record(h: &mut Html, lang: Lang, r: &YearRecord) {
    let page = paper::describe(r);
    header(h, lang, &page.header);
    pupil(h, lang, &page);
    for s in &page.sections {
        section(h, lang, s);
    }
    signatures(h, lang, &page.signatures);
}

fn header(h: &mut Html, lang: Lang, head: &Header) {
    h.raw("<div class=\"doc-head\">\n")
        .el("<p class=\"issuer-line\">", &head.department, "</p>\n")
        .el("<p class=\"issuer-line\"><b>", &head.school, "</b></p>\n")
        .el("<p class=\"title\">", head.title, "</p>\n");
    if let Some(level) = &head.level {
        h.el(
            "<p class=\"sub\">",
            &pick(lang, level).to_uppercase(),
            "</p>\n",
        );
    }
    h.el("<p>", &pick(lang, &head.year_line), "</p>\n</div>\n");
}

fn pupil(h: &mut Html, lang: Lang, page: &Paper) {
    h.el("<h3>", label(lang, paper::PUPIL_HEADING), "</h3>\n");
    fields(h, lang, Some("pupil"), &page.pupil);
}

/// A `<dl class="fields">` of label/value pairs.
fn fields(h: &mut Html, lang: Lang, id: Option<&str>, fields: &[Field]) {
    match id {
        Some(id) => h.raw("<dl class=\"fields\" id=\"").text(id).raw("\">\n"),
        None => h.raw("<dl class=\"fields\">\n"),
    };
    for f in fields {
        h.field(f.key, label(lang, f.label), &pick(lang, &f.value));
    }
    h.raw("</dl>\n");
}

fn section(h: &mut Html, lang: Lang, s: &Section) {
    if let Some(title) = s.title {
        h.el("<h3>", label(lang, title), "</h3>\n");
    }
    for block in &s.blocks {
        match block {
            Block::Table(t) => table(h, lang, t),
            Block::Beside(ts) => ts.iter().for_each(|t| table(h, lang, t)),
            Block::Legend(text) => {
                h.el("<p class=\"legend\">", label(lang, *text), "</p>\n");
            }
            Block::Fields { key, fields: f } => fields(h, lang, *key, f),
            Block::Paragraph { key, text } => {
                h.raw("<p class=\"para\" id=\"")
                    .text(key)
                    .raw("\">")
                    .text(text)
                    .raw("</p>\n");
            }
        }
    }
}

/// `<table>` with a header row; the first cell of a row is its header; a row's comment goes on
/// a row of its own under it, labelled with the comment column's heading.
fn table(h: &mut Html, lang: Lang, t: &Table) {
    let open = |centered: bool, head: bool| match (head, centered) {
        (true, true) => "<th scope=\"col\" class=\"c\">",
        (true, false) => "<th scope=\"col\">",
        (false, true) => "<td class=\"c\">",
        (false, false) => "<td>",
    };
    h.raw("<div class=\"scroll\"><table id=\"")
        .text(t.key)
        .raw("\">\n<thead><tr>");
    for c in &t.columns {
        h.el(open(c.centered, true), label(lang, c.label), "</th>");
    }
    h.raw("</tr></thead>\n<tbody>\n");
    let note = t
        .comment
        .map(|c| format!("{}:", label(lang, c.label)))
        .unwrap_or_default();
    for row in &t.rows {
        h.el("<tr><th scope=\"row\">", &pick(lang, &row.head), "</th>");
        for (cell, c) in row.cells.iter().zip(t.columns.iter().skip(1)) {
            h.el(open(c.centered, false), &pick(lang, cell), "</td>");
        }
        h.raw("</tr>\n");
        if let Some(comment) = row.comment.as_deref().filter(|c| !c.trim().is_empty()) {
            h.raw("<tr class=\"note-row\"><td colspan=\"")
                .raw(&t.columns.len().to_string())
                .raw("\">")
                .el("<span class=\"note-label\">", &note, "</span> ")
                .text(comment)
                .raw("</td></tr>\n");
        }
    }
    h.raw("</tbody>\n</table></div>\n");
}

fn signatures(h: &mut Html, lang: Lang, s: &Signatures) {
    h.el(
        "<p class=\"place-date\">",
        &pick(lang, &s.place_date),
        "</p>\n",
    );
    h.raw("<div class=\"signatures\">\n");
    for signer in &s.signers {
        h.raw("<div>");
        if let Some(on_behalf) = signer.on_behalf {
            h.el(
                "<p class=\"role on-behalf\">",
                label(lang, on_behalf),
                "</p>",
            );
        }
        h.el("<p class=\"role\">", &pick(lang, &signer.role), "</p>");
        match signer.key {
            Some(id) => h.raw("<p class=\"who\" id=\"").text(id).raw("\">"),
            None => h.raw("<p class=\"who\">"),
        };
        h.text(&signer.name).raw("</p></div>\n");
    }
    h.raw("</div>\n");
}
