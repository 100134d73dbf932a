//! What a verifier remembers of the trust material it has verified, so that old genuine
//! material cannot be replayed to it: the highest **version of each trust list** and the
//! newest **copy of each status list** (its signed `validFrom`).
//!
//! Why: an earlier trust-list version is still signed by the authority, and may still list
//! as active a key that was marked compromised since; an earlier status list is still signed
//! by its school, and may not yet mark a record revoked since. Signatures alone cannot tell
//! old from current; memory can. So:
//!
//! * a trust list whose version is lower than one seen is refused
//!   ([`VerifyError::TrustListRolledBack`]): nothing is checked against it;
//! * a status list older than the copy seen gives `status_list_stale` ("could not check")
//!   for the credentials it covers ([`SeenMaterial::apply`]).
//!
//! Only verified material is remembered (a trust list the pinned authority vouched for, a
//! status list whose proof verifies against it), so forged material cannot raise the marks.
//!
//! The state is plain JSON, `{"trustLists":{id:version},"statusLists":{url:validFrom}}`. This
//! module only reads and writes it as bytes (no files, no clock); `hocba-verify` keeps it in
//! its cache directory as [`SEEN_FILE`] (`--cache-dir`, for `--bundle` and `--online`, and for
//! `serve`).

use std::collections::BTreeMap;

use hocba_schema::credential::parse_time;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;

use crate::error::VerifyError;
use crate::status::StatusLists;
use crate::trust_list::VerifiedTrustList;

/// The file name of the state inside a verifier's cache directory.
pub const SEEN_FILE: &str = "seen.json";

/// Largest state read, in bytes (a province's lists are a few hundred entries).
pub const MAX_SEEN_BYTES: usize = 4 << 20;

/// The remembered marks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeenMaterial {
    /// Highest trust-list version seen, by trust-list id.
    #[serde(default)]
    trust_lists: BTreeMap<String, u64>,
    /// Newest status-list `validFrom` seen (RFC 3339), by list URL.
    #[serde(default)]
    status_lists: BTreeMap<String, String>,
}

impl SeenMaterial {
    /// Nothing seen yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Read the state. A state that cannot be read is an error naming the problem (the caller
    /// decides whether to stop or to start afresh, saying so).
    pub fn from_json(bytes: &[u8]) -> Result<Self, VerifyError> {
        if bytes.len() > MAX_SEEN_BYTES {
            return Err(VerifyError::TooLarge {
                what: "seen-material state",
                size: bytes.len(),
                limit: MAX_SEEN_BYTES,
            });
        }
        serde_json::from_slice(bytes).map_err(|e| VerifyError::NotJson {
            what: "seen-material state",
            line: e.line(),
            column: e.column(),
            problem: e.to_string(),
        })
    }

    /// The state as JSON.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// The highest version seen of the trust list `id`.
    pub fn trust_list_version(&self, id: &str) -> Option<u64> {
        self.trust_lists.get(id).copied()
    }

    /// Refuse `trust` when a higher version of the same list was seen.
    pub fn check(&self, trust: &VerifiedTrustList) -> Result<(), VerifyError> {
        match self.trust_list_version(trust.id()) {
            Some(seen) if trust.version() < seen => Err(VerifyError::TrustListRolledBack {
                id: trust.id().to_owned(),
                version: trust.version(),
                seen,
            }),
            _ => Ok(()),
        }
    }

    /// Tell `lists` the newest copy seen of each list, so an older held copy is stale.
    pub fn apply(&self, lists: &mut StatusLists) {
        for (url, text) in &self.status_lists {
            if let Ok(t) = parse_time("validFrom", text) {
                lists.set_newest_seen(url.clone(), t);
            }
        }
    }

    /// Remember `trust` (verified by the caller) and every list in `lists` that verifies
    /// against it. Marks only rise. Returns whether anything changed (worth writing).
    pub fn record(&mut self, trust: &VerifiedTrustList, lists: Option<&StatusLists>) -> bool {
        let mut changed = false;
        match self.trust_lists.get_mut(trust.id()) {
            Some(held) if *held >= trust.version() => {}
            Some(held) => {
                *held = trust.version();
                changed = true;
            }
            None => {
                self.trust_lists
                    .insert(trust.id().to_owned(), trust.version());
                changed = true;
            }
        }
        for (url, valid_from) in lists
            .map(|l| l.verified_valid_from(trust))
            .unwrap_or_default()
        {
            let newer = self
                .status_lists
                .get(&url)
                .and_then(|t| parse_time("validFrom", t).ok())
                .is_none_or(|held| valid_from > held);
            if newer && let Ok(text) = valid_from.format(&Rfc3339) {
                self.status_lists.insert(url, text);
                changed = true;
            }
        }
        changed
    }
}
