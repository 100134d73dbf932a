//! The one input pipeline every door of the verifier uses — the `hocba-verify` command, the
//! pages and the bulk API — in three steps:
//!
//! 1. **read** the input once into an [`Input`] ([`read_input`]): credential JSON as given, the
//!    credential embedded in a PDF (inflated here, once), QR text, or the QR text decoded from
//!    a photo (decoded here, once). What a file is, the content decides (sniffed here only);
//! 2. **needs**: the trust material that input calls for ([`Input::needs`]: the status lists a
//!    credential names, the school of a QR summary), which an online verifier fetches;
//! 3. **check** it against that material at a given time ([`check_input`]), giving a
//!    [`Judged`] verdict.
//!
//! The checked value is the [`Input`], never the file again: nothing after step 1 sees PDF or
//! image bytes. Core code: no I/O, no clock, nothing printed.

use hocba_schema::qr::parse_qr_text;
use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;

use crate::pdf::{MAX_PDF_BYTES, extract_credential, is_pdf};
use crate::qr::{MAX_IMAGE_BYTES, SummaryVerdict, decode_qr_image};
use crate::{
    Verdict, VerifiedTrustList, VerifyError, VerifyOptions, verify_credential_with,
    verify_summary_with,
};

/// Where an [`Input`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Credential JSON given as such.
    Json,
    /// The credential embedded in a printed record's PDF.
    Pdf,
    /// QR text given as such (`…/V/<digits>` or the digits).
    QrText,
    /// QR text decoded from a PNG or JPEG photo or scan.
    QrPhoto,
}

/// An input read once: what is checked from here on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Credential JSON bytes (as given, or taken out of a PDF).
    Credential {
        /// The bytes.
        bytes: Vec<u8>,
        /// JSON or PDF.
        origin: Origin,
    },
    /// The text of a printed record's QR code (as given, or decoded from a photo).
    Qr {
        /// The text.
        text: String,
        /// QR text or photo.
        origin: Origin,
    },
}

/// The trust material an input calls for, besides the trust list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    /// Status-list URLs a credential names (`credentialStatus.statusListCredential`).
    pub status_list_urls: Vec<String>,
    /// The school code of a QR summary: its status lists are found through the school's
    /// index, since a summary names its index but not its list.
    pub school_codes: Vec<String>,
    /// The school code of a credential (`credentialSubject.school.code`, else the code in
    /// `issuer.id`): which province a federated verifier fetches for it.
    pub credential_schools: Vec<String>,
}

impl Needs {
    /// Add `other`'s needs, without repeating any.
    pub fn merge(&mut self, other: Needs) {
        for url in other.status_list_urls {
            if !self.status_list_urls.contains(&url) {
                self.status_list_urls.push(url);
            }
        }
        for code in other.school_codes {
            if !self.school_codes.contains(&code) {
                self.school_codes.push(code);
            }
        }
        for code in other.credential_schools {
            if !self.credential_schools.contains(&code) {
                self.credential_schools.push(code);
            }
        }
    }
}

/// A verdict of the pipeline.
#[derive(Debug, Clone)]
pub enum Judged {
    /// A credential's verdict.
    Credential(Box<Verdict>),
    /// A QR summary's verdict (with revocation when the options held the school's lists).
    Summary(Box<SummaryVerdict>),
}

/// Whether `bytes` are a PNG or JPEG image.
pub fn is_image(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x89PNG\r\n\x1a\n") || bytes.starts_with(&[0xFF, 0xD8, 0xFF])
}

/// Step 1: read `bytes` once. The content decides: a PDF (`%PDF-` header) gives its embedded
/// credential, a PNG/JPEG the text of its QR code, anything else is taken as credential JSON
/// (parsed when checked). `claims_pdf`: the sender said it is a PDF (name or media type);
/// then bytes that are not one are refused ([`VerifyError::NotAPdf`]).
pub fn read_input(bytes: Vec<u8>, claims_pdf: bool) -> Result<Input, VerifyError> {
    if is_pdf(&bytes) {
        if bytes.len() > MAX_PDF_BYTES {
            return Err(too_large("PDF", bytes.len(), MAX_PDF_BYTES));
        }
        let json = extract_credential(&bytes)?;
        return Ok(Input::Credential {
            bytes: json,
            origin: Origin::Pdf,
        });
    }
    if claims_pdf {
        return Err(VerifyError::NotAPdf);
    }
    if is_image(&bytes) {
        if bytes.len() > MAX_IMAGE_BYTES {
            return Err(too_large("image", bytes.len(), MAX_IMAGE_BYTES));
        }
        let text = decode_qr_image(&bytes)?;
        return Ok(Input::Qr {
            text,
            origin: Origin::QrPhoto,
        });
    }
    Ok(Input::Credential {
        bytes,
        origin: Origin::Json,
    })
}

