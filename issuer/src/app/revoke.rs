//! Revoking a credential: the reason checked by the status list's rule (it is published,
//! signed, in the school's status list: short, one line, no personal data), the credential and
//! its record marked revoked, and an audit row naming who, through which door, and why. One
//! workflow for `POST /api/v1/credentials/{id}/revoke`, `hocba-issuer revoke` and the web app.
//! Correcting a record is revoking it and signing the corrected record, which names the one
//! it replaces.

use time::OffsetDateTime;

use super::Issuer;
use crate::error::IssuerError;
use crate::store::{AuditEntry, Credential, Scope};

impl Issuer {
    /// Revokes credential `id` of `scope` (a school's, or any for the province operator) with
    /// `reason`, as `actor` through `channel` (`api`, `cli`, `web`).
    pub async fn revoke(
        &self,
        scope: &Scope,
        id: &str,
        reason: &str,
        actor: Option<&str>,
        channel: &str,
        now: OffsetDateTime,
    ) -> Result<Credential, IssuerError> {
        if let Err(rule) = hocba_schema::status_list::check_revocation_reason(reason) {
            return Err(IssuerError::RevocationReason {
                rule: rule.code(),
                message_vi: rule.message_vi().to_owned(),
                message_en: rule.message_en().to_owned(),
                chars: reason.chars().count(),
                reason: reason.to_owned(),
            });
        }
        let credential = self.store().credential(scope, id).await?;
        let revoked = self
            .store()
            .revoke_credential(&credential.school_id, id, reason, actor, now)
            .await?;
        self.store()
            .append_audit(&AuditEntry {
                at: now,
                school_id: Some(revoked.school_id.clone()),
                user_id: actor.map(str::to_owned),
                action: "revoke".to_owned(),
                subject: revoked.id.clone(),
                details_json: serde_json::json!({
                    "channel": channel,
                    "reason": reason,
                    "recordId": revoked.record_id,
                })
                .to_string(),
            })
            .await?;
        Ok(revoked)
    }
}
