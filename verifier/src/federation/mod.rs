//! The national trust federation: one pinned root key (the Ministry), a national trust list it
//! signs naming each provincial authority and its keys, and below it one trust list per
//! province naming its schools, as in a single-authority deployment.
//!
//! ```text
//! pinned root ─► national trust list ─► province key (valid at the credential's signing time?)
//!                                          └─► provincial trust list ─► school key ─► credential
//! ```
//!
//! [`TrustedAuthority::verify_national_list`] checks the national list with the pinned root
//! key (the same `--authority` option names it) and gives a [`VerifiedNationalList`];
//! [`VerifiedNationalList::resolve`] checks each provincial list against it and assembles one
//! [`VerifiedTrustList`] of every school they vouch for, so the rest of the verifier (proofs,
//! status lists, verdicts) works as with a single authority. What the assembly refused is kept
//! so that a credential gets the precise reason:
//!
//! | what | reason (check `issuer` / `key_validity`) |
//! |---|---|
//! | the school's code belongs to no province of the national list | `province_not_in_national_list` |
//! | a provincial list is issued by a province not in the national list | `province_not_in_national_list` |
//! | the school is listed only by a province that does not answer for its code | `school_listed_by_wrong_province` |
//! | the provincial list is signed with another province's key | `province_list_signed_by_other_province` |
//! | the provincial list's signature fails, or its key is unknown / not valid when it signed | `province_list_rejected` |
//! | the province key was compromised before the credential (or QR summary) was signed, or before the school key was registered, or before the provincial list was signed | `province_compromised` |
//! | a status list was signed at or after the compromise of the province key vouching for its school (status unknown) | `status_list_after_province_compromise` (check `status`) |
//! | online: the province's list was fetched and refused ([`VerifiedNationalList::combine`]) | the refusal's reason |
//!
//! **Compromise of a province key.** The national list marks it `compromised` with
//! `validUntil` = the compromise time S. What the province vouched for before S stays: a
//! credential signed before S by a school key registered before S. Anything later is refused:
//! whoever holds the stolen key can register keys of their own. A retired
//! province key keeps the provincial lists it signed before its retirement.
//!
//! **Freshness.** The assembled list is valid from the national list's `validFrom` until the
//! earliest `validUntil` of the national list and of every provincial list used: past it, the
//! verdict is "could not check" (`trust_list_stale`), as for a single authority.
//!
//! Like the rest of the core: bytes in, no files, network or clock.

mod resolve;

use std::collections::HashMap;

use hocba_schema::national_trust_list::{
    NATIONAL_TRUST_LIST_TYPE, NationalTrustList, TrustedProvince,
};
use hocba_schema::trust_list::{KeyStatus, TrustedKey};
use time::OffsetDateTime;

use crate::error::VerifyError;
use crate::reason::Reason;
use crate::trust_list::{TrustedAuthority, VerifiedTrustList, open_signed, read_signed_list};
use crate::verdict::ShowTime;

impl TrustedAuthority {
    /// Check a national trust list: signed by this (root) key, a `HocBaNationalTrustList`.
    /// Errors as for [`TrustedAuthority::verify_trust_list`].
    pub fn verify_national_list(&self, bytes: &[u8]) -> Result<VerifiedNationalList, VerifyError> {
        let doc = open_signed(bytes, "national trust list")?;
        let unsecured = self.check_pinned(doc)?;
        let list = read_signed_list(unsecured, NATIONAL_TRUST_LIST_TYPE)?;
        Ok(VerifiedNationalList { list })
    }
}

/// A national trust list whose signature the pinned root key verified. Only
/// [`TrustedAuthority::verify_national_list`] makes one.
#[derive(Debug, Clone)]
pub struct VerifiedNationalList {
    list: NationalTrustList,
}

impl VerifiedNationalList {
    /// The verified list.
    pub fn list(&self) -> &NationalTrustList {
        &self.list
    }

    /// Its version number.
    pub fn version(&self) -> u64 {
        self.list.credential_subject.version
    }

    /// The province that answers for a school code (what an online verifier fetches for a
    /// credential of that school).
    pub fn province_for_school(&self, school_code: &str) -> Option<&TrustedProvince> {
        self.list.province_for_school(school_code)
    }

    /// Check each provincial trust list (bytes as published) against this national list and
    /// assemble the schools they vouch for. Never fails as a whole: a list that cannot be
    /// trusted vouches for nothing, and its schools get the reason when a credential names
    /// them (see the module documentation).
    pub fn resolve<B: AsRef<[u8]>>(&self, provincial: &[B]) -> VerifiedTrustList {
        resolve::resolve(self, provincial)
    }

    /// Check one provincial list against this national list: the schools it vouches for, or
    /// [`VerifyError::TrustListRejected`] with the federation's reason when it cannot be
    /// trusted (what the online verifier caches per province).
    pub fn verify_provincial(&self, bytes: &[u8]) -> Result<VerifiedTrustList, VerifyError> {
        resolve::verify_one(self, bytes)
    }

    /// Put together provincial lists each checked by [`verify_provincial`](Self::verify_provincial)
    /// against this national list (what an online verifier holds for a request that names
    /// schools of several provinces), without checking their signatures again. `refused`:
    /// the provinces whose list was fetched but refused, with the reason and detail; their
    /// schools get that reason. A part made from another national list (or version) is left
    /// out.
    pub fn combine(
        &self,
        parts: &[&VerifiedTrustList],
        refused: &[(String, Reason, String)],
    ) -> VerifiedTrustList {
        resolve::combine(self, parts, refused)
    }
}

