//! `/account/tokens`: a signed-in person makes, lists and revokes their own API tokens (for
//! software; people use the pages). A new token's secret is shown once, on the page that
//! answers the form, and never again.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::error::WebError;
use super::page::{Layout, local_time, render};
use super::session::Signed;
use crate::api::AppState;

/// A token as a row of the table.
struct Row {
    id: String,
    short_id: String,
    created: String,
    expires: String,
    state: &'static str,
    active: bool,
}

#[derive(Template)]
#[template(path = "web/tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<Row>,
    new_secret: Option<String>,
}

async fn page(
    state: &AppState,
    signed: &Signed,
    new_secret: Option<String>,
) -> Result<Response, WebError> {
    let now = state.now();
    let lang = signed.lang;
    let tokens = state
        .issuer()
        .own_tokens(signed.account())
        .await?
        .into_iter()
        .map(|t| {
            let (state, active) = if t.revoked_at.is_some() {
                (lang.t("Đã thu hồi", "Revoked"), false)
            } else if t.expires_at <= now {
                (lang.t("Hết hạn", "Expired"), false)
            } else {
                (lang.t("Đang dùng", "Active"), true)
            };
            Row {
                short_id: t.id.chars().take(8).collect(),
                id: t.id,
                created: local_time(t.created_at),
                expires: local_time(t.expires_at),
                state,
                active,
            }
        })
        .collect();
    let layout = signed.layout("Mã truy cập API", "API tokens");
    let status = if new_secret.is_some() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(render(
        status,
        &TokensPage {
            layout,
            tokens,
            new_secret,
        },
    ))
}

/// `GET /account/tokens`.
pub(super) async fn list(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Response, WebError> {
    page(&state, &signed, None).await
}

#[derive(Deserialize)]
pub(super) struct CreateForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    days: String,
}

/// `POST /account/tokens`: a new token, shown once.
pub(super) async fn create(
    State(state): State<AppState>,
    signed: Signed,
    Form(form): Form<CreateForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let days = form.days.trim().parse::<i64>().unwrap_or(0);
    let token = state
        .issuer()
        .create_own_token(signed.account(), days, state.now())
        .await?;
    page(&state, &signed, Some(token.secret.expose().to_owned())).await
}

/// `POST /account/tokens/{id}/revoke`.
pub(super) async fn revoke(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<super::auth::CsrfOnly>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    state
        .issuer()
        .revoke_own_token(signed.account(), &id, state.now())
        .await?;
    Ok(Redirect::to("/account/tokens").into_response())
}
