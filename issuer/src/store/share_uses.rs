//! What a family may see of its share codes' lives (Decree 13/2023: the family sees who
//! received their child's data and when): every redemption attempt that matched one of the
//! pupil's shares, as the audit log recorded it (`share.redeem`, `share.redeem_refused`, in
//! the same transaction as the redemption — see `redemptions.rs`), with the portal's name;
//! and the admissions portals a family may name as the only recipient of a code.
//!
//! Both are one query each. The uses are read from the append-only audit log itself, not a
//! copy, so what the family sees is exactly what the school and the Department audit; the
//! query is bounded by the school (`audit_log_school`) and the pupil's shares.

use sqlx::Row;
use time::OffsetDateTime;

use super::redemptions::ShareRefusal;
use super::timestamp::time_at;
use super::{Role, Store, StoreError};

/// One use of a share code: a portal redeemed it, or tried and was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareUse {
    /// The share (its id, not its code).
    pub share_id: String,
    /// When.
    pub at: OffsetDateTime,
    /// The portal's user id.
    pub portal_id: Option<String>,
    /// The portal's name as its account shows it (`None` if the account is gone).
    pub portal_name: Option<String>,
    /// `None`: redeemed (the portal received the records); otherwise why it was refused.
    pub refused: Option<ShareRefusal>,
}

/// An admissions portal a code can be made for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortalName {
    /// Its user id.
    pub id: String,
    /// Its name.
    pub name: String,
}

fn refusal(outcome: &str) -> Option<ShareRefusal> {
    match outcome {
        "withdrawn" => Some(ShareRefusal::Withdrawn),
        "used" => Some(ShareRefusal::Used),
        "expired" => Some(ShareRefusal::Expired),
        "foreign" => Some(ShareRefusal::Foreign),
        _ => None,
    }
}

impl Store {
    /// Every redemption attempt of a share of pupil `pupil_id` of `school_id`, oldest first.
    pub async fn share_uses(
        &self,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Vec<ShareUse>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.subject, a.at, a.action, a.user_id, a.details_json, u.display_name \
             FROM audit_log a \
             JOIN shares s ON s.id = a.subject AND s.school_id = a.school_id \
             LEFT JOIN users u ON u.id = a.user_id \
             WHERE a.school_id = $1 AND s.pupil_id = $2 \
             AND a.action IN ('share.redeem', 'share.redeem_refused') \
             ORDER BY a.id",
        )
        .bind(school_id)
        .bind(pupil_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let action: String = row.try_get("action")?;
                let details: String = row.try_get("details_json")?;
                let refused = if action == "share.redeem" {
                    None
                } else {
                    let outcome = serde_json::from_str::<serde_json::Value>(&details)
                        .ok()
                        .and_then(|v| v["outcome"].as_str().map(str::to_owned))
                        .unwrap_or_default();
                    Some(refusal(&outcome).ok_or_else(|| StoreError::Corrupt {
                        what: "audit_log.details_json",
                        detail: format!("share.redeem_refused with outcome {outcome:?}"),
                    })?)
                };
                Ok(ShareUse {
                    share_id: row.try_get("subject")?,
                    at: time_at(row, "audit_log.at", "at")?,
                    portal_id: row.try_get("user_id")?,
                    portal_name: row.try_get("display_name")?,
                    refused,
                })
            })
            .collect()
    }

    /// The admissions portals that are not disabled, by name.
    pub async fn portal_names(&self) -> Result<Vec<PortalName>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, display_name FROM users WHERE role = $1 AND disabled_at IS NULL \
             ORDER BY display_name, id",
        )
        .bind(Role::Portal.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(PortalName {
                    id: row.try_get("id")?,
                    name: row.try_get("display_name")?,
                })
            })
            .collect()
    }
}
