//! `/authority/schools`: the registered schools (found by code or name, `?q=`) with their
//! keys; register a school, add a key, retire a key, mark one compromised. Each action is
//! [`crate::authority`]'s, as `/api/v1/authority/…` calls it, and takes effect for
//! verifiers at the next publication (the page says so and links to it).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hocba_schema::trust_list::KeyStatus;
use serde::Deserialize;

use super::super::error::WebError;
use super::super::lang::Lang;
use super::super::page::{Layout, local_time, render};
use super::super::session::Signed;
use super::{Tab, actor, refusal, tabs};
use crate::api::AppState;
use crate::authority::{self as life, SchoolRegistration};
use crate::store::{Role, School, SchoolKey};

/// Schools shown at most on one page.
const SHOWN: usize = 100;

struct KeyLine {
    multibase: String,
    short: String,
    status: &'static str,
    badge: &'static str,
    active: bool,
    compromised: bool,
    valid_from: String,
    until: String,
}

struct SchoolLine {
    code: String,
    name: String,
    province: String,
    keys: Vec<KeyLine>,
}

/// The registration form, kept after a refusal.
#[derive(Debug, Default, Deserialize)]
pub(super) struct RegisterForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    province: String,
}

/// The key form.
#[derive(Debug, Default, Deserialize)]
pub(super) struct KeyForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    public_key: String,
}

/// The compromise form: the person confirms.
#[derive(Debug, Default, Deserialize)]
pub(super) struct CompromiseForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    confirm: Option<String>,
}

/// `?q=`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct SchoolQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "web/authority/schools.html")]
struct SchoolsPage {
    layout: Layout,
    tabs: Vec<Tab>,
    q: String,
    schools: Vec<SchoolLine>,
    more: usize,
    form: RegisterForm,
    message: Option<String>,
    done: Option<String>,
}

fn key_line(k: &SchoolKey, lang: Lang) -> KeyLine {
    let (status, badge) = match k.status {
        KeyStatus::Active => (lang.t("Đang dùng", "Active"), "ok"),
        KeyStatus::Retired => (lang.t("Đã thôi dùng", "Retired"), "warn"),
        KeyStatus::Compromised => (lang.t("Bị lộ", "Compromised"), "bad"),
    };
    let mb = &k.public_key_multibase;
    KeyLine {
        short: format!(
            "{}…{}",
            mb.get(..10).unwrap_or(mb),
            mb.get(mb.len().saturating_sub(6)..).unwrap_or("")
        ),
        multibase: mb.clone(),
        status,
        badge,
        active: k.status == KeyStatus::Active,
        compromised: k.status == KeyStatus::Compromised,
        valid_from: local_time(k.valid_from),
        until: k.valid_until().map(local_time).unwrap_or_default(),
    }
}

fn matches(s: &School, q: &str) -> bool {
    let q = q.trim().to_lowercase();
    q.is_empty() || s.code.to_lowercase().contains(&q) || s.name.to_lowercase().contains(&q)
}

struct Outcome {
    status: StatusCode,
    form: RegisterForm,
    message: Option<String>,
    done: Option<String>,
}

impl Outcome {
    fn ok() -> Self {
        Outcome {
            status: StatusCode::OK,
            form: RegisterForm::default(),
            message: None,
            done: None,
        }
    }
}

async fn page(
    state: &AppState,
    signed: &Signed,
    q: &str,
    outcome: Outcome,
) -> Result<Response, WebError> {
    signed.require(&[Role::Authority])?;
    let lang = signed.lang;
    let mut found: Vec<School> = state
        .store()
        .list_schools()
        .await?
        .into_iter()
        .filter(|s| matches(s, q))
        .collect();
    found.sort_by(|a, b| a.code.cmp(&b.code));
    let more = found.len().saturating_sub(SHOWN);
    let mut schools = Vec::new();
    for s in found.into_iter().take(SHOWN) {
        let keys = state.store().school_keys(&s.id).await?;
        schools.push(SchoolLine {
            keys: keys.iter().map(|k| key_line(k, lang)).collect(),
            code: s.code,
            name: s.name,
            province: s.province,
        });
    }
    Ok(render(
        outcome.status,
        &SchoolsPage {
            layout: signed.layout("Trường và khoá ký số", "Schools and signing keys"),
            tabs: tabs(lang, "/authority/schools"),
            q: q.to_owned(),
            schools,
            more,
            form: outcome.form,
            message: outcome.message,
            done: outcome.done,
        },
    ))
}

fn publish_next(lang: Lang) -> &'static str {
    lang.t(
        "Thay đổi có hiệu lực với người xác minh khi Sở xuất bản phiên bản danh sách tin cậy tiếp theo.",
        "The change reaches verifiers when the Department publishes the next trust-list version.",
    )
}

/// `GET /authority/schools`.
pub(super) async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<SchoolQuery>,
) -> Result<Response, WebError> {
    page(&state, &signed, &q.q, Outcome::ok()).await
}

