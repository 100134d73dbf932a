//! PAdES-signed PDFs kept as made (`signed_pdfs`, migration 0011): a credential whose
//! principal signed with a key on a token has its PDF made once, by the batch that had the
//! principal's PIN, and handed out as stored afterwards. A PDF is stored once; storing it
//! again keeps the first.

use sha2::{Digest, Sha256};
use sqlx::Row;
use time::OffsetDateTime;

use super::timestamp::to_text;
use super::{Store, StoreError};

impl Store {
    /// Keeps `pdf` as the signed PDF of credential `credential_id` of `school_id` (the first
    /// one stays when there is one already).
    pub async fn put_signed_pdf(
        &self,
        school_id: &str,
        credential_id: &str,
        pdf: &[u8],
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO signed_pdfs (credential_id, school_id, pdf, sha256, created_at) \
             SELECT id, school_id, $3, $4, $5 FROM credentials WHERE id = $1 AND school_id = $2 \
             ON CONFLICT (credential_id) DO NOTHING",
        )
        .bind(credential_id)
        .bind(school_id)
        .bind(pdf.to_vec())
        .bind(sha256_hex(pdf))
        .bind(to_text(now)?)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The signed PDF of credential `credential_id` of `school_id`, if one was stored.
    pub async fn signed_pdf(
        &self,
        school_id: &str,
        credential_id: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let row =
            sqlx::query("SELECT pdf FROM signed_pdfs WHERE credential_id = $1 AND school_id = $2")
                .bind(credential_id)
                .bind(school_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(match row {
            Some(row) => Some(row.try_get::<Vec<u8>, _>("pdf")?),
            None => None,
        })
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
