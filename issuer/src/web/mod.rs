//! The school web app: server-rendered pages for teachers, principals, the Department and
//! families, served by `hocba-issuer serve` at `/` on the same port as the API. Vietnamese
//! first with an English switch (`lang.rs`), no external assets and a strict
//! Content-Security-Policy (`page.rs`), the core paths without JavaScript.
//!
//! Every page calls the application layer (`crate::app`); nothing here decides who may do
//! what beyond asking it. Where things are:
//!
//! * `session.rs` — the session cookie, CSRF checks, the role a page needs;
//! * `auth.rs` — sign-in, sign-out, setting a password through a one-time link;
//! * `accounts.rs` — accounts a principal or the authority manages;
//! * `tokens.rs` — a person's own API tokens;
//! * `teacher/`, `principal/`, `authority/`, `family/` — each role's pages (`/teacher`,
//!   `/school`, `/authority`, `/family`), templates in `issuer/templates/web/<role>/`;
//! * `error.rs` — error pages in the request's language (also for axum's own rejections);
//! * `assets.rs` — the stylesheet and the small script, from the binary.

mod accounts;
mod assets;
mod auth;
mod authority;
pub mod error;
mod family;
pub mod lang;
pub mod page;
mod principal;
pub mod session;
mod teacher;
mod tokens;

use axum::Router;
use axum::extract::State;
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::api::AppState;
use crate::store::Role;
use session::Signed;

/// The web app's routes (the API's router adds them before its own fallback).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/sign-in", get(auth::sign_in_form).post(auth::sign_in))
        .route("/sign-out", post(auth::sign_out))
        .route("/setup/{secret}", get(auth::setup_form).post(auth::setup))
        .route("/lang/{to}", get(lang::switch))
        .route("/account/tokens", get(tokens::list).post(tokens::create))
        .route("/account/tokens/{id}/revoke", post(tokens::revoke))
        .route("/accounts", get(accounts::list).post(accounts::create))
        .route("/accounts/{id}/disable", post(accounts::disable))
        .route("/accounts/{id}/link", post(accounts::new_link))
        .route("/assets/app.css", get(assets::css))
        .route("/assets/app.js", get(assets::js))
        .merge(teacher::routes())
        .merge(principal::routes())
        .merge(authority::routes())
        .merge(family::routes())
        .layer(middleware::from_fn(error::error_pages))
}

/// The start page of each role.
pub fn home_of(role: Role) -> &'static str {
    match role {
        Role::Teacher => "/teacher",
        Role::Principal => "/school",
        Role::Authority => "/authority",
        Role::Guardian => "/family",
        Role::Portal => "/account/tokens",
    }
}

/// `GET /`: the signed-in person's start page (sign-in first otherwise).
async fn home(State(_): State<AppState>, signed: Signed) -> Response {
    Redirect::to(home_of(signed.account().role)).into_response()
}

/// Where to go after sign-in: a path on this site, never another site (`//host`, `\`).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/school?x=1")), "/school?x=1");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
