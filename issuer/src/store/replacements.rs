//! The corrections of a status list's revoked entries: for each revoked credential that a
//! later credential replaces (`replaces`), that credential's id, which the published list
//! names in the entry's revocation note (`replacedBy`).

use sqlx::Row;

use super::{Store, StoreError};

impl Store {
    /// `(index, replacing credential id)` for the revoked entries of one status list of
    /// `school_id` that a credential replaces, ascending by index (the earliest replacement when
    /// there were several). Every step follows an index: the list's entries, the revoked
    /// record, the pupil's records of that year, their credentials.
    pub async fn replacements(
        &self,
        school_id: &str,
        status_list: &str,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.status_index, n.id FROM credentials c \
             JOIN year_records r ON r.id = c.record_id AND r.school_id = c.school_id \
             JOIN year_records l ON l.school_id = r.school_id AND l.pupil_id = r.pupil_id \
             AND l.school_year = r.school_year \
             JOIN credentials n ON n.record_id = l.id AND n.replaces = c.id \
             WHERE c.school_id = $1 AND c.status_list = $2 AND c.revoked_at IS NOT NULL \
             ORDER BY c.status_index, n.issued_at, n.id",
        )
        .bind(school_id)
        .bind(status_list)
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<(i64, String)> = Vec::with_capacity(rows.len());
        for row in &rows {
            let index: i64 = row.try_get("status_index")?;
            if out.last().is_some_and(|(i, _)| *i == index) {
                continue;
            }
            out.push((index, row.try_get("id")?));
        }
        Ok(out)
    }
}
