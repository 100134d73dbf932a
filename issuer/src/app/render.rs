//! The printed record of stored credentials: each PDF rendered from the credential byte for
//! byte as signed (embedded in the PDF), its QR summary signed by the key that signed the
//! credential — found even when retired since, never the school's current key — so a record
//! re-rendered after a rotation still verifies. Rendering runs on the blocking pool, many PDFs
//! across the cores; files are named by class and pupil ([`super::names`]), never by a
//! personal identification number. Every PDF handed out is audited as a copy.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::Value;
use time::OffsetDateTime;

use super::Issuer;
use crate::error::IssuerError;
use crate::pdf::{PdfOptions, render_all_signed, zip_class};
use crate::pki::SchoolPki;
use crate::signing::Signer;
use crate::store::{AuditEntry, Credential, School, Scope};

impl Issuer {
    /// Render `credentials` of school `school_id` on the blocking pool: `(file name, PDF)` each,
    /// file names unique.
    ///
    /// A credential whose PDF a batch signed and stored ([`super::signed_pdfs`]) gets that PDF
    /// as stored. Where the principals' keys are on tokens, a credential without one is
    /// [`IssuerError::NotSigned`]: its PDF can only be made by a batch with the principal's
    /// PIN.
    pub async fn render_pdfs(
        &self,
        school_id: &str,
        credentials: Vec<Credential>,
    ) -> Result<Vec<(String, Vec<u8>)>, IssuerError> {
        let school = self.store().school(school_id).await?;
        let mut stored = Vec::with_capacity(credentials.len());
        for c in &credentials {
            stored.push(self.store().signed_pdf(&school.id, &c.id).await?);
        }
        let on_token = self.principal_pin_needed();
        if on_token || stored.iter().any(Option::is_some) {
            let mut pdfs = Vec::with_capacity(credentials.len());
            let mut missing = Vec::new();
            for (c, pdf) in credentials.iter().zip(stored) {
                match pdf {
                    Some(pdf) => pdfs.push(Some(pdf)),
                    None if on_token => {
                        return Err(IssuerError::NotSigned {
                            problem: format!(
                                "the PDF of {} ({}) has not been signed by the principal yet: \
                                 sign its record again with the principal's PIN \
                                 (POST /api/v1/batches with recordIds and principalPin, or the \
                                 sign form)",
                                file_stem(c),
                                c.id
                            ),
                        });
                    }
                    None => {
                        missing.push(c.clone());
                        pdfs.push(None);
                    }
                }
            }
            let mut made = if missing.is_empty() {
                Vec::new()
            } else {
                self.render_pdfs_plain(&school, missing).await?
            }
            .into_iter();
            let pdfs = pdfs
                .into_iter()
                .map(|p| p.or_else(|| made.next().map(|(_, bytes)| bytes)))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| IssuerError::Internal("a PDF was not rendered".into()))?;
            return Ok(named(&credentials, pdfs));
        }
        self.render_pdfs_plain(&school, credentials).await
    }

    /// Render `credentials` with the PDF signers of the key directory's `pki/` folder.
    async fn render_pdfs_plain(
        &self,
        school: &School,
        credentials: Vec<Credential>,
    ) -> Result<Vec<(String, Vec<u8>)>, IssuerError> {
        // PAdES: the principal's and the seal's certificates of the key directory's `pki/`
        // folder, when it has a seal for this school (`crate::pki::load_school`).
        let pki = match self.keys().dir() {
            Some(dir) => crate::pki::load_school(&dir.join("pki"), &school.code)?,
            None => None,
        };
        self.render_pdfs_with(school, credentials, pki).await
    }

    /// Render `credentials` of `school`, PAdES-signed by `pki` when given.
    pub(crate) async fn render_pdfs_with(
        &self,
        school: &School,
        credentials: Vec<Credential>,
        pki: Option<SchoolPki>,
    ) -> Result<Vec<(String, Vec<u8>)>, IssuerError> {
        // Each PDF's QR summary is signed by the key that signed its credential (found even when
        // retired since), not by the school's current key: a record re-rendered after a rotation
        // must still verify.
        let mut signers: Vec<Arc<Signer>> = Vec::new();
        let mut signer_of = Vec::with_capacity(credentials.len());
        for c in &credentials {
            let vm = serde_json::from_str::<Value>(&c.credential_json)
                .ok()
                .and_then(|v| v["proof"]["verificationMethod"].as_str().map(str::to_owned));
            let known = signers
                .iter()
                .position(|s| Some(s.verification_method()) == vm.as_deref());
            let index = match known {
                Some(i) => i,
                None => {
                    let signer = self
                        .keys()
                        .signer_of(&school.code, &c.credential_json)
                        .map_err(|problem| IssuerError::NotSigned {
                            problem: format!(
                                "the QR summary of credential {} cannot be signed: {problem}",
                                c.id
                            ),
                        })?;
                    signers.push(Arc::new(signer));
                    signers.len() - 1
                }
            };
            signer_of.push(index);
        }
        let options = PdfOptions {
            verifier_url: self.settings().verifier_url.clone(),
        };
        tokio::task::spawn_blocking(move || {
            let mut rendered: Vec<Option<_>> = (0..credentials.len()).map(|_| None).collect();
            for (k, signer) in signers.iter().enumerate() {
                let mine: Vec<usize> = (0..credentials.len())
                    .filter(|&i| signer_of[i] == k)
                    .collect();
                let jsons: Vec<&str> = mine
                    .iter()
                    .map(|&i| credentials[i].credential_json.as_str())
                    .collect();
                for (i, pdf) in mine.into_iter().zip(render_all_signed(
                    &jsons,
                    signer.key(),
                    &options,
                    pki.as_ref(),
                )) {
                    rendered[i] = Some(pdf);
                }
            }
            let pdfs = credentials
                .iter()
                .zip(rendered)
                .map(|(c, r)| {
                    let r = r.ok_or_else(|| {
                        IssuerError::Internal(format!("PDF of {} not rendered", c.id))
                    })?;
                    let pdf =
                        r.map_err(|e| IssuerError::Internal(format!("PDF of {}: {e}", c.id)))?;
                    Ok(pdf.bytes)
                })
                .collect::<Result<Vec<_>, IssuerError>>()?;
            Ok(named(&credentials, pdfs))
        })
        .await
        .map_err(|e| IssuerError::Internal(format!("PDF task: {e}")))?
    }

    /// The PDF of credential `id` of `scope`, audited as handed to `actor`: `(file name,
    /// bytes)`.
    pub async fn credential_pdf(
        &self,
        scope: &Scope,
        id: &str,
        actor: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<(String, Vec<u8>), IssuerError> {
        let credential = self.store().credential(scope, id).await?;
        let pdf = self
            .render_pdfs(&credential.school_id, vec![credential.clone()])
            .await?
            .pop()
            .ok_or_else(|| IssuerError::Internal(format!("PDF of {id} not rendered")))?;
        self.audit_pdf(actor, &credential, "api", now).await?;
        Ok(pdf)
    }

    /// A ZIP of the PDFs of the credentials of a class that are not revoked, each named by
    /// class and pupil; each audited as handed to `actor`.
    pub async fn class_zip(
        &self,
        school: &School,
        school_year: &str,
        class_name: &str,
        actor: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Vec<u8>, IssuerError> {
        let list: Vec<Credential> = self
            .store()
            .list_class_credentials(&school.id, school_year, class_name)
            .await?
            .into_iter()
            .filter(|c| c.revoked_at.is_none())
            .collect();
        let pdfs = self.render_pdfs(&school.id, list.clone()).await?;
        let zip = tokio::task::spawn_blocking(move || {
            zip_class(
                pdfs.iter()
                    .map(|(name, bytes)| (name.as_str(), bytes.as_slice())),
            )
        })
        .await
        .map_err(|e| IssuerError::Internal(format!("ZIP task: {e}")))?
        .map_err(|e| IssuerError::Internal(e.to_string()))?;
        for credential in &list {
            self.audit_pdf(actor, credential, "api-zip", now).await?;
        }
        Ok(zip)
    }

    /// Audits `credential` handed out as a PDF through `channel`, to `actor`.
    pub async fn audit_pdf(
        &self,
        actor: Option<&str>,
        credential: &Credential,
        channel: &str,
        now: OffsetDateTime,
    ) -> Result<(), IssuerError> {
        self.store()
            .append_audit(&AuditEntry {
                at: now,
                school_id: Some(credential.school_id.clone()),
                user_id: actor.map(str::to_owned),
                action: "pdf".to_owned(),
                subject: credential.id.clone(),
                details_json:
                    serde_json::json!({ "channel": channel, "sha256": credential.sha256 })
                        .to_string(),
            })
            .await?;
        Ok(())
    }
}

/// `(file name, PDF)` of each credential, file names unique.
fn named(credentials: &[Credential], pdfs: Vec<Vec<u8>>) -> Vec<(String, Vec<u8>)> {
    let mut seen = HashSet::new();
    credentials
        .iter()
        .zip(pdfs)
        .map(|(c, pdf)| {
            let mut name = file_stem(c);
            if !seen.insert(name.clone()) {
                name = format!("{name}-{}", safe(&c.id));
                seen.insert(name.clone());
            }
            (format!("{name}.pdf"), pdf)
        })
        .collect()
}

/// `<class>-<pupil name in ASCII>-<short id>` of a stored credential
/// ([`crate::app::names`]; its id when the names are missing).
fn file_stem(c: &Credential) -> String {
    match crate::app::names::credential_pupil(&c.credential_json) {
        Some((name, class)) => crate::app::names::file_stem(&class, &name, &c.id),
        None => safe(&c.id),
    }
}

/// ASCII letters, digits and `-` only.
pub(crate) fn safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