/// Which province key vouched for a school: the key that signed the provincial list listing it.
#[derive(Debug, Clone)]
pub struct Vouch {
    province_code: String,
    province_name: String,
    key: TrustedKey,
}

/// How an assembled list was made: who vouches for each school, and what was refused.
#[derive(Debug)]
pub(crate) struct Federation {
    national: NationalTrustList,
    /// Per school of the assembled list: index into `vouches`.
    by_school: Vec<usize>,
    vouches: Vec<Vouch>,
    /// Issuer id → why a provincial list's entry for it was not used.
    excluded: HashMap<String, (Reason, String)>,
    /// Codes of the provinces whose lists were used.
    loaded: Vec<String>,
    /// Province code → why its list (fetched online) was refused.
    refused: HashMap<String, (Reason, String)>,
}

impl Federation {
    pub(crate) fn vouch(&self, school: usize) -> Option<&Vouch> {
        self.by_school
            .get(school)
            .and_then(|&v| self.vouches.get(v))
    }

    /// Why a school that is not in the assembled list is not there, when the federation knows
    /// better than "not in the trust list".
    pub(crate) fn why_missing(
        &self,
        issuer_id: &str,
        school_code: Option<&str>,
    ) -> Option<(Reason, String)> {
        if let Some(why) = self.excluded.get(issuer_id) {
            return Some(why.clone());
        }
        let code = school_code.or_else(|| issuer_id.strip_prefix("urn:hocba:school:"))?;
        let version = self.national.credential_subject.version;
        let province = self.national.province_for_school(code);
        if let Some(p) = province
            && let Some((reason, why)) = self.refused.get(&p.code)
        {
            return Some((
                *reason,
                format!(
                    "{issuer_id} belongs to province {} ({}), whose trust list was refused: {why}",
                    p.code, p.name
                ),
            ));
        }
        match province {
            None => Some((
                Reason::ProvinceNotInNationalList,
                format!(
                    "school code {code:?} ({issuer_id}) belongs to no province of national trust \
                     list version {version}"
                ),
            )),
            Some(p) if !self.loaded.contains(&p.code) => Some((
                Reason::UntrustedIssuer,
                format!(
                    "{issuer_id} belongs to province {} ({}), whose trust list was not given \
                     (get a bundle with this province, or verify online)",
                    p.code, p.name
                ),
            )),
            Some(p) => Some((
                Reason::UntrustedIssuer,
                format!(
                    "{issuer_id} is not a school in the trust list of province {} ({})",
                    p.code, p.name
                ),
            )),
        }
    }
}

/// A status list signed at `signed` by a school key that `vouch` vouches for: `Ok` when the
/// province key was not compromised by then, else the reason (the status is then unknown:
/// "could not check", never "not revoked"). A status list is newly signed each time it is
/// published, so unlike a credential it is judged at its own signing time: a list signed at or
/// after the compromise S is not trusted on the school key alone, and the credential's status
/// cannot be checked until the province re-signs its list with a new key.
/// `Ok` too when there is no vouch (a single-authority list) or no signing time (a list screened
/// on its own without `created`: each credential check judges it at its `now`).
pub(crate) fn list_vouched(
    vouch: Option<&Vouch>,
    signed: Option<OffsetDateTime>,
    list_id: &str,
) -> Result<(), (Reason, String)> {
    let (Some(vouch), Some(signed)) = (vouch, signed) else {
        return Ok(());
    };
    let key = &vouch.key;
    if key.status != KeyStatus::Compromised {
        return Ok(());
    }
    let province = format!("{} ({})", vouch.province_code, vouch.province_name);
    match key.valid_until {
        Some(since) if signed < since => Ok(()),
        Some(since) => Err((
            Reason::StatusListAfterProvinceCompromise,
            format!(
                "status list {list_id} was signed {} by a school key vouched for by province \
                 {province}'s key {:?}, compromised since {}; the status cannot be checked until \
                 the province signs its list with a new key",
                ShowTime(signed),
                key.id,
                ShowTime(since)
            ),
        )),
        None => Err((
            Reason::StatusListAfterProvinceCompromise,
            format!(
                "status list {list_id}: key {:?} of province {province} is marked compromised \
                 with no time: it vouches for nothing",
                key.id
            ),
        )),
    }
}

/// The province key's status at the credential's signing time `created`, for a credential
/// signed by `school_key`: `None` when it vouches, else the reason.
pub(crate) fn vouch_check(
    vouch: &Vouch,
    school_key: &TrustedKey,
    created: OffsetDateTime,
    created_text: &str,
) -> Option<(Reason, String)> {
    let key = &vouch.key;
    if key.status != KeyStatus::Compromised {
        return None;
    }
    let province = format!("{} ({})", vouch.province_code, vouch.province_name);
    let Some(since) = key.valid_until else {
        return Some((
            Reason::ProvinceCompromised,
            format!(
                "key {:?} of province {province} is marked compromised with no time: it vouches for nothing",
                key.id
            ),
        ));
    };
    if created >= since {
        return Some((
            Reason::ProvinceCompromised,
            format!(
                "proof.created {created_text} is not before the compromise of province {province}'s key {:?} at {}",
                key.id,
                ShowTime(since)
            ),
        ));
    }
    if school_key.valid_from >= since {
        return Some((
            Reason::ProvinceCompromised,
            format!(
                "the school key was registered {} by province {province}'s key {:?}, after its compromise at {}",
                ShowTime(school_key.valid_from),
                key.id,
                ShowTime(since)
            ),
        ));
    }
    None
}
