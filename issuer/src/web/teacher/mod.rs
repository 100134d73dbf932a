//! The web app: the homeroom teacher's pages (`/teacher`), Vietnamese first.
//!
//! * `GET /teacher` — "my classes": the classes of the teacher's school in which this account
//!   imported or last changed a record, then the school's other classes (a teacher may open
//!   any class of their own school: homeroom assignments are not recorded anywhere, and a
//!   teacher often fills in for a colleague); the upload form (file picker and
//!   drag-and-drop).
//! * `GET /teacher/classes/{year}/{class}` — a class's records by pupil name (one query),
//!   each draft with what the rules say and a link to correct it; "validate the class and
//!   send it to the principal" in one click. Another school's class is the 404 page.
//! * `POST /teacher/upload` — a CSV, XLSX (or JSON) file: the report shown as the
//!   spreadsheet itself, each refused cell marked (class `bad`) with the rule in the page's
//!   language, a column the template does not have named as ignored, and for each refused
//!   row a button that opens it in the correction form.
//! * `POST /teacher/rows` — a refused row in a form (`step=open`) and imported once corrected
//!   (`step=save`), the rules' messages beside the fields.
//! * `GET`/`POST /teacher/records/{id}` — a stored draft's cells in the same form, saved at the
//!   version read.
//! * `POST /teacher/classes/{year}/{class}/validate` — sending the class to the principal is
//!   validating it (`app::class_file` says why): the drafts that pass become validated, the
//!   others are listed by pupil with their problems.
//! * `GET /teacher/upload`, `GET /teacher/rows` — back to `/teacher` (the language switch on a
//!   form's answer asks for its path).
//!
//! Uploads: the route takes bodies up to [`ROUTE_LIMIT`] and reads the file part in chunks;
//! a file over [`UPLOAD_LIMIT`] is read to its end without being kept and answered with the
//! "file too large" page (413), so the browser sees the page and not a broken connection.
//! Principals may use these pages too (they may do everything a teacher does).

mod classes;
mod forms;
mod report;
mod upload;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::Redirect;
use axum::routing::{get, post};

use super::error::WebError;
use super::session::Signed;
use crate::api::AppState;
use crate::store::{Role, School};

/// Largest class file taken by the upload form (10 MiB; a class is well under 1 MiB).
pub(crate) const UPLOAD_LIMIT: usize = 10 * 1024 * 1024;

/// The upload route's body limit: more than any file it takes, so that a larger file is read
/// to its end and refused with a page by the handler (see the module doc).
pub(crate) const ROUTE_LIMIT: usize = 64 * 1024 * 1024;

/// This area's routes.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/teacher", get(classes::home))
        .route(
            "/teacher/upload",
            get(back_home)
                .post(upload::upload)
                .layer(DefaultBodyLimit::max(ROUTE_LIMIT)),
        )
        .route("/teacher/rows", get(back_home).post(forms::row))
        .route(
            "/teacher/records/{id}",
            get(forms::record).post(forms::save_record),
        )
        .route("/teacher/classes/{year}/{class}", get(classes::class))
        .route(
            "/teacher/classes/{year}/{class}/validate",
            post(classes::validate),
        )
}

/// `GET` of a form's target (the language switch on a form's answer, a bookmark): the form
/// is on the start page.
async fn back_home() -> Redirect {
    Redirect::to("/teacher")
}

/// The signed-in teacher's (or principal's) school; 403 for other roles.
async fn own_school(state: &AppState, signed: &Signed) -> Result<School, WebError> {
    signed.require(&[Role::Teacher, Role::Principal])?;
    let id = signed.school_id().ok_or(WebError::Forbidden)?;
    Ok(state.store().school(id).await?)
}

/// A path segment, percent-encoded (`/` too).
fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The page of a class.
pub(crate) fn class_href(school_year: &str, class_name: &str) -> String {
    format!(
        "/teacher/classes/{}/{}",
        segment(school_year),
        segment(class_name)
    )
}

/// A problem's message without its place (`Dòng 3, cột «Toán»: `), for a cell or a field.
fn rule_text(message: &str) -> &str {
    if message.starts_with("Dòng ") || message.starts_with("Row ") {
        message.split_once(": ").map_or(message, |(_, m)| m)
    } else {
        message
    }
}

/// A rule's message as a page shows it: without its place in the sheet (when `cell`), the
/// field's JSON pointer or the rule's code (the field's name and the rule in words stay).
fn plain(message: &str, pointer: &str, rule: &str, cell: bool) -> String {
    let place = if pointer.is_empty() { "/" } else { pointer };
    let text = if cell { rule_text(message) } else { message };
    text.replace(&format!(" (`{place}`)"), "")
        .replace(&format!(" (quy tắc `{rule}`)"), "")
        .replace(&format!(" (rule `{rule}`)"), "")
}

/// A row problem's message in `lang`, as [`plain`] says.
fn row_message(p: &crate::import::RowProblem, lang: super::lang::Lang, cell: bool) -> String {
    plain(
        lang.t(&p.message_vi, &p.message_en),
        &p.field,
        &p.rule,
        cell,
    )
}

/// A cell's message: a value the column does not accept says, in words, what it accepts (the
/// rules' own message names the record's codes, not what the sheet's cell may hold).
fn cell_message(
    p: &crate::import::RowProblem,
    accepts: Option<&str>,
    lang: super::lang::Lang,
) -> String {
    let Some(accepts) = accepts.filter(|_| p.rule == "value-not-allowed") else {
        return row_message(p, lang, true);
    };
    let value = match &p.value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let (vi, en) = match accepts.strip_suffix(" (hoặc mã / or the code)") {
        Some(labels) => (labels, labels),
        None => accepts.split_once(" / ").unwrap_or((accepts, accepts)),
    };
    match lang {
        super::lang::Lang::Vi => {
            format!("«{value}» không phải giá trị được phép của cột này; hãy ghi: {vi}.")
        }
        super::lang::Lang::En => format!("«{value}» is not allowed in this column; write: {en}."),
    }
}

#[cfg(test)]
mod tests {
    use super::{class_href, plain, rule_text};

    #[test]
    fn messages_lose_pointers_and_codes() {
        assert_eq!(
            plain(
                "Dòng 2, cột «Toán»: Điểm (`/a/b`), giá trị 11: phải từ 0 đến 10 (quy tắc `score-range`).",
                "/a/b",
                "score-range",
                true
            ),
            "Điểm, giá trị 11: phải từ 0 đến 10."
        );
    }

    #[test]
    fn class_links_encode_each_segment_and_messages_lose_their_place() {
        assert_eq!(
            class_href("2025-2026", "10A1/2 chuyên"),
            "/teacher/classes/2025-2026/10A1%2F2%20chuy%C3%AAn"
        );
        assert_eq!(
            rule_text("Dòng 3, cột «Toán»: điểm phải từ 0 đến 10"),
            "điểm phải từ 0 đến 10"
        );
        assert_eq!(rule_text("Row 2: not saved"), "not saved");
    }
}
