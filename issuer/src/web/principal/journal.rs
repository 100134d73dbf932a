//! The school's lists that are not a class: the re-issue list after a key compromise (the
//! credentials signed by a key of the school marked compromised that no credential replaces
//! yet — what `GET /api/v1/reissue` answers) and the school's audit log, newest first, paged,
//! saying who (the account's name) did what, in the page's language.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;

use super::super::error::WebError;
use super::super::lang::Lang;
use super::super::page::{Layout, local_time, render};
use super::super::session::Signed;
use super::my_school;
use crate::api::AppState;
use crate::authority::{AuthorityError, reissue_list};
use crate::store::{AuditEvent, Scope};

struct ReissueRow {
    name: String,
    class: String,
    year: String,
    href: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "web/principal/reissue.html")]
struct ReissuePage {
    layout: Layout,
    rows: Vec<ReissueRow>,
}

/// `GET /school/reissue`.
pub(super) async fn reissue(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Response, WebError> {
    let school = my_school(&state, &signed).await?;
    let list = reissue_list(state.store(), &school)
        .await
        .map_err(|e| match e {
            AuthorityError::Store(s) => WebError::from(s),
            AuthorityError::Issuer(i) => WebError::from(i),
            other => {
                tracing::error!(error = %other, "the re-issue list failed");
                WebError::Internal
            }
        })?;
    let rows = list
        .into_iter()
        .map(|c| ReissueRow {
            name: c.pupil_name,
            class: c.class_name,
            year: c.school_year,
            href: format!("/school/records/{}", c.record_id),
            revoked: c.revoked_at.is_some(),
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &ReissuePage {
            layout: signed.layout("Học bạ cần cấp lại", "Records to re-issue"),
            rows,
        },
    ))
}

/// Rows of the audit log per page.
const PAGE: u32 = 50;
/// The last page shown (older events: the Department's audit search).
const MAX_PAGE: u32 = 100;

struct AuditRow {
    at: String,
    who: String,
    what: String,
    href: Option<String>,
}

#[derive(Template)]
#[template(path = "web/principal/audit.html")]
struct AuditPage {
    layout: Layout,
    rows: Vec<AuditRow>,
    page: u32,
    newer: Option<u32>,
    older: Option<u32>,
}

#[derive(Deserialize)]
pub(super) struct PageQuery {
    #[serde(default)]
    page: Option<u32>,
}

/// What an action is, in `lang`.
fn action_label(action: &str, lang: Lang) -> &str {
    match action {
        "import" => lang.t("Nhập tệp hồ sơ", "Imported records"),
        "edit" => lang.t("Sửa hồ sơ nháp", "Edited a draft"),
        "validate" => lang.t("Duyệt hồ sơ", "Validated"),
        "sign" => lang.t("Ký số học bạ", "Signed"),
        "revoke" => lang.t("Thu hồi học bạ", "Revoked"),
        "correction" => lang.t("Bắt đầu cấp lại hồ sơ", "Started a re-issue"),
        "pdf" => lang.t("Xem/tải bản PDF", "Opened a PDF"),
        "copy" => lang.t("Đọc học bạ", "Read a record"),
        "share.create" => lang.t("Tạo mã chia sẻ", "Made a share code"),
        "share.withdraw" => lang.t("Rút mã chia sẻ", "Withdrew a share code"),
        "share.redeem" | "redeem" => lang.t(
            "Cổng tuyển sinh nhận học bạ",
            "A portal redeemed a share code",
        ),
        "guardian_token.create" => lang.t("Cấp mã cho phụ huynh", "Made a guardian token"),
        "account.create" => lang.t("Tạo tài khoản", "Created an account"),
        "account.disable" => lang.t("Khoá tài khoản", "Disabled an account"),
        "account.password" => lang.t("Đặt mật khẩu", "Set a password"),
        "authority.compromise-key" => lang.t(
            "Sở đánh dấu khoá bị lộ",
            "The Department marked a key compromised",
        ),
        "authority.retire-key" => lang.t("Sở thôi dùng khoá", "The Department retired a key"),
        "authority.register-key" | "authority.add-key" => {
            lang.t("Sở đăng ký khoá", "The Department registered a key")
        }
        a if a.starts_with("authority.") => lang.t("Việc của Sở GD&ĐT", "A Department action"),
        other => other,
    }
}

/// A few details worth reading (a revocation's reason, the number of rows), never personal
/// data (the log holds none).
fn detail(event: &AuditEvent, lang: Lang) -> String {
    let details: Value = serde_json::from_str(&event.details_json).unwrap_or(Value::Null);
    match event.action.as_str() {
        "revoke" => details["reason"]
            .as_str()
            .map(|r| format!("{}: {r}", lang.t("lý do", "reason")))
            .unwrap_or_default(),
        _ if event.subject.starts_with("class:") || event.subject.starts_with("year:") => {
            let s = event.subject.replace("class:", "").replace("year:", "");
            format!("{} {s}", lang.t("phạm vi", "scope"))
        }
        "import" => event
            .subject
            .replace("file:", "")
            .replace("rows", lang.t("dòng", "rows")),
        _ => String::new(),
    }
}

/// `GET /school/audit?page=…`.
pub(super) async fn audit(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let school = my_school(&state, &signed).await?;
    let lang = signed.lang;
    let page = q.page.unwrap_or(1).clamp(1, MAX_PAGE);
    let mut events = state
        .store()
        .list_audit(&Scope::School(school.id.clone()), page * PAGE + 1)
        .await?;
    let has_older = events.len() > usize::try_from(page * PAGE).unwrap_or(usize::MAX);
    let skip = usize::try_from((page - 1) * PAGE).unwrap_or(usize::MAX);
    events.truncate(usize::try_from(page * PAGE).unwrap_or(usize::MAX));
    let names: HashMap<String, String> = state
        .store()
        .list_accounts(Some(&school.id))
        .await?
        .into_iter()
        .map(|a| (a.id, a.display_name))
        .collect();
    let rows = events
        .iter()
        .skip(skip)
        .map(|e| {
            let who = match &e.user_id {
                Some(id) => names.get(id).cloned().unwrap_or_else(|| {
                    lang.t(
                        "Người ngoài trường (Sở, cổng tuyển sinh)",
                        "Someone outside the school (Department, portal)",
                    )
                    .to_owned()
                }),
                None => lang.t("Hệ thống", "The system").to_owned(),
            };
            let label = action_label(&e.action, lang);
            let more = detail(e, lang);
            let what = if more.is_empty() {
                label.to_owned()
            } else {
                format!("{label} — {more}")
            };
            let details: Value = serde_json::from_str(&e.details_json).unwrap_or(Value::Null);
            let href = match e.action.as_str() {
                "revoke" => details["recordId"]
                    .as_str()
                    .map(|r| format!("/school/records/{r}")),
                "edit" | "validate" | "correction" if !e.subject.contains(':') => {
                    Some(format!("/school/records/{}", e.subject))
                }
                _ => None,
            };
            AuditRow {
                at: local_time(e.at),
                who,
                what,
                href,
            }
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &AuditPage {
            layout: signed.layout("Nhật ký của trường", "The school's audit log"),
            rows,
            page,
            newer: (page > 1).then(|| page - 1),
            older: (has_older && page < MAX_PAGE).then_some(page + 1),
        },
    ))
}
