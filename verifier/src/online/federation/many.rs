//! One request, several provinces: what the verifier service (`hocba-verify serve --online
//! ROOT`) and the command line hold for a batch whose records come from schools of different
//! provinces. Each province needed is fetched (and cached) on its own, as for one record; the
//! provinces' lists, already checked against the national list, are then put together
//! ([`VerifiedNationalList::combine`]) with the status lists of each, and the result is kept
//! for the next request that needs the same provinces in the same state.
//!
//! Which provinces a request needs: the province that answers for each credential's school
//! code and each QR summary's, and the province under whose `{base}/status/` a credential's
//! status list lies (so a school listed by a province that does not answer for it is told
//! apart from an unknown school). Never more than [`MAX_PROVINCES_PER_REQUEST`]; every URL comes
//! from the signed national list, never from the input.
//!
//! A province whose list was fetched but refused (signed by another province's key, by a key
//! compromised before it signed, …) vouches for nothing, and its schools get that reason. A
//! province that cannot be reached, with nothing cached, makes the request fail
//! (`VerifyError`, the service answers 503 `trust-material-unavailable`): "could not check",
//! never a verdict on what was not checked.

use std::sync::Arc;

use hocba_schema::national_trust_list::TrustedProvince;
use hocba_schema::publication::{TRUST_LIST_PATH, status_prefix};
use time::OffsetDateTime;

use super::FederatedOnline;
use crate::VerifyError;
use crate::federation::VerifiedNationalList;
use crate::online::{MIN_REFRESH, Material};
use crate::pipeline::Needs;
use crate::reason::Reason;
use crate::status::StatusLists;

/// Most provinces fetched for one request (the nation has 34); the schools of the rest get
/// "its province's trust list was not given".
pub const MAX_PROVINCES_PER_REQUEST: usize = 64;

/// Combined materials kept for the next requests.
const MERGED_KEPT: usize = 8;

/// A province's list refused: (province code, reason, detail).
type Refusal = (String, Reason, String);

/// One combined material and what it was made from.
pub(super) struct Merged {
    version: u64,
    parts: Vec<Arc<Material>>,
    refused: Vec<Refusal>,
    material: Arc<Material>,
}

impl Merged {
    fn made_from(&self, version: u64, parts: &[Arc<Material>], refused: &[Refusal]) -> bool {
        self.version == version
            && self.refused == refused
            && self.parts.len() == parts.len()
            && self.parts.iter().zip(parts).all(|(a, b)| {
                Arc::ptr_eq(&a.trust, &b.trust) && Arc::ptr_eq(&a.status_lists, &b.status_lists)
            })
    }
}

/// The provinces `needs` calls for, in a stable order, at most [`MAX_PROVINCES_PER_REQUEST`].
pub fn provinces_needed<'a>(
    national: &'a VerifiedNationalList,
    needs: &Needs,
) -> Vec<&'a TrustedProvince> {
    let mut out: Vec<&TrustedProvince> = Vec::new();
    let mut add = |p: &'a TrustedProvince| {
        if out.len() < MAX_PROVINCES_PER_REQUEST && !out.iter().any(|q| q.id == p.id) {
            out.push(p);
        }
    };
    for code in needs.credential_schools.iter().chain(&needs.school_codes) {
        if let Some(p) = national.province_for_school(code) {
            add(p);
        }
    }
    for url in &needs.status_list_urls {
        let under = national
            .list()
            .credential_subject
            .provinces
            .iter()
            .find(|p| {
                p.trust_list
                    .strip_suffix(TRUST_LIST_PATH)
                    .is_some_and(|base| url.starts_with(&status_prefix(base)))
            });
        if let Some(p) = under {
            add(p);
        }
    }
    out.sort_by(|a, b| a.code.cmp(&b.code));
    out
}

