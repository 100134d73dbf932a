//! The signing engine of the API and of `hocba-issuer issue`: signs many validated records of
//! one school, chunk by chunk (about 200 records each), so that
//!
//! * status-list entries are taken in blocks of up to 1,024 for the chunks to come (one
//!   statement and one commit per block, not per chunk; entries a stopped or failed batch did
//!   not use stay unused, as neighbours reveal nothing either way);
//! * each chunk is signed in parallel across the cores and stored in one transaction
//!   ([`Store::issue_credentials`]): a credential exists exactly when its record is marked
//!   signed, whenever the process dies;
//! * a record that cannot be signed is reported and does not stop the others;
//! * running the same batch again finishes what is unfinished and issues nothing twice (a
//!   signed record comes back as [`BatchOutcome::already`]);
//! * each credential's `sign` audit row is written in its chunk's transaction, naming the
//!   batch ([`Job::batch_id`]), so no credential is ever without it;
//! * a job stops between chunks when [`Job::keep_going`] says so (its worker lost the
//!   batch's lease to another: `store/workers.rs`);
//! * a caller signing school after school can run the three steps itself ([`reserve`],
//!   [`sign_reserved`], [`store_prepared`]) and sign one school while another is stored.
//!
//! The caller passes the time in; nothing here reads the clock or prints.

mod build;
mod error;

pub use error::BatchError;

use time::OffsetDateTime;

use crate::signing::Signer;
use crate::store::{
    Credential, IssueOutcome, NewCredential, RecordState, School, StatusAllocation, Store,
    StoreError, YearRecord,
};

/// Records per chunk: one parallel signing pass, one transaction (one commit, which on SQLite
/// waits for the disk).
pub const CHUNK: usize = 500;

/// The most status-list entries taken ahead for the chunks to come.
const ALLOCATE_AHEAD: usize = 1024;

/// Status-list entries allocated for this batch and not used yet.
#[derive(Default)]
struct Entries(std::collections::VecDeque<StatusAllocation>);

impl Entries {
    /// `need` entries, allocating when there are too few: as many as the batch may still
    /// need (`ahead`, this chunk included), up to [`ALLOCATE_AHEAD`], and at least `need`.
    async fn take(
        &mut self,
        ctx: &BatchContext<'_>,
        need: usize,
        ahead: usize,
    ) -> Result<Vec<StatusAllocation>, StoreError> {
        if self.0.len() < need {
            let want = need.max(ahead.min(ALLOCATE_AHEAD)) - self.0.len();
            self.0.extend(
                ctx.store
                    .allocate_status_indices(&ctx.school.id, want, ctx.now)
                    .await?,
            );
        }
        Ok(self.0.drain(..need.min(self.0.len())).collect())
    }
}

/// One record signed: its id and its credential's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The year record.
    pub record_id: String,
    /// The credential (`urn:uuid:…`).
    pub credential_id: String,
}

/// What a batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    /// Signed now.
    pub issued: Vec<Signed>,
    /// Signed before (an earlier run, or another process): nothing new was issued.
    pub already: Vec<Signed>,
    /// `(record id, reason)` for each record that could not be signed.
    pub failed: Vec<(String, String)>,
    /// The job stopped before its last chunk ([`Job::keep_going`] said so).
    pub stopped: bool,
}

/// A batch as a job of a service: the batch row it belongs to, and whether to go on.
#[derive(Clone, Copy)]
pub struct Job<'a> {
    /// The batch, named by the `sign` audit rows (`None`: no batch row, e.g. the offline
    /// command).
    pub batch_id: Option<&'a str>,
    /// Asked before each chunk; `false` stops the job there.
    pub keep_going: &'a (dyn Fn() -> bool + Sync),
}

impl std::fmt::Debug for Job<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("batch_id", &self.batch_id)
            .finish_non_exhaustive()
    }
}

/// The job of a caller without a batch row that never stops.
const NO_JOB: Job<'static> = Job {
    batch_id: None,
    keep_going: &|| true,
};

