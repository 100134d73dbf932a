//! The one error type of this crate: input that cannot be read as the format requires.

use thiserror::Error;

/// Why a document, key or encoding could not be used. Each variant names the offending field
/// or value so that a person can find it.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SchemaError {
    /// The bytes are not JSON, or JSON nested deeper than the parser allows.
    #[error("not valid JSON: {0}")]
    Json(String),
    /// A field is missing or has the wrong JSON type.
    #[error("field `{field}`: {problem}")]
    Field {
        /// JSON pointer or name of the field.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A number in signed JSON lies outside ±(2^53−1) or is not finite (RFC 8785 / I-JSON).
    #[error("number at `{pointer}` is outside ±(2^53−1): {value}")]
    NumberOutOfRange {
        /// Where the number is.
        pointer: String,
        /// The number as written.
        value: String,
    },
    /// Signed text must be in Unicode Normalization Form C.
    #[error("text at `{pointer}` is not NFC-normalised: {value:?}")]
    NotNfc {
        /// Where the string is.
        pointer: String,
        /// The string.
        value: String,
    },
    /// A multibase string has the wrong prefix or does not decode.
    #[error("`{field}`: {problem} (value {value:?})")]
    Encoding {
        /// The field that carries the encoded value.
        field: &'static str,
        /// What is wrong.
        problem: String,
        /// The encoded value as given (truncated when long).
        value: String,
    },
    /// A Multikey whose multicodec header is not Ed25519 (0xed 0x01).
    #[error(
        "`publicKeyMultibase` is not an Ed25519 Multikey: header {header:02x?} (expected [ed, 01])"
    )]
    NotEd25519Multikey {
        /// The first two bytes found.
        header: Vec<u8>,
    },
    /// Canonicalisation (JCS) failed.
    #[error("JCS canonicalisation failed: {0}")]
    Canonicalize(String),
}

/// Shorten a value for an error message so that a 50 MB field does not land in a log.
pub(crate) fn shorten(value: &str) -> String {
    const MAX: usize = 80;
    if value.chars().count() <= MAX {
        value.to_owned()
    } else {
        let mut s: String = value.chars().take(MAX).collect();
        s.push('…');
        s
    }
}
