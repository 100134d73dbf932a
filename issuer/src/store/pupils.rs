//! Pupils of a school, keyed by their personal identification number or MOET student code.

use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use time::{Date, OffsetDateTime};

use super::timestamp::{date_from_text, date_to_text, time_at, to_text};
use super::values::values;
use super::{Store, StoreError, ordered_id};

/// A pupil as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pupil {
    /// Internal id.
    pub id: String,
    /// The pupil's school.
    pub school_id: String,
    /// Personal identification number or MOET student code; unique within the school.
    pub pupil_key: String,
    /// Full name (NFC, as given).
    pub full_name: String,
    /// Date of birth.
    pub date_of_birth: Date,
    /// When the pupil was first stored.
    pub created_at: OffsetDateTime,
    /// When name or date of birth last changed.
    pub updated_at: OffsetDateTime,
}

/// A pupil as brought in by an import.
#[derive(Clone, Debug)]
pub struct NewPupil {
    /// Personal identification number or MOET student code.
    pub pupil_key: String,
    /// Full name.
    pub full_name: String,
    /// Date of birth.
    pub date_of_birth: Date,
}

macro_rules! pupil_columns {
    () => {
        "id, school_id, pupil_key, full_name, date_of_birth, created_at, updated_at"
    };
}

/// Inserts `rows` pupils, or updates name and date of birth of the ones with the same key,
/// returning every row. Binds `$1` school_id, `$2` now, then per row: id, pupil_key,
/// full_name, date_of_birth. No two rows may have the same key.
pub(super) fn upsert_pupils_sql(rows: usize) -> String {
    format!(
        "INSERT INTO pupils (id, school_id, pupil_key, full_name, date_of_birth, \
         created_at, updated_at) VALUES {} \
         ON CONFLICT (school_id, pupil_key) DO UPDATE SET \
         full_name = excluded.full_name, date_of_birth = excluded.date_of_birth, \
         updated_at = CASE WHEN pupils.full_name = excluded.full_name \
         AND pupils.date_of_birth = excluded.date_of_birth \
         THEN pupils.updated_at ELSE excluded.updated_at END \
         RETURNING {}",
        values("(?, $1, ?, ?, ?, $2, $2)", rows, 2),
        pupil_columns!()
    )
}

fn pupil_from_row(row: &AnyRow) -> Result<Pupil, StoreError> {
    Ok(Pupil {
        id: row.try_get("id")?,
        school_id: row.try_get("school_id")?,
        pupil_key: row.try_get("pupil_key")?,
        full_name: row.try_get("full_name")?,
        date_of_birth: date_from_text(
            "pupils.date_of_birth",
            &row.try_get::<String, _>("date_of_birth")?,
        )?,
        created_at: time_at(row, "pupils.created_at", "created_at")?,
        updated_at: time_at(row, "pupils.updated_at", "updated_at")?,
    })
}

impl Store {
    /// Stores a pupil of `school_id`, or updates name and date of birth of the pupil with the
    /// same key, and returns the stored row (its id stays the same on update).
    pub async fn upsert_pupil(
        &self,
        school_id: &str,
        pupil: &NewPupil,
        now: OffsetDateTime,
    ) -> Result<Pupil, StoreError> {
        let id = ordered_id(now);
        let now = to_text(now)?;
        let row = sqlx::query(AssertSqlSafe(upsert_pupils_sql(1)))
            .bind(school_id)
            .bind(now)
            .bind(id)
            .bind(&pupil.pupil_key)
            .bind(&pupil.full_name)
            .bind(date_to_text(pupil.date_of_birth)?)
            .fetch_one(&self.pool)
            .await?;
        pupil_from_row(&row)
    }

    /// A pupil of `school_id`; another school's pupil is [`StoreError::NotFound`].
    pub async fn pupil(&self, school_id: &str, pupil_id: &str) -> Result<Pupil, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            pupil_columns!(),
            " FROM pupils WHERE id = $1 AND school_id = $2"
        ))
        .bind(pupil_id)
        .bind(school_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "pupil",
            id: pupil_id.to_owned(),
        })?;
        pupil_from_row(&row)
    }

    /// A pupil of `school_id` by personal id number or MOET student code.
    pub async fn pupil_by_key(
        &self,
        school_id: &str,
        pupil_key: &str,
    ) -> Result<Pupil, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            pupil_columns!(),
            " FROM pupils WHERE school_id = $1 AND pupil_key = $2"
        ))
        .bind(school_id)
        .bind(pupil_key)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "pupil",
            // The key is a personal id number: not repeated into messages and logs.
            id: "with that key".to_owned(),
        })?;
        pupil_from_row(&row)
    }

    /// The pupil of `school_id` whose records give MOET student code `student_code` (a pupil
    /// is stored under their personal identification number when they have one, so the student
    /// code is found in their records). Only letters and digits are looked for.
    pub async fn pupil_by_student_code(
        &self,
        school_id: &str,
        student_code: &str,
    ) -> Result<Pupil, StoreError> {
        let not_found = || StoreError::NotFound {
            what: "pupil",
            id: "with that student code".to_owned(),
        };
        if student_code.is_empty() || !student_code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(not_found());
        }
        let pattern = format!("%\"studentCode\":\"{student_code}\"%");
        let row = sqlx::query(concat!(
            "SELECT DISTINCT p.id FROM pupils p JOIN year_records r ON r.pupil_id = p.id ",
            "WHERE p.school_id = $1 AND r.record_json LIKE $2"
        ))
        .bind(school_id)
        .bind(&pattern)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(not_found)?;
        let id: String = row.try_get("id")?;
        self.pupil(school_id, &id).await
    }
}