/// Progress after one chunk, with the credentials it stored or found.
#[derive(Debug)]
pub struct ChunkDone<'a> {
    /// Records dealt with so far (issued, already or failed).
    pub done: usize,
    /// Records in the batch.
    pub total: usize,
    /// The credentials of this chunk, issued now or before.
    pub credentials: &'a [Credential],
}

/// What to sign with, and where the status lists are published.
#[derive(Debug, Clone, Copy)]
pub struct BatchContext<'a> {
    /// The database.
    pub store: &'a Store,
    /// The school's key and issuer identity.
    pub signer: &'a Signer,
    /// The school (its id scopes every store call; its code must be the records').
    pub school: &'a School,
    /// Base URL of the public service; status lists are at
    /// `{base}/status/{school code}/{list id}`.
    pub public_base_url: &'a str,
    /// Who signs, for the audit trail (`None` for the offline command).
    pub actor: Option<&'a str>,
    /// Signing time (`validFrom`, the proof's `created`, the stored times).
    pub now: OffsetDateTime,
}

/// Sign the records with these ids (read from the store; another school's id fails as not
/// found). `progress` is called after every chunk.
pub async fn sign_batch(
    ctx: &BatchContext<'_>,
    record_ids: &[String],
    progress: &mut (dyn FnMut(ChunkDone<'_>) + Send),
) -> Result<BatchOutcome, BatchError> {
    sign_job(ctx, &NO_JOB, record_ids, progress).await
}

/// [`sign_batch`] as `job`: its audit rows name the batch, and it stops between chunks when
/// `job.keep_going` says so (with [`BatchOutcome::stopped`]).
pub async fn sign_job(
    ctx: &BatchContext<'_>,
    job: &Job<'_>,
    record_ids: &[String],
    progress: &mut (dyn FnMut(ChunkDone<'_>) + Send),
) -> Result<BatchOutcome, BatchError> {
    let mut outcome = BatchOutcome::default();
    let mut entries = Entries::default();
    let mut done = 0;
    for ids in record_ids.chunks(CHUNK) {
        if !(job.keep_going)() {
            outcome.stopped = true;
            break;
        }
        let mut records = Vec::with_capacity(ids.len());
        for id in ids {
            match ctx.store.record(&ctx.school.id, id).await {
                Ok(r) => records.push(r),
                Err(e) => outcome.failed.push((id.clone(), e.to_string())),
            }
        }
        let ahead = record_ids.len() - done;
        let credentials = sign_chunk(ctx, job, &records, &mut entries, ahead, &mut outcome).await?;
        done += ids.len();
        progress(ChunkDone {
            done,
            total: record_ids.len(),
            credentials: &credentials,
        });
    }
    Ok(outcome)
}

/// Sign records already read from the store (as [`Store::import_records`] returns them).
///
/// Chunks overlap: while one chunk is stored (a task of its own), the next is signed on the
/// cores. Each chunk is still stored in its own transaction, in order, and `progress` is
/// called once it is.
pub async fn sign_records(
    ctx: &BatchContext<'_>,
    records: &[YearRecord],
    progress: &mut (dyn FnMut(ChunkDone<'_>) + Send),
) -> Result<BatchOutcome, BatchError> {
    let mut outcome = BatchOutcome::default();
    let mut entries = Entries::default();
    let mut done = 0;
    let mut pending: Option<Pending> = None;
    for chunk in records.chunks(CHUNK) {
        let ahead = validated_from(records, done);
        let (credentials, items) = prepare(ctx, chunk, &mut entries, ahead, &mut outcome).await?;
        done += chunk.len();
        if let Some(chunk) = pending.take() {
            finish(chunk, records.len(), &mut outcome, progress).await?;
        }
        let store = store_chunk(ctx.store.clone(), owned(ctx, &NO_JOB), items, ctx.now);
        pending = Some((done, credentials, tokio::spawn(store)));
    }
    if let Some(chunk) = pending.take() {
        finish(chunk, records.len(), &mut outcome, progress).await?;
    }
    Ok(outcome)
}

/// Records signed by [`sign_reserved`] and not stored yet: chunk by chunk, the credentials
/// found signed before, the new ones to store, and how many records are dealt with once the
/// chunk is stored.
#[derive(Debug)]
pub struct Prepared {
    chunks: Vec<(usize, Vec<Credential>, Vec<NewCredential>)>,
    total: usize,
    outcome: BatchOutcome,
}

/// Records of one school with what signing them needs from the database (status entries
/// taken, credentials found), from [`reserve`]; [`sign_reserved`] signs them.
#[derive(Debug)]
pub struct Reserved {
    records: Vec<YearRecord>,
    plans: Vec<Plan>,
    outcome: BatchOutcome,
}

/// The first of the three steps of [`sign_records`] as a caller can pipeline them, the only
/// one that reads or writes the database before storing: the records' status entries are
/// taken and the ones signed before looked up. [`sign_reserved`] then signs on the cores and
/// [`store_prepared`] stores. A caller signing school after school signs one school while it
/// stores the records and the credentials of others, one writer at a time (so SQLite's
/// writer lock is never fought over), and the signing then hides the time the other
/// school's commits wait for the disk. Dropping a [`Reserved`] or a [`Prepared`] stores
/// nothing and only leaves status entries unused.
pub async fn reserve(
    ctx: &BatchContext<'_>,
    records: Vec<YearRecord>,
) -> Result<Reserved, BatchError> {
    let mut outcome = BatchOutcome::default();
    let mut entries = Entries::default();
    let mut plans = Vec::with_capacity(records.len().div_ceil(CHUNK));
    let mut done = 0;
    for chunk in records.chunks(CHUNK) {
        let ahead = validated_from(&records, done);
        plans.push(plan(ctx, chunk, &mut entries, ahead, &mut outcome).await?);
        done += chunk.len();
    }
    Ok(Reserved {
        records,
        plans,
        outcome,
    })
}

/// Signs what [`reserve`] prepared, on all cores, without touching the database (run it
/// where blocking is fine, e.g. `tokio::task::spawn_blocking`).
pub fn sign_reserved(ctx: &BatchContext<'_>, reserved: Reserved) -> Prepared {
    let Reserved {
        records,
        plans,
        mut outcome,
    } = reserved;
    let mut chunks = Vec::with_capacity(plans.len());
    let mut done = 0;
    for (chunk, plan) in records.chunks(CHUNK).zip(plans) {
        let (credentials, items) = build_plan(ctx, chunk, plan, &mut outcome);
        done += chunk.len();
        chunks.push((done, credentials, items));
    }
    Prepared {
        chunks,
        total: records.len(),
        outcome,
    }
}

/// The last step of [`sign_records`] (see [`reserve`]): stores what [`sign_reserved`] signed, each chunk in
/// its own transaction (with its `sign` audit rows), calling `progress` after each.
pub async fn store_prepared(
    ctx: &BatchContext<'_>,
    prepared: Prepared,
    progress: &mut (dyn FnMut(ChunkDone<'_>) + Send),
) -> Result<BatchOutcome, BatchError> {
    let Prepared {
        chunks,
        total,
        mut outcome,
    } = prepared;
    for (done, mut credentials, items) in chunks {
        let (items, stored) =
            store_chunk(ctx.store.clone(), owned(ctx, &NO_JOB), items, ctx.now).await;
        record_stored(&items, stored, &mut outcome, &mut credentials);
        progress(ChunkDone {
            done,
            total,
            credentials: &credentials,
        });
    }
    Ok(outcome)
}

/// How many of `records`, from `from` on, are validated (status entries to take ahead).
fn validated_from(records: &[YearRecord], from: usize) -> usize {
    records
        .get(from..)
        .unwrap_or_default()
        .iter()
        .filter(|r| r.state == RecordState::Validated)
        .count()
}

/// A chunk being stored by a task of its own: records dealt with once it is, the credentials
/// found before, and the task.
type Pending = (usize, Vec<Credential>, tokio::task::JoinHandle<Stored>);

/// Waits for a chunk's storing task, puts what it gave into `outcome` and reports progress.
async fn finish(
    (done, mut credentials, task): Pending,
    total: usize,
    outcome: &mut BatchOutcome,
    progress: &mut (dyn FnMut(ChunkDone<'_>) + Send),
) -> Result<(), BatchError> {
    let (items, stored) = task
        .await
        .map_err(|e| StoreError::Database(format!("internal: the storing task failed: {e}")))?;
    record_stored(&items, stored, outcome, &mut credentials);
    progress(ChunkDone {
        done,
        total,
        credentials: &credentials,
    });
    Ok(())
}

/// One chunk: the signed ones are looked up, the validated ones allocated, signed and stored.
async fn sign_chunk(
    ctx: &BatchContext<'_>,
    job: &Job<'_>,
    records: &[YearRecord],
    entries: &mut Entries,
    ahead: usize,
    outcome: &mut BatchOutcome,
) -> Result<Vec<Credential>, BatchError> {
    let (mut credentials, items) = prepare(ctx, records, entries, ahead, outcome).await?;
    let (items, stored) = store_chunk(ctx.store.clone(), owned(ctx, job), items, ctx.now).await;
    record_stored(&items, stored, outcome, &mut credentials);
    Ok(credentials)
}

/// The school, actor and batch of a chunk's transaction, owned (for a task of its own).
type Owner = (String, Option<String>, Option<String>);

fn owned(ctx: &BatchContext<'_>, job: &Job<'_>) -> Owner {
    (
        ctx.school.id.clone(),
        ctx.actor.map(str::to_owned),
        job.batch_id.map(str::to_owned),
    )
}

/// A chunk's signed credentials and what storing them gave.
type Stored = (
    Vec<NewCredential>,
    Result<Vec<Result<IssueOutcome, StoreError>>, StoreError>,
);

/// What a chunk needs from the database before it is signed: the credentials of the records
/// signed before, and for the validated ones (by position in the chunk) their status entries
/// and the credentials they replace.
#[derive(Debug, Default)]
struct Plan {
    found: Vec<Credential>,
    to_sign: Vec<usize>,
    allocations: Vec<StatusAllocation>,
    replaces: Vec<Option<String>>,
}

/// The part of a chunk before storing: the signed ones are looked up, the validated ones
/// allocated and signed. Returns the credentials found and the ones to store.
async fn prepare(
    ctx: &BatchContext<'_>,
    records: &[YearRecord],
    entries: &mut Entries,
    ahead: usize,
    outcome: &mut BatchOutcome,
) -> Result<(Vec<Credential>, Vec<NewCredential>), BatchError> {
    let plan = plan(ctx, records, entries, ahead, outcome).await?;
    Ok(build_plan(ctx, records, plan, outcome))
}

/// The database's part of [`prepare`].
async fn plan(
    ctx: &BatchContext<'_>,
    records: &[YearRecord],
    entries: &mut Entries,
    ahead: usize,
    outcome: &mut BatchOutcome,
) -> Result<Plan, BatchError> {
    let school_id = ctx.school.id.as_str();
    let mut plan = Plan::default();
    for (i, record) in records.iter().enumerate() {
        // The state as the caller read it. If another process signed the record since, the
        // signing step finds it signed and returns that credential (the status entry
        // allocated for it here stays unused).
        match record.state {
            RecordState::Signed | RecordState::Revoked => {
                match ctx.store.credential_for_record(school_id, &record.id).await {
                    Ok(c) => {
                        outcome.already.push(Signed {
                            record_id: record.id.clone(),
                            credential_id: c.id.clone(),
                        });
                        plan.found.push(c);
                    }
                    Err(e) => outcome.failed.push((record.id.clone(), e.to_string())),
                }
            }
            RecordState::Draft => outcome.failed.push((
                record.id.clone(),
                "bản nháp chưa được kiểm tra / a draft: validate it before signing".into(),
            )),
            RecordState::Validated => plan.to_sign.push(i),
        }
    }
    if plan.to_sign.is_empty() {
        return Ok(plan);
    }
    plan.allocations = entries.take(ctx, plan.to_sign.len(), ahead).await?;
    // A correction (a pupil's year whose credential was revoked) names the credential it
    // replaces. Looked up per record only when the school has revoked credentials that no
    // credential replaces yet, so a first issuance costs one query per chunk.
    plan.replaces = vec![None; plan.to_sign.len()];
    if ctx.store.has_unreplaced_revocations(school_id).await? {
        for (slot, &i) in plan.replaces.iter_mut().zip(&plan.to_sign) {
            let Some(record) = records.get(i) else {
                continue;
            };
            *slot = ctx
                .store
                .credential_to_replace(school_id, &record.pupil_id, &record.school_year)
                .await?
                .map(|c| c.id);
        }
    }
    Ok(plan)
}

/// The cores' part of [`prepare`]: signs the records `plan` names, on all cores.
fn build_plan(
    ctx: &BatchContext<'_>,
    records: &[YearRecord],
    plan: Plan,
    outcome: &mut BatchOutcome,
) -> (Vec<Credential>, Vec<NewCredential>) {
    let to_sign: Vec<&YearRecord> = plan
        .to_sign
        .iter()
        .filter_map(|&i| records.get(i))
        .collect();
    if to_sign.is_empty() {
        return (plan.found, Vec::new());
    }
    let built = build::sign_parallel(ctx, &to_sign, &plan.allocations, &plan.replaces);
    let mut items = Vec::with_capacity(built.len());
    for (record, result) in to_sign.iter().zip(built) {
        match result {
            Ok(item) => items.push(item),
            Err(reason) => outcome.failed.push((record.id.clone(), reason)),
        }
    }
    (plan.found, items)
}

/// Stores a chunk's credentials in one transaction, again after a transient failure.
async fn store_chunk(
    store: Store,
    (school_id, actor, batch_id): Owner,
    items: Vec<NewCredential>,
    now: OffsetDateTime,
) -> Stored {
    if items.is_empty() {
        return (items, Ok(Vec::new()));
    }
    let mut attempt = 0;
    let stored = loop {
        match store
            .issue_credentials_in_batch(
                &school_id,
                &items,
                actor.as_deref(),
                batch_id.as_deref(),
                now,
            )
            .await
        {
            // Another process's transaction locked the same rows in another order and the
            // database chose this one to roll back: nothing was written, try again.
            Err(e) if is_transient(&e) && attempt < RETRIES => {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(20 * u64::from(attempt))).await;
            }
            other => break other,
        }
    };
    (items, stored)
}

/// Puts what storing a chunk gave into the outcome and the chunk's credentials.
fn record_stored(
    items: &[NewCredential],
    stored: Result<Vec<Result<IssueOutcome, StoreError>>, StoreError>,
    outcome: &mut BatchOutcome,
    credentials: &mut Vec<Credential>,
) {
    let stored = match stored {
        Ok(stored) => stored,
        Err(e) => {
            // The whole chunk was rolled back; its records stay validated for a re-run.
            for item in items {
                outcome.failed.push((item.record_id.clone(), e.to_string()));
            }
            return;
        }
    };
    for (item, result) in items.iter().zip(stored) {
        match result {
            Ok(IssueOutcome::Issued(c)) => {
                outcome.issued.push(Signed {
                    record_id: c.record_id.clone(),
                    credential_id: c.id.clone(),
                });
                credentials.push(c);
            }
            Ok(IssueOutcome::AlreadyIssued(c)) => {
                outcome.already.push(Signed {
                    record_id: c.record_id.clone(),
                    credential_id: c.id.clone(),
                });
                credentials.push(c);
            }
            Err(e) => outcome.failed.push((item.record_id.clone(), e.to_string())),
        }
    }
}

/// How often a chunk is retried after a deadlock or serialisation failure.
const RETRIES: u32 = 5;

/// Whether a store error is worth retrying: the transaction was rolled back because of a
/// deadlock or a serialisation failure with another process, or no connection was free.
pub fn is_transient(e: &StoreError) -> bool {
    match e {
        StoreError::Unavailable(_) => true,
        StoreError::Database(msg) => {
            msg.contains("deadlock detected")
                || msg.contains("could not serialize")
                || msg.contains("database is locked")
        }
        _ => false,
    }
}

/// Lower-case hex SHA-256 of `bytes` (the `sha256` stored with each credential). The digits
/// are looked up, not formatted: `write!` per byte cost a tenth of the hashing.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest.iter() {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}
