//! The language of a page: Vietnamese unless the person chose English with the switch in
//! the page's header (`/lang/en`, `/lang/vi`), which sets the `hocba_lang` cookie and goes
//! back. `?lang=en` on any page works too (links from the API's docs and the tests use it).

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::safe_next;

/// The cookie that keeps the choice.
pub const COOKIE: &str = "hocba_lang";

/// A page's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    /// Tiếng Việt (the default).
    #[default]
    Vi,
    /// English.
    En,
}

impl Lang {
    /// `vi` or `en` (the `lang` attribute of the page).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// The text in this language.
    pub fn t<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    fn parse(s: &str) -> Option<Lang> {
        match s {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language asked for by `?lang=`, else the cookie, else Vietnamese.
    pub fn of(parts: &Parts) -> Lang {
        let query = parts.uri.query().unwrap_or("");
        let from_query = query
            .split('&')
            .filter_map(|kv| kv.strip_prefix("lang="))
            .find_map(Lang::parse);
        from_query
            .or_else(|| cookie(&parts.headers, COOKIE).and_then(|v| Lang::parse(&v)))
            .unwrap_or_default()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Lang, Self::Rejection> {
        Ok(Lang::of(parts))
    }
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

#[derive(Deserialize)]
pub(super) struct Next {
    next: Option<String>,
}

/// `GET /lang/{vi|en}?next=/path`: remembers the language for a year and goes back.
pub(super) async fn switch(Path(to): Path<String>, Query(q): Query<Next>) -> Response {
    let lang = Lang::parse(&to).unwrap_or_default();
    let mut r = Redirect::to(&safe_next(q.next.as_deref())).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    )) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}
