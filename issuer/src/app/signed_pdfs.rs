//! PDFs signed by the principal with a key on a token, the PIN given at signing time.
//!
//! Where the principals' keys are on tokens (`serve --principal-token`,
//! [`crate::token::principal`]), a signing batch needs the principal's PIN
//! (`principalPin`, or the PIN field of the sign form):
//!
//! * before anything is signed or any batch row made, the principal's token is opened with
//!   the PIN ([`Issuer::batch_pdf_signers`]): a missing, wrong or locked PIN is
//!   [`IssuerError::PrincipalPin`] and nothing is signed; a PIN where the keys are PEM files is
//!   refused too (it would be ignored: better said);
//! * the batch signs the credentials as always, then renders each credential's PDF and signs
//!   it, first with the principal's key (the token), then with the school seal (the school's
//!   token when it holds `seal-<code>`, else the PEM key of the PKI folder), and stores it
//!   ([`Issuer::sign_batch_pdfs`], `store/signed_pdfs.rs`). Records signed before that have no
//!   stored PDF yet get theirs too;
//! * the signers are dropped when the batch ends: the principal's token session is closed
//!   (the token logs out) and the PIN zeroised;
//! * downloads hand out the stored PDF ([`super::render`]); a credential without one says to
//!   sign its record again with the PIN. A PDF signed by a person cannot be made again
//!   without that person, so it is made once and kept.
//!
//! Certificates come from the PKI folder beside the trust list (`<trust dir>/pki/`:
//! `principal-<code>.pem`, `seal-<code>.pem`, `root-ca.pem`).
//!
//! [`school_pdf_signers`] is the one way to get a school's PDF signers: a `serve` batch and the
//! commands `pdf` and `issue` (`--principal-token`) all go through it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use time::OffsetDateTime;

use super::Issuer;
use crate::error::IssuerError;
use crate::keys::source::KeySource;
use crate::pki::{
    CertifiedKey, SchoolPki, certify, files, load_pair, load_principal_pem, read_root,
};
use crate::seal_key::SealKey;
use crate::store::{School, Scope};
use crate::token::TokenSealKey;
use crate::token::principal::{PrincipalPin, PrincipalTokens, UnlockedPrincipal};

/// PDFs rendered and signed at a time (one parallel pass, then stored).
const PDF_CHUNK: usize = 32;

/// The PDF signers of one batch: the principal's key (on its token, unlocked with the PIN, or
/// a PEM file) and the seal.
#[derive(Debug)]
pub struct BatchPdfSigners {
    pki: SchoolPki,
    _principal: Option<UnlockedPrincipal>,
}

impl BatchPdfSigners {
    /// The signers, as the PDF renderer takes them.
    pub fn pki(&self) -> &SchoolPki {
        &self.pki
    }
}

/// The principal's key on a token and the PIN that unlocks it for one batch.
#[derive(Debug, Clone, Copy)]
pub struct PrincipalUnlock<'a> {
    /// Where the principals' keys are.
    pub tokens: &'a PrincipalTokens,
    /// The principal's PIN.
    pub pin: &'a PrincipalPin,
}

/// The PDF signers of school `code` for one batch: the one way `serve` (a batch with
/// `principalPin`) and the commands `pdf` and `issue` (`--principal-token`) get them.
///
/// * The certificates are those of PKI folder `pki_dir` (`principal-<code>.pem`,
///   `seal-<code>.pem`, `root-ca.pem`).
/// * With `principal`, the principal's key is on its token, opened with the PIN now (a wrong
///   PIN is [`IssuerError::PrincipalPin`] and nothing is signed); both certificates must be
///   there before the PIN is tried. Without, the principal signs with `principal-<code>.key.pem`
///   when the folder has the principal's certificate, and `None` is returned when the folder
///   has no seal certificate for the school (its PDFs are then not PAdES-signed).
/// * The seal is `seal-<code>` on the school's token when `keys` is a token holding it, else
///   `seal-<code>.key.pem` of the folder.
pub fn school_pdf_signers(
    pki_dir: &Path,
    keys: Option<&KeySource>,
    code: &str,
    principal: Option<PrincipalUnlock<'_>>,
) -> Result<Option<BatchPdfSigners>, IssuerError> {
    let Some(unlock) = principal else {
        if !pki_dir.join(files::seal_cert(code)).is_file() {
            return Ok(None);
        }
        let seal = seal_signer(pki_dir, keys, code)?;
        let principal = if pki_dir.join(files::principal_cert(code)).is_file() {
            load_principal_pem(pki_dir, code, &read_root(pki_dir)?)?
        } else {
            None
        };
        return Ok(Some(BatchPdfSigners {
            pki: SchoolPki { principal, seal },
            _principal: None,
        }));
    };
    for cert in [files::principal_cert(code), files::seal_cert(code)] {
        if !pki_dir.join(&cert).is_file() {
            return Err(IssuerError::NotSigned {
                problem: format!(
                    "the PDFs of school {code} cannot be signed: no certificate {} (nothing \
                     was signed; the principal's PIN was not tried)",
                    pki_dir.join(&cert).display()
                ),
            });
        }
    }
    let principal = unlock.tokens.unlock(code, unlock.pin)?;
    let key: Arc<dyn SealKey> = principal.key.clone();
    let principal_key = certify(pki_dir, &files::principal_cert(code), key)?;
    let seal = seal_signer(pki_dir, keys, code)?;
    Ok(Some(BatchPdfSigners {
        pki: SchoolPki {
            principal: Some(principal_key),
            seal,
        },
        _principal: Some(principal),
    }))
}

