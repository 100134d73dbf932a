//! Consent-based sharing: guardians (a pupil's family) and the share codes they hand to an
//! admissions portal, which redeems a code once to get the chosen signed credentials.
//!
//! Decisions (the HTTP side is in `api/shares.rs`, the overview in `schema/docs/sharing.md`):
//!
//! * **Guardians** are users with [`Role::Guardian`], bound to one pupil of one school
//!   (`users.pupil_id`; the database refuses a guardian without a pupil or a pupil of another
//!   school). The school creates them ([`Store::create_guardian`]) and hands the token to the
//!   family.
//! * **A share code** reads `HB-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX`: 24 Crockford base32 symbols,
//!   22 of them random (110 bits from the operating system) and 2 a check on those (10 bits
//!   of SHA-256), so a mistyped code is refused without a lookup (1 in 1024 typos slip
//!   through and are then simply unknown). Reading is forgiving: case, spaces, hyphens and
//!   the `HB` prefix do not matter, `O` reads as `0`, `I` and `L` as `1`. Only
//!   SHA-256 of the canonical form is stored (`shares.code_sha256`, unique), like API tokens;
//!   with 110 random bits no slow hash is needed. The code is shown once, on creation, and
//!   never written to a log or the audit log.
//! * **Single use** is one conditional statement: `UPDATE shares SET redeemed_at … WHERE …
//!   redeemed_at IS NULL AND withdrawn_at IS NULL AND expires_at > now AND (recipient IS
//!   NULL OR recipient = portal)`; of two concurrent redemptions exactly one changes the row
//!   (PostgreSQL re-checks the condition after the first commits; SQLite writers are
//!   serialised by `BEGIN IMMEDIATE`). A refused attempt is then classified from the row:
//!   another portal than the named recipient
//!   ([`ShareRefusal::Foreign`](super::ShareRefusal::Foreign)), withdrawn, used, expired — in
//!   that order, so a foreign portal learns nothing about the share's state.
//! * **Revoked credentials** cannot be shared. A credential revoked after the share was made
//!   is still delivered, flagged revoked by the caller from [`Credential::revoked_at`]: the
//!   portal would see the revocation from the status list anyway, and the family can then
//!   share the corrected record. The replacement is not delivered: it was not consented to.
//! * **Audit.** Creating (`share.create`), withdrawing (`share.withdraw`) and every
//!   redemption attempt that matched a share (`share.redeem`, `share.redeem_refused` with the
//!   outcome) are appended to the audit log in the same transaction as the change, naming the
//!   share id, the actor and the credential ids, never the code.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;

use super::audit::AuditEntry;
use super::credentials::{Credential, Scope};
use super::share_codes::ShareCode;
use super::timestamp::{from_text, opt_time_at, time_at, to_text};
use super::{Role, Store, StoreError, User, new_id};

/// Where a share is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShareState {
    /// Can be redeemed.
    Active,
    /// Redeemed (once, for good).
    Redeemed,
    /// Withdrawn by the family before anyone redeemed it.
    Withdrawn,
    /// Past its expiry without being redeemed.
    Expired,
}

impl ShareState {
    /// `active`, `redeemed`, `withdrawn` or `expired`.
    pub fn as_str(self) -> &'static str {
        match self {
            ShareState::Active => "active",
            ShareState::Redeemed => "redeemed",
            ShareState::Withdrawn => "withdrawn",
            ShareState::Expired => "expired",
        }
    }
}

/// A share as stored (without its code, which is not).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Share {
    /// Internal id (safe to show and log; it is not the code).
    pub id: String,
    /// The pupil's school.
    pub school_id: String,
    /// The pupil whose credentials are shared.
    pub pupil_id: String,
    /// The guardian who made it.
    pub created_by: String,
    /// What the family consented to, in their words.
    pub purpose: String,
    /// The only portal that may redeem it, if one was named.
    pub recipient: Option<String>,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// When it stops being redeemable.
    pub expires_at: OffsetDateTime,
    /// When it was withdrawn, if it was.
    pub withdrawn_at: Option<OffsetDateTime>,
    /// When it was redeemed, if it was.
    pub redeemed_at: Option<OffsetDateTime>,
    /// The portal that redeemed it.
    pub redeemed_by: Option<String>,
    /// The shared credentials' ids, in the order chosen.
    pub credential_ids: Vec<String>,
}

