//! `GET /school`: the school year at a glance — per class its pupils and records by state
//! (draft, validated, signed, revoked, blocked), each count a link to the list of names, and
//! the sign buttons (a class, or the whole school year). `GET /school/classes/{year}/{class}`:
//! a class's records by pupil name, optionally of one state.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::super::error::WebError;
use super::super::lang::Lang;
use super::super::page::{Layout, render};
use super::super::session::Signed;
use super::{class_href, my_school};
use crate::api::AppState;
use crate::app::overview::ClassSummary;
use crate::store::RecordState;

/// A count and the list it links to.
struct Count {
    n: usize,
    href: String,
}

struct ClassRow {
    name: String,
    grade: i64,
    pupils: usize,
    href: String,
    draft: Count,
    validated: Count,
    signed: Count,
    revoked: Count,
    blocked: Count,
    zip: Option<String>,
}

#[derive(Template)]
#[template(path = "web/principal/overview.html")]
struct OverviewPage {
    layout: Layout,
    school_name: String,
    years: Vec<(String, bool)>,
    year: String,
    classes: Vec<ClassRow>,
    totals: ClassSummary,
    nonce: String,
    /// The sign forms ask for the principal's PIN (the key is on a token).
    pin_needed: bool,
}

#[derive(Deserialize)]
pub(super) struct YearQuery {
    #[serde(default)]
    year: Option<String>,
}

fn row(year: &str, c: &ClassSummary) -> ClassRow {
    let count = |n: usize, state: &str| Count {
        n,
        href: class_href(year, &c.class_name, Some(state)),
    };
    ClassRow {
        name: c.class_name.clone(),
        grade: c.grade,
        pupils: c.pupils,
        href: class_href(year, &c.class_name, None),
        draft: count(c.draft, "draft"),
        validated: count(c.validated, "validated"),
        signed: count(c.signed, "signed"),
        revoked: count(c.revoked, "revoked"),
        blocked: count(c.blocked, "blocked"),
        zip: (c.signed > 0).then(|| format!("{}/zip", class_href(year, &c.class_name, None))),
    }
}

/// `GET /school?year=…`.
pub(super) async fn home(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    let school = my_school(&state, &signed).await?;
    let all = state.issuer().school_overview(&school, None).await?;
    let mut years: Vec<String> = all.iter().map(|c| c.school_year.clone()).collect();
    years.dedup();
    let year = q
        .year
        .filter(|y| years.contains(y))
        .or_else(|| years.last().cloned())
        .unwrap_or_default();
    let mine: Vec<&ClassSummary> = all.iter().filter(|c| c.school_year == year).collect();
    let mut totals = ClassSummary::default();
    for c in &mine {
        totals.pupils += c.pupils;
        totals.draft += c.draft;
        totals.validated += c.validated;
        totals.signed += c.signed;
        totals.revoked += c.revoked;
        totals.blocked += c.blocked;
    }
    let classes = mine.iter().map(|c| row(&year, c)).collect();
    let mut layout = signed.layout("Năm học của trường", "The school year");
    layout.script = true;
    Ok(render(
        StatusCode::OK,
        &OverviewPage {
            layout,
            school_name: school.name,
            years: years.iter().map(|y| (y.clone(), *y == year)).collect(),
            year,
            classes,
            totals,
            nonce: uuid::Uuid::new_v4().simple().to_string(),
            pin_needed: state.issuer().principal_pin_needed(),
        },
    ))
}

/// A state as the pages name it, and its badge.
pub(super) fn state_label(
    state: RecordState,
    blocked: bool,
    lang: Lang,
) -> (&'static str, &'static str) {
    match state {
        RecordState::Draft if blocked => (lang.t("Bị chặn", "Blocked"), "bad"),
        RecordState::Draft => (lang.t("Nháp", "Draft"), "warn"),
        RecordState::Validated => (lang.t("Đã duyệt", "Validated"), "warn"),
        RecordState::Signed => (lang.t("Đã ký số", "Signed"), "ok"),
        RecordState::Revoked => (lang.t("Đã thu hồi", "Revoked"), "bad"),
    }
}

