//! Revocation: reading a credential's `credentialStatus` bit in its school's Bitstring Status
//! List credential, without any I/O.
//!
//! The caller fetches the status list credentials (online, with its own cache, or from an
//! offline trust bundle) and hands their bytes over as a [`StatusLists`] map from the list's URL
//! to the bytes. The verifier then decides, for the credential's entry:
//!
//! ```text
//! no credentialStatus                       not_checked  no_status_entry
//! no status lists given                     not_checked  status_not_checked
//! entry malformed / index beyond the list   failed       status_entry_malformed
//! list not among those given                unknown      status_list_unavailable
//! list unreadable (JSON, type, encodedList) unknown      status_list_malformed
//! list past validUntil, or older than asked unknown      status_list_stale
//! list older than a copy seen before        unknown      status_list_stale
//! list's key not the issuing school's       failed       status_list_signed_by_other_key
//! list's key compromised / retired before   failed       status_list_key_not_valid
//! list's signature does not verify          failed       status_list_signature_invalid
//! list issued by another school             failed       status_list_of_another_school
//! bit set                                   failed       revoked (with date and reason)
//! bit clear                                 passed
//! ```
//!
//! **Date and reason.** A học bạ list carries, inside its signed `credentialSubject`, a note per
//! revoked index: `revocations: [{statusListIndex, revokedAt, reason}]`. When the bit is set the
//! check's [`Revocation`] (and the verdict's `revocation`) gives that note's date and reason.
//! Only this signed place counts, and only for a set bit: a note for a clear bit changes
//! nothing (the bit decides), a set bit without a note is still revoked (date and reason
//! unknown), and a note that is malformed (index not a decimal string, date not RFC 3339,
//! reason not one line of at most [`MAX_REASON_CHARS`] characters) is ignored like a missing one.
//!
//! **Replacement.** A note may name the record that replaces the revoked one (a correction):
//! `replacedBy`, the new credential's `id` (`urn:uuid:…`). It is signed with the list, so a
//! changed link fails the list's signature; the check's [`Revocation::replaced_by`] gives it.
//! A `replacedBy` in any other form is ignored (the note's date and reason still count); a list
//! without it reads as before.
//!
//! "Unknown" fails closed: the verdict is not valid and its result is
//! [`VerdictResult::StatusUnknown`](crate::VerdictResult::StatusUnknown), never "not revoked".
//!
//! Each list is parsed and its bitstring decoded once per [`StatusLists`], and its proof
//! verified once per trust list version, so checking many credentials against cached lists
//! costs a hash-map lookup and a bit read.
//!
//! [`MAX_REASON_CHARS`]: hocba_schema::status_list::MAX_REASON_CHARS

mod parse;
mod proof;

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use hocba_schema::credential::IssuerRef;
use hocba_schema::proof::SecuredDocument;
use hocba_schema::status_list::Bitstring;
use serde_json::Value;
use time::{Duration, OffsetDateTime};

use crate::reason::{CheckName, Reason};
use crate::secured::Object;
use crate::trust_list::VerifiedTrustList;
use crate::verdict::{Check, Revocation, ShowTime};
use parse::parse_list;

/// Largest status list credential accepted, in bytes (a list of 8 Mi entries encodes to at
/// most ~2 MiB).
pub const MAX_STATUS_LIST_BYTES: usize = 4 << 20;

/// Status list credentials by URL, already fetched: the verifier's status source.
#[derive(Debug, Default)]
pub struct StatusLists {
    lists: HashMap<String, Entry>,
    /// By URL: the signed `validFrom` of the newest verified list this verifier has seen
    /// before (see [`crate::seen`]); a held list made earlier is an old copy (status unknown).
    newest_seen: HashMap<String, OffsetDateTime>,
}

#[derive(Debug)]
struct Entry {
    bytes: Vec<u8>,
    parsed: OnceLock<Result<ParsedList, (Reason, String)>>,
    /// The proof check, for the trust list (id, version) it was made against.
    proof: Mutex<Option<ProofMemo>>,
}

