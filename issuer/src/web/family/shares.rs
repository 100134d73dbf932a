//! `/family/shares`: the family makes a share code for chosen records (a purpose, an expiry of
//! 1–90 days, optionally the one portal that may use it), sees every code with every use of
//! it (who, when, what came of it) and withdraws a code. A new code is shown once, on the page
//! that answers the form (201), like an API token; a refused form comes back filled in, with
//! the message in the page's language (422).

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::super::auth::CsrfOnly;
use super::super::error::WebError;
use super::super::lang::Lang;
use super::super::page::{Layout, local_time, render};
use super::super::session::Signed;
use super::who;
use crate::api::AppState;
use crate::app::family::FamilyShare;
use crate::app::share_codes::{DEFAULT_SHARE_DAYS, MAX_SHARE_DAYS, ShareRequest};
use crate::error::IssuerError;
use crate::store::{PupilCredential, Role, ShareRefusal, ShareState};

/// A record that can be chosen (not revoked).
struct Choice {
    id: String,
    label: String,
    checked: bool,
}

/// A use of a code as the list shows it.
struct UseRow {
    at: String,
    portal: String,
    outcome: &'static str,
    received: bool,
}

/// A code as the list shows it.
struct ShareRow {
    id: String,
    made: String,
    expires: String,
    purpose: String,
    records: Vec<String>,
    portal: String,
    state: &'static str,
    badge: &'static str,
    active: bool,
    uses: Vec<UseRow>,
}

/// What the form held, to show it again after a refusal.
#[derive(Default)]
struct ShareForm {
    credentials: Vec<String>,
    purpose: String,
    days: String,
    portal: String,
}

struct PortalOption {
    id: String,
    name: String,
}

/// A code just made (shown once).
struct NewCode {
    code: String,
    expires: String,
}

#[derive(Template)]
#[template(path = "web/family/shares.html")]
struct SharesPage {
    layout: Layout,
    pupil: String,
    max_days: i64,
    choices: Vec<Choice>,
    portals: Vec<PortalOption>,
    form: ShareForm,
    message: Option<String>,
    new_code: Option<NewCode>,
    shares: Vec<ShareRow>,
}

/// "Năm học 2025-2026 · lớp 11A2".
fn record_label(c: &PupilCredential, lang: Lang) -> String {
    match lang {
        Lang::Vi => format!(
            "Năm học {} · lớp {} (khối {})",
            c.school_year, c.class_name, c.grade
        ),
        Lang::En => format!(
            "School year {} · class {} (grade {})",
            c.school_year, c.class_name, c.grade
        ),
    }
}

fn state_label(state: ShareState, lang: Lang) -> (&'static str, &'static str) {
    match state {
        ShareState::Active => (lang.t("Đang hiệu lực", "Active"), "ok"),
        ShareState::Redeemed => (lang.t("Đã sử dụng", "Used"), "warn"),
        ShareState::Withdrawn => (lang.t("Đã rút lại", "Withdrawn"), "bad"),
        ShareState::Expired => (lang.t("Hết hạn", "Expired"), ""),
    }
}

fn outcome_label(refused: Option<ShareRefusal>, lang: Lang) -> &'static str {
    match refused {
        None => lang.t("Đã nhận học bạ", "Received the records"),
        Some(ShareRefusal::Used) => lang.t(
            "Bị từ chối: mã đã được dùng",
            "Refused: the code was already used",
        ),
        Some(ShareRefusal::Expired) => {
            lang.t("Bị từ chối: mã đã hết hạn", "Refused: the code had expired")
        }
        Some(ShareRefusal::Withdrawn) => lang.t(
            "Bị từ chối: mã đã bị rút lại",
            "Refused: the code was withdrawn",
        ),
        Some(ShareRefusal::Foreign) => lang.t(
            "Bị từ chối: không phải cổng tuyển sinh được chỉ định",
            "Refused: not the portal named for this code",
        ),
    }
}

fn share_row(s: FamilyShare, records: &[PupilCredential], lang: Lang) -> ShareRow {
    let (state, badge) = state_label(s.state, lang);
    let share = s.share;
    ShareRow {
        made: local_time(share.created_at),
        expires: local_time(share.expires_at),
        records: share
            .credential_ids
            .iter()
            .map(|id| {
                records
                    .iter()
                    .find(|c| &c.credential.id == id)
                    .map_or_else(|| id.clone(), |c| record_label(c, lang))
            })
            .collect(),
        portal: s.recipient_name.unwrap_or_else(|| {
            lang.t("Bất kỳ cổng tuyển sinh nào", "Any admissions portal")
                .to_owned()
        }),
        state,
        badge,
        active: s.state == ShareState::Active,
        uses: s
            .uses
            .into_iter()
            .map(|u| UseRow {
                at: local_time(u.at),
                portal: u
                    .portal_name
                    .or(u.portal_id)
                    .unwrap_or_else(|| "—".to_owned()),
                outcome: outcome_label(u.refused, lang),
                received: u.refused.is_none(),
            })
            .collect(),
        purpose: share.purpose,
        id: share.id,
    }
}

