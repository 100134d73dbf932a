//! The signing keys a running service holds: the key ring of its key directory (`--keys`,
//! with `trust-list.json` and the schools' private keys `school-<code>.pem` and, after
//! rotations, `school-<code>-<suffix>.pem`) over the latest published trust-list version.
//! Also registers the file's schools in the store, so tokens can be made for them.
//!
//! **Which key signs** is the key ring's one rule ([`KeyRing::signer_in`]): the school's key
//! that is `active` at the signing time in the latest version (not before its `validFrom`, not
//! after a `validUntil`; of several, the newest), never a retired or compromised key. The
//! version is taken only after its authority signature checks out against the directory's
//! authority key (`authority.pub.pem`, else the public half of `authority.pem`); a version the
//! authority did not sign chooses nothing. After the authority publishes a new version,
//! [`SchoolKeys::select`] re-reads the directory and switches in place, so a running `serve`
//! needs no restart.
//!
//! The private keys may be on a PKCS#11 token instead ([`SchoolKeys::open`] with a
//! [`KeySource::Token`]): the token is opened once and its session kept for the service's
//! life; a new trust-list version re-reads the token's key list through the same session.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use hocba_schema::trust_list::{KeyStatus, TrustList, TrustedSchool};
use hocba_verifier::TrustedAuthority;
use time::OffsetDateTime;

use super::keyring::{KeyRing, read_authority};
use crate::error::IssuerError;
use crate::keys::KeyPair;
use crate::keys::source::KeySource;
use crate::signing::Signer;
use crate::store::{NewSchool, Store, StoreError};

/// Largest trust list read from a key directory.
const MAX_TRUST_LIST_BYTES: u64 = 64 << 20;

/// The key ring and the trust-list version signers are chosen from.
#[derive(Debug)]
struct Chosen {
    ring: KeyRing,
    list: TrustList,
}

/// The schools of a trust list and the keys that may sign for them.
#[derive(Debug, Default)]
pub struct SchoolKeys {
    dir: Option<PathBuf>,
    source: Option<KeySource>,
    schools: Vec<TrustedSchool>,
    dev: bool,
    trust_list_json: Option<Vec<u8>>,
    chosen: RwLock<Option<Arc<Chosen>>>,
}

impl SchoolKeys {
    /// No keys at all (a service that can read but not sign).
    pub fn empty() -> Self {
        Self::default()
    }

    /// Reads `dir/trust-list.json` and the private keys of the directory, and chooses from
    /// that list. `school-<code>.pem` must be one of its school's keys in the list (an error
    /// otherwise); `school-<code>-<suffix>.pem` files may be keys the authority has not listed
    /// yet.
    pub fn load(dir: &Path) -> Result<Self, IssuerError> {
        Self::open(KeySource::open(dir, None)?)
    }

    /// [`SchoolKeys::load`] from a key directory or a token (`--keys`, `--trust-dir`): the
    /// public files come from [`KeySource::files_dir`], the private keys from the source.
    pub fn open(source: KeySource) -> Result<Self, IssuerError> {
        let dir = source.files_dir().to_path_buf();
        let dir = dir.as_path();
        let path = dir.join("trust-list.json");
        let io = |source| IssuerError::Io {
            path: path.clone(),
            source,
        };
        let len = std::fs::metadata(&path).map_err(io)?.len();
        if len > MAX_TRUST_LIST_BYTES {
            return Err(IssuerError::Description {
                path,
                problem: format!(
                    "{len} bytes is larger than the {MAX_TRUST_LIST_BYTES}-byte limit"
                ),
            });
        }
        let bytes = std::fs::read(&path).map_err(io)?;
        let list: TrustList =
            serde_json::from_slice(&bytes).map_err(|e| IssuerError::Description {
                path: path.clone(),
                problem: format!("not a trust list: {e}"),
            })?;
        let ring = KeyRing::from_source(&source)?;
        for (code, multibase) in ring.primary_keys() {
            let Some(school) = list
                .credential_subject
                .schools
                .iter()
                .find(|s| s.code == code)
            else {
                continue;
            };
            if !school.has_key(multibase) {
                return Err(IssuerError::Description {
                    path: match &source {
                        KeySource::Dir { keys, .. } => keys.join(format!("school-{code}.pem")),
                        KeySource::Token { .. } => PathBuf::from(source.describe()),
                    },
                    problem: format!(
                        "this key ({multibase}) is not one of school {}'s keys in {}",
                        school.code,
                        path.display()
                    ),
                });
            }
        }
        let mut keys = SchoolKeys {
            dir: Some(dir.to_path_buf()),
            source: Some(source),
            schools: list.credential_subject.schools.clone(),
            ..SchoolKeys::default()
        };
        keys.dev = keys.select(&bytes)?;
        keys.trust_list_json = Some(bytes);
        Ok(keys)
    }

    /// Chooses again from `list_json` (a published trust-list version) and the private keys
    /// now in the key directory, after checking the authority's signature on the list. Returns
    /// whether any key read is a public development key. A service without a key directory
    /// keeps what it has.
    pub fn select(&self, list_json: &[u8]) -> Result<bool, IssuerError> {
        let Some(dir) = &self.dir else {
            return Ok(false);
        };
        let list = match authority_key(dir)? {
            Some(authority) => authority
                .verify_trust_list(list_json)
                .map_err(|e| IssuerError::Description {
                    path: dir.join("trust-list.json"),
                    problem: format!(
                        "the trust list version is not vouched for by the authority key of the \
                         key directory: {e}"
                    ),
                })?
                .list()
                .clone(),
            None => {
                return Err(IssuerError::Description {
                    path: dir.join("authority.pub.pem"),
                    problem: "no authority key in the key directory (authority.pub.pem or \
                              authority.pem): the trust list's signature cannot be checked, so no \
                              key is chosen"
                        .into(),
                });
            }
        };
        let ring = match &self.source {
            Some(source) => KeyRing::from_source(source)?,
            None => KeyRing::load(dir)?,
        };
        let dev = ring.uses_dev_keys();
        *self.chosen.write().unwrap_or_else(|e| e.into_inner()) =
            Some(Arc::new(Chosen { ring, list }));
        Ok(dev)
    }

