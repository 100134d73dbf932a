//! The one key ring: which private key signs for a school, and which key signed a credential.
//!
//! Keys come from a key directory (`--keys DIR`, default `keys/dev`): the schools' private
//! keys `school-<code>.pem` and, after rotations, `school-<code>-<suffix>.pem`, and the
//! authority's public key `authority.pub.pem`, with which the trust list is checked before a
//! key is chosen (a trust-list file that the authority did not sign chooses nothing). Or from
//! a PKCS#11 token (`--keys 'pkcs11:…'`): the Ed25519 keys labelled `school-<code>[-<suffix>]`,
//! the public files then in `--trust-dir` ([`crate::keys::source`]). Same rule either way.
//!
//! * [`KeyRing::signer_for`]`(trust, school, at)` — the school's key that is **active at
//!   `at`** in the verified trust list: status `active`, `validFrom ≤ at`, not past a
//!   `validUntil`; of several, the one listed most recently. A retired or compromised key never
//!   signs. No such key is one error for the school ([`IssuerError::NoUsableKey`]) naming the
//!   school, why, and what to do.
//! * [`KeyRing::signer_of`]`(trust, credential)` — the key that signed `credential` (its
//!   `proof.verificationMethod`), to re-render its PDF and QR summary, even when the key has
//!   been retired since (the summary keeps the credential's signing time, when the key was
//!   valid). A compromised key is refused: such a record must be re-issued.
//! * [`KeyRing::signer_with`] — `--key FILE` as an override, held to the same rule as
//!   `signer_for` (a retired key given by hand does not sign either).
//!
//! The private keys stay in memory inside [`Signer`]s; nothing here logs or returns them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hocba_schema::credential::IssuerRef;
use hocba_schema::trust_list::{KeyStatus, TrustList, TrustedKey, TrustedSchool};
use hocba_verifier::{TrustedAuthority, VerifiedTrustList};
use serde_json::Value;
use time::OffsetDateTime;

use crate::danger::is_dev_key;
use crate::error::IssuerError;
use crate::keys::source::KeySource;
use crate::keys::{Ed25519Key, KeyPair};
use crate::signing::Signer;

/// The default key directory.
pub const DEFAULT_KEY_DIR: &str = "keys/dev";

/// Largest trust list or authority key file read from a key directory.
const MAX_FILE_BYTES: u64 = 64 << 20;

/// One private key of the directory.
#[derive(Debug)]
struct HeldKey {
    /// The school code its file name gives.
    code: String,
    /// Its `z6Mk…` public key.
    multibase: String,
    /// Whether it is the school's main key (`school-<code>`).
    primary: bool,
    key: Arc<dyn Ed25519Key>,
}

/// The schools' private keys of one directory or token.
#[derive(Debug)]
pub struct KeyRing {
    dir: PathBuf,
    source: KeySource,
    keys: Vec<HeldKey>,
}

impl KeyRing {
    /// Read every `school-<code>[-<suffix>].pem` private key of `dir` (public `.pub.pem`
    /// files are skipped); `dir` may be a `pkcs11:` URI instead ([`KeySource::open`]).
    pub fn load(dir: &Path) -> Result<Self, IssuerError> {
        Self::from_source(&KeySource::open(dir, None)?)
    }

    /// Every school key of `source`.
    pub fn from_source(source: &KeySource) -> Result<Self, IssuerError> {
        let keys = source
            .school_keys()?
            .into_iter()
            .map(|k| HeldKey {
                multibase: k.key.public_key_multibase(),
                code: k.code,
                primary: k.primary,
                key: k.key,
            })
            .collect();
        Ok(Self {
            dir: source.files_dir().to_path_buf(),
            source: source.clone(),
            keys,
        })
    }

    /// The directory of the ring's public files (`trust-list.json`, `authority.pub.pem`):
    /// the key directory, or `--trust-dir` for a token.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the private keys are.
    pub fn source(&self) -> &KeySource {
        &self.source
    }

    /// `(school code, public key)` of each school's main key (`school-<code>`).
    pub fn primary_keys(&self) -> impl Iterator<Item = (&str, &str)> {
        self.keys
            .iter()
            .filter(|k| k.primary)
            .map(|k| (k.code.as_str(), k.multibase.as_str()))
    }

    /// Whether any held key is a public development key.
    pub fn uses_dev_keys(&self) -> bool {
        self.keys.iter().any(|k| is_dev_key(&k.key.verifying_key()))
    }

    /// The authority's public key of the directory (`authority.pub.pem`, SPKI PEM).
    pub fn authority(&self) -> Result<TrustedAuthority, IssuerError> {
        read_authority(&self.dir.join("authority.pub.pem"))
    }

