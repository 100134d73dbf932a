//! The web app: the Department's pages (role `authority`; anyone else gets the 403 page).
//!
//! * `/authority` — the province at a glance ([`province`]): every school with its pupils,
//!   records signed out of those expected and the rate, what holds the rest back and why,
//!   with counts per reason (`app::coverage`, counted by the database); the same table as
//!   `/authority/coverage.csv` and `/authority/coverage.xlsx` ([`export`]);
//! * `/authority/schools` — register a school, add a key, retire a key, mark one compromised
//!   ([`schools`], calling [`crate::authority`] as `/api/v1/authority/…` does);
//! * `/authority/trust-list` — the published versions, and publishing a new one ([`trust`],
//!   `app::trust_publish`: the service signs with the new version at once);
//! * `/authority/audit` — the audit log searched by action, school, person, subject and dates
//!   ([`audit`]).
//!
//! Every form checks its CSRF token; a second press of a button does not act twice (a key
//! already retired or compromised, a school already registered, a version already published
//! after the one the page showed: the page says so).

mod audit;
mod export;
mod province;
mod schools;
mod trust;

use axum::Router;
use axum::routing::{get, post};

use super::error::WebError;
use super::lang::Lang;
use crate::api::AppState;
use crate::authority::{Actor, AuthorityError};
use crate::store::StoreError;

/// This area's routes.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/authority", get(province::home))
        .route("/authority/coverage.csv", get(export::csv))
        .route("/authority/coverage.xlsx", get(export::xlsx))
        .route(
            "/authority/schools",
            get(schools::list).post(schools::register),
        )
        .route("/authority/schools/{code}/keys", post(schools::add_key))
        .route(
            "/authority/schools/{code}/keys/{key}/retire",
            post(schools::retire),
        )
        .route(
            "/authority/schools/{code}/keys/{key}/compromise",
            post(schools::compromise),
        )
        .route(
            "/authority/trust-list",
            get(trust::list).post(trust::publish),
        )
        .route("/authority/audit", get(audit::search))
}

/// Who acts, for the audit log: the signed-in person, through the web app.
fn actor<'a>(signed: &'a super::session::Signed, now: time::OffsetDateTime) -> Actor<'a> {
    Actor {
        user_id: Some(&signed.account().id),
        channel: "web",
        now,
    }
}

/// The sub-menu of the Department's pages: `(href, label)`.
pub(super) struct Tab {
    href: &'static str,
    label: &'static str,
    current: bool,
}

fn tabs(lang: Lang, current: &str) -> Vec<Tab> {
    [
        ("/authority", lang.t("Toàn tỉnh", "Province")),
        (
            "/authority/schools",
            lang.t("Trường và khoá", "Schools and keys"),
        ),
        (
            "/authority/trust-list",
            lang.t("Danh sách tin cậy", "Trust list"),
        ),
        ("/authority/audit", lang.t("Nhật ký", "Audit log")),
    ]
    .into_iter()
    .map(|(href, label)| Tab {
        href,
        label,
        current: href == current,
    })
    .collect()
}

/// A refusal of the trust-list layer as a message on the page (in `lang`), or the error page
/// (an unknown school or key is the 404 page; a failure the 500 page). `conflict` words a
/// conflict for the action at hand.
fn refusal(e: AuthorityError, lang: Lang, conflict: (&str, &str)) -> Result<String, WebError> {
    Ok(match e {
        AuthorityError::Invalid { field, rule, .. } => {
            let (vi, en) = match (field, rule) {
                ("code", _) => (
                    "Mã trường gồm 1–20 chữ cái Latin không dấu hoặc chữ số (mã trường của Bộ GD&ĐT). Hãy nhập lại.",
                    "A school code is 1–20 letters or digits (the Ministry's school code). Enter it again.",
                ),
                ("name", _) => (
                    "Hãy nhập tên trường (tối đa 300 ký tự).",
                    "Enter the school's name (at most 300 characters).",
                ),
                ("province", _) => (
                    "Hãy nhập tỉnh / thành phố (tối đa 300 ký tự).",
                    "Enter the province (at most 300 characters).",
                ),
                ("publicKey", "public-key-only") => (
                    "Đây là khoá bí mật: không bao giờ gửi khoá bí mật. Hãy dán khoá công khai (z6Mk… hoặc -----BEGIN PUBLIC KEY-----) mà trường tạo bằng hocba-issuer keygen.",
                    "This is a private key: never send it. Paste the public key (z6Mk… or -----BEGIN PUBLIC KEY-----) the school made with hocba-issuer keygen.",
                ),
                ("publicKey", _) => (
                    "Khoá công khai không đúng: hãy dán khoá Ed25519 dạng z6Mk… hoặc PEM (-----BEGIN PUBLIC KEY-----) mà trường gửi.",
                    "Not a usable public key: paste the school's Ed25519 key as z6Mk… or PEM (-----BEGIN PUBLIC KEY-----).",
                ),
                ("nextDueDays", _) => (
                    "Số ngày đến phiên bản sau phải từ 1 đến 3650.",
                    "Days until the next version must be 1–3650.",
                ),
                _ => (
                    "Dữ liệu nhập không đúng. Hãy kiểm tra và gửi lại.",
                    "The input is not valid. Check it and send again.",
                ),
            };
            lang.t(vi, en).to_owned()
        }
        AuthorityError::Store(StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        AuthorityError::Store(StoreError::Conflict { .. }) | AuthorityError::Conflict(_) => {
            lang.t(conflict.0, conflict.1).to_owned()
        }
        AuthorityError::Store(other) => return Err(other.into()),
        AuthorityError::Issuer(other) => return Err(other.into()),
    })
}

/// A count as people read it: `1.234` in Vietnamese, `1,234` in English.
pub(super) fn count(n: i64, lang: Lang) -> String {
    let digits = n.unsigned_abs().to_string();
    let sep = lang.t(".", ",");
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A rate in per cent with two decimals: `99,34 %` in Vietnamese, `99.34 %` in English.
pub(super) fn rate(v: f64, lang: Lang) -> String {
    let text = format!("{v:.2} %");
    match lang {
        Lang::Vi => text.replace('.', ","),
        Lang::En => text,
    }
}

#[cfg(test)]
mod tests {
    use super::{count, rate};
    use crate::web::lang::Lang;

    #[test]
    fn numbers_read_as_each_language_writes_them() {
        assert_eq!(count(1_234_567, Lang::Vi), "1.234.567");
        assert_eq!(count(999, Lang::En), "999");
        assert_eq!(count(1000, Lang::En), "1,000");
        assert_eq!(rate(99.3421, Lang::Vi), "99,34 %");
        assert_eq!(rate(0.66, Lang::En), "0.66 %");
    }
}
