//! Who the school's pupils are, as their stored records say: for each record, the key its
//! pupil is stored under and the MOET student code the record gives. The pupil identity rule
//! (`app/pupil.rs`) reads it once per import to recognise a pupil whichever of the two numbers
//! a file gives, and to refuse rows where the two disagree with what is stored.

use sqlx::Row;

use super::{Store, StoreError};

impl Store {
    /// `(pupil key, MOET student code)` of every stored record of `school_id` (one pair per
    /// record; records without a readable student code are left out).
    pub async fn pupil_identities(
        &self,
        school_id: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        #[derive(serde::Deserialize)]
        struct Student {
            #[serde(rename = "studentCode")]
            student_code: String,
        }
        #[derive(serde::Deserialize)]
        struct Record {
            student: Student,
        }
        let rows = sqlx::query(
            "SELECT p.pupil_key, r.record_json FROM pupils p \
             JOIN year_records r ON r.pupil_id = p.id WHERE p.school_id = $1",
        )
        .bind(school_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let key: String = row.try_get("pupil_key")?;
            let json: String = row.try_get("record_json")?;
            if let Ok(record) = serde_json::from_str::<Record>(&json) {
                out.push((key, record.student.student_code));
            }
        }
        Ok(out)
    }
}
