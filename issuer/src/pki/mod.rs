//! X.509 material of the PDF signatures (PAdES): the development PKI that `hocba-issuer pki init`
//! makes, the certificates and PEM keys a school signs its PDFs with, read back from a folder.
//!
//! * `profile` — what a certificate says, on the model of the Government CA's (VGCA) profile:
//!   key usage digitalSignature + nonRepudiation, the organisation and its MOET code in the
//!   subject, a CRL distribution point; a seal names the school as CN and O, a personal
//!   certificate names the person as CN with givenName and surname.
//! * `init` — the development root, one seal and one principal certificate per demo school, and
//!   one certificate that had expired before any record was signed (for the tests).
//! * `pem_key` — [`PemSealKey`]: a [`crate::seal_key::SealKey`] held in a PKCS#8 PEM file.
//! * `material` — [`SchoolPki`]: a school's principal and seal, each a key with its chain,
//!   read from a PKI folder.
//!
//! Every key of the development PKI is ECDSA P-256 (small signatures; the token helper's RSA-2048
//! keys go through the same [`crate::seal_key::SealKey`] trait).

mod init;
mod material;
mod pem_key;
mod profile;

pub use init::{InitReport, init};
pub use material::{
    CertifiedKey, SchoolPki, certify, load_pair, load_principal_pem, load_school, read_root,
    sha256_fingerprint,
};
pub use pem_key::PemSealKey;
pub use profile::{DEVELOPMENT_MARK, is_development};

/// File names inside a PKI folder (`keys/dev/pki/`).
pub mod files {
    /// The root certificate (PEM) a verifier trusts (`hocba-verify --pki-root`).
    pub const ROOT_CERT: &str = "root-ca.pem";
    /// The root's private key (development only: a real root never sits beside the issuer).
    pub const ROOT_KEY: &str = "root-ca.key.pem";

    /// The seal certificate of school `code`.
    pub fn seal_cert(code: &str) -> String {
        format!("seal-{code}.pem")
    }
    /// The seal key of school `code`.
    pub fn seal_key(code: &str) -> String {
        format!("seal-{code}.key.pem")
    }
    /// The personal certificate of the principal of school `code` (no personal name in the
    /// file name).
    pub fn principal_cert(code: &str) -> String {
        format!("principal-{code}.pem")
    }
    /// The principal's key.
    pub fn principal_key(code: &str) -> String {
        format!("principal-{code}.key.pem")
    }
    /// A seal certificate of school `code` that expired in 2021, before any record (tests).
    pub fn expired_seal_cert(code: &str) -> String {
        format!("expired-seal-{code}.pem")
    }
    /// Its key.
    pub fn expired_seal_key(code: &str) -> String {
        format!("expired-seal-{code}.key.pem")
    }
}
