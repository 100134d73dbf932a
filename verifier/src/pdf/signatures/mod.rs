//! The PDF's own signatures (PAdES, ETSI EN 319 142-1), reported beside the verdict of the
//! credential the PDF embeds: for each signature its signer, the certificate chain up to the
//! configured root, the certificate's validity at the signing time, whether its byte range
//! covers its whole revision except the signature, and whether later revisions change anything
//! but signatures; then whether the seal (the last signature) is the certificate the trust list
//! binds to the credential's school.
//!
//! Core: no I/O and no clock. The root certificate comes in as DER, the seal fingerprint from
//! the trust list, the time to fall back on (`now`) when a signature states none. A PDF with no
//! signature is [`PdfStatus::Unsigned`], not a failure: its credential still speaks for it.
//!
//! * `fields` — the signature dictionaries (bounded object reader).
//! * `cms` — the CMS SignedData of one signature.
//! * `chain` — the chain to the root and the validity at signing time.
//! * `revisions` — what later revisions change.

mod chain;
mod cms;
mod fields;
mod revisions;

pub use fields::MAX_SIGNATURES;

use der::{Decode, Encode};
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use x509_cert::Certificate;

use super::objects::Objects;
use crate::error::VerifyError;
use crate::reason::{Message, Reason};

/// What the PDF signatures are checked against.
#[derive(Debug, Clone, Copy, Default)]
pub struct PdfTrust<'a> {
    /// The root certificate (DER) the chains must end at; `None`: chains not checked.
    pub root: Option<&'a [u8]>,
    /// The seal certificate's SHA-256 (hex) the trust list binds to the credential's school;
    /// `None`: the list binds none.
    pub seal_sha256: Option<&'a str>,
}

/// The outcome of one signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureResult {
    /// Every check ran and passed.
    Valid,
    /// A check failed.
    Invalid,
    /// The signature matches its bytes, but its chain could not be checked (no root given).
    NotChecked,
}

/// One PDF signature.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PdfSignature {
    /// The field name.
    pub field: String,
    /// The signer certificate's common name (or its subject).
    pub signer: String,
    /// The signer certificate's SHA-256 (hex).
    pub certificate_sha256: Option<String>,
    /// The subjects of the chain, signer first, when it was checked.
    pub chain: Vec<String>,
    /// The signing time the signature states (`/M`).
    #[serde(with = "time::serde::rfc3339::option")]
    pub signed_at: Option<OffsetDateTime>,
    /// Whether the byte range covers the whole file (the last signature does).
    pub covers_whole_file: bool,
    /// Whether a certificate of its chain is development material.
    pub development: bool,
    /// The outcome.
    pub result: SignatureResult,
    /// Why not valid.
    pub reason: Option<Reason>,
    /// The technical detail.
    pub detail: Option<String>,
}

/// The PDF as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PdfStatus {
    /// No PAdES signature: the credential alone vouches for the record.
    Unsigned,
    /// Every signature valid, the seal bound to the school.
    Valid,
    /// A signature fails, a later revision changes content, or the seal is not the school's.
    Invalid,
    /// Nothing failed, but something could not be checked (no root given).
    NotChecked,
}

/// The PDF's signatures.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PdfSignatures {
    /// The overall outcome.
    pub status: PdfStatus,
    /// Why not valid (the first failure), or `pdf_unsigned`.
    pub reason: Option<Reason>,
    /// Each signature in signing order.
    pub signatures: Vec<PdfSignature>,
    /// Whether development certificates signed (no legal value).
    pub development: bool,
    /// Whether the last signature's certificate is the seal the trust list binds to the
    /// school (`None`: the list binds none, not checked).
    pub seal_bound: Option<bool>,
}

impl PdfSignatures {
    /// The plain-words summary.
    pub fn message(&self) -> Message {
        match (self.status, self.reason) {
            (_, Some(reason)) => reason.message(),
            _ => Message {
                vi: "Các chữ ký số trên tệp PDF hợp lệ.",
                en: "The PDF's signatures are valid.",
            },
        }
    }
}