/// A list's proof check: (trust list id, trust list version, outcome).
type ProofMemo = (String, u64, Result<(), (Reason, String)>);

/// A status list credential as read (not yet trusted).
#[derive(Debug)]
struct ParsedList {
    id: String,
    issuer: IssuerRef,
    valid_from: OffsetDateTime,
    valid_until: Option<OffsetDateTime>,
    bits: Bitstring,
    /// The signed revocation notes, by index.
    notes: HashMap<usize, parse::Note>,
    /// `valid_from` in RFC 3339, formatted once for the check details.
    made: String,
    secured: SecuredDocument,
    verification_method: String,
    /// The proof's `created`, when it has one.
    created: Option<OffsetDateTime>,
}

impl StatusLists {
    /// No lists.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add (or replace) the status list credential fetched from `url`.
    pub fn insert(&mut self, url: impl Into<String>, bytes: Vec<u8>) {
        self.lists.insert(
            url.into(),
            Entry {
                bytes,
                parsed: OnceLock::new(),
                proof: Mutex::new(None),
            },
        );
    }

    /// Add the list fetched from `url` unless a list already held for `url` was made later
    /// (its signed `validFrom`): of two copies of one list, the newer one speaks, so an old
    /// copy made before a revocation cannot hide it. A list that cannot be read never
    /// displaces a readable one. Returns whether `bytes` were kept.
    pub fn insert_newest(&mut self, url: impl Into<String>, bytes: Vec<u8>) -> bool {
        let url = url.into();
        if let Some(held) = self.lists.get(&url) {
            let new = parse_list(&bytes).ok().map(|l| l.valid_from);
            let old = held.parsed().as_ref().ok().map(|l| l.valid_from);
            match (new, old) {
                (Some(new), Some(old)) if new <= old => return false,
                (None, Some(_)) => return false,
                _ => {}
            }
        }
        self.insert(url, bytes);
        true
    }

    /// Remember that a verified list for `url` made at `valid_from` was seen before: a held
    /// list for `url` made earlier gives `status_list_stale` ("an older copy than one already
    /// seen"), never "not revoked".
    pub fn set_newest_seen(&mut self, url: impl Into<String>, valid_from: OffsetDateTime) {
        let slot = self.newest_seen.entry(url.into()).or_insert(valid_from);
        if valid_from > *slot {
            *slot = valid_from;
        }
    }

    /// `(url, signed validFrom)` of every held list that verifies against `trust`
    /// ([`StatusLists::verify_list`]): what a verifier may remember as seen.
    pub fn verified_valid_from(&self, trust: &VerifiedTrustList) -> Vec<(String, OffsetDateTime)> {
        let mut out: Vec<(String, OffsetDateTime)> = self
            .lists
            .iter()
            .filter(|(url, _)| self.verify_list(url, trust).is_ok())
            .filter_map(|(url, e)| {
                e.parsed()
                    .as_ref()
                    .ok()
                    .map(|l| (url.clone(), l.valid_from))
            })
            .collect();
        out.sort();
        out
    }

