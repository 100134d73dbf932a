//! Error pages. A handler returns a [`WebError`]; the layer [`error_pages`] renders it in the
//! request's language with what to do next. Answers the web routes get from elsewhere (axum's
//! own rejections: a form that cannot be read, a body over the limit, a wrong method) become
//! the same pages, so a browser never sees JSON or plain text, and never a 5xx for bad input.
//!
//! An error page keeps the header of the person signed in (name, role, menu, sign-out) when the
//! request got as far as the session: the layer hands each request a [`SignedSlot`], which the
//! `Signed` extractor fills, so the error page needs no second session lookup.

use std::sync::{Arc, OnceLock};

use askama::Template;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::lang::Lang;
use super::page::{Layout, render};
use crate::app::accounts::SignedIn;
use crate::error::IssuerError;
use crate::store::StoreError;

/// Why a page cannot be shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WebError {
    /// The role may not do this (403).
    Forbidden,
    /// Nothing here for this person (404; another school's things too).
    NotFound,
    /// A form without this session's CSRF token (403).
    Csrf,
    /// A request body over the limit (413).
    TooLarge,
    /// A form that cannot be read (400).
    BadRequest,
    /// A conflict with what is stored (409), with the message in both languages.
    Conflict(String, String),
    /// Too many attempts: try again in so many seconds (429).
    Locked(u64),
    /// The database does not answer (503).
    Unavailable,
    /// Our failure (500, logged).
    Internal,
}

