//! A school of the trust list becomes a school of the store: one rule for `serve` (the
//! schools of its key directory) and `hocba-issuer issue` (the schools of its file). A school
//! already registered is left as it is; two processes registering it at once end with one.

use hocba_schema::trust_list::TrustedSchool;
use time::OffsetDateTime;

use crate::store::{School, Store, StoreError};

/// The store's school for `school`, registered now when new: `(school, whether it was added)`.
pub async fn register_school(
    store: &Store,
    school: &TrustedSchool,
    now: OffsetDateTime,
) -> Result<(School, bool), StoreError> {
    match store.school_by_code(&school.code).await {
        Ok(found) => return Ok((found, false)),
        Err(StoreError::NotFound { .. }) => {}
        Err(e) => return Err(e),
    }
    match store
        .create_school(&super::school_keys::new_school(school), now)
        .await
    {
        Ok(created) => Ok((created, true)),
        // Another process registered it in between.
        Err(StoreError::Conflict { .. }) => Ok((store.school_by_code(&school.code).await?, false)),
        Err(e) => Err(e),
    }
}
