//! The printed học bạ: one A4 PDF per signed credential, laid out like the paper page of its
//! level, with a QR code carrying the school-signed summary
//! ([`hocba_schema::qr`]) and the signed credential embedded as `hocba-credential.json`, so
//! that the PDF alone, or the paper alone, can be verified.
//!
//! * [`fonts`](self) — Noto Sans, parsed once per process, and each face subset once to the
//!   characters Vietnamese uses, so a PDF embeds a prebuilt face instead of subsetting per
//!   document (about 530–600 PDFs/s per core, 52–55 KB each: see `schema/docs/qr.md`).
//! * [`render_all`] — many credentials across the cores (`issue --out`, the class ZIP).
//! * `layout` — page builder (text, wrapping, tables, page breaks).
//! * `content` — where the page puts what [`hocba_schema::paper`] describes (the record page of
//!   the verifier renders the same description).
//! * [`QrMatrix`] — the QR drawn as vector rectangles, level Q.
//! * `embed` — the embedded file, added with lopdf.
//! * [`zip_class`] — a ZIP of a class's PDFs.
//!
//! Rendering does no I/O and reads no clock: everything it shows comes from the credential.

mod content;
mod embed;
mod fonts;
mod layout;
pub mod pades;
mod qr_image;
mod zip;

pub use embed::EMBEDDED_NAME;
pub use qr_image::QrMatrix;
pub use zip::zip_class;

use hocba_schema::qr::{SignedSummary, Summary, qr_text};
use hocba_schema::record::YearRecord;
use printpdf::{PdfDocument, PdfSaveOptions};
use serde::Deserialize;
use serde_json::Value;
use thiserror::Error;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use crate::keys::Ed25519Key;
use crate::pki::SchoolPki;

/// The verifier address written into QR codes when none is configured.
pub const DEFAULT_VERIFIER_URL: &str = "http://127.0.0.1:8081";

