//! What every page shares: the [`Layout`] (title, language, the signed-in person's menu, the
//! CSRF token of its forms) and the response headers of a page: a strict
//! Content-Security-Policy (only this origin's stylesheet and script, nothing from another
//! origin, no inline script), no caching, no framing.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::lang::Lang;
use crate::app::accounts::SignedIn;
use crate::store::Role;

/// The pages' Content-Security-Policy.
pub const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; \
     frame-ancestors 'none'";

/// A link of the menu.
#[derive(Clone, Debug)]
pub struct NavLink {
    /// Where it goes.
    pub href: &'static str,
    /// What it says.
    pub label: &'static str,
    /// Whether it is the page shown.
    pub current: bool,
}

/// The signed-in person as the header shows them.
#[derive(Clone, Debug)]
pub struct Who {
    /// Their name.
    pub name: String,
    /// Their role, in the page's language.
    pub role: &'static str,
}

/// What the base template needs.
#[derive(Clone, Debug)]
pub struct Layout {
    /// The page's language.
    pub lang: Lang,
    /// The page's title (also the `<h1>`).
    pub title: String,
    /// The signed-in person, if any.
    pub who: Option<Who>,
    /// The menu.
    pub nav: Vec<NavLink>,
    /// The CSRF token of this page's forms (empty when nobody is signed in).
    pub csrf: String,
    /// The page's path and query, for the language switch to come back to.
    pub path: String,
    /// Whether the page loads the small script (progress bars, drag-and-drop).
    pub script: bool,
}

impl Layout {
    /// A page for nobody signed in.
    pub fn anonymous(lang: Lang, path: &str, vi: &str, en: &str) -> Self {
        Layout {
            lang,
            title: lang.t(vi, en).to_owned(),
            who: None,
            nav: Vec::new(),
            csrf: String::new(),
            path: path.to_owned(),
            script: false,
        }
    }

    /// A page for `signed`.
    pub fn signed(signed: &SignedIn, lang: Lang, path: &str, vi: &str, en: &str) -> Self {
        let account = &signed.account;
        let nav = menu(account.role, lang)
            .into_iter()
            .map(|(href, label)| NavLink {
                href,
                label,
                current: path == href || path.starts_with(&format!("{href}/")),
            })
            .collect();
        Layout {
            lang,
            title: lang.t(vi, en).to_owned(),
            who: Some(Who {
                name: account.display_name.clone(),
                role: role_label(account.role, lang),
            }),
            nav,
            csrf: signed.csrf.clone(),
            path: path.to_owned(),
            script: false,
        }
    }

    /// The text in the page's language.
    pub fn t<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        self.lang.t(vi, en)
    }

    /// The other language's code, for the switch.
    pub fn other_lang(&self) -> &'static str {
        match self.lang {
            Lang::Vi => "en",
            Lang::En => "vi",
        }
    }

    /// The switch's label: the other language's own name.
    pub fn other_lang_name(&self) -> &'static str {
        match self.lang {
            Lang::Vi => "English",
            Lang::En => "Tiếng Việt",
        }
    }
}

/// A role's name as the Ministry's documents say it.
pub fn role_label(role: Role, lang: Lang) -> &'static str {
    match role {
        Role::Teacher => lang.t("Giáo viên chủ nhiệm", "Homeroom teacher"),
        Role::Principal => lang.t("Hiệu trưởng", "Principal"),
        Role::Authority => lang.t("Sở Giáo dục và Đào tạo", "Department of Education"),
        Role::Guardian => lang.t("Cha mẹ học sinh", "Parent or guardian"),
        Role::Portal => lang.t("Cổng tuyển sinh", "Admissions portal"),
    }
}

/// Each role's menu: `(href, label)`.
fn menu(role: Role, lang: Lang) -> Vec<(&'static str, &'static str)> {
    let mut links = match role {
        Role::Teacher => vec![("/teacher", lang.t("Lớp của tôi", "My classes"))],
        Role::Principal => vec![
            ("/school", lang.t("Năm học", "School year")),
            ("/accounts", lang.t("Tài khoản", "Accounts")),
        ],
        Role::Authority => vec![
            ("/authority", lang.t("Toàn tỉnh", "Province")),
            ("/accounts", lang.t("Tài khoản", "Accounts")),
        ],
        Role::Guardian => vec![("/family", lang.t("Hồ sơ của con", "My child's records"))],
        Role::Portal => Vec::new(),
    };
    links.push(("/account/tokens", lang.t("Mã truy cập API", "API tokens")));
    links
}

/// An HTML answer with the page headers.
pub fn html(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    security_headers(h);
    r
}

/// The headers every page and asset carries.
pub fn security_headers(h: &mut axum::http::HeaderMap) {
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
}

/// A time as people read it on a page: `dd/mm/yyyy hh:mm` (UTC+7, Vietnam's time).
pub fn local_time(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::macros::offset!(+7));
    format!(
        "{:02}/{:02}/{} {:02}:{:02}",
        t.day(),
        u8::from(t.month()),
        t.year(),
        t.hour(),
        t.minute()
    )
}

/// A template rendered as a page (a template that fails to render is a 500 page, logged).
pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(body) => html(status, body),
        Err(e) => {
            tracing::error!(error = %e, "a page template failed");
            html(
                StatusCode::INTERNAL_SERVER_ERROR,
                "<!doctype html><title>Lỗi / Error</title><p>Lỗi máy chủ. / Server error."
                    .to_owned(),
            )
        }
    }
}