impl Share {
    /// Its state at `now`.
    pub fn state(&self, now: OffsetDateTime) -> ShareState {
        if self.redeemed_at.is_some() {
            ShareState::Redeemed
        } else if self.withdrawn_at.is_some() {
            ShareState::Withdrawn
        } else if self.expires_at <= now {
            ShareState::Expired
        } else {
            ShareState::Active
        }
    }
}

/// What a guardian asks to share.
#[derive(Clone, Debug)]
pub struct NewShare {
    /// Credential ids of the guardian's pupil, at least one, no repeats.
    pub credential_ids: Vec<String>,
    /// The purpose the family consents to.
    pub purpose: String,
    /// When the code stops working (after `now`).
    pub expires_at: OffsetDateTime,
    /// A portal user id that alone may redeem it.
    pub recipient: Option<String>,
}

/// A share just made, with its code (shown once, not stored).
#[derive(Clone, Debug)]
pub struct CreatedShare {
    /// The stored share.
    pub share: Share,
    /// Its code.
    pub code: ShareCode,
}

/// A credential of a pupil with the year it records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PupilCredential {
    /// The credential.
    pub credential: Credential,
    /// Its record's school year, e.g. `2025-2026`.
    pub school_year: String,
    /// Its record's grade.
    pub grade: i64,
    /// Its record's class.
    pub class_name: String,
}

macro_rules! share_columns {
    () => {
        "id, school_id, pupil_id, created_by, purpose, recipient, created_at, expires_at, \
         withdrawn_at, redeemed_at, redeemed_by"
    };
}

pub(super) fn share_from_row(
    row: &AnyRow,
    credential_ids: Vec<String>,
) -> Result<Share, StoreError> {
    Ok(Share {
        id: row.try_get("id")?,
        school_id: row.try_get("school_id")?,
        pupil_id: row.try_get("pupil_id")?,
        created_by: row.try_get("created_by")?,
        purpose: row.try_get("purpose")?,
        recipient: row.try_get("recipient")?,
        created_at: time_at(row, "shares.created_at", "created_at")?,
        expires_at: time_at(row, "shares.expires_at", "expires_at")?,
        withdrawn_at: opt_time_at(row, "shares.withdrawn_at", "withdrawn_at")?,
        redeemed_at: opt_time_at(row, "shares.redeemed_at", "redeemed_at")?,
        redeemed_by: row.try_get("redeemed_by")?,
        credential_ids,
    })
}

/// The share with code hash `value` (`by_code`) or id `value`, read on `conn`.
pub(super) async fn load_share(
    conn: &mut AnyConnection,
    by_code: bool,
    value: &str,
) -> Result<Option<Share>, StoreError> {
    let sql = if by_code {
        concat!(
            "SELECT ",
            share_columns!(),
            " FROM shares WHERE code_sha256 = $1"
        )
    } else {
        concat!("SELECT ", share_columns!(), " FROM shares WHERE id = $1")
    };
    let Some(row) = sqlx::query(sql)
        .bind(value)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let id: String = row.try_get("id")?;
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT credential_id FROM share_credentials WHERE share_id = $1 ORDER BY position",
    )
    .bind(&id)
    .fetch_all(&mut *conn)
    .await?;
    share_from_row(&row, ids).map(Some)
}

/// Appends an audit entry on `conn` (inside the caller's transaction).
pub(super) async fn audit_on(
    conn: &mut AnyConnection,
    entry: &AuditEntry,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (at, school_id, user_id, action, subject, details_json) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(to_text(entry.at)?)
    .bind(entry.school_id.as_deref())
    .bind(entry.user_id.as_deref())
    .bind(&entry.action)
    .bind(&entry.subject)
    .bind(&entry.details_json)
    .execute(conn)
    .await?;
    Ok(())
}

pub(super) fn share_not_found(share_id: &str) -> StoreError {
    StoreError::NotFound {
        what: "share",
        id: share_id.to_owned(),
    }
}

