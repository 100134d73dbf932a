//! Imports: a class's rows from the school management system stored in one transaction,
//! pupils created or updated by key, one outcome per row.

use std::collections::HashMap;

use sqlx::{AnyConnection, AssertSqlSafe, Connection, Row};
use time::OffsetDateTime;

use super::connect::{RELAXED, RELAXED_POSTGRES};
use super::pupils::{NewPupil, upsert_pupils_sql};
use super::records::{
    RecordState, ValidatedNow, YearRecord, record_with_json, save_records_sql, signed_conflict,
};
use super::timestamp::{date_to_text, to_text};
use super::values::rows_per_statement;
use super::{Backend, Store, StoreError, lock_order, ordered_id, outcomes};

/// One row of an import: the pupil (found or created by key) and their year record.
#[derive(Clone, Debug)]
pub struct ImportRow {
    /// The pupil; created, or name and date of birth updated, by key.
    pub pupil: NewPupil,
    /// School year, e.g. `2024-2025`.
    pub school_year: String,
    /// Grade (1–12).
    pub grade: i64,
    /// Class, e.g. `5A`.
    pub class_name: String,
    /// The record as JSON text.
    pub record_json: String,
    /// Store it as validated (it passed validation during the import) rather than as a draft.
    pub validated: bool,
}

/// Rows per multi-row statement of an import.
const ROWS_PER_STATEMENT: usize = 100;

