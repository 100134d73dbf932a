//! Who is signed in: the `hocba_session` cookie resolved by the application layer
//! (`app::accounts`), the CSRF check of every form, and the role a page needs.
//!
//! The cookie is `HttpOnly; SameSite=Strict; Path=/`, `Secure` when the service's public URL
//! is `https://`, and has no `Max-Age` (it goes when the browser closes; the server ends it
//! after 30 idle minutes or 12 hours in any case). A request without a working session goes
//! to the sign-in page, which comes back to the page asked for.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::error::{SignedSlot, WebError};
use super::lang::{Lang, cookie};
use super::page::Layout;
use crate::api::AppState;
use crate::app::accounts::{SignedIn, same_secret};
use crate::store::Role;

/// The session cookie.
pub const COOKIE: &str = "hocba_session";

/// A signed-in person making this request.
#[derive(Clone, Debug)]
pub struct Signed {
    /// The session and account.
    pub signed: SignedIn,
    /// The page's language.
    pub lang: Lang,
    /// The path and query asked for.
    pub path: String,
}

impl Signed {
    /// Refuses (403 page) unless the person has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), WebError> {
        if roles.contains(&self.signed.account.role) {
            Ok(())
        } else {
            Err(WebError::Forbidden)
        }
    }

    /// Refuses (403 page) a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), WebError> {
        if same_secret(token, &self.signed.csrf) {
            Ok(())
        } else {
            Err(WebError::Csrf)
        }
    }

    /// The layout of a page with this title.
    pub fn layout(&self, vi: &str, en: &str) -> Layout {
        Layout::signed(&self.signed, self.lang, &self.path, vi, en)
    }

    /// The account.
    pub fn account(&self) -> &crate::store::Account {
        &self.signed.account
    }

    /// The person's school id (teachers, principals, guardians).
    pub fn school_id(&self) -> Option<&str> {
        self.signed.account.school_id.as_deref()
    }
}

/// The rejection of [`Signed`]: go and sign in, then come back.
#[derive(Debug)]
pub struct SignInFirst {
    next: String,
}

impl IntoResponse for SignInFirst {
    fn into_response(self) -> Response {
        let target = format!("/sign-in?next={}", urlencode(&self.next));
        Redirect::to(&target).into_response()
    }
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The path and query of a request.
pub fn path_and_query(parts: &Parts) -> String {
    parts
        .uri
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned())
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let path = path_and_query(parts);
        let lang = Lang::of(parts);
        let Some(secret) = cookie(&parts.headers, COOKIE) else {
            return Err(SignInFirst { next: path }.into_response());
        };
        let issuer = state.issuer();
        match issuer.signed_in(&secret, state.now()).await {
            Ok(Some(signed)) => {
                if let Some(slot) = parts.extensions.get::<SignedSlot>() {
                    slot.fill(&signed);
                }
                Ok(Signed { signed, lang, path })
            }
            Ok(None) => {
                let mut r = SignInFirst { next: path }.into_response();
                clear_cookie(&mut r);
                Err(r)
            }
            Err(e) => Err(WebError::from(e).into_response()),
        }
    }
}

/// The session cookie's secret, if the request has one.
pub fn session_secret(parts: &Parts) -> Option<String> {
    cookie(&parts.headers, COOKIE)
}

/// Sets the session cookie on `r`.
pub fn set_cookie(r: &mut Response, secret: &str, secure: bool) {
    let secure = if secure { "; Secure" } else { "" };
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{COOKIE}={secret}; Path=/; HttpOnly; SameSite=Strict{secure}"
    )) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// Removes the session cookie.
pub fn clear_cookie(r: &mut Response) {
    r.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static("hocba_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
}
