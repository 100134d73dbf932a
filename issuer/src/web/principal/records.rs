//! One record of the school (`/school/records/{id}`): whose it is, its state, what the rules
//! find, its credential; its PDF preview (`…/pdf`, inline, a file name without personal
//! data); validating a draft; revoking a signed record with a reason (published in the
//! status list, so short and without personal data); starting its correction once revoked.
//! The revoked record and its correction link each other (`app::correction`).

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::super::error::WebError;
use super::super::lang::Lang;
use super::super::page::{Layout, local_time, render, security_headers};
use super::super::session::Signed;
use super::my_school;
use super::overview::state_label;
use crate::api::AppState;
use crate::app::names::pupil_name;
use crate::app::overview::problems_of;
use crate::error::IssuerError;
use crate::store::{RecordState, Scope};

struct ProblemLine {
    error: bool,
    text: String,
}

#[derive(Template)]
#[template(path = "web/principal/record.html")]
struct RecordPage {
    layout: Layout,
    id: String,
    class_href: String,
    class: String,
    year: String,
    state: &'static str,
    badge: &'static str,
    draft: bool,
    signed: bool,
    revoked: bool,
    problems: Vec<ProblemLine>,
    credential_id: Option<String>,
    issued_at: Option<String>,
    revoked_at: Option<String>,
    reason: Option<String>,
    replaces: Option<String>,
    replaced_by: Option<String>,
    message: Option<String>,
    reason_value: String,
}

/// The record page, with `message` (a refusal) when given.
async fn page(
    state: &AppState,
    signed: &Signed,
    id: &str,
    status: StatusCode,
    message: Option<String>,
    reason_value: String,
) -> Result<Response, WebError> {
    let school = my_school(state, signed).await?;
    let lang = signed.lang;
    let record = state.store().record(&school.id, id).await?;
    let links = state.issuer().record_links(&school, &record).await?;
    let problems: Vec<_> = match record.state {
        RecordState::Draft | RecordState::Validated => problems_of(&record.record_json),
        _ => Vec::new(),
    };
    let blocked = record.state == RecordState::Draft && problems.iter().any(|p| p.is_error());
    let (label, badge) = state_label(record.state, blocked, lang);
    let name = pupil_name(&record.record_json).unwrap_or_default();
    let title_vi = format!("Học bạ của {name}");
    let title_en = format!("Record of {name}");
    let credential = links.credential.as_ref();
    Ok(render(
        status,
        &RecordPage {
            layout: signed.layout(&title_vi, &title_en),
            class_href: super::class_href(&record.school_year, &record.class_name, None),
            class: record.class_name.clone(),
            year: record.school_year.clone(),
            state: label,
            badge,
            draft: record.state == RecordState::Draft && !blocked,
            signed: record.state == RecordState::Signed,
            revoked: record.state == RecordState::Revoked,
            problems: problems
                .iter()
                .map(|p| ProblemLine {
                    error: p.is_error(),
                    text: lang.t(&p.message_vi, &p.message_en).to_owned(),
                })
                .collect(),
            credential_id: credential.map(|c| c.id.clone()),
            issued_at: credential.map(|c| local_time(c.issued_at)),
            revoked_at: credential.and_then(|c| c.revoked_at).map(local_time),
            reason: credential.and_then(|c| c.revocation_reason.clone()),
            replaces: links.replaces.map(|(record_id, _)| record_id),
            replaced_by: links.replaced_by,
            message,
            reason_value,
            id: record.id,
        },
    ))
}

/// `GET /school/records/{id}`.
pub(super) async fn show(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    page(&state, &signed, &id, StatusCode::OK, None, String::new()).await
}

/// `GET /school/records/{id}/pdf`: the record's PDF shown in the browser (audited as a copy).
pub(super) async fn pdf(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let school = my_school(&state, &signed).await?;
    let credential = state.store().credential_for_record(&school.id, &id).await?;
    let (_, bytes) = state
        .issuer()
        .credential_pdf(
            &Scope::School(school.id.clone()),
            &credential.id,
            Some(&signed.account().id),
            state.now(),
        )
        .await?;
    let short = crate::app::names::short_id(&credential.id);
    Ok(file_response(
        bytes,
        "application/pdf",
        &format!("inline; filename=\"hoc-ba-{short}.pdf\""),
    ))
}

/// A file answer with the pages' security headers.
pub(super) fn file_response(
    bytes: Vec<u8>,
    content_type: &'static str,
    disposition: &str,
) -> Response {
    let mut r = (StatusCode::OK, bytes).into_response();
    let h = r.headers_mut();
    security_headers(h);
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

#[derive(Deserialize)]
pub(super) struct RevokeForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// `POST /school/records/{id}/revoke`: a reason the status list's rule refuses shows the page
/// again with the rule in words and the reason typed.
pub(super) async fn revoke(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<RevokeForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let school = my_school(&state, &signed).await?;
    let credential = state.store().credential_for_record(&school.id, &id).await?;
    if credential.revoked_at.is_some() {
        // A second click: it is revoked already.
        return Ok(Redirect::to(&format!("/school/records/{id}")).into_response());
    }
    let reason = form.reason.trim();
    match state
        .issuer()
        .revoke(
            &Scope::School(school.id.clone()),
            &credential.id,
            reason,
            Some(&signed.account().id),
            "web",
            state.now(),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/school/records/{id}")).into_response()),
        Err(IssuerError::RevocationReason {
            message_vi,
            message_en,
            ..
        }) => {
            let message = match signed.lang {
                Lang::Vi => format!("Chưa thu hồi: lý do không hợp lệ — {message_vi}"),
                Lang::En => format!("Not revoked: the reason is refused — {message_en}"),
            };
            page(
                &state,
                &signed,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(message),
                form.reason.clone(),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /school/records/{id}/correct`: the correction's draft (the same one on a second
/// click), then its page.
pub(super) async fn correct(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<super::super::auth::CsrfOnly>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let school = my_school(&state, &signed).await?;
    let draft = state
        .issuer()
        .start_correction(&school, Some(&signed.account().id), &id, state.now())
        .await?;
    Ok(Redirect::to(&format!("/school/records/{}", draft.id)).into_response())
}

#[derive(Deserialize)]
pub(super) struct ValidateForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    accept_warnings: Option<String>,
}

/// `POST /school/records/{id}/validate`: a record the rules refuse shows its page again with
/// what to correct.
pub(super) async fn validate(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<ValidateForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let school = my_school(&state, &signed).await?;
    let lang = signed.lang;
    match state
        .issuer()
        .validate_record(
            &school,
            Some(&signed.account().id),
            &id,
            None,
            form.accept_warnings.is_some(),
            state.now(),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/school/records/{id}")).into_response()),
        Err(IssuerError::InvalidRecord(_)) => {
            let message = lang
                .t(
                    "Chưa duyệt: hồ sơ còn lỗi (xem danh sách bên dưới). Hãy sửa rồi duyệt lại.",
                    "Not validated: the record has errors (listed below). Correct them, then validate again.",
                )
                .to_owned();
            page(
                &state,
                &signed,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(message),
                String::new(),
            )
            .await
        }
        Err(IssuerError::UnacceptedWarnings(_)) => {
            let message = lang
                .t(
                    "Chưa duyệt: hồ sơ có cảnh báo. Hãy đọc các cảnh báo bên dưới, đánh dấu \"Chấp nhận cảnh báo\" rồi duyệt lại.",
                    "Not validated: the record has warnings. Read them below, tick \"Accept the warnings\" and validate again.",
                )
                .to_owned();
            page(
                &state,
                &signed,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(message),
                String::new(),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