/// `POST /authority/schools`: registers a school.
pub(super) async fn register(
    State(state): State<AppState>,
    signed: Signed,
    Form(form): Form<RegisterForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    signed.require(&[Role::Authority])?;
    let lang = signed.lang;
    let now = state.now();
    let registration = SchoolRegistration {
        code: form.code.trim().to_owned(),
        name: form.name.clone(),
        province: form.province.clone(),
    };
    match life::register_school(state.store(), &registration, actor(&signed, now)).await {
        Ok(school) => {
            let done = match lang {
                Lang::Vi => format!(
                    "Đã đăng ký trường {} ({}). Bước tiếp theo: thêm khoá công khai của trường.",
                    school.name, school.code
                ),
                Lang::En => format!(
                    "School {} ({}) registered. Next: add the school's public key.",
                    school.name, school.code
                ),
            };
            let outcome = Outcome {
                status: StatusCode::CREATED,
                done: Some(done),
                ..Outcome::ok()
            };
            page(&state, &signed, &school.code, outcome).await
        }
        Err(e) => {
            let code = form.code.trim().to_owned();
            let message = refusal(
                e,
                lang,
                (
                    &format!("Mã trường {code} đã được đăng ký; không đăng ký lại."),
                    &format!("School code {code} is already registered; nothing was done."),
                ),
            )?;
            let outcome = Outcome {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                form,
                message: Some(message),
                done: None,
            };
            page(&state, &signed, "", outcome).await
        }
    }
}

/// `POST /authority/schools/{code}/keys`: adds an active key.
pub(super) async fn add_key(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
    Form(form): Form<KeyForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    signed.require(&[Role::Authority])?;
    let lang = signed.lang;
    let now = state.now();
    let outcome = match life::add_key(
        state.store(),
        &code,
        &form.public_key,
        None,
        actor(&signed, now),
    )
    .await
    {
        Ok(_) => Outcome {
            status: StatusCode::CREATED,
            done: Some(
                format!(
                    "{} {}",
                    lang.t("Đã thêm khoá cho trường", "Key added for school"),
                    code
                ) + ". "
                    + publish_next(lang),
            ),
            ..Outcome::ok()
        },
        Err(e) => Outcome {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: Some(refusal(
                e,
                lang,
                (
                    "Khoá này đã được đăng ký (cho trường này hoặc trường khác); không thêm lại.",
                    "This key is already registered (here or for another school); nothing was done.",
                ),
            )?),
            ..Outcome::ok()
        },
    };
    page(&state, &signed, &code, outcome).await
}

/// `POST /authority/schools/{code}/keys/{key}/retire`: the key signs no more.
pub(super) async fn retire(
    State(state): State<AppState>,
    signed: Signed,
    Path((code, key)): Path<(String, String)>,
    Form(form): Form<super::super::auth::CsrfOnly>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    signed.require(&[Role::Authority])?;
    let lang = signed.lang;
    let now = state.now();
    let outcome = match life::retire_key(state.store(), &code, &key, None, actor(&signed, now))
        .await
    {
        Ok(_) => Outcome {
            done: Some(
                lang.t(
                    "Đã cho khoá thôi dùng: hồ sơ ký trước thời điểm này vẫn hợp lệ. ",
                    "Key retired: records it signed before now stay valid. ",
                )
                .to_owned()
                    + publish_next(lang),
            ),
            ..Outcome::ok()
        },
        Err(e) => Outcome {
            status: StatusCode::CONFLICT,
            message: Some(refusal(
                e,
                lang,
                (
                    "Khoá này không còn ở trạng thái đang dùng (đã thôi dùng hoặc bị lộ); không làm lại.",
                    "This key is not active any more (retired or compromised); nothing was done.",
                ),
            )?),
            ..Outcome::ok()
        },
    };
    page(&state, &signed, &code, outcome).await
}

/// `POST /authority/schools/{code}/keys/{key}/compromise`: every signature of the key becomes
/// invalid at the next publication; the page says how many records the school must re-issue.
pub(super) async fn compromise(
    State(state): State<AppState>,
    signed: Signed,
    Path((code, key)): Path<(String, String)>,
    Form(form): Form<CompromiseForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    signed.require(&[Role::Authority])?;
    let lang = signed.lang;
    if form.confirm.is_none() {
        let outcome = Outcome {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: Some(
                lang.t(
                    "Hãy đánh dấu ô xác nhận trước khi báo khoá bị lộ: mọi hồ sơ khoá này đã ký sẽ mất hiệu lực.",
                    "Tick the confirmation box before marking the key compromised: every record it signed becomes invalid.",
                )
                .to_owned(),
            ),
            ..Outcome::ok()
        };
        return page(&state, &signed, &code, outcome).await;
    }
    let now = state.now();
    let outcome = match life::compromise_key(state.store(), &code, &key, None, actor(&signed, now))
        .await
    {
        Ok((_, affected)) => Outcome {
            done: Some(match lang {
                Lang::Vi => format!(
                    "Đã đánh dấu khoá bị lộ. Trường {code} cần cấp lại {} hồ sơ (hiệu trưởng thấy danh sách ở trang của trường). {}",
                    affected.len(),
                    publish_next(lang)
                ),
                Lang::En => format!(
                    "Key marked compromised. School {code} must re-issue {} record(s) (the principal sees the list on the school's pages). {}",
                    affected.len(),
                    publish_next(lang)
                ),
            }),
            ..Outcome::ok()
        },
        Err(e) => Outcome {
            status: StatusCode::CONFLICT,
            message: Some(refusal(
                e,
                lang,
                (
                    "Khoá này đã được đánh dấu bị lộ; không làm lại.",
                    "This key is already marked compromised; nothing was done.",
                ),
            )?),
            ..Outcome::ok()
        },
    };
    page(&state, &signed, &code, outcome).await
}
