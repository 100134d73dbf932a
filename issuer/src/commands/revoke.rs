//! `hocba-issuer revoke CREDENTIAL_ID --reason TEXT`: revoke a credential from the command
//! line (its record becomes revoked; the status list served next sets its bit). The audit log
//! records who (the command line) and why.

use anyhow::{Context, Result};
use hocba_issuer::store::{AuditEntry, Scope, Store};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Revoke `credential_id` with `reason` at `now`.
pub(crate) fn run(
    database_url: &str,
    credential_id: &str,
    reason: &str,
    now: OffsetDateTime,
) -> Result<()> {
    // The reason is published in the signed status list: short, one line, no personal data.
    if let Err(rule) = hocba_schema::status_list::check_revocation_reason(reason) {
        anyhow::bail!(
            "--reason: {} / {} (rule {}, {} characters given)",
            rule.message_en(),
            rule.message_vi(),
            rule.code(),
            reason.chars().count()
        );
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let store = Store::connect(database_url)
            .await
            .context("opening the database")?;
        let credential = store
            .credential(&Scope::Province, credential_id)
            .await
            .with_context(|| format!("finding credential {credential_id}"))?;
        let revoked = store
            .revoke_credential(&credential.school_id, credential_id, reason, None, now)
            .await
            .with_context(|| format!("revoking {credential_id}"))?;
        store
            .append_audit(&AuditEntry {
                at: now,
                school_id: Some(revoked.school_id.clone()),
                user_id: None,
                action: "revoke".to_owned(),
                subject: revoked.id.clone(),
                details_json: serde_json::json!({
                    "channel": "cli",
                    "reason": reason,
                    "recordId": revoked.record_id,
                })
                .to_string(),
            })
            .await?;
        store.close().await;
        eprintln!(
            "revoked {} (status list {}, index {}) at {}; reason: {reason}",
            revoked.id,
            revoked.status_list,
            revoked.status_index,
            now.format(&Rfc3339).unwrap_or_default()
        );
        Ok(())
    })
}
