//! One item of a verification request — credential JSON, scanned QR text, or an uploaded file
//! (PDF, credential JSON, PNG/JPEG photo of the QR) — put through the [`crate::pipeline`]
//! (read once: [`read_items`]; what it needs: [`needs_of`]; checked: [`check_all`]) and
//! reported in the API's shape. No I/O here: the trust material and `now` are arguments;
//! [`check_all`] spreads a batch over the CPU cores, and each core checks its credentials'
//! signatures in one batch ([`check_part`]).
//!
//! A PDF's own signatures (PAdES) are the one thing checked on the file as sent rather than on
//! the read [`Input`]: the bytes of each PDF item are kept aside ([`pdf_copies`]) and, once its
//! credential is judged, checked with the seal the trust list binds to the credential's school
//! ([`check_pdfs`]); [`ItemReport::with_pdf`] reports them and fails a PDF whose signatures fail.

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::normalise::NormalisedRecord;
use crate::online::Material;
use crate::pdf::signatures::{PdfSignatures, PdfStatus, check_record_pdf};
use crate::pdf::{MAX_PDF_BYTES, is_pdf};
use crate::pipeline::{Input, Judged, Needs, check_input, read_input};
use crate::qr::{SummaryInfo, SummaryVerdict};
use crate::reason::Message;
use crate::verdict::SchoolInfo;
use crate::{
    Check, Reason, Verdict, VerdictResult, VerifiedTrustList, VerifyError, VerifyOptions,
    verify_credentials_batch,
};

