//! PAdES signatures on the printed record (ETSI EN 319 142-1, baseline B-B): in the legal
//! order, first the approving principal (individual signature), then the school seal
//! (institution signature), each an incremental update, so the first revision — the page and
//! the embedded `hocba-credential.json` — is covered by both and the seal covers the principal's
//! signature too.
//!
//! * `marks` — what the page shows: "Ký bởi: …, ngày …" for each signer in the signature block,
//!   and the development band on every page when development certificates sign.
//! * `cms` — the CMS SignedData (detached, signing-certificate-v2, chain embedded).
//! * `increment` — the incremental update: signature dictionary (SubFilter
//!   `ETSI.CAdES.detached`), widget, byte range, `/Contents`; `append` writes it.
//!
//! The signers are [`crate::pki::CertifiedKey`]s: the key is a `&dyn SealKey` (PEM file or
//! token), never anything more. The signing time (`/M`, and the date in the boxes) is the
//! credential's own signing time (`proof.created`): the PDF is the printed form of what was
//! signed then, and rendering reads no clock.

mod append;
mod cms;
mod increment;
mod marks;

pub use marks::{Area, DEVELOPMENT_BAND, Marks, Placement, draw};

use time::OffsetDateTime;

use super::PdfError;
use crate::pki::{CertifiedKey, SchoolPki};

/// The field names of the two signatures.
pub const PRINCIPAL_FIELD: &str = "ChuKyHieuTruong";
/// The school seal's field.
pub const SEAL_FIELD: &str = "ConDauNhaTruong";

/// The marks `pki` puts on a record signed on `date` (`dd/mm/yyyy`).
pub fn marks_of<'a>(pki: &'a SchoolPki, date: &'a str) -> Marks<'a> {
    Marks {
        principal: pki.principal.as_ref().map(|p| p.name.as_str()),
        seal: &pki.seal.name,
        date,
        development: pki.development(),
    }
}

fn sign_one(
    pdf: &mut increment::Revisions,
    signer: &CertifiedKey,
    name: &str,
    reason: &str,
    area: marks::Area,
    at: OffsetDateTime,
) -> Result<(), PdfError> {
    let field = increment::Field {
        name,
        signer: &signer.name,
        reason,
        at,
        area,
        reserve: cms::reserve(signer),
    };
    pdf.append_signature(&field, |digest| cms::signed_data(digest, signer))
}

/// Sign `pdf` (whose marks [`draw`] placed at `placement`) by the principal of `pki`, then by
/// its seal, at `at`. The PDF is parsed once; [`sign_rendered`] does without.
pub fn sign_record(
    pdf: Vec<u8>,
    pki: &SchoolPki,
    placement: &Placement,
    at: OffsetDateTime,
) -> Result<Vec<u8>, PdfError> {
    sign_all(
        increment::Revisions::parse(pdf, placement.page)?,
        pki,
        placement,
        at,
    )
}

/// [`sign_record`] of `pdf`, the bytes `doc` was just saved as: the document in memory gives
/// what the signatures need, so the file is not parsed again.
pub fn sign_rendered(
    doc: &lopdf::Document,
    pdf: Vec<u8>,
    pki: &SchoolPki,
    placement: &Placement,
    at: OffsetDateTime,
) -> Result<Vec<u8>, PdfError> {
    ToSign::of_saved(doc, pdf, placement, at)?.sign(pki)
}

/// A rendered PDF ready for its signatures: what [`sign_rendered`] reads of the document in
/// memory (and the SHA-256 of the whole first revision) is taken, so the document can go, and
/// the signatures can come later. A batch renders several PDFs this way and then signs them
/// one after the other: the token signs with its code and keys still in the processor's
/// caches, which a rendering in between would have pushed out (measured with SoftHSM2: two
/// signatures right after a rendering cost a fifth more than in a row).
pub(crate) struct ToSign {
    revisions: increment::Revisions,
    placement: Placement,
    at: OffsetDateTime,
}

impl ToSign {
    /// `pdf`, the bytes `doc` was just saved as, to be signed at `at` (its marks placed at
    /// `placement`).
    pub(crate) fn of_saved(
        doc: &lopdf::Document,
        pdf: Vec<u8>,
        placement: &Placement,
        at: OffsetDateTime,
    ) -> Result<Self, PdfError> {
        Ok(Self {
            revisions: increment::Revisions::of_saved(doc, pdf, placement.page)?,
            placement: *placement,
            at,
        })
    }

    /// Signed by the principal of `pki`, then by its seal.
    pub(crate) fn sign(self, pki: &SchoolPki) -> Result<Vec<u8>, PdfError> {
        sign_all(self.revisions, pki, &self.placement, self.at)
    }
}

/// Bytes the signatures of `pki` add to a PDF, at most: each signer's reserved `/Contents` in
/// hex and the rest of its update (a PDF made with this much spare capacity is never copied
/// to a larger buffer while it is signed).
pub(crate) fn room(pki: &SchoolPki) -> usize {
    let update = |signer: &CertifiedKey| 2 * cms::reserve(signer) + increment::UPDATE_ROOM;
    pki.principal.as_ref().map_or(0, update) + update(&pki.seal)
}

fn sign_all(
    mut pdf: increment::Revisions,
    pki: &SchoolPki,
    placement: &Placement,
    at: OffsetDateTime,
) -> Result<Vec<u8>, PdfError> {
    pdf.reserve(room(pki));
    if let Some(principal) = &pki.principal {
        sign_one(
            &mut pdf,
            principal,
            PRINCIPAL_FIELD,
            "Phê duyệt học bạ (chữ ký cá nhân)",
            placement.principal,
            at,
        )?;
    }
    sign_one(
        &mut pdf,
        &pki.seal,
        SEAL_FIELD,
        "Xác nhận của nhà trường (chữ ký số con dấu)",
        placement.seal,
        at,
    )?;
    Ok(pdf.into_bytes())
}
