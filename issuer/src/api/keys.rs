//! The signing keys the service holds: from a key directory with `trust-list.json` and one
//! `school-<code>.pem` per school, each checked against the school's keys in the list. Also
//! registers those schools in the store, so tokens can be made for them.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use hocba_schema::credential::IssuerRef;
use hocba_schema::trust_list::{TrustList, TrustedSchool};
use time::OffsetDateTime;

use crate::danger::is_dev_key;
use crate::error::IssuerError;
use crate::keys::KeyPair;
use crate::signing::Signer;
use crate::store::{NewSchool, Store, StoreError};

/// Largest trust list read from a key directory.
const MAX_TRUST_LIST_BYTES: u64 = 64 << 20;

/// The schools of a trust list and the signers of those whose private key is present.
#[derive(Debug, Default)]
pub struct SchoolKeys {
    schools: Vec<TrustedSchool>,
    signers: HashMap<String, Arc<Signer>>,
    dev: bool,
    trust_list_json: Option<Vec<u8>>,
}

impl SchoolKeys {
    /// No keys at all (a service that can read but not sign).
    pub fn empty() -> Self {
        Self::default()
    }

    /// Reads `dir/trust-list.json` and, for each school in it, `dir/school-<code>.pem` if
    /// present. A key that is not one of its school's keys in the list is an error.
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
        let mut keys = SchoolKeys {
            schools: list.credential_subject.schools.clone(),
            trust_list_json: Some(bytes.clone()),
            ..SchoolKeys::default()
        };
        for school in &list.credential_subject.schools {
            let key_path = dir.join(format!("school-{}.pem", school.code));
            if !key_path.exists() {
                continue;
            }
            let key = KeyPair::load(&key_path)?;
            let multibase = key.public_key_multibase();
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
            keys.dev |= is_dev_key(&key.verifying_key());
            let signer = Signer::new(
                key,
                IssuerRef {
                    id: school.id.clone(),
                    name: school.name.clone(),
                },
            );
            keys.signers.insert(school.code.clone(), Arc::new(signer));
        }
        Ok(keys)
    }

    /// The trust list file as read (published at `/.well-known/hocba/trust-list.json`).
    pub fn trust_list_bytes(&self) -> Option<Vec<u8>> {
        self.trust_list_json.clone()
    }

    /// Whether any loaded key is a public development key.
    pub fn uses_dev_keys(&self) -> bool {
        self.dev
    }

    /// Codes of the schools whose key is loaded, sorted.
    pub fn school_codes(&self) -> Vec<&str> {
        let mut codes: Vec<&str> = self.signers.keys().map(String::as_str).collect();
        codes.sort_unstable();
        codes
    }

    /// Registers in `store` every school of the trust list that has a key here; schools
    /// already registered are left as they are. Returns how many were added.
    pub async fn register_schools(
        &self,
        store: &Store,
        now: OffsetDateTime,
    ) -> Result<usize, StoreError> {
        let mut added = 0;
        for school in self
            .schools
            .iter()
            .filter(|s| self.signers.contains_key(&s.code))
        {
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
        self.signers
    }

    pub(super) fn into_signers(self) -> HashMap<String, Arc<Signer>> {
        self.signers
    }
}
