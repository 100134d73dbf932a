//! A PDF-signing key held in a PKCS#8 PEM file (the development PKI's keys).

use std::path::Path;

use rcgen::{KeyPair, PKCS_ECDSA_P256_SHA256, PKCS_RSA_SHA256, SigningKey};

use crate::error::IssuerError;
use crate::seal_key::{SealAlgorithm, SealKey};

/// A [`SealKey`] read from a PEM file: ECDSA P-256 or RSA, signing with SHA-256 (ring).
pub struct PemSealKey {
    key: KeyPair,
    algorithm: SealAlgorithm,
}

impl std::fmt::Debug for PemSealKey {
    /// The key itself is never shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PemSealKey")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl PemSealKey {
    /// The key of PKCS#8 PEM text; `path` only names it in errors.
    pub fn from_pem(pem: &str, path: &Path) -> Result<Self, IssuerError> {
        let bad = |problem: String| IssuerError::BadKeyFile {
            path: path.to_path_buf(),
            problem,
        };
        let key = KeyPair::from_pem(pem).map_err(|e| bad(e.to_string()))?;
        let algorithm = if key.algorithm() == &PKCS_ECDSA_P256_SHA256 {
            SealAlgorithm::EcdsaP256Sha256
        } else if key.algorithm() == &PKCS_RSA_SHA256 {
            SealAlgorithm::RsaPkcs1Sha256
        } else {
            return Err(bad(
                "a PDF-signing key must be ECDSA P-256 or RSA (PKCS#1 v1.5, SHA-256)".into(),
            ));
        };
        Ok(Self { key, algorithm })
    }
}

impl SealKey for PemSealKey {
    fn algorithm(&self) -> SealAlgorithm {
        self.algorithm
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, IssuerError> {
        self.key
            .sign(message)
            .map_err(|e| IssuerError::PdfSignature {
                problem: format!("the PEM seal key did not sign: {e}"),
            })
    }
}