impl Store {
    /// Imports many rows (a class from the school management system) in one transaction:
    /// each pupil is created or updated by key, and each record is stored as
    /// [`Store::save_draft`] would (as validated when the row says so). The answer has one
    /// outcome per row, in order; a row whose record is already signed gets
    /// [`StoreError::Conflict`] and does not stop the others. Either every other row is
    /// stored or, on a database failure (the `Err` of the whole call), none is.
    ///
    /// The rows are written a few hundred at a time, in multi-row statements, in the order of
    /// their pupil keys (so that two processes importing overlapping classes lock rows in the
    /// same order). Rows of one pupil and year that come more than once are stored one after
    /// the other, in that order, as separate statements. On SQLite the commit does not wait
    /// for the disk (see `connect.rs`: safe against a crash of the process; a power cut may
    /// lose the last imports, never anything signed).
    pub async fn import_records(
        &self,
        school_id: &str,
        rows: &[ImportRow],
        actor: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Vec<Result<YearRecord, StoreError>>, StoreError> {
        self.school(school_id).await?;
        let at = now;
        let now = to_text(now)?;
        let mut slots: Vec<Option<Result<YearRecord, StoreError>>> =
            rows.iter().map(|_| None).collect();
        let mut dates: Vec<Option<String>> = vec![None; rows.len()];
        let mut order = Vec::with_capacity(rows.len());
        for i in lock_order(rows, |r| (r.pupil.pupil_key.clone(), r.school_year.clone())) {
            let (Some(row), Some(slot), Some(date)) =
                (rows.get(i), slots.get_mut(i), dates.get_mut(i))
            else {
                continue;
            };
            match date_to_text(row.pupil.date_of_birth) {
                Ok(d) => {
                    *date = Some(d);
                    order.push(i);
                }
                Err(e) => *slot = Some(Err(e)),
            }
        }
        let mut conn = self.pool.acquire().await?;
        let mut tx = match self.backend {
            Backend::Sqlite => {
                sqlx::raw_sql(RELAXED).execute(&mut *conn).await?;
                conn.begin_with("BEGIN IMMEDIATE").await?
            }
            Backend::Postgres => {
                let mut tx = conn.begin().await?;
                sqlx::raw_sql(RELAXED_POSTGRES).execute(&mut *tx).await?;
                tx
            }
        };
        let pupil_ids = upsert_pupils(&mut tx, school_id, rows, &dates, &order, at, &now).await?;
        // Round k holds the k-th row of each pupil and year.
        let mut rounds: Vec<Vec<(usize, &str)>> = Vec::new();
        let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
        for &i in &order {
            let (Some(row), Some(pupil_id)) = (
                rows.get(i),
                rows.get(i)
                    .and_then(|r| pupil_ids.get(r.pupil.pupil_key.as_str())),
            ) else {
                continue;
            };
            let round = seen
                .entry((pupil_id.as_str(), row.school_year.as_str()))
                .and_modify(|n| *n += 1)
                .or_insert(0);
            if rounds.len() <= *round {
                rounds.push(Vec::new());
            }
            if let Some(r) = rounds.get_mut(*round) {
                r.push((i, pupil_id.as_str()));
            }
        }
        for round in &rounds {
            for part in round.chunks(rows_per_statement(7, 3, ROWS_PER_STATEMENT)) {
                let sql = save_records_sql(part.len());
                let mut query = sqlx::query(AssertSqlSafe(sql))
                    .bind(school_id)
                    .bind(actor)
                    .bind(&now);
                for &(i, pupil_id) in part {
                    let Some(row) = rows.get(i) else { continue };
                    let state = if row.validated {
                        RecordState::Validated
                    } else {
                        RecordState::Draft
                    };
                    query = query
                        .bind(ordered_id(at))
                        .bind(pupil_id)
                        .bind(&row.school_year)
                        .bind(row.grade)
                        .bind(&row.class_name)
                        .bind(state.as_str())
                        .bind(&row.record_json);
                }
                let mut stored: HashMap<(String, String), _> = HashMap::new();
                for r in query.fetch_all(&mut *tx).await? {
                    let key: (String, String) = (r.try_get("pupil_id")?, r.try_get("school_year")?);
                    stored.insert(key, r);
                }
                for &(i, pupil_id) in part {
                    let (Some(row), Some(slot)) = (rows.get(i), slots.get_mut(i)) else {
                        continue;
                    };
                    let key = (pupil_id.to_owned(), row.school_year.clone());
                    *slot = Some(match stored.get(&key) {
                        Some(r) => record_with_json(r, row.record_json.clone()).map(|mut r| {
                            r.validated_now =
                                ValidatedNow(row.validated && r.state == RecordState::Validated);
                            r
                        }),
                        None => Err(signed_conflict(&row.school_year)),
                    });
                }
            }
        }
        tx.commit().await?;
        Ok(outcomes(slots))
    }
}

/// Creates or updates the pupils of `rows` (those listed in `order`, with their dates of
/// birth as text), a few hundred per statement, and returns their ids by key (new ones made
/// at `at`). A key that comes more than once is written once, with its last row in `order`:
/// what writing the rows one by one would leave.
async fn upsert_pupils(
    conn: &mut AnyConnection,
    school_id: &str,
    rows: &[ImportRow],
    dates: &[Option<String>],
    order: &[usize],
    at: OffsetDateTime,
    now: &str,
) -> Result<HashMap<String, String>, StoreError> {
    let mut last: HashMap<&str, usize> = HashMap::with_capacity(order.len());
    for &i in order {
        if let Some(row) = rows.get(i) {
            last.insert(row.pupil.pupil_key.as_str(), i);
        }
    }
    let unique: Vec<(usize, &str)> = order
        .iter()
        .filter_map(|&i| {
            let row = rows.get(i)?;
            let date = dates.get(i)?.as_deref()?;
            (last.get(row.pupil.pupil_key.as_str()) == Some(&i)).then_some((i, date))
        })
        .collect();
    let mut ids = HashMap::with_capacity(unique.len());
    for part in unique.chunks(rows_per_statement(4, 2, ROWS_PER_STATEMENT)) {
        let mut query = sqlx::query(AssertSqlSafe(upsert_pupils_sql(part.len())))
            .bind(school_id)
            .bind(now);
        for &(i, date) in part {
            let Some(row) = rows.get(i) else { continue };
            query = query
                .bind(ordered_id(at))
                .bind(&row.pupil.pupil_key)
                .bind(&row.pupil.full_name)
                .bind(date);
        }
        for r in query.fetch_all(&mut *conn).await? {
            ids.insert(r.try_get("pupil_key")?, r.try_get("id")?);
        }
    }
    Ok(ids)
}