    /// The school's key that is active at `at` in `trust` (see the module documentation).
    pub fn signer_for(
        &self,
        trust: &VerifiedTrustList,
        school_code: &str,
        at: OffsetDateTime,
    ) -> Result<Signer, IssuerError> {
        self.signer_in(trust.list(), school_code, at)
    }

    /// [`KeyRing::signer_for`] over a trust list whose authority signature the caller has
    /// checked (the service checks the versions it publishes when they are chosen:
    /// [`super::school_keys::SchoolKeys::select`]). The one rule of which key signs.
    pub fn signer_in(
        &self,
        list: &TrustList,
        school_code: &str,
        at: OffsetDateTime,
    ) -> Result<Signer, IssuerError> {
        let no_key = |problem: String| IssuerError::NoUsableKey {
            school: school_code.to_owned(),
            dir: self.dir.clone(),
            problem,
        };
        let school = list
            .credential_subject
            .schools
            .iter()
            .find(|s| s.code == school_code)
            .ok_or_else(|| {
                no_key(format!(
                    "the school is not in trust list version {}: ask the authority to register \
                     it (`hocba-issuer authority register-school`)",
                    list.credential_subject.version
                ))
            })?;
        let held: Vec<&HeldKey> = self.keys.iter().filter(|k| k.code == school.code).collect();
        if held.is_empty() {
            return Err(no_key(self.source.key_name(&school.code)));
        }
        let mut best: Option<(&TrustedKey, &HeldKey)> = None;
        let mut why = Vec::new();
        for h in held {
            let Some(listed) = school
                .verification_methods
                .iter()
                .find(|k| k.public_key_multibase == h.multibase)
            else {
                why.push(format!("{} is not listed for the school", h.multibase));
                continue;
            };
            if let Err(problem) = usable_at(listed, at) {
                why.push(format!("{} {problem}", h.multibase));
                continue;
            }
            if best.is_none_or(|(b, _)| listed.valid_from > b.valid_from) {
                best = Some((listed, h));
            }
        }
        let (_, h) = best.ok_or_else(|| {
            no_key(format!(
                "none of its keys here may sign now ({}); get the active key, or ask the \
                 authority to add a new one (`hocba-issuer authority add-key`)",
                why.join("; ")
            ))
        })?;
        Ok(signer(school, &h.key))
    }

    /// The private key of this directory whose public key is `multibase`, as a signer of
    /// `school` (to re-render what it signed).
    pub(crate) fn held(&self, school: &TrustedSchool, multibase: &str) -> Option<Signer> {
        self.keys
            .iter()
            .find(|k| k.code == school.code && k.multibase == multibase)
            .map(|h| signer(school, &h.key))
    }

    /// The key that signed `credential`, as a signer of its school (see the module
    /// documentation).
    pub fn signer_of(
        &self,
        trust: &VerifiedTrustList,
        credential: &Value,
    ) -> Result<Signer, IssuerError> {
        let vm = credential
            .get("proof")
            .and_then(|p| p.get("verificationMethod"))
            .and_then(Value::as_str)
            .ok_or_else(|| IssuerError::NotSigned {
                problem: "no proof.verificationMethod".into(),
            })?;
        let (school, listed) = trust.key(vm).ok_or_else(|| IssuerError::NotSigned {
            problem: format!(
                "it was signed by {vm}, which is not a key in trust list version {}",
                trust.version()
            ),
        })?;
        if listed.status == KeyStatus::Compromised {
            return Err(IssuerError::NoUsableKey {
                school: school.code.clone(),
                dir: self.dir.clone(),
                problem: format!(
                    "the key that signed this credential ({}) is marked compromised: revoke the \
                     record and issue it again",
                    listed.public_key_multibase
                ),
            });
        }
        let held = self
            .keys
            .iter()
            .find(|k| k.multibase == listed.public_key_multibase)
            .ok_or_else(|| IssuerError::NoUsableKey {
                school: school.code.clone(),
                dir: self.dir.clone(),
                problem: format!(
                    "the private key {} that signed this credential is not in {}",
                    listed.public_key_multibase,
                    self.source.describe()
                ),
            })?;
        Ok(signer(school, &held.key))
    }

    /// `--key FILE`: the key given, for the school the trust list registers it for, under the
    /// same rule as [`KeyRing::signer_for`].
    pub fn signer_with(
        trust: &VerifiedTrustList,
        key: KeyPair,
        at: OffsetDateTime,
    ) -> Result<Signer, IssuerError> {
        Self::signer_with_key(trust, Arc::new(key), at)
    }

