//! `GET /authority`: the province at a glance in one school year (`?year=`; the newest year
//! with records otherwise). The figures are `app::coverage`'s; this page only lays them out,
//! each number also in a `data-` attribute of its row for software and tests.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::super::error::WebError;
use super::super::lang::Lang;
use super::super::page::{Layout, render};
use super::super::session::Signed;
use super::{Tab, count, rate, tabs};
use crate::api::AppState;
use crate::app::coverage::{ProvinceCoverage, SchoolCoverage};
use crate::store::Role;

/// `?year=`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct YearQuery {
    #[serde(default)]
    pub(super) year: Option<String>,
}

impl YearQuery {
    /// The year asked for, if any (blank is none).
    pub(super) fn year(&self) -> Option<&str> {
        self.year
            .as_deref()
            .map(str::trim)
            .filter(|y| !y.is_empty())
    }
}

/// A line of the table as the page writes it.
pub(super) struct Line {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) pupils: i64,
    pub(super) expected: i64,
    pub(super) signed: i64,
    pub(super) held: i64,
    pub(super) refused: i64,
    pub(super) pupils_text: String,
    pub(super) expected_text: String,
    pub(super) signed_text: String,
    pub(super) waiting_text: String,
    pub(super) held_text: String,
    pub(super) refused_text: String,
    pub(super) rate: String,
    pub(super) held_rate: String,
    pub(super) reason: String,
    pub(super) low: bool,
}

impl Line {
    fn of(s: &SchoolCoverage, lang: Lang) -> Line {
        Line {
            code: s.code.clone(),
            name: s.name.clone(),
            pupils: s.pupils,
            expected: s.expected,
            signed: s.signed,
            held: s.held,
            refused: s.refused,
            pupils_text: count(s.pupils, lang),
            expected_text: count(s.expected, lang),
            signed_text: count(s.signed, lang),
            waiting_text: count(s.draft + s.validated, lang),
            held_text: count(s.held, lang),
            refused_text: count(s.refused, lang),
            rate: rate(s.rate(), lang),
            held_rate: rate(s.held_rate(), lang),
            reason: s
                .main_reason
                .as_ref()
                .map(|r| match lang {
                    Lang::Vi => r.label_vi(),
                    Lang::En => r.label_en(),
                })
                .unwrap_or_default(),
            low: s.expected > 0 && s.rate() < 95.0,
        }
    }
}

/// A reason with its count.
pub(super) struct ReasonLine {
    pub(super) kind: String,
    pub(super) kind_label: &'static str,
    pub(super) rule: String,
    pub(super) label: String,
    pub(super) count: i64,
    pub(super) count_text: String,
}

#[derive(Template)]
#[template(path = "web/authority/province.html")]
struct ProvincePage {
    layout: Layout,
    tabs: Vec<Tab>,
    year: String,
    years: Vec<String>,
    total: Line,
    lines: Vec<Line>,
    reasons: Vec<ReasonLine>,
    year_query: String,
}

/// What each kind of reason is called.
pub(super) fn kind_label(kind: &str, lang: Lang) -> &'static str {
    match kind {
        "identity" => lang.t(
            "Mã định danh không khớp ngày sinh / giới tính",
            "Personal ID vs. date of birth / gender",
        ),
        "import" => lang.t("Dòng bị từ chối khi nhập", "Rows refused at import"),
        _ => lang.t("Chưa qua kiểm tra dữ liệu", "Validation not passed"),
    }
}

/// The page's lines of `cov`.
pub(super) fn lines(cov: &ProvinceCoverage, lang: Lang) -> (Line, Vec<Line>, Vec<ReasonLine>) {
    let mut total = Line::of(&cov.total, lang);
    total.name = lang.t("Toàn tỉnh", "Province").to_owned();
    let lines = cov.schools.iter().map(|s| Line::of(s, lang)).collect();
    let reasons = cov
        .reasons
        .iter()
        .map(|r| ReasonLine {
            kind: r.kind.clone(),
            kind_label: kind_label(&r.kind, lang),
            rule: r.rule.clone(),
            label: match lang {
                Lang::Vi => r.label_vi(),
                Lang::En => r.label_en(),
            },
            count: r.count,
            count_text: count(r.count, lang),
        })
        .collect();
    (total, lines, reasons)
}

/// `GET /authority`.
pub(super) async fn home(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    signed.require(&[Role::Authority])?;
    let lang = signed.lang;
    let cov = state
        .issuer()
        .province_coverage(q.year(), state.now())
        .await?;
    let (total, lines, reasons) = lines(&cov, lang);
    let year_query = super::super::session::urlencode(&cov.school_year);
    Ok(render(
        StatusCode::OK,
        &ProvincePage {
            layout: signed.layout("Toàn tỉnh", "The province"),
            tabs: tabs(lang, "/authority"),
            year: cov.school_year,
            years: cov.years,
            total,
            lines,
            reasons,
            year_query,
        },
    ))
}
