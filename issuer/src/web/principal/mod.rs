//! The web app: the principal's pages (`/school`): the school year at a glance, each class's
//! records by state, a record with its PDF preview, revocation and re-issue, signing with a
//! live progress bar and the class ZIP, the re-issue list after a key compromise, and the
//! school's audit log. Every page needs the principal role (a teacher gets the 403 page) and
//! reads only the signed-in principal's school (another school's id is the 404 page).
//!
//! * `overview.rs` — `/school` and a class's list of names;
//! * `records.rs` — one record: PDF, validate, revoke, start a correction;
//! * `signing.rs` — the sign button, the batch page and its progress, the class ZIP;
//! * `journal.rs` — the re-issue list and the audit log.

mod journal;
mod overview;
mod records;
mod signing;

use axum::Router;
use axum::routing::{get, post};

use super::error::WebError;
use super::session::Signed;
use crate::api::AppState;
use crate::store::{Role, School};

/// This area's routes.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/school", get(overview::home))
        .route("/school/classes/{year}/{class}", get(overview::roster))
        .route("/school/classes/{year}/{class}/zip", get(signing::zip))
        .route("/school/records/{id}", get(records::show))
        .route("/school/records/{id}/pdf", get(records::pdf))
        .route("/school/records/{id}/validate", post(records::validate))
        .route("/school/records/{id}/revoke", post(records::revoke))
        .route("/school/records/{id}/correct", post(records::correct))
        .route("/school/sign", post(signing::sign))
        .route("/school/batches/{id}", get(signing::batch))
        .route("/school/batches/{id}/progress", get(signing::progress))
        .route("/school/reissue", get(journal::reissue))
        .route("/school/audit", get(journal::audit))
}

/// The signed-in principal's school (the 403 page for anyone else).
async fn my_school(state: &AppState, signed: &Signed) -> Result<School, WebError> {
    signed.require(&[Role::Principal])?;
    let id = signed.school_id().ok_or(WebError::Forbidden)?;
    Ok(state.store().school(id).await?)
}

/// The link of a class's list of names, optionally of one state.
fn class_href(year: &str, class: &str, state: Option<&str>) -> String {
    let base = format!(
        "/school/classes/{}/{}",
        super::session::urlencode(year),
        super::session::urlencode(class)
    );
    match state {
        Some(s) => format!("{base}?state={s}"),
        None => base,
    }
}
