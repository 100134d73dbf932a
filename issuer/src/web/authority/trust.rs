//! `/authority/trust-list`: the published versions of the trust list, newest first, and the
//! button that publishes the next one (`app::trust_publish`: signed by the service's
//! authority key, served at once, and the service signs with the keys it makes active). The
//! form carries the newest version the page showed, so a second press publishes nothing.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::super::error::WebError;
use super::super::lang::Lang;
use super::super::page::{Layout, local_time, render};
use super::super::session::Signed;
use super::{Tab, actor, refusal, tabs};
use crate::api::AppState;
use crate::app::trust_publish::Published;
use crate::authority::DEFAULT_NEXT_DUE_DAYS;
use crate::store::Role;

struct VersionLine {
    version: u64,
    made: String,
    next_due: String,
    source: &'static str,
    sha256: String,
}

/// The publish form.
#[derive(Debug, Deserialize)]
pub(super) struct PublishForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    next_due_days: String,
    /// The newest version the page showed (empty: none).
    #[serde(default)]
    after: String,
}

#[derive(Template)]
#[template(path = "web/authority/trust.html")]
struct TrustPage {
    layout: Layout,
    tabs: Vec<Tab>,
    versions: Vec<VersionLine>,
    latest: String,
    days: String,
    message: Option<String>,
    done: Option<String>,
}

async fn page(
    state: &AppState,
    signed: &Signed,
    status: StatusCode,
    message: Option<String>,
    done: Option<String>,
) -> Result<Response, WebError> {
    signed.require(&[Role::Authority])?;
    let lang = signed.lang;
    let versions: Vec<VersionLine> = state
        .store()
        .trust_versions(50)
        .await?
        .into_iter()
        .map(|v| VersionLine {
            version: v.version,
            made: local_time(v.made_at),
            next_due: local_time(v.next_due),
            source: match v.source.as_str() {
                "publish" => lang.t("Sở xuất bản", "Published"),
                _ => lang.t("Nhập từ thư mục khoá", "Imported from the key folder"),
            },
            sha256: v.sha256.get(..16).unwrap_or(&v.sha256).to_owned(),
        })
        .collect();
    Ok(render(
        status,
        &TrustPage {
            layout: signed.layout("Danh sách tin cậy", "Trust list"),
            tabs: tabs(lang, "/authority/trust-list"),
            latest: versions
                .first()
                .map(|v| v.version.to_string())
                .unwrap_or_default(),
            versions,
            days: DEFAULT_NEXT_DUE_DAYS.to_string(),
            message,
            done,
        },
    ))
}

/// `GET /authority/trust-list`.
pub(super) async fn list(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Response, WebError> {
    page(&state, &signed, StatusCode::OK, None, None).await
}

/// `POST /authority/trust-list`: publishes the next version.
pub(super) async fn publish(
    State(state): State<AppState>,
    signed: Signed,
    Form(form): Form<PublishForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    signed.require(&[Role::Authority])?;
    let lang = signed.lang;
    let days = match form.next_due_days.trim() {
        "" => Some(DEFAULT_NEXT_DUE_DAYS),
        d => d.parse::<u32>().ok(),
    };
    let after = form.after.trim().parse::<u64>().ok();
    let Some(days) = days else {
        let message = lang
            .t(
                "Số ngày đến phiên bản sau phải là một số từ 1 đến 3650.",
                "Days until the next version must be a number from 1 to 3650.",
            )
            .to_owned();
        return page(
            &state,
            &signed,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(message),
            None,
        )
        .await;
    };
    let now = state.now();
    match state
        .issuer()
        .publish_trust_list(days, after, actor(&signed, now))
        .await
    {
        Ok(Published::New(v)) => {
            let done = match lang {
                Lang::Vi => format!(
                    "Đã xuất bản phiên bản {}; hệ thống ký bằng các khoá của phiên bản này từ bây giờ.",
                    v.version
                ),
                Lang::En => format!(
                    "Version {} published; the service signs with its keys from now on.",
                    v.version
                ),
            };
            page(&state, &signed, StatusCode::CREATED, None, Some(done)).await
        }
        Ok(Published::Already(v)) => {
            let done = match lang {
                Lang::Vi => format!(
                    "Phiên bản {} đã được xuất bản trước đó; không xuất bản thêm.",
                    v.version
                ),
                Lang::En => format!(
                    "Version {} was already published; nothing more was published.",
                    v.version
                ),
            };
            page(&state, &signed, StatusCode::OK, None, Some(done)).await
        }
        Err(e) => {
            let message = refusal(
                e,
                lang,
                (
                    "Máy chủ này không có khoá của Sở (authority.pem) dùng được, nên không xuất bản được. Hãy báo bộ phận kĩ thuật.",
                    "This server has no usable authority key (authority.pem), so it cannot publish. Tell the technical staff.",
                ),
            )?;
            page(&state, &signed, StatusCode::CONFLICT, Some(message), None).await
        }
    }
}