impl Store {
    /// Creates a guardian user for pupil `pupil_id` of `school_id` (another school's pupil is
    /// [`StoreError::NotFound`]). Give it a token with [`Store::create_token`].
    pub async fn create_guardian(
        &self,
        school_id: &str,
        pupil_id: &str,
        display_name: &str,
        now: OffsetDateTime,
    ) -> Result<User, StoreError> {
        self.pupil(school_id, pupil_id).await?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO users (id, school_id, display_name, role, created_at, pupil_id) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(school_id)
        .bind(display_name)
        .bind(Role::Guardian.as_str())
        .bind(to_text(now)?)
        .bind(pupil_id)
        .execute(&self.pool)
        .await?;
        self.user(&id).await
    }

    /// Every credential issued to pupil `pupil_id` of `school_id` (revoked ones included),
    /// by school year, then issue time.
    pub async fn pupil_credentials(
        &self,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Vec<PupilCredential>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.id, r.school_year, r.grade, r.class_name FROM credentials c \
             JOIN year_records r ON r.id = c.record_id AND r.school_id = c.school_id \
             WHERE c.school_id = $1 AND r.pupil_id = $2 \
             ORDER BY r.school_year, c.issued_at, c.id",
        )
        .bind(school_id)
        .bind(pupil_id)
        .fetch_all(&self.pool)
        .await?;
        let scope = Scope::School(school_id.to_owned());
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: String = row.try_get("id")?;
            out.push(PupilCredential {
                credential: self.credential(&scope, &id).await?,
                school_year: row.try_get("school_year")?,
                grade: row.try_get("grade")?,
                class_name: row.try_get("class_name")?,
            });
        }
        Ok(out)
    }

    /// Makes a share of credentials of pupil `pupil_id` of `school_id` for guardian `actor`,
    /// with a fresh code, and records it in the audit log, in one transaction.
    ///
    /// A credential that is not this pupil's (another pupil's, another school's, or none)
    /// is [`StoreError::NotFound`]; a revoked one is [`StoreError::Conflict`]; no
    /// credentials, a repeated one, an empty purpose, an expiry not after `now` or a
    /// recipient that is not a portal are [`StoreError::InvalidInput`].
    pub async fn create_share(
        &self,
        school_id: &str,
        pupil_id: &str,
        actor: &str,
        new: &NewShare,
        now: OffsetDateTime,
    ) -> Result<CreatedShare, StoreError> {
        if new.credential_ids.is_empty() {
            return Err(StoreError::InvalidInput {
                field: "credentials",
                reason: "name at least one credential".into(),
            });
        }
        for (i, id) in new.credential_ids.iter().enumerate() {
            if new.credential_ids.get(..i).is_some_and(|s| s.contains(id)) {
                return Err(StoreError::InvalidInput {
                    field: "credentials",
                    reason: format!("credential {id} is named twice"),
                });
            }
        }
        if new.purpose.trim().is_empty() {
            return Err(StoreError::InvalidInput {
                field: "purpose",
                reason: "a share needs a purpose".into(),
            });
        }
        if new.expires_at <= now {
            return Err(StoreError::InvalidInput {
                field: "expires_at",
                reason: "must be after now".into(),
            });
        }
        let code = ShareCode::generate()?;
        let now_text = to_text(now)?;
        // What a later read gives back (microseconds).
        let created_at = from_text("now", &now_text)?;
        let expires_text = to_text(new.expires_at)?;
        let expires_at = from_text("expires_at", &expires_text)?;
        let mut tx = self.begin_write().await?;
        if let Some(recipient) = &new.recipient {
            let role: Option<String> = sqlx::query_scalar("SELECT role FROM users WHERE id = $1")
                .bind(recipient)
                .fetch_optional(&mut *tx)
                .await?;
            if role.as_deref() != Some(Role::Portal.as_str()) {
                return Err(StoreError::InvalidInput {
                    field: "recipient",
                    reason: format!("{recipient} is not an admissions portal"),
                });
            }
        }
        for id in &new.credential_ids {
            let revoked: Option<Option<String>> = sqlx::query_scalar(
                "SELECT c.revoked_at FROM credentials c \
                 JOIN year_records r ON r.id = c.record_id AND r.school_id = c.school_id \
                 WHERE c.id = $1 AND c.school_id = $2 AND r.pupil_id = $3",
            )
            .bind(id)
            .bind(school_id)
            .bind(pupil_id)
            .fetch_optional(&mut *tx)
            .await?;
            match revoked {
                None => {
                    return Err(StoreError::NotFound {
                        what: "credential",
                        id: id.clone(),
                    });
                }
                Some(Some(_)) => {
                    return Err(StoreError::Conflict {
                        what: format!("credential {id} is revoked and cannot be shared"),
                    });
                }
                Some(None) => {}
            }
        }
        let share_id = new_id();
        sqlx::query(
            "INSERT INTO shares (id, code_sha256, school_id, pupil_id, created_by, purpose, \
             recipient, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&share_id)
        .bind(code.sha256())
        .bind(school_id)
        .bind(pupil_id)
        .bind(actor)
        .bind(&new.purpose)
        .bind(new.recipient.as_deref())
        .bind(&now_text)
        .bind(&expires_text)
        .execute(&mut *tx)
        .await?;
        for (position, id) in new.credential_ids.iter().enumerate() {
            sqlx::query(
                "INSERT INTO share_credentials (share_id, position, credential_id) \
                 VALUES ($1, $2, $3)",
            )
            .bind(&share_id)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        audit_on(
            &mut tx,
            &AuditEntry {
                at: now,
                school_id: Some(school_id.to_owned()),
                user_id: Some(actor.to_owned()),
                action: "share.create".to_owned(),
                subject: share_id.clone(),
                details_json: serde_json::json!({
                    "pupilId": pupil_id,
                    "credentials": new.credential_ids,
                    "purpose": new.purpose,
                    "recipient": new.recipient,
                    "expiresAt": expires_text,
                })
                .to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(CreatedShare {
            share: Share {
                id: share_id,
                school_id: school_id.to_owned(),
                pupil_id: pupil_id.to_owned(),
                created_by: actor.to_owned(),
                purpose: new.purpose.clone(),
                recipient: new.recipient.clone(),
                created_at,
                expires_at,
                withdrawn_at: None,
                redeemed_at: None,
                redeemed_by: None,
                credential_ids: new.credential_ids.clone(),
            },
            code,
        })
    }

    /// The shares of pupil `pupil_id` of `school_id`, newest first.
    pub async fn pupil_shares(
        &self,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Vec<Share>, StoreError> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM shares WHERE school_id = $1 AND pupil_id = $2 \
             ORDER BY created_at DESC, id",
        )
        .bind(school_id)
        .bind(pupil_id)
        .fetch_all(&self.pool)
        .await?;
        let mut conn = self.pool.acquire().await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in &ids {
            if let Some(share) = load_share(&mut conn, false, id).await? {
                out.push(share);
            }
        }
        Ok(out)
    }

    /// Withdraws a share of pupil `pupil_id` of `school_id` at `now` (audited as
    /// `share.withdraw`). Another pupil's share is [`StoreError::NotFound`]; a redeemed one
    /// is [`StoreError::Conflict`]; withdrawing twice keeps the first time.
    pub async fn withdraw_share(
        &self,
        school_id: &str,
        pupil_id: &str,
        share_id: &str,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<Share, StoreError> {
        let now_text = to_text(now)?;
        let mut tx = self.begin_write().await?;
        let share = load_share(&mut tx, false, share_id)
            .await?
            .filter(|s| s.school_id == school_id && s.pupil_id == pupil_id)
            .ok_or_else(|| share_not_found(share_id))?;
        let changed = sqlx::query(
            "UPDATE shares SET withdrawn_at = $2 WHERE id = $1 AND withdrawn_at IS NULL \
             AND redeemed_at IS NULL",
        )
        .bind(share_id)
        .bind(&now_text)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            if share.redeemed_at.is_some() {
                return Err(StoreError::Conflict {
                    what: format!("share {share_id} was redeemed already; it cannot be withdrawn"),
                });
            }
            return Ok(share);
        }
        audit_on(
            &mut tx,
            &AuditEntry {
                at: now,
                school_id: Some(school_id.to_owned()),
                user_id: Some(actor.to_owned()),
                action: "share.withdraw".to_owned(),
                subject: share_id.to_owned(),
                details_json: serde_json::json!({
                    "pupilId": pupil_id,
                    "credentials": share.credential_ids,
                })
                .to_string(),
            },
        )
        .await?;
        let share = load_share(&mut tx, false, share_id)
            .await?
            .ok_or_else(|| share_not_found(share_id))?;
        tx.commit().await?;
        Ok(share)
    }
}
