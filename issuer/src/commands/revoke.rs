//! `hocba-issuer revoke CREDENTIAL_ID --reason TEXT`: revoke a credential from the command
//! line (its record becomes revoked; the status list served next sets its bit). The audit log
//! records who (the command line) and why.

use anyhow::{Context, Result};
use hocba_issuer::IssuerError;
use hocba_issuer::app::Issuer;
use hocba_issuer::store::{Scope, Store};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Revoke `credential_id` with `reason` at `now`.
pub(crate) fn run(
    database_url: &str,
    credential_id: &str,
    reason: &str,
    now: OffsetDateTime,
) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let store = Store::connect(database_url)
            .await
            .context("opening the database")?;
        let issuer = Issuer::offline(store.clone(), now);
        let revoked = issuer
            .revoke(&Scope::Province, credential_id, reason, None, "cli", now)
            .await
            .map_err(|e| match e {
                e @ IssuerError::RevocationReason { .. } => anyhow::anyhow!("--reason: {e}"),
                e => anyhow::Error::new(e).context(format!("revoking {credential_id}")),
            });
        store.close().await;
        let revoked = revoked?;
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
