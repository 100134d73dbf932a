//! "My classes" (`GET /teacher`), a class's records by pupil name
//! (`GET /teacher/classes/{year}/{class}`) and validating the class, which sends it to the
//! principal (`POST …/validate`).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::super::error::WebError;
use super::super::lang::Lang;
use super::super::page::{Layout, render};
use super::super::session::Signed;
use super::{class_href, own_school, plain};
use crate::api::AppState;
use crate::app::overview::ClassSummary;
use crate::app::validate::ClassValidation;
use crate::store::RecordState;

/// A class in a list.
pub(super) struct ClassRow {
    pub(super) href: String,
    pub(super) year: String,
    pub(super) class: String,
    pub(super) grade: i64,
    pub(super) pupils: usize,
    pub(super) draft: usize,
    pub(super) blocked: usize,
    pub(super) validated: usize,
    pub(super) signed: usize,
}

impl From<ClassSummary> for ClassRow {
    fn from(c: ClassSummary) -> Self {
        ClassRow {
            href: class_href(&c.school_year, &c.class_name),
            year: c.school_year,
            class: c.class_name,
            grade: c.grade,
            pupils: c.pupils,
            draft: c.draft,
            blocked: c.blocked,
            validated: c.validated,
            signed: c.signed + c.revoked,
        }
    }
}

#[derive(Template)]
#[template(path = "web/teacher/home.html")]
struct HomePage {
    layout: Layout,
    mine: Vec<ClassRow>,
    others: Vec<ClassRow>,
}

/// `GET /teacher`: my classes, the school's other classes, the upload form.
pub(super) async fn home(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Response, WebError> {
    let school = own_school(&state, &signed).await?;
    let classes = state
        .issuer()
        .teacher_classes(&school, &signed.account().id, None)
        .await?;
    let mut layout = signed.layout("Lớp của tôi", "My classes");
    layout.script = true;
    Ok(render(
        StatusCode::OK,
        &HomePage {
            layout,
            mine: classes.mine.into_iter().map(ClassRow::from).collect(),
            others: classes.others.into_iter().map(ClassRow::from).collect(),
        },
    ))
}

/// A record of the class.
struct PupilRow {
    name: String,
    state: &'static str,
    badge: &'static str,
    problems: Vec<String>,
    edit_href: Option<String>,
}

/// Who was not validated, and why.
struct Refused {
    name: String,
    reasons: Vec<String>,
}

/// What the class's validation did.
struct Outcome {
    validated: usize,
    already: usize,
    refused: Vec<Refused>,
}

#[derive(Template)]
#[template(path = "web/teacher/class.html")]
struct ClassPage {
    layout: Layout,
    validate_action: String,
    rows: Vec<PupilRow>,
    drafts: usize,
    blocked: usize,
    validated: usize,
    outcome: Option<Outcome>,
    saved: Option<String>,
}

/// `?saved=ID` after a correction: the record saved, whose pupil the page names (the name
/// itself stays out of URLs and so out of access logs).
#[derive(Default, Deserialize)]
pub(super) struct ClassQuery {
    #[serde(default)]
    saved: Option<String>,
}

fn state_words(state: RecordState, blocked: bool, lang: Lang) -> (&'static str, &'static str) {
    match state {
        RecordState::Draft if blocked => (lang.t("Có lỗi", "Has errors"), "bad"),
        RecordState::Draft => (lang.t("Nháp", "Draft"), "warn"),
        RecordState::Validated => (
            lang.t(
                "Đã duyệt, chờ hiệu trưởng ký",
                "Validated, awaiting signature",
            ),
            "ok",
        ),
        RecordState::Signed => (lang.t("Đã ký số", "Signed"), "ok"),
        RecordState::Revoked => (lang.t("Đã thu hồi", "Revoked"), "bad"),
    }
}

async fn class_page(
    state: &AppState,
    signed: &Signed,
    year: String,
    class: String,
    outcome: Option<Outcome>,
    saved: Option<String>,
) -> Result<Response, WebError> {
    let school = own_school(state, signed).await?;
    let lang = signed.lang;
    let roster = state
        .issuer()
        .class_roster(&school, &year, &class, None)
        .await?;
    if roster.is_empty() {
        return Err(WebError::NotFound);
    }
    let saved = saved.and_then(|id| {
        roster
            .iter()
            .find(|l| l.record.id == id)
            .map(|l| l.pupil_name.clone())
    });
    let (mut drafts, mut blocked, mut validated) = (0, 0, 0);
    let rows = roster
        .into_iter()
        .map(|line| {
            match line.record.state {
                RecordState::Draft => drafts += 1,
                RecordState::Validated => validated += 1,
                _ => {}
            }
            if line.blocked {
                blocked += 1;
            }
            let (state, badge) = state_words(line.record.state, line.blocked, lang);
            let editable = matches!(
                line.record.state,
                RecordState::Draft | RecordState::Validated
            );
            PupilRow {
                name: line.pupil_name,
                state,
                badge,
                problems: line
                    .problems
                    .iter()
                    .map(|p| {
                        plain(
                            lang.t(&p.message_vi, &p.message_en),
                            &p.pointer,
                            p.rule.code(),
                            false,
                        )
                    })
                    .collect(),
                edit_href: editable.then(|| format!("/teacher/records/{}", line.record.id)),
            }
        })
        .collect();
    let title = match lang {
        Lang::Vi => format!("Lớp {class} · năm học {year}"),
        Lang::En => format!("Class {class} · {year}"),
    };
    let mut layout = signed.layout(&title, &title);
    layout.script = true;
    Ok(render(
        StatusCode::OK,
        &ClassPage {
            layout,
            validate_action: format!("{}/validate", class_href(&year, &class)),
            rows,
            drafts,
            blocked,
            validated,
            outcome,
            saved,
        },
    ))
}

/// `GET /teacher/classes/{year}/{class}`.
pub(super) async fn class(
    State(state): State<AppState>,
    signed: Signed,
    Path((year, class)): Path<(String, String)>,
    Query(query): Query<ClassQuery>,
) -> Result<Response, WebError> {
    class_page(&state, &signed, year, class, None, query.saved).await
}

/// The validation form.
#[derive(Deserialize)]
pub(super) struct ValidateForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    accept_warnings: Option<String>,
}

fn outcome(done: ClassValidation, lang: Lang) -> Outcome {
    Outcome {
        validated: done.validated.len(),
        already: done.already,
        refused: done
            .refused
            .into_iter()
            .map(|n| {
                let mut reasons: Vec<String> = n
                    .report
                    .map(|r| {
                        r.problems
                            .iter()
                            .map(|p| {
                                plain(
                                    lang.t(&p.message_vi, &p.message_en),
                                    &p.pointer,
                                    p.rule.code(),
                                    false,
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                reasons.extend(n.reason);
                Refused {
                    name: n.pupil.pupil_name,
                    reasons,
                }
            })
            .collect(),
    }
}

/// `POST /teacher/classes/{year}/{class}/validate`: the class's drafts that pass become
/// validated (sent to the principal); the page lists those that do not.
pub(super) async fn validate(
    State(state): State<AppState>,
    signed: Signed,
    Path((year, class)): Path<(String, String)>,
    Form(form): Form<ValidateForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let school = own_school(&state, &signed).await?;
    let done = state
        .issuer()
        .validate_class(
            &school,
            Some(&signed.account().id),
            &year,
            Some(&class),
            form.accept_warnings.is_some(),
            state.now(),
        )
        .await?;
    let outcome = outcome(done, signed.lang);
    class_page(&state, &signed, year, class, Some(outcome), None).await
}
