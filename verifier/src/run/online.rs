//! `--online` for checking files.
//!
//! The URL is an issuer (its trust list at `{URL}/.well-known/hocba/trust-list.json`, signed
//! by the `--authority` key), or the root of the federation: when no trust list signed by the
//! pinned key is there (nor cached), the national list at
//! `{URL}/.well-known/hocba/national-trust-list.json` is tried with the same key, and then each
//! input fetches only its school's province (its trust list and the status lists it names;
//! [`FederatedOnline`]).

use std::path::Path;
use std::sync::Arc;

use anyhow::anyhow;
use hocba_verifier::online::federation::FederatedOnline;
use hocba_verifier::online::{Clock, OnlineConfig, OnlineTrust};
use hocba_verifier::status::StatusLists;
use hocba_verifier::{Input, TrustedAuthority, VerifiedTrustList, VerifyOptions};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::material::show_age;
use super::{Failure, Trust};

/// `--online` for checking files: trust material fetched from the issuer (and cached) by
/// [`hocba_verifier::online`], on a small runtime of its own.
pub(super) struct Online {
    pub(super) runtime: tokio::runtime::Runtime,
    pub(super) trust: Arc<OnlineTrust>,
    /// Set when the URL is the federation's root (see the module documentation).
    federated: Option<FederatedOnline>,
}

/// The wall clock, for cache bookkeeping and `serve` (the only clock reads besides `--at`).
#[allow(clippy::disallowed_methods)]
pub(super) fn wall_clock() -> Clock {
    Arc::new(OffsetDateTime::now_utc)
}

impl Online {
    pub(super) fn start(
        url: &str,
        cache_dir: &Path,
        authority: TrustedAuthority,
        now: OffsetDateTime,
    ) -> Result<Self, Failure> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Failure::new(anyhow!(e).context("starting the async runtime"), None))?;
        let config = OnlineConfig {
            cache_dir: cache_dir.to_owned(),
            ..OnlineConfig::new(url)
        };
        let trust = runtime
            .block_on(async { OnlineTrust::new(config, authority.clone(), wall_clock()) })
            .map_err(|e| {
                Failure::new(
                    anyhow!(e),
                    Some("give the issuer's base URL, e.g. http://127.0.0.1:8080".into()),
                )
            })?;
        let trust = Arc::new(trust);
        let refreshed = runtime.block_on(trust.refresh());
        if refreshed.is_err() && trust.material().is_none() {
            // No trust list under the pinned key: the root of a federation?
            let config = OnlineConfig {
                cache_dir: cache_dir.join("federation"),
                ..OnlineConfig::new(url)
            };
            if let Ok(fed) = FederatedOnline::new(config, authority.clone(), wall_clock())
                && let Ok(national) = runtime.block_on(fed.national())
            {
                trust.take_warnings();
                eprintln!(
                    "hocba-verify: online {}: national trust list version {} ({} provinces), signed by the pinned root key / danh sách tin cậy quốc gia phiên bản {}",
                    trust.base(),
                    national.version(),
                    national.list().credential_subject.provinces.len(),
                    national.version(),
                );
                return Ok(Self {
                    runtime,
                    trust,
                    federated: Some(fed),
                });
            }
        }
        print_warnings(&trust);
        if let Err(e) = refreshed {
            eprintln!(
                "hocba-verify: {e} (answering from the cache in {}, if any)",
                cache_dir.display()
            );
        }
        if let Some(m) = trust.material() {
            eprintln!(
                "hocba-verify: online {}: trust list version {}, confirmed {} ({} ago) / danh sách tin cậy phiên bản {}",
                trust.base(),
                m.trust.version(),
                m.as_of.format(&Rfc3339).unwrap_or_default(),
                show_age(now - m.as_of),
                m.trust.version(),
            );
        }
        Ok(Self {
            runtime,
            trust,
            federated: None,
        })
    }

    pub(super) fn trust_list(&self) -> Result<Arc<VerifiedTrustList>, Failure> {
        if let Some(fed) = &self.federated {
            // The national list alone: what an input is judged against when its province
            // cannot be fetched (its school is then "not vouched for", with the reason).
            let national = self
                .runtime
                .block_on(fed.national())
                .map_err(|e| Failure::new(anyhow!(e), None))?;
            return Ok(Arc::new(national.resolve::<&[u8]>(&[])));
        }
        self.trust
            .material()
            .map(|m| Arc::clone(&m.trust))
            .ok_or_else(|| {
                Failure::new(
                    anyhow!(
                        "no verified trust list from {} (not reachable, nothing cached)",
                        self.trust.base()
                    ),
                    Some("check the URL, or use --bundle FILE offline".into()),
                )
            })
    }

    /// The trust list and options (with the status lists) for one input read once: fetches
    /// what it needs ([`Input::needs`]: the lists a credential names, a QR summary's school's
    /// lists).
    pub(super) fn for_input(
        &self,
        input: &Input,
        list: &Arc<VerifiedTrustList>,
        options: &VerifyOptions,
    ) -> (Arc<VerifiedTrustList>, VerifyOptions) {
        let needs = input.needs();
        if let Some(fed) = &self.federated {
            let material = self.runtime.block_on(fed.material_for_all(&needs));
            for warning in self.runtime.block_on(fed.take_warnings()) {
                eprintln!("hocba-verify: {warning}");
            }
            return match material {
                Ok(m) => (
                    Arc::clone(&m.trust),
                    options
                        .clone()
                        .with_status_lists(Arc::clone(&m.status_lists)),
                ),
                Err(e) => {
                    eprintln!("hocba-verify: {e}");
                    (
                        Arc::clone(list),
                        options
                            .clone()
                            .with_status_lists(Arc::new(StatusLists::new())),
                    )
                }
            };
        }
        for url in needs
            .status_list_urls
            .iter()
            .filter(|u| !self.trust.may_fetch(u))
        {
            eprintln!(
                "hocba-verify: the status list {url} is not under {}/status/: not fetched (status unknown)",
                self.trust.base()
            );
        }
        let material = self.runtime.block_on(self.trust.material_for_needs(&needs));
        print_warnings(&self.trust);
        match material {
            Ok(m) => (
                Arc::clone(&m.trust),
                options
                    .clone()
                    .with_status_lists(Arc::clone(&m.status_lists)),
            ),
            Err(_) => (
                Arc::clone(list),
                options
                    .clone()
                    .with_status_lists(Arc::new(StatusLists::new())),
            ),
        }
    }
}

/// Print what the online layer could not do (it never prints itself).
pub(super) fn print_warnings(trust: &OnlineTrust) {
    for warning in trust.take_warnings() {
        eprintln!("hocba-verify: {warning}");
    }
}

pub(super) fn unreachable_online_with_bundle() -> Result<Trust, Failure> {
    Err(Failure::new(
        anyhow!("--online and --bundle cannot be used together"),
        None,
    ))
}
