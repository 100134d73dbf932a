//! The pages for people: the QR landing page (`GET /V/{digits}`, `GET /v/{digits}`), the
//! upload form (`GET /`, `GET /upload`) and its result (`POST /upload`). The HTML is made by
//! [`super::pages`]; this module only routes, verifies and sets the headers (a strict
//! Content-Security-Policy: no script but the upload page's one pinned by its hash, nothing
//! from another origin).
//!
//! Online (`serve --online URL`), the QR summary's school's status lists are fetched first
//! (in `api::check_items`, through the issuer's `/status/{code}/index.json`), so the page
//! shows revoked or valid with the status checked.
//!
//! `POST /upload` is public, so it is held to the API's rules: the heavy slot before the form
//! is read, the work on the blocking pool under the deadline. Busy, past the deadline, or a
//! PDF with two credentials: a page that says so in Vietnamese (English with `?lang=en`).

use axum::Router;
use axum::extract::{FromRequest, Multipart, Path, RawQuery, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::AppState;
use super::api::{check_items, check_items_and_pdfs, read_multipart};
use super::pages::{self, Lang};
use super::problem::Problem;
use super::verify::{Checked, Item};
use crate::pdf::signatures::PdfSignatures;

/// The pages' Content-Security-Policy.
/// Scripts: only the upload page's one, by its hash (`pages::forms::FILE_NAME_SCRIPT`).
pub(super) const PAGE_CSP: &str = "default-src 'none'; script-src 'sha256-OJSS/Lcuvmlosyz36HINRZgfyu7YzEnZvXRb7xbRLlQ='; \
     style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; \
     frame-ancestors 'none'";

/// Routes of this module.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(upload_form))
        .route("/upload", get(upload_form).post(upload))
        .route("/V/{digits}", get(landing))
        .route("/v/{digits}", get(landing))
}

/// An HTML page with the security headers.
fn html(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    r
}

fn error(lang: Lang, p: &Problem) -> Response {
    let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::BAD_REQUEST);
    let (vi, en) = match p.rule() {
        "body-too-large" => (
            "Tệp quá lớn.".to_owned(),
            format!("The upload is too large: {}", p.detail),
        ),
        "trust-material-unavailable" => (
            "Chưa tải được danh sách tin cậy; vui lòng thử lại sau.".to_owned(),
            format!("The trust list is not available yet: {}", p.detail),
        ),
        "busy" => (
            "Hệ thống đang bận, vui lòng thử lại sau ít phút.".to_owned(),
            "The verifier is busy; try again in a moment.".to_owned(),
        ),
        "verification-timeout" => (
            "Không kiểm tra xong tệp trong thời gian cho phép; tệp có thể bị hỏng hoặc không \
             phải do nhà trường phát hành."
                .to_owned(),
            format!("The file could not be checked in time: {}", p.detail),
        ),
        _ => (
            "Không đọc được dữ liệu gửi lên.".to_owned(),
            p.detail.clone(),
        ),
    };
    html(status, pages::error_page(lang, status.as_u16(), &vi, &en))
}

async fn upload_form(RawQuery(query): RawQuery) -> Response {
    let lang = Lang::from_query(query.as_deref());
    // `?replacement=urn:uuid:…`: the link on a revoked record's page (checked in `pages`).
    let replacement = query.as_deref().and_then(|q| {
        q.split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == "replacement")
            .map(|(_, v)| v.replace("%3A", ":").replace("%3a", ":"))
    });
    html(
        StatusCode::OK,
        pages::upload_page_for_replacement(lang, replacement.as_deref()),
    )
}

/// The page for one checked item (with its PDF's own signatures, if it is a PDF).
fn result_page(lang: Lang, checked: &Checked, pdf: Option<&PdfSignatures>) -> Response {
    match checked {
        Checked::Credential(v) => html(
            StatusCode::OK,
            pages::credential_page_with_pdf(v, pdf, lang),
        ),
        Checked::Summary(v) => html(StatusCode::OK, pages::summary_page(v, lang)),
        Checked::Error { code, detail } => {
            let (vi, en) = match *code {
                "not_a_pdf" => ("Tệp này không phải là tệp PDF.", "The file is not a PDF"),
                "pdf_unreadable" => (
                    "Không đọc được hồ sơ trong tệp PDF.",
                    "The record in the PDF cannot be read",
                ),
                "pdf_many_credentials" => (
                    "Tệp PDF chứa nhiều hơn một hồ sơ số đính kèm nên không được kiểm tra; \
                     hãy dùng tệp PDF do nhà trường phát hành.",
                    "The PDF carries more than one embedded credential, so it is not checked",
                ),
                "qr_unreadable" => ("Không đọc được mã QR.", "The QR code cannot be read"),
                "too_large" => ("Tệp quá lớn.", "The file is too large"),
                _ => (
                    "Không đọc được tệp hồ sơ.",
                    "The credential file cannot be read",
                ),
            };
            let message = match lang {
                Lang::Vi => vi.to_owned(),
                Lang::En => format!("{en}: {detail}"),
            };
            html(
                StatusCode::UNPROCESSABLE_ENTITY,
                pages::upload_page(lang, Some(&message)),
            )
        }
    }
}

async fn landing(
    State(state): State<AppState>,
    Path(digits): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let lang = Lang::from_query(query.as_deref());
    if digits.len() > 2_048 {
        return html(
            StatusCode::BAD_REQUEST,
            pages::error_page(lang, 400, "Mã QR quá dài.", "The QR code text is too long."),
        );
    }
    match check_items(&state, vec![Item::Qr(digits)], None).await {
        Ok((checked, _)) => match checked.first() {
            Some(Checked::Error { detail, .. }) => html(
                StatusCode::BAD_REQUEST,
                pages::error_page(
                    lang,
                    400,
                    "Mã QR không đọc được hoặc đã bị hỏng.",
                    &format!("The QR code cannot be read or is damaged: {detail}"),
                ),
            ),
            Some(c) => result_page(lang, c, None),
            None => error(lang, &Problem::bad_json("no result")),
        },
        Err(p) => error(lang, &p),
    }
}

async fn upload(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    request: Request,
) -> Response {
    let lang = Lang::from_query(query.as_deref());
    let permit = match state.heavy_permit().await {
        Ok(p) => p,
        Err(p) => return error(lang, &p),
    };
    let multipart = match Multipart::from_request(request, &()).await {
        Ok(m) => m,
        Err(_) => {
            return html(
                StatusCode::BAD_REQUEST,
                pages::upload_page(
                    lang,
                    Some(lang.pick(
                        "Hãy gửi biểu mẫu có tệp hoặc nội dung mã QR.",
                        "Send the form with a file or the QR text.",
                    )),
                ),
            );
        }
    };
    let items = match read_multipart(multipart, 1).await {
        Ok((items, _)) => items,
        Err(p) if p.rule() == "no-items" || p.rule() == "too-many-items" => {
            return html(
                StatusCode::UNPROCESSABLE_ENTITY,
                pages::upload_page(
                    lang,
                    Some(lang.pick(
                        "Hãy chọn một tệp hoặc dán nội dung mã QR.",
                        "Choose one file or paste the QR text.",
                    )),
                ),
            );
        }
        Err(p) => return error(lang, &p),
    };
    match check_items_and_pdfs(&state, items, Some(permit)).await {
        Ok((checked, pdfs, _)) => match checked.first() {
            Some(c) => result_page(lang, c, pdfs.first().and_then(Option::as_ref)),
            None => error(lang, &Problem::bad_json("no result")),
        },
        Err(p) => error(lang, &p),
    }
}
