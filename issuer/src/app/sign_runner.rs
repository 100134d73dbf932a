//! Running signing batches under a lease, and taking over the ones whose worker is gone.
//!
//! * A batch is only ever worked on by the worker that claimed it ([`take_over`] →
//!   `Store::claim_batch`). While it works, a heartbeat task renews the lease every
//!   `RENEW_EVERY`; when a renewal finds the batch taken over by another worker, the job
//!   stops before its next chunk and writes nothing more about the batch.
//! * [`supervise`] (started by `serve`) looks at once, and then every [`SUPERVISE_EVERY`],
//!   for unfinished batches nobody works on: a lease that ran out, a worker whose liveness
//!   lock is free (its process died: a `kill -9` and an immediate restart are resumed at
//!   once, not after the lease), a failed batch, or one without a lease that has not moved
//!   for a minute (made before leases existed). Each is claimed (exactly one instance wins)
//!   and resumed in the background; what was signed before is found, not signed again.
//! * The `sign` audit rows are written with the credentials, chunk by chunk, in the same
//!   transaction (`Store::issue_credentials_in_batch`), never after the batch.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::Issuer;
use super::sign::{Names, PupilRef};
use super::signed_pdfs::BatchPdfSigners;
use crate::batch::{self, BatchContext, BatchOutcome, ChunkDone, Job};
use crate::error::IssuerError;
use crate::signing::Signer;
use crate::store::{
    Batch, BatchProgress, BatchState, Claim, RENEW_EVERY, School, process_worker_id,
};

/// How often [`supervise`] looks for batches to take over.
pub const SUPERVISE_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// The record ids a batch's report names (stored when it was claimed).
pub(crate) fn pending_ids(batch: &Batch) -> Option<Vec<String>> {
    let report: Value = serde_json::from_str(batch.report_json.as_deref()?).ok()?;
    serde_json::from_value(report.get("recordIds")?.clone()).ok()
}

/// The pupils of a batch's records, as its report holds them since it was created (empty
/// for batches made before names were kept).
pub(crate) fn pending_names(batch: &Batch) -> Names {
    let Some(report) = batch
        .report_json
        .as_deref()
        .and_then(|r| serde_json::from_str::<Value>(r).ok())
    else {
        return Names::new();
    };
    if let Some(names) = report
        .get("pupils")
        .and_then(|p| serde_json::from_value(p.clone()).ok())
    {
        return names;
    }
    // A batch that is done: its items name their pupils.
    let items: Vec<ItemOutcome> = report
        .get("items")
        .and_then(|i| serde_json::from_value(i.clone()).ok())
        .unwrap_or_default();
    items
        .into_iter()
        .filter_map(|i| Some((i.record_id, i.pupil?)))
        .collect()
}

/// Claims `batch` for this process if nobody works on it: just created (`report`, its record
/// ids, is then stored with the claim), failed, its lease ran out, its worker is gone, or it
/// has no lease and has not moved for a minute. `None`: it is done, or another live worker
/// (or this process) has it.
pub(crate) async fn take_over(
    issuer: &Issuer,
    batch: &Batch,
    report: Option<&str>,
) -> Result<Option<Batch>, IssuerError> {
    if batch.state == BatchState::Done {
        return Ok(None);
    }
    let me = process_worker_id();
    let now = issuer.now();
    let live_holder = match (&batch.worker_id, batch.lease_until) {
        (Some(worker), Some(until)) if until > now => Some(worker.as_str()),
        _ => None,
    };
    let gone = match live_holder {
        Some(worker) if worker == me => return Ok(None),
        Some(worker) => {
            if !issuer.store().worker_gone(worker).await? {
                return Ok(None);
            }
            Some(worker)
        }
        None => None,
    };
    let claim = Claim {
        worker: me,
        gone,
        created: report.is_some(),
        report_json: report,
    };
    Ok(issuer.store().claim_batch(&batch.id, &claim, now).await?)
}

/// Takes over and resumes, in the background, every unfinished batch of a school whose key
/// this server holds and that nobody works on (no live lease, or a gone worker). Returns how
/// many.
pub async fn resume_abandoned(issuer: &Issuer) -> Result<usize, IssuerError> {
    let mut resumed = 0;
    for batch in issuer.store().unfinished_batches().await? {
        let Some(pending) = pending_ids(&batch) else {
            continue;
        };
        let school = issuer.store().school(&batch.school_id).await?;
        let Ok(signer) = issuer.signer(&school.code, issuer.now()) else {
            continue;
        };
        // The principal's key on a token needs the principal's PIN, which only a request
        // brings: such a batch waits for the principal to sign again (same Idempotency-Key).
        if issuer.principal_pin_needed() {
            continue;
        }
        let Some(claimed) = take_over(issuer, &batch, None).await? else {
            continue;
        };
        tracing::info!(
            batch = %claimed.id,
            records = pending.len(),
            previous_worker = batch.worker_id.as_deref().unwrap_or("none"),
            "taking over an abandoned batch"
        );
        let actor = claimed.created_by.clone();
        let names = pending_names(&batch);
        drop(run_detached(
            issuer.clone(),
            school,
            (signer, None),
            claimed.id,
            (pending, names),
            actor,
        ));
        resumed += 1;
    }
    Ok(resumed)
}

