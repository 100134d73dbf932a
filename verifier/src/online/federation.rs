//! **I/O layer:** the federation online. The verifier pins the root key and knows the root's
//! base URL; it fetches the national trust list from
//! `{root}/.well-known/hocba/national-trust-list.json` (verified with the root key), and for
//! each credential only the province that answers for its school: that province's trust list,
//! at the `trustList` URL the national list gives (checked against the national list, so it
//! must be `{province base}/.well-known/hocba/trust-list.json`), and the status lists the
//! credential names under `{province base}/status/`. Each province is an [`OnlineTrust`] of
//! its own (cached in `{cache dir}/province-{code}/`, refreshed as HTTP caching says), so a
//! verifier that only ever sees records of three provinces fetches three provincial lists,
//! never the 34.
//!
//! The national list itself is held in memory and revalidated when its `max-age` runs out; a
//! new version replaces the provinces' views (their lists are checked again against it).
//!
//! A request of several provinces (a batch sent to the verifier service, `hocba-verify serve
//! --online ROOT`) gets them put together: [`FederatedOnline::material_for_all`] (`many`);
//! [`FederatedOnline::spawn_refresher`] keeps them current in the background.

mod many;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use hocba_schema::publication::{NATIONAL_TRUST_LIST_PATH, TRUST_LIST_PATH};
use serde_json::Value;
use time::OffsetDateTime;

use super::fetch::Fetched;
use super::{Clock, MIN_REFRESH, Material, OnlineConfig, OnlineTrust, status_list_urls};
use crate::federation::VerifiedNationalList;
use crate::reason::Reason;
use crate::status::StatusLists;
use crate::trust_list::{TrustedAuthority, VerifiedTrustList};
use crate::{MAX_CREDENTIAL_BYTES, MAX_TRUST_LIST_BYTES, VerifyError};
pub use many::{MAX_PROVINCES_PER_REQUEST, provinces_needed};

/// What checks a fetched trust list: the pinned authority (one province on its own), or the
/// national list (a province of the federation).
pub(crate) enum Anchor {
    Authority(Box<TrustedAuthority>),
    Province(Arc<VerifiedNationalList>),
}

impl Anchor {
    pub(super) fn verify(&self, bytes: &[u8]) -> Result<VerifiedTrustList, VerifyError> {
        match self {
            Anchor::Authority(a) => a.verify_trust_list(bytes),
            Anchor::Province(n) => n.verify_provincial(bytes),
        }
    }
}

struct National {
    list: Arc<VerifiedNationalList>,
    etag: Option<String>,
    fresh_until: OffsetDateTime,
}

/// The federation fetched online: the national list, and each province when first needed.
pub struct FederatedOnline {
    /// Fetches the national list (its own trust list is never asked for).
    root: OnlineTrust,
    root_key: TrustedAuthority,
    config: OnlineConfig,
    clock: Clock,
    national: tokio::sync::Mutex<Option<National>>,
    provinces: tokio::sync::Mutex<HashMap<String, Arc<OnlineTrust>>>,
    /// The national list held, for readers that do not wait ([`FederatedOnline::held`]).
    snapshot: RwLock<Option<Arc<VerifiedNationalList>>>,
    /// Materials of several provinces put together, for the next requests ([`many`]).
    merged: std::sync::Mutex<Vec<many::Merged>>,
    /// Province code → (not asked again before, reason, detail): a list fetched and refused.
    refusals: std::sync::Mutex<HashMap<String, (OffsetDateTime, Reason, String)>>,
}

impl std::fmt::Debug for FederatedOnline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FederatedOnline")
            .field("root", &self.root.base())
            .finish_non_exhaustive()
    }
}

impl FederatedOnline {
    /// Set up for the root at `config.base`, pinning `root_key`. Makes no request yet.
    pub fn new(
        config: OnlineConfig,
        root_key: TrustedAuthority,
        clock: Clock,
    ) -> Result<Self, VerifyError> {
        let mut root_config = config.clone();
        root_config.cache_dir = config.cache_dir.join("root");
        let root = OnlineTrust::new(root_config, root_key.clone(), Arc::clone(&clock))?;
        Ok(Self {
            root,
            root_key,
            config,
            clock,
            national: tokio::sync::Mutex::new(None),
            provinces: tokio::sync::Mutex::new(HashMap::new()),
            snapshot: RwLock::new(None),
            merged: std::sync::Mutex::new(Vec::new()),
            refusals: std::sync::Mutex::new(HashMap::new()),
        })
    }

