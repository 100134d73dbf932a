//! Fetching from the issuer: the conditional HTTP GET (ETag, `Cache-Control`, timeout, size
//! bound) and the fetch-and-verify of the trust list and of one status list. A status list
//! refused only because it was signed after its province key's compromise is held all the same
//! ([`kept_when_refused`]), so its credentials get that reason rather than "unavailable".

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper::StatusCode;
use hyper::header::{CACHE_CONTROL, ETAG, HeaderValue, IF_NONE_MATCH};
use time::Duration;

use super::cache::Meta;
use super::{DEFAULT_MAX_AGE, MAX_REFRESH, MIN_REFRESH, OnlineTrust, Resource, State};
use crate::reason::Reason;
use crate::status::{MAX_STATUS_LIST_BYTES, StatusLists};
use crate::trust_list::VerifiedTrustList;
use crate::{MAX_TRUST_LIST_BYTES, VerifyError};

/// The answer to one conditional GET.
pub(super) enum Fetched {
    NotModified {
        max_age: Duration,
    },
    Body {
        bytes: Vec<u8>,
        etag: Option<String>,
        max_age: Duration,
    },
}

impl OnlineTrust {
    /// A 304 for a held document: fresh again for `max_age` from `now` (kept on disk).
    pub(super) fn revalidated(
        &self,
        meta: &mut Meta,
        now: time::OffsetDateTime,
        max_age: Duration,
    ) {
        meta.fetched_at = now;
        meta.fresh_until = now + max_age;
        self.write_cache(meta, None);
    }

    pub(super) async fn fetch_trust_list(&self, state: &mut State) -> Result<(), VerifyError> {
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
                    self.revalidated(&mut r.meta, now, max_age);
                }
                Ok(())
            }
            Fetched::Body {
                bytes,
                etag,
                max_age,
            } => {
                let verified = self.authority.verify(&bytes).map_err(|source| {
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

    pub(super) async fn fetch_list(
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
                    self.revalidated(&mut r.meta, now, max_age);
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
                match one.verify_list(url, trust) {
                    Ok(()) => {}
                    Err((reason, detail)) if kept_when_refused(reason) => {
                        self.warn(format!(
                            "{url}: kept, but not trusted: {detail} (its credentials get {})",
                            reason.code()
                        ));
                    }
                    Err((reason, detail)) => {
                        return Err(VerifyError::StatusListRejected {
                            url: url.to_owned(),
                            code: reason.code(),
                            detail,
                        });
                    }
                }
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

    /// One GET with `If-None-Match`, bounded by the timeout and `limit` bytes.
    pub(super) async fn get(
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
}

/// Whether a status list refused for `reason` is held anyway, like a list that verified: only
/// a list signed after the compromise of the province key vouching for its school. Its
/// signature by the school's key verified (that check comes first), so it is the school's
/// real list; holding it lets the core give its credentials the precise reason
/// (`status_list_after_province_compromise`, status unknown) instead of
/// `status_list_unavailable`, and caching it (same max-age, `ETag` and disk cache as any
/// list) keeps it from being fetched again on every request. The core checks it again on
/// every use, so holding it never makes it trusted.
pub(super) fn kept_when_refused(reason: Reason) -> bool {
    reason == Reason::StatusListAfterProvinceCompromise
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

/// `max-age` of a `Cache-Control` value, within [`MIN_REFRESH`]..[`MAX_REFRESH`]; `no-store` /
/// `no-cache` → [`MIN_REFRESH`]; none → [`DEFAULT_MAX_AGE`].
pub(super) fn max_age_of(value: Option<&HeaderValue>) -> Duration {
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
