//! `hocba-issuer pdf`: render one signed credential as the printed học bạ (A4 PDF with the
//! school-signed QR summary and the credential embedded).

use std::path::Path;

use anyhow::{Context, Result, anyhow};
use hocba_issuer::keys::KeyPair;
use hocba_issuer::pdf::{PdfOptions, render_pdf};
use serde_json::Value;

use super::{MAX_INPUT_BYTES, read_capped, warn_if_dev};

/// Render `credential` to `out`; `key` (the school key that signed it) signs the QR summary.
pub(crate) fn run(credential: &Path, out: &Path, key: &Path, verifier_url: &str) -> Result<()> {
    let key = KeyPair::load(key)?;
    warn_if_dev(&key);
    let bytes = read_capped(credential, MAX_INPUT_BYTES)?;
    let value: Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not JSON", credential.display()))?;
    let proof_key = value
        .get("proof")
        .and_then(|p| p.get("verificationMethod"))
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("{} is not signed (no proof)", credential.display()))?;
    let multibase = key.public_key_multibase();
    if !proof_key.ends_with(&format!("#{multibase}")) {
        return Err(anyhow!(
            "the credential was signed by {proof_key}, not by the key given ({multibase}): \
             the QR summary must be signed by the same school key"
        ));
    }
    let rendered = render_pdf(
        &value,
        &key,
        &PdfOptions {
            verifier_url: verifier_url.to_owned(),
        },
    )?;
    std::fs::write(out, &rendered.bytes).with_context(|| format!("writing {}", out.display()))?;
    eprintln!(
        "{}: {} bytes, {} page(s), QR version {} (level Q), summary {} bytes",
        out.display(),
        rendered.bytes.len(),
        rendered.pages,
        rendered.qr_version,
        rendered.summary_bytes
    );
    Ok(())
}
