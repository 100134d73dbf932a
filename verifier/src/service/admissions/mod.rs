//! **I/O layer:** admissions on the HTTP verifier.
//!
//! * `POST /api/v1/admissions/score` — candidates (an id chosen by the portal, priority area
//!   and group, bonus points, and items: credential JSON, a PDF in base64, QR text or a share
//!   code) and a scheme (by name or inline TOML) → each candidate's verified records checked
//!   as one pupil and scored per combination with the breakdown, or refused with the reason
//!   ([`crate::admissions`]). `Accept: text/csv` gives the committee's table as CSV, `Accept:
//!   application/vnd.openxmlformats-officedocument.spreadsheetml.sheet` as XLSX ([`xlsx`]).
//! * `GET /admissions` — the admissions officer's page; `POST /admissions` — a ZIP of PDFs (one
//!   folder, or a file name prefix before `_`, per candidate) or share codes, a scheme → the
//!   ranked table with each candidate's breakdown; `GET /admissions/results/{token}/xet-tuyen.xlsx`
//!   — that table as an XLSX download ([`page`]).
//!
//! Share codes are redeemed at the issuer only when the service was started with `--online
//! URL --portal-token-file FILE` ([`redeem`]); the portal never handles the records.
//! One workflow ([`score_candidates`]) serves the API and the page: redeem, read and verify
//! every item of every candidate in one batch ([`super::api::check_items`]), then assess.

mod form;
mod openapi;
pub mod page;
pub mod redeem;
mod request;
pub mod xlsx;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use serde::Serialize;

use super::AppState;
use super::api::check_items_and_pdfs;
use super::problem::Problem;
use super::verify::{Checked, Item};
use crate::admissions::{Assessment, Extras, ItemOutcome, Scheme, assess};
use crate::pdf::signatures::{PdfSignatures, PdfStatus};
use crate::verdict::VerdictResult;
pub use openapi::add_openapi;
pub use redeem::Redeemer;

/// The schemes shipped in the binary (`verifier/schemes/`).
pub const BUILT_IN_SCHEMES: [&str; 2] = [
    include_str!("../../../schemes/thong-tu-06-2025-ca-nam-lop-12.toml"),
    include_str!("../../../schemes/du-thao-2026-sau-hoc-ki.toml"),
];

/// What admissions needs besides the verifier's state: the schemes offered by name and the
/// share-code redeemer.
#[derive(Debug, Clone)]
pub struct Config {
    /// Schemes by name (the built-in ones, then any given with `--scheme`).
    pub schemes: Vec<Arc<Scheme>>,
    /// Redeems share codes at the issuer (`--online URL --portal-token-file FILE`).
    pub redeemer: Option<Arc<Redeemer>>,
    /// The page's recent results, for their XLSX download.
    pub kept: Arc<page::Kept>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            schemes: BUILT_IN_SCHEMES
                .iter()
                .filter_map(|t| Scheme::from_toml(t).ok())
                .map(Arc::new)
                .collect(),
            redeemer: None,
            kept: Arc::default(),
        }
    }
}

impl Config {
    /// Add `scheme`, replacing a scheme of the same name.
    pub fn with_scheme(mut self, scheme: Scheme) -> Self {
        self.schemes.retain(|s| s.name != scheme.name);
        self.schemes.push(Arc::new(scheme));
        self
    }

    /// A scheme by name.
    pub fn scheme(&self, name: &str) -> Option<Arc<Scheme>> {
        self.schemes.iter().find(|s| s.name == name).cloned()
    }
}

/// Routes of this module (state bound here: it is merged into the finished router).
pub(super) fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/v1/admissions/score", post(request::score))
        .route("/admissions", get(page::form_page).post(page::submit))
        .route(
            "/admissions/results/{token}/xet-tuyen.xlsx",
            get(page::export),
        )
        .with_state(state)
}

/// One item of a candidate as received.
#[derive(Debug, Clone)]
pub enum ItemIn {
    /// Something to read and verify here.
    Item(Item),
    /// A share code to redeem at the issuer first.
    ShareCode(String),
}

/// A candidate as received.
#[derive(Debug, Clone)]
pub struct CandidateIn {
    /// The portal's (or officer's) id for the candidate.
    pub id: String,
    /// Priority area and group, bonus.
    pub extras: Extras,
    /// The items, in order.
    pub items: Vec<ItemIn>,
}

/// The candidates of files named by candidate (`(id, file name, bytes)`: PDFs, credential
/// JSON, or ZIPs of PDFs laid out as on the page) and candidate lines (`id; share codes; area;
/// policy group; bonus`), as the page reads them. `Err((vi, en))` names the mistake.
pub fn candidates_from(
    files: Vec<(String, String, Vec<u8>)>,
    lines: &str,
) -> Result<Vec<CandidateIn>, (String, String)> {
    let mut items = Vec::new();
    for (id, name, bytes) in files {
        if name.to_ascii_lowercase().ends_with(".zip") {
            items.extend(form::read_zip(&bytes)?);
        } else {
            let claims_pdf = name.to_ascii_lowercase().ends_with(".pdf");
            items.push((
                id,
                Item::File {
                    name: Some(name),
                    claims_pdf,
                    bytes,
                },
            ));
        }
    }
    form::candidates(items, lines)
}

