//! Revocation: a credential is revoked with a reason and its record marked revoked in one
//! transaction; the revoked entries of a status list are what its published bitstring sets.

use sqlx::Row;
use time::OffsetDateTime;

use super::credentials::{Credential, Scope};
use super::timestamp::{time_at, to_text};
use super::{Store, StoreError};

impl Store {
    /// Revokes a credential of `school_id` at `now` with a reason, and marks its record
    /// revoked, in one transaction. Another school's credential is [`StoreError::NotFound`];
    /// one already revoked is [`StoreError::Conflict`].
    pub async fn revoke_credential(
        &self,
        school_id: &str,
        credential_id: &str,
        reason: &str,
        actor: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Credential, StoreError> {
        if reason.trim().is_empty() {
            return Err(StoreError::InvalidInput {
                field: "reason",
                reason: "a revocation needs a reason".into(),
            });
        }
        let now = to_text(now)?;
        let mut tx = self.begin_write().await?;
        let record_id: Option<String> = sqlx::query_scalar(
            "UPDATE credentials SET revoked_at = $3, revocation_reason = $4 \
             WHERE id = $1 AND school_id = $2 AND revoked_at IS NULL RETURNING record_id",
        )
        .bind(credential_id)
        .bind(school_id)
        .bind(&now)
        .bind(reason)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(record_id) = record_id else {
            tx.rollback().await?;
            let existing = self
                .credential(&Scope::School(school_id.to_owned()), credential_id)
                .await?;
            return Err(StoreError::Conflict {
                what: format!(
                    "credential {} was already revoked at {}",
                    existing.id,
                    existing
                        .revoked_at
                        .map(|t| to_text(t).unwrap_or_default())
                        .unwrap_or_default()
                ),
            });
        };
        sqlx::query(
            "UPDATE year_records SET state = 'revoked', version = version + 1, updated_by = $3, \
             updated_at = $4 WHERE id = $1 AND school_id = $2",
        )
        .bind(&record_id)
        .bind(school_id)
        .bind(actor)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.credential(&Scope::School(school_id.to_owned()), credential_id)
            .await
    }

    /// The revoked entries of one status list of `school_id`, ascending by index: (index, when
    /// revoked, reason), what its published bitstring sets and its revocation notes say.
    pub async fn revocations(
        &self,
        school_id: &str,
        status_list: &str,
    ) -> Result<Vec<(i64, OffsetDateTime, Option<String>)>, StoreError> {
        let rows = sqlx::query(
            "SELECT status_index, revoked_at, revocation_reason FROM credentials \
             WHERE school_id = $1 AND status_list = $2 AND revoked_at IS NOT NULL \
             ORDER BY status_index",
        )
        .bind(school_id)
        .bind(status_list)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get("status_index")?,
                    time_at(row, "credentials.revoked_at", "revoked_at")?,
                    row.try_get("revocation_reason")?,
                ))
            })
            .collect()
    }

    /// The revoked indices of one status list of `school_id`, ascending: what its published
    /// bitstring sets.
    pub async fn revoked_indices(
        &self,
        school_id: &str,
        status_list: &str,
    ) -> Result<Vec<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT status_index FROM credentials WHERE school_id = $1 AND status_list = $2 \
             AND revoked_at IS NOT NULL ORDER BY status_index",
        )
        .bind(school_id)
        .bind(status_list)
        .fetch_all(&self.pool)
        .await?)
    }
}
