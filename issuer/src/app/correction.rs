//! Re-issuing a corrected record. A signed record is never edited: the principal revokes its
//! credential (`revoke`), then a correction starts as a new draft of the same pupil and school
//! year holding the revoked record's content ([`Issuer::start_correction`]), corrected through
//! an edit or a re-import, validated and signed again; the signing engine names the revoked
//! credential in the new one's `replaces`. [`Issuer::record_links`] finds both directions for
//! the pages: the record a correction replaces, and the record that replaces a revoked one.
//! Once the correction is signed, the school's status list names it in the revoked entry's note
//! (`replacedBy`, the new credential's id: see `crate::status_lists`), so a verifier's page of
//! the revoked record links to it too.
//!
//! Starting a correction twice (a double click) gives the same draft: at most one record of a
//! pupil and year is not revoked.

use time::OffsetDateTime;

use super::Issuer;
use super::import::Refusal;
use crate::error::IssuerError;
use crate::store::{Credential, NewDraft, RecordState, School, Scope, StoreError, YearRecord};

/// A record with its credential and the records it is linked to by a correction.
#[derive(Clone, Debug)]
pub struct RecordLinks {
    /// Its credential (signed or revoked records).
    pub credential: Option<Credential>,
    /// The revoked record this one corrects: `(record id, credential id)`.
    pub replaces: Option<(String, String)>,
    /// The record that corrects this revoked one (a draft, validated or signed).
    pub replaced_by: Option<String>,
}

fn optional<T>(r: Result<T, StoreError>) -> Result<Option<T>, StoreError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(StoreError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

impl Issuer {
    /// A new draft correcting revoked record `record_id` of `school`, holding its content; the
    /// pupil's current record of that year when one exists already (started before). A record
    /// that is not revoked is [`IssuerError::Invalid`] saying to revoke it first. Audited.
    pub async fn start_correction(
        &self,
        school: &School,
        actor: Option<&str>,
        record_id: &str,
        now: OffsetDateTime,
    ) -> Result<YearRecord, IssuerError> {
        let store = self.store();
        let revoked = store.record(&school.id, record_id).await?;
        if revoked.state != RecordState::Revoked {
            return Err(IssuerError::Invalid(Box::new(Refusal::field(
                "/state",
                "correction-needs-revoked",
                serde_json::Value::from(revoked.state.as_str()),
                "Chỉ cấp lại được hồ sơ đã thu hồi: hãy thu hồi học bạ trước (ghi rõ lý do), rồi \
                 tạo hồ sơ cấp lại."
                    .into(),
                "Only a revoked record can be re-issued: revoke it first (with a reason), then \
                 start the re-issue."
                    .into(),
            ))));
        }
        if let Some(live) = store
            .live_record(&school.id, &revoked.pupil_id, &revoked.school_year)
            .await?
        {
            return Ok(live);
        }
        let draft = NewDraft {
            pupil_id: revoked.pupil_id.clone(),
            school_year: revoked.school_year.clone(),
            grade: revoked.grade,
            class_name: revoked.class_name.clone(),
            record_json: revoked.record_json.clone(),
        };
        let created = match store.insert_draft(&school.id, &draft, actor, now).await {
            Ok(r) => r,
            // Another request started it a moment ago.
            Err(StoreError::Conflict { .. }) => store
                .live_record(&school.id, &revoked.pupil_id, &revoked.school_year)
                .await?
                .ok_or_else(|| IssuerError::Internal("correction draft vanished".into()))?,
            Err(e) => return Err(e.into()),
        };
        self.audit(
            school,
            actor,
            "correction",
            &created.id,
            serde_json::json!({ "replacesRecord": revoked.id }),
            now,
        )
        .await?;
        Ok(created)
    }

    /// The credential of `record` (of `school`) and the records a correction links it to.
    pub async fn record_links(
        &self,
        school: &School,
        record: &YearRecord,
    ) -> Result<RecordLinks, IssuerError> {
        let store = self.store();
        let credential = match record.state {
            RecordState::Signed | RecordState::Revoked => {
                optional(store.credential_for_record(&school.id, &record.id).await)?
            }
            _ => None,
        };
        let scope = Scope::School(school.id.clone());
        let replaced_credential = match credential.as_ref().and_then(|c| c.replaces.clone()) {
            Some(id) => optional(store.credential(&scope, &id).await)?,
            None if matches!(record.state, RecordState::Draft | RecordState::Validated) => {
                store
                    .credential_to_replace(&school.id, &record.pupil_id, &record.school_year)
                    .await?
            }
            None => None,
        };
        let replaces = replaced_credential.map(|c| (c.record_id, c.id));
        let replaced_by = match record.state {
            RecordState::Revoked => store
                .live_record(&school.id, &record.pupil_id, &record.school_year)
                .await?
                .map(|r| r.id),
            _ => None,
        };
        Ok(RecordLinks {
            credential,
            replaces,
            replaced_by,
        })
    }
}
