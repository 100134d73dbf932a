//! Signing a class, a school year or a list of records: the one workflow behind
//! `POST /api/v1/batches`, the web app's "sign" button and the background takeover.
//!
//! * **What is signed**: the validated records of the scope (or exactly the records named);
//!   records signed before come back as already signed, nothing is signed twice.
//! * **No success for nothing**: a scope without a validated record is
//!   [`IssuerError::NothingToSign`], naming how many drafts wait for validation — never a
//!   batch that is "done" with nothing in it.
//! * **Idempotency**: the same `Idempotency-Key` with the same request answers the batch it
//!   started (finishing it if its worker is gone). The key with another request, or after the
//!   records it covered have changed (a record of the scope validated or edited since the
//!   batch began), is [`IssuerError::IdempotencyConflict`], saying so.
//! * **The key**: the school's key active now ([`super::Issuer::signer`]); none is one error
//!   for the school.
//! * **Names**: each batch keeps the pupil's name and class of each record, so its report
//!   names people, not only ids.
//!
//! The batch itself runs in `sign_runner` (leases, heartbeat, takeover).

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use utoipa::ToSchema;

pub use super::sign_runner::{ItemOutcome, SUPERVISE_EVERY, resume_abandoned, supervise};

use super::Issuer;
use super::names::pupil_name;
use super::sign_runner::{pending_ids, pending_names, run_detached, take_over};
use super::signed_pdfs::BatchPdfSigners;
use crate::batch::sha256_hex;
use crate::error::IssuerError;
use crate::store::{Batch, NewBatch, RecordFilter, RecordState, School, YearRecord};
use crate::token::principal::PrincipalPin;

/// What to sign: the validated records of a school year (optionally one class), or a list
/// of records.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = BatchRequest)]
pub struct SignRequest {
    /// School year, e.g. `2025-2026` (with or without `className`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub school_year: Option<String>,
    /// Class, e.g. `5A`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_name: Option<String>,
    /// Exactly these records (instead of a year or class).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_ids: Option<Vec<String>>,
    /// The principal's PIN, where the principal's key is on a token: it unlocks the key for
    /// this batch only. Never serialised (nor hashed into the stored request hash), never
    /// logged; `Debug` shows it redacted.
    #[serde(default, skip_serializing)]
    #[schema(value_type = Option<String>, write_only)]
    pub principal_pin: Option<PrincipalPin>,
}

/// Whose record it is, as reports and lists name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PupilRef {
    /// The pupil's full name, as in the record.
    pub pupil_name: String,
    /// The class, e.g. `5A`.
    pub class_name: String,
    /// The version of the record when it was named (the one signed).
    #[serde(default)]
    pub record_version: i64,
}

impl PupilRef {
    /// The pupil of a stored record.
    pub fn of(record: &YearRecord) -> Self {
        PupilRef {
            pupil_name: pupil_name(&record.record_json).unwrap_or_default(),
            class_name: record.class_name.clone(),
            record_version: record.version,
        }
    }
}

/// The pupils of a batch's records, by record id.
pub type Names = BTreeMap<String, PupilRef>;

/// How a signing request was answered.
#[derive(Debug)]
pub enum Started {
    /// Signed before answering (a small batch).
    Signed(Batch),
    /// Runs in the background (a large batch, or one another worker holds).
    Background(Batch),
    /// A retry of a batch that is done or being worked on: answered as it is.
    Retry(Batch),
}

