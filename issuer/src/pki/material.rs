//! A school's PDF signers read from a PKI folder: the principal's personal key and the school's
//! seal, each with its certificate chain (leaf first, root last).
//!
//! A key file that other users can read is refused unless its certificate is development
//! material (the committed `keys/dev/pki/`, public on purpose), as for the credential keys.

use std::path::Path;
use std::sync::Arc;

use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

use super::files;
use super::pem_key::PemSealKey;
use super::profile::is_development;
use crate::error::IssuerError;
use crate::seal_key::SealKey;

/// A key and the certificates that vouch for it.
#[derive(Debug, Clone)]
pub struct CertifiedKey {
    /// The key; a PEM file or a token object.
    pub key: Arc<dyn SealKey>,
    /// DER certificates, the key's own first, the root last.
    pub chain: Vec<Vec<u8>>,
    /// The subject's common name (the person, or the school for a seal).
    pub name: String,
    /// Whether the certificate is development material (the PDF then carries the band).
    pub development: bool,
    /// `chain` parsed once, for every signature the key makes (a PDF signature embeds them).
    parsed: Arc<[Certificate]>,
}

impl CertifiedKey {
    /// The key `key` certified by `chain` (DER, leaf first): its name and development mark read
    /// from the leaf.
    pub fn new(key: Arc<dyn SealKey>, chain: Vec<Vec<u8>>) -> Result<Self, IssuerError> {
        if chain.is_empty() {
            return Err(IssuerError::PdfSignature {
                problem: "a PDF signer needs its certificate".into(),
            });
        }
        let mut parsed = Vec::with_capacity(chain.len());
        for (i, der) in chain.iter().enumerate() {
            parsed.push(
                Certificate::from_der(der).map_err(|e| IssuerError::PdfSignature {
                    problem: if i == 0 {
                        format!("the signer's certificate does not parse: {e}")
                    } else {
                        format!(
                            "certificate {} of the signer's chain does not parse: {e}",
                            i + 1
                        )
                    },
                })?,
            );
        }
        let leaf = &parsed[0];
        Ok(Self {
            key,
            name: common_name(leaf).unwrap_or_else(|| leaf.tbs_certificate().subject().to_string()),
            development: parsed
                .iter()
                .any(|c| is_development(&c.tbs_certificate().subject().to_string())),
            chain,
            parsed: parsed.into(),
        })
    }

    /// The certificates of [`CertifiedKey::chain`], parsed: the key's own first.
    pub fn certificates(&self) -> &[Certificate] {
        &self.parsed
    }
}

/// The subject's CN of `cert`, if it has one.
pub(crate) fn common_name(cert: &Certificate) -> Option<String> {
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
                .or_else(|| {
                    atv.value
                        .decode_as::<der::asn1::PrintableStringRef<'_>>()
                        .map(|s| s.as_str().to_owned())
                        .ok()
                })
        })
}

/// A school's PDF signers.
#[derive(Debug, Clone)]
pub struct SchoolPki {
    /// The approving principal (individual signature), signs first.
    pub principal: Option<CertifiedKey>,
    /// The school seal (institution signature), signs last.
    pub seal: CertifiedKey,
}

impl SchoolPki {
    /// Whether any of the signers is development material.
    pub fn development(&self) -> bool {
        self.seal.development || self.principal.as_ref().is_some_and(|p| p.development)
    }
}

/// Lowercase hex SHA-256 of `der` (a certificate's fingerprint, as the trust list binds it).
pub fn sha256_fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> IssuerError + '_ {
    move |source| IssuerError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn read_chain(path: &Path, root: &[u8]) -> Result<Vec<Vec<u8>>, IssuerError> {
    let text = std::fs::read(path).map_err(io(path))?;
    let certs = Certificate::load_pem_chain(&text).map_err(|e| IssuerError::PdfSignature {
        problem: format!("{}: not a PEM certificate ({e})", path.display()),
    })?;
    let mut chain = Vec::with_capacity(certs.len() + 1);
    for c in certs {
        chain.push(c.to_der().map_err(|e| IssuerError::PdfSignature {
            problem: format!("{}: {e}", path.display()),
        })?);
    }
    if chain.last().map(Vec::as_slice) != Some(root) {
        chain.push(root.to_vec());
    }
    Ok(chain)
}

/// Read the certificate `cert` and the key `key` of `dir`, chained up to `root` (DER).
pub fn load_pair(
    dir: &Path,
    cert: &str,
    key: &str,
    root: &[u8],
) -> Result<CertifiedKey, IssuerError> {
    let chain = read_chain(&dir.join(cert), root)?;
    let key_path = dir.join(key);
    let pem = std::fs::read_to_string(&key_path).map_err(io(&key_path))?;
    let seal = PemSealKey::from_pem(&pem, &key_path)?;
    let certified = CertifiedKey::new(Arc::new(seal), chain)?;
    #[cfg(unix)]
    if !certified.development {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_path)
            .map_err(io(&key_path))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(IssuerError::KeyFileTooOpen {
                path: key_path,
                mode: mode & 0o777,
            });
        }
    }
    Ok(certified)
}

/// The signers of school `code` in PKI folder `dir`: `None` when the folder has no seal
/// certificate for the school (its PDFs are then not PAdES-signed).
pub fn load_school(dir: &Path, code: &str) -> Result<Option<SchoolPki>, IssuerError> {
    if !dir.join(files::seal_cert(code)).is_file() {
        return Ok(None);
    }
    let root = read_root(dir)?;
    let seal = load_pair(dir, &files::seal_cert(code), &files::seal_key(code), &root)?;
    let principal = load_principal_pem(dir, code, &root)?;
    Ok(Some(SchoolPki { principal, seal }))
}

/// The principal's certificate and PEM key of school `code` in `dir`, or `None` when the folder
/// has no principal's certificate for the school.
pub fn load_principal_pem(
    dir: &Path,
    code: &str,
    root: &[u8],
) -> Result<Option<CertifiedKey>, IssuerError> {
    if !dir.join(files::principal_cert(code)).is_file() {
        return Ok(None);
    }
    load_pair(
        dir,
        &files::principal_cert(code),
        &files::principal_key(code),
        root,
    )
    .map(Some)
}

/// The root certificate (DER) of PKI folder `dir`.
pub fn read_root(dir: &Path) -> Result<Vec<u8>, IssuerError> {
    let root_path = dir.join(files::ROOT_CERT);
    let root_pem = std::fs::read(&root_path).map_err(io(&root_path))?;
    Certificate::load_pem_chain(&root_pem)
        .ok()
        .and_then(|c| c.into_iter().next())
        .and_then(|c| c.to_der().ok())
        .ok_or_else(|| IssuerError::PdfSignature {
            problem: format!("{}: not a PEM certificate", root_path.display()),
        })
}

/// The key `key` (on a token) certified by the certificate file `cert` of PKI folder `dir`,
/// chained up to the folder's root.
pub fn certify(dir: &Path, cert: &str, key: Arc<dyn SealKey>) -> Result<CertifiedKey, IssuerError> {
    let root = read_root(dir)?;
    CertifiedKey::new(key, read_chain(&dir.join(cert), &root)?)
}
