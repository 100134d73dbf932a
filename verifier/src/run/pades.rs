//! `hocba-verify RECORD.pdf [--pki-root FILE]`: the PDF's own signatures (PAdES), reported
//! beside the verdict of the credential it embeds: the member `pdfSignatures` of the verdict's
//! JSON object with `--json` (still one object per input), a text block after it otherwise.

use std::io::{self, Write};
use std::path::Path;

use anyhow::{Context, Result, anyhow};
use hocba_verifier::VerifiedTrustList;
use hocba_verifier::pdf::signatures::{
    PdfSignatures, PdfStatus, PdfTrust, SignatureResult, check_pdf_signatures, check_record_pdf,
};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Largest root certificate file read.
const MAX_ROOT_BYTES: usize = 64 << 10;

/// The DER of the (first) certificate in the PEM or DER file `path`.
pub(super) fn read_root(path: &Path) -> Result<Vec<u8>> {
    let bytes = super::material::read_capped(path, MAX_ROOT_BYTES, "PKI root certificate")?;
    if bytes.starts_with(b"-----BEGIN") {
        use der::Encode;
        let cert = x509_cert::Certificate::load_pem_chain(&bytes)
            .ok()
            .and_then(|c| c.into_iter().next())
            .ok_or_else(|| anyhow!("{}: not a PEM certificate", path.display()))?;
        return cert
            .to_der()
            .with_context(|| format!("{}: the certificate does not encode", path.display()));
    }
    Ok(bytes)
}

/// The signatures of `pdf`, whose embedded credential is `credential`: the seal checked
/// against the trust list's fingerprint for the credential's school.
pub(super) fn check(
    pdf: &[u8],
    credential: &[u8],
    list: Option<&VerifiedTrustList>,
    root: Option<&[u8]>,
    now: OffsetDateTime,
) -> Result<PdfSignatures> {
    let issuer = serde_json::from_slice::<Value>(credential)
        .ok()
        .and_then(|v| {
            v.pointer("/issuer/id")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
    match list {
        Some(list) => Ok(check_record_pdf(pdf, issuer.as_deref(), list, root, now)?),
        None => Ok(check_pdf_signatures(
            pdf,
            &PdfTrust {
                root,
                seal_sha256: None,
            },
            now,
        )?),
    }
}

/// Write the text report of `signatures` for `label` (with `--json` they are the member
/// `pdfSignatures` of the verdict's object instead).
pub(super) fn write(
    out: &mut impl Write,
    label: &str,
    signatures: &PdfSignatures,
) -> io::Result<()> {
    let headline = match signatures.status {
        PdfStatus::Unsigned => "PDF KHÔNG CÓ CHỮ KÝ SỐ / PDF NOT SIGNED",
        PdfStatus::Valid => "CHỮ KÝ PDF HỢP LỆ / PDF SIGNATURES VALID",
        PdfStatus::Invalid => "CHỮ KÝ PDF KHÔNG HỢP LỆ / PDF SIGNATURES NOT VALID",
        PdfStatus::NotChecked => "CHỮ KÝ PDF CHƯA KIỂM TRA ĐỦ / PDF SIGNATURES NOT FULLY CHECKED",
    };
    writeln!(out, "{label} — chữ ký PDF / PDF signatures: {headline}")?;
    let message = signatures.message();
    writeln!(out, "  {}\n  {}", message.vi, message.en)?;
    if signatures.development {
        let m = hocba_verifier::Reason::PdfDevelopmentCertificate.message();
        writeln!(out, "  ⚠ {}\n  ⚠ {}", m.vi, m.en)?;
    }
    for (i, s) in signatures.signatures.iter().enumerate() {
        let mark = match s.result {
            SignatureResult::Valid => "✓",
            SignatureResult::Invalid => "✗",
            SignatureResult::NotChecked => "?",
        };
        let at = s
            .signed_at
            .and_then(|t| t.format(&Rfc3339).ok())
            .unwrap_or_else(|| "—".into());
        writeln!(
            out,
            "  {mark} #{} {} — ký bởi / signed by: {} — lúc / at {at}{}",
            i + 1,
            s.field,
            if s.signer.is_empty() { "?" } else { &s.signer },
            if s.covers_whole_file {
                " — toàn bộ tệp / whole file"
            } else {
                ""
            }
        )?;
        if !s.chain.is_empty() {
            writeln!(out, "      chuỗi / chain: {}", s.chain.join(" → "))?;
        }
        if let Some(reason) = s.reason {
            writeln!(
                out,
                "      {} ({reason}){}",
                reason.message().vi,
                s.detail
                    .as_deref()
                    .map(|d| format!(": {d}"))
                    .unwrap_or_default()
            )?;
        }
    }
    match signatures.seal_bound {
        Some(true) => writeln!(
            out,
            "  Con dấu số đúng là của trường trong danh sách tin cậy / the seal is the school's in the trust list"
        )?,
        Some(false) => {}
        None if signatures.status != PdfStatus::Unsigned => writeln!(
            out,
            "  Danh sách tin cậy không đăng ký con dấu số của trường / the trust list registers no seal for the school"
        )?,
        None => {}
    }
    Ok(())
}
