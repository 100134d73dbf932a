//! Schools' indexes of status lists (`{base}/status/{code}/index.json`): how the lists of a
//! QR summary's school are found, since a summary names its status index but not its list.

use std::sync::Arc;

use hocba_schema::publication::index::{MAX_INDEX_LISTS, StatusIndex};

use super::cache::Meta;
use super::fetch::Fetched;
use super::{MAX_NEW_LISTS_PER_REQUEST, MIN_REFRESH, Material, OnlineTrust, Resource};
use crate::VerifyError;
use crate::pipeline::Needs;

/// Most schools whose status lists are fetched for one call of
/// [`OnlineTrust::material_for_needs`] (the rest are checked against the lists held).
pub const MAX_SCHOOLS_PREFETCHED: usize = 16;

/// Largest index of a school's status lists read (`{base}/status/{code}/index.json`).
pub const MAX_STATUS_INDEX_BYTES: usize = 64 << 10;

/// QR summaries: a summary names its status index but not its list, so the lists of its
/// school are found through the issuer's index of them.
impl OnlineTrust {
    /// Step 2 of the [`crate::pipeline`], online: the material that inputs with `needs` call
    /// for — the status lists of the schools of QR summaries (through each school's index, at
    /// most [`MAX_SCHOOLS_PREFETCHED`] schools) and the status lists credentials name.
    pub async fn material_for_needs(&self, needs: &Needs) -> Result<Arc<Material>, VerifyError> {
        for code in needs.school_codes.iter().take(MAX_SCHOOLS_PREFETCHED) {
            self.prefetch_school_lists(code).await;
        }
        self.material_for(needs.status_list_urls.iter().map(String::as_str))
            .await
    }

    /// The URL of the index of school `school_code`'s status lists,
    /// `{base}/status/{code}/index.json` (`None` for a code that is not 1–20 letters and
    /// digits).
    pub fn status_index_url(&self, school_code: &str) -> Option<String> {
        (!school_code.is_empty()
            && school_code.len() <= 20
            && school_code.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| hocba_schema::publication::status_index_url(&self.base, school_code))
    }

    /// Make sure the status lists of school `school_code` are held, so a QR summary of that
    /// school can be checked for revocation
    /// ([`StatusLists::summary_status`](crate::StatusLists::summary_status)): reads the school's
    /// index (only under the base URL; at most [`MAX_STATUS_INDEX_BYTES`]; honouring ETag and
    /// `Cache-Control`, cached on disk with the rest, the held copy used while the issuer
    /// cannot be reached), then fetches the lists it names that are not held yet (only those
    /// under `{base}/status/{code}/` that [`may_fetch`](Self::may_fetch) allows, at most
    /// [`MAX_NEW_LISTS_PER_REQUEST`]). Failures are kept as warnings
    /// ([`OnlineTrust::take_warnings`]), not returned: the summary's status then stays "not
    /// checked".
    pub async fn prefetch_school_lists(&self, school_code: &str) {
        let urls = self.school_list_urls(school_code).await;
        if let Err(e) = self.material_for(urls.iter().map(String::as_str)).await {
            self.warn(e.to_string());
        }
    }

    /// The list URLs the index of `school_code` names (fetched or revalidated when its
    /// max-age ran out).
    async fn school_list_urls(&self, school_code: &str) -> Vec<String> {
        let Some(url) = self.status_index_url(school_code) else {
            return Vec::new();
        };
        let now = (self.clock)();
        let mut state = self.state.lock().await;
        let held = match state.indexes.get(&url) {
            Some(r) => Some(r.clone()),
            None => self.read_cached(&url, MAX_STATUS_INDEX_BYTES),
        };
        let bytes = match held {
            Some(r) if now < r.meta.fresh_until => r.bytes,
            _ if state.backoff.get(&url).is_some_and(|until| now < *until) => match held {
                Some(r) => r.bytes,
                None => return Vec::new(),
            },
            _ => {
                let etag = held.as_ref().and_then(|r| r.meta.etag.clone());
                let fetched = self
                    .get(&url, etag.as_deref(), MAX_STATUS_INDEX_BYTES)
                    .await;
                match (fetched, held) {
                    (Ok(Fetched::NotModified { max_age }), Some(mut r)) => {
                        self.revalidated(&mut r.meta, now, max_age);
                        let bytes = Arc::clone(&r.bytes);
                        state.indexes.insert(url.clone(), r);
                        bytes
                    }
                    (
                        Ok(Fetched::Body {
                            bytes,
                            etag,
                            max_age,
                        }),
                        _,
                    ) if StatusIndex::from_json(&bytes).is_ok() => {
                        let meta = Meta {
                            url: url.clone(),
                            etag,
                            fetched_at: now,
                            fresh_until: now + max_age,
                        };
                        self.write_cache(&meta, Some(&bytes));
                        let bytes = Arc::new(bytes);
                        state.indexes.insert(
                            url.clone(),
                            Resource {
                                bytes: Arc::clone(&bytes),
                                meta,
                            },
                        );
                        state.backoff.remove(&url);
                        bytes
                    }
                    (other, held) => {
                        match other {
                            Err(e) => self.warn(e.to_string()),
                            Ok(_) => {
                                self.warn(format!("{url} is not an index of status lists; ignored"))
                            }
                        }
                        state.backoff.insert(url.clone(), now + MIN_REFRESH);
                        match held {
                            Some(r) => r.bytes,
                            None => return Vec::new(),
                        }
                    }
                }
            }
        };
        drop(state);
        let prefix = format!("{}/status/{school_code}/", self.base);
        StatusIndex::from_json(&bytes)
            .map(|index| index.status_lists)
            .unwrap_or_default()
            .into_iter()
            .take(MAX_INDEX_LISTS)
            .filter(|u| u.starts_with(&prefix) && *u != url && self.may_fetch(u))
            .take(MAX_NEW_LISTS_PER_REQUEST)
            .collect()
    }
}
