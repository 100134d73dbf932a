//! **I/O layer:** trust material fetched from an issuer over HTTP, with a disk cache.
//!
//! The verification core takes a verified trust list and status-list bytes as arguments; this
//! module is where they come from when the verifier runs online (`hocba-verify --online URL`,
//! `hocba-verify serve --online URL`). Given the issuer's base URL it fetches
//!
//! * the authority-signed trust list at `{base}/.well-known/hocba/trust-list.json`, verified
//!   against the pinned authority key before it is used or cached; a version lower than the
//!   one held is refused (no rollback);
//! * each status list a credential names (`credentialStatus.statusListCredential`) — **only
//!   when the URL is under `{base}/status/`**, so a credential cannot make the verifier fetch
//!   an arbitrary host (no SSRF) — verified with the school's key from the trust list
//!   ([`StatusLists::verify_list`]) before it is cached; a list older (signed `validFrom`) than
//!   the one held is refused.
//!
//! Every answer is honoured as HTTP caching says: `ETag` → `If-None-Match` on the next request
//! (304 keeps the cached bytes), `Cache-Control: max-age` → no request before it runs out
//! (`no-store`/`no-cache` → revalidate each time the material is needed; at least
//! [`MIN_REFRESH`] between requests). Verified material is written to a cache directory
//! (`{url hash}.json` + `{url hash}.meta.json`), so a restart or an issuer outage keeps
//! answering from it; the core's own age rules still apply to it (a status list past its
//! signed `validUntil` gives `status_unknown`, never "not revoked"). [`OnlineTrust::spawn_refresher`]
//! revalidates in the background before the max-age runs out.
//!
//! **Plain HTTP only, on purpose.** Integrity does not depend on the transport: the trust list
//! is signed by the pinned authority key and each status list by its school's key, and both are
//! verified before use. Put a local TLS-terminating proxy in front of the issuer if the
//! network requires HTTPS. Bodies are bounded ([`MAX_TRUST_LIST_BYTES`],
//! [`MAX_STATUS_LIST_BYTES`]) and every request has a timeout.
//!
//! The clock is never read here: the owner passes a [`Clock`]. Nothing is printed either:
//! what went wrong while answering went on is kept as a warning for the owner
//! ([`OnlineTrust::take_warnings`]).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration as StdDuration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper::StatusCode;
use hyper::header::{CACHE_CONTROL, ETAG, HeaderValue, IF_NONE_MATCH};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::status::{MAX_STATUS_LIST_BYTES, StatusLists};
use crate::trust_list::{TrustedAuthority, VerifiedTrustList};
use crate::{MAX_TRUST_LIST_BYTES, VerifyError};

/// The time source of the I/O layer (the binary passes the system clock, tests a fixed time).
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

/// Where the issuer publishes the trust list, under its base URL.
pub const TRUST_LIST_PATH: &str = hocba_schema::publication::TRUST_LIST_PATH;

/// Default cache directory of `--cache-dir`.
pub const DEFAULT_CACHE_DIR: &str = "./data/verifier-cache";

/// Default timeout of one HTTP request (connect + answer + body).
pub const DEFAULT_TIMEOUT: StdDuration = StdDuration::from_secs(10);

/// Least time between two requests for the same URL (also for `no-cache` answers and after
/// a failure), so a burst of verifications does not become a burst of fetches.
pub const MIN_REFRESH: Duration = Duration::seconds(5);

/// Largest `max-age` honoured (one day): material is revalidated at least that often.
pub const MAX_REFRESH: Duration = Duration::days(1);

/// `max-age` assumed when the issuer sends none.
pub const DEFAULT_MAX_AGE: Duration = Duration::seconds(60);

/// At most this many status lists not yet held are fetched for one request; the rest stay
/// unavailable (their credentials get `status_unknown`) until the next one.
pub const MAX_NEW_LISTS_PER_REQUEST: usize = 64;

/// Longest status-list URL accepted.
const MAX_URL_LEN: usize = 512;

