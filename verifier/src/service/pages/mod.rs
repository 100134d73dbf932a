//! The HTML pages of the verifier service: the QR landing page a parent's phone opens
//! (`GET /V/<digits>`), the page for a full credential (an uploaded PDF or credential JSON),
//! the upload form and the error page.
//!
//! Pure functions from a verdict to a complete HTML document: no I/O, no clock. Nothing
//! external: the style sheet is inline, there are no fonts, images or links to another origin,
//! no script but the upload page's one (it shows the chosen file's name; the page works
//! without it), pinned by its hash, and a Content-Security-Policy `<meta>` forbids loading
//! anything, so a page works on a verifier with no Internet. Links are relative (`?lang=en`, `../upload`) so the service can
//! sit behind any path prefix. Everything that comes from a record or a request is
//! HTML-escaped ([`escape`]).
//!
//! **Language.** Vietnamese by default; `?lang=en` gives English ([`Lang`]), and each page
//! links to the other language at the same URL. The record's own content (names, subjects,
//! comments, the school's wording of results) stays as the school wrote it, so that it can be
//! compared with the paper; in English, coded values get a gloss, e.g. `Được lên lớp (promoted
//! to the next grade)`.
//!
//! **Layout.** Mobile first (one column at 360 px, a large verdict banner in one of four
//! colours), then the signed content in the order of the printed page, then what was checked.
//!
//! **Stable hooks for tests.** `#verdict` with `data-verdict="valid|invalid|revoked|
//! status_unknown"` ([`VerdictKind`]), `#verdict-label`, `#verdict-reason`, `#record` with
//! `data-signed`, field values `#pupil-name`, `#school`, `#credential-id` …, `#checks` with one
//! `li[data-check][data-outcome]` per check, `#trust-list`, `#lang-switch`, `#upload-error`,
//! `#error[data-status]`, and `data-page` on `<body>` (`qr`, `credential`, `upload`, `error`).

mod forms;
mod html;
mod labels;
mod pdf_signatures;
mod record;
mod summary;
mod verdict;

use crate::{Check, CheckName, Message, Outcome, SummaryVerdict, Verdict};

pub use html::escape;
pub use verdict::VerdictKind;

/// The language of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// Tiếng Việt (the default).
    #[default]
    Vi,
    /// English.
    En,
}

impl Lang {
    /// The language asked for by a request's query: accepts the whole query string
    /// (`lang=en&x=1`) or the value of `lang` alone (`en`). `en`, `en-US`, `EN` … give English;
    /// anything else, or nothing, Vietnamese.
    pub fn from_query(query: Option<&str>) -> Lang {
        let Some(query) = query else {
            return Lang::Vi;
        };
        let value = if query.contains('=') || query.contains('&') {
            query
                .split('&')
                .filter_map(|pair| pair.split_once('='))
                .find(|(k, _)| *k == "lang")
                .map(|(_, v)| v)
                .unwrap_or("")
        } else {
            query
        };
        let primary = value.split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Vi
        }
    }

    /// `vi` or `en` (the `lang` attribute and query value).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// `vi` or `en`, whichever is this language.
    pub fn pick<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// A verifier message in this language.
    pub fn message(self, m: Message) -> &'static str {
        self.pick(m.vi, m.en)
    }
}

/// The QR landing page: the verdict on a QR summary and the summary's fields.
pub fn summary_page(verdict: &SummaryVerdict, lang: Lang) -> String {
    summary::page(verdict, lang)
}

/// The page for a full credential (uploaded PDF or JSON): the verdict and the signed record.
pub fn credential_page(verdict: &Verdict, lang: Lang) -> String {
    record::page(verdict, None, lang)
}

/// The page for a full credential taken out of a PDF, with the PDF's own signatures (PAdES)
/// `pdf` reported under the verdict (`None`: not a PDF, as [`credential_page`]). A PDF whose
/// signatures fail makes the page's verdict `invalid`.
pub fn credential_page_with_pdf(
    verdict: &Verdict,
    pdf: Option<&crate::pdf::signatures::PdfSignatures>,
    lang: Lang,
) -> String {
    record::page(verdict, pdf, lang)
}

/// The upload form, with `error` (already in the page's language) shown above it.
pub fn upload_page(lang: Lang, error: Option<&str>) -> String {
    forms::upload(lang, error, None)
}

/// The upload form reached from a revoked record's page: it names the replacement to check,
/// `replacement` (from the query), when that is a credential id (`urn:uuid:…`); anything else
/// is left out.
pub fn upload_page_for_replacement(lang: Lang, replacement: Option<&str>) -> String {
    let id =
        replacement.filter(|id| hocba_schema::status_list::RevocationNote::is_replacement_id(id));
    forms::upload(lang, None, id)
}

/// An error page for HTTP `status`, with the message in the page's language.
pub fn error_page(lang: Lang, status: u16, message_vi: &str, message_en: &str) -> String {
    forms::error(lang, status, message_vi, message_en)
}

/// A page in the verifier's look (shell, style sheet, language switch, CSP) around `body`,
/// markup its caller built with every piece of data passed through [`escape`]. The
/// admissions page (`super::admissions::page`) uses it; `page` is the `data-page` hook.
pub fn page_with(lang: Lang, title: &str, page: &'static str, body: &str) -> String {
    let shell = html::Shell {
        lang,
        title,
        place: html::Place::Top,
        page,
    };
    html::page(&shell, |h| {
        h.raw(body);
    })
}

/// When and why the record was revoked and what replaces it, as the status check found them in
/// the school's signed list.
struct RevocationLine {
    /// `YYYY-MM-DD…`, unknown when the list has no note for it.
    date: Option<String>,
    /// The published reason, unknown when the list has no note for it.
    reason: Option<String>,
    /// The replacing credential's id (`urn:uuid:…`), when the note names one.
    replaced_by: Option<String>,
}

/// The revocation the status check found, if the record is revoked.
fn revocation(checks: &[Check]) -> Option<RevocationLine> {
    let r = checks
        .iter()
        .find(|c| c.name == CheckName::Status && c.outcome == Outcome::Failed)
        .and_then(|c| c.revocation.as_ref())?;
    let date = r.revoked_at.and_then(|at| {
        at.format(&time::format_description::well_known::Rfc3339)
            .ok()
    });
    Some(RevocationLine {
        date,
        reason: r.reason.clone(),
        replaced_by: r.replaced_by.clone(),
    })
}
