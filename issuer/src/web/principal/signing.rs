//! Signing from the browser: the sign button (`POST /school/sign`, a class or the whole
//! school year) starts the application layer's batch (`app::sign`), then the batch page
//! (`/school/batches/{id}`) shows a `<progress>` that the small script updates from
//! `…/progress` (JSON `{percent, done, label}`, this session only) and, without the script,
//! a reload link. Done, it links to the class ZIP (`/school/classes/{year}/{class}/zip`).
//!
//! Where the principal's key is on a token, the forms have a PIN field ("Mã PIN chữ ký số
//! của Hiệu trưởng"): the PIN unlocks the key for that batch only (`app::signed_pdfs`); a
//! missing or wrong one is the form's error page and signs nothing.
//!
//! A double click signs once: the form carries a nonce made when the page was drawn, and the
//! batch's idempotency key is derived from the account, the scope and that nonce, so the
//! second request joins the batch the first one started.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Redirect, Response};
use serde::{Deserialize, Serialize};

use super::super::error::WebError;
use super::super::lang::Lang;
use super::super::page::{Layout, render};
use super::super::session::{Signed, urlencode};
use super::records::file_response;
use super::{class_href, my_school};
use crate::api::AppState;
use crate::app::sign::{ItemOutcome, SignRequest};
use crate::batch::sha256_hex;
use crate::error::IssuerError;
use crate::store::{Batch, BatchState};
use crate::token::principal::PrincipalPin;
use zeroize::Zeroize;

#[derive(Deserialize)]
pub(super) struct SignForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    class: Option<String>,
    #[serde(default)]
    nonce: String,
    /// The principal's PIN, where the key is on a token (wiped once read).
    #[serde(default)]
    pin: String,
}

