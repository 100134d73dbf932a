//! The offline trust bundle: one JSON file with the authority's trust list, every school's
//! status list credential, and when it was made, so a verifier without network gives the
//! same answer as online.
//!
//! ```json
//! {
//!   "type": "HocBaTrustBundle",
//!   "createdAt": "2026-06-01T00:00:00Z",
//!   "trustList": { …the trust list, signed by the authority… },
//!   "statusLists": [ { …a BitstringStatusListCredential, signed by its school… }, … ]
//! }
//! ```
//!
//! **National and multi-province bundles (federation).** Instead of `trustList`, a bundle may
//! carry `nationalTrustList` (signed by the root, the key the verifier pins) and
//! `provincialTrustLists` (each signed by its province's key): the whole nation, or the
//! provinces chosen when it was made. Opening checks the national list with the pinned key and
//! each provincial list against it ([`crate::federation`]); a provincial list that fails
//! vouches for nothing, and a credential of one of its schools gets the reason, while the other
//! provinces keep working.
//!
//! **The bundle is a container; each member is signed by who vouches for it.** The trust list
//! carries the authority's proof and each status list its school's, exactly as served online,
//! so opening a bundle checks the same signatures as online verification and nothing new has to
//! be trusted. `createdAt` itself is not signed: it is shown as the bundle's age, and
//! `--max-age` applies both to it and to each status list's own *signed* `validFrom`, so a
//! bundle cannot be made to look fresher than the lists in it.
//!
//! **One list per id.** Two identical copies of a list are read as one; two *different* lists
//! under one id make the bundle unreadable ([`VerifyError::Bundle`]), so an old genuine list
//! (signed before a revocation) cannot be slipped in beside the current one and win by its
//! position. Each list's own signed `validUntil` applies when a credential is checked (past
//! it: `status_list_stale`, "could not check"), and a verifier that remembers the newest copy
//! of each list it has seen ([`crate::seen`]) treats an older copy as stale too.
//!
//! **Compressed bundles, read lazily.** A bundle may be gzip-compressed as a whole (RFC 1952;
//! recognised by its first two bytes, e.g. `hocba-issuer bundle --out nation.json.gz`): a
//! national bundle shrinks to about a third. Opening reads only the top-level object and the
//! trust lists; each status list is kept as the JSON text it was published as, its
//! GZIP+base64url bitstring still compressed, and is read (strictly: a member twice makes that
//! list unreadable, `status_list_malformed`) and its bitstring inflated only when a credential
//! first names it. The inflated size is bounded by [`MAX_BUNDLE_BYTES`] too.
//!
//! Opening reads bytes only: no files, no network, no clock.

use std::collections::HashMap;
use std::sync::Arc;

use hocba_schema::credential::parse_time;
use serde_json::Value;
use serde_json::value::RawValue;
use time::{Duration, OffsetDateTime};

use crate::error::VerifyError;
use crate::status::StatusLists;
use crate::trust_list::{TrustedAuthority, VerifiedTrustList};
use members::Members;

mod members;

/// The `type` of a trust bundle.
pub const BUNDLE_TYPE: &str = hocba_schema::publication::BUNDLE_TYPE;

/// Largest bundle accepted, in bytes, before and after inflating (256 MiB: a province of a
/// thousand schools is a few MiB, the synthetic nation of 54,000 schools under 50 MiB).
pub const MAX_BUNDLE_BYTES: usize = 256 << 20;

/// An opened bundle: the trust list verified against the pinned authority, and the status
/// lists ready for [`VerifyOptions::with_status_lists`](crate::VerifyOptions::with_status_lists)
/// (each list's proof is checked when a credential uses it).
#[derive(Debug)]
pub struct TrustBundle {
    trust: VerifiedTrustList,
    status_lists: Arc<StatusLists>,
    created_at: OffsetDateTime,
}

impl TrustBundle {
    /// Open a bundle. Errors: [`VerifyError::TooLarge`] / [`VerifyError::NotJson`] /
    /// [`VerifyError::NotAnObject`] for unreadable bytes, [`VerifyError::Bundle`] for a bundle
    /// of the wrong shape, and the trust list's own errors
    /// ([`VerifyError::TrustListRejected`] when the authority does not vouch for it).
    pub fn open(bytes: &[u8], authority: &TrustedAuthority) -> Result<Self, VerifyError> {
        if bytes.len() > MAX_BUNDLE_BYTES {
            return Err(VerifyError::TooLarge {
                what: "trust bundle",
                size: bytes.len(),
                limit: MAX_BUNDLE_BYTES,
            });
        }
        let json = members::inflate(bytes, MAX_BUNDLE_BYTES)?;
        let mut map = Members::read(&json)?;
        let problem = |problem: String| VerifyError::Bundle { problem };
        let kind = map.string("type");
        if kind.as_deref() != Some(BUNDLE_TYPE) {
            return Err(problem(format!(
                "type must be {BUNDLE_TYPE:?}, found {kind:?}"
            )));
        }
        let created_text = map
            .string("createdAt")
            .ok_or_else(|| problem("createdAt is missing or not a string".into()))?;
        let created_at =
            parse_time("createdAt", &created_text).map_err(|e| problem(e.to_string()))?;
        let national = map.take("nationalTrustList");
        let provincial = map.take("provincialTrustLists");
        let trust_list = map.take("trustList");
        let lists = map.take("statusLists");
        // The trust lists' signatures and the status lists' intake are independent: on a
        // second core they overlap.
        let (trust, status_lists) = std::thread::scope(|scope| {
            let intake = scope.spawn(|| take_status_lists(lists));
            let trust = open_trust(authority, national, provincial, trust_list);
            let lists = intake.join().unwrap_or_else(|_| {
                Err(VerifyError::Bundle {
                    problem: "reading the status lists failed".into(),
                })
            });
            (trust, lists)
        });
        let (trust, status_lists) = (trust?, status_lists?);
        Ok(Self {
            trust,
            status_lists: Arc::new(status_lists),
            created_at,
        })
    }