impl Issuer {
    /// Sign what `request` names for `school`, as `actor`, under `idempotency_key` (see the
    /// module documentation).
    pub async fn start_signing(
        &self,
        school: &School,
        actor: Option<&str>,
        idempotency_key: &str,
        request: &SignRequest,
        now: OffsetDateTime,
    ) -> Result<Started, IssuerError> {
        let signer = self.signer(&school.code, now)?;
        // The principal's key on a token: unlocked with the PIN now, before any batch row or
        // signature (a missing or wrong PIN signs nothing); dropped when the batch ends.
        let pdf_signers = self.batch_pdf_signers(school, request.principal_pin.as_ref())?;
        let canonical =
            serde_json::to_string(request).map_err(|e| IssuerError::Internal(e.to_string()))?;
        let request_sha256 = sha256_hex(canonical.as_bytes());
        let scope = self.scope(school, request).await?;
        // A year or class: its validated records. Records named: all of them (a draft among
        // them is reported as failed), unless none is validated or signed.
        let ready = |r: &&YearRecord| {
            r.state == RecordState::Validated
                || (request.record_ids.is_some() && r.state == RecordState::Signed)
        };
        let to_sign: Vec<&YearRecord> = match &request.record_ids {
            Some(_) if scope.iter().any(|r| ready(&r)) => scope.iter().collect(),
            _ => scope.iter().filter(ready).collect(),
        };
        let store = self.store();
        if let Some(batch) = store.batch_by_key(&school.id, idempotency_key).await? {
            refuse_changed(&batch, &request_sha256, &to_sign)?;
            return self
                .retry(
                    school,
                    batch,
                    (signer, pdf_signers),
                    &to_sign,
                    actor.map(str::to_owned),
                )
                .await;
        }
        if to_sign.is_empty() {
            return Err(nothing_to_sign(request, &scope));
        }
        let record_ids: Vec<String> = to_sign.iter().map(|r| r.id.clone()).collect();
        let names: Names = to_sign
            .iter()
            .map(|r| (r.id.clone(), PupilRef::of(r)))
            .collect();
        let (batch, created) = store
            .create_or_get_batch(
                &school.id,
                &NewBatch {
                    idempotency_key: idempotency_key.to_owned(),
                    request_sha256,
                    total: i64::try_from(record_ids.len()).unwrap_or(i64::MAX),
                },
                actor,
                now,
            )
            .await?;
        let actor = actor.map(str::to_owned);
        if !created {
            // Another request with this key made it a moment ago.
            return self
                .retry(school, batch, (signer, pdf_signers), &to_sign, actor)
                .await;
        }
        let report = serde_json::json!({ "recordIds": record_ids, "pupils": names }).to_string();
        let Some(claimed) = take_over(self, &batch, Some(&report)).await? else {
            // Another worker took it between its creation and now: it is being worked on.
            return Ok(Started::Background(batch));
        };
        self.run(
            school,
            (signer, pdf_signers),
            &claimed,
            (record_ids, names),
            actor,
        )
        .await
    }

    /// The records the request names: the year (and class), or the ids given (another
    /// school's id is not found, like one that does not exist).
    async fn scope(
        &self,
        school: &School,
        request: &SignRequest,
    ) -> Result<Vec<YearRecord>, IssuerError> {
        let store = self.store();
        match &request.record_ids {
            Some(ids) => {
                let mut records = Vec::with_capacity(ids.len());
                for id in ids {
                    records.push(store.record(&school.id, id).await?);
                }
                Ok(records)
            }
            None => Ok(store
                .list_records(
                    &school.id,
                    &RecordFilter {
                        school_year: request.school_year.clone(),
                        class_name: request.class_name.clone(),
                        state: None,
                    },
                )
                .await?),
        }
    }

    /// A batch started before with the same key: answered as it is, or taken over and
    /// finished when its worker is gone (records signed before are found, not signed again).
    async fn retry(
        &self,
        school: &School,
        batch: Batch,
        signers: Signers,
        to_sign: &[&YearRecord],
        actor: Option<String>,
    ) -> Result<Started, IssuerError> {
        let pending =
            pending_ids(&batch).unwrap_or_else(|| to_sign.iter().map(|r| r.id.clone()).collect());
        let names = pending_names(&batch);
        let Some(claimed) = take_over(self, &batch, None).await? else {
            return Ok(Started::Retry(batch));
        };
        tracing::info!(batch = %batch.id, "resuming a batch on retry");
        self.run(school, signers, &claimed, (pending, names), actor)
            .await
    }

