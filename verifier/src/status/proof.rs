//! A status list's proof: by a key of the credential's issuing school in the trust list, usable
//! when the list was signed, within the list's own times, and verifying; cached per trust list
//! version when the outcome does not depend on the time of checking.

use hocba_schema::trust_list::KeyStatus;
use time::OffsetDateTime;

use super::{Entry, ParsedList};
use crate::proof::verify_proof;
use crate::reason::Reason;
use crate::trust_list::VerifiedTrustList;
use crate::verdict::ShowTime;

impl Entry {
    /// The proof check against `trust` for a credential of `issuer_id`, cached per trust list.
    /// With `now`, the proof's own times are checked too (`created` not after `now`, `expires`
    /// not before it), and a proof without `created` has its key judged at `now`; such a
    /// proof's outcome depends on `now` and is not cached. Without `now` (a list screened on
    /// its own), a proof without `created` gets no key-lifetime check here: every credential
    /// check makes it at its own `now`.
    pub(super) fn proof_check(
        &self,
        list: &ParsedList,
        trust: &VerifiedTrustList,
        issuer_id: &str,
        now: Option<OffsetDateTime>,
    ) -> Result<(), (Reason, String)> {
        if let Some(now) = now {
            check_list_proof_times(list, now)?;
        }
        if list.created.is_none() {
            return check_list_proof(list, trust, issuer_id, now);
        }
        let key = (trust.id().to_owned(), trust.version());
        if let Ok(guard) = self.proof.lock()
            && let Some((id, version, result)) = guard.as_ref()
            && *id == key.0
            && *version == key.1
        {
            return result.clone();
        }
        let result = check_list_proof(list, trust, issuer_id, now);
        if let Ok(mut guard) = self.proof.lock() {
            *guard = Some((key.0, key.1, result.clone()));
        }
        result
    }
}

/// How far after the time of checking a list's proof `created` may lie: a list is signed when
/// it is fetched, often after the verifier read its clock (the same second, or the next one),
/// and by a server whose clock may run a little ahead. A credential has no such allowance.
const LIST_CREATED_AHEAD: time::Duration = time::Duration::minutes(5);

/// The list proof's `created` and `expires` against `now`, with the rules of a credential's
/// proof ([`crate::proof::check_proof_times_allowing`]): a proof past its `expires` makes the
/// list stale; a malformed time or a `created` more than [`LIST_CREATED_AHEAD`] after `now`
/// makes its proof invalid.
fn check_list_proof_times(list: &ParsedList, now: OffsetDateTime) -> Result<(), (Reason, String)> {
    crate::proof::check_proof_times_allowing(&list.secured, now, LIST_CREATED_AHEAD).map_err(
        |failure| {
            let reason = if failure.reason() == Reason::ProofExpired {
                Reason::StatusListStale
            } else {
                Reason::StatusListSignatureInvalid
            };
            (
                reason,
                format!("status list {}: {}", list.id, failure.detail()),
            )
        },
    )
}

/// The list's proof: made by a key of the credential's issuing school (per the trust list),
/// usable at the proof's `created`, and verifying.
fn check_list_proof(
    list: &ParsedList,
    trust: &VerifiedTrustList,
    issuer_id: &str,
    now: Option<OffsetDateTime>,
) -> Result<(), (Reason, String)> {
    let vm = &list.verification_method;
    // The signing time: `created`, or else the time of checking (the latest it can have
    // been), or else (screened without a time) none, and the key's window is left to the
    // credential check.
    let signed = list.created.or(now);
    let Some(found) = trust.lookup(vm) else {
        return Err((
            Reason::StatusListSignedByOtherKey,
            format!(
                "status list {} is signed by {vm:?}, which is not a key in trust list version {}",
                list.id,
                trust.version()
            ),
        ));
    };
    if found.school.id != issuer_id || found.key.controller != issuer_id {
        return Err((
            Reason::StatusListSignedByOtherKey,
            format!(
                "status list {} is signed by a key of {} ({}), not of the credential's issuer {issuer_id}",
                list.id, found.school.name, found.school.id
            ),
        ));
    }
    let key = found.key;
    let usable = match (key.status, key.valid_until) {
        (KeyStatus::Compromised, _) => Err("is marked compromised".to_owned()),
        (_, Some(until)) if signed.is_some_and(|at| at >= until) => Err(format!(
            "signed {} at or after the key's end {}",
            ShowSigned(list.created, signed),
            ShowTime(until)
        )),
        (KeyStatus::Retired, None) => Err("is retired with no retirement time".to_owned()),
        _ if signed.is_some_and(|at| at < key.valid_from) => Err(format!(
            "signed {} before the key's validFrom {}",
            ShowSigned(list.created, signed),
            ShowTime(key.valid_from)
        )),
        _ => Ok(()),
    };
    if let Err(problem) = usable {
        return Err((
            Reason::StatusListKeyNotValid,
            format!("status list {}: key {vm:?} {problem}", list.id),
        ));
    }
    let public = found.public.map_err(|p| {
        (
            Reason::StatusListSignedByOtherKey,
            format!("status list {}: {p}", list.id),
        )
    })?;
    verify_proof(&list.secured, public).map_err(|f| {
        (
            Reason::StatusListSignatureInvalid,
            format!("status list {}: {f}", list.id),
        )
    })?;
    // After the signature: a list refused for its province's compromise is authentic (the
    // online fetcher keeps such a list, so that its credentials get this reason).
    crate::federation::list_vouched(found.vouch, signed, &list.id)
}

/// How the signing time of a list's proof is shown: its `created`, or the time of checking
/// taken in its place.
struct ShowSigned(Option<OffsetDateTime>, Option<OffsetDateTime>);

impl std::fmt::Display for ShowSigned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self(Some(created), _) => write!(f, "{}", ShowTime(*created)),
            Self(None, Some(now)) => write!(
                f,
                "(no proof.created: the time of checking) {}",
                ShowTime(*now)
            ),
            Self(None, None) => f.write_str("(no proof.created)"),
        }
    }
}
