//! `POST /api/v1/admissions/score`: the JSON request read into candidates and a scheme, and
//! the answer as JSON, CSV or XLSX (by `Accept`). Bad input is a 4xx problem naming the
//! member (`/candidates/3/area`), the rule and the value.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::super::AppState;
use super::super::api::{declared_over, read_body};
use super::super::problem::{Problem, short};
use super::super::verify::Item;
use super::{CandidateIn, ItemIn, Scored, score_candidates, xlsx};
use crate::admissions::{Extras, Scheme, check_extras, export};

/// The XLSX media type.
pub(super) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Longest candidate id (characters).
const MAX_ID_CHARS: usize = 64;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScoreRequest<'a> {
    #[serde(borrow)]
    scheme: &'a RawValue,
    #[serde(borrow)]
    candidates: Vec<CandidateJson<'a>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InlineScheme {
    toml: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CandidateJson<'a> {
    id: String,
    #[serde(default)]
    area: Option<String>,
    #[serde(default)]
    policy_group: Option<String>,
    #[serde(default)]
    bonus: Option<f64>,
    #[serde(borrow)]
    items: Vec<ItemJson<'a>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ItemJson<'a> {
    #[serde(borrow, default)]
    credential: Option<&'a RawValue>,
    #[serde(default)]
    pdf: Option<String>,
    #[serde(default)]
    qr: Option<String>,
    #[serde(default)]
    share_code: Option<String>,
}

fn unprocessable(field: String, rule: &str, detail: impl Into<String>) -> Problem {
    Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        rule,
        "Invalid admissions request",
        detail,
    )
    .field(field)
}

/// The scheme a request names: a built-in (or `--scheme`) name, or `{"toml": "…"}` inline.
pub(super) fn pick_scheme(
    config: &super::Config,
    raw: &str,
    field: &str,
) -> Result<Arc<Scheme>, Problem> {
    if let Ok(name) = serde_json::from_str::<String>(raw) {
        return config.scheme(&name).ok_or_else(|| {
            let known: Vec<&str> = config.schemes.iter().map(|s| s.name.as_str()).collect();
            unprocessable(
                field.to_owned(),
                "unknown-scheme",
                format!(
                    "no scheme is named {:?}; known: {} (or give one inline as {{\"toml\": \"…\"}})",
                    short(&name),
                    known.join(", ")
                ),
            )
            .value(short(&name))
        });
    }
    let inline: InlineScheme = serde_json::from_str(raw).map_err(|_| {
        unprocessable(
            field.to_owned(),
            "scheme-form",
            "scheme is a name (\"thong-tu-06-2025-ca-nam-lop-12\") or {\"toml\": \"…\"}",
        )
    })?;
    scheme_from_text(&inline.toml, field)
}

/// A scheme file's text → the scheme, or 422 naming its line.
pub(super) fn scheme_from_text(text: &str, field: &str) -> Result<Arc<Scheme>, Problem> {
    Scheme::from_toml(text).map(Arc::new).map_err(|e| {
        let mut p =
            unprocessable(field.to_owned(), "invalid-scheme", e.to_string()).value(short(&e.value));
        if let Some(line) = e.line {
            p = p.limit(line as u64);
        }
        p
    })
}

