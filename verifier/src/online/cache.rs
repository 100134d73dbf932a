//! The disk cache of verified material: one `{url hash}.json` document and its
//! `{url hash}.meta.json` per URL, written atomically and read back (verified again) on start.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{OnlineTrust, Resource, State};
use crate::MAX_TRUST_LIST_BYTES;
use crate::status::StatusLists;

/// What the cache keeps next to a document.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Meta {
    pub(super) url: String,
    pub(super) etag: Option<String>,
    /// Last successful fetch or 304.
    #[serde(with = "time::serde::rfc3339")]
    pub(super) fetched_at: OffsetDateTime,
    /// No request before this.
    #[serde(with = "time::serde::rfc3339")]
    pub(super) fresh_until: OffsetDateTime,
}

impl OnlineTrust {
    fn cache_path(&self, url: &str) -> PathBuf {
        let digest = Sha256::digest(url.as_bytes());
        let name: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        self.config.cache_dir.join(name)
    }

    /// Write the document (when given) and its meta; failures are reported, not fatal.
    pub(super) fn write_cache(&self, meta: &Meta, bytes: Option<&[u8]>) {
        let stem = self.cache_path(&meta.url);
        let result = (|| -> std::io::Result<()> {
            std::fs::create_dir_all(&self.config.cache_dir)?;
            if let Some(bytes) = bytes {
                write_atomic(&stem.with_extension("json"), bytes)?;
            }
            let meta = serde_json::to_vec_pretty(meta).map_err(std::io::Error::other)?;
            write_atomic(&stem.with_extension("meta.json"), &meta)
        })();
        if let Err(e) = result {
            self.warn(format!(
                "cannot write the cache in {}: {e}",
                self.config.cache_dir.display()
            ));
        }
    }

    /// Read the cache: the trust list (verified against the authority) and every status list
    /// (verified against that trust list; a list refused only for its province's compromise is
    /// held as when it was fetched, see [`super::fetch::kept_when_refused`]).
    pub(super) fn load_cache(&self) -> State {
        let mut state = State::default();
        let read = |url: &str| self.read_cached(url, MAX_TRUST_LIST_BYTES);
        let Some(resource) = read(&self.trust_list_url()) else {
            return state;
        };
        let Ok(trust) = self.authority.verify(&resource.bytes) else {
            self.warn("the cached trust list does not verify; ignored".into());
            return state;
        };
        let trust = Arc::new(trust);
        state.trust = Some((resource, Arc::clone(&trust)));
        let Ok(dir) = std::fs::read_dir(&self.config.cache_dir) else {
            return state;
        };
        for entry in dir.flatten() {
            let path = entry.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if !name.ends_with(".meta.json") {
                continue;
            }
            let Some(meta) =
                read_capped(&path, 64 << 10).and_then(|b| serde_json::from_slice::<Meta>(&b).ok())
            else {
                continue;
            };
            if !self.may_fetch(&meta.url) {
                continue;
            }
            let Some(resource) = read(&meta.url) else {
                continue;
            };
            let mut one = StatusLists::new();
            one.insert(meta.url.clone(), resource.bytes.as_ref().clone());
            let held = match one.verify_list(&meta.url, &trust) {
                Ok(()) => true,
                Err((reason, _)) => super::fetch::kept_when_refused(reason),
            };
            if held {
                state.lists.insert(meta.url.clone(), resource);
            }
        }
        state
    }

    /// A document of the disk cache, when its meta names `url` and it is at most `limit`
    /// bytes.
    pub(super) fn read_cached(&self, url: &str, limit: usize) -> Option<Resource> {
        let stem = self.cache_path(url);
        let meta: Meta =
            serde_json::from_slice(&read_capped(&stem.with_extension("meta.json"), 64 << 10)?)
                .ok()?;
        if meta.url != url {
            return None;
        }
        let bytes = read_capped(&stem.with_extension("json"), limit)?;
        Some(Resource {
            bytes: Arc::new(bytes),
            meta,
        })
    }
}

fn read_capped(path: &Path, limit: usize) -> Option<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path).ok()?;
    let mut bytes = Vec::new();
    file.take(u64::try_from(limit).ok()?.saturating_add(1))
        .read_to_end(&mut bytes)
        .ok()?;
    (bytes.len() <= limit).then_some(bytes)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}
