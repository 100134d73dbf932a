//! The one error type of the issuer library.

use std::path::PathBuf;

use hocba_schema::SchemaError;
use hocba_schema::validation::ValidationReport;
use thiserror::Error;

/// Why the issuer could not do what was asked.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum IssuerError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A private key file that other users can read is refused.
    #[error(
        "{path}: private key file is readable by other users (mode {mode:o}); run `chmod 600 {path}`"
    )]
    KeyFileTooOpen {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// A key file is not PKCS#8 PEM with an Ed25519 key.
    #[error("{path}: not an Ed25519 PKCS#8 PEM private key ({problem})")]
    BadKeyFile {
        /// The key file.
        path: PathBuf,
        /// What the parser said (never the key itself).
        problem: String,
    },
    /// A PDF signature (PAdES) or its certificates could not be made or read.
    #[error("PDF signature: {problem}")]
    PdfSignature {
        /// What went wrong (never a key or a PIN).
        problem: String,
    },
    /// A `pkcs11:` URI that cannot be used: the attribute, the rule and what to do (never a
    /// PIN: a URI with `pin-value` is not echoed).
    #[error("PKCS#11 URI {uri}: {problem}")]
    TokenUri {
        /// The URI (or `pkcs11:…` when it held a PIN).
        uri: String,
        /// What is wrong.
        problem: String,
    },
    /// The token refused its PIN (wrong, locked, expired): nothing was signed.
    #[error("token {token}: {problem}")]
    TokenPin {
        /// The token's label.
        token: String,
        /// What happened and what to do.
        problem: String,
    },
    /// The principal's PIN of a signing request: missing where the principal's key is on a
    /// token, wrong, locked, or the token busy with another batch. Nothing was signed. The
    /// messages never hold the PIN.
    #[error("{message_en}")]
    PrincipalPin {
        /// `principal-pin-required`, `principal-pin-wrong`, `principal-pin-locked`,
        /// `principal-pin-not-used` or `principal-token-busy`.
        code: &'static str,
        /// What happened and what to do, in Vietnamese.
        message_vi: String,
        /// The same in English.
        message_en: String,
    },
    /// A PKCS#11 token could not be used (not found, removed, a key missing or refused).
    #[error("token {token}: {problem}")]
    Token {
        /// The token's label.
        token: String,
        /// What happened and what to do.
        problem: String,
    },
    /// The operating system gave no randomness.
    #[error("no randomness from the operating system: {0}")]
    Random(String),
    /// The record did not pass validation; every problem is in the report.
    #[error("the record is not valid:\n{0}")]
    InvalidRecord(Box<ValidationReport>),
    /// The record has warnings of a kind the school must confirm, and they were not accepted.
    #[error(
        "the record has warnings the school must confirm (fix the record, or confirm them with --accept-warnings, acceptWarnings: true in the API, or the page's \"Accept the warnings\" box):\n{0}"
    )]
    UnacceptedWarnings(Box<ValidationReport>),
    /// The key is registered for another school than the record's.
    #[error("the key belongs to school {key_school} but the record is for school {record_school}")]
    KeyOfAnotherSchool {
        /// School code the key is registered for.
        key_school: String,
        /// School code in the record.
        record_school: String,
    },
    /// A school description file is wrong.
    #[error("{path}: {problem}")]
    Description {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the field.
        problem: String,
    },
    /// The document could not be put into signable form.
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// A school has no key that may sign (see [`crate::app::keyring`]): one error for the
    /// school, naming why and what to do.
    #[error(
        "trường {school}: không có khóa ký dùng được / school {school} has no usable signing key \
         ({dir}): {problem}"
    )]
    NoUsableKey {
        /// The school code.
        school: String,
        /// The key directory searched (or `--key`).
        dir: PathBuf,
        /// Why, and what to do.
        problem: String,
    },
    /// A credential is not signed by a key the trust list knows.
    #[error("the credential cannot be re-rendered: {problem}")]
    NotSigned {
        /// What is wrong.
        problem: String,
    },
    /// The store failed or refused (not found, conflict, stale version…).
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// Nothing validated to sign in the scope asked for: how many drafts wait for validation.
    #[error(
        "không có hồ sơ nào đã duyệt để ký ({scope_vi}): {drafts} hồ sơ nháp đang chờ duyệt / \
         nothing validated to sign ({scope_en}): {drafts} draft(s) wait for validation"
    )]
    NothingToSign {
        /// Where (Vietnamese): the class and year, or the records named.
        scope_vi: String,
        /// Where (English).
        scope_en: String,
        /// Drafts in that scope, waiting for validation.
        drafts: usize,
    },
    /// An `Idempotency-Key` reused for another request, or after what it covered changed.
    #[error("Idempotency-Key {key:?}: {problem}")]
    IdempotencyConflict {
        /// The key.
        key: String,
        /// What changed, and what to do.
        problem: String,
    },
    /// A file could not be imported as a whole (unreadable, or over an import limit).
    #[error(transparent)]
    Import(#[from] crate::import::ImportError),
    /// A record refused by the rules or by the import's own checks (school, date, a field that
    /// cannot change): every problem.
    #[error("the record is refused:\n{report}")]
    RecordRefused {
        /// What the rules found.
        report: Box<ValidationReport>,
        /// What the import's own checks found.
        refusals: Vec<crate::app::import::Refusal>,
    },
    /// A revocation reason that breaks the status list's rule (it is published).
    #[error(
        "lý do thu hồi / revocation reason: {message_vi} / {message_en} (rule {rule}, {chars} characters given)"
    )]
    RevocationReason {
        /// The rule's code.
        rule: &'static str,
        /// In Vietnamese.
        message_vi: String,
        /// In English.
        message_en: String,
        /// How long the reason given is.
        chars: usize,
        /// The reason given.
        reason: String,
    },
    /// A value of the request breaks a rule: the field, the rule, the value, what to do.
    #[error("{}: {} / {}", .0.pointer, .0.message_vi, .0.message_en)]
    Invalid(Box<crate::app::import::Refusal>),
    /// The caller's role may not do this (`action` names what was refused).
    #[error("not allowed for this role: {action}")]
    Forbidden {
        /// What was refused, e.g. `create-account`.
        action: &'static str,
    },
    /// Something that is not about the input failed (a task, a serialisation).
    #[error("internal error: {0}")]
    Internal(String),
}