fn parse(
    body: &[u8],
    config: &super::Config,
    max_items: usize,
) -> Result<(Arc<Scheme>, Vec<CandidateIn>), Problem> {
    let request: ScoreRequest<'_> = serde_json::from_slice(body).map_err(|e| {
        Problem::bad_json(format!(
            "expected {{\"scheme\": \"…\", \"candidates\": [{{\"id\": \"…\", \"items\": [{{\"credential\": {{…}}}} | {{\"pdf\": \"<base64>\"}} | {{\"qr\": \"…\"}} | {{\"shareCode\": \"…\"}}]}}]}}: {e}"
        ))
    })?;
    let scheme = pick_scheme(config, request.scheme.get(), "/scheme")?;
    if request.candidates.is_empty() {
        return Err(unprocessable(
            "/candidates".into(),
            "no-candidates",
            "candidates is empty: give at least one candidate",
        ));
    }
    let total: usize = request.candidates.iter().map(|c| c.items.len()).sum();
    if total > max_items {
        return Err(Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-many-items",
            "Too many items",
            format!("the request has {total} items; at most {max_items} are scored in one request"),
        )
        .field("/candidates")
        .value(total)
        .limit(max_items as u64));
    }
    let mut out: Vec<CandidateIn> = Vec::with_capacity(request.candidates.len());
    for (i, c) in request.candidates.into_iter().enumerate() {
        let at = |m: &str| format!("/candidates/{i}/{m}");
        let id = c.id.trim().to_owned();
        if id.is_empty() || id.chars().count() > MAX_ID_CHARS || id.chars().any(char::is_control) {
            return Err(unprocessable(
                at("id"),
                "candidate-id",
                format!("a candidate id is 1–{MAX_ID_CHARS} printable characters"),
            )
            .value(short(&id)));
        }
        if out.iter().any(|o| o.id == id) {
            return Err(unprocessable(
                at("id"),
                "duplicate-candidate",
                format!("candidate id {:?} is given twice", short(&id)),
            )
            .value(short(&id)));
        }
        let extras = Extras {
            area: c.area,
            group: c.policy_group,
            bonus: c.bonus.unwrap_or(0.0),
        };
        if let Err((member, detail)) = check_extras(&scheme, &extras) {
            return Err(unprocessable(at(member), "candidate-priority", detail));
        }
        if c.items.is_empty() {
            return Err(unprocessable(
                at("items"),
                "no-items",
                format!("candidate {:?} has no items", short(&id)),
            ));
        }
        let mut items = Vec::with_capacity(c.items.len());
        for (j, item) in c.items.into_iter().enumerate() {
            items.push(item_of(item).map_err(|detail| {
                unprocessable(format!("/candidates/{i}/items/{j}"), "item-form", detail)
            })?);
        }
        out.push(CandidateIn { id, extras, items });
    }
    Ok((scheme, out))
}

fn item_of(item: ItemJson<'_>) -> Result<ItemIn, String> {
    match (item.credential, item.pdf, item.qr, item.share_code) {
        (Some(c), None, None, None) => {
            Ok(ItemIn::Item(Item::Credential(c.get().as_bytes().to_vec())))
        }
        (None, Some(pdf), None, None) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(pdf.trim())
                .map_err(|e| format!("pdf is not base64: {e}"))?;
            Ok(ItemIn::Item(Item::File {
                name: None,
                claims_pdf: true,
                bytes,
            }))
        }
        (None, None, Some(qr), None) => Ok(ItemIn::Item(Item::Qr(qr))),
        (None, None, None, Some(code)) => Ok(ItemIn::ShareCode(code)),
        _ => Err("an item has exactly one of credential, pdf, qr or shareCode".into()),
    }
}

/// Which form the client asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Json,
    Csv,
    Xlsx,
}

pub(super) fn format_of(headers: &HeaderMap) -> Format {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if accept.contains(XLSX) {
        Format::Xlsx
    } else if accept.contains("text/csv") {
        Format::Csv
    } else {
        Format::Json
    }
}

/// The answer in `format`.
pub(super) fn answer(scored: &Scored, format: Format) -> Result<Response, Problem> {
    let internal = |e: String| {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Answer could not be written",
            e,
        )
    };
    let file = format!("xet-tuyen-{}", scored.scheme.name);
    match format {
        Format::Json => {
            let bytes = serde_json::to_vec(scored).map_err(|e| internal(e.to_string()))?;
            Ok((
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                bytes,
            )
                .into_response())
        }
        Format::Csv => Ok((
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file}.csv\""),
                ),
            ],
            export::to_csv(&scored.candidates),
        )
            .into_response()),
        Format::Xlsx => {
            let bytes = xlsx::to_xlsx(scored).map_err(internal)?;
            Ok((
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, XLSX.to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{file}.xlsx\""),
                    ),
                ],
                bytes,
            )
                .into_response())
        }
    }
}

/// `POST /api/v1/admissions/score`.
pub(super) async fn score(State(state): State<AppState>, request: Request) -> Response {
    match score_inner(&state, request).await {
        Ok(r) => r,
        Err(p) => p.into_response(),
    }
}

async fn score_inner(state: &AppState, request: Request) -> Result<Response, Problem> {
    let limits = state.inner.limits.clone();
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !(content_type.is_empty() || content_type.starts_with("application/json")) {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            "send application/json ({\"scheme\": …, \"candidates\": […]})",
        )
        .field("Content-Type")
        .value(short(&content_type)));
    }
    let format = format_of(request.headers());
    declared_over(&request, limits.max_json_body_bytes)?;
    let permit = state.heavy_permit().await?;
    let body = read_body(request.into_body(), limits.max_json_body_bytes).await?;
    let config = state.admissions();
    let max_items = limits.max_items;
    let (scheme, candidates) = state
        .run_blocking(None, move || parse(&body, &config, max_items))
        .await??;
    let scored = score_candidates(state, scheme, candidates, permit).await?;
    answer(&scored, format)
}