fn too_large(what: &'static str, size: usize, limit: usize) -> VerifyError {
    VerifyError::TooLarge { what, size, limit }
}

/// Only the status entry and the school of a credential (the rest skipped).
#[derive(Deserialize)]
struct StatusOnly {
    #[serde(rename = "credentialStatus", default)]
    credential_status: Option<Value>,
    #[serde(default)]
    issuer: Option<Value>,
    #[serde(rename = "credentialSubject", default)]
    subject: Option<Value>,
}

impl StatusOnly {
    /// `credentialSubject.school.code`, else the code in `issuer.id` (`urn:hocba:school:<code>`).
    fn school_code(&self) -> Option<String> {
        let from_subject = self
            .subject
            .as_ref()
            .and_then(|s| s.pointer("/school/code"))
            .and_then(Value::as_str);
        let from_issuer = || {
            self.issuer
                .as_ref()
                .and_then(|i| i.get("id"))
                .and_then(Value::as_str)
                .and_then(|id| id.strip_prefix("urn:hocba:school:"))
        };
        from_subject.or_else(from_issuer).map(str::to_owned)
    }
}

impl Input {
    /// Credential JSON given as such.
    pub fn credential(bytes: Vec<u8>) -> Self {
        Input::Credential {
            bytes,
            origin: Origin::Json,
        }
    }

    /// QR text given as such.
    pub fn qr(text: String) -> Self {
        Input::Qr {
            text,
            origin: Origin::QrText,
        }
    }

    /// Where the input came from.
    pub fn origin(&self) -> Origin {
        match self {
            Input::Credential { origin, .. } | Input::Qr { origin, .. } => *origin,
        }
    }

    /// Step 2: the trust material this input needs (read leniently: an input that cannot be
    /// read needs nothing, and its check says why).
    pub fn needs(&self) -> Needs {
        match self {
            Input::Credential { bytes, .. } => {
                let read = serde_json::from_slice::<StatusOnly>(bytes).ok();
                let mut urls = read
                    .as_ref()
                    .and_then(|r| r.credential_status.as_ref())
                    .map(status_list_urls_of)
                    .unwrap_or_default();
                urls.dedup();
                Needs {
                    status_list_urls: urls,
                    school_codes: Vec::new(),
                    credential_schools: read.and_then(|r| r.school_code()).into_iter().collect(),
                }
            }
            Input::Qr { text, .. } => Needs {
                status_list_urls: Vec::new(),
                school_codes: parse_qr_text(text)
                    .map(|signed| vec![signed.summary().school_code.clone()])
                    .unwrap_or_default(),
                credential_schools: Vec::new(),
            },
        }
    }
}

/// The `statusListCredential` URLs of a `credentialStatus` value (one entry or an array).
pub fn status_list_urls_of(status: &Value) -> Vec<String> {
    let one = |s: &Value| {
        s.get("statusListCredential")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    match status {
        Value::Array(entries) => entries.iter().filter_map(one).collect(),
        entry => one(entry).into_iter().collect(),
    }
}

/// Step 3: check `input` against `trust` (and the status lists of `options`) at `now`. A QR
/// summary is checked for revocation at its index when `options` holds its school's lists.
pub fn check_input(
    input: &Input,
    trust: &VerifiedTrustList,
    now: OffsetDateTime,
    options: &VerifyOptions,
) -> Result<Judged, VerifyError> {
    match input {
        Input::Credential { bytes, .. } => {
            verify_credential_with(bytes, trust, now, options).map(|v| Judged::Credential(v.into()))
        }
        Input::Qr { text, .. } => {
            let verdict = verify_summary_with(text, trust, now, options)?;
            let status = match (
                verdict.verified(),
                verdict.info().status_index,
                &options.status_lists,
            ) {
                (Some(v), Some(index), Some(lists)) => lists.summary_status(
                    &v.school().id,
                    index,
                    trust,
                    now,
                    options.max_status_list_age,
                ),
                _ => None,
            };
            Ok(Judged::Summary(Box::new(match status {
                Some(check) => verdict.with_status(check),
                None => verdict,
            })))
        }
    }
}
