//! The machine API: `GET /health`, `POST /api/v1/verify` (bulk, JSON or multipart) and the
//! route of the W3C VC-API `POST /credentials/verify` (handled in `super::vc_api`).
//!
//! Each POST takes its heavy slot before its body is read, reads the body through a limit
//! ([`super::Limits::max_json_body_bytes`] for JSON, [`super::Limits::max_body_bytes`] for
//! multipart), and verifies on the blocking pool under the work deadline ([`check_items`]).
//! `GET /health` does no work and waits for nothing, so it answers while verifications run.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http_body_util::{BodyExt, Limited};
use serde_json::json;
use tokio::sync::OwnedSemaphorePermit;

use super::AppState;
use super::answer::{TrustListOut, VerifyResponse, answer_json};
use super::items_in::parse_json_items;
use super::problem::{Problem, short};
use super::verify::{
    Checked, Item, ItemReport, check_all, check_pdfs, needs_of, pdf_copies, read_items, rfc3339,
};
use crate::online::Material;
use crate::pdf::signatures::PdfSignatures;
use crate::pipeline::{Input, Needs};
use time::OffsetDateTime;

/// Largest single uploaded file kept (32 MiB, the QR photo limit; PDFs are held to 16 MiB).
const MAX_FILE_BYTES: usize = crate::qr::MAX_IMAGE_BYTES;

/// Routes of this module.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/api/v1/verify", post(verify))
        .route("/credentials/verify", post(super::vc_api::vc_api_verify))
}

async fn health(State(state): State<AppState>) -> Response {
    let now = state.now();
    let material = state.inner.source.held();
    let source = state.inner.source.describe().await;
    let body = match material {
        Some(m) => json!({
            "status": "ok",
            "mode": if state.inner.source.is_online() { "online" } else { "offline" },
            "trustSource": source,
            "time": rfc3339(now),
            "trustList": {
                "id": m.trust.id(),
                "version": m.trust.version(),
                "validUntil": rfc3339(m.trust.valid_until()),
                "stale": m.trust.is_stale(now),
            },
            "statusLists": m.status_lists.len(),
            "materialAsOf": rfc3339(m.as_of),
        }),
        None => json!({
            "status": "degraded",
            "mode": "online",
            "trustSource": source,
            "time": rfc3339(now),
            "detail": "no verified trust list yet (issuer unreachable and nothing cached)",
        }),
    };
    Json(body).into_response()
}

/// 413 when the request declares (`Content-Length`) a body over `limit`: answered before the
/// request waits for its slot or reads anything.
pub(super) fn declared_over(request: &Request, limit: usize) -> Result<(), Problem> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(n) if n > limit as u64 => Err(Problem::body_too_large(limit)),
        _ => Ok(()),
    }
}

/// Read the whole body, at most `limit` bytes (a longer body, declared or streamed, is 413).
pub(super) async fn read_body(body: Body, limit: usize) -> Result<Bytes, Problem> {
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(Problem::body_too_large(limit)),
        Err(e) => Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "body-unreadable",
            "Request body could not be read",
            e.to_string(),
        )),
    }
}

/// Put `items` through the [`crate::pipeline`] on the blocking pool, under the work deadline,
/// `permit` (the request's heavy slot, if it has one) held until the work ends: each item is
/// read once (PDFs taken apart, photos decoded), online what they need is fetched (the status
/// lists credentials name; for QR summaries, text or photo, their schools' lists through each
/// school's index, since a summary names its index but not its list), then every read input
/// is checked.
pub(super) async fn check_items(
    state: &AppState,
    items: Vec<Item>,
    permit: Option<OwnedSemaphorePermit>,
) -> Result<(Vec<Checked>, Arc<Material>), Problem> {
    let (checked, _, material) = check(state, items, permit, false).await?;
    Ok((checked, material))
}

/// [`check_items`], and beside each PDF's credential the PDF's own signatures (PAdES):
/// chains up to the `serve --pki-root` certificate, the seal against the trust list.
pub(super) async fn check_items_and_pdfs(
    state: &AppState,
    items: Vec<Item>,
    permit: Option<OwnedSemaphorePermit>,
) -> Result<Checks, Problem> {
    check(state, items, permit, true).await
}

/// Threads to check `n` items on: every core when the request is the only heavy one running;
/// when several run at once they already keep the cores busy (one thread each avoids
/// oversubscription).
fn threads_for(state: &AppState, n: usize) -> usize {
    spread(state)(n)
}