/// The background task of `serve`: [`resume_abandoned`] now and every [`SUPERVISE_EVERY`],
/// and once an hour the removal of old attempt counters and read windows.
pub fn supervise(issuer: Issuer) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks: u64 = 0;
        loop {
            match resume_abandoned(&issuer).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(batches = n, "resuming abandoned batches"),
                Err(e) => tracing::warn!(error = %e, "could not look for abandoned batches"),
            }
            if ticks.is_multiple_of(720)
                && let Err(e) = issuer.store().prune_attempts(issuer.now()).await
            {
                tracing::warn!(error = %e, "could not prune attempt counters");
            }
            ticks = ticks.wrapping_add(1);
            tokio::time::sleep(SUPERVISE_EVERY).await;
        }
    })
}

/// Runs [`run_batch`] on a blocking thread of the runtime. The batch engine's progress
/// callback is not `Send`, so its future cannot be spawned or awaited by a handler directly.
pub(crate) fn run_detached(
    issuer: Issuer,
    school: School,
    (signer, pdf_signers): (Arc<Signer>, Option<BatchPdfSigners>),
    batch_id: String,
    (record_ids, names): (Vec<String>, Names),
    actor: Option<String>,
) -> tokio::task::JoinHandle<Result<Batch, IssuerError>> {
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        handle.block_on(run_batch(
            &issuer,
            &school,
            (&signer, pdf_signers),
            &batch_id,
            (&record_ids, &names),
            actor.as_deref(),
        ))
    })
}

/// What happened to one record of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ItemOutcome {
    /// The record.
    pub record_id: String,
    /// `signed`, `alreadySigned` or `failed`.
    pub outcome: String,
    /// Its credential, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_id: Option<String>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Whose record it is: `pupilName` and `className` (batches made before names were kept
    /// have none).
    #[serde(flatten)]
    pub pupil: Option<PupilRef>,
}

/// The per-record outcomes of `outcome`, in the order of `record_ids`.
fn items_in_order(record_ids: &[String], outcome: BatchOutcome, names: &Names) -> Vec<ItemOutcome> {
    let mut by_id: HashMap<String, ItemOutcome> = HashMap::with_capacity(record_ids.len());
    for (kind, list) in [
        ("signed", outcome.issued),
        ("alreadySigned", outcome.already),
    ] {
        for s in list {
            by_id.insert(
                s.record_id.clone(),
                ItemOutcome {
                    record_id: s.record_id,
                    outcome: kind.to_owned(),
                    credential_id: Some(s.credential_id),
                    error: None,
                    pupil: None,
                },
            );
        }
    }
    for (record_id, reason) in outcome.failed {
        by_id.insert(
            record_id.clone(),
            ItemOutcome {
                record_id,
                outcome: "failed".to_owned(),
                credential_id: None,
                error: Some(reason),
                pupil: None,
            },
        );
    }
    record_ids
        .iter()
        .map(|id| {
            let item = by_id.remove(id).unwrap_or_else(|| ItemOutcome {
                record_id: id.clone(),
                outcome: "failed".to_owned(),
                credential_id: None,
                error: Some("no outcome".to_owned()),
                pupil: None,
            });
            ItemOutcome {
                pupil: names.get(id).cloned(),
                ..item
            }
        })
        .collect()
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Renews this worker's lease on `batch_id` every `RENEW_EVERY` until aborted; sets `lost`
/// and ends when the batch is no longer this worker's.
fn heartbeat(
    issuer: &Issuer,
    batch_id: &str,
    lost: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<()> {
    let (issuer, batch_id) = (issuer.clone(), batch_id.to_owned());
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(RENEW_EVERY).await;
            match issuer
                .store()
                .renew_lease(&batch_id, process_worker_id(), issuer.now())
                .await
            {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(batch = %batch_id, "lost the batch's lease to another worker");
                    lost.store(true, Ordering::SeqCst);
                    return;
                }
                Err(e) => {
                    tracing::warn!(batch = %batch_id, error = %e, "could not renew the lease")
                }
            }
        }
    })
}