/// Score `candidates` against `scheme` with the service's trust material and redeemer (the
/// command `hocba-verify admissions` runs the service's workflow this way).
pub async fn score(
    state: &AppState,
    scheme: Arc<Scheme>,
    candidates: Vec<CandidateIn>,
) -> Result<Scored, Problem> {
    let permit = state.heavy_permit().await?;
    score_candidates(state, scheme, candidates, permit).await
}

/// The scored answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Scored {
    /// When the items were checked (RFC 3339).
    pub checked_at: String,
    /// The scheme.
    pub scheme: SchemeOut,
    /// Candidates.
    pub count: usize,
    /// Candidates scored.
    pub scored: usize,
    /// Candidates refused.
    pub refused: usize,
    /// The trust list used.
    pub trust_list: TrustListOut,
    /// Each candidate, in the request's order.
    pub candidates: Vec<Assessment>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
/// The scheme an answer used.
pub struct SchemeOut {
    /// Short name.
    pub name: String,
    /// Title in Vietnamese.
    pub title: String,
    /// Title in English.
    pub title_en: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
/// The trust list an answer was checked against.
pub struct TrustListOut {
    /// Its id.
    pub id: String,
    /// Its version.
    pub version: u64,
}

enum Slot {
    Check(usize),
    Ready(ItemOutcome),
}

/// The one admissions workflow: redeem share codes, verify every item of every candidate
/// together, assess each candidate against `scheme`.
pub(super) async fn score_candidates(
    state: &AppState,
    scheme: Arc<Scheme>,
    candidates: Vec<CandidateIn>,
    permit: tokio::sync::OwnedSemaphorePermit,
) -> Result<Scored, Problem> {
    let config = state.admissions();
    let mut flat: Vec<Item> = Vec::new();
    let mut slots: Vec<Vec<Slot>> = Vec::with_capacity(candidates.len());
    for c in &candidates {
        let mut mine = Vec::new();
        for item in &c.items {
            match item {
                ItemIn::Item(i) => {
                    mine.push(Slot::Check(flat.len()));
                    flat.push(i.clone());
                }
                ItemIn::ShareCode(code) => {
                    match redeem::redeem(config.redeemer.as_deref(), code).await {
                        Ok(credentials) => {
                            for bytes in credentials {
                                mine.push(Slot::Check(flat.len()));
                                flat.push(Item::Credential(bytes));
                            }
                        }
                        Err((code, detail)) => mine.push(Slot::Ready(ItemOutcome::Unreadable {
                            code: code.to_owned(),
                            detail,
                        })),
                    }
                }
            }
        }
        slots.push(mine);
    }
    let checked_at = state.now();
    // A PDF's own signatures (PAdES) count as the bulk API counts them: a PDF whose
    // signatures break (or whose seal is not its school's) refuses its record, however sound
    // the credential inside; an unsigned PDF is judged by its credential alone.
    let (checked, signatures, material) = if flat.is_empty() {
        (
            Vec::new(),
            Vec::new(),
            state.material(&Default::default()).await?,
        )
    } else {
        check_items_and_pdfs(state, flat, Some(permit)).await?
    };
    let mut checked: Vec<Option<(Checked, Option<PdfSignatures>)>> = checked
        .into_iter()
        .zip(signatures.into_iter().chain(std::iter::repeat(None)))
        .map(Some)
        .collect();
    let scheme_for_work = Arc::clone(&scheme);
    let assessments: Vec<Assessment> = candidates
        .iter()
        .zip(slots)
        .map(|(c, slots)| {
            let outcomes: Vec<ItemOutcome> = slots
                .into_iter()
                .map(|s| match s {
                    Slot::Ready(o) => o,
                    Slot::Check(i) => outcome_of(checked.get_mut(i).and_then(Option::take)),
                })
                .collect();
            assess(&scheme_for_work, &c.id, &c.extras, &outcomes)
        })
        .collect();
    let scored = assessments.iter().filter(|a| a.result == "scored").count();
    Ok(Scored {
        checked_at: super::verify::rfc3339(checked_at),
        scheme: SchemeOut {
            name: scheme.name.clone(),
            title: scheme.title.clone(),
            title_en: scheme.title_en.clone(),
        },
        count: assessments.len(),
        scored,
        refused: assessments.len() - scored,
        trust_list: TrustListOut {
            id: material.trust.id().to_owned(),
            version: material.trust.version(),
        },
        candidates: assessments,
    })
}

fn outcome_of(checked: Option<(Checked, Option<PdfSignatures>)>) -> ItemOutcome {
    let (checked, pdf) = match checked {
        Some((c, pdf)) => (Some(c), pdf),
        None => (None, None),
    };
    match checked {
        Some(Checked::Credential(v)) => match pdf.filter(|p| p.status == PdfStatus::Invalid) {
            Some(p) => {
                let m = p.message();
                ItemOutcome::NotValid {
                    result: VerdictResult::Invalid,
                    reason: p.reason.map(|r| r.code()),
                    vi: m.vi.to_owned(),
                    en: m.en.to_owned(),
                }
            }
            None => ItemOutcome::of_verdict(&v),
        },
        Some(Checked::Summary(_)) => ItemOutcome::Summary,
        Some(Checked::Error { code, detail }) => ItemOutcome::Unreadable {
            code: code.to_owned(),
            detail,
        },
        None => ItemOutcome::Unreadable {
            code: "not_checked".into(),
            detail: "the item was not checked".into(),
        },
    }
}
