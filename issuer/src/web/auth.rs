//! Signing in and out, and setting a password through a one-time link (`/setup/{secret}`).
//!
//! These forms are shown to nobody signed in, so their CSRF token comes from a form cookie
//! (`hocba_form`, random, HttpOnly, SameSite=Strict) set when the form is shown: a page on
//! another site can neither read the cookie nor make the token (double submit, bound to the
//! cookie through [`csrf_token`]).

use askama::Template;
use axum::Form;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::error::WebError;
use super::lang::{Lang, cookie};
use super::page::{Layout, render};
use super::safe_next;
use super::session::{self, Signed, path_and_query};
use crate::api::AppState;
use crate::api::auth::ClientAddr;
use crate::app::accounts::{SignIn, csrf_token, same_secret};

const FORM_COOKIE: &str = "hocba_form";

/// The anonymous form's cookie, made when missing.
struct FormCookie {
    value: String,
    fresh: bool,
}

impl FormCookie {
    fn of(parts: &Parts) -> Result<Self, WebError> {
        if let Some(value) = cookie(&parts.headers, FORM_COOKIE).filter(|v| v.len() == 43) {
            return Ok(FormCookie {
                value,
                fresh: false,
            });
        }
        let mut buf = [0u8; 32];
        getrandom::fill(&mut buf).map_err(|_| WebError::Internal)?;
        use base64::Engine;
        Ok(FormCookie {
            value: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf),
            fresh: true,
        })
    }

    fn token(&self) -> String {
        csrf_token(&self.value)
    }

    fn check(parts: &Parts, token: &str) -> Result<(), WebError> {
        match cookie(&parts.headers, FORM_COOKIE) {
            Some(v) if same_secret(&csrf_token(&v), token) => Ok(()),
            _ => Err(WebError::Csrf),
        }
    }

    fn set_on(&self, r: &mut Response, secure: bool) {
        if !self.fresh {
            return;
        }
        let secure = if secure { "; Secure" } else { "" };
        if let Ok(v) = HeaderValue::from_str(&format!(
            "{FORM_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict{secure}",
            self.value
        )) {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }
}

/// The request's parts, for handlers that read cookies themselves.
pub(super) struct RequestParts(Parts);

impl<S: Send + Sync> FromRequestParts<S> for RequestParts {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(RequestParts(parts.clone()))
    }
}

fn secure(state: &AppState) -> bool {
    state.config().public_base.starts_with("https://")
}

#[derive(Template)]
#[template(path = "web/sign_in.html")]
struct SignInPage {
    layout: Layout,
    message: Option<String>,
    next: String,
    login: String,
}

#[derive(Deserialize)]
pub(super) struct NextQuery {
    next: Option<String>,
}

fn sign_in_page(
    parts: &Parts,
    state: &AppState,
    status: StatusCode,
    message: Option<String>,
    next: String,
    login: String,
) -> Result<Response, WebError> {
    let lang = Lang::of(parts);
    let form = FormCookie::of(parts)?;
    let mut layout = Layout::anonymous(lang, &path_and_query(parts), "Đăng nhập", "Sign in");
    layout.csrf = form.token();
    let mut r = render(
        status,
        &SignInPage {
            layout,
            message,
            next,
            login,
        },
    );
    form.set_on(&mut r, secure(state));
    Ok(r)
}

/// `GET /sign-in?next=/path`.
pub(super) async fn sign_in_form(
    State(state): State<AppState>,
    RequestParts(parts): RequestParts,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    let next = safe_next(q.next.as_deref());
    sign_in_page(&parts, &state, StatusCode::OK, None, next, String::new())
}

#[derive(Deserialize)]
pub(super) struct SignInForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// `POST /sign-in`.
pub(super) async fn sign_in(
    State(state): State<AppState>,
    RequestParts(parts): RequestParts,
    client: ClientAddr,
    Form(form): Form<SignInForm>,
) -> Result<Response, WebError> {
    FormCookie::check(&parts, &form.csrf)?;
    let lang = Lang::of(&parts);
    let now = state.now();
    let next = safe_next(form.next.as_deref());
    match state
        .issuer()
        .sign_in(&form.login, &form.password, &client.0, now)
        .await?
    {
        SignIn::Done { secret, .. } => {
            let mut r = Redirect::to(&next).into_response();
            session::set_cookie(&mut r, secret.expose(), secure(&state));
            Ok(r)
        }
        SignIn::Denied => sign_in_page(
            &parts,
            &state,
            StatusCode::UNAUTHORIZED,
            Some(
                lang.t(
                    "Tên đăng nhập hoặc mật khẩu không đúng. Hãy kiểm tra lại (chú ý chữ hoa và \
                     bộ gõ tiếng Việt) rồi thử lại.",
                    "The sign-in name or the password is wrong. Check them (mind capitals and \
                     the Vietnamese keyboard) and try again.",
                )
                .to_owned(),
            ),
            next,
            form.login.trim().to_owned(),
        ),
        SignIn::Locked { until } => {
            let secs = u64::try_from((until - now).whole_seconds().max(1)).unwrap_or(1);
            Err(WebError::Locked(secs))
        }
    }
}

