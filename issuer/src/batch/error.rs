//! Why a batch stopped (single records that fail are in the outcome instead).

use thiserror::Error;

use crate::store::StoreError;

/// A failure of the batch as a whole: the database could not hand out status entries.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum BatchError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
