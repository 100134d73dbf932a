//! The block of a record page that reports the PDF's own signatures (PAdES), as
//! `hocba-verify RECORD.pdf --pki-root FILE` does: a headline (signed and valid, not valid,
//! not fully checked, or unsigned), a development warning, then each signature in signing
//! order — the signer, when, the chain up to the root — and whether the seal is the one the
//! trust list registers for the school.
//!
//! Hooks for tests: `#pdf-signatures[data-pdf-status]` (`valid`, `invalid`, `not_checked`,
//! `unsigned`), `#pdf-reason`, `#pdf-development`, one `li[data-signature][data-result]` per signature,
//! `#pdf-seal[data-bound]`.

use time::OffsetDateTime;

use crate::pdf::signatures::{PdfSignatures, PdfStatus, SignatureResult};
use crate::{Message, Reason};

use super::html::Html;
use super::{Lang, VerdictKind};

/// The verdict the page's banner shows for a credential of kind `kind` in a PDF with
/// `pdf`: a PDF whose own signatures fail is not valid, whatever its credential says.
pub(super) fn banner_kind(
    kind: VerdictKind,
    pdf: Option<&PdfSignatures>,
) -> (VerdictKind, Option<Message>) {
    match pdf {
        Some(p)
            if p.status == PdfStatus::Invalid
                && matches!(kind, VerdictKind::Valid | VerdictKind::StatusUnknown) =>
        {
            (VerdictKind::Invalid, Some(p.message()))
        }
        _ => (kind, None),
    }
}

/// Write the block for `pdf`.
pub(super) fn block(h: &mut Html, lang: Lang, pdf: &PdfSignatures) {
    let (status, headline) = match pdf.status {
        PdfStatus::Valid => (
            "valid",
            lang.pick(
                "Chữ ký số trên tệp PDF hợp lệ",
                "The PDF's signatures are valid",
            ),
        ),
        PdfStatus::Invalid => (
            "invalid",
            lang.pick(
                "Chữ ký số trên tệp PDF không hợp lệ",
                "The PDF's signatures are not valid",
            ),
        ),
        PdfStatus::NotChecked => (
            "not_checked",
            lang.pick(
                "Chữ ký số trên tệp PDF chưa được kiểm tra đầy đủ",
                "The PDF's signatures were not fully checked",
            ),
        ),
        PdfStatus::Unsigned => (
            "unsigned",
            lang.pick("Tệp PDF không có chữ ký số", "The PDF itself is not signed"),
        ),
    };
    h.raw("<section class=\"card\" id=\"pdf-signatures\" data-pdf-status=\"")
        .raw(status)
        .raw("\">\n")
        .el(
            "<h2>",
            lang.pick("Chữ ký số trên tệp PDF", "The PDF's own signatures"),
            "</h2>\n",
        )
        .el("<p class=\"lead\"><b>", headline, "</b></p>\n");
    // Why not valid (the headline already says valid ones are).
    if pdf.reason.is_some() {
        h.el(
            "<p id=\"pdf-reason\">",
            lang.message(pdf.message()),
            "</p>\n",
        );
    }
    if pdf.development {
        let m = Reason::PdfDevelopmentCertificate.message();
        h.el(
            "<p id=\"pdf-development\" style=\"color:#8a5300;font-weight:700\">⚠ ",
            lang.message(m),
            "</p>\n",
        );
    }
    if !pdf.signatures.is_empty() {
        h.raw("<ul class=\"checks\">\n");
        for (i, s) in pdf.signatures.iter().enumerate() {
            signature(h, lang, i, s);
        }
        h.raw("</ul>\n");
    }
    // Whether the seal is the school's is said only of a seal whose certificate was read.
    let seal_read = pdf
        .signatures
        .last()
        .is_some_and(|s| s.certificate_sha256.is_some());
    match pdf.seal_bound {
        Some(_) if !seal_read => {}
        Some(bound) => {
            h.raw("<p id=\"pdf-seal\" data-bound=\"")
                .raw(if bound { "true" } else { "false" })
                .raw("\">")
                .text(if bound {
                    lang.pick(
                        "Con dấu số đúng là của nhà trường trong danh sách tin cậy.",
                        "The seal is the one the trust list registers for the school.",
                    )
                } else {
                    lang.pick(
                        "Con dấu số không phải của nhà trường trong danh sách tin cậy.",
                        "The seal is not the one the trust list registers for the school.",
                    )
                })
                .raw("</p>\n");
        }
        None if pdf.status != PdfStatus::Unsigned => {
            h.el(
                "<p id=\"pdf-seal\" data-bound=\"unknown\">",
                lang.pick(
                    "Danh sách tin cậy không đăng ký con dấu số của nhà trường.",
                    "The trust list registers no seal for the school.",
                ),
                "</p>\n",
            );
        }
        None => {}
    }
    h.raw("</section>\n");
}

fn signature(h: &mut Html, lang: Lang, i: usize, s: &crate::pdf::signatures::PdfSignature) {
    let (class, result, mark) = match s.result {
        SignatureResult::Valid => ("passed", "valid", "✓"),
        SignatureResult::Invalid => ("failed", "invalid", "✗"),
        SignatureResult::NotChecked => ("warning", "not_checked", "!"),
    };
    let role = match i {
        0 => lang.pick("Người ký", "Signed by"),
        _ => lang.pick("Đóng dấu", "Sealed by"),
    };
    h.raw("<li class=\"o-")
        .raw(class)
        .raw("\" data-signature=\"")
        .raw(&(i + 1).to_string())
        .raw("\" data-result=\"")
        .raw(result)
        .raw("\"><span class=\"mark\" aria-hidden=\"true\">")
        .raw(mark)
        .raw("</span><span><b>")
        .text(role)
        .raw(":</b> ")
        .text(if s.signer.is_empty() {
            lang.pick("(không đọc được)", "(unreadable)")
        } else {
            &s.signer
        });
    if let Some(at) = s.signed_at {
        h.text(lang.pick(", lúc ", ", at ")).text(&when(at));
    }
    if let Some(reason) = s.reason {
        h.raw(" — ").text(lang.message(reason.message()));
    }
    if !s.chain.is_empty() {
        h.el(
            "<small>",
            &format!(
                "{}: {}",
                lang.pick("Chuỗi chứng thư", "Certificate chain"),
                s.chain.join(" → ")
            ),
            "</small>",
        );
    }
    // The technical detail is English: on the English page only.
    if s.result == SignatureResult::Invalid
        && lang == Lang::En
        && let Some(detail) = &s.detail
    {
        h.el("<small class=\"mono\">", detail, "</small>");
    }
    h.raw("</span></li>\n");
}

/// `YYYY-MM-DD HH:MM UTC`.
fn when(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute()
    )
}
