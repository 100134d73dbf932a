//! Development trust, fenced off: the public development authority key.
//!
//! `keys/dev/` holds keys that are public (they are in the repository) and must never sign real
//! records. A verifier that trusts [`dev_authority`] accepts whatever anyone signs with them;
//! `hocba-verify` uses it only when no `--authority` is given, and says so on stderr.

use ed25519_dalek::VerifyingKey;

use crate::error::VerifyError;
use crate::trust_list::TrustedAuthority;

/// The development authority public key, SPKI PEM (`openssl pkey -pubout` of
/// `keys/dev/authority.pem`), embedded at compile time.
pub const DEV_AUTHORITY_PUBLIC_PEM: &str = include_str!("../../keys/dev/authority.pub.pem");

/// The development trust list (`keys/dev/trust-list.json`, signed by the development
/// authority), embedded at compile time: what `hocba-verify` checks against when no trust
/// material is given and no `--authority` either, so it works outside the repository.
pub const DEV_TRUST_LIST_JSON: &str = include_str!("../../keys/dev/trust-list.json");

/// The development authority public key. Public; never for real records.
pub fn dev_authority_key() -> Result<VerifyingKey, VerifyError> {
    TrustedAuthority::from_pem(DEV_AUTHORITY_PUBLIC_PEM).map(|a| *a.key())
}

/// The development authority, pinned. Public; never for real records.
pub fn dev_authority() -> Result<TrustedAuthority, VerifyError> {
    TrustedAuthority::from_pem(DEV_AUTHORITY_PUBLIC_PEM)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_dev_key_parses() {
        let authority = dev_authority().expect("keys/dev/authority.pub.pem is an Ed25519 SPKI PEM");
        assert!(authority.public_key_multibase().starts_with("z6Mk"));
        assert_eq!(dev_authority_key().ok(), Some(*authority.key()));
    }
}
