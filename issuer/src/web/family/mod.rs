//! The web app: the family's pages: the child's records as PDFs, share codes and every use of
//! them. Only guardians (a guardian is bound to one pupil of one school); the use cases are
//! `app::family`'s, and another pupil's record or code is the 404 page.
//!
//! | route | what |
//! |---|---|
//! | `GET /family` | the child's records, each with its PDF |
//! | `GET /family/records/{id}/pdf` | a record's PDF, inline, named without personal data |
//! | `GET /family/shares` | the share form and every code with its uses |
//! | `POST /family/shares` | a new code, shown once on the page that answers |
//! | `POST /family/shares/{id}/withdraw` | withdraw a code |

mod shares;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::error::WebError;
use super::lang::Lang;
use super::page::{Layout, local_time, render};
use super::session::Signed;
use crate::api::AppState;
use crate::store::{PupilCredential, Role};

/// This area's routes.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/family", get(records))
        .route("/family/records/{id}/pdf", get(pdf))
        .route("/family/shares", get(shares::list).post(shares::create))
        .route("/family/shares/{id}/withdraw", post(shares::withdraw))
}

/// A record as a row of the family's table.
struct RecordRow {
    id: String,
    school_year: String,
    grade: i64,
    class_name: String,
    issued: String,
    revoked: bool,
    state: &'static str,
}

impl RecordRow {
    fn of(c: &PupilCredential, lang: Lang) -> Self {
        let revoked = c.credential.revoked_at.is_some();
        RecordRow {
            id: c.credential.id.clone(),
            school_year: c.school_year.clone(),
            grade: c.grade,
            class_name: c.class_name.clone(),
            issued: local_time(c.credential.issued_at),
            revoked,
            state: if revoked {
                lang.t("Đã thu hồi", "Revoked")
            } else {
                lang.t("Có hiệu lực", "Valid")
            },
        }
    }
}

#[derive(Template)]
#[template(path = "web/family/records.html")]
struct RecordsPage {
    layout: Layout,
    pupil: String,
    school: String,
    records: Vec<RecordRow>,
}

/// The guardian's pupil's name and school name, for the pages' lead line.
async fn who(state: &AppState, signed: &Signed) -> Result<(String, String), WebError> {
    let (school, pupil_id) = state.issuer().guardian_of(signed.account()).await?;
    let pupil = state.store().pupil(&school.id, &pupil_id).await?;
    Ok((pupil.full_name, school.name))
}

/// `GET /family`: the child's records.
async fn records(State(state): State<AppState>, signed: Signed) -> Result<Response, WebError> {
    signed.require(&[Role::Guardian])?;
    let (pupil, school) = who(&state, &signed).await?;
    let records = state
        .issuer()
        .family_records(signed.account())
        .await?
        .iter()
        .map(|c| RecordRow::of(c, signed.lang))
        .collect();
    Ok(render(
        StatusCode::OK,
        &RecordsPage {
            layout: signed.layout("Hồ sơ của con", "My child's records"),
            pupil,
            school,
            records,
        },
    ))
}

/// `GET /family/records/{id}/pdf`: the record's PDF, shown in the browser.
async fn pdf(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    signed.require(&[Role::Guardian])?;
    let (name, bytes) = state
        .issuer()
        .family_pdf(signed.account(), &id, state.now())
        .await?;
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    // Not the pages' Content-Security-Policy: the browser's own PDF viewer shows the file.
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}