    fn chosen(&self) -> Option<Arc<Chosen>> {
        self.chosen
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The trust list file as read (published at `/.well-known/hocba/trust-list.json` until
    /// the store holds a version).
    pub fn trust_list_bytes(&self) -> Option<Vec<u8>> {
        self.trust_list_json.clone()
    }

    /// Where the private keys are (a directory or a token), if anywhere.
    pub fn source(&self) -> Option<&KeySource> {
        self.source.as_ref()
    }

    /// The key directory (where `authority.pem`, the trust list and, unless they are on a
    /// token, the school keys are), if any.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Whether any loaded key is a public development key.
    pub fn uses_dev_keys(&self) -> bool {
        self.dev
    }

    /// The signer of the school with this code at `at`: the key ring's rule over the latest
    /// version. The error names the school, why, and what to do.
    pub fn signer_at(&self, school_code: &str, at: OffsetDateTime) -> Result<Signer, IssuerError> {
        let chosen = self.chosen().ok_or_else(|| IssuerError::NoUsableKey {
            school: school_code.to_owned(),
            dir: self.dir.clone().unwrap_or_default(),
            problem: "this server holds no key directory or no verified trust list (--keys)".into(),
        })?;
        chosen.ring.signer_in(&chosen.list, school_code, at)
    }

    /// [`SchoolKeys::signer_at`], or `None`.
    pub fn signer(&self, school_code: &str, at: OffsetDateTime) -> Option<Arc<Signer>> {
        self.signer_at(school_code, at).ok().map(Arc::new)
    }

    /// The key that signed `credential_json` (its `proof.verificationMethod`), as a signer of
    /// school `school_code`, to re-render its PDF and QR summary: any key of the school in the
    /// directory, even one retired since (the summary keeps the credential's signing time), never
    /// one the latest trust list marks compromised. The error says what is wrong.
    pub fn signer_of(&self, school_code: &str, credential_json: &str) -> Result<Signer, String> {
        let value: serde_json::Value =
            serde_json::from_str(credential_json).map_err(|e| e.to_string())?;
        let vm = value["proof"]["verificationMethod"]
            .as_str()
            .ok_or("the credential has no proof.verificationMethod")?;
        let multibase = vm.rsplit_once('#').map_or(vm, |(_, m)| m);
        let chosen = self.chosen().ok_or("no trust list is loaded")?;
        let school = chosen
            .list
            .credential_subject
            .schools
            .iter()
            .find(|s| s.code == school_code)
            .ok_or_else(|| format!("school {school_code} is not in the trust list"))?;
        let listed = school
            .verification_methods
            .iter()
            .find(|k| k.public_key_multibase == multibase)
            .ok_or_else(|| format!("the key {multibase} is not one of school {school_code}'s"))?;
        if listed.status == KeyStatus::Compromised {
            return Err(format!(
                "the key {multibase} that signed this record is marked compromised: revoke the \
                 record and issue it again"
            ));
        }
        chosen.ring.held(school, multibase).ok_or_else(|| {
            format!(
                "the private key {multibase} that signed this record is not in the key directory"
            )
        })
    }

    /// Codes of the schools that have a signer at `at`, sorted.
    pub fn school_codes_at(&self, at: OffsetDateTime) -> Vec<String> {
        let Some(chosen) = self.chosen() else {
            return Vec::new();
        };
        let mut codes: Vec<String> = chosen
            .list
            .credential_subject
            .schools
            .iter()
            .filter(|s| chosen.ring.signer_in(&chosen.list, &s.code, at).is_ok())
            .map(|s| s.code.clone())
            .collect();
        codes.sort_unstable();
        codes
    }

    /// Registers in `store` every school of the trust list file that has a signer at `now`;
    /// schools already registered are left as they are. Returns how many were added.
    pub async fn register_schools(
        &self,
        store: &Store,
        now: OffsetDateTime,
    ) -> Result<usize, StoreError> {
        let codes = self.school_codes_at(now);
        let mut added = 0;
        for school in self.schools.iter().filter(|s| codes.contains(&s.code)) {
            if super::register::register_school(store, school, now)
                .await?
                .1
            {
                added += 1;
            }
        }
        Ok(added)
    }
}

/// The authority's public key of a key directory: `authority.pub.pem`, else the public half
/// of `authority.pem`; `None` when it has neither.
fn authority_key(dir: &Path) -> Result<Option<TrustedAuthority>, IssuerError> {
    let public = dir.join("authority.pub.pem");
    if public.is_file() {
        return read_authority(&public).map(Some);
    }
    let private = dir.join("authority.pem");
    if private.is_file() {
        let key = KeyPair::load(&private)?;
        return TrustedAuthority::new(key.verifying_key())
            .map(Some)
            .map_err(|e| IssuerError::Description {
                path: private,
                problem: format!("not an authority key: {e}"),
            });
    }
    Ok(None)
}

/// The store's form of a trust-list school.
pub(crate) fn new_school(school: &TrustedSchool) -> NewSchool {
    NewSchool {
        code: school.code.clone(),
        name: school.name.clone(),
        province: school.province.clone(),
        issuer_id: school.id.clone(),
    }
}