/// `POST /school/sign`.
pub(super) async fn sign(
    State(state): State<AppState>,
    signed: Signed,
    Form(mut form): Form<SignForm>,
) -> Result<Response, WebError> {
    let principal_pin = PrincipalPin::new(&form.pin);
    form.pin.zeroize();
    signed.check_csrf(&form.csrf)?;
    let school = my_school(&state, &signed).await?;
    let year = form.year.trim();
    let class = form
        .class
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if year.is_empty() || form.nonce.trim().is_empty() {
        return Err(WebError::BadRequest);
    }
    let key = format!(
        "web:{}",
        sha256_hex(
            format!(
                "{}\n{year}\n{}\n{}",
                signed.account().id,
                class.unwrap_or(""),
                form.nonce.trim()
            )
            .as_bytes()
        )
    );
    let request = SignRequest {
        school_year: Some(year.to_owned()),
        class_name: class.map(str::to_owned),
        record_ids: None,
        principal_pin,
    };
    let started = state
        .issuer()
        .start_signing(
            &school,
            Some(&signed.account().id),
            &key,
            &request,
            state.now(),
        )
        .await;
    let batch = match started {
        Ok(
            crate::app::sign::Started::Signed(b)
            | crate::app::sign::Started::Background(b)
            | crate::app::sign::Started::Retry(b),
        ) => b,
        Err(IssuerError::NothingToSign {
            scope_vi,
            scope_en,
            drafts,
        }) => {
            return Err(WebError::Conflict(
                format!(
                    "Không có hồ sơ đã duyệt nào để ký số ({scope_vi}); {drafts} hồ sơ nháp đang \
                     chờ duyệt. Hãy duyệt các hồ sơ trước, rồi ký số."
                ),
                format!(
                    "Nothing validated to sign ({scope_en}); {drafts} draft(s) wait for \
                     validation. Validate them first, then sign."
                ),
            ));
        }
        Err(IssuerError::IdempotencyConflict { .. }) => {
            // The same form sent again after the class changed (e.g. the back button).
            return Err(WebError::Conflict(
                "Biểu mẫu ký số này đã được gửi trước đó, và danh sách hồ sơ đã thay đổi từ \
                 lúc ấy. Hãy mở lại trang lớp rồi bấm ký số lại: hồ sơ đã ký không bị ký lần \
                 nữa."
                    .to_owned(),
                "This signing form was sent before, and the records have changed since. Open \
                 the class page again and press sign again: nothing signed is signed twice."
                    .to_owned(),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let mut to = format!("/school/batches/{}?year={}", batch.id, urlencode(year));
    if let Some(c) = class {
        to.push_str(&format!("&class={}", urlencode(c)));
    }
    Ok(Redirect::to(&to).into_response())
}

#[derive(Deserialize)]
pub(super) struct ScopeQuery {
    #[serde(default)]
    year: Option<String>,
    #[serde(default)]
    class: Option<String>,
}

/// How far a batch is, in percent (a batch of nothing is done).
fn percent(b: &Batch) -> i64 {
    if b.total <= 0 {
        return 100;
    }
    ((b.succeeded + b.failed) * 100 / b.total).clamp(0, 100)
}

fn finished(b: &Batch) -> bool {
    matches!(b.state, BatchState::Done | BatchState::Failed)
}

fn label(b: &Batch, lang: Lang) -> String {
    match lang {
        Lang::Vi => format!(
            "Đã ký {}/{} hồ sơ{}",
            b.succeeded,
            b.total,
            if b.failed > 0 {
                format!(", {} hồ sơ không ký được", b.failed)
            } else {
                String::new()
            }
        ),
        Lang::En => format!(
            "{}/{} records signed{}",
            b.succeeded,
            b.total,
            if b.failed > 0 {
                format!(", {} failed", b.failed)
            } else {
                String::new()
            }
        ),
    }
}

struct Failure {
    name: String,
    class: String,
    error: String,
}

#[derive(Template)]
#[template(path = "web/principal/batch.html")]
struct BatchPage {
    layout: Layout,
    id: String,
    self_href: String,
    percent: i64,
    done: bool,
    failed_batch: bool,
    label: String,
    zip: Option<String>,
    back: String,
    failures: Vec<Failure>,
}

/// `GET /school/batches/{id}`.
pub(super) async fn batch(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Query(q): Query<ScopeQuery>,
) -> Result<Response, WebError> {
    let school = my_school(&state, &signed).await?;
    let b = state.store().batch(&school.id, &id).await?;
    let done = finished(&b);
    let items: Vec<ItemOutcome> = b
        .report_json
        .as_deref()
        .and_then(|r| serde_json::from_str::<serde_json::Value>(r).ok())
        .and_then(|v| serde_json::from_value(v.get("items")?.clone()).ok())
        .unwrap_or_default();
    let failures = items
        .into_iter()
        .filter(|i| i.outcome == "failed")
        .map(|i| Failure {
            name: i
                .pupil
                .as_ref()
                .map(|p| p.pupil_name.clone())
                .unwrap_or_default(),
            class: i
                .pupil
                .as_ref()
                .map(|p| p.class_name.clone())
                .unwrap_or_default(),
            error: i.error.unwrap_or_default(),
        })
        .collect();
    let year = q.year.unwrap_or_default();
    let zip = match (&q.class, done && b.succeeded > 0) {
        (Some(c), true) if !year.is_empty() => Some(format!("{}/zip", class_href(&year, c, None))),
        _ => None,
    };
    let back = match &q.class {
        Some(c) if !year.is_empty() => class_href(&year, c, None),
        _ => format!("/school?year={}", urlencode(&year)),
    };
    let mut layout = signed.layout("Ký số học bạ", "Signing records");
    layout.script = !done;
    let self_href = layout.path.clone();
    Ok(render(
        StatusCode::OK,
        &BatchPage {
            layout,
            id: b.id.clone(),
            self_href,
            percent: percent(&b),
            done,
            failed_batch: b.state == BatchState::Failed,
            label: label(&b, signed.lang),
            zip,
            back,
            failures,
        },
    ))
}

#[derive(Serialize)]
struct Progress {
    percent: i64,
    done: bool,
    label: String,
}

/// `GET /school/batches/{id}/progress`: what the progress bar polls.
pub(super) async fn progress(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let school = my_school(&state, &signed).await?;
    let b = state.store().batch(&school.id, &id).await?;
    let mut r = Json(Progress {
        percent: percent(&b),
        done: finished(&b),
        label: label(&b, signed.lang),
    })
    .into_response();
    super::super::page::security_headers(r.headers_mut());
    Ok(r)
}

/// `GET /school/classes/{year}/{class}/zip`: the PDFs of the class's signed records (the 404
/// page for a class without any).
pub(super) async fn zip(
    State(state): State<AppState>,
    signed: Signed,
    Path((year, class)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let school = my_school(&state, &signed).await?;
    let any = state
        .store()
        .list_class_credentials(&school.id, &year, &class)
        .await?
        .iter()
        .any(|c| c.revoked_at.is_none());
    if !any {
        return Err(WebError::NotFound);
    }
    let bytes = state
        .issuer()
        .class_zip(
            &school,
            &year,
            &class,
            Some(&signed.account().id),
            state.now(),
        )
        .await?;
    let name = format!(
        "hoc-ba-{}-{}.zip",
        crate::app::render::safe(&year),
        crate::app::render::safe(&class)
    );
    Ok(file_response(
        bytes,
        "application/zip",
        &format!("attachment; filename=\"{name}\""),
    ))
}