/// Something to verify.
#[derive(Debug, Clone)]
pub enum Item {
    /// Credential JSON bytes, as received.
    Credential(Vec<u8>),
    /// Text scanned from a printed record's QR code (`…/V/<digits>` or the digits).
    Qr(String),
    /// An uploaded file: the content decides what it is (PDF, PNG/JPEG photo, else JSON).
    File {
        /// The file name sent, if any.
        name: Option<String>,
        /// Whether the client said it is a PDF (name `*.pdf` or type `application/pdf`).
        claims_pdf: bool,
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// An item that could not even be taken apart (the request said why).
    Malformed {
        /// Stable code.
        code: &'static str,
        /// What is wrong.
        detail: String,
    },
}

/// What checking one item gave.
#[derive(Debug, Clone)]
pub enum Checked {
    /// A credential's verdict.
    Credential(Box<Verdict>),
    /// A QR summary's verdict.
    Summary(Box<SummaryVerdict>),
    /// Could not be checked at all (unreadable input).
    Error {
        /// Stable code (`not_json`, `not_a_pdf`, `pdf_unreadable`, `pdf_many_credentials`,
        /// `qr_unreadable`, `too_large`, `item_malformed`, `timeout`, …).
        code: &'static str,
        /// What is wrong.
        detail: String,
    },
}

/// Step 1 of the [`crate::pipeline`] for one item: read it once (a PDF inflated, a photo
/// decoded here and nowhere else); what cannot be read is already its answer.
pub fn read_item(item: Item) -> Result<Input, Checked> {
    match item {
        Item::Credential(bytes) => Ok(Input::credential(bytes)),
        Item::Qr(text) => Ok(Input::qr(text)),
        Item::File {
            bytes, claims_pdf, ..
        } => read_input(bytes, claims_pdf).map_err(|e| error_of(&e)),
        Item::Malformed { code, detail } => Err(Checked::Error { code, detail }),
    }
}

/// Read every item once ([`read_item`]).
pub fn read_items(items: Vec<Item>) -> Vec<Result<Input, Checked>> {
    items.into_iter().map(read_item).collect()
}

/// What every read input needs (step 2 of the [`crate::pipeline`]).
pub fn needs_of(read: &[Result<Input, Checked>]) -> Needs {
    let mut needs = Needs::default();
    for input in read.iter().flatten() {
        needs.merge(input.needs());
    }
    needs
}

/// Check one item against `material` at `now` (`options` without status lists: the
/// material's are added).
pub fn verify_item(
    item: &Item,
    material: &Material,
    now: OffsetDateTime,
    options: &VerifyOptions,
) -> Checked {
    check_read(&read_item(item.clone()), material, now, options)
}

/// Check one read input (step 3 of the [`crate::pipeline`]).
pub fn check_read(
    read: &Result<Input, Checked>,
    material: &Material,
    now: OffsetDateTime,
    options: &VerifyOptions,
) -> Checked {
    let input = match read {
        Ok(input) => input,
        Err(checked) => return checked.clone(),
    };
    let options = options
        .clone()
        .with_status_lists(std::sync::Arc::clone(&material.status_lists));
    match check_input(input, &material.trust, now, &options) {
        Ok(Judged::Credential(v)) => Checked::Credential(v),
        Ok(Judged::Summary(v)) => Checked::Summary(v),
        Err(e) if matches!(input, Input::Qr { .. }) => Checked::Error {
            code: "qr_unreadable",
            detail: e.to_string(),
        },
        Err(e) => error_of(&e),
    }
}

/// Check `items` on this thread: the credential JSON items together
/// ([`verify_credentials_batch`]: their signatures in one batch, the same verdicts), the
/// others one by one (results in the items' order).
pub fn verify_part(
    items: &[Item],
    material: &Material,
    now: OffsetDateTime,
    options: &VerifyOptions,
) -> Vec<Checked> {
    check_part(&read_items(items.to_vec()), material, now, options)
}

/// [`verify_part`] for inputs read already.
pub fn check_part(
    read: &[Result<Input, Checked>],
    material: &Material,
    now: OffsetDateTime,
    options: &VerifyOptions,
) -> Vec<Checked> {
    let credentials: Vec<&[u8]> = read
        .iter()
        .filter_map(|r| match r {
            Ok(Input::Credential { bytes, .. }) => Some(&bytes[..]),
            _ => None,
        })
        .collect();
    if credentials.len() < 2 {
        return read
            .iter()
            .map(|r| check_read(r, material, now, options))
            .collect();
    }
    let options_with_lists = options
        .clone()
        .with_status_lists(std::sync::Arc::clone(&material.status_lists));
    let mut verdicts =
        verify_credentials_batch(&credentials, &material.trust, &options_with_lists, now)
            .into_iter();
    read.iter()
        .map(|r| match r {
            Ok(Input::Credential { .. }) => match verdicts.next() {
                Some(Ok(v)) => Checked::Credential(Box::new(v)),
                Some(Err(e)) => error_of(&e),
                None => check_read(r, material, now, options),
            },
            other => check_read(other, material, now, options),
        })
        .collect()
}

/// Check every item, spread over up to `threads` threads, each part with [`verify_part`]
/// (results in the items' order).
pub fn verify_all(
    items: &[Item],
    material: &Material,
    now: OffsetDateTime,
    options: &VerifyOptions,
    threads: usize,
) -> Vec<Checked> {
    check_all(&read_items(items.to_vec()), material, now, options, threads)
}

/// [`verify_all`] for inputs read already: spread over up to `threads` threads, each part with
/// [`check_part`] (results in the inputs' order).
pub fn check_all(
    read: &[Result<Input, Checked>],
    material: &Material,
    now: OffsetDateTime,
    options: &VerifyOptions,
    threads: usize,
) -> Vec<Checked> {
    let threads = threads.clamp(1, read.len().max(1));
    if threads == 1 {
        return check_part(read, material, now, options);
    }
    let chunk = read.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = read
            .chunks(chunk)
            .map(|part| {
                let handle = scope.spawn(move || check_part(part, material, now, options));
                (part.len(), handle)
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|(len, h)| {
                h.join().unwrap_or_else(|_| {
                    vec![
                        Checked::Error {
                            code: "internal",
                            detail: "verification thread failed".into(),
                        };
                        len
                    ]
                })
            })
            .collect()
    })
}

/// A copy of the bytes of each item that is a PDF (reading an item takes it apart, and a PDF's
/// own signatures are checked on the file as sent), `None` for the others.
pub fn pdf_copies(items: &[Item]) -> Vec<Option<Vec<u8>>> {
    items
        .iter()
        .map(|item| match item {
            Item::File { bytes, .. } if is_pdf(bytes) && bytes.len() <= MAX_PDF_BYTES => {
                Some(bytes.clone())
            }
            _ => None,
        })
        .collect()
}

/// The own signatures (PAdES) of each PDF of `pdfs` whose credential was checked (`checked`,
/// in the same order): the seal against the certificate `list` binds to the credential's
/// school, the chains against `root` (DER). Signatures that cannot be read at all are an
/// invalid report ([`PdfSignatures::unreadable`]).
pub fn check_pdfs(
    pdfs: &[Option<Vec<u8>>],
    checked: &[Checked],
    list: &VerifiedTrustList,
    root: Option<&[u8]>,
    now: OffsetDateTime,
) -> Vec<Option<PdfSignatures>> {
    checked
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let pdf = pdfs.get(i)?.as_deref()?;
            let Checked::Credential(v) = c else {
                return None;
            };
            let s = v.subject();
            let issuer = s
                .school
                .as_ref()
                .map(|school| school.id.as_str())
                .or(s.issuer.as_ref().map(|issuer| issuer.id.as_str()));
            Some(
                check_record_pdf(pdf, issuer, list, root, now)
                    .unwrap_or_else(|e| PdfSignatures::unreadable(e.to_string())),
            )
        })
        .collect()
}

