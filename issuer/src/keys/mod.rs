//! A school's Ed25519 credential key, wherever it is held.
//!
//! * [`KeyPair`] — on disk as PKCS#8 PEM (what `openssl pkey` reads), written with mode 0600
//!   and refused on load when other users can read them (public development keys excepted,
//!   see [`crate::danger`]).
//! * [`crate::token::TokenEd25519Key`] — on a PKCS#11 token; the key never leaves it.
//! * [`Ed25519Key`] — what signing needs of either: the public key and a signature that may
//!   fail (a token can be unplugged). [`source::KeySource`] says where a ring's keys are
//!   (`--keys DIR` or `--keys 'pkcs11:…'`).

pub mod source;

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::Path;

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use hocba_schema::multikey::encode_public_key;

use crate::danger;
use crate::error::IssuerError;

/// An Ed25519 signing key, in memory or on a token: the one thing [`crate::signing::Signer`]
/// and the PDF's QR summary sign with.
pub trait Ed25519Key: Send + Sync + fmt::Debug {
    /// The public key.
    fn verifying_key(&self) -> VerifyingKey;

    /// Ed25519 signature over `message` (RFC 8032; deterministic). Fails when the key's
    /// holder cannot sign (a token removed, a session lost); nothing else is returned then.
    fn try_sign(&self, message: &[u8]) -> Result<[u8; 64], IssuerError>;

    /// `z` + base58btc(0xed 0x01 ‖ public key).
    fn public_key_multibase(&self) -> String {
        encode_public_key(&self.verifying_key())
    }

    /// Where the key is held, for messages (never the key): `file` or the token and label.
    fn location(&self) -> String {
        "file".into()
    }
}

impl Ed25519Key for KeyPair {
    fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    fn try_sign(&self, message: &[u8]) -> Result<[u8; 64], IssuerError> {
        Ok(KeyPair::sign(self, message))
    }
}

/// An Ed25519 key pair. The secret half cannot be read out; it only signs.
pub struct KeyPair {
    signing: SigningKey,
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPair")
            .field("public", &self.public_key_multibase())
            .finish_non_exhaustive()
    }
}

impl KeyPair {
    /// A second handle on the same key (kept in memory only; for the key ring, which hands a
    /// [`Signer`](crate::signing::Signer) its own copy).
    pub fn duplicate(&self) -> Self {
        Self {
            signing: self.signing.clone(),
        }
    }

    /// A new key from the operating system's randomness.
    pub fn generate() -> Result<Self, IssuerError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| IssuerError::Random(e.to_string()))?;
        let key = Self::from_seed(&seed);
        seed.fill(0);
        Ok(key)
    }

    /// The key pair for a 32-byte Ed25519 seed (RFC 8032 secret key).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self {
            signing: SigningKey::from_bytes(seed),
        }
    }

    /// Parse a PKCS#8 PEM private key.
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, String> {
        SigningKey::from_pkcs8_pem(pem)
            .map(|signing| Self { signing })
            .map_err(|e| e.to_string())
    }

    /// Load a PKCS#8 PEM private key file, refusing files that other users can read unless the
    /// key is one of the public development keys.
    pub fn load(path: &Path) -> Result<Self, IssuerError> {
        let pem = fs::read_to_string(path).map_err(|source| IssuerError::Io {
            path: path.into(),
            source,
        })?;
        let key = Self::from_pkcs8_pem(&pem).map_err(|problem| IssuerError::BadKeyFile {
            path: path.into(),
            problem,
        })?;
        let mode = file_mode(path)?;
        if mode & 0o077 != 0 && !danger::is_dev_key(&key.verifying_key()) {
            return Err(IssuerError::KeyFileTooOpen {
                path: path.into(),
                mode: mode & 0o777,
            });
        }
        Ok(key)
    }

    /// Write the private key as PKCS#8 PEM to a new file with mode 0600; an existing file is
    /// never overwritten.
    pub fn write_new(&self, path: &Path) -> Result<(), IssuerError> {
        let pem =
            self.signing
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|e| IssuerError::BadKeyFile {
                    path: path.into(),
                    problem: e.to_string(),
                })?;
        let io = |source| IssuerError::Io {
            path: path.into(),
            source,
        };
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(io)?;
        file.write_all(pem.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)
    }

    /// The public key as SPKI PEM (`openssl pkey -pubout` format).
    pub fn public_key_pem(&self) -> String {
        self.verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap_or_default()
    }

    /// The public key.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// `z` + base58btc(0xed 0x01 ‖ public key).
    pub fn public_key_multibase(&self) -> String {
        encode_public_key(&self.verifying_key())
    }

    /// Ed25519 signature over `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }
}

#[cfg(unix)]
fn file_mode(path: &Path) -> Result<u32, IssuerError> {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path)
        .map(|m| m.permissions().mode())
        .map_err(|source| IssuerError::Io {
            path: path.into(),
            source,
        })
}

#[cfg(not(unix))]
fn file_mode(_path: &Path) -> Result<u32, IssuerError> {
    Ok(0o600)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn written_keys_are_private_and_load_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.pem");
        let key = KeyPair::generate().unwrap();
        key.write_new(&path).unwrap();
        #[cfg(unix)]
        assert_eq!(file_mode(&path).unwrap() & 0o777, 0o600);
        let back = KeyPair::load(&path).unwrap();
        assert_eq!(back.verifying_key(), key.verifying_key());
        // Never overwrites.
        assert!(matches!(key.write_new(&path), Err(IssuerError::Io { .. })));
    }

    #[cfg(unix)]
    #[test]
    fn readable_key_files_are_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.pem");
        KeyPair::generate().unwrap().write_new(&path).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let err = KeyPair::load(&path).unwrap_err();
        assert!(
            matches!(err, IssuerError::KeyFileTooOpen { mode: 0o644, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("chmod 600"));
    }

    #[test]
    fn garbage_is_not_a_key_and_the_error_leaks_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.pem");
        fs::write(
            &path,
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();
        assert!(matches!(
            KeyPair::load(&path),
            Err(IssuerError::BadKeyFile { .. })
        ));
    }

    #[test]
    fn debug_shows_only_the_public_key() {
        let key = KeyPair::from_seed(&[7u8; 32]);
        let shown = format!("{key:?}");
        assert!(shown.contains(&key.public_key_multibase()));
        assert!(!shown.contains("signing"));
    }
}