/// [`threads_for`] with the number of items still to come.
fn spread(state: &AppState) -> impl Fn(usize) -> usize + Send + 'static {
    let alone = state.inner.heavy.available_permits() + 1 >= state.inner.limits.max_heavy;
    let threads = state.inner.threads;
    move |n| if alone && n > 2 { threads } else { 1 }
}

/// The verdicts, the PDFs' own signatures (same order), and the material they were judged by.
pub(super) type Checks = (Vec<Checked>, Vec<Option<PdfSignatures>>, Arc<Material>);

async fn check(
    state: &AppState,
    items: Vec<Item>,
    permit: Option<OwnedSemaphorePermit>,
    with_pdfs: bool,
) -> Result<Checks, Problem> {
    let permit = permit.map(Arc::new);
    let now = state.now();
    let options = state.inner.options.clone();
    let root = state.pki_root();
    let threads = threads_for(state, items.len());
    let pdfs = if with_pdfs {
        pdf_copies(&items)
    } else {
        Vec::new()
    };
    let judge = move |read: &[Result<Input, Checked>], m: &Material, now: OffsetDateTime| {
        let checked = check_all(read, m, now, &options, threads);
        let signatures = match pdfs.iter().any(Option::is_some) {
            true => check_pdfs(
                &pdfs,
                &checked,
                &m.trust,
                root.as_deref().map(Vec::as_slice),
                now,
            ),
            false => vec![None; checked.len()],
        };
        (checked, signatures)
    };
    if !state.inner.source.is_online() {
        // Offline the material is at hand: read and check in one go.
        let material = state.material(&Needs::default()).await?;
        let m = Arc::clone(&material);
        let (checked, signatures) = state
            .run_blocking(permit, move || judge(&read_items(items), &m, now))
            .await?;
        return Ok((checked, signatures, material));
    }
    let (read, needs) = state
        .run_blocking(permit.clone(), move || {
            let read = read_items(items);
            let needs = needs_of(&read);
            (read, needs)
        })
        .await?;
    let material = state.material(&needs).await?;
    // Judged at the time the material is at hand (fetching may take a moment).
    let now = state.now();
    let m = Arc::clone(&material);
    let (checked, signatures) = state
        .run_blocking(permit, move || judge(&read, &m, now))
        .await?;
    Ok((checked, signatures, material))
}

/// `POST /api/v1/verify`.
async fn verify(State(state): State<AppState>, request: Request) -> Response {
    match verify_inner(&state, request).await {
        Ok(r) => r,
        Err(p) => p.into_response(),
    }
}

async fn verify_inner(state: &AppState, request: Request) -> Result<Response, Problem> {
    let limits = &state.inner.limits;
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let multipart = content_type.starts_with("multipart/form-data");
    let json = content_type.starts_with("application/json") || content_type.is_empty();
    if !(multipart || json) {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            "send application/json ({\"items\":[…]}) or multipart/form-data (files)",
        )
        .field("Content-Type")
        .value(short(&content_type)));
    }
    if json {
        declared_over(&request, limits.max_json_body_bytes)?;
    }
    // The slot first, then the body: a request waiting for its turn holds only its headers.
    let permit = state.heavy_permit().await?;
    let (items, names) = if multipart {
        let multipart = Multipart::from_request(request, &())
            .await
            .map_err(|e| malformed_multipart(e.body_text()))?;
        read_multipart(multipart, limits.max_items).await?
    } else {
        let body = read_body(request.into_body(), limits.max_json_body_bytes).await?;
        if !state.inner.source.is_online() {
            return json_offline(state, body, permit).await;
        }
        let max_items = limits.max_items;
        state
            .run_blocking(None, move || parse_json_items(&body, max_items))
            .await??
    };
    respond(state, items, names, permit).await
}

/// A JSON body against offline material: parsed, read, checked and answered in one task on
/// the blocking pool (the items, verdicts and answer stay on one thread; one hand-over
/// instead of three), under the work deadline.
async fn json_offline(
    state: &AppState,
    body: Bytes,
    permit: OwnedSemaphorePermit,
) -> Result<Response, Problem> {
    let now = state.now();
    let material = state.material(&Needs::default()).await?;
    let options = state.inner.options.clone();
    let max_items = state.inner.limits.max_items;
    let threads = spread(state);
    let bytes = state
        .run_blocking(Some(Arc::new(permit)), move || {
            let (items, names) = parse_json_items(&body, max_items)?;
            drop(body);
            let threads = threads(items.len());
            let checked = check_all(&read_items(items), &material, now, &options, threads);
            answer(now, &material, &checked, &names, &[])
        })
        .await??;
    Ok(json_response(bytes))
}