fn error_of(e: &VerifyError) -> Checked {
    let code = match e {
        VerifyError::TooLarge { .. } => "too_large",
        VerifyError::NotJson { .. } => "not_json",
        VerifyError::NotAnObject { .. } => "not_an_object",
        VerifyError::NotAPdf => "not_a_pdf",
        VerifyError::Pdf { .. } => "pdf_unreadable",
        VerifyError::PdfManyCredentials { .. } => "pdf_many_credentials",
        VerifyError::Image { .. } | VerifyError::QrPayload(_) => "qr_unreadable",
        _ => "unreadable",
    };
    Checked::Error {
        code,
        detail: e.to_string(),
    }
}

/// `valid`, `invalid`, `revoked`, `status_unknown` or `error`.
pub fn verdict_word(result: VerdictResult, reason: Option<Reason>) -> &'static str {
    match result {
        VerdictResult::Valid => "valid",
        VerdictResult::StatusUnknown => "status_unknown",
        VerdictResult::Invalid if reason == Some(Reason::Revoked) => "revoked",
        VerdictResult::Invalid => "invalid",
    }
}

/// A reason code with its message.
#[derive(Debug, Clone, Serialize)]
pub struct ReasonOut {
    /// Stable code (`revoked`, `signature_mismatch`, …).
    pub code: &'static str,
    /// Vietnamese and English.
    pub message: Message,
}

/// Dates of a record.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dates<'a> {
    /// The credential's `validFrom`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<&'a str>,
    /// The credential's `validUntil`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<&'a str>,
    /// When the school signed (proof `created`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<&'a str>,
}

/// The issuing school.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SchoolOut<'a> {
    /// Issuer id.
    pub id: Option<&'a str>,
    /// MOET code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'a str>,
    /// Name.
    pub name: &'a str,
    /// Province.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub province: Option<&'a str>,
    /// Whether the trust list vouches for it (otherwise it is only what the document says).
    pub trusted: bool,
}

/// The API's answer for one item (borrowing from the [`Checked`] it reports).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemReport<'a> {
    /// Position in the request (0-based).
    pub index: usize,
    /// The file name, for uploaded files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    /// `credential`, `qr_summary` or `unreadable`.
    pub kind: &'static str,
    /// `valid`, `invalid`, `revoked`, `status_unknown` or `error`.
    pub verdict: &'static str,
    /// Why not valid (the first failed check), or why it could not be checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<ReasonOut>,
    /// The issuing school.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub school: Option<SchoolOut<'a>>,
    /// The credential's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_id: Option<&'a str>,
    /// Who the record is about — name, class, year, grade — so that an officer with 3,000
    /// applications sees whose record failed. As the item states it: checked only when the
    /// verdict is `valid` (then it is what the school signed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pupil: Option<PupilOut<'a>>,
    /// The time the revocation status is known as of: the signed `validFrom` of the status
    /// list checked (RFC 3339), absent when no list was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_as_of: Option<String>,
    /// The record's dates.
    pub dates: Dates<'a>,
    /// The verified record, normalised (only when valid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<NormalisedRecord>,
    /// What a QR summary says (trusted only when valid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<&'a SummaryInfo>,
    /// Every check with its outcome and reason.
    #[serde(skip_serializing_if = "<[Check]>::is_empty")]
    pub checks: &'a [Check],
    /// For `error`: the detail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<&'a str>,
    /// For a PDF: its own signatures (PAdES), as `hocba-verify --json` reports them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pdf_signatures: Option<&'a PdfSignatures>,
}

/// The pupil of an item.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PupilOut<'a> {
    /// Full name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_name: Option<&'a str>,
    /// Class, e.g. `12A1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class_name: Option<&'a str>,
    /// School year, e.g. `2025-2026`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub school_year: Option<&'a str>,
    /// Grade, as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    /// Whether these values are what the school signed (the verdict is valid).
    pub verified: bool,
}

/// Unreadable-input message.
const UNREADABLE: Message = Message {
    vi: "Không đọc được dữ liệu để kiểm tra.",
    en: "The input could not be read, so it could not be checked.",
};

