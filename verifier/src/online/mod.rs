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
//!   the one held is refused. In a federation, a list whose signature verifies but that was
//!   signed after the compromise of its province's key is cached all the same (with the same
//!   refresh rules), so its credentials get `status_list_after_province_compromise` (status
//!   unknown, as offline) and the list is not fetched again on every request.
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
//!
//! [`MAX_TRUST_LIST_BYTES`]: crate::MAX_TRUST_LIST_BYTES
//! [`MAX_STATUS_LIST_BYTES`]: crate::status::MAX_STATUS_LIST_BYTES

mod cache;
pub mod federation;
mod fetch;
mod index;
mod refresh;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration as StdDuration;

use bytes::Bytes;
use http_body_util::Empty;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use time::{Duration, OffsetDateTime};

use crate::VerifyError;
use crate::bundle::TrustBundle;
use crate::status::StatusLists;
use crate::trust_list::{TrustedAuthority, VerifiedTrustList};
use cache::Meta;
use federation::Anchor;
pub use index::{MAX_SCHOOLS_PREFETCHED, MAX_STATUS_INDEX_BYTES};

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

impl From<TrustBundle> for Material {
    /// The material of an opened offline bundle, as of its `createdAt`.
    fn from(bundle: TrustBundle) -> Self {
        let as_of = bundle.created_at();
        let status_lists = bundle.status_lists();
        Self {
            trust: Arc::new(bundle.into_trust_list()),
            status_lists,
            as_of,
        }
    }
}

/// One cached document.
#[derive(Debug, Clone)]
struct Resource {
    bytes: Arc<Vec<u8>>,
    meta: Meta,
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

/// Trust material from one issuer: fetched, verified, cached on disk, refreshed.
pub struct OnlineTrust {
    base: String,
    authority: Anchor,
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
        Self::with_anchor(config, Anchor::Authority(Box::new(authority)), clock)
    }

    /// Like [`OnlineTrust::new`], for a trust list checked by `anchor` (a province's list is
    /// checked against the national list, see [`federation`]).
    pub(crate) fn with_anchor(
        config: OnlineConfig,
        authority: Anchor,
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

/// The status-list URLs a credential names (`credentialStatus.statusListCredential`), read
/// leniently from JSON bytes (unreadable input names none).
pub fn status_list_urls(credential: &Value) -> Vec<String> {
    credential
        .get("credentialStatus")
        .map(crate::pipeline::status_list_urls_of)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::fetch::max_age_of;
    use super::*;
    use hyper::header::HeaderValue;

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