    /// The root's base URL.
    pub fn base(&self) -> &str {
        self.root.base()
    }

    /// The national list held now, without fetching (`None` before the first one verified).
    pub fn held(&self) -> Option<Arc<VerifiedNationalList>> {
        self.snapshot.read().ok().and_then(|s| s.clone())
    }

    /// The material of the national list alone, as held now (what `/health` reports).
    pub fn held_material(&self) -> Option<Arc<Material>> {
        self.held().map(|n| self.national_alone(&n))
    }

    /// `{root}/.well-known/hocba/national-trust-list.json`.
    pub fn national_list_url(&self) -> String {
        format!("{}{NATIONAL_TRUST_LIST_PATH}", self.root.base())
    }

    /// The verified national list, fetched (or revalidated) when its max-age ran out. A failed
    /// fetch keeps the list held, if any.
    pub async fn national(&self) -> Result<Arc<VerifiedNationalList>, VerifyError> {
        let now = (self.clock)();
        let mut held = self.national.lock().await;
        if let Some(n) = held.as_ref()
            && now < n.fresh_until
        {
            return Ok(Arc::clone(&n.list));
        }
        let url = self.national_list_url();
        let etag = held.as_ref().and_then(|n| n.etag.clone());
        let fetched = self
            .root
            .get(&url, etag.as_deref(), MAX_TRUST_LIST_BYTES)
            .await;
        match fetched {
            Ok(Fetched::NotModified { max_age }) => {
                if let Some(n) = held.as_mut() {
                    n.fresh_until = now + max_age.max(MIN_REFRESH);
                    return Ok(Arc::clone(&n.list));
                }
                Err(VerifyError::Fetch {
                    url,
                    problem: "304 Not Modified for a list not held".into(),
                })
            }
            Ok(Fetched::Body {
                bytes,
                etag,
                max_age,
            }) => {
                let list = self
                    .root_key
                    .verify_national_list(&bytes)
                    .map_err(|source| VerifyError::FetchedRejected {
                        url: url.clone(),
                        source: Box::new(source),
                    })?;
                if let Some(n) = held.as_ref()
                    && list.version() < n.list.version()
                {
                    return Err(VerifyError::Fetch {
                        url,
                        problem: format!(
                            "version {} is older than the version {} held; kept the held one",
                            list.version(),
                            n.list.version()
                        ),
                    });
                }
                let changed = held
                    .as_ref()
                    .is_none_or(|n| n.list.version() != list.version());
                let list = Arc::new(list);
                *held = Some(National {
                    list: Arc::clone(&list),
                    etag,
                    fresh_until: now + max_age.max(MIN_REFRESH),
                });
                if changed {
                    self.provinces.lock().await.clear();
                    if let Ok(mut r) = self.refusals.lock() {
                        r.clear();
                    }
                }
                if let Ok(mut s) = self.snapshot.write() {
                    *s = Some(Arc::clone(&list));
                }
                Ok(list)
            }
            Err(e) => match held.as_mut() {
                Some(n) => {
                    n.fresh_until = now + MIN_REFRESH;
                    self.root.warn(format!(
                        "{e} (still using national list version {})",
                        n.list.version()
                    ));
                    Ok(Arc::clone(&n.list))
                }
                None => Err(e),
            },
        }
    }

    /// The material to verify `credential` (its JSON bytes) with: the trust of the province
    /// that answers for its school, and the status lists it names, each fetched when first
    /// needed. A school of no province gets the national list alone, so the verdict says
    /// `province_not_in_national_list`.
    pub async fn material_for_credential(
        &self,
        credential: &[u8],
    ) -> Result<Arc<Material>, VerifyError> {
        let national = self.national().await?;
        let value: Value = if credential.len() <= MAX_CREDENTIAL_BYTES {
            serde_json::from_slice(credential).unwrap_or(Value::Null)
        } else {
            Value::Null
        };
        let code = school_code(&value);
        let province = code
            .as_deref()
            .and_then(|c| national.province_for_school(c));
        let Some(province) = province else {
            return Ok(self.national_alone(&national));
        };
        let online = self
            .province(&national, &province.code, &province.trust_list)
            .await?;
        let urls = status_list_urls(&value);
        online.material_for(urls.iter().map(String::as_str)).await
    }

