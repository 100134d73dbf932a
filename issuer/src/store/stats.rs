//! Counts for the operations centre: records by school and state (read at each scrape of
//! `GET /metrics`; no personal data, only school codes and counts), from `year_record_counts`
//! (one row per school and year, kept by triggers as records change: migration 9), so a
//! scrape reads a few rows per school whatever the number of records.

use sqlx::Row;

use super::{RecordState, Store, StoreError};

/// How many year records a school holds in one state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordCount {
    /// The school's code (public).
    pub school_code: String,
    /// The state; `None` for a school without any record (then `count` is 0).
    pub state: Option<RecordState>,
    /// How many.
    pub count: i64,
}

impl Store {
    /// Every school's records by state, schools without records included (one row with no
    /// state), in school code order.
    pub async fn record_counts(&self) -> Result<Vec<RecordCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.code AS code, CAST(COALESCE(SUM(c.draft), 0) AS BIGINT) AS draft, \
             CAST(COALESCE(SUM(c.validated), 0) AS BIGINT) AS validated, CAST(COALESCE(SUM(c.signed), 0) AS BIGINT) AS signed, \
             CAST(COALESCE(SUM(c.revoked), 0) AS BIGINT) AS revoked \
             FROM schools s LEFT JOIN year_record_counts c ON c.school_id = s.id \
             GROUP BY s.code ORDER BY s.code",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let code: String = row.try_get("code")?;
            let before = out.len();
            for state in [
                RecordState::Draft,
                RecordState::Validated,
                RecordState::Signed,
                RecordState::Revoked,
            ] {
                let n: i64 = row.try_get(state.as_str())?;
                if n > 0 {
                    out.push(RecordCount {
                        school_code: code.clone(),
                        state: Some(state),
                        count: n,
                    });
                }
            }
            if out.len() == before {
                out.push(RecordCount {
                    school_code: code,
                    state: None,
                    count: 0,
                });
            }
        }
        Ok(out)
    }
}