/// The page, with `form` (and `message`) or a `new_code`.
async fn page(
    state: &AppState,
    signed: &Signed,
    status: StatusCode,
    form: ShareForm,
    message: Option<String>,
    new_code: Option<NewCode>,
) -> Result<Response, WebError> {
    let lang = signed.lang;
    let issuer = state.issuer();
    let account = signed.account();
    let (pupil, _) = who(state, signed).await?;
    let records = issuer.family_records(account).await?;
    let only_one = records
        .iter()
        .filter(|c| c.credential.revoked_at.is_none())
        .count()
        == 1;
    let choices = records
        .iter()
        .filter(|c| c.credential.revoked_at.is_none())
        .map(|c| Choice {
            id: c.credential.id.clone(),
            label: record_label(c, lang),
            checked: form.credentials.contains(&c.credential.id)
                || (only_one && form.credentials.is_empty()),
        })
        .collect();
    let portals = issuer
        .family_portals()
        .await?
        .into_iter()
        .map(|p| PortalOption {
            id: p.id,
            name: p.name,
        })
        .collect();
    let shares = issuer
        .family_shares(account, state.now())
        .await?
        .into_iter()
        .map(|s| share_row(s, &records, lang))
        .collect();
    let mut layout = signed.layout("Chia sẻ học bạ", "Share records");
    layout.script = true;
    let form = ShareForm {
        days: if form.days.is_empty() {
            DEFAULT_SHARE_DAYS.to_string()
        } else {
            form.days
        },
        ..form
    };
    Ok(render(
        status,
        &SharesPage {
            layout,
            pupil,
            max_days: MAX_SHARE_DAYS,
            choices,
            portals,
            form,
            message,
            new_code,
            shares,
        },
    ))
}

/// `GET /family/shares`.
pub(super) async fn list(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Response, WebError> {
    signed.require(&[Role::Guardian])?;
    page(
        &state,
        &signed,
        StatusCode::OK,
        ShareForm::default(),
        None,
        None,
    )
    .await
}

/// The message of a refused share in `lang`, for the rules whose own English names a field.
fn refusal_text(rule: &str, vi: String, en: String, lang: Lang) -> String {
    match (rule, lang) {
        ("expires_in_days_range", Lang::Vi) => format!(
            "Thời hạn của mã phải từ 1 đến {MAX_SHARE_DAYS} ngày. Hãy nhập số ngày từ 1 đến \
             {MAX_SHARE_DAYS}."
        ),
        ("expires_in_days_range", Lang::En) => format!(
            "A code may last 1 to {MAX_SHARE_DAYS} days. Enter a number of days from 1 to \
             {MAX_SHARE_DAYS}."
        ),
        ("credentials_required", Lang::Vi) => "Hãy chọn ít nhất một học bạ để chia sẻ.".to_owned(),
        ("purpose_required", Lang::Vi) => {
            "Hãy ghi mục đích chia sẻ, ví dụ: Tuyển sinh lớp 10 năm học 2026-2027.".to_owned()
        }
        (_, Lang::Vi) => vi,
        (_, Lang::En) => en,
    }
}

/// `POST /family/shares`: a new code, shown once. The form is read as pairs because the
/// records are repeated checkboxes.
pub(super) async fn create(
    State(state): State<AppState>,
    signed: Signed,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    signed.require(&[Role::Guardian])?;
    let mut csrf = String::new();
    let mut form = ShareForm::default();
    for (k, v) in pairs {
        match k.as_str() {
            "_csrf" => csrf = v,
            "credential" => form.credentials.push(v),
            "purpose" => form.purpose = v,
            "days" => form.days = v,
            "portal" => form.portal = v,
            _ => {}
        }
    }
    signed.check_csrf(&csrf)?;
    let lang = signed.lang;
    let Ok(days) = form.days.trim().parse::<i64>() else {
        let message = refusal_text("expires_in_days_range", String::new(), String::new(), lang);
        return page(
            &state,
            &signed,
            StatusCode::UNPROCESSABLE_ENTITY,
            form,
            Some(message),
            None,
        )
        .await;
    };
    let request = ShareRequest {
        credentials: form.credentials.clone(),
        purpose: form.purpose.clone(),
        expires_in_days: Some(days),
        recipient: Some(form.portal.trim().to_owned()).filter(|p| !p.is_empty()),
    };
    match state
        .issuer()
        .family_share(signed.account(), request, state.now())
        .await
    {
        Ok(created) => {
            let new_code = NewCode {
                code: created.code.expose(),
                expires: local_time(created.share.expires_at),
            };
            page(
                &state,
                &signed,
                StatusCode::CREATED,
                ShareForm::default(),
                None,
                Some(new_code),
            )
            .await
        }
        Err(IssuerError::Invalid(r)) => {
            let message = refusal_text(r.rule, r.message_vi, r.message_en, lang);
            page(
                &state,
                &signed,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                Some(message),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /family/shares/{id}/withdraw`.
pub(super) async fn withdraw(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, WebError> {
    signed.require(&[Role::Guardian])?;
    signed.check_csrf(&form.csrf)?;
    match state
        .issuer()
        .family_withdraw(signed.account(), &id, state.now())
        .await
    {
        Ok(_) => Ok(Redirect::to("/family/shares").into_response()),
        Err(IssuerError::Invalid(r)) => {
            let message = refusal_text(r.rule, r.message_vi, r.message_en, signed.lang);
            page(
                &state,
                &signed,
                StatusCode::CONFLICT,
                ShareForm::default(),
                Some(message),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
