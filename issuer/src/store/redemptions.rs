//! Redeeming a share code: once, by the right portal, before it expires, unless withdrawn;
//! every attempt that matches a share is audited in the same transaction (the decisions are
//! in `shares.rs`).

use time::OffsetDateTime;

use super::audit::AuditEntry;
use super::credentials::{Credential, Scope};
use super::share_codes::ShareCode;
use super::shares::{Share, audit_on, load_share, share_not_found};
use super::timestamp::to_text;
use super::{Store, StoreError};

/// Why a redemption that matched a share was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShareRefusal {
    /// The share names another portal as its recipient (reported as unknown).
    Foreign,
    /// The family withdrew it.
    Withdrawn,
    /// It was redeemed already.
    Used,
    /// It expired.
    Expired,
}

impl ShareRefusal {
    /// `foreign`, `withdrawn`, `used` or `expired` (as in the audit log).
    pub fn as_str(self) -> &'static str {
        match self {
            ShareRefusal::Foreign => "foreign",
            ShareRefusal::Withdrawn => "withdrawn",
            ShareRefusal::Used => "used",
            ShareRefusal::Expired => "expired",
        }
    }
}

/// What a redemption attempt came to.
#[derive(Clone, Debug)]
pub enum Redemption {
    /// No share has this code (nothing is logged: no share matched).
    Unknown,
    /// Refused; the attempt is in the audit log.
    Refused {
        /// The share the code matched.
        share: Share,
        /// Why.
        why: ShareRefusal,
    },
    /// This caller redeemed it, now and for good; the redemption is in the audit log.
    Redeemed {
        /// The share, now redeemed.
        share: Share,
        /// The shared credentials in the order chosen, byte for byte as signed (some may
        /// have been revoked since the share was made).
        credentials: Vec<Credential>,
        /// The pupil's full name as stored.
        pupil_name: String,
    },
}

impl Store {
    /// Redeems `code` for portal user `portal`: exactly once, before it expires, unless
    /// withdrawn, and only by the named recipient if there is one. Every attempt that matches
    /// a share is appended to the audit log (`share.redeem` or `share.redeem_refused`) in the
    /// same transaction as its outcome.
    pub async fn redeem_share(
        &self,
        code: &ShareCode,
        portal: &str,
        now: OffsetDateTime,
    ) -> Result<Redemption, StoreError> {
        let now_text = to_text(now)?;
        let mut tx = self.begin_write().await?;
        let Some(found) = load_share(&mut tx, true, &code.sha256()).await? else {
            tx.rollback().await?;
            return Ok(Redemption::Unknown);
        };
        // The single-use step: of concurrent attempts, one changes the row.
        let won = sqlx::query(
            "UPDATE shares SET redeemed_at = $2, redeemed_by = $3 \
             WHERE id = $1 AND redeemed_at IS NULL AND withdrawn_at IS NULL \
             AND expires_at > $2 AND (recipient IS NULL OR recipient = $3)",
        )
        .bind(&found.id)
        .bind(&now_text)
        .bind(portal)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        // Read again: on PostgreSQL another redemption may have committed meanwhile.
        let share = load_share(&mut tx, false, &found.id)
            .await?
            .ok_or_else(|| share_not_found(&found.id))?;
        let why = if won {
            None
        } else if share.recipient.as_deref().is_some_and(|r| r != portal) {
            Some(ShareRefusal::Foreign)
        } else if share.withdrawn_at.is_some() {
            Some(ShareRefusal::Withdrawn)
        } else if share.redeemed_at.is_some() {
            Some(ShareRefusal::Used)
        } else {
            Some(ShareRefusal::Expired)
        };
        audit_on(
            &mut tx,
            &AuditEntry {
                at: now,
                school_id: Some(share.school_id.clone()),
                user_id: Some(portal.to_owned()),
                action: if won {
                    "share.redeem"
                } else {
                    "share.redeem_refused"
                }
                .to_owned(),
                subject: share.id.clone(),
                details_json: serde_json::json!({
                    "outcome": why.map_or("redeemed", ShareRefusal::as_str),
                    "pupilId": share.pupil_id,
                    "credentials": share.credential_ids,
                    "purpose": share.purpose,
                })
                .to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        if let Some(why) = why {
            return Ok(Redemption::Refused { share, why });
        }
        let scope = Scope::School(share.school_id.clone());
        let mut credentials = Vec::with_capacity(share.credential_ids.len());
        for id in &share.credential_ids {
            credentials.push(self.credential(&scope, id).await?);
        }
        let pupil_name = self
            .pupil(&share.school_id, &share.pupil_id)
            .await?
            .full_name;
        Ok(Redemption::Redeemed {
            share,
            credentials,
            pupil_name,
        })
    }
}