/// How to reach the issuer and where to cache.
#[derive(Debug, Clone)]
pub struct OnlineConfig {
    /// The issuer's base URL, e.g. `http://127.0.0.1:8080` (no trailing slash needed).
    pub base: String,
    /// The cache directory (created when missing).
    pub cache_dir: PathBuf,
    /// Timeout of one request.
    pub timeout: StdDuration,
}

impl OnlineConfig {
    /// The defaults for `base`: [`DEFAULT_CACHE_DIR`], [`DEFAULT_TIMEOUT`].
    pub fn new(base: impl Into<String>) -> Self {
        Self {
            base: base.into(),
            cache_dir: PathBuf::from(DEFAULT_CACHE_DIR),
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// Trust material ready for the verification core: a verified trust list and the status lists
/// held (each already verified once, and verified again by the core when a credential uses it).
#[derive(Debug, Clone)]
pub struct Material {
    /// The verified trust list.
    pub trust: Arc<VerifiedTrustList>,
    /// The status lists by URL.
    pub status_lists: Arc<StatusLists>,
    /// When the material was made or last confirmed by its source (bundle `createdAt`, or the
    /// last successful fetch / 304 of the trust list).
    pub as_of: OffsetDateTime,
}

/// One cached document.
#[derive(Debug, Clone)]
struct Resource {
    bytes: Arc<Vec<u8>>,
    meta: Meta,
}

/// What the cache keeps next to a document.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Meta {
    url: String,
    etag: Option<String>,
    /// Last successful fetch or 304.
    #[serde(with = "time::serde::rfc3339")]
    fetched_at: OffsetDateTime,
    /// No request before this.
    #[serde(with = "time::serde::rfc3339")]
    fresh_until: OffsetDateTime,
}

#[derive(Debug, Default)]
struct State {
    trust: Option<(Resource, Arc<VerifiedTrustList>)>,
    lists: BTreeMap<String, Resource>,
    /// URL → no new attempt before (after a failed fetch of a list not held).
    backoff: HashMap<String, OffsetDateTime>,
    /// Schools' indexes of status lists (`{base}/status/{code}/index.json`), by URL.
    indexes: BTreeMap<String, Resource>,
}

/// The answer to one conditional GET.
enum Fetched {
    NotModified {
        max_age: Duration,
    },
    Body {
        bytes: Vec<u8>,
        etag: Option<String>,
        max_age: Duration,
    },
}

/// Trust material from one issuer: fetched, verified, cached on disk, refreshed.
pub struct OnlineTrust {
    base: String,
    authority: TrustedAuthority,
    config: OnlineConfig,
    client: Client<HttpConnector, Empty<Bytes>>,
    clock: Clock,
    state: tokio::sync::Mutex<State>,
    snapshot: RwLock<Option<Arc<Material>>>,
    /// Warnings not yet taken by the owner ([`OnlineTrust::take_warnings`]), oldest first.
    warnings: std::sync::Mutex<VecDeque<String>>,
}

/// Most warnings kept until taken (older ones are dropped first).
pub const MAX_PENDING_WARNINGS: usize = 256;

impl std::fmt::Debug for OnlineTrust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnlineTrust")
            .field("base", &self.base)
            .field("cache_dir", &self.config.cache_dir)
            .finish_non_exhaustive()
    }
}

impl OnlineTrust {
    /// Set up for `config.base`, and load whatever verified material the cache directory
    /// holds (each document is verified again on load; what does not verify is ignored).
    /// Makes no request yet: call [`refresh`](Self::refresh).
    pub fn new(
        config: OnlineConfig,
        authority: TrustedAuthority,
        clock: Clock,
    ) -> Result<Self, VerifyError> {
        let base = normalise_base(&config.base)?;
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(config.timeout));
        connector.enforce_http(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(StdDuration::from_secs(30))
            .build(connector);
        let mut this = Self {
            base,
            authority,
            config,
            client,
            clock,
            state: tokio::sync::Mutex::new(State::default()),
            snapshot: RwLock::new(None),
            warnings: std::sync::Mutex::new(VecDeque::new()),
        };
        let state = this.load_cache();
        this.publish(&state);
        this.state = tokio::sync::Mutex::new(state);
        Ok(this)
    }