struct RosterRow {
    name: String,
    href: String,
    state: &'static str,
    badge: &'static str,
    problem: String,
    pdf: Option<String>,
}

#[derive(Template)]
#[template(path = "web/principal/roster.html")]
struct RosterPage {
    layout: Layout,
    year: String,
    class: String,
    filter: Option<&'static str>,
    all_href: String,
    rows: Vec<RosterRow>,
    validated: usize,
    signed: usize,
    zip: String,
    nonce: String,
    /// The sign form asks for the principal's PIN (the key is on a token).
    pin_needed: bool,
}

#[derive(Deserialize)]
pub(super) struct StateQuery {
    #[serde(default)]
    state: Option<String>,
}

/// `GET /school/classes/{year}/{class}?state=…`: the 404 page for a class the school does
/// not have.
pub(super) async fn roster(
    State(state): State<AppState>,
    signed: Signed,
    Path((year, class)): Path<(String, String)>,
    Query(q): Query<StateQuery>,
) -> Result<Response, WebError> {
    let school = my_school(&state, &signed).await?;
    let lang = signed.lang;
    let lines = state
        .issuer()
        .class_roster(&school, &year, &class, None)
        .await?;
    if lines.is_empty() {
        return Err(WebError::NotFound);
    }
    let wanted: Option<(Option<RecordState>, bool)> = match q.state.as_deref() {
        None | Some("") => None,
        Some("blocked") => Some((Some(RecordState::Draft), true)),
        Some(s) => Some((Some(s.parse().map_err(|_| WebError::NotFound)?), false)),
    };
    let validated = lines
        .iter()
        .filter(|l| l.record.state == RecordState::Validated)
        .count();
    let signed_n = lines
        .iter()
        .filter(|l| l.record.state == RecordState::Signed)
        .count();
    let filter = wanted.map(|(s, blocked)| match s {
        Some(s) => state_label(s, blocked, lang).0,
        None => "",
    });
    let rows = lines
        .into_iter()
        .filter(|l| match wanted {
            None => true,
            Some((s, blocked)) => Some(l.record.state) == s && (!blocked || l.blocked),
        })
        .map(|l| {
            let (label, badge) = state_label(l.record.state, l.blocked, lang);
            let errors: Vec<_> = l.problems.iter().filter(|p| p.is_error()).collect();
            let problem = match (errors.first(), errors.len()) {
                (None, _) => String::new(),
                (Some(p), 1) => lang.t(&p.message_vi, &p.message_en).to_owned(),
                (Some(p), n) => match lang {
                    Lang::Vi => format!("{} (và {} lỗi khác)", p.message_vi, n - 1),
                    Lang::En => format!("{} (and {} more)", p.message_en, n - 1),
                },
            };
            let href = format!("/school/records/{}", l.record.id);
            RosterRow {
                pdf: matches!(l.record.state, RecordState::Signed | RecordState::Revoked)
                    .then(|| format!("{href}/pdf")),
                name: if l.pupil_name.is_empty() {
                    lang.t("(chưa có tên)", "(no name)").to_owned()
                } else {
                    l.pupil_name
                },
                href,
                state: label,
                badge,
                problem,
            }
        })
        .collect();
    let title_vi = format!("Lớp {class} · năm học {year}");
    let title_en = format!("Class {class} · school year {year}");
    let mut layout = signed.layout(&title_vi, &title_en);
    layout.script = true;
    Ok(render(
        StatusCode::OK,
        &RosterPage {
            layout,
            all_href: class_href(&year, &class, None),
            zip: format!("{}/zip", class_href(&year, &class, None)),
            year,
            class,
            filter,
            rows,
            validated,
            signed: signed_n,
            nonce: uuid::Uuid::new_v4().simple().to_string(),
            pin_needed: state.issuer().principal_pin_needed(),
        },
    ))
}