/// 413: more than `max` items.
pub(super) fn too_many(count: usize, max: usize) -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too-many-items",
        "Too many items",
        format!("the request has {count} items; at most {max} are verified in one request"),
    )
    .field("items")
    .value(count)
    .limit(max as u64)
}

/// Every file field and every `qr` text field of a multipart body, in order.
pub(super) async fn read_multipart(
    mut multipart: Multipart,
    max_items: usize,
) -> Result<(Vec<Item>, Vec<Option<String>>), Problem> {
    let mut items = Vec::new();
    let mut names = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(multipart_problem(&e)),
        };
        if items.len() >= max_items {
            return Err(too_many(items.len() + 1, max_items));
        }
        let field_name = field.name().unwrap_or("").to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(str::to_ascii_lowercase);
        if file_name.is_none() && field_name == "qr" {
            let text = field.text().await.map_err(|e| multipart_problem(&e))?;
            if text.trim().is_empty() {
                continue;
            }
            names.push(None);
            items.push(Item::Qr(text));
            continue;
        }
        if file_name.is_none() && field_name != "file" && field_name != "files" {
            // Other text fields (e.g. `lang`) are not items.
            continue;
        }
        let mut bytes = Vec::new();
        let mut field = field;
        let mut over = false;
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > MAX_FILE_BYTES {
                        over = true;
                    } else {
                        bytes.extend_from_slice(&chunk);
                    }
                }
                Ok(None) => break,
                Err(e) => return Err(multipart_problem(&e)),
            }
        }
        if bytes.is_empty() && file_name.as_deref().is_none_or(str::is_empty) {
            continue;
        }
        let claims_pdf = file_name
            .as_deref()
            .is_some_and(|n| n.to_ascii_lowercase().ends_with(".pdf"))
            || content_type.as_deref() == Some("application/pdf");
        names.push(file_name);
        items.push(if over {
            Item::Malformed {
                code: "too_large",
                detail: format!("the file is larger than the limit of {MAX_FILE_BYTES} bytes"),
            }
        } else {
            Item::File {
                name: names.last().cloned().flatten(),
                claims_pdf,
                bytes,
            }
        });
    }
    if items.is_empty() {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "no-items",
            "No items",
            "the form has no file and no qr text",
        )
        .field("file"));
    }
    Ok((items, names))
}

pub(super) fn multipart_problem(e: &axum::extract::multipart::MultipartError) -> Problem {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return Problem::body_too_large(super::Limits::default().max_body_bytes);
    }
    malformed_multipart(e.body_text())
}

/// 400: the multipart body could not be taken apart (`detail` says why).
fn malformed_multipart(detail: String) -> Problem {
    Problem::new(
        StatusCode::BAD_REQUEST,
        "malformed-multipart",
        "Malformed multipart body",
        detail,
    )
    .field("body")
}

async fn respond(
    state: &AppState,
    items: Vec<Item>,
    names: Vec<Option<String>>,
    permit: OwnedSemaphorePermit,
) -> Result<Response, Problem> {
    let now = state.now();
    let (checked, signatures, material) = check_items_and_pdfs(state, items, Some(permit)).await?;
    Ok(json_response(answer(
        now,
        &material,
        &checked,
        &names,
        &signatures,
    )?))
}

/// The answer's JSON for `checked` (file `names` and PDF `signatures` in the same order; a
/// missing entry is none), checked at `now` against `material`.
fn answer(
    now: OffsetDateTime,
    material: &Material,
    checked: &[Checked],
    names: &[Option<String>],
    signatures: &[Option<PdfSignatures>],
) -> Result<Vec<u8>, Problem> {
    let reports: Vec<ItemReport<'_>> = checked
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let name = names.get(i).and_then(Option::as_deref);
            let pdf = signatures.get(i).and_then(Option::as_ref);
            ItemReport::of(i, name, c).with_pdf(pdf)
        })
        .collect();
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for r in &reports {
        *counts.entry(r.verdict).or_default() += 1;
    }
    let body = VerifyResponse {
        checked_at: rfc3339(now),
        count: reports.len(),
        counts,
        trust_list: TrustListOut {
            id: material.trust.id(),
            version: material.trust.version(),
            valid_until: rfc3339(material.trust.valid_until()),
        },
        items: &reports,
    };
    answer_json(&body).map_err(|e| {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Answer could not be written",
            e.to_string(),
        )
    })
}

fn json_response(bytes: Vec<u8>) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        bytes,
    )
        .into_response()
}
