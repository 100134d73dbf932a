//! The crate's one error type: input that could not be checked at all.
//!
//! A credential that *was* checked and found wanting is not an error: it is a
//! [`Verdict`](crate::Verdict) whose result is `Invalid`. Errors are for bytes that are not
//! JSON, too large, not an object, an authority key that cannot be read, and a trust list that
//! the pinned authority does not vouch for (see [`VerifyError::TrustListRejected`]), and — in
//! the I/O layer ([`crate::online`]) — trust material that could not be fetched or did not
//! verify (`BadBaseUrl`, `Fetch`, `FetchedRejected`, `StatusListRejected`, `NoTrustList`).

use thiserror::Error;

use crate::reason::Reason;

/// Why something could not be checked. Each variant names what was being read and the
/// offending value or limit.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The input is larger than the limit for its kind (checked before parsing).
    #[error("the {what} is {size} bytes; the limit is {limit} bytes")]
    TooLarge {
        /// What was being read: `credential` or `trust list`.
        what: &'static str,
        /// Its size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The input is not JSON, has a member name twice in one object, or nests deeper than
    /// the parser allows (128 levels).
    #[error("the {what} is not valid JSON (line {line}, column {column}): {problem}")]
    NotJson {
        /// What was being read.
        what: &'static str,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// The parser's description.
        problem: String,
    },
    /// The input is JSON but not a JSON object.
    #[error("the {what} must be a JSON object, found {found}")]
    NotAnObject {
        /// What was being read.
        what: &'static str,
        /// The JSON type found: `array`, `string`, `number`, `boolean` or `null`.
        found: &'static str,
    },
    /// The authority public key could not be read (not SPKI PEM, not a `z6Mk…` Multikey, a
    /// private key, or a weak key).
    #[error("authority key: {problem}")]
    AuthorityKey {
        /// What is wrong, naming the value where it helps.
        problem: String,
    },
    /// The QR text is not a readable signed summary (truncated, corrupted, too long, not a
    /// verification link).
    #[error("QR code: {0}")]
    QrPayload(hocba_schema::qr::QrError),
    /// The image could not be read, is too large, or holds no readable QR code.
    #[error("image: {problem}")]
    Image {
        /// What is wrong.
        problem: String,
    },
    /// The sender said the file is a PDF (its name or media type) but it does not start like
    /// one.
    #[error("the file is named or typed as a PDF but does not start like one (no %PDF- header)")]
    NotAPdf,
    /// The PDF could not be read or carries no embedded `hocba-credential.json`.
    #[error("PDF: {problem}")]
    Pdf {
        /// What is wrong.
        problem: String,
    },
    /// The PDF carries more than one embedded credential (`hocba-credential.json` twice, or
    /// another embedded file that is a credential): which one the paper stands for is not
    /// clear, so none is judged.
    #[error(
        "PDF: the file carries {count} embedded credentials ({}); a printed học bạ carries \
         exactly one, so none is checked — tệp PDF chứa {count} hồ sơ số đính kèm, trong khi \
         học bạ chỉ có một: không kiểm tra tệp này",
        .names.join(", ")
    )]
    PdfManyCredentials {
        /// How many.
        count: usize,
        /// Their file names in the PDF, in order.
        names: Vec<String>,
    },
    /// The offline trust bundle is not a `HocBaTrustBundle` of the expected shape.
    #[error("trust bundle: {problem}")]
    Bundle {
        /// What is wrong, naming the member.
        problem: String,
    },
    /// The trust list was read, but the pinned authority does not vouch for it: bad
    /// signature, another key, no proof, or signed content that is not a trust list. Nothing
    /// can be checked against it; [`Verdict::untrusted_trust_list`](crate::Verdict::untrusted_trust_list)
    /// turns it into a not-valid verdict for display.
    #[error("trust list rejected ({reason}): {detail}")]
    TrustListRejected {
        /// One of the `TrustList*` reasons.
        reason: Reason,
        /// The technical detail (field, value).
        detail: String,
    },
    /// Online trust material (`--online URL`): the issuer URL is not
    /// `http://host[:port][/path]`.
    #[error("the issuer URL {url:?} is not usable: {problem}")]
    BadBaseUrl {
        /// The URL given.
        url: String,
        /// What is wrong.
        problem: String,
    },
    /// Online trust material: a request failed (connection refused, timeout, bad answer, body
    /// too large).
    #[error("fetching {url}: {problem}")]
    Fetch {
        /// The URL.
        url: String,
        /// What went wrong.
        problem: String,
    },
    /// Online trust material: the fetched trust list did not verify.
    #[error("{url} did not verify: {source}")]
    FetchedRejected {
        /// The URL.
        url: String,
        /// Why.
        source: Box<VerifyError>,
    },
    /// Online trust material: a fetched status list did not verify (reason code and detail).
    #[error("{url} did not verify ({code}): {detail}")]
    StatusListRejected {
        /// The URL.
        url: String,
        /// The reason code.
        code: &'static str,
        /// The detail.
        detail: String,
    },
    /// Online trust material: no verified trust list is available (never fetched, and none
    /// in the cache).
    #[error("no verified trust list is available from {base} (not fetched yet and not cached)")]
    NoTrustList {
        /// The issuer base URL.
        base: String,
    },
    /// The trust list offered is an older version than one this verifier has already seen
    /// (a rollback: the older version may still list a key that was since marked
    /// compromised). See [`crate::seen`].
    #[error(
        "trust list {id} version {version} is older than version {seen} already seen by this \
         verifier; get the current trust list or bundle / danh sách tin cậy phiên bản {version} \
         cũ hơn phiên bản {seen} đã dùng; hãy tải bản mới"
    )]
    TrustListRolledBack {
        /// The trust list's id.
        id: String,
        /// The version offered.
        version: u64,
        /// The highest version seen before.
        seen: u64,
    },
}

impl VerifyError {
    /// When the trust list itself was rejected, its reason and detail. Callers that show a
    /// verdict (the CLI exits 1) tell this apart from unreadable input (exit 2).
    pub fn trust_list_rejection(&self) -> Option<(Reason, &str)> {
        match self {
            VerifyError::TrustListRejected { reason, detail } => Some((*reason, detail)),
            _ => None,
        }
    }
}

impl From<hocba_schema::qr::QrError> for VerifyError {
    fn from(e: hocba_schema::qr::QrError) -> Self {
        VerifyError::QrPayload(e)
    }
}
