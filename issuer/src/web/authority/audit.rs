//! `GET /authority/audit`: the province's audit log searched by what was done (signing,
//! revocation, sharing, …), the school's code, the person, the subject and a date range (days
//! in Vietnam's time), newest first, at most [`LIMIT`] events. A date that cannot be read is
//! said on the page, not an error.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use time::{Date, OffsetDateTime, macros::format_description, macros::offset};

use super::super::error::WebError;
use super::super::lang::Lang;
use super::super::page::{Layout, local_time, render};
use super::super::session::Signed;
use super::{Tab, tabs};
use crate::api::AppState;
use crate::store::{AuditQuery, Role};

/// Events shown at most.
pub(super) const LIMIT: i64 = 200;

/// The search form (a GET: the address can be bookmarked and shared).
#[derive(Debug, Default, Deserialize)]
pub(super) struct AuditForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    school: String,
    #[serde(default)]
    who: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

struct ActionOption {
    value: &'static str,
    label: &'static str,
}

struct EventLine {
    at: String,
    school: String,
    who: String,
    action: String,
    action_code: String,
    subject: String,
    details: String,
}

#[derive(Template)]
#[template(path = "web/authority/audit.html")]
struct AuditPage {
    layout: Layout,
    tabs: Vec<Tab>,
    actions: Vec<ActionOption>,
    form: AuditForm,
    events: Vec<EventLine>,
    message: Option<String>,
    limit: i64,
}

/// The actions one can look for, and how each family is called.
fn actions(lang: Lang) -> Vec<ActionOption> {
    [
        ("", lang.t("Mọi việc", "Everything")),
        ("sign", lang.t("Ký số", "Signing")),
        ("revoke", lang.t("Thu hồi", "Revocation")),
        ("share", lang.t("Chia sẻ hồ sơ", "Sharing")),
        ("import", lang.t("Nhập dữ liệu", "Import")),
        ("edit", lang.t("Sửa hồ sơ", "Edit")),
        ("validate", lang.t("Duyệt", "Validation")),
        ("pdf", lang.t("Xem bản PDF", "PDF opened")),
        ("copy", lang.t("Tải bản ký số", "Credential copied")),
        (
            "authority",
            lang.t(
                "Việc của Sở (trường, khoá, danh sách tin cậy)",
                "Department (schools, keys, trust list)",
            ),
        ),
        ("account", lang.t("Tài khoản", "Accounts")),
    ]
    .into_iter()
    .map(|(value, label)| ActionOption { value, label })
    .collect()
}

/// An action's name on the page.
fn action_label(action: &str, lang: Lang) -> String {
    let family = action.split('.').next().unwrap_or(action);
    let label = match action {
        "share.create" => Some(lang.t("Tạo mã chia sẻ", "Share code made")),
        "share.redeem" => Some(lang.t("Cổng tuyển sinh nhận hồ sơ", "Share redeemed by a portal")),
        "share.withdraw" => Some(lang.t("Rút mã chia sẻ", "Share withdrawn")),
        "authority.register-school" => Some(lang.t("Đăng ký trường", "School registered")),
        "authority.add-key" => Some(lang.t("Thêm khoá", "Key added")),
        "authority.retire-key" => Some(lang.t("Cho khoá thôi dùng", "Key retired")),
        "authority.compromise-key" => Some(lang.t("Báo khoá bị lộ", "Key compromised")),
        "authority.publish" => Some(lang.t("Xuất bản danh sách tin cậy", "Trust list published")),
        _ => actions(lang)
            .into_iter()
            .find(|o| !o.value.is_empty() && o.value == family)
            .map(|o| o.label),
    };
    match label {
        Some(l) => l.to_owned(),
        None => action.to_owned(),
    }
}

/// A `YYYY-MM-DD` day's start in Vietnam's time.
fn day_start(text: &str) -> Result<Option<OffsetDateTime>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let date = Date::parse(text, format_description!("[year]-[month]-[day]")).map_err(|_| ())?;
    Ok(Some(date.midnight().assume_offset(offset!(+7))))
}

/// `GET /authority/audit`.
pub(super) async fn search(
    State(state): State<AppState>,
    signed: Signed,
    Query(form): Query<AuditForm>,
) -> Result<Response, WebError> {
    signed.require(&[Role::Authority])?;
    let lang = signed.lang;
    let (from, to) = match (day_start(&form.from), day_start(&form.to)) {
        (Ok(from), Ok(to)) => (from, to),
        _ => {
            let message = lang
                .t(
                    "Ngày phải có dạng năm-tháng-ngày, ví dụ 2026-05-29. Hãy chọn lại ngày.",
                    "A date is year-month-day, e.g. 2026-05-29. Choose the dates again.",
                )
                .to_owned();
            return Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &AuditPage {
                    layout: signed.layout("Nhật ký hoạt động", "Audit log"),
                    tabs: tabs(lang, "/authority/audit"),
                    actions: actions(lang),
                    form,
                    events: Vec::new(),
                    message: Some(message),
                    limit: LIMIT,
                },
            ));
        }
    };
    let query = AuditQuery {
        action: Some(form.action.clone()),
        school_code: Some(form.school.clone()),
        who: Some(form.who.clone()),
        subject: Some(form.subject.clone()),
        from,
        // The whole last day.
        until: to.map(|t| t + time::Duration::days(1)),
    };
    let events = state
        .store()
        .search_audit(&query, LIMIT)
        .await?
        .into_iter()
        .map(|e| EventLine {
            at: local_time(e.at),
            school: e.school_code.unwrap_or_default(),
            who: e
                .who
                .unwrap_or_else(|| lang.t("Hệ thống", "The system").to_owned()),
            action: action_label(&e.action, lang),
            action_code: e.action,
            subject: e.subject,
            details: e.details_json.chars().take(200).collect(),
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &AuditPage {
            layout: signed.layout("Nhật ký hoạt động", "Audit log"),
            tabs: tabs(lang, "/authority/audit"),
            actions: actions(lang),
            form,
            events,
            message: None,
            limit: LIMIT,
        },
    ))
}
