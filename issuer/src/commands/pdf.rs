//! `hocba-issuer pdf`: render one signed credential as the printed học bạ (A4 PDF with the
//! school-signed QR summary and the credential embedded). The QR summary is signed by the key
//! that signed the credential, found in the key ring (`--keys`, default `keys/dev`) even when
//! it has been retired since, or given with `--key`.
//!
//! PAdES: the school's PDF signers come from
//! [`hocba_issuer::app::signed_pdfs::school_pdf_signers`], the function a `serve` batch uses:
//! certificates from the PKI folder (`--pki`, default `pki/` of the key directory, or of the
//! trust directory when `--keys` is a token), the seal `seal-<code>` on the `--keys` token when
//! it holds one (else the folder's PEM key), and the principal on a token of its own with
//! `--principal-token` (the PIN from its `pin-source=file:` or `HOCBA_PRINCIPAL_PIN`), else the
//! folder's PEM key. `issue` signs its PDFs the same way ([`PdfSigning`]).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use hocba_issuer::app::signed_pdfs::{BatchPdfSigners, PrincipalUnlock, school_pdf_signers};
use hocba_issuer::pdf::{PdfOptions, render_signed_pdf};
use hocba_issuer::token::is_pkcs11_uri;
use hocba_issuer::token::principal::{PrincipalPin, PrincipalTokens};
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
    (pki, principal_token): (Option<&Path>, Option<&str>),
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
    let school_code = value
        .pointer("/credentialSubject/school/code")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let signing = PdfSigning::new(&material, keys, pki, principal_token)?;
    let signers = signing.signers(school_code)?;
    let school_pki = signers.as_ref().map(BatchPdfSigners::pki);
    let rendered = render_signed_pdf(
        &value,
        key,
        &PdfOptions {
            verifier_url: verifier_url.to_owned(),
        },
        school_pki,
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

/// How a command signs its PDFs (see the module documentation): the PKI folder, the school's
/// keys, and the principal's token with its PIN when `--principal-token` is given.
pub(crate) struct PdfSigning<'a> {
    pki_dir: PathBuf,
    material: &'a KeyMaterial,
    principal: Option<(PrincipalTokens, PrincipalPin)>,
}

impl<'a> PdfSigning<'a> {
    /// `--pki` and `--principal-token` of a command whose keys are `material` (from `keys`).
    /// The principal's PIN is read here, once for the run.
    pub(crate) fn new(
        material: &'a KeyMaterial,
        keys: &KeyArgs,
        pki: Option<&Path>,
        principal_token: Option<&str>,
    ) -> Result<Self> {
        let pki_dir = match (pki, &material.ring) {
            (Some(dir), _) => dir.to_path_buf(),
            // A token holds no certificates: they are beside the trust list.
            (None, Some(ring)) if is_pkcs11_uri(&keys.keys.to_string_lossy()) => {
                ring.dir().join("pki")
            }
            (None, _) => keys.keys.join("pki"),
        };
        let principal = principal_token
            .map(PrincipalTokens::for_command)
            .transpose()
            .context("--principal-token")?;
        Ok(Self {
            pki_dir,
            material,
            principal,
        })
    }

    /// The PDF signers of school `code` (the principal's token unlocked now, for this run),
    /// or `None` when the PKI folder has no seal certificate for it and no principal's token
    /// is given. Warns when they are development certificates.
    pub(crate) fn signers(&self, code: &str) -> Result<Option<BatchPdfSigners>> {
        let source = self.material.ring.as_ref().map(|r| r.source());
        let signers = school_pdf_signers(
            &self.pki_dir,
            source,
            code,
            self.principal
                .as_ref()
                .map(|(tokens, pin)| PrincipalUnlock { tokens, pin }),
        )?;
        if signers.as_ref().is_some_and(|s| s.pki().development()) {
            eprintln!(
                "warning: the PDFs are signed with the public development certificates of {}: \
                 they carry the band \"{}\" and have no legal value",
                self.pki_dir.display(),
                hocba_issuer::pdf::pades::DEVELOPMENT_BAND
            );
        }
        Ok(signers)
    }
}