    /// The national list with no province: every school "belongs to no province" or "its
    /// province's list was not given", with the reason.
    fn national_alone(&self, national: &VerifiedNationalList) -> Arc<Material> {
        Arc::new(Material {
            trust: Arc::new(national.resolve::<&[u8]>(&[])),
            status_lists: Arc::new(StatusLists::new()),
            as_of: (self.clock)(),
        })
    }

    /// Revalidate in the background: the national list when its max-age ran out, and each
    /// province fetched so far shortly before its max-ages run out (as
    /// [`OnlineTrust::spawn_refresher`] does for one issuer). What fails is kept as a warning
    /// ([`FederatedOnline::take_warnings`]); answering goes on from what is held.
    pub fn spawn_refresher(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let this = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                let held: Vec<Arc<OnlineTrust>> =
                    this.provinces.lock().await.values().cloned().collect();
                let mut wait = std::time::Duration::from_secs(60);
                for p in &held {
                    wait = wait.min(p.next_refresh_in().await);
                }
                drop(held);
                tokio::time::sleep(wait).await;
                if let Err(e) = this.national().await {
                    this.root
                        .warn(format!("background refresh of the national list: {e}"));
                }
                let held: Vec<Arc<OnlineTrust>> =
                    this.provinces.lock().await.values().cloned().collect();
                for p in held {
                    if let Err(e) = p.refresh().await {
                        p.warn(format!(
                            "background refresh: {e} (still answering from the cache)"
                        ));
                    }
                }
            }
        })
    }

    /// The codes of the provinces fetched so far (what "only what is needed" looks like).
    pub async fn provinces_fetched(&self) -> Vec<String> {
        let mut codes: Vec<String> = self.provinces.lock().await.keys().cloned().collect();
        codes.sort();
        codes
    }

    /// Warnings of the root's and every province's fetching, oldest first per source.
    pub async fn take_warnings(&self) -> Vec<String> {
        let mut out = self.root.take_warnings();
        for p in self.provinces.lock().await.values() {
            out.extend(p.take_warnings());
        }
        out
    }

    async fn province(
        &self,
        national: &Arc<VerifiedNationalList>,
        code: &str,
        trust_list_url: &str,
    ) -> Result<Arc<OnlineTrust>, VerifyError> {
        let mut provinces = self.provinces.lock().await;
        if let Some(p) = provinces.get(code) {
            return Ok(Arc::clone(p));
        }
        let base = trust_list_url
            .strip_suffix(TRUST_LIST_PATH)
            .ok_or_else(|| VerifyError::Fetch {
                url: trust_list_url.to_owned(),
                problem: format!(
                    "the national list gives province {code}'s trust list at this URL; a province \
                     publishes it at {{base}}{TRUST_LIST_PATH}"
                ),
            })?;
        let mut config = self.config.clone();
        config.base = base.to_owned();
        // Province codes are digits in practice; anything else is kept out of the path.
        let safe: String = code.chars().filter(char::is_ascii_alphanumeric).collect();
        config.cache_dir = self.config.cache_dir.join(format!("province-{safe}"));
        let online = Arc::new(OnlineTrust::with_anchor(
            config,
            Anchor::Province(Arc::clone(national)),
            Arc::clone(&self.clock),
        )?);
        provinces.insert(code.to_owned(), Arc::clone(&online));
        Ok(online)
    }
}

/// `credentialSubject.school.code`, else the code in `issuer.id` (`urn:hocba:school:<code>`).
fn school_code(credential: &Value) -> Option<String> {
    credential
        .pointer("/credentialSubject/school/code")
        .and_then(Value::as_str)
        .or_else(|| {
            credential
                .pointer("/issuer/id")
                .and_then(Value::as_str)
                .and_then(|id| id.strip_prefix("urn:hocba:school:"))
        })
        .map(str::to_owned)
}