/// Signs `record_ids` with the batch engine under this worker's lease, recording progress
/// after each chunk (in order, by one writer task) and the report at the end. A failure that
/// is not about one record marks the batch failed; a lost lease stops the job quietly.
async fn run_batch(
    issuer: &Issuer,
    school: &School,
    (signer, pdf_signers): (&Arc<Signer>, Option<BatchPdfSigners>),
    batch_id: &str,
    (record_ids, names): (&[String], &Names),
    actor: Option<&str>,
) -> Result<Batch, IssuerError> {
    let _timer = crate::ops::metrics::batch_timer();
    let now = issuer.now();
    let ctx = BatchContext {
        store: issuer.store(),
        signer,
        school,
        public_base_url: &issuer.settings().public_base,
        actor,
        now,
    };
    let lost = Arc::new(AtomicBool::new(false));
    let beat = heartbeat(issuer, batch_id, lost.clone());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(i64, i64)>();
    let writer = {
        let store = issuer.store().clone();
        let (school_id, batch_id, issuer) =
            (school.id.clone(), batch_id.to_owned(), issuer.clone());
        tokio::spawn(async move {
            while let Some((succeeded, failed)) = rx.recv().await {
                let progress = BatchProgress {
                    state: BatchState::Running,
                    succeeded,
                    failed,
                    report_json: None,
                };
                if let Err(e) = store
                    .update_batch(&school_id, &batch_id, &progress, issuer.now())
                    .await
                {
                    tracing::warn!(batch = %batch_id, error = %e, "could not record batch progress");
                }
            }
        })
    };
    let mut succeeded = 0usize;
    let mut on_chunk = |chunk: ChunkDone<'_>| {
        succeeded += chunk.credentials.len();
        if chunk.done < chunk.total {
            let _ = tx.send((
                count(succeeded),
                count(chunk.done - succeeded.min(chunk.done)),
            ));
        }
    };
    let keep_going = || !lost.load(Ordering::SeqCst);
    let job = Job {
        batch_id: Some(batch_id),
        keep_going: &keep_going,
    };
    let result = batch::sign_job(&ctx, &job, record_ids, &mut on_chunk).await;
    drop(tx);
    let _ = writer.await;
    beat.abort();
    let outcome = match result {
        Ok(outcome) if outcome.stopped => {
            tracing::info!(
                batch = batch_id,
                "stopped: another worker took the batch over"
            );
            return Ok(issuer.store().batch(&school.id, batch_id).await?);
        }
        Ok(outcome) => outcome,
        Err(e) => {
            tracing::error!(batch = batch_id, error = %e, "batch failed");
            let report =
                serde_json::json!({ "error": e.to_string(), "recordIds": record_ids, "pupils": names })
                    .to_string();
            let progress = BatchProgress {
                state: BatchState::Failed,
                succeeded: 0,
                failed: 0,
                report_json: Some(report),
            };
            let _ = issuer
                .store()
                .update_batch(&school.id, batch_id, &progress, issuer.now())
                .await;
            return Err(IssuerError::Internal(e.to_string()));
        }
    };
    crate::ops::metrics::credentials_signed(&school.code, outcome.issued.len());
    // The principal's key on a token: each credential's PDF signed now and stored, then the
    // signers dropped (the token's session closed, the PIN zeroised).
    let pdf_failed = match pdf_signers {
        Some(signers) => {
            let ids: Vec<String> = outcome
                .issued
                .iter()
                .chain(&outcome.already)
                .map(|s| s.credential_id.clone())
                .collect();
            let failed = issuer.sign_batch_pdfs(school, &signers, &ids, now).await;
            drop(signers);
            failed
        }
        None => Vec::new(),
    };
    let mut items = items_in_order(record_ids, outcome, names);
    for item in &mut items {
        if let Some((_, why)) = pdf_failed
            .iter()
            .find(|(id, _)| item.credential_id.as_deref() == Some(id.as_str()))
        {
            item.error = Some(format!(
                "signed, but its PDF was not signed by the principal ({why}); sign the record \
                 again with the principal's PIN"
            ));
        }
    }
    let ok = items.iter().filter(|i| i.outcome != "failed").count();
    let report = serde_json::json!({ "items": items }).to_string();
    let done = issuer
        .store()
        .update_batch(
            &school.id,
            batch_id,
            &BatchProgress {
                state: BatchState::Done,
                succeeded: count(ok),
                failed: count(items.len() - ok),
                report_json: Some(report),
            },
            issuer.now(),
        )
        .await?;
    tracing::info!(
        batch = batch_id,
        succeeded = done.succeeded,
        failed = done.failed,
        "batch done"
    );
    Ok(done)
}