/// The school seal: `seal-<code>` on the school's token when the keys are on one and it holds
/// it, else the PEM key of the PKI folder.
fn seal_signer(
    dir: &Path,
    keys: Option<&KeySource>,
    code: &str,
) -> Result<CertifiedKey, IssuerError> {
    let label = format!("seal-{code}");
    if let Some(KeySource::Token { token, .. }) = keys
        && let Ok(key) = TokenSealKey::by_label(token, &label)
    {
        return certify(dir, &files::seal_cert(code), Arc::new(key));
    }
    if !dir.join(files::seal_key(code)).is_file() {
        return Err(IssuerError::NotSigned {
            problem: format!(
                "the PDFs of school {code} cannot be sealed: no key labelled {label} on the \
                 school's token and no {}",
                dir.join(files::seal_key(code)).display()
            ),
        });
    }
    let root = read_root(dir)?;
    load_pair(dir, &files::seal_cert(code), &files::seal_key(code), &root)
}

impl Issuer {
    /// Whether signing asks for the principal's PIN (the principals' keys are on tokens).
    pub fn principal_pin_needed(&self) -> bool {
        self.principal_tokens().is_some()
    }

    /// The PKI folder of the certificates (`pki/` beside the trust list).
    fn pki_dir(&self) -> Option<PathBuf> {
        self.keys().dir().map(|d| d.join("pki"))
    }

    /// The PDF signers of a batch of `school` (see the module documentation): `None` where
    /// the principals' keys are not on tokens (PDFs are then signed when handed out).
    pub fn batch_pdf_signers(
        &self,
        school: &School,
        pin: Option<&PrincipalPin>,
    ) -> Result<Option<BatchPdfSigners>, IssuerError> {
        let Some(tokens) = self.principal_tokens() else {
            if pin.is_some() {
                return Err(IssuerError::PrincipalPin {
                    code: "principal-pin-not-used",
                    message_vi: "Máy chủ này không dùng mã PIN của Hiệu trưởng (khoá ký của Hiệu \
                                 trưởng không nằm trên thiết bị ký số): hãy bỏ principalPin và \
                                 gửi lại. Không có hồ sơ nào được ký."
                        .to_owned(),
                    message_en: "This service does not use the principal's PIN (the principal's \
                                 key is not on a token): send the request again without \
                                 principalPin. Nothing was signed."
                        .to_owned(),
                });
            }
            return Ok(None);
        };
        let Some(pin) = pin else {
            return Err(missing_pin(tokens, &school.code));
        };
        let dir = self.pki_dir().ok_or_else(|| IssuerError::NotSigned {
            problem: "the PDFs cannot be signed: no PKI folder with the certificates (pki/ \
                      beside the trust list)"
                .to_owned(),
        })?;
        school_pdf_signers(
            &dir,
            self.keys().source(),
            &school.code,
            Some(PrincipalUnlock { tokens, pin }),
        )
    }

    /// Renders, signs (principal, then seal) and stores the PDF of each of `credential_ids`
    /// of `school` that has none yet. Returns `(credential id, reason)` for each PDF that could
    /// not be made; the others are stored.
    pub async fn sign_batch_pdfs(
        &self,
        school: &School,
        signers: &BatchPdfSigners,
        credential_ids: &[String],
        now: OffsetDateTime,
    ) -> Vec<(String, String)> {
        let store = self.store();
        let scope = Scope::School(school.id.clone());
        let mut failed = Vec::new();
        for ids in credential_ids.chunks(PDF_CHUNK) {
            let mut todo = Vec::with_capacity(ids.len());
            for id in ids {
                match store.signed_pdf(&school.id, id).await {
                    Ok(Some(_)) => continue,
                    Ok(None) => {}
                    Err(e) => {
                        failed.push((id.clone(), e.to_string()));
                        continue;
                    }
                }
                match store.credential(&scope, id).await {
                    Ok(c) => todo.push(c),
                    Err(e) => failed.push((id.clone(), e.to_string())),
                }
            }
            if todo.is_empty() {
                continue;
            }
            let ids: Vec<String> = todo.iter().map(|c| c.id.clone()).collect();
            match self
                .render_pdfs_with(school, todo, Some(signers.pki.clone()))
                .await
            {
                Ok(pdfs) => {
                    for (id, (_, bytes)) in ids.into_iter().zip(pdfs) {
                        if let Err(e) = store.put_signed_pdf(&school.id, &id, &bytes, now).await {
                            failed.push((id, e.to_string()));
                        }
                    }
                }
                Err(e) => failed.extend(ids.into_iter().map(|id| (id, e.to_string()))),
            }
        }
        failed
    }
}

/// [`IssuerError::PrincipalPin`] `principal-pin-required` for school `code`.
pub(crate) fn missing_pin(tokens: &PrincipalTokens, code: &str) -> IssuerError {
    IssuerError::PrincipalPin {
        code: "principal-pin-required",
        message_vi: format!(
            "Cần mã PIN chữ ký số của Hiệu trưởng để ký (khoá ký của Hiệu trưởng nằm \
             trên thiết bị {}): nhập mã PIN rồi ký lại. Không có hồ sơ nào được ký.",
            tokens.uri_for(code).token_name()
        ),
        message_en: format!(
            "The principal's PIN is needed to sign (the principal's key is on token {}): \
             give it as principalPin (the PIN field of the sign form) and sign again. \
             Nothing was signed.",
            tokens.uri_for(code).token_name()
        ),
    }
}