    /// [`KeyRing::signer_with`] for a key held anywhere (a file or a token).
    pub fn signer_with_key(
        trust: &VerifiedTrustList,
        key: Arc<dyn Ed25519Key>,
        at: OffsetDateTime,
    ) -> Result<Signer, IssuerError> {
        let multibase = key.public_key_multibase();
        let found = trust
            .list()
            .credential_subject
            .schools
            .iter()
            .find_map(|s| {
                s.verification_methods
                    .iter()
                    .find(|k| k.public_key_multibase == multibase)
                    .map(|k| (s, k))
            });
        let Some((school, listed)) = found else {
            return Err(IssuerError::NotSigned {
                problem: format!(
                    "the key {multibase} is not in the trust list (no school's entry of version {} \
                     has it); register it with `hocba-issuer authority add-key`",
                    trust.version()
                ),
            });
        };
        usable_at(listed, at).map_err(|problem| IssuerError::NoUsableKey {
            school: school.code.clone(),
            dir: PathBuf::from("--key"),
            problem: format!("the key given ({multibase}) {problem}"),
        })?;
        Ok(Signer::with_key(
            key,
            IssuerRef {
                id: school.id.clone(),
                name: school.name.clone(),
            },
        ))
    }
}

/// Whether `key` may sign at `at`: active, already valid, not past its end.
fn usable_at(key: &TrustedKey, at: OffsetDateTime) -> Result<(), String> {
    match key.status {
        KeyStatus::Compromised => return Err("is marked compromised".into()),
        KeyStatus::Retired => return Err("is retired".into()),
        KeyStatus::Active => {}
    }
    if at < key.valid_from {
        return Err(format!("is valid only from {}", key.valid_from));
    }
    if let Some(until) = key.valid_until
        && at >= until
    {
        return Err(format!("was valid until {until}"));
    }
    Ok(())
}

fn signer(school: &TrustedSchool, key: &Arc<dyn Ed25519Key>) -> Signer {
    Signer::with_key(
        Arc::clone(key),
        IssuerRef {
            id: school.id.clone(),
            name: school.name.clone(),
        },
    )
}

/// Read an authority public key file (SPKI PEM or a `z6Mk…` multibase).
pub fn read_authority(path: &Path) -> Result<TrustedAuthority, IssuerError> {
    let text = read_small(path)?;
    let text = String::from_utf8(text).map_err(|_| IssuerError::Description {
        path: path.to_path_buf(),
        problem: "not UTF-8 text".into(),
    })?;
    TrustedAuthority::from_key_file_text(&text).map_err(|e| IssuerError::Description {
        path: path.to_path_buf(),
        problem: format!(
            "not the authority's public key ({e}); the key ring checks the trust list's signature \
             with it"
        ),
    })
}

/// Read a trust list file and check the authority's signature on it.
pub fn read_verified_trust_list(
    path: &Path,
    authority: &TrustedAuthority,
) -> Result<VerifiedTrustList, IssuerError> {
    let bytes = read_small(path)?;
    authority
        .verify_trust_list(&bytes)
        .map_err(|e| IssuerError::Description {
            path: path.to_path_buf(),
            problem: format!("the trust list is not vouched for by the authority key: {e}"),
        })
}

fn read_small(path: &Path) -> Result<Vec<u8>, IssuerError> {
    let io = |source| IssuerError::Io {
        path: path.to_path_buf(),
        source,
    };
    let len = std::fs::metadata(path).map_err(io)?.len();
    if len > MAX_FILE_BYTES {
        return Err(IssuerError::Description {
            path: path.to_path_buf(),
            problem: format!("{len} bytes is larger than the {MAX_FILE_BYTES}-byte limit"),
        });
    }
    std::fs::read(path).map_err(io)
}

/// Signers per school code for a whole run (one per school, chosen once; one error per school
/// that has none).
#[derive(Debug, Default)]
pub struct SignerCache {
    chosen: HashMap<String, Result<Arc<Signer>, String>>,
}

impl SignerCache {
    /// The signer of `school_code` at `at`, chosen once per run.
    pub fn get(
        &mut self,
        ring: &KeyRing,
        trust: &VerifiedTrustList,
        school_code: &str,
        at: OffsetDateTime,
    ) -> Result<Arc<Signer>, String> {
        self.chosen
            .entry(school_code.to_owned())
            .or_insert_with(|| {
                ring.signer_for(trust, school_code, at)
                    .map(Arc::new)
                    .map_err(|e| e.to_string())
            })
            .clone()
    }
}
