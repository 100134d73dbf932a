//! Checking each provincial trust list against the verified national list and assembling the
//! schools they vouch for into one [`VerifiedTrustList`].

use std::collections::HashMap;

use hocba_schema::credential::parse_time;
use hocba_schema::multikey::decode_public_key;
use hocba_schema::national_trust_list::{NationalTrustList, TrustedProvince};
use hocba_schema::trust_list::{
    KeyStatus, TRUST_LIST_TYPE, TrustList, TrustListBody, TrustedKey, TrustedSchool,
};
use serde_json::Value;
use time::OffsetDateTime;

use super::{Federation, VerifiedNationalList, Vouch};
use crate::error::VerifyError;
use crate::reason::Reason;
use crate::trust_list::{VerifiedTrustList, check_signed, open_signed, read_signed_list};
use crate::verdict::ShowTime;

/// A provincial list that passed, with the key that signed it.
struct Accepted {
    list: TrustList,
    province: TrustedProvince,
    key: TrustedKey,
}

pub(super) fn resolve<B: AsRef<[u8]>>(
    national: &VerifiedNationalList,
    provincial: &[B],
) -> VerifiedTrustList {
    let mut excluded: HashMap<String, (Reason, String)> = HashMap::new();
    let mut accepted: HashMap<String, Accepted> = HashMap::new();
    for bytes in provincial {
        let bytes = bytes.as_ref();
        match check_one(national, bytes) {
            Ok(a) => {
                let keep_old = accepted.get(&a.province.code).is_some_and(|old| {
                    old.list.credential_subject.version >= a.list.credential_subject.version
                });
                if !keep_old {
                    accepted.insert(a.province.code.clone(), a);
                }
            }
            Err((reason, detail)) => {
                for id in school_ids(bytes) {
                    excluded
                        .entry(id)
                        .or_insert_with(|| (reason, detail.clone()));
                }
            }
        }
    }
    assemble(national, accepted.into_values().collect(), excluded)
}

/// Lists already checked one by one ([`verify_one`]) put together, with the provinces whose
/// list was refused (what an online verifier holds for a request of several provinces).
pub(super) fn combine(
    national: &VerifiedNationalList,
    parts: &[&VerifiedTrustList],
    refused: &[(String, Reason, String)],
) -> VerifiedTrustList {
    let nat = &national.list;
    let mut valid_until = nat.valid_until;
    let mut g = Gathered::default();
    for part in parts {
        // Only lists checked against this very national list.
        let Some(fed) = part.federation() else {
            continue;
        };
        if fed.national.id != nat.id
            || fed.national.credential_subject.version != nat.credential_subject.version
            || fed.loaded.iter().any(|c| g.loaded.contains(c))
        {
            continue;
        }
        valid_until = valid_until.min(part.valid_until());
        let offset = g.vouches.len();
        for (i, school) in part.list().credential_subject.schools.iter().enumerate() {
            let Some(&v) = fed.by_school.get(i) else {
                continue;
            };
            g.schools.push(school.clone());
            g.by_school.push(offset + v);
        }
        g.vouches.extend(fed.vouches.iter().cloned());
        g.loaded.extend(fed.loaded.iter().cloned());
        for (id, why) in &fed.excluded {
            g.excluded.entry(id.clone()).or_insert_with(|| why.clone());
        }
    }
    g.refused = refused
        .iter()
        .filter(|(code, _, _)| !g.loaded.contains(code))
        .map(|(code, reason, detail)| (code.clone(), (*reason, detail.clone())))
        .collect();
    g.into_list(nat, valid_until)
}

/// One provincial list alone, refused as a whole when it cannot be trusted (what an online
/// verifier caches per province).
pub(super) fn verify_one(
    national: &VerifiedNationalList,
    bytes: &[u8],
) -> Result<VerifiedTrustList, VerifyError> {
    let accepted = check_one(national, bytes)
        .map_err(|(reason, detail)| VerifyError::TrustListRejected { reason, detail })?;
    Ok(assemble(national, vec![accepted], HashMap::new()))
}

fn assemble(
    national: &VerifiedNationalList,
    mut provinces: Vec<Accepted>,
    excluded: HashMap<String, (Reason, String)>,
) -> VerifiedTrustList {
    let nat = &national.list;
    provinces.sort_by(|a, b| a.province.code.cmp(&b.province.code));
    let mut valid_until = nat.valid_until;
    let mut g = Gathered {
        excluded,
        ..Gathered::default()
    };
    for a in provinces {
        valid_until = valid_until.min(a.list.valid_until);
        let v = g.vouches.len();
        for school in a.list.credential_subject.schools {
            let answers = nat.province_for_school(&school.code);
            if answers.map(|p| &p.id) != Some(&a.province.id) {
                let detail = format!(
                    "{} ({}) is listed by province {} ({}), which does not answer for school \
                     code {:?}; {}",
                    school.id,
                    school.name,
                    a.province.code,
                    a.province.name,
                    school.code,
                    match answers {
                        Some(p) => format!("it belongs to province {} ({})", p.code, p.name),
                        None => "no province of the national list answers for it".into(),
                    }
                );
                g.excluded
                    .entry(school.id.clone())
                    .or_insert((Reason::SchoolListedByWrongProvince, detail));
                continue;
            }
            g.schools.push(school);
            g.by_school.push(v);
        }
        g.loaded.push(a.province.code.clone());
        g.vouches.push(Vouch {
            province_code: a.province.code,
            province_name: a.province.name,
            key: a.key,
        });
    }
    g.into_list(nat, valid_until)
}