    /// The verified trust list.
    pub fn trust_list(&self) -> &VerifiedTrustList {
        &self.trust
    }

    /// Take the verified trust list out.
    pub fn into_trust_list(self) -> VerifiedTrustList {
        self.trust
    }

    /// The status lists, by URL.
    pub fn status_lists(&self) -> Arc<StatusLists> {
        Arc::clone(&self.status_lists)
    }

    /// Mark every held list older than the newest copy in `seen` as stale (see
    /// [`crate::seen::SeenMaterial::apply`]). Call before [`TrustBundle::status_lists`].
    pub fn apply_seen(&mut self, seen: &crate::seen::SeenMaterial) {
        if let Some(lists) = Arc::get_mut(&mut self.status_lists) {
            seen.apply(lists);
        }
    }

    /// When the bundle says it was made (not signed; see the module documentation).
    pub fn created_at(&self) -> OffsetDateTime {
        self.created_at
    }

    /// The bundle's age at `now`: from `createdAt`, or from the oldest status list's signed
    /// `validFrom` when that is older.
    pub fn age(&self, now: OffsetDateTime) -> Duration {
        let oldest = self
            .status_lists
            .urls()
            .filter_map(|u| self.status_lists.valid_from(u))
            .min()
            .map_or(self.created_at, |t| t.min(self.created_at));
        now - oldest
    }
}

/// The trust list of a bundle: the national list and the provincial lists under it, or the
/// single authority's list.
fn open_trust(
    authority: &TrustedAuthority,
    national: Option<&RawValue>,
    provincial: Option<&RawValue>,
    trust_list: Option<&RawValue>,
) -> Result<VerifiedTrustList, VerifyError> {
    let problem = |problem: String| VerifyError::Bundle { problem };
    match national {
        Some(national) => {
            let national = authority.verify_national_list(national.get().as_bytes())?;
            let provincial = match provincial {
                Some(raw) => members::items(raw).map_err(|found| {
                    problem(format!(
                        "provincialTrustLists must be an array, found {found}"
                    ))
                })?,
                None => Vec::new(),
            };
            let provincial: Vec<&[u8]> = provincial.iter().map(|r| r.get().as_bytes()).collect();
            Ok(national.resolve(&provincial))
        }
        None => {
            let trust = trust_list
                .ok_or_else(|| problem("trustList (or nationalTrustList) is missing".into()))?;
            authority.verify_trust_list(trust.get().as_bytes())
        }
    }
}

/// The status lists of a bundle, each under its `id`, kept as published (read on first use).
fn take_status_lists(lists: Option<&RawValue>) -> Result<StatusLists, VerifyError> {
    let problem = |problem: String| VerifyError::Bundle { problem };
    let lists = match lists {
        Some(raw) => members::items(raw)
            .map_err(|found| problem(format!("statusLists must be an array, found {found}")))?,
        None => Vec::new(),
    };
    let mut status_lists = StatusLists::new();
    let mut first_of: HashMap<String, (usize, &RawValue)> = HashMap::with_capacity(lists.len());
    for (i, list) in lists.into_iter().enumerate() {
        let Some(id) = members::id_of(list) else {
            return Err(problem(format!("statusLists[{i}] has no string id")));
        };
        if let Some((j, earlier)) = first_of.get(&id) {
            if same_json(earlier, list) {
                continue;
            }
            return Err(problem(format!(
                "statusLists[{j}] and statusLists[{i}] are two different lists with the same \
                 id {id:?}; a bundle carries one list per id (get a new bundle from the issuer)"
            )));
        }
        status_lists.insert(id.clone(), list.get().as_bytes().to_vec());
        first_of.insert(id, (i, list));
    }
    Ok(status_lists)
}

/// Two copies of a list are the same list: the same bytes, or the same JSON value.
fn same_json(a: &RawValue, b: &RawValue) -> bool {
    a.get() == b.get()
        || matches!(
            (
                serde_json::from_str::<Value>(a.get()),
                serde_json::from_str::<Value>(b.get()),
            ),
            (Ok(x), Ok(y)) if x == y
        )
}