impl WebError {
    fn status(&self) -> StatusCode {
        match self {
            WebError::Forbidden | WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::BadRequest => StatusCode::BAD_REQUEST,
            WebError::Conflict(..) => StatusCode::CONFLICT,
            WebError::Locked(_) => StatusCode::TOO_MANY_REQUESTS,
            WebError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Title, explanation and next step in `lang`.
    fn words(&self, lang: Lang) -> (String, String) {
        let (title, text): (&str, String) = match self {
            WebError::Forbidden => (
                lang.t("Không có quyền", "Not allowed"),
                lang.t(
                    "Tài khoản của bạn không được làm việc này. Nếu cần, hãy nhờ hiệu trưởng \
                     (hoặc Sở) làm giúp.",
                    "Your account may not do this. Ask your principal (or the Department) if it \
                     needs doing.",
                )
                .to_owned(),
            ),
            WebError::NotFound => (
                lang.t("Không tìm thấy", "Not found"),
                lang.t(
                    "Không có trang hoặc hồ sơ này trong phạm vi tài khoản của bạn. Hãy quay lại \
                     trang chủ và chọn lại.",
                    "There is no such page or record within your account. Go back to the start \
                     page and choose again.",
                )
                .to_owned(),
            ),
            WebError::Csrf => (
                lang.t("Biểu mẫu đã hết hạn", "The form has expired"),
                lang.t(
                    "Biểu mẫu này không gửi từ trang của bạn hoặc đã cũ (ví dụ sau khi đăng nhập \
                     lại). Hãy mở lại trang và gửi lại.",
                    "This form did not come from your page or is stale (e.g. after signing in \
                     again). Open the page again and resend.",
                )
                .to_owned(),
            ),
            WebError::TooLarge => (
                lang.t("Tệp quá lớn", "File too large"),
                lang.t(
                    "Tệp gửi lên lớn hơn 10 MB. Tệp của một lớp thường dưới 1 MB: hãy kiểm tra \
                     đã chọn đúng tệp (CSV hoặc XLSX theo mẫu), rồi tải lên lại.",
                    "The file is larger than 10 MB. A class file is usually under 1 MB: check \
                     that you chose the right file (CSV or XLSX from the template) and upload it \
                     again.",
                )
                .to_owned(),
            ),
            WebError::BadRequest => (
                lang.t("Không đọc được biểu mẫu", "The form could not be read"),
                lang.t(
                    "Trình duyệt gửi biểu mẫu không đầy đủ. Hãy mở lại trang và điền lại.",
                    "The browser sent an incomplete form. Open the page again and fill it in.",
                )
                .to_owned(),
            ),
            WebError::Conflict(vi, en) => (
                lang.t("Không thực hiện được", "Not done"),
                lang.t(vi, en).to_owned(),
            ),
            WebError::Locked(secs) => (
                lang.t("Tạm khoá", "Temporarily locked"),
                match lang {
                    Lang::Vi => format!(
                        "Có quá nhiều lần thử sai. Hãy thử lại sau {} phút.",
                        secs.div_ceil(60)
                    ),
                    Lang::En => format!(
                        "Too many failed attempts. Try again in {} minute(s).",
                        secs.div_ceil(60)
                    ),
                },
            ),
            WebError::Unavailable => (
                lang.t("Tạm thời không phục vụ được", "Temporarily unavailable"),
                lang.t(
                    "Cơ sở dữ liệu không trả lời. Hãy thử lại sau ít phút.",
                    "The database does not answer. Try again in a few minutes.",
                )
                .to_owned(),
            ),
            WebError::Internal => (
                lang.t("Lỗi máy chủ", "Server error"),
                lang.t(
                    "Đã có lỗi phía máy chủ; không có gì bị ghi dở. Hãy thử lại, nếu vẫn lỗi hãy \
                     báo bộ phận kĩ thuật của Sở.",
                    "Something failed on our side; nothing was half-written. Try again; if it \
                     persists, tell the Department's technical staff.",
                )
                .to_owned(),
            ),
        };
        (title.to_owned(), text)
    }
}

impl From<IssuerError> for WebError {
    fn from(e: IssuerError) -> Self {
        match e {
            IssuerError::Store(s) => s.into(),
            IssuerError::Forbidden { .. } => WebError::Forbidden,
            IssuerError::Invalid(r) => WebError::Conflict(r.message_vi, r.message_en),
            IssuerError::PrincipalPin {
                message_vi,
                message_en,
                ..
            } => WebError::Conflict(message_vi, message_en),
            IssuerError::NothingToSign { .. }
            | IssuerError::IdempotencyConflict { .. }
            | IssuerError::NoUsableKey { .. }
            | IssuerError::Token { .. }
            | IssuerError::TokenPin { .. }
            | IssuerError::NotSigned { .. } => {
                let text = e.to_string();
                WebError::Conflict(text.clone(), text)
            }
            other => {
                tracing::error!(error = %other, "a page failed");
                WebError::Internal
            }
        }
    }
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => WebError::NotFound,
            StoreError::Conflict { what } => WebError::Conflict(what.clone(), what),
            StoreError::StaleVersion { .. } => WebError::Conflict(
                "Người khác vừa sửa hồ sơ này. Hãy tải lại trang rồi sửa lại.".to_owned(),
                "Someone else has just changed this record. Reload the page and edit again."
                    .to_owned(),
            ),
            StoreError::Unavailable(_) => WebError::Unavailable,
            other => {
                tracing::error!(error = %other, "a page's storage failed");
                WebError::Internal
            }
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let mut r = self.status().into_response();
        if let WebError::Locked(secs) = &self
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        r.extensions_mut().insert(self);
        r
    }
}

#[derive(Template)]
#[template(path = "web/error.html")]
struct ErrorPage {
    layout: Layout,
    message: String,
}

/// Who the request was made by, once its session was resolved (module doc).
#[derive(Clone, Debug, Default)]
pub struct SignedSlot(Arc<OnceLock<SignedIn>>);

impl SignedSlot {
    /// Notes who is signed in (the first time only).
    pub fn fill(&self, signed: &SignedIn) {
        let _ = self.0.set(signed.clone());
    }
}

/// The error page of `error` in `lang`, with the header of `signed` when known.
pub fn page(error: &WebError, lang: Lang, path: &str, signed: Option<&SignedIn>) -> Response {
    let (title, message) = error.words(lang);
    let mut layout = match signed {
        Some(s) => Layout::signed(s, lang, path, "", ""),
        None => Layout::anonymous(lang, path, "", ""),
    };
    layout.title = title;
    let mut r = render(error.status(), &ErrorPage { layout, message });
    if let WebError::Locked(secs) = error
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

/// The layer of the web routes that turns errors into pages (module doc).
pub async fn error_pages(request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let lang = Lang::of(&parts);
    let path = parts.uri.path().to_owned();
    let slot = SignedSlot::default();
    parts.extensions.insert(slot.clone());
    let response = next.run(Request::from_parts(parts, body)).await;
    finish(response, lang, &path, slot.0.get())
}

fn finish(response: Response, lang: Lang, path: &str, signed: Option<&SignedIn>) -> Response {
    if let Some(error) = response.extensions().get::<WebError>() {
        return page(error, lang, path, signed);
    }
    let status = response.status();
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html || status.is_success() || status.is_redirection() {
        return response;
    }
    let error = match status {
        StatusCode::PAYLOAD_TOO_LARGE => WebError::TooLarge,
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => WebError::NotFound,
        StatusCode::FORBIDDEN => WebError::Forbidden,
        s if s.is_server_error() => WebError::Internal,
        _ => WebError::BadRequest,
    };
    page(&error, lang, path, signed)
}