    /// How many lists there are.
    pub fn len(&self) -> usize {
        self.lists.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    /// The URLs held, in no particular order.
    pub fn urls(&self) -> impl Iterator<Item = &str> {
        self.lists.keys().map(String::as_str)
    }

    /// The bytes held for `url`.
    pub fn get(&self, url: &str) -> Option<&[u8]> {
        self.lists.get(url).map(|e| e.bytes.as_slice())
    }

    /// The signed `validFrom` of the list at `url`, when it can be read (not verified).
    pub fn valid_from(&self, url: &str) -> Option<OffsetDateTime> {
        let entry = self.lists.get(url)?;
        entry.parsed().as_ref().ok().map(|p| p.valid_from)
    }

    /// Check the list held for `url` on its own, as an online cache does before keeping a
    /// fetched list as trusted: readable, its `id` is `url`, and its proof is by a usable key of
    /// its own issuing school in `trust`. Freshness is not judged here (each credential check
    /// does that at its `now`). Errors: the reason and detail a credential check would give.
    pub fn verify_list(
        &self,
        url: &str,
        trust: &VerifiedTrustList,
    ) -> Result<(), (Reason, String)> {
        let Some(entry) = self.lists.get(url) else {
            return Err((
                Reason::StatusListUnavailable,
                format!("the status list {url} is not held"),
            ));
        };
        let list = entry.parsed().as_ref().map_err(Clone::clone)?;
        if list.id != url {
            return Err((
                Reason::StatusListMalformed,
                format!("the list fetched from {url} says its id is {:?}", list.id),
            ));
        }
        entry.proof_check(list, trust, &list.issuer.id, None)
    }

    /// The `status` check of a printed record's QR summary, which names its school and its
    /// index but not the list: every held list issued by `school_id` is read at `index`, each
    /// with the checks a credential's status gets (proof by the school's key, `validUntil`,
    /// `max_age`). One list of the school: its answer. Several: not revoked only when none
    /// marks the index, else status unknown (the summary cannot say which list is its own).
    /// `None` when no list of the school is held (the caller keeps "not checked").
    pub fn summary_status(
        &self,
        school_id: &str,
        index: u64,
        trust: &VerifiedTrustList,
        now: OffsetDateTime,
        max_age: Option<Duration>,
    ) -> Option<Check> {
        let mut urls: Vec<&str> = self
            .lists
            .iter()
            .filter(|(_, e)| matches!(e.parsed(), Ok(l) if l.issuer.id == school_id))
            .map(|(u, _)| u.as_str())
            .collect();
        urls.sort_unstable();
        let checks: Vec<Check> = urls
            .iter()
            .map(|url| {
                let mut doc = Object::new();
                doc.insert(
                    "credentialStatus".into(),
                    serde_json::json!({
                        "type": "BitstringStatusListEntry",
                        "statusPurpose": "revocation",
                        "statusListCredential": url,
                        "statusListIndex": index.to_string(),
                    }),
                );
                status_check(&doc, Some(school_id), Some(self), trust, now, max_age)
            })
            .collect();
        match checks.len() {
            0 => None,
            1 => checks.into_iter().next(),
            n => {
                if checks.iter().all(|c| c.outcome == crate::Outcome::Passed) {
                    checks.into_iter().next()
                } else {
                    Some(Check::failed(
                        CheckName::Status,
                        Reason::StatusListUnavailable,
                        format!(
                            "the school has {n} status lists and index {index} is not clear in all \
                             of them; the QR summary does not say which list is its own"
                        ),
                    ))
                }
            }
        }
    }
}

impl Entry {
    fn parsed(&self) -> &Result<ParsedList, (Reason, String)> {
        self.parsed.get_or_init(|| parse_list(&self.bytes))
    }
}

/// The `status` check of a credential document (without proof), issued by `issuer_id`.
pub(crate) fn status_check(
    doc: &Object,
    issuer_id: Option<&str>,
    lists: Option<&StatusLists>,
    trust: &VerifiedTrustList,
    now: OffsetDateTime,
    max_age: Option<Duration>,
) -> Check {
    let name = CheckName::Status;
    let not_checked = |reason, detail: String| {
        Check::with_reason(name, crate::Outcome::NotChecked, reason, detail)
    };
    let Some(status) = doc.get("credentialStatus") else {
        return not_checked(Reason::NoStatusEntry, String::new());
    };
    let text = |field: &str| status.get(field).and_then(Value::as_str);
    let url = text("statusListCredential");
    let index_text = text("statusListIndex");
    let Some(lists) = lists else {
        return not_checked(
            Reason::StatusNotChecked,
            format!(
                "status list {}, index {}",
                url.unwrap_or("?"),
                index_text.unwrap_or("?")
            ),
        );
    };
    let entry_problem = |detail: String| Check::failed(name, Reason::StatusEntryMalformed, detail);
    if text("type") != Some("BitstringStatusListEntry") {
        return entry_problem(format!(
            "credentialStatus.type must be \"BitstringStatusListEntry\", found {:?}",
            status.get("type")
        ));
    }
    if text("statusPurpose") != Some("revocation") {
        return entry_problem(format!(
            "credentialStatus.statusPurpose must be \"revocation\", found {:?}",
            status.get("statusPurpose")
        ));
    }
    let Some(url) = url else {
        return entry_problem("credentialStatus.statusListCredential is missing".into());
    };
    let index = match index_text.map(|t| (t, t.parse::<usize>())) {
        Some((t, Ok(i))) if !t.starts_with('+') && (t == "0" || !t.starts_with('0')) => i,
        _ => {
            return entry_problem(format!(
                "credentialStatus.statusListIndex must be a decimal string, found {:?}",
                status.get("statusListIndex")
            ));
        }
    };
    let Some(issuer_id) = issuer_id else {
        return not_checked(
            Reason::DependsOnFailedCheck,
            "issuer.id could not be read".into(),
        );
    };
    let Some(entry) = lists.lists.get(url) else {
        return Check::failed(
            name,
            Reason::StatusListUnavailable,
            format!("the status list {url} was not given (not fetched, not in the bundle)"),
        );
    };
    let list = match entry.parsed() {
        Ok(list) => list,
        Err((reason, detail)) => return Check::failed(name, *reason, detail.clone()),
    };
    if list.id != url {
        return Check::failed(
            name,
            Reason::StatusListMalformed,
            format!("the list fetched from {url} says its id is {:?}", list.id),
        );
    }
    if list.issuer.id != issuer_id {
        return Check::failed(
            name,
            Reason::StatusListOfAnotherSchool,
            format!(
                "status list {url} is issued by {:?}; the credential's issuer is {issuer_id:?}",
                list.issuer.id
            ),
        );
    }
    if let Err((reason, detail)) = entry.proof_check(list, trust, issuer_id, Some(now)) {
        return Check::failed(name, reason, detail);
    }
    if let Some(until) = list.valid_until
        && now > until
    {
        return Check::failed(
            name,
            Reason::StatusListStale,
            format!(
                "status list {url} was valid until {}, before the time of checking {}",
                ShowTime(until),
                ShowTime(now)
            ),
        );
    }
    if let Some(seen) = lists.newest_seen.get(url)
        && list.valid_from < *seen
    {
        return Check::failed(
            name,
            Reason::StatusListStale,
            format!(
                "status list {url} made {} is older than the copy made {} this verifier has \
                 already seen; get a newer bundle",
                ShowTime(list.valid_from),
                ShowTime(*seen)
            ),
        );
    }
    if let Some(max) = max_age
        && now - list.valid_from > max
    {
        return Check::failed(
            name,
            Reason::StatusListStale,
            format!(
                "status list {url} was made {}, more than the maximum age ({} hours) before {}",
                ShowTime(list.valid_from),
                max.whole_hours(),
                ShowTime(now)
            ),
        );
    }
    match list.bits.get(index) {
        None => entry_problem(format!(
            "statusListIndex {index} is beyond the {} entries of {url}",
            list.bits.len()
        )),
        Some(true) => {
            let note = list.notes.get(&index);
            let mut said = match note {
                Some(n) => format!("on {}; reason: {}", ShowTime(n.at), n.reason),
                None => "(the list gives no date or reason)".to_owned(),
            };
            if let Some(id) = note.and_then(|n| n.replaced_by.as_deref()) {
                said.push_str("; replaced by ");
                said.push_str(id);
            }
            let mut check = Check::failed(
                name,
                Reason::Revoked,
                format!(
                    "status list {url} (made {}) marks index {index} revoked {said}",
                    list.made
                ),
            );
            check.revocation = Some(Revocation {
                status_list: url.to_owned(),
                status_list_index: index as u64,
                revoked_at: note.map(|n| n.at),
                reason: note.map(|n| n.reason.clone()),
                replaced_by: note.and_then(|n| n.replaced_by.clone()),
            });
            check.status_as_of = Some(list.valid_from);
            check
        }
        Some(false) => {
            let mut check = Check::passed(
                name,
                Some(format!(
                    "not revoked: index {index} of {url}, list made {}",
                    list.made
                )),
            );
            check.status_as_of = Some(list.valid_from);
            check
        }
    }
}