fn subject(cert: &Certificate) -> String {
    const CN: der::asn1::ObjectIdentifier = der::asn1::ObjectIdentifier::new_unwrap("2.5.4.3");
    cert.tbs_certificate()
        .subject()
        .iter_rdn()
        .flat_map(|rdn| rdn.iter())
        .find(|atv| atv.oid == CN)
        .and_then(|atv| {
            atv.value
                .decode_as::<der::asn1::Utf8StringRef<'_>>()
                .map(|s| s.as_str().to_owned())
                .ok()
        })
        .unwrap_or_else(|| cert.tbs_certificate().subject().to_string())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a certificate is development material (its subject says `DEVELOPMENT`).
fn is_development(cert: &Certificate) -> bool {
    cert.tbs_certificate()
        .subject()
        .to_string()
        .contains("DEVELOPMENT")
}

/// Check every signature of `pdf` against `trust`; `now` stands in for a signature that states
/// no signing time. `Err` only when the file's structure cannot be read at all.
pub fn check_pdf_signatures(
    pdf: &[u8],
    trust: &PdfTrust<'_>,
    now: OffsetDateTime,
) -> Result<PdfSignatures, VerifyError> {
    let bad = |problem: String| VerifyError::Pdf { problem };
    let root = trust
        .root
        .map(Certificate::from_der)
        .transpose()
        .map_err(|e| bad(format!("the PKI root is not a DER certificate: {e}")))?;
    let mut objects = Objects::open(pdf).map_err(bad)?;
    let raw = fields::signatures(&mut objects).map_err(|e| bad(format!("signatures: {e}")))?;
    if raw.is_empty() {
        return Ok(PdfSignatures {
            status: PdfStatus::Unsigned,
            reason: Some(Reason::PdfUnsigned),
            signatures: Vec::new(),
            development: false,
            seal_bound: None,
        });
    }
    let mut signatures = Vec::with_capacity(raw.len());
    for sig in &raw {
        signatures.push(check_one(pdf, sig, root.as_ref(), &mut objects, now));
    }
    // Signing order: by where each revision ends.
    let ends: Vec<usize> = raw
        .iter()
        .map(|s| s.byte_range.map_or(0, |r| r[2] + r[3]))
        .collect();
    let mut order: Vec<usize> = (0..signatures.len()).collect();
    order.sort_by_key(|&i| ends[i]);
    let signatures: Vec<PdfSignature> = order.into_iter().map(|i| signatures[i].clone()).collect();
    let seal_bound = trust.seal_sha256.map(|expected| {
        signatures
            .last()
            .and_then(|s| s.certificate_sha256.as_deref())
            .is_some_and(|got| got.eq_ignore_ascii_case(expected))
    });
    let development = signatures.iter().any(|s| s.development);
    let failed = signatures
        .iter()
        .find(|s| s.result == SignatureResult::Invalid);
    let (status, reason) = if let Some(f) = failed {
        (PdfStatus::Invalid, f.reason)
    } else if seal_bound == Some(false) {
        (PdfStatus::Invalid, Some(Reason::PdfSealNotBound))
    } else if let Some(n) = signatures
        .iter()
        .find(|s| s.result == SignatureResult::NotChecked)
    {
        (PdfStatus::NotChecked, n.reason)
    } else {
        (PdfStatus::Valid, None)
    };
    Ok(PdfSignatures {
        status,
        reason,
        signatures,
        development,
        seal_bound,
    })
}

/// The signatures of a record's `pdf` whose embedded credential names `issuer_id`: the seal
/// checked against the certificate `list` binds to that school, the chains against `root`
/// (DER). The one place the CLI and the service look the seal up.
pub fn check_record_pdf(
    pdf: &[u8],
    issuer_id: Option<&str>,
    list: &crate::VerifiedTrustList,
    root: Option<&[u8]>,
    now: OffsetDateTime,
) -> Result<PdfSignatures, VerifyError> {
    let seal = issuer_id
        .and_then(|id| list.school(id))
        .and_then(|s| s.seal_certificate_sha256.as_deref());
    check_pdf_signatures(
        pdf,
        &PdfTrust {
            root,
            seal_sha256: seal,
        },
        now,
    )
}

impl PdfSignatures {
    /// The report of signatures that could not be read at all (`detail` says why): invalid,
    /// since a record's signatures that cannot be read vouch for nothing.
    pub fn unreadable(detail: String) -> Self {
        Self {
            status: PdfStatus::Invalid,
            reason: Some(Reason::PdfSignatureMalformed),
            signatures: vec![PdfSignature {
                field: String::new(),
                signer: String::new(),
                certificate_sha256: None,
                chain: Vec::new(),
                signed_at: None,
                covers_whole_file: false,
                development: false,
                result: SignatureResult::Invalid,
                reason: Some(Reason::PdfSignatureMalformed),
                detail: Some(detail),
            }],
            development: false,
            seal_bound: None,
        }
    }
}

fn check_one(
    pdf: &[u8],
    sig: &fields::RawSignature,
    root: Option<&Certificate>,
    objects: &mut Objects<'_>,
    now: OffsetDateTime,
) -> PdfSignature {
    let mut out = PdfSignature {
        field: sig.field.clone(),
        signer: String::new(),
        certificate_sha256: None,
        chain: Vec::new(),
        signed_at: sig.claimed_time,
        covers_whole_file: false,
        development: false,
        result: SignatureResult::Invalid,
        reason: None,
        detail: None,
    };
    let fail = |mut out: PdfSignature, (reason, detail): (Reason, String)| {
        out.result = SignatureResult::Invalid;
        out.reason = Some(reason);
        out.detail = Some(detail);
        out
    };
    if sig.sub_filter != "ETSI.CAdES.detached" && sig.sub_filter != "adbe.pkcs7.detached" {
        return fail(
            out,
            (
                Reason::PdfSignatureMalformed,
                format!("SubFilter /{}", sig.sub_filter),
            ),
        );
    }
    let Some([a, b, c, d]) = sig.byte_range else {
        return fail(
            out,
            (
                Reason::PdfSignatureMalformed,
                "no /ByteRange of four integers".into(),
            ),
        );
    };
    let end = c.saturating_add(d);
    if a != 0 || b == 0 || c <= b || end > pdf.len() {
        return fail(
            out,
            (
                Reason::PdfByteRangeIncomplete,
                format!("/ByteRange [{a} {b} {c} {d}]"),
            ),
        );
    }
    // The revision ends where the byte range does: `%%EOF` and at most an end of line after it.
    let tail = &pdf[end.saturating_sub(7)..end];
    let trimmed = tail
        .strip_suffix(b"\r\n")
        .or_else(|| tail.strip_suffix(b"\n"))
        .or_else(|| tail.strip_suffix(b"\r"))
        .unwrap_or(tail);
    if !trimmed.ends_with(b"%%EOF") {
        return fail(
            out,
            (
                Reason::PdfByteRangeIncomplete,
                "the byte range does not end at the end of a revision".into(),
            ),
        );
    }
    let Some(contents) = fields::contents(pdf, b, c) else {
        return fail(
            out,
            (
                Reason::PdfByteRangeIncomplete,
                "the byte range leaves out more than the signature".into(),
            ),
        );
    };
    out.covers_whole_file = end == pdf.len();
    let mut hasher = Sha256::new();
    hasher.update(&pdf[..b]);
    hasher.update(&pdf[c..end]);
    let digest = hasher.finalize();
    let checked = match cms::check(&contents, &digest) {
        Ok(c) => c,
        Err(e) => return fail(out, e),
    };
    out.signer = subject(&checked.signer);
    out.certificate_sha256 = checked
        .signer
        .to_der()
        .ok()
        .map(|der| hex(&Sha256::digest(der)));
    out.development = checked.certificates.iter().any(is_development);
    if end < pdf.len()
        && let Err(e) = revisions::only_signatures_after(pdf, end, objects)
    {
        return fail(out, (Reason::PdfModifiedAfterSigning, e));
    }
    let at = sig.claimed_time.unwrap_or(now);
    let Some(root) = root else {
        out.result = SignatureResult::NotChecked;
        out.reason = Some(Reason::PdfRootNotGiven);
        return out;
    };
    match chain::chain_to_root(&checked.signer, &checked.certificates, root, at) {
        Ok(chain) => {
            out.development |= chain.iter().any(is_development);
            out.chain = chain.iter().map(subject).collect();
            out.result = SignatureResult::Valid;
            out
        }
        Err(e) => fail(out, e),
    }
}
