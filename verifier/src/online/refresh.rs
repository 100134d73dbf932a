//! Keeping the material current: the refresh of the trust list and of the held status lists
//! (on demand, and in the background before max-ages run out), fetching the lists a request
//! names, and the snapshot the verifier reads.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use time::Duration;

use super::{MAX_NEW_LISTS_PER_REQUEST, MIN_REFRESH, Material, OnlineTrust, State};
use crate::VerifyError;
use crate::status::StatusLists;

impl OnlineTrust {
    /// Fetch (or revalidate) the trust list if its max-age ran out, then every held status
    /// list whose max-age ran out. A failure keeps the material held (the core judges its
    /// age); the first error is returned.
    pub async fn refresh(&self) -> Result<(), VerifyError> {
        let mut state = self.state.lock().await;
        let result = self.refresh_locked(&mut state, true).await;
        self.publish(&state);
        result
    }

    /// The material, after making sure the trust list is there and fetching the status lists
    /// named in `urls` that are not held yet (only those [`may_fetch`](Self::may_fetch)
    /// allows; at most [`MAX_NEW_LISTS_PER_REQUEST`]). A list that cannot be fetched is left
    /// out: the core then says `status_unknown` for its credentials.
    pub async fn material_for<'a>(
        &self,
        urls: impl IntoIterator<Item = &'a str>,
    ) -> Result<Arc<Material>, VerifyError> {
        let now = (self.clock)();
        let wanted: Vec<String> = {
            let mut v: Vec<String> = urls
                .into_iter()
                .filter(|u| self.may_fetch(u))
                .map(str::to_owned)
                .collect();
            v.sort();
            v.dedup();
            v
        };
        let need_trust = self.material().is_none();
        let snapshot_lists = self.material().map(|m| Arc::clone(&m.status_lists));
        let missing: Vec<String> = wanted
            .into_iter()
            .filter(|u| snapshot_lists.as_ref().is_none_or(|l| l.get(u).is_none()))
            .collect();
        if need_trust || !missing.is_empty() {
            let mut state = self.state.lock().await;
            let mut first_error = None;
            if state.trust.is_none()
                && let Err(e) = self.refresh_locked(&mut state, false).await
            {
                first_error = Some(e);
            }
            if let Some((_, trust)) = state.trust.clone() {
                let mut fetched = 0;
                // All new lists of one request within one timeout: a slow issuer delays a
                // request by at most that, the lists not reached stay unavailable.
                let until = tokio::time::Instant::now() + self.config.timeout;
                for url in &missing {
                    if state.lists.contains_key(url) {
                        continue;
                    }
                    if fetched >= MAX_NEW_LISTS_PER_REQUEST {
                        break;
                    }
                    if state.backoff.get(url).is_some_and(|until| now < *until) {
                        continue;
                    }
                    fetched += 1;
                    let result =
                        tokio::time::timeout_at(until, self.fetch_list(&mut state, url, &trust))
                            .await;
                    match result {
                        Ok(Ok(())) => {}
                        Ok(Err(e)) => {
                            self.warn(e.to_string());
                            state.backoff.insert(url.clone(), now + MIN_REFRESH);
                        }
                        Err(_) => {
                            self.warn(format!(
                                "fetching {url}: no answer in time; status unknown for now"
                            ));
                            state.backoff.insert(url.clone(), now + MIN_REFRESH);
                            break;
                        }
                    }
                }
            }
            self.publish(&state);
            if state.trust.is_none() {
                return Err(first_error.unwrap_or_else(|| VerifyError::NoTrustList {
                    base: self.base.clone(),
                }));
            }
        }
        self.material().ok_or_else(|| VerifyError::NoTrustList {
            base: self.base.clone(),
        })
    }

    /// Revalidate in the background, shortly before max-ages run out (every [`MIN_REFRESH`]
    /// at the most, every 5 minutes at the least). Stops when the returned handle is aborted
    /// or the runtime shuts down.
    pub fn spawn_refresher(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let this = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                let wait = this.next_refresh_in().await;
                tokio::time::sleep(wait).await;
                if let Err(e) = this.refresh().await {
                    this.warn(format!(
                        "background refresh: {e} (still answering from the cache)"
                    ));
                }
            }
        })
    }

    /// How long until the first held document's max-age runs out (minus a tenth, so it is
    /// refreshed before), within [`MIN_REFRESH`] .. 5 minutes.
    pub(super) async fn next_refresh_in(&self) -> StdDuration {
        let now = (self.clock)();
        let state = self.state.lock().await;
        let earliest = state
            .trust
            .iter()
            .map(|(r, _)| &r.meta)
            .chain(state.lists.values().map(|r| &r.meta))
            .map(|m| m.fresh_until - (m.fresh_until - m.fetched_at) / 10)
            .min();
        let wait = match earliest {
            None => MIN_REFRESH,
            Some(t) => {
                let until: Duration = t - now;
                until.clamp(MIN_REFRESH, Duration::minutes(5))
            }
        };
        StdDuration::try_from(wait).unwrap_or(StdDuration::from_secs(5))
    }

    pub(super) async fn refresh_locked(
        &self,
        state: &mut State,
        lists_too: bool,
    ) -> Result<(), VerifyError> {
        let now = (self.clock)();
        let mut first_error = None;
        let trust_due = state
            .trust
            .as_ref()
            .is_none_or(|(r, _)| now >= r.meta.fresh_until);
        if trust_due && let Err(e) = self.fetch_trust_list(state).await {
            first_error = Some(e);
        }
        if lists_too && let Some((_, trust)) = state.trust.clone() {
            let due: Vec<String> = state
                .lists
                .iter()
                .filter(|(_, r)| now >= r.meta.fresh_until)
                .map(|(u, _)| u.clone())
                .collect();
            for url in due {
                if let Err(e) = self.fetch_list(state, &url, &trust).await {
                    // Keep the held list: the core judges its age.
                    if let Some(r) = state.lists.get_mut(&url) {
                        r.meta.fresh_until = now + MIN_REFRESH;
                    }
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Rebuild the snapshot the verifier reads from `state`.
    pub(super) fn publish(&self, state: &State) {
        let Some((resource, trust)) = &state.trust else {
            return;
        };
        let mut lists = StatusLists::new();
        for (url, r) in &state.lists {
            lists.insert(url.clone(), r.bytes.as_ref().clone());
        }
        let material = Material {
            trust: Arc::clone(trust),
            status_lists: Arc::new(lists),
            as_of: resource.meta.fetched_at,
        };
        if let Ok(mut snapshot) = self.snapshot.write() {
            // Keep the old status list parse caches when nothing about the lists changed.
            if let Some(old) = snapshot.as_ref()
                && Arc::ptr_eq(&old.trust, trust)
                && same_lists(&old.status_lists, &material.status_lists)
            {
                let kept = Material {
                    as_of: material.as_of,
                    ..(**old).clone()
                };
                *snapshot = Some(Arc::new(kept));
                return;
            }
            *snapshot = Some(Arc::new(material));
        }
    }
}

/// Whether two snapshots hold the same lists (same URLs, same bytes).
fn same_lists(a: &StatusLists, b: &StatusLists) -> bool {
    a.len() == b.len() && a.urls().all(|u| a.get(u) == b.get(u))
}
