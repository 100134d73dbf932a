//! `hocba-issuer pdf`: render one signed credential as the printed học bạ (A4 PDF with the
//! school-signed QR summary and the credential embedded). The QR summary is signed by the key
//! that signed the credential, found in the key ring (`--keys`, default `keys/dev`) even when
//! it has been retired since, or given with `--key`.

use std::path::Path;

use anyhow::{Context, Result, anyhow};
use hocba_issuer::pdf::{PdfOptions, render_signed_pdf};
use serde_json::Value;
use time::OffsetDateTime;

use super::{KeyMaterial, MAX_INPUT_BYTES, read_capped};
use crate::cli::KeyArgs;

/// Render `credential` to `out`.
pub(crate) fn run(
    credential: &Path,
    out: &Path,
    keys: &KeyArgs,
    verifier_url: &str,
    pki: Option<&Path>,
    now: OffsetDateTime,
) -> Result<()> {
    let bytes = read_capped(credential, MAX_INPUT_BYTES)?;
    let value: Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not JSON", credential.display()))?;
    let proof_key = value
        .get("proof")
        .and_then(|p| p.get("verificationMethod"))
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("{} is not signed (no proof)", credential.display()))?;
    // A --key is checked against the credential's own key below, not for use "now": it may
    // have been retired since the credential was signed.
    let material = KeyMaterial::load(keys, signed_at(&value).unwrap_or(now))?;
    let signer = match (&material.key, &material.ring) {
        (Some(key), _) => {
            let multibase = key.key().public_key_multibase();
            if !proof_key.ends_with(&format!("#{multibase}")) {
                return Err(anyhow!(
                    "the credential was signed by {proof_key}, not by the key given ({multibase}): \
                     the QR summary must be signed by the same school key"
                ));
            }
            None
        }
        (None, Some(ring)) => Some(ring.signer_of(&material.trust, &value)?),
        (None, None) => return Err(anyhow!("no key: give --keys DIR or --key FILE")),
    };
    let key = match (&signer, &material.key) {
        (Some(s), _) => s.key(),
        (None, Some(k)) => k.key(),
        (None, None) => return Err(anyhow!("no key: give --keys DIR or --key FILE")),
    };
    let pki_dir = pki.map_or_else(|| keys.keys.join("pki"), Path::to_path_buf);
    let school_code = value
        .pointer("/credentialSubject/school/code")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let school_pki = hocba_issuer::pki::load_school(&pki_dir, school_code)?;
    if school_pki.as_ref().is_some_and(|p| p.development()) {
        eprintln!(
            "warning: the PDF is signed with the public development certificates of {}: it \
             carries the band \"{}\" and has no legal value",
            pki_dir.display(),
            hocba_issuer::pdf::pades::DEVELOPMENT_BAND
        );
    }
    let rendered = render_signed_pdf(
        &value,
        key,
        &PdfOptions {
            verifier_url: verifier_url.to_owned(),
        },
        school_pki.as_ref(),
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

/// The credential's `proof.created`.
fn signed_at(credential: &Value) -> Option<OffsetDateTime> {
    let text = credential.get("proof")?.get("created")?.as_str()?;
    hocba_schema::credential::parse_time("proof.created", text).ok()
}
