//! `/accounts`: the authority creates principals (naming the school), other authority
//! accounts and portals; a principal creates the teachers and guardians of their school. Both
//! disable accounts they manage and make a new one-time password link (a forgotten
//! password). The rules are the application layer's (`app::accounts`); this page shows them.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::error::WebError;
use super::lang::Lang;
use super::page::{Layout, render, role_label};
use super::session::Signed;
use crate::api::AppState;
use crate::app::accounts::{AccountRequest, Secret};
use crate::error::IssuerError;
use crate::store::{Account, Role};

struct RoleOption {
    value: &'static str,
    label: &'static str,
}

struct AccountRow {
    id: String,
    name: String,
    login: String,
    role: &'static str,
    state: &'static str,
    manageable: bool,
}

struct NewLink {
    heading: String,
    url: String,
}

/// What the form held, to show it again after a refusal.
#[derive(Default, Deserialize)]
pub(super) struct AccountForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    school_code: String,
    #[serde(default)]
    pupil: String,
}

#[derive(Template)]
#[template(path = "web/accounts.html")]
struct AccountsPage {
    layout: Layout,
    authority: bool,
    roles: Vec<RoleOption>,
    accounts: Vec<AccountRow>,
    form: AccountForm,
    message: Option<String>,
    new_link: Option<NewLink>,
}

fn roles_for(role: Role, lang: Lang) -> Vec<RoleOption> {
    let roles: &[Role] = match role {
        Role::Authority => &[Role::Principal, Role::Authority, Role::Portal],
        _ => &[Role::Teacher, Role::Guardian],
    };
    roles
        .iter()
        .map(|r| RoleOption {
            value: r.as_str(),
            label: role_label(*r, lang),
        })
        .collect()
}

fn link_url(state: &AppState, secret: &Secret) -> String {
    format!(
        "{}/setup/{}",
        state.config().public_base.trim_end_matches('/'),
        secret.expose()
    )
}

async fn page(
    state: &AppState,
    signed: &Signed,
    status: StatusCode,
    form: AccountForm,
    message: Option<String>,
    new_link: Option<NewLink>,
) -> Result<Response, WebError> {
    signed.require(&[Role::Principal, Role::Authority])?;
    let lang = signed.lang;
    let me = signed.account();
    let accounts = state
        .issuer()
        .managed_accounts(me)
        .await?
        .into_iter()
        .map(|a| {
            let manageable = a.id != me.id
                && a.disabled_at.is_none()
                && match me.role {
                    Role::Principal => matches!(a.role, Role::Teacher | Role::Guardian),
                    _ => true,
                };
            AccountRow {
                state: if a.disabled_at.is_some() {
                    lang.t("Đã khoá", "Disabled")
                } else if a.password_hash.is_none() {
                    lang.t("Chưa đặt mật khẩu", "No password yet")
                } else {
                    lang.t("Đang dùng", "Active")
                },
                role: role_label(a.role, lang),
                login: a.login.clone().unwrap_or_default(),
                name: a.display_name,
                id: a.id,
                manageable,
            }
        })
        .collect();
    let layout = signed.layout("Tài khoản", "Accounts");
    Ok(render(
        status,
        &AccountsPage {
            layout,
            authority: me.role == Role::Authority,
            roles: roles_for(me.role, lang),
            accounts,
            form,
            message,
            new_link,
        },
    ))
}

/// `GET /accounts`.
pub(super) async fn list(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Response, WebError> {
    page(
        &state,
        &signed,
        StatusCode::OK,
        AccountForm::default(),
        None,
        None,
    )
    .await
}

/// `POST /accounts`: creates an account and shows its one-time link.
pub(super) async fn create(
    State(state): State<AppState>,
    signed: Signed,
    Form(form): Form<AccountForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    signed.require(&[Role::Principal, Role::Authority])?;
    let lang = signed.lang;
    let Ok(role) = form.role.parse::<Role>() else {
        return Err(WebError::BadRequest);
    };
    let request = AccountRequest {
        login: form.login.clone(),
        display_name: form.display_name.clone(),
        role,
        school_code: Some(form.school_code.clone()),
        pupil: Some(form.pupil.clone()),
    };
    match state
        .issuer()
        .create_account(signed.account(), request, state.now())
        .await
    {
        Ok((account, secret)) => {
            let heading = match lang {
                Lang::Vi => format!("Đã tạo tài khoản cho {}.", account.display_name),
                Lang::En => format!("Account made for {}.", account.display_name),
            };
            let url = link_url(&state, &secret);
            page(
                &state,
                &signed,
                StatusCode::CREATED,
                AccountForm::default(),
                None,
                Some(NewLink { heading, url }),
            )
            .await
        }
        Err(IssuerError::Invalid(r)) => {
            let message = lang.t(&r.message_vi, &r.message_en).to_owned();
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
        Err(IssuerError::Store(crate::store::StoreError::Conflict { .. })) => {
            let message = match lang {
                Lang::Vi => format!(
                    "Tên đăng nhập {} đã có người dùng. Hãy chọn tên khác, ví dụ thêm năm sinh.",
                    form.login.trim()
                ),
                Lang::En => format!(
                    "The sign-in name {} is taken. Choose another, e.g. add a year.",
                    form.login.trim()
                ),
            };
            page(
                &state,
                &signed,
                StatusCode::CONFLICT,
                form,
                Some(message),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /accounts/{id}/disable`.
pub(super) async fn disable(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<super::auth::CsrfOnly>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    signed.require(&[Role::Principal, Role::Authority])?;
    state
        .issuer()
        .disable_account(signed.account(), &id, state.now())
        .await?;
    page(
        &state,
        &signed,
        StatusCode::OK,
        AccountForm::default(),
        None,
        None,
    )
    .await
}

/// `POST /accounts/{id}/link`: a new one-time password link.
pub(super) async fn new_link(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<super::auth::CsrfOnly>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    signed.require(&[Role::Principal, Role::Authority])?;
    let me: &Account = signed.account();
    let secret = state
        .issuer()
        .reset_password_link(me, &id, state.now())
        .await?;
    let heading = signed
        .lang
        .t("Liên kết đặt mật khẩu mới.", "A new password link.")
        .to_owned();
    let url = link_url(&state, &secret);
    page(
        &state,
        &signed,
        StatusCode::OK,
        AccountForm::default(),
        None,
        Some(NewLink { heading, url }),
    )
    .await
}