/// What [`assemble`] (lists checked here) and [`combine`] (lists checked earlier) gather
/// from the provinces before it becomes one list: the step they share is [`Gathered::into_list`].
#[derive(Default)]
struct Gathered {
    schools: Vec<TrustedSchool>,
    /// Per school: index into `vouches`.
    by_school: Vec<usize>,
    vouches: Vec<Vouch>,
    loaded: Vec<String>,
    excluded: HashMap<String, (Reason, String)>,
    refused: HashMap<String, (Reason, String)>,
}

impl Gathered {
    /// One list under the national list's id, issuer and `validFrom`, valid until
    /// `valid_until` (the earliest of the lists used). A school that some list vouches for is
    /// not reported as excluded, even when another list's entry for it was refused.
    fn into_list(
        mut self,
        nat: &NationalTrustList,
        valid_until: OffsetDateTime,
    ) -> VerifiedTrustList {
        for s in &self.schools {
            self.excluded.remove(&s.id);
        }
        let list = TrustList::new(
            nat.id.clone(),
            nat.issuer.clone(),
            nat.valid_from,
            valid_until,
            TrustListBody {
                version: nat.credential_subject.version,
                schools: self.schools,
            },
        );
        let federation = Federation {
            national: nat.clone(),
            by_school: self.by_school,
            vouches: self.vouches,
            excluded: self.excluded,
            loaded: self.loaded,
            refused: self.refused,
        };
        VerifiedTrustList::index(list, Some(Box::new(federation)))
    }
}

fn rejected(e: VerifyError) -> (Reason, String) {
    (Reason::ProvinceListRejected, e.to_string())
}

/// One provincial list: issued by a province of the national list, signed by one of its keys,
/// valid when it signed.
fn check_one(national: &VerifiedNationalList, bytes: &[u8]) -> Result<Accepted, (Reason, String)> {
    let nat = &national.list;
    let version = nat.credential_subject.version;
    let doc = open_signed(bytes, "provincial trust list").map_err(rejected)?;
    let issuer = doc
        .unsecured
        .get("issuer")
        .and_then(|i| i.get("id"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let Some(province) = nat.province_by_id(&issuer) else {
        return Err((
            Reason::ProvinceNotInNationalList,
            format!(
                "a trust list issued by {issuer:?}, which is not a province of national trust list version {version}"
            ),
        ));
    };
    let vm = doc
        .proof_str("verificationMethod")
        .unwrap_or_default()
        .to_owned();
    let multibase = vm.rsplit_once('#').map_or("", |(_, f)| f);
    let Some(key) = province
        .key_by_multibase(multibase)
        .filter(|k| k.controller == province.id)
    else {
        let name = format!("{} ({})", province.code, province.name);
        return Err(match nat.province_with_key(multibase) {
            Some(other) => (
                Reason::ProvinceListSignedByOtherProvince,
                format!(
                    "the trust list of province {name} is signed by {vm:?}, a key of province {} ({})",
                    other.code, other.name
                ),
            ),
            None => (
                Reason::ProvinceListRejected,
                format!(
                    "the trust list of province {name} is signed by {vm:?}, not a key of that \
                     province in national trust list version {version}"
                ),
            ),
        });
    };
    let public = decode_public_key(&key.public_key_multibase).map_err(|e| {
        (
            Reason::ProvinceListRejected,
            format!("province key {}: {e}", key.id),
        )
    })?;
    let created = doc
        .proof_str("created")
        .and_then(|c| parse_time("proof.created", c).ok());
    let unsecured = check_signed(doc, &public).map_err(rejected)?;
    let Some(created) = created else {
        return Err((
            Reason::ProvinceListRejected,
            format!(
                "the trust list of province {} has no readable proof.created",
                province.code
            ),
        ));
    };
    key_usable(province, key, created)?;
    let list: TrustList = read_signed_list(unsecured, TRUST_LIST_TYPE).map_err(rejected)?;
    Ok(Accepted {
        list,
        province: province.clone(),
        key: key.clone(),
    })
}

/// The province key was allowed to sign at `created`.
fn key_usable(
    province: &TrustedProvince,
    key: &TrustedKey,
    created: time::OffsetDateTime,
) -> Result<(), (Reason, String)> {
    let name = format!("{} ({})", province.code, province.name);
    if created < key.valid_from {
        return Err((
            Reason::ProvinceListRejected,
            format!(
                "the trust list of province {name} was signed {} before its key's validFrom {}",
                ShowTime(created),
                ShowTime(key.valid_from)
            ),
        ));
    }
    match (key.status, key.valid_until) {
        (KeyStatus::Compromised, since) if since.is_none_or(|s| created >= s) => Err((
            Reason::ProvinceCompromised,
            format!(
                "the trust list of province {name} was signed {} by key {:?}, compromised {}",
                ShowTime(created),
                key.id,
                since.map_or("with no time".into(), |s| format!("since {}", ShowTime(s)))
            ),
        )),
        (KeyStatus::Retired | KeyStatus::Active, Some(until)) if created >= until => Err((
            Reason::ProvinceListRejected,
            format!(
                "the trust list of province {name} was signed {} by key {:?}, no longer valid since {}",
                ShowTime(created),
                key.id,
                ShowTime(until)
            ),
        )),
        (KeyStatus::Retired, None) => Err((
            Reason::ProvinceListRejected,
            format!(
                "key {:?} of province {name} is retired with no retirement time",
                key.id
            ),
        )),
        _ => Ok(()),
    }
}

/// The school ids a (refused) list names, read without trusting it: only to say why a
/// credential of one of them is not accepted.
fn school_ids(bytes: &[u8]) -> Vec<String> {
    let Ok(v) = serde_json::from_slice::<Value>(bytes) else {
        return Vec::new();
    };
    v.pointer("/credentialSubject/schools")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.get("id").and_then(Value::as_str).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
