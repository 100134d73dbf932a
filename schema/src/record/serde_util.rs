//! Serde helpers shared by the record types.
//!
//! An optional field may be left out, but when it is written it must hold a value of the right
//! type: `null` is refused, exactly as the JSON Schema refuses it, so that the Rust parser and
//! the schema agree on what a record may contain.

use serde::{Deserialize, Deserializer};

/// Deserialize a present optional field: the value itself, never `null`.
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// `skip_serializing_if` for `bool` fields that default to `false`.
pub(crate) fn is_false(value: &bool) -> bool {
    !*value
}