    /// The warnings since the last call, oldest first: what could not be fetched, cached or
    /// verified, while answering went on from what is held. This module never prints; the
    /// owner decides where warnings go (`hocba-verify` writes them to stderr).
    pub fn take_warnings(&self) -> Vec<String> {
        self.warnings
            .lock()
            .map(|mut w| w.drain(..).collect())
            .unwrap_or_default()
    }

    fn warn(&self, text: String) {
        if let Ok(mut w) = self.warnings.lock() {
            if w.len() == MAX_PENDING_WARNINGS {
                w.pop_front();
            }
            w.push_back(text);
        }
    }

    /// The issuer base URL (normalised: no trailing slash).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The trust list URL.
    pub fn trust_list_url(&self) -> String {
        hocba_schema::publication::trust_list_url(&self.base)
    }

    /// Whether `url` is a status-list URL this verifier may fetch: under `{base}/status/`,
    /// plain path characters only (no `..`, query, fragment or user info), at most 512 bytes.
    pub fn may_fetch(&self, url: &str) -> bool {
        let prefix = hocba_schema::publication::status_prefix(&self.base);
        let Some(rest) = url.strip_prefix(&prefix) else {
            return false;
        };
        url.len() <= MAX_URL_LEN
            && !rest.is_empty()
            && !rest
                .split('/')
                .any(|s| s.is_empty() || s == "." || s == "..")
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/'))
    }

