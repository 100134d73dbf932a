//! Year records (one pupil, one school year) through their life cycle:
//! draft → validated → signed → revoked.
//!
//! Drafts are edited with optimistic concurrency: every change names the version it was
//! based on, and a change based on an old version gets [`StoreError::StaleVersion`]. Editing a
//! validated record makes it a draft again. Signed and revoked records are never edited; a
//! correction is a new record for the same pupil and year, allowed once the old one is
//! revoked (at most one record per pupil and year is not revoked).

use std::fmt;
use std::str::FromStr;

use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use sqlx::{Acquire, AssertSqlSafe, Row};
use time::OffsetDateTime;

use super::error::unique_as;
use super::timestamp::{time_at, to_text};
use super::values::values;
use super::{Store, StoreError, lock_order, ordered_id, outcomes};

/// Where a record is in its life cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecordState {
    /// Imported or edited; not yet checked.
    Draft,
    /// Passed validation; ready to sign.
    Validated,
    /// Has a credential.
    Signed,
    /// Its credential was revoked.
    Revoked,
}

impl RecordState {
    /// The stored name: `draft`, `validated`, `signed` or `revoked`.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordState::Draft => "draft",
            RecordState::Validated => "validated",
            RecordState::Signed => "signed",
            RecordState::Revoked => "revoked",
        }
    }
}

impl fmt::Display for RecordState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RecordState {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<RecordState, StoreError> {
        match s {
            "draft" => Ok(RecordState::Draft),
            "validated" => Ok(RecordState::Validated),
            "signed" => Ok(RecordState::Signed),
            "revoked" => Ok(RecordState::Revoked),
            other => Err(StoreError::InvalidInput {
                field: "state",
                reason: format!("{other:?} is not draft, validated, signed or revoked"),
            }),
        }
    }
}

/// A year record as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YearRecord {
    /// Internal id.
    pub id: String,
    /// The school that keeps it.
    pub school_id: String,
    /// The pupil.
    pub pupil_id: String,
    /// School year, e.g. `2024-2025`.
    pub school_year: String,
    /// Grade (1–12).
    pub grade: i64,
    /// Class, e.g. `5A`.
    pub class_name: String,
    /// Where it is in its life cycle.
    pub state: RecordState,
    /// The record (the credential subject's year record) as JSON text.
    pub record_json: String,
    /// Row version for optimistic concurrency; every change adds one.
    pub version: i64,
    /// Who created it (`None` for the offline command).
    pub created_by: Option<String>,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// Who changed it last.
    pub updated_by: Option<String>,
    /// When it was changed last.
    pub updated_at: OffsetDateTime,
    /// Whether this process validated `record_json` just now (see [`ValidatedNow`]).
    pub validated_now: ValidatedNow,
}

/// Set only on a record that [`Store::import_records`] has just stored from a row marked
/// validated ([`ImportRow::validated`](super::ImportRow)): its text is the one the caller
/// validated in this process, with this build's rules, so signing it need not validate it
/// again. Never read from the database: a record loaded later (after a restart, an upgrade of
/// the rules, or by another process) is validated again when signed. Not part of the record's
/// identity: two views of one stored record are equal whether or not this is set.
#[derive(Clone, Copy, Debug, Default, Eq)]
pub struct ValidatedNow(pub bool);