impl<'a> ItemReport<'a> {
    /// The report for `checked`, the `index`-th item (file `name`).
    pub fn of(index: usize, name: Option<&'a str>, checked: &'a Checked) -> Self {
        match checked {
            Checked::Credential(v) => {
                let s = v.subject();
                let school = match (&s.school, &s.issuer) {
                    (
                        Some(SchoolInfo {
                            id,
                            code,
                            name,
                            province,
                        }),
                        _,
                    ) => Some(SchoolOut {
                        id: Some(id),
                        code: Some(code),
                        name,
                        province: Some(province),
                        trusted: true,
                    }),
                    (None, Some(issuer)) => Some(SchoolOut {
                        id: Some(&issuer.id),
                        code: s.pupil.school_code.as_deref(),
                        name: &issuer.name,
                        province: None,
                        trusted: false,
                    }),
                    (None, None) => None,
                };
                Self {
                    index,
                    name,
                    kind: "credential",
                    verdict: verdict_word(v.result(), v.reason()),
                    reason: v.reason().map(|r| ReasonOut {
                        code: r.code(),
                        message: r.message(),
                    }),
                    school,
                    credential_id: s.credential_id.as_deref(),
                    pupil: Some(PupilOut {
                        full_name: s.pupil.full_name.as_deref(),
                        class_name: s.pupil.class_name.as_deref(),
                        school_year: s.pupil.school_year.as_deref(),
                        grade: s.pupil.grade.clone(),
                        verified: v.is_valid(),
                    }),
                    status_as_of: v.status_as_of().map(rfc3339),
                    dates: Dates {
                        valid_from: s.valid_from.as_deref(),
                        valid_until: s.valid_until.as_deref(),
                        signed_at: s.signed_at.as_deref(),
                    },
                    record: v.verified().and_then(|c| c.normalised()),
                    summary: None,
                    checks: v.checks(),
                    detail: None,
                    pdf_signatures: None,
                }
            }
            Checked::Summary(v) => {
                let info = v.info();
                Self {
                    index,
                    name,
                    kind: "qr_summary",
                    verdict: verdict_word(v.result(), v.reason()),
                    reason: v.reason().map(|r| ReasonOut {
                        code: r.code(),
                        message: r.message(),
                    }),
                    school: Some(SchoolOut {
                        id: None,
                        code: Some(&info.school_code),
                        name: v.school_name().unwrap_or_default(),
                        province: None,
                        trusted: v.school_name().is_some(),
                    }),
                    credential_id: Some(&info.credential_id),
                    pupil: Some(PupilOut {
                        full_name: Some(&info.pupil_name),
                        class_name: Some(&info.class_name),
                        school_year: Some(&info.school_year),
                        grade: Some(info.grade.to_string()),
                        verified: v.is_valid(),
                    }),
                    status_as_of: v.status_as_of().map(rfc3339),
                    dates: Dates {
                        signed_at: Some(&info.signed_at),
                        ..Dates::default()
                    },
                    record: None,
                    summary: Some(info),
                    checks: v.checks(),
                    detail: None,
                    pdf_signatures: None,
                }
            }
            Checked::Error { code, detail } => Self {
                index,
                name,
                kind: "unreadable",
                verdict: "error",
                reason: Some(ReasonOut {
                    code,
                    message: UNREADABLE,
                }),
                school: None,
                credential_id: None,
                pupil: None,
                status_as_of: None,
                dates: Dates::default(),
                record: None,
                summary: None,
                checks: &[],
                detail: Some(detail),
                pdf_signatures: None,
            },
        }
    }
}

impl<'a> ItemReport<'a> {
    /// This report with the PDF's own signatures `pdf`: a PDF whose signatures fail (one
    /// breaks, a later revision alters content, the seal is not the school's) fails as a
    /// whole — verdict `invalid` with the PDF's reason, its record no longer shown as
    /// verified — even when the credential it embeds is sound.
    pub fn with_pdf(mut self, pdf: Option<&'a PdfSignatures>) -> Self {
        self.pdf_signatures = pdf;
        let failed = pdf.filter(|p| p.status == PdfStatus::Invalid);
        if let Some(p) = failed
            && matches!(self.verdict, "valid" | "status_unknown")
        {
            self.verdict = "invalid";
            self.reason = p.reason.map(|r| ReasonOut {
                code: r.code(),
                message: r.message(),
            });
            self.record = None;
            if let Some(pupil) = &mut self.pupil {
                pupil.verified = false;
            }
        }
        self
    }
}

/// RFC 3339 text of `t` (whole seconds in UTC, every time a verdict holds, written without
/// the `time` crate's generic formatter; the same text).
pub fn rfc3339(t: OffsetDateTime) -> String {
    if t.offset().is_utc() && t.nanosecond() == 0 && (0..=9999).contains(&t.year()) {
        return crate::verdict::ShowTime(t).to_string();
    }
    t.format(&Rfc3339).unwrap_or_default()
}