    /// The material held now (`None` before any trust list was verified).
    pub fn material(&self) -> Option<Arc<Material>> {
        self.snapshot.read().ok().and_then(|s| s.clone())
    }

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
    async fn next_refresh_in(&self) -> StdDuration {
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

    async fn refresh_locked(&self, state: &mut State, lists_too: bool) -> Result<(), VerifyError> {
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

    async fn fetch_trust_list(&self, state: &mut State) -> Result<(), VerifyError> {
        let url = self.trust_list_url();
        let now = (self.clock)();
        let etag = state.trust.as_ref().and_then(|(r, _)| r.meta.etag.clone());
        let fetched = self.get(&url, etag.as_deref(), MAX_TRUST_LIST_BYTES).await;
        let fetched = match fetched {
            Ok(f) => f,
            Err(e) => {
                if let Some((r, _)) = state.trust.as_mut() {
                    r.meta.fresh_until = now + MIN_REFRESH;
                }
                return Err(e);
            }
        };
        match fetched {
            Fetched::NotModified { max_age } => {
                if let Some((r, _)) = state.trust.as_mut() {
                    r.meta.fetched_at = now;
                    r.meta.fresh_until = now + max_age;
                    self.write_cache(&r.meta, None);
                }
                Ok(())
            }
            Fetched::Body {
                bytes,
                etag,
                max_age,
            } => {
                let verified = self.authority.verify_trust_list(&bytes).map_err(|source| {
                    VerifyError::FetchedRejected {
                        url: url.clone(),
                        source: Box::new(source),
                    }
                })?;
                if let Some((_, held)) = &state.trust
                    && held.id() == verified.id()
                    && verified.version() < held.version()
                {
                    return Err(VerifyError::Fetch {
                        url,
                        problem: format!(
                            "version {} is older than the version {} held; kept the held one",
                            verified.version(),
                            held.version()
                        ),
                    });
                }
                let meta = Meta {
                    url,
                    etag,
                    fetched_at: now,
                    fresh_until: now + max_age,
                };
                self.write_cache(&meta, Some(&bytes));
                state.trust = Some((
                    Resource {
                        bytes: Arc::new(bytes),
                        meta,
                    },
                    Arc::new(verified),
                ));
                Ok(())
            }
        }
    }

    async fn fetch_list(
        &self,
        state: &mut State,
        url: &str,
        trust: &VerifiedTrustList,
    ) -> Result<(), VerifyError> {
        let now = (self.clock)();
        let held = state.lists.get(url).cloned();
        let etag = held.as_ref().and_then(|r| r.meta.etag.clone());
        match self
            .get(url, etag.as_deref(), MAX_STATUS_LIST_BYTES)
            .await?
        {
            Fetched::NotModified { max_age } => {
                if let Some(r) = state.lists.get_mut(url) {
                    r.meta.fetched_at = now;
                    r.meta.fresh_until = now + max_age;
                    self.write_cache(&r.meta, None);
                }
                Ok(())
            }
            Fetched::Body {
                bytes,
                etag,
                max_age,
            } => {
                let mut one = StatusLists::new();
                one.insert(url, bytes);
                one.verify_list(url, trust).map_err(|(reason, detail)| {
                    VerifyError::StatusListRejected {
                        url: url.to_owned(),
                        code: reason.code(),
                        detail,
                    }
                })?;
                if let Some(held) = &held {
                    let mut old = StatusLists::new();
                    old.insert(url, held.bytes.as_ref().clone());
                    if let (Some(new_from), Some(old_from)) =
                        (one.valid_from(url), old.valid_from(url))
                        && new_from < old_from
                    {
                        return Err(VerifyError::Fetch {
                            url: url.to_owned(),
                            problem:
                                "the list fetched is older than the one held; kept the held one"
                                    .into(),
                        });
                    }
                }
                let bytes = one.get(url).map(<[u8]>::to_vec).unwrap_or_default();
                let meta = Meta {
                    url: url.to_owned(),
                    etag,
                    fetched_at: now,
                    fresh_until: now + max_age,
                };
                self.write_cache(&meta, Some(&bytes));
                state.lists.insert(
                    url.to_owned(),
                    Resource {
                        bytes: Arc::new(bytes),
                        meta,
                    },
                );
                state.backoff.remove(url);
                Ok(())
            }
        }
    }

    /// Rebuild the snapshot the verifier reads from `state`.
    fn publish(&self, state: &State) {
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

    /// One GET with `If-None-Match`, bounded by the timeout and `limit` bytes.
    async fn get(
        &self,
        url: &str,
        etag: Option<&str>,
        limit: usize,
    ) -> Result<Fetched, VerifyError> {
        let fail = |problem: String| VerifyError::Fetch {
            url: url.to_owned(),
            problem,
        };
        let mut request = hyper::Request::get(url);
        if let Some(etag) = etag
            && let Ok(value) = HeaderValue::from_str(etag)
        {
            request = request.header(IF_NONE_MATCH, value);
        }
        let request = request
            .header(
                hyper::header::ACCEPT,
                "application/json, application/vc+json",
            )
            .body(Empty::<Bytes>::new())
            .map_err(|e| fail(e.to_string()))?;
        let work = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| fail(error_chain(&e)))?;
            let status = response.status();
            let headers = response.headers().clone();
            let max_age = max_age_of(headers.get(CACHE_CONTROL));
            if status == StatusCode::NOT_MODIFIED {
                return Ok(Fetched::NotModified { max_age });
            }
            if status != StatusCode::OK {
                return Err(fail(format!("the issuer answered {status}")));
            }
            if let Some(len) = headers
                .get(hyper::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<usize>().ok())
                && len > limit
            {
                return Err(fail(format!("{len} bytes; the limit is {limit} bytes")));
            }
            let body = Limited::new(response.into_body(), limit)
                .collect()
                .await
                .map_err(|e| fail(format!("reading the body (limit {limit} bytes): {e}")))?
                .to_bytes();
            Ok(Fetched::Body {
                bytes: body.to_vec(),
                etag: headers
                    .get(ETAG)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                max_age,
            })
        };
        match tokio::time::timeout(self.config.timeout, work).await {
            Ok(result) => result,
            Err(_) => Err(fail(format!(
                "no answer within {} s",
                self.config.timeout.as_secs_f32()
            ))),
        }
    }

    fn cache_path(&self, url: &str) -> PathBuf {
        let digest = Sha256::digest(url.as_bytes());
        let name: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        self.config.cache_dir.join(name)
    }

    /// Write the document (when given) and its meta; failures are reported, not fatal.
    fn write_cache(&self, meta: &Meta, bytes: Option<&[u8]>) {
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
    /// (verified against that trust list).
    fn load_cache(&self) -> State {
        let mut state = State::default();
        let read = |url: &str| -> Option<Resource> {
            let stem = self.cache_path(url);
            let meta: Meta =
                serde_json::from_slice(&read_capped(&stem.with_extension("meta.json"), 64 << 10)?)
                    .ok()?;
            if meta.url != url {
                return None;
            }
            let bytes = read_capped(&stem.with_extension("json"), MAX_TRUST_LIST_BYTES)?;
            Some(Resource {
                bytes: Arc::new(bytes),
                meta,
            })
        };
        let Some(resource) = read(&self.trust_list_url()) else {
            return state;
        };
        let Ok(trust) = self.authority.verify_trust_list(&resource.bytes) else {
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
            if one.verify_list(&meta.url, &trust).is_ok() {
                state.lists.insert(meta.url.clone(), resource);
            }
        }
        state
    }
}

/// Largest index of a school's status lists read (`{base}/status/{code}/index.json`).
pub const MAX_STATUS_INDEX_BYTES: usize = 64 << 10;

/// A school's index of status lists as the issuer publishes it.
#[derive(Debug, Deserialize)]
struct StatusIndex {
    #[serde(rename = "statusLists")]
    status_lists: Vec<String>,
}

/// QR summaries: a summary names its status index but not its list, so the lists of its
/// school are found through the issuer's index of them.
impl OnlineTrust {
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
    /// [`MAX_NEW_LISTS_PER_REQUEST`]). Failures are reported on stderr, not returned: the
    /// summary's status then stays "not checked".
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
                        r.meta.fetched_at = now;
                        r.meta.fresh_until = now + max_age;
                        self.write_cache(&r.meta, None);
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
                    ) if serde_json::from_slice::<StatusIndex>(&bytes).is_ok() => {
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
        serde_json::from_slice::<StatusIndex>(&bytes)
            .map(|index| index.status_lists)
            .unwrap_or_default()
            .into_iter()
            .filter(|u| u.starts_with(&prefix) && *u != url && self.may_fetch(u))
            .take(MAX_NEW_LISTS_PER_REQUEST)
            .collect()
    }

    /// A document of the disk cache, when its meta names `url` and it is at most `limit`
    /// bytes.
    fn read_cached(&self, url: &str, limit: usize) -> Option<Resource> {
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

/// An error with its sources: `client error (Connect): tcp connect error: Connection refused`.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Whether two snapshots hold the same lists (same URLs, same bytes).
fn same_lists(a: &StatusLists, b: &StatusLists) -> bool {
    a.len() == b.len() && a.urls().all(|u| a.get(u) == b.get(u))
}

/// `http://host[:port][/path]` without a trailing slash; anything else is refused.
fn normalise_base(base: &str) -> Result<String, VerifyError> {
    let bad = |problem: &str| VerifyError::BadBaseUrl {
        url: base.to_owned(),
        problem: problem.to_owned(),
    };
    let trimmed = base.trim().trim_end_matches('/');
    let uri: hyper::Uri = trimmed.parse().map_err(|_| bad("not a URL"))?;
    match uri.scheme_str() {
        Some("http") => {}
        Some("https") => {
            return Err(bad(
                "https is not fetched directly: every document is signed, so use http:// \
                 (or a local TLS-terminating proxy)",
            ));
        }
        _ => return Err(bad("must start with http://")),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(bad("has no host"));
    }
    if uri.query().is_some() || trimmed.contains('@') || trimmed.contains('#') {
        return Err(bad("must not have a query, fragment or user info"));
    }
    Ok(trimmed.to_owned())
}

/// `max-age` of a `Cache-Control` value, within [`MIN_REFRESH`]..[`MAX_REFRESH`]; `no-store` /
/// `no-cache` → [`MIN_REFRESH`]; none → [`DEFAULT_MAX_AGE`].
fn max_age_of(value: Option<&HeaderValue>) -> Duration {
    let Some(text) = value.and_then(|v| v.to_str().ok()) else {
        return DEFAULT_MAX_AGE;
    };
    let mut age = None;
    for directive in text.split(',').map(str::trim) {
        let lower = directive.to_ascii_lowercase();
        if lower == "no-store" || lower == "no-cache" {
            return MIN_REFRESH;
        }
        if let Some(n) = lower.strip_prefix("max-age=") {
            age = n.trim_matches('"').parse::<i64>().ok();
        }
    }
    age.map_or(DEFAULT_MAX_AGE, |s| {
        Duration::seconds(s).clamp(MIN_REFRESH, MAX_REFRESH)
    })
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

/// The status-list URLs a credential names (`credentialStatus.statusListCredential`), read
/// leniently from JSON bytes (unreadable input names none).
pub fn status_list_urls(credential: &Value) -> Vec<String> {
    let one = |s: &Value| {
        s.get("statusListCredential")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    match credential.get("credentialStatus") {
        Some(Value::Array(entries)) => entries.iter().filter_map(one).collect(),
        Some(entry) => one(entry).into_iter().collect(),
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_control_is_bounded() {
        let h = |s: &'static str| HeaderValue::from_static(s);
        assert_eq!(
            max_age_of(Some(&h("public, max-age=300"))),
            Duration::seconds(300)
        );
        assert_eq!(max_age_of(Some(&h("no-store"))), MIN_REFRESH);
        assert_eq!(max_age_of(Some(&h("max-age=0"))), MIN_REFRESH);
        assert_eq!(max_age_of(Some(&h("max-age=99999999"))), MAX_REFRESH);
        assert_eq!(max_age_of(None), DEFAULT_MAX_AGE);
    }

    #[test]
    fn only_status_lists_under_the_base_are_fetched() {
        let config = OnlineConfig {
            cache_dir: std::env::temp_dir().join("hocba-may-fetch-unused"),
            ..OnlineConfig::new("http://issuer.example:8080/")
        };
        let authority = crate::danger::dev_authority().unwrap();
        let clock: Clock = Arc::new(|| OffsetDateTime::UNIX_EPOCH);
        let online = OnlineTrust::new(config, authority, clock).unwrap();
        assert!(online.may_fetch("http://issuer.example:8080/status/79000701/1"));
        assert!(online.may_fetch("http://issuer.example:8080/status/79000701/0f3a-9c_x.json"));
        for url in [
            "http://evil.example/status/79000701/1",
            "http://issuer.example:8080.evil.example/status/1",
            "http://issuer.example:8081/status/79000701/1",
            "https://issuer.example:8080/status/79000701/1",
            "http://issuer.example:8080/status/../api/v1/bundle",
            "http://issuer.example:8080/status/a/./b",
            "http://issuer.example:8080/status/a//b",
            "http://issuer.example:8080/status/",
            "http://issuer.example:8080/status/1?x=http://evil.example",
            "http://issuer.example:8080/status/1#frag",
            "http://issuer.example:8080/status/%2e%2e/x",
            "http://issuer.example:8080/.well-known/hocba/trust-list.json",
        ] {
            assert!(!online.may_fetch(url), "{url}");
        }
        let long = format!("http://issuer.example:8080/status/{}", "a".repeat(600));
        assert!(!online.may_fetch(&long));
    }

    #[test]
    fn base_urls() {
        assert_eq!(
            normalise_base("http://127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(normalise_base("https://x.example").is_err());
        assert!(normalise_base("file:///etc").is_err());
        assert!(normalise_base("http://u@x.example").is_err());
    }
}
