//! The offline trust bundle: one JSON file with the trust list, every status list this
//! service can sign, and when it was made (format and trust model in
//! `hocba_verifier::bundle`: a container whose members are each signed by who vouches for
//! them — the trust list by the authority, each status list by its school).

use std::sync::Arc;

use hocba_schema::trust_list::{KeyStatus, TrustList};
use serde::Serialize;
use serde_json::value::RawValue;
use time::OffsetDateTime;

use crate::signing::Signer;
use crate::status_lists::{Publication, PublishError};
use crate::store::Store;

/// What went into a bundle.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BundleStats {
    /// Status lists included.
    pub status_lists: usize,
    /// Schools with status lists whose active key this service does not hold, or whose key
    /// was retired or compromised since the last published trust list (their lists are left
    /// out, by school code).
    pub skipped_schools: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BundleDoc<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    created_at: String,
    trust_list: &'a RawValue,
    status_lists: Vec<Box<RawValue>>,
}

/// Build the bundle at `now`: the latest trust list version the store holds (`trust_list`, the
/// signed trust list file, while it holds none) and every status list of every school in
/// `store`, signed by `signer_for(school code)`.
pub async fn build_bundle(
    store: &Store,
    publication: &Publication,
    signer_for: &(dyn Fn(&str) -> Option<Arc<Signer>> + Sync),
    public_base: &str,
    trust_list: &[u8],
    now: OffsetDateTime,
) -> Result<(Vec<u8>, BundleStats), PublishError> {
    let bad_trust_list = |e: serde_json::Error| PublishError::BadTrustList(e.to_string());
    let latest = store.latest_trust_version().await?;
    let trust_list = latest
        .as_ref()
        .map_or(trust_list, |v| v.list_json.as_bytes());
    // A status list is signed only with a key that is active in the list bundled with it: a
    // signer chosen from an older list (a retired or compromised key) is left out.
    let current: Option<TrustList> = latest
        .as_ref()
        .map(|v| serde_json::from_str(&v.list_json))
        .transpose()
        .map_err(bad_trust_list)?;
    let usable = |signer: &Signer| {
        current.as_ref().is_none_or(|list| {
            list.key(signer.verification_method())
                .is_some_and(|(_, k)| k.status == KeyStatus::Active)
        })
    };
    let text = std::str::from_utf8(trust_list)
        .map_err(|e| PublishError::BadTrustList(format!("not UTF-8: {e}")))?;
    let trust_list: &RawValue = serde_json::from_str(text.trim()).map_err(bad_trust_list)?;
    let mut stats = BundleStats::default();
    let mut lists = Vec::new();
    for school in store.list_schools().await? {
        let infos = store.status_lists(&school.id).await?;
        if infos.is_empty() {
            continue;
        }
        let Some(signer) = signer_for(&school.code).filter(|s| usable(s)) else {
            stats.skipped_schools.push(school.code.clone());
            continue;
        };
        let mut school_lists = Vec::new();
        for info in infos {
            let published = match publication
                .status_list(store, Some(&signer), public_base, &school, &info.id, now)
                .await
            {
                Ok(published) => published,
                // The key was retired or marked compromised after the last published trust
                // list: its lists are left out (verifiers then say "status unknown" for the
                // school's records) until a version with a new active key is published.
                Err(PublishError::NoActiveKey { .. } | PublishError::NoKey { .. }) => {
                    school_lists.clear();
                    stats.skipped_schools.push(school.code.clone());
                    break;
                }
                Err(e) => return Err(e),
            };
            let text = String::from_utf8(published.bytes.as_ref().clone())
                .map_err(|e| PublishError::BadTrustList(e.to_string()))?;
            school_lists.push(RawValue::from_string(text).map_err(bad_trust_list)?);
        }
        lists.append(&mut school_lists);
    }
    stats.status_lists = lists.len();
    let doc = BundleDoc {
        kind: hocba_schema::publication::BUNDLE_TYPE,
        created_at: hocba_schema::credential::format_time(now)
            .map_err(|e| PublishError::Sign(e.into()))?,
        trust_list,
        status_lists: lists,
    };
    let bytes = serde_json::to_vec(&doc).map_err(bad_trust_list)?;
    Ok((bytes, stats))
}