/// Why a PDF could not be made.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum PdfError {
    /// The credential is not a signed học bạ credential this renderer can read.
    #[error("credential `{field}`: {problem}")]
    Credential {
        /// The field.
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// The QR summary could not be built.
    #[error("QR summary: {0}")]
    Summary(#[from] hocba_schema::qr::QrError),
    /// The QR code could not be encoded (too much data).
    #[error("QR code: {0}")]
    Qr(String),
    /// The embedded font did not parse (a build problem).
    #[error("the embedded Noto Sans font could not be parsed")]
    Font,
    /// Writing the PDF structure failed.
    #[error("PDF: {0}")]
    Pdf(String),
    /// Writing the ZIP failed.
    #[error("ZIP: {0}")]
    Zip(String),
    /// The school's key could not sign the QR summary (a token removed, a session lost).
    #[error("signing the QR summary: {0}")]
    Key(String),
}

/// How to render.
#[derive(Debug, Clone)]
pub struct PdfOptions {
    /// Base URL of the verifier page the QR opens, e.g. `https://verify.example`.
    pub verifier_url: String,
}

impl Default for PdfOptions {
    fn default() -> Self {
        Self {
            verifier_url: DEFAULT_VERIFIER_URL.into(),
        }
    }
}

/// A rendered PDF and facts about its QR code.
#[derive(Debug, Clone)]
pub struct RenderedPdf {
    /// The PDF file.
    pub bytes: Vec<u8>,
    /// The text in the QR code.
    pub qr_text: String,
    /// QR version (1–40) at level Q.
    pub qr_version: i16,
    /// Bytes of the signed summary.
    pub summary_bytes: usize,
    /// Number of pages.
    pub pages: usize,
}

/// The signed QR summary of `credential`, signed by `key` (the school key that signed the
/// credential).
pub fn sign_summary(credential: &Value, key: &dyn Ed25519Key) -> Result<SignedSummary, PdfError> {
    let summary = Summary::from_credential(credential, &key.verifying_key())?;
    let signature = key
        .try_sign(&summary.signing_input()?)
        .map_err(|e| PdfError::Key(e.to_string()))?;
    Ok(summary.with_signature(signature)?)
}

/// Render the signed `credential` as a PDF whose QR summary `key` signs.
pub fn render_pdf(
    credential: &Value,
    key: &dyn Ed25519Key,
    options: &PdfOptions,
) -> Result<RenderedPdf, PdfError> {
    render_signed_pdf(credential, key, options, None)
}

/// [`render_pdf`], then PAdES-signed by the principal and the seal of `pki` when given
/// ([`pades`]).
pub fn render_signed_pdf(
    credential: &Value,
    key: &dyn Ed25519Key,
    options: &PdfOptions,
    pki: Option<&SchoolPki>,
) -> Result<RenderedPdf, PdfError> {
    render_to_sign(credential, key, options, pki)?.finish(pki)
}

/// A PDF rendered, its PAdES signatures still to come when a PKI signs it.
struct Rendered {
    /// The PDF; its `bytes` are empty while `to_sign` holds them.
    pdf: RenderedPdf,
    to_sign: Option<pades::ToSign>,
}

impl Rendered {
    /// The PDF, signed by `pki` when it was rendered for it.
    fn finish(self, pki: Option<&SchoolPki>) -> Result<RenderedPdf, PdfError> {
        let Self { mut pdf, to_sign } = self;
        match (to_sign, pki) {
            (Some(to_sign), Some(pki)) => pdf.bytes = to_sign.sign(pki)?,
            // Never an empty PDF: what was rendered for signatures is signed or fails.
            (Some(_), None) => {
                return Err(PdfError::Pdf(
                    "internal: a PDF rendered for signatures was given no signer".into(),
                ));
            }
            (None, _) => {}
        }
        Ok(pdf)
    }
}

/// [`render_signed_pdf`] but for the signatures: the page with the boxes of `pki`'s signers,
/// ready to be signed by [`Rendered::finish`].
fn render_to_sign(
    credential: &Value,
    key: &dyn Ed25519Key,
    options: &PdfOptions,
    pki: Option<&SchoolPki>,
) -> Result<Rendered, PdfError> {
    let signed = sign_summary(credential, key)?;
    let text = qr_text(&options.verifier_url, &signed)?;
    let qr = QrMatrix::new(&text)?;
    let bad = |field: &'static str, problem: &str| PdfError::Credential {
        field,
        problem: problem.into(),
    };
    let subject = credential
        .get("credentialSubject")
        .ok_or_else(|| bad("credentialSubject", "missing"))?;
    let record = YearRecord::deserialize(subject).map_err(|e| PdfError::Credential {
        field: "credentialSubject",
        problem: e.to_string(),
    })?;
    fn str_at(value: Option<&Value>) -> &str {
        value.and_then(Value::as_str).unwrap_or("")
    }
    let credential_id = str_at(credential.get("id"));
    let school_name = credential
        .get("issuer")
        .and_then(|i| i.get("name"))
        .and_then(Value::as_str)
        .unwrap_or(&record.school.name);
    let signed_at = str_at(credential.get("proof").and_then(|p| p.get("created")));
    let signed_date = signed_at
        .get(..10)
        .map(|d| format!("{}/{}/{}", &d[8..10], &d[5..7], &d[..4]))
        .unwrap_or_default();

    let json = serde_json::to_vec_pretty(credential).map_err(|e| PdfError::Pdf(e.to_string()))?;
    let fonts = fonts::fonts().ok_or(PdfError::Font)?;
    let mut doc = PdfDocument::new(&format!(
        "Học bạ {} {}",
        record.student.full_name, record.school_year
    ));
    // The prebuilt faces when every character of the credential is in them (the labels are);
    // otherwise the full faces, subset for this document.
    let prebuilt = fonts
        .prebuilt()
        // Raw line breaks are the pretty JSON's own; those inside strings are escaped.
        .filter(|_| {
            let ok = |c: char| c == '\n' || fonts::is_covered(c);
            let marks = pki.map(|p| [p.seal.name.as_str(), pades::DEVELOPMENT_BAND].concat());
            if !marks.iter().flat_map(|m| m.chars()).all(ok)
                || !pki
                    .and_then(|p| p.principal.as_ref())
                    .is_none_or(|p| p.name.chars().all(ok))
            {
                return false;
            }
            std::str::from_utf8(&json).is_ok_and(|text| {
                if is_nfc_quick(text.chars()) == IsNormalized::Yes {
                    text.chars().all(ok)
                } else {
                    text.nfc().all(ok)
                }
            })
        });
    let ids = match prebuilt {
        Some(faces) => faces.map(|f| doc.add_font(&f.font)),
        None => [
            doc.add_font(&fonts.regular.font),
            doc.add_font(&fonts.bold.font),
            doc.add_font(&fonts.italic.font),
        ],
    };
    let mut pages = content::draw_record(
        fonts,
        &ids,
        &record,
        &content::PageInfo {
            credential_id,
            school_name,
            signed_date: &signed_date,
            signed_at,
            qr: &qr,
            replaces: credential.get("replaces").and_then(Value::as_str),
        },
    );
    let placement = pki.map(|p| {
        pades::draw(
            &mut pages,
            &ids,
            &record.principal.name,
            &pades::marks_of(p, &signed_date),
        )
    });
    let page_count = pages.len();
    doc.with_pages(pages);
    let mut warnings = Vec::new();
    let save = PdfSaveOptions {
        subset_fonts: prebuilt.is_none(),
        ..PdfSaveOptions::default()
    };
    let mut lo = doc.to_lopdf_document(&save, &mut warnings);
    embed::embed_credential(&mut lo, &json)?;
    compress_streams(&mut lo, prebuilt.as_ref().map_or(&[], |p| p.as_slice()));
    // Room for the signatures too, so that signing appends without copying the file.
    let mut bytes = Vec::with_capacity((64 << 10) + pki.map_or(0, pades::room));
    lo.save_to(&mut bytes)
        .map_err(|e| PdfError::Pdf(e.to_string()))?;
    let mut to_sign = None;
    if let Some(placement) = placement {
        let at =
            time::OffsetDateTime::parse(signed_at, &time::format_description::well_known::Rfc3339)
                .map_err(|e| PdfError::Credential {
                    field: "proof.created",
                    problem: e.to_string(),
                })?;
        // The document in memory is what was saved: the signatures need not parse it again.
        to_sign = Some(pades::ToSign::of_saved(
            &lo,
            std::mem::take(&mut bytes),
            &placement,
            at,
        )?);
    }
    Ok(Rendered {
        pdf: RenderedPdf {
            bytes,
            qr_version: qr.version(),
            summary_bytes: signed.to_bytes().len(),
            qr_text: text,
            pages: page_count,
        },
        to_sign,
    })
}

