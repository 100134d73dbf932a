//! The QR code of a printed học bạ: a compact **signed summary** of one record (pupil, school,
//! year, grade, class, overall results, credential id, status index, SHA-256 of the full
//! credential) signed by the school's Ed25519 key, written as a URL the verifier page opens.
//! The full format, with a worked example, is in `schema/docs/qr.md`.
//!
//! * [`summary`] — the [`Summary`] fields and their binary layout (version byte, fixed order,
//!   varints, length-prefixed NFC strings, one-byte enums) and the signing input
//!   ([`SIGNING_PREFIX`] ‖ body).
//! * [`digits`] — the bytes as decimal digits (QR numeric mode, URL-safe).
//! * [`text`] — the URL `<verifier base>/V/<digits>` and its bounded parser.
//!
//! Like the rest of the crate this module does no I/O and never signs or decides: the issuer
//! signs [`Summary::signing_input`], the verifier checks it against the trust list.

pub mod digits;
pub mod summary;
pub mod text;

pub use summary::{
    Completion, Decision, LevelSummary, MAX_OTHER_AWARDS, SIGNING_PREFIX, SUMMER_VERSION,
    SignedSummary, Summary, SummerSummary, VERSION, VERSIONS_READ, credential_sha256,
};
pub use text::{MAX_QR_TEXT_BYTES, parse_qr_text, qr_text};

use thiserror::Error;

/// Why a QR payload or summary could not be read or written. Every variant names the field,
/// position or limit involved.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum QrError {
    /// The scanned text is longer than [`MAX_QR_TEXT_BYTES`] (checked before any decoding).
    #[error("the QR text is {bytes} bytes; the limit is {limit} bytes")]
    TooLong {
        /// Its length in bytes.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// The scanned text is empty.
    #[error("the QR text is empty")]
    Empty,
    /// The text is a URL but not `<base>/v/<digits>`.
    #[error("not a học bạ verification link (expected …/v/<digits>): {found:?}")]
    NotAVerifyLink {
        /// The start of the text.
        found: String,
    },
    /// A character of the payload is not an ASCII digit.
    #[error("payload character {position} is {found:?}, not a digit 0-9")]
    NotDigits {
        /// 0-based byte position in the payload.
        position: usize,
        /// The character found.
        found: char,
    },
    /// The number of digits is not one that some byte string encodes (truncated or padded).
    #[error("the payload has {digits} digits, which no byte string encodes (truncated?)")]
    DigitCount {
        /// The number of digits.
        digits: usize,
    },
    /// A group of digits is larger than its byte count allows (corrupted).
    #[error("digit group {group} is out of range (corrupted payload)")]
    DigitGroupOutOfRange {
        /// 0-based index of the 17-digit group.
        group: usize,
    },
    /// The first byte is not a known format version.
    #[error(
        "summary format version {found} is not supported (this verifier reads versions 1 to {supported})"
    )]
    UnknownVersion {
        /// The version byte found.
        found: u8,
        /// The highest version this code reads.
        supported: u8,
    },
    /// The bytes end inside a field.
    #[error("the summary is truncated: it ends inside `{field}` at byte {at}")]
    Truncated {
        /// The field being read.
        field: &'static str,
        /// Byte offset where it started.
        at: usize,
    },
    /// Bytes are left after the signature.
    #[error("{count} unexpected bytes after the signature")]
    TrailingBytes {
        /// How many.
        count: usize,
    },
    /// A varint is longer than 10 bytes, overflows 64 bits or is not in its shortest form.
    #[error("`{field}`: malformed varint at byte {at}")]
    BadVarint {
        /// The field.
        field: &'static str,
        /// Byte offset.
        at: usize,
    },
    /// A text field is not UTF-8, not NFC or too long.
    #[error("`{field}`: {problem}")]
    BadText {
        /// The field.
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// A field holds a value outside its range (an unknown enum code, grade 13, …).
    #[error("`{field}`: value {value} is not allowed")]
    BadValue {
        /// The field.
        field: &'static str,
        /// The value found.
        value: u64,
    },
    /// The summary is larger than [`summary::MAX_SUMMARY_BYTES`].
    #[error("the summary is {bytes} bytes; the limit is {limit} bytes")]
    SummaryTooLarge {
        /// Its size.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// The credential a summary is made from lacks a field or has it in the wrong shape.
    #[error("credential `{field}`: {problem}")]
    Credential {
        /// JSON path of the field.
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// The verifier base URL cannot carry a payload.
    #[error("verifier URL {url:?}: {problem}")]
    BaseUrl {
        /// The URL given.
        url: String,
        /// What is wrong.
        problem: &'static str,
    },
}
