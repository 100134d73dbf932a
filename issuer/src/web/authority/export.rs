//! `GET /authority/coverage.csv` and `/authority/coverage.xlsx`: the province table of one
//! school year (`?year=`) as a file, in the page's language, the same numbers as the page
//! (`app::coverage`): one line per school, then the province's total. Rates are numbers with
//! a point (`99.34`), counts plain integers, so a spreadsheet adds them up. The file is named
//! after the school year only (`bao-phu-hoc-ba-2025-2026.csv`): no personal data.

use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::super::error::WebError;
use super::super::lang::Lang;
use super::super::page::security_headers;
use super::super::session::Signed;
use super::province::{YearQuery, kind_label};
use crate::api::AppState;
use crate::app::coverage::{ProvinceCoverage, SchoolCoverage};
use crate::store::Role;

/// The columns, in `lang`.
fn header(lang: Lang) -> [&'static str; 12] {
    [
        lang.t("Mã trường", "School code"),
        lang.t("Tên trường", "School"),
        lang.t("Học sinh", "Pupils"),
        lang.t("Dự kiến cấp", "Expected"),
        lang.t("Đã ký", "Signed"),
        lang.t("Tỷ lệ đã cấp (%)", "Issued (%)"),
        lang.t("Bản nháp", "Drafts"),
        lang.t("Đã duyệt, chờ ký", "Validated, not signed"),
        lang.t("Đã thu hồi", "Revoked"),
        lang.t(
            "Bị chặn vì sai lệch dữ liệu",
            "Held back by data mismatches",
        ),
        lang.t("Dòng bị từ chối khi nhập", "Rows refused at import"),
        lang.t("Lý do chính", "Main reason"),
    ]
}

/// A line's cells.
struct Cells {
    code: String,
    name: String,
    /// Pupils, expected, signed.
    a: [i64; 3],
    /// Signed / expected in per cent, two decimals.
    rate: f64,
    /// Drafts, validated, revoked, held back, refused at import.
    b: [i64; 5],
    reason: String,
}

fn cells(s: &SchoolCoverage, lang: Lang) -> Cells {
    let reason = s
        .main_reason
        .as_ref()
        .map(|r| {
            let kind = kind_label(&r.kind, lang);
            let label = match lang {
                Lang::Vi => r.label_vi(),
                Lang::En => r.label_en(),
            };
            format!("{kind}: {label} ({})", r.count)
        })
        .unwrap_or_default();
    Cells {
        code: s.code.clone(),
        name: s.name.clone(),
        a: [s.pupils, s.expected, s.signed],
        rate: (s.rate() * 100.0).round() / 100.0,
        b: [s.draft, s.validated, s.revoked, s.held, s.refused],
        reason,
    }
}

fn all_lines(cov: &ProvinceCoverage, lang: Lang) -> Vec<SchoolCoverage> {
    let mut lines = cov.schools.clone();
    let mut total = cov.total.clone();
    total.name = lang.t("Toàn tỉnh", "Province").to_owned();
    lines.push(total);
    lines
}

fn file_name(year: &str, ext: &str) -> String {
    let year: String = year
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    if year.is_empty() {
        format!("bao-phu-hoc-ba.{ext}")
    } else {
        format!("bao-phu-hoc-ba-{year}.{ext}")
    }
}

fn download(body: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let mut r = (StatusCode::OK, body).into_response();
    let h = r.headers_mut();
    security_headers(h);
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

async fn coverage(
    state: &AppState,
    signed: &Signed,
    q: &YearQuery,
) -> Result<ProvinceCoverage, WebError> {
    signed.require(&[Role::Authority])?;
    Ok(state
        .issuer()
        .province_coverage(q.year(), state.now())
        .await?)
}

/// The table as CSV (UTF-8 with a byte-order mark, so Excel reads the Vietnamese letters).
pub(super) fn coverage_csv(cov: &ProvinceCoverage, lang: Lang) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(header(lang))?;
    for s in all_lines(cov, lang) {
        let Cells {
            code,
            name,
            a,
            rate,
            b,
            reason,
        } = cells(&s, lang);
        let mut record = vec![code, name];
        record.extend(a.iter().map(i64::to_string));
        record.push(format!("{rate:.2}"));
        record.extend(b.iter().map(i64::to_string));
        record.push(reason);
        w.write_record(&record)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// The table as an XLSX workbook of one sheet.
pub(super) fn coverage_xlsx(cov: &ProvinceCoverage, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.00");
    let sheet = book.add_worksheet();
    let mut sheet_name: String = cov
        .school_year
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(31)
        .collect();
    if sheet_name.is_empty() {
        sheet_name = "hoc-ba".to_owned();
    }
    sheet.set_name(sheet_name)?;
    for (col, title) in (0u16..).zip(header(lang)) {
        sheet.write_string_with_format(0, col, title, &bold)?;
    }
    for (row, s) in (1u32..).zip(all_lines(cov, lang)) {
        let Cells {
            code,
            name,
            a,
            rate,
            b,
            reason,
        } = cells(&s, lang);
        sheet.write_string(row, 0, code)?;
        sheet.write_string(row, 1, name)?;
        for (col, n) in (2u16..).zip(a) {
            sheet.write_number(row, col, n as f64)?;
        }
        sheet.write_number_with_format(row, 5, rate, &percent)?;
        for (col, n) in (6u16..).zip(b) {
            sheet.write_number(row, col, n as f64)?;
        }
        sheet.write_string(row, 11, reason)?;
    }
    sheet.set_column_width(1, 40)?;
    sheet.set_column_width(11, 60)?;
    book.save_to_buffer()
}

/// `GET /authority/coverage.csv`.
pub(super) async fn csv(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    let cov = coverage(&state, &signed, &q).await?;
    let body = coverage_csv(&cov, signed.lang).map_err(|e| {
        tracing::error!(error = %e, "coverage CSV failed");
        WebError::Internal
    })?;
    Ok(download(
        body,
        "text/csv; charset=utf-8",
        &file_name(&cov.school_year, "csv"),
    ))
}

/// `GET /authority/coverage.xlsx`.
pub(super) async fn xlsx(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    let cov = coverage(&state, &signed, &q).await?;
    let body = coverage_xlsx(&cov, signed.lang).map_err(|e| {
        tracing::error!(error = %e, "coverage XLSX failed");
        WebError::Internal
    })?;
    Ok(download(
        body,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &file_name(&cov.school_year, "xlsx"),
    ))
}
