//! Where a key ring's private keys are, and where its public files are.
//!
//! `--keys` takes either a **key directory** (the schools' `school-<code>[-<suffix>].pem`
//! files beside `trust-list.json` and `authority.pub.pem`) or a **PKCS#11 URI**
//! (`pkcs11:token=…?module-path=…&pin-source=file:…`, see [`crate::token::uri`]). On a token
//! a school's key is the Ed25519 private key **labelled like the PEM file without `.pem`**:
//! `school-<code>`, after a rotation `school-<code>-<suffix>`.
//!
//! The public files a ring needs (the trust list and the authority's public key that vouches
//! for it) are not on the token: they are read from `--trust-dir DIR`, by default the key
//! directory itself, and for a token [`DEFAULT_TRUST_DIR`] (`keys/dev`, the same default
//! `--keys` has). The trust list still decides which key may sign, token or file alike.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Ed25519Key, KeyPair};
use crate::error::IssuerError;
use crate::token::{Token, TokenEd25519Key, is_pkcs11_uri};

/// Where the public files are for a token when `--trust-dir` is not given.
pub const DEFAULT_TRUST_DIR: &str = "keys/dev";

/// A key directory or a token, with the directory of the public files.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// PEM files in a directory.
    Dir {
        /// The directory of the `school-*.pem` files.
        keys: PathBuf,
        /// The directory of `trust-list.json` and `authority.pub.pem`.
        files: PathBuf,
    },
    /// Keys on a PKCS#11 token (one open session, shared).
    Token {
        /// The open token.
        token: Arc<Token>,
        /// The directory of `trust-list.json` and `authority.pub.pem`.
        files: PathBuf,
    },
}

/// One school key of a source.
#[derive(Debug)]
pub struct SchoolKey {
    /// The school code its name gives.
    pub code: String,
    /// Whether it is the school's main key (`school-<code>`, not a rotation's
    /// `school-<code>-<suffix>`).
    pub primary: bool,
    /// The key.
    pub key: Arc<dyn Ed25519Key>,
}

impl KeySource {
    /// `--keys` (a directory or a `pkcs11:` URI) with `--trust-dir` (see the module
    /// documentation). A token is opened and logged in to here, once.
    pub fn open(keys: &Path, trust_dir: Option<&Path>) -> Result<Self, IssuerError> {
        match keys.to_str() {
            Some(text) if is_pkcs11_uri(text) => Ok(Self::Token {
                token: Token::open_uri(text)?,
                files: trust_dir
                    .map_or_else(|| PathBuf::from(DEFAULT_TRUST_DIR), Path::to_path_buf),
            }),
            _ => Ok(Self::Dir {
                keys: keys.to_path_buf(),
                files: trust_dir.unwrap_or(keys).to_path_buf(),
            }),
        }
    }

    /// The directory of `trust-list.json` and `authority.pub.pem`.
    pub fn files_dir(&self) -> &Path {
        match self {
            Self::Dir { files, .. } | Self::Token { files, .. } => files,
        }
    }

    /// Where the private keys are, for messages: the directory, or `token <label>`.
    pub fn describe(&self) -> String {
        match self {
            Self::Dir { keys, .. } => keys.display().to_string(),
            Self::Token { token, .. } => format!("token {}", token.name()),
        }
    }

    /// The name a school's key has here, for messages.
    pub fn key_name(&self, code: &str) -> String {
        match self {
            Self::Dir { keys, .. } => format!(
                "no private key file school-{code}.pem (or school-{code}-*.pem) in {}",
                keys.display()
            ),
            Self::Token { token, .. } => format!(
                "no Ed25519 key labelled school-{code} (or school-{code}-*) on token {}",
                token.name()
            ),
        }
    }

    /// Every school key of the source, sorted by code and name.
    pub fn school_keys(&self) -> Result<Vec<SchoolKey>, IssuerError> {
        match self {
            Self::Dir { keys, .. } => school_key_files(keys)?
                .into_iter()
                .map(|(code, primary, path)| {
                    Ok(SchoolKey {
                        code,
                        primary,
                        key: Arc::new(KeyPair::load(&path)?),
                    })
                })
                .collect(),
            Self::Token { token, .. } => Ok(TokenEd25519Key::school_keys(token)?
                .into_iter()
                .filter_map(|k| {
                    let (code, primary) = school_code(k.label())?;
                    Some(SchoolKey {
                        code,
                        primary,
                        key: Arc::new(k),
                    })
                })
                .collect()),
        }
    }
}

/// `school-<code>` → (code, true); `school-<code>-<suffix>` → (code, false).
fn school_code(name: &str) -> Option<(String, bool)> {
    let stem = name.strip_prefix("school-")?;
    let (code, primary) = stem
        .split_once('-')
        .map_or((stem, true), |(c, _)| (c, false));
    (!code.is_empty()).then(|| (code.to_owned(), primary))
}

/// The private key files of `dir`: `(school code, primary, path)` for each `school-<code>.pem`
/// and `school-<code>-<suffix>.pem` (public `.pub.pem` files skipped), sorted by code and path.
pub(crate) fn school_key_files(dir: &Path) -> Result<Vec<(String, bool, PathBuf)>, IssuerError> {
    let io = |source| IssuerError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if name.ends_with(".pub.pem") {
            continue;
        }
        let Some((code, primary)) = name.strip_suffix(".pem").and_then(school_code) else {
            continue;
        };
        files.push((code, primary, path));
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn school_names() {
        assert_eq!(
            school_code("school-79000701"),
            Some(("79000701".into(), true))
        );
        assert_eq!(
            school_code("school-79000701-2026"),
            Some(("79000701".into(), false))
        );
        assert_eq!(school_code("school-"), None);
        assert_eq!(school_code("seal-79000701"), None);
    }
}