#[derive(Deserialize)]
pub(super) struct CsrfOnly {
    #[serde(rename = "_csrf", default)]
    pub(super) csrf: String,
}

/// `POST /sign-out`: ends the session.
pub(super) async fn sign_out(
    State(state): State<AppState>,
    signed: Signed,
    RequestParts(parts): RequestParts,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    if let Some(secret) = session::session_secret(&parts) {
        state.issuer().sign_out(&secret, state.now()).await?;
    }
    let mut r = Redirect::to("/sign-in").into_response();
    session::clear_cookie(&mut r);
    Ok(r)
}

#[derive(Template)]
#[template(path = "web/setup.html")]
struct SetupPage {
    layout: Layout,
    message: Option<String>,
    secret: String,
    name: String,
    login: String,
}

#[derive(Template)]
#[template(path = "web/link_used.html")]
struct LinkUsedPage {
    layout: Layout,
}

fn link_used(lang: Lang, path: &str) -> Response {
    let layout = Layout::anonymous(
        lang,
        path,
        "Liên kết không dùng được",
        "The link does not work",
    );
    render(StatusCode::NOT_FOUND, &LinkUsedPage { layout })
}

/// The secret of a link: base64url of 32 bytes, else nothing is looked up.
fn link_secret(secret: &str) -> Option<&str> {
    (secret.len() == 43
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    .then_some(secret)
}

fn setup_page(
    parts: &Parts,
    state: &AppState,
    status: StatusCode,
    message: Option<String>,
    secret: &str,
    account: &crate::store::Account,
) -> Result<Response, WebError> {
    let lang = Lang::of(parts);
    let form = FormCookie::of(parts)?;
    let mut layout = Layout::anonymous(lang, parts.uri.path(), "Đặt mật khẩu", "Set your password");
    layout.csrf = form.token();
    let mut r = render(
        status,
        &SetupPage {
            layout,
            message,
            secret: secret.to_owned(),
            name: account.display_name.clone(),
            login: account.login.clone().unwrap_or_default(),
        },
    );
    form.set_on(&mut r, secure(state));
    Ok(r)
}

/// `GET /setup/{secret}`: the form to set a password, while the link works.
pub(super) async fn setup_form(
    State(state): State<AppState>,
    RequestParts(parts): RequestParts,
    Path(secret): Path<String>,
) -> Result<Response, WebError> {
    let lang = Lang::of(&parts);
    let Some(secret) = link_secret(&secret) else {
        return Ok(link_used(lang, parts.uri.path()));
    };
    match state.issuer().password_link(secret, state.now()).await? {
        Some(account) => setup_page(&parts, &state, StatusCode::OK, None, secret, &account),
        None => Ok(link_used(lang, parts.uri.path())),
    }
}

#[derive(Deserialize)]
pub(super) struct SetupForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /setup/{secret}`: sets the password, then the sign-in page.
pub(super) async fn setup(
    State(state): State<AppState>,
    RequestParts(parts): RequestParts,
    Path(secret): Path<String>,
    Form(form): Form<SetupForm>,
) -> Result<Response, WebError> {
    FormCookie::check(&parts, &form.csrf)?;
    let lang = Lang::of(&parts);
    let Some(secret) = link_secret(&secret) else {
        return Ok(link_used(lang, parts.uri.path()));
    };
    let now = state.now();
    let issuer = state.issuer();
    match issuer
        .set_password(secret, &form.password, &form.confirm, now)
        .await
    {
        Ok(Some(_)) => Ok(Redirect::to("/sign-in?done=password").into_response()),
        Ok(None) => Ok(link_used(lang, parts.uri.path())),
        Err(crate::error::IssuerError::Invalid(refusal)) => {
            match issuer.password_link(secret, now).await? {
                Some(account) => setup_page(
                    &parts,
                    &state,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(lang.t(&refusal.message_vi, &refusal.message_en).to_owned()),
                    secret,
                    &account,
                ),
                None => Ok(link_used(lang, parts.uri.path())),
            }
        }
        Err(e) => Err(e.into()),
    }
}
