//! The signing keys the service holds: from a key directory with `trust-list.json` and the
//! schools' private keys, `school-<code>.pem` and, after rotations, `school-<code>-<suffix>.pem`
//! (e.g. `school-79000701-2026.pem`). Also registers the file's schools in the store, so tokens
//! can be made for them.
//!
//! **Which key signs.** For each school the signer is the private key whose public key is
//! `active` in the current trust list (the latest published version once the store has one,
//! see [`SchoolKeys::select`]); a retired or compromised key is never used, and a school with
//! no active key here has no signer (signing answers 409). After the authority publishes a
//! new version, [`SchoolKeys::select`] re-reads the directory and switches keys in place, so a
//! running `serve` needs no restart.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use hocba_schema::credential::IssuerRef;
use hocba_schema::trust_list::{KeyStatus, TrustList, TrustedSchool};
use time::OffsetDateTime;

use crate::danger::is_dev_key;
use crate::error::IssuerError;
use crate::keys::KeyPair;
use crate::signing::Signer;
use crate::store::{NewSchool, Store, StoreError};

/// Largest trust list read from a key directory.
const MAX_TRUST_LIST_BYTES: u64 = 64 << 20;

/// The schools of a trust list and the signers of those whose active private key is present.
#[derive(Debug, Default)]
pub struct SchoolKeys {
    dir: Option<PathBuf>,
    schools: Vec<TrustedSchool>,
    signers: RwLock<HashMap<String, Arc<Signer>>>,
    dev: bool,
    trust_list_json: Option<Vec<u8>>,
    /// The list the signers were chosen from (the latest version), for [`SchoolKeys::signer_of`].
    latest: RwLock<Option<TrustList>>,
}

/// The private key files of a school in `dir`: `school-<code>.pem` and `school-<code>-*.pem`
/// (public `.pub.pem` files excluded), by school code, sorted by file name.
fn key_files(dir: &Path) -> Result<HashMap<String, Vec<PathBuf>>, IssuerError> {
    let mut out: HashMap<String, Vec<PathBuf>> = HashMap::new();
    for (code, path) in crate::app::keyring::school_key_files(dir)? {
        out.entry(code).or_default().push(path);
    }
    Ok(out)
}

impl SchoolKeys {
    /// No keys at all (a service that can read but not sign).
    pub fn empty() -> Self {
        Self::default()
    }

    /// Reads `dir/trust-list.json` and the private keys of its schools, and selects for each
    /// school the key that is active in that list. `school-<code>.pem` must be one of its
    /// school's keys in the list (an error otherwise); `school-<code>-<suffix>.pem` files may
    /// be keys the authority has not listed yet.
    pub fn load(dir: &Path) -> Result<Self, IssuerError> {
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
        for school in &list.credential_subject.schools {
            let key_path = dir.join(format!("school-{}.pem", school.code));
            if !key_path.exists() {
                continue;
            }
            let multibase = KeyPair::load(&key_path)?.public_key_multibase();
            if !school.has_key(&multibase) {
                return Err(IssuerError::Description {
                    path: key_path,
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
            schools: list.credential_subject.schools.clone(),
            trust_list_json: Some(bytes),
            ..SchoolKeys::default()
        };
        keys.dev = keys.select(&list)?;
        Ok(keys)
    }

    /// Chooses again, from the private keys now in the key directory, each school's signer:
    /// the key whose public key is `active` in `list` (the newest by `validFrom` if several).
    /// Schools without such a key get no signer. Returns whether any key file read is a public
    /// development key. A service without a key directory keeps what it has.
    pub fn select(&self, list: &TrustList) -> Result<bool, IssuerError> {
        let Some(dir) = &self.dir else {
            return Ok(false);
        };
        let files = key_files(dir)?;
        let mut dev = false;
        let mut chosen: HashMap<String, Arc<Signer>> = HashMap::new();
        for school in &list.credential_subject.schools {
            let Some(paths) = files.get(&school.code) else {
                continue;
            };
            let mut best: Option<(OffsetDateTime, KeyPair)> = None;
            for path in paths {
                let key = KeyPair::load(path)?;
                dev |= is_dev_key(&key.verifying_key());
                let multibase = key.public_key_multibase();
                let Some(listed) = school
                    .verification_methods
                    .iter()
                    .find(|k| k.public_key_multibase == multibase && k.status == KeyStatus::Active)
                else {
                    continue;
                };
                if best
                    .as_ref()
                    .is_none_or(|(from, _)| listed.valid_from > *from)
                {
                    best = Some((listed.valid_from, key));
                }
            }
            if let Some((_, key)) = best {
                let issuer = IssuerRef {
                    id: school.id.clone(),
                    name: school.name.clone(),
                };
                chosen.insert(school.code.clone(), Arc::new(Signer::new(key, issuer)));
            }
        }
        *self.signers.write().unwrap_or_else(|e| e.into_inner()) = chosen;
        *self.latest.write().unwrap_or_else(|e| e.into_inner()) = Some(list.clone());
        Ok(dev)
    }

    /// The trust list file as read (published at `/.well-known/hocba/trust-list.json` until
    /// the store holds a version).
    pub fn trust_list_bytes(&self) -> Option<Vec<u8>> {
        self.trust_list_json.clone()
    }

    /// The key directory (where `authority.pem` and the school keys are), if any.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Whether any loaded key is a public development key.
    pub fn uses_dev_keys(&self) -> bool {
        self.dev
    }

    /// The current signer of the school with this code.
    pub fn signer(&self, school_code: &str) -> Option<Arc<Signer>> {
        self.signers
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(school_code)
            .cloned()
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
        let latest = self.latest.read().unwrap_or_else(|e| e.into_inner());
        let list = latest.as_ref().ok_or("no trust list is loaded")?;
        let school = list
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
        let dir = self.dir.as_deref().ok_or("no key directory")?;
        let files = key_files(dir).map_err(|e| e.to_string())?;
        for path in files.get(school_code).into_iter().flatten() {
            let key = KeyPair::load(path).map_err(|e| e.to_string())?;
            if key.public_key_multibase() == multibase {
                return Ok(Signer::new(
                    key,
                    IssuerRef {
                        id: school.id.clone(),
                        name: school.name.clone(),
                    },
                ));
            }
        }
        Err(format!(
            "the private key {multibase} that signed this record is not in the key directory"
        ))
    }

    /// Codes of the schools that have a signer now, sorted.
    pub fn school_codes(&self) -> Vec<String> {
        let mut codes: Vec<String> = self
            .signers
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect();
        codes.sort_unstable();
        codes
    }

    /// Registers in `store` every school of the trust list file that has a signer here;
    /// schools already registered are left as they are. Returns how many were added.
    pub async fn register_schools(
        &self,
        store: &Store,
        now: OffsetDateTime,
    ) -> Result<usize, StoreError> {
        let codes = self.school_codes();
        let mut added = 0;
        for school in self.schools.iter().filter(|s| codes.contains(&s.code)) {
            match store.school_by_code(&school.code).await {
                Ok(_) => continue,
                Err(StoreError::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
            let new = NewSchool {
                code: school.code.clone(),
                name: school.name.clone(),
                province: school.province.clone(),
                issuer_id: school.id.clone(),
            };
            match store.create_school(&new, now).await {
                Ok(_) => added += 1,
                // Another instance registered it in between.
                Err(StoreError::Conflict { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(added)
    }

    /// The signers by school code (for commands that sign without the HTTP service).
    pub fn into_signer_map(self) -> HashMap<String, Arc<Signer>> {
        self.signers.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}
