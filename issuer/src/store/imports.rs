//! Imports: a class's rows from the school management system stored in one transaction,
//! pupils created or updated by key, one outcome per row.

use time::OffsetDateTime;

use super::pupils::{NewPupil, UPSERT_PUPIL};
use super::records::{RecordState, SAVE_RECORD, YearRecord, record_from_row, signed_conflict};
use super::timestamp::{date_to_text, to_text};
use super::{Store, StoreError, lock_order, new_id, outcomes};

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

impl Store {
    /// Imports many rows (a class from the school management system) in one transaction:
    /// each pupil is created or updated by key, and each record is stored as
    /// [`Store::save_draft`] would (as validated when the row says so). The answer has one
    /// outcome per row, in order; a row whose record is already signed gets
    /// [`StoreError::Conflict`] and does not stop the others. Either every other row is
    /// stored or, on a database failure (the `Err` of the whole call), none is.
    pub async fn import_records(
        &self,
        school_id: &str,
        rows: &[ImportRow],
        actor: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Vec<Result<YearRecord, StoreError>>, StoreError> {
        self.school(school_id).await?;
        let now = to_text(now)?;
        let mut slots: Vec<Option<Result<YearRecord, StoreError>>> =
            rows.iter().map(|_| None).collect();
        let mut tx = self.begin_write().await?;
        for i in lock_order(rows, |r| (r.pupil.pupil_key.clone(), r.school_year.clone())) {
            let (Some(row), Some(slot)) = (rows.get(i), slots.get_mut(i)) else {
                continue;
            };
            let date_of_birth = match date_to_text(row.pupil.date_of_birth) {
                Ok(d) => d,
                Err(e) => {
                    *slot = Some(Err(e));
                    continue;
                }
            };
            let pupil_id: String = sqlx::query_scalar(UPSERT_PUPIL)
                .bind(new_id())
                .bind(school_id)
                .bind(&row.pupil.pupil_key)
                .bind(&row.pupil.full_name)
                .bind(date_of_birth)
                .bind(&now)
                .fetch_one(&mut *tx)
                .await?;
            let state = if row.validated {
                RecordState::Validated
            } else {
                RecordState::Draft
            };
            let stored = sqlx::query(SAVE_RECORD)
                .bind(new_id())
                .bind(school_id)
                .bind(&pupil_id)
                .bind(&row.school_year)
                .bind(row.grade)
                .bind(&row.class_name)
                .bind(&row.record_json)
                .bind(actor)
                .bind(&now)
                .bind(state.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            *slot = Some(stored.map_or_else(
                || Err(signed_conflict(&row.school_year)),
                |r| record_from_row(&r),
            ));
        }
        tx.commit().await?;
        Ok(outcomes(slots))
    }
}