    /// Signs the records of a batch this worker has claimed: in the background above the
    /// threshold, else before answering.
    async fn run(
        &self,
        school: &School,
        (signer, pdf_signers): Signers,
        batch: &Batch,
        records: (Vec<String>, Names),
        actor: Option<String>,
    ) -> Result<Started, IssuerError> {
        let background = records.0.len() > self.settings().background_threshold;
        let task = run_detached(
            self.clone(),
            school.clone(),
            (signer, pdf_signers),
            batch.id.clone(),
            records,
            actor,
        );
        if background {
            drop(task);
            return Ok(Started::Background(batch.clone()));
        }
        let done = task
            .await
            .map_err(|e| IssuerError::Internal(format!("batch task: {e}")))??;
        Ok(Started::Signed(done))
    }
}

/// The school's key, and the PDF signers of a batch whose principal's key is on a token.
type Signers = (
    std::sync::Arc<crate::signing::Signer>,
    Option<BatchPdfSigners>,
);

/// The same key for another request, or after the records it covered changed.
fn refuse_changed(
    batch: &Batch,
    request_sha256: &str,
    to_sign: &[&YearRecord],
) -> Result<(), IssuerError> {
    if batch.request_sha256 != request_sha256 {
        return Err(IssuerError::IdempotencyConflict {
            key: batch.idempotency_key.clone(),
            problem: "it was already used for a different request; send a new Idempotency-Key"
                .into(),
        });
    }
    // A batch another request with this key made a moment ago may not have written which
    // records it covers yet (a double click: both requests at once). It covers what that
    // request found, and this one is the same request: nothing to refuse.
    if batch.report_json.is_none() {
        return Ok(());
    }
    let covered = covered_ids(batch);
    let known = pending_names(batch);
    let changed: Vec<&YearRecord> = to_sign
        .iter()
        .copied()
        .filter(|r| r.state == RecordState::Validated)
        .filter(|r| {
            !covered.contains(r.id.as_str())
                || known
                    .get(&r.id)
                    .is_some_and(|p| p.record_version != 0 && p.record_version != r.version)
        })
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = changed
        .iter()
        .take(5)
        .map(|r| {
            let p = PupilRef::of(r);
            format!("{} ({})", p.pupil_name, p.class_name)
        })
        .collect();
    Err(IssuerError::IdempotencyConflict {
        key: batch.idempotency_key.clone(),
        problem: format!(
            "the records it covered have changed since that batch began: {} record(s) were \
             validated or edited since ({}{}); send a new Idempotency-Key to sign them",
            changed.len(),
            names.join(", "),
            if changed.len() > names.len() {
                ", …"
            } else {
                ""
            }
        ),
    })
}

/// The records a batch covers, from its report (`recordIds` while it runs, `items` once done).
fn covered_ids(batch: &Batch) -> HashSet<String> {
    let Some(report) = batch
        .report_json
        .as_deref()
        .and_then(|r| serde_json::from_str::<Value>(r).ok())
    else {
        return HashSet::new();
    };
    let mut ids: HashSet<String> = report
        .get("recordIds")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    ids.extend(
        report
            .get("items")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|i| i.get("recordId")?.as_str().map(str::to_owned)),
    );
    ids
}

/// Nothing validated in the scope: how many drafts wait, and where.
fn nothing_to_sign(request: &SignRequest, scope: &[YearRecord]) -> IssuerError {
    let drafts = scope
        .iter()
        .filter(|r| r.state == RecordState::Draft)
        .count();
    let (scope_vi, scope_en) = match (
        &request.record_ids,
        &request.school_year,
        &request.class_name,
    ) {
        (Some(ids), _, _) => (
            format!("{} hồ sơ đã chọn", ids.len()),
            format!("the {} records named", ids.len()),
        ),
        (None, Some(year), Some(class)) => (
            format!("lớp {class}, năm học {year}"),
            format!("class {class}, school year {year}"),
        ),
        (None, Some(year), None) => (format!("năm học {year}"), format!("school year {year}")),
        (None, None, _) => ("trường".to_owned(), "the school".to_owned()),
    };
    IssuerError::NothingToSign {
        scope_vi,
        scope_en,
        drafts,
    }
}