impl PartialEq for ValidatedNow {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// A new draft.
#[derive(Clone, Debug)]
pub struct NewDraft {
    /// The pupil; must belong to the school.
    pub pupil_id: String,
    /// School year, e.g. `2024-2025`.
    pub school_year: String,
    /// Grade (1–12).
    pub grade: i64,
    /// Class, e.g. `5A`.
    pub class_name: String,
    /// The record as JSON text.
    pub record_json: String,
}

/// New content for a draft (everything editable is replaced).
#[derive(Clone, Debug)]
pub struct RecordUpdate {
    /// Grade (1–12).
    pub grade: i64,
    /// Class.
    pub class_name: String,
    /// The record as JSON text.
    pub record_json: String,
}

/// Which records to list; `None` means any.
#[derive(Clone, Debug, Default)]
pub struct RecordFilter {
    /// Only this school year.
    pub school_year: Option<String>,
    /// Only this class.
    pub class_name: Option<String>,
    /// Only records in this state.
    pub state: Option<RecordState>,
}

macro_rules! record_columns {
    () => {
        "id, school_id, pupil_id, school_year, grade, class_name, state, record_json, version, \
         created_by, created_at, updated_by, updated_at"
    };
}

pub(super) fn record_from_row(row: &AnyRow) -> Result<YearRecord, StoreError> {
    record_with_json(row, row.try_get("record_json")?)
}

/// A record from a row that carries every column but `record_json`, which the caller knows
/// (it has just written it), so the text is not sent back by the database.
pub(super) fn record_with_json(
    row: &AnyRow,
    record_json: String,
) -> Result<YearRecord, StoreError> {
    let state: String = row.try_get("state")?;
    Ok(YearRecord {
        id: row.try_get("id")?,
        school_id: row.try_get("school_id")?,
        pupil_id: row.try_get("pupil_id")?,
        school_year: row.try_get("school_year")?,
        grade: row.try_get("grade")?,
        class_name: row.try_get("class_name")?,
        state: state.parse().map_err(|_| StoreError::Corrupt {
            what: "year_records.state",
            detail: state.clone(),
        })?,
        record_json,
        version: row.try_get("version")?,
        created_by: row.try_get("created_by")?,
        created_at: time_at(row, "year_records.created_at", "created_at")?,
        updated_by: row.try_get("updated_by")?,
        updated_at: time_at(row, "year_records.updated_at", "updated_at")?,
        validated_now: ValidatedNow::default(),
    })
}

fn not_found(record_id: &str) -> StoreError {
    StoreError::NotFound {
        what: "record",
        id: record_id.to_owned(),
    }
}

/// Inserts `rows` records, or replaces the content of each pupil's draft or validated record
/// for that year (version + 1); returns no row for a record that is signed. The returned rows
/// carry every column but `record_json` (the caller has it: see [`record_with_json`]).
/// Binds `$1` school_id, `$2` actor, `$3` now, then per row: id, pupil_id, school_year,
/// grade, class_name, state (`draft` or `validated`), record_json. No two rows may be for the
/// same pupil and year (PostgreSQL refuses to change a row twice in one statement).
pub(super) fn save_records_sql(rows: usize) -> String {
    format!(
        "INSERT INTO year_records (id, school_id, pupil_id, school_year, grade, class_name, \
         state, record_json, version, created_by, created_at, updated_by, updated_at) VALUES {} \
         ON CONFLICT (school_id, pupil_id, school_year) WHERE state <> 'revoked' \
         DO UPDATE SET grade = excluded.grade, class_name = excluded.class_name, \
         record_json = excluded.record_json, state = excluded.state, \
         version = year_records.version + 1, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at \
         WHERE year_records.state IN ('draft', 'validated') RETURNING {RECORD_META}",
        values("(?, $1, ?, ?, ?, ?, ?, ?, 1, $2, $3, $2, $3)", rows, 3)
    )
}

/// Every column of `year_records` but `record_json`.
const RECORD_META: &str = "id, school_id, pupil_id, school_year, grade, class_name, state, \
     version, created_by, created_at, updated_by, updated_at";

/// Marks a draft validated if it is at the expected version.
/// Binds: id, school_id, expected version, actor, now.
const MARK_VALIDATED: &str = concat!(
    "UPDATE year_records SET state = 'validated', version = version + 1, ",
    "updated_by = $4, updated_at = $5 ",
    "WHERE id = $1 AND school_id = $2 AND version = $3 ",
    "AND state IN ('draft', 'validated') RETURNING ",
    record_columns!()
);

pub(super) fn signed_conflict(school_year: &str) -> StoreError {
    StoreError::Conflict {
        what: format!(
            "the pupil's record for {school_year} is signed; revoke it before importing a correction"
        ),
    }
}

/// A record of `school_id` read on `conn` (so it works inside an open transaction).
pub(super) async fn fetch_record(
    conn: &mut AnyConnection,
    school_id: &str,
    record_id: &str,
) -> Result<Option<YearRecord>, StoreError> {
    sqlx::query(concat!(
        "SELECT ",
        record_columns!(),
        " FROM year_records WHERE id = $1 AND school_id = $2"
    ))
    .bind(record_id)
    .bind(school_id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(record_from_row)
    .transpose()
}

/// Why a guarded update of a record changed nothing.
async fn why_unchanged(
    conn: &mut AnyConnection,
    school_id: &str,
    record_id: &str,
    expected: i64,
) -> StoreError {
    match fetch_record(conn, school_id, record_id).await {
        Err(e) => e,
        Ok(None) => not_found(record_id),
        Ok(Some(r)) if matches!(r.state, RecordState::Signed | RecordState::Revoked) => {
            StoreError::Conflict {
                what: format!("record {record_id} is {} and cannot be changed", r.state),
            }
        }
        Ok(Some(r)) => StoreError::StaleVersion {
            id: record_id.to_owned(),
            expected,
            current: r.version,
        },
    }
}

impl Store {
    /// Stores a new draft for a pupil of `school_id`. A pupil of another school is
    /// [`StoreError::NotFound`]; a pupil who already has a record for that year that is not
    /// revoked is [`StoreError::Conflict`].
    pub async fn insert_draft(
        &self,
        school_id: &str,
        draft: &NewDraft,
        actor: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<YearRecord, StoreError> {
        self.pupil(school_id, &draft.pupil_id).await?;
        let id = ordered_id(now);
        let now = to_text(now)?;
        let row = sqlx::query(concat!(
            "INSERT INTO year_records (id, school_id, pupil_id, school_year, grade, class_name, ",
            "state, record_json, version, created_by, created_at, updated_by, updated_at) ",
            "VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, 1, $8, $9, $8, $9) RETURNING ",
            record_columns!()
        ))
        .bind(id)
        .bind(school_id)
        .bind(&draft.pupil_id)
        .bind(&draft.school_year)
        .bind(draft.grade)
        .bind(&draft.class_name)
        .bind(&draft.record_json)
        .bind(actor)
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| {
            unique_as(e, || {
                format!(
                    "the pupil already has a record for {} that is not revoked",
                    draft.school_year
                )
            })
        })?;
        record_from_row(&row)
    }

    /// What an import does: stores a new draft, or replaces the content of the pupil's draft
    /// or validated record for that year (which becomes a draft again, version + 1), without
    /// a version check. A signed record is [`StoreError::Conflict`]: revoke it first.
    pub async fn save_draft(
        &self,
        school_id: &str,
        draft: &NewDraft,
        actor: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<YearRecord, StoreError> {
        self.pupil(school_id, &draft.pupil_id).await?;
        sqlx::query(AssertSqlSafe(save_records_sql(1)))
            .bind(school_id)
            .bind(actor)
            .bind(to_text(now)?)
            .bind(ordered_id(now))
            .bind(&draft.pupil_id)
            .bind(&draft.school_year)
            .bind(draft.grade)
            .bind(&draft.class_name)
            .bind(RecordState::Draft.as_str())
            .bind(&draft.record_json)
            .fetch_optional(&self.pool)
            .await?
            .map_or_else(
                || Err(signed_conflict(&draft.school_year)),
                |row| record_with_json(&row, draft.record_json.clone()),
            )
    }

    /// Replaces a draft's (or validated record's) content if it is still at
    /// `expected_version`; the record becomes a draft with version + 1. Someone else's change
    /// in between is [`StoreError::StaleVersion`]; a signed or revoked record is
    /// [`StoreError::Conflict`]; another school's record is [`StoreError::NotFound`].
    pub async fn update_draft(
        &self,
        school_id: &str,
        record_id: &str,
        expected_version: i64,
        update: &RecordUpdate,
        actor: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<YearRecord, StoreError> {
        let row = sqlx::query(concat!(
            "UPDATE year_records SET grade = $4, class_name = $5, record_json = $6, ",
            "state = 'draft', version = version + 1, updated_by = $7, updated_at = $8 ",
            "WHERE id = $1 AND school_id = $2 AND version = $3 ",
            "AND state IN ('draft', 'validated') RETURNING ",
            record_columns!()
        ))
        .bind(record_id)
        .bind(school_id)
        .bind(expected_version)
        .bind(update.grade)
        .bind(&update.class_name)
        .bind(&update.record_json)
        .bind(actor)
        .bind(to_text(now)?)
        .fetch_optional(&self.pool)
        .await?;
        self.changed_or_why(row, school_id, record_id, expected_version)
            .await
    }

    /// Marks a draft validated if it is still at `expected_version` (the version whose content
    /// passed validation); version + 1. Errors as for [`Store::update_draft`].
    pub async fn mark_validated(
        &self,
        school_id: &str,
        record_id: &str,
        expected_version: i64,
        actor: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<YearRecord, StoreError> {
        let row = sqlx::query(MARK_VALIDATED)
            .bind(record_id)
            .bind(school_id)
            .bind(expected_version)
            .bind(actor)
            .bind(to_text(now)?)
            .fetch_optional(&self.pool)
            .await?;
        self.changed_or_why(row, school_id, record_id, expected_version)
            .await
    }

    /// [`Store::mark_validated`] for many `(record id, expected version)` pairs in one
    /// transaction, with one outcome per pair, in order. A stale or signed record gets its
    /// error and does not stop the others.
    pub async fn mark_validated_many(
        &self,
        school_id: &str,
        records: &[(String, i64)],
        actor: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Vec<Result<YearRecord, StoreError>>, StoreError> {
        let now = to_text(now)?;
        let mut slots: Vec<Option<Result<YearRecord, StoreError>>> =
            records.iter().map(|_| None).collect();
        let mut tx = self.begin_write().await?;
        for i in lock_order(records, |(id, _)| id.clone()) {
            let (Some((record_id, expected)), Some(slot)) = (records.get(i), slots.get_mut(i))
            else {
                continue;
            };
            let row = sqlx::query(MARK_VALIDATED)
                .bind(record_id)
                .bind(school_id)
                .bind(*expected)
                .bind(actor)
                .bind(&now)
                .fetch_optional(&mut *tx)
                .await?;
            *slot = Some(match row {
                Some(row) => record_from_row(&row),
                None => {
                    let conn = tx.acquire().await?;
                    Err(why_unchanged(conn, school_id, record_id, *expected).await)
                }
            });
        }
        tx.commit().await?;
        Ok(outcomes(slots))
    }

    /// The record a conditional change returned, or, when it returned none, why the record
    /// was not changed (see [`why_unchanged`]).
    async fn changed_or_why(
        &self,
        row: Option<AnyRow>,
        school_id: &str,
        record_id: &str,
        expected_version: i64,
    ) -> Result<YearRecord, StoreError> {
        match row {
            Some(row) => record_from_row(&row),
            None => {
                let mut conn = self.pool.acquire().await?;
                Err(why_unchanged(&mut conn, school_id, record_id, expected_version).await)
            }
        }
    }

    /// A record of `school_id`; another school's record is [`StoreError::NotFound`].
    pub async fn record(&self, school_id: &str, record_id: &str) -> Result<YearRecord, StoreError> {
        let mut conn = self.pool.acquire().await?;
        fetch_record(&mut conn, school_id, record_id)
            .await?
            .ok_or_else(|| not_found(record_id))
    }

    /// The pupil's record for a school year that is not revoked, if any.
    pub async fn live_record(
        &self,
        school_id: &str,
        pupil_id: &str,
        school_year: &str,
    ) -> Result<Option<YearRecord>, StoreError> {
        sqlx::query(concat!(
            "SELECT ",
            record_columns!(),
            " FROM year_records WHERE school_id = $1 AND pupil_id = $2 AND school_year = $3 ",
            "AND state <> 'revoked'"
        ))
        .bind(school_id)
        .bind(pupil_id)
        .bind(school_year)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(record_from_row)
        .transpose()
    }

    /// The records of `school_id` that match `filter`, by class and then creation.
    pub async fn list_records(
        &self,
        school_id: &str,
        filter: &RecordFilter,
    ) -> Result<Vec<YearRecord>, StoreError> {
        sqlx::query(concat!(
            "SELECT ",
            record_columns!(),
            " FROM year_records WHERE school_id = $1 ",
            "AND ($2 IS NULL OR school_year = $2) ",
            "AND ($3 IS NULL OR class_name = $3) ",
            "AND ($4 IS NULL OR state = $4) ",
            "ORDER BY school_year, class_name, created_at, id"
        ))
        .bind(school_id)
        .bind(filter.school_year.as_deref())
        .bind(filter.class_name.as_deref())
        .bind(filter.state.map(RecordState::as_str))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(record_from_row)
        .collect()
    }
}