/// Deflate every uncompressed stream at a fast level (lopdf's own `compress` uses the slowest,
/// which tripled the rendering time for about 3 % smaller files).
/// The programs of the prebuilt `faces` get their compressed form made once.
fn compress_streams(doc: &mut lopdf::Document, faces: &[&fonts::Prebuilt]) {
    use std::io::Write;
    for object in doc.objects.values_mut() {
        if let lopdf::Object::Stream(stream) = object
            && stream.allows_compression
            && stream.dict.get(b"Filter").is_err()
        {
            if let Some(face) = faces.iter().find(|f| f.program == stream.content) {
                stream.dict.set("Filter", "FlateDecode");
                stream.set_content(face.compressed.clone());
                continue;
            }
            let mut encoder = flate2::write::ZlibEncoder::new(
                Vec::with_capacity(stream.content.len() / 2),
                flate2::Compression::new(COMPRESSION_LEVEL),
            );
            if encoder.write_all(&stream.content).is_err() {
                continue;
            }
            if let Ok(compressed) = encoder.finish()
                && compressed.len() + 19 < stream.content.len()
            {
                stream.dict.set("Filter", "FlateDecode");
                stream.set_content(compressed);
            }
        }
    }
}

/// zlib level for the PDF's streams.
const COMPRESSION_LEVEL: u32 = 2;

/// Render each of `credentials` (signed credentials, as JSON text) with `key`, spread over the
/// machine's cores with scoped threads; the results are in the order of `credentials`.
pub fn render_all<S: AsRef<str> + Sync>(
    credentials: &[S],
    key: &dyn Ed25519Key,
    options: &PdfOptions,
) -> Vec<Result<RenderedPdf, PdfError>> {
    render_all_signed(credentials, key, options, None)
}

/// [`render_all`], each PDF PAdES-signed by `pki` when given: each thread takes its share
/// in groups ([`render_group_signed`]).
pub fn render_all_signed<S: AsRef<str> + Sync>(
    credentials: &[S],
    key: &dyn Ed25519Key,
    options: &PdfOptions,
    pki: Option<&SchoolPki>,
) -> Vec<Result<RenderedPdf, PdfError>> {
    let one = |chunk: &[S]| render_group_signed(chunk, key, options, pki);
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(credentials.len());
    if threads <= 1 {
        return one(credentials);
    }
    let per_thread = credentials.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = credentials
            .chunks(per_thread)
            .map(|chunk| {
                let spawned = scope.spawn(move || one(chunk));
                (chunk.len(), spawned)
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|(len, h)| {
                h.join().unwrap_or_else(|_| {
                    (0..len)
                        .map(|_| Err(PdfError::Pdf("a rendering thread panicked".into())))
                        .collect()
                })
            })
            .collect()
    })
}

/// PDFs rendered before their signatures, at most this many at a time: the signatures of a
/// group run back to back (see `pades::ToSign`), and a group's PDFs in memory stay small
/// (about 100 KB each).
const SIGNING_GROUP: usize = 16;

/// [`render_signed_pdf`] of each of `credentials` (signed credentials, as JSON text) on this
/// thread, in groups of [`SIGNING_GROUP`]: each group's PDFs are rendered, then signed one
/// after the other. The results are in the order of `credentials`; a PDF that fails (to
/// render or to sign) fails alone.
pub fn render_group_signed<S: AsRef<str>>(
    credentials: &[S],
    key: &dyn Ed25519Key,
    options: &PdfOptions,
    pki: Option<&SchoolPki>,
) -> Vec<Result<RenderedPdf, PdfError>> {
    let render = |json: &S| {
        let value: Value =
            serde_json::from_str(json.as_ref()).map_err(|e| PdfError::Credential {
                field: "credential",
                problem: e.to_string(),
            })?;
        render_to_sign(&value, key, options, pki)
    };
    let mut out = Vec::with_capacity(credentials.len());
    for group in credentials.chunks(SIGNING_GROUP) {
        let rendered: Vec<_> = group.iter().map(render).collect();
        out.extend(rendered.into_iter().map(|r| r.and_then(|r| r.finish(pki))));
    }
    out
}
