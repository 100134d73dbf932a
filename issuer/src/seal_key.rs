//! The key behind a PDF signature (PAdES): a school's seal or a principal's personal key.
//!
//! It is held either in a PEM file (the development PKI under `keys/dev/pki/`) or on a PKCS#11
//! token (a USB token or a remote-signing service); either way the private key stays where it is
//! held and only signatures come out. The PDF signer (`pdf::pades`) sees this trait alone, so a
//! token and a file sign through the same code.

use crate::error::IssuerError;

/// How a PDF-signing key signs: what its certificate's public key says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealAlgorithm {
    /// RSA PKCS#1 v1.5 with SHA-256 (`sha256WithRSAEncryption`).
    RsaPkcs1Sha256,
    /// ECDSA on P-256 with SHA-256; the signature DER-encoded, as CMS carries it.
    EcdsaP256Sha256,
}

/// A key that signs the CMS signed attributes of a PDF signature.
pub trait SealKey: Send + Sync + std::fmt::Debug {
    /// The signature algorithm of this key.
    fn algorithm(&self) -> SealAlgorithm;

    /// Sign `message` (the DER of the CMS `SignedAttributes`): the key hashes it with SHA-256
    /// and returns the signature as CMS carries it (RSA: the raw block; ECDSA: DER `r, s`).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, IssuerError>;
}