impl FederatedOnline {
    /// The material for inputs with `needs` (step 2 of the [`crate::pipeline`] for a whole
    /// batch): every province they need, each fetched when first needed with the status lists
    /// `needs` names under it (and, for QR summaries, its schools' lists), put together. One
    /// province: its own material as it is. None: the national list alone, so each record gets
    /// the reason its school is not vouched for.
    pub async fn material_for_all(&self, needs: &Needs) -> Result<Arc<Material>, VerifyError> {
        let national = self.national().await?;
        let provinces: Vec<TrustedProvince> = provinces_needed(&national, needs)
            .into_iter()
            .cloned()
            .collect();
        if provinces.is_empty() {
            return Ok(self.national_alone(&national));
        }
        let mut parts: Vec<Arc<Material>> = Vec::new();
        let mut refused: Vec<Refusal> = Vec::new();
        let now = (self.clock)();
        for p in &provinces {
            if let Some((reason, detail)) = self.refused_recently(&p.code, now) {
                refused.push((p.code.clone(), reason, detail));
                continue;
            }
            let online = match self.province(&national, &p.code, &p.trust_list).await {
                Ok(o) => o,
                Err(e) => {
                    refused.push((p.code.clone(), Reason::ProvinceListRejected, e.to_string()));
                    continue;
                }
            };
            let mine = Needs {
                status_list_urls: needs
                    .status_list_urls
                    .iter()
                    .filter(|u| online.may_fetch(u))
                    .cloned()
                    .collect(),
                school_codes: needs
                    .school_codes
                    .iter()
                    .filter(|c| {
                        national
                            .province_for_school(c)
                            .is_some_and(|q| q.id == p.id)
                    })
                    .cloned()
                    .collect(),
                credential_schools: Vec::new(),
            };
            match online.material_for_needs(&mine).await {
                Ok(m) => parts.push(m),
                Err(e) => match refusal(&e) {
                    Some((reason, detail)) => {
                        if let Ok(mut r) = self.refusals.lock() {
                            r.insert(p.code.clone(), (now + MIN_REFRESH, reason, detail.clone()));
                        }
                        refused.push((p.code.clone(), reason, detail));
                    }
                    None => {
                        return Err(VerifyError::Fetch {
                            url: p.trust_list.clone(),
                            problem: format!(
                                "the trust list of province {} ({}) could not be fetched and \
                                 none is cached: {e}",
                                p.code, p.name
                            ),
                        });
                    }
                },
            }
        }
        if parts.len() == 1 && refused.is_empty() {
            return Ok(parts.remove(0));
        }
        Ok(self.combined(&national, parts, refused))
    }

    /// A refusal of province `code`'s list less than [`MIN_REFRESH`] ago (not asked again
    /// before).
    fn refused_recently(&self, code: &str, now: OffsetDateTime) -> Option<(Reason, String)> {
        let r = self.refusals.lock().ok()?;
        r.get(code)
            .filter(|(until, _, _)| now < *until)
            .map(|(_, reason, detail)| (*reason, detail.clone()))
    }

    /// The provinces' materials put together (kept for the next request with the same parts).
    fn combined(
        &self,
        national: &VerifiedNationalList,
        parts: Vec<Arc<Material>>,
        refused: Vec<Refusal>,
    ) -> Arc<Material> {
        let version = national.version();
        if let Ok(kept) = self.merged.lock()
            && let Some(m) = kept.iter().find(|m| m.made_from(version, &parts, &refused))
        {
            return Arc::clone(&m.material);
        }
        let trusts: Vec<&crate::VerifiedTrustList> = parts.iter().map(|m| &*m.trust).collect();
        let trust = national.combine(&trusts, &refused);
        let mut lists = StatusLists::new();
        for part in &parts {
            for url in part.status_lists.urls() {
                if let Some(bytes) = part.status_lists.get(url) {
                    lists.insert(url, bytes.to_vec());
                }
            }
        }
        let as_of = parts
            .iter()
            .map(|m| m.as_of)
            .min()
            .unwrap_or_else(|| (self.clock)());
        let material = Arc::new(Material {
            trust: Arc::new(trust),
            status_lists: Arc::new(lists),
            as_of,
        });
        if let Ok(mut kept) = self.merged.lock() {
            if kept.len() >= MERGED_KEPT {
                kept.remove(0);
            }
            kept.push(Merged {
                version,
                parts,
                refused,
                material: Arc::clone(&material),
            });
        }
        material
    }
}

/// The federation's reason when a province's list was fetched and refused (not when it could
/// not be fetched).
fn refusal(e: &VerifyError) -> Option<(Reason, String)> {
    match e {
        VerifyError::FetchedRejected { source, .. } => source
            .trust_list_rejection()
            .map(|(reason, detail)| (reason, detail.to_owned())),
        _ => None,
    }
}
