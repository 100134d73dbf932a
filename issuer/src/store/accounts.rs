//! Accounts of the web app: sign-in names, password hashes, disabled accounts, browser
//! sessions and one-time links to set a password. The rules (who may create whom, the
//! password policy, the lock after failures, the idle expiry) are in `app/accounts.rs`; this
//! module only stores.
//!
//! Secrets (session cookies, password links) are stored as their SHA-256 only, like API
//! tokens: the caller hashes with [`secret_sha256`]. A password is stored only as the
//! Argon2id PHC string the application layer made.

use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;

use super::audit::{AuditEntry, append_on};
use super::timestamp::{opt_time_at, time_at, to_text};
use super::{Role, Store, StoreError, hex, new_id};

/// A user with what sign-in needs.
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    /// The user's id.
    pub id: String,
    /// The sign-in name (lower case); `None` for users made by the command line only.
    pub login: Option<String>,
    /// The name shown on pages and in the audit log.
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
    /// The school (none for the authority and portals).
    pub school_id: Option<String>,
    /// A guardian's pupil.
    pub pupil_id: Option<String>,
    /// The Argon2id PHC string; `None` until a password is set.
    pub password_hash: Option<String>,
    /// When the account was disabled.
    pub disabled_at: Option<OffsetDateTime>,
    /// When it was created.
    pub created_at: OffsetDateTime,
}

impl std::fmt::Debug for Account {
    /// The password hash is not shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("login", &self.login)
            .field("role", &self.role)
            .field("school_id", &self.school_id)
            .field("disabled_at", &self.disabled_at)
            .finish_non_exhaustive()
    }
}

/// What is needed to create an account.
#[derive(Clone, Debug)]
pub struct NewAccount {
    /// Sign-in name, already normalised (lower case, trimmed).
    pub login: String,
    /// Name shown on pages.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// School (`None` for the authority and portals).
    pub school_id: Option<String>,
    /// A guardian's pupil (of `school_id`).
    pub pupil_id: Option<String>,
    /// Who created it (`None`: the first start).
    pub created_by: Option<String>,
}

/// A browser session, found by its cookie.
#[derive(Clone, Debug)]
pub struct WebSession {
    /// The session's id (not the cookie's secret).
    pub id: String,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// When it was last used (idle expiry).
    pub last_seen_at: OffsetDateTime,
    /// When it ends whatever happens.
    pub expires_at: OffsetDateTime,
    /// Its user.
    pub account: Account,
}

/// The SHA-256 (hex) under which a secret is stored.
pub fn secret_sha256(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

macro_rules! account_columns {
    () => {
        "u.id, u.login, u.display_name, u.role, u.school_id, u.pupil_id, u.password_hash, \
         u.disabled_at, u.created_at"
    };
}

fn account_from_row(row: &AnyRow) -> Result<Account, StoreError> {
    let role: String = row.try_get("role")?;
    Ok(Account {
        id: row.try_get("id")?,
        login: row.try_get("login")?,
        display_name: row.try_get("display_name")?,
        role: role.parse().map_err(|_| StoreError::Corrupt {
            what: "users.role",
            detail: role.clone(),
        })?,
        school_id: row.try_get("school_id")?,
        pupil_id: row.try_get("pupil_id")?,
        password_hash: row.try_get("password_hash")?,
        disabled_at: opt_time_at(row, "users.disabled_at", "disabled_at")?,
        created_at: time_at(row, "users.created_at", "created_at")?,
    })
}

/// Ends every session of a user (binds: user id, time).
const END_SESSIONS: &str =
    "UPDATE web_sessions SET ended_at = $2 WHERE user_id = $1 AND ended_at IS NULL";
/// Uses up every open password link of a user (binds: user id, time).
const END_LINKS: &str =
    "UPDATE password_links SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL";
/// Revokes every API token of a user (binds: user id, time).
const REVOKE_TOKENS: &str =
    "UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL";

/// Runs one of [`END_SESSIONS`], [`END_LINKS`], [`REVOKE_TOKENS`] for `user_id` in `tx`.
async fn end_for_user(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    sql: &'static str,
    user_id: &str,
    at: &str,
) -> Result<(), StoreError> {
    sqlx::query(sql)
        .bind(user_id)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Store {
    /// Creates an account (no password yet) and audits it (`account.create`). The login must
    /// be unused (409 otherwise); the school, and a guardian's pupil, must exist.
    pub async fn create_account(
        &self,
        new: &NewAccount,
        now: OffsetDateTime,
    ) -> Result<Account, StoreError> {
        if new.role.has_school() == new.school_id.is_none() {
            return Err(StoreError::InvalidInput {
                field: "school_id",
                reason: format!("role {} and school do not go together", new.role),
            });
        }
        if (new.role == Role::Guardian) != new.pupil_id.is_some() {
            return Err(StoreError::InvalidInput {
                field: "pupil_id",
                reason: "a guardian, and only a guardian, is bound to a pupil".into(),
            });
        }
        if let (Some(school), Some(pupil)) = (&new.school_id, &new.pupil_id) {
            self.pupil(school, pupil).await?;
        } else if let Some(school) = &new.school_id {
            self.school(school).await?;
        }
        let id = new_id();
        let mut tx = self.begin_write().await?;
        let taken: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE login = $1")
            .bind(&new.login)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict {
                what: format!("the sign-in name {} is taken", new.login),
            });
        }
        sqlx::query(
            "INSERT INTO users (id, school_id, display_name, role, created_at, pupil_id, login, \
             created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(new.school_id.as_deref())
        .bind(&new.display_name)
        .bind(new.role.as_str())
        .bind(to_text(now)?)
        .bind(new.pupil_id.as_deref())
        .bind(&new.login)
        .bind(new.created_by.as_deref())
        .execute(&mut *tx)
        .await?;
        append_on(
            &mut tx,
            &AuditEntry {
                at: now,
                school_id: new.school_id.clone(),
                user_id: new.created_by.clone(),
                action: "account.create".into(),
                subject: id.clone(),
                details_json: serde_json::json!({ "role": new.role.as_str() }).to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        self.account(&id).await
    }

    /// The account with this id.
    pub async fn account(&self, user_id: &str) -> Result<Account, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            account_columns!(),
            " FROM users u WHERE u.id = $1"
        ))
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "account",
            id: user_id.to_owned(),
        })?;
        account_from_row(&row)
    }

    /// The account with this sign-in name, if any.
    pub async fn account_by_login(&self, login: &str) -> Result<Option<Account>, StoreError> {
        sqlx::query(concat!(
            "SELECT ",
            account_columns!(),
            " FROM users u WHERE u.login = $1"
        ))
        .bind(login)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(account_from_row)
        .transpose()
    }

    /// Accounts of a school (`Some`), or the authority's and principals' view of accounts
    /// without a school plus every principal (`None`), by role then name.
    pub async fn list_accounts(&self, school_id: Option<&str>) -> Result<Vec<Account>, StoreError> {
        let rows = match school_id {
            Some(school) => {
                sqlx::query(concat!(
                    "SELECT ",
                    account_columns!(),
                    " FROM users u WHERE u.school_id = $1 AND u.login IS NOT NULL \
                     ORDER BY u.role, u.display_name"
                ))
                .bind(school)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(concat!(
                    "SELECT ",
                    account_columns!(),
                    " FROM users u WHERE u.login IS NOT NULL AND (u.school_id IS NULL \
                     OR u.role = 'principal') ORDER BY u.role, u.display_name"
                ))
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(account_from_row).collect()
    }

    /// The accounts with the authority role.
    pub async fn authority_accounts(&self) -> Result<Vec<Account>, StoreError> {
        sqlx::query(concat!(
            "SELECT ",
            account_columns!(),
            " FROM users u WHERE u.role = 'authority' ORDER BY u.created_at"
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(account_from_row)
        .collect()
    }

    /// Disables an account: it signs in no more, its sessions end and its API tokens are
    /// revoked, in one transaction, audited (`account.disable`).
    pub async fn disable_account(
        &self,
        user_id: &str,
        by: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let at = to_text(now)?;
        let mut tx = self.begin_write().await?;
        let school: Option<Option<String>> =
            sqlx::query_scalar("SELECT school_id FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(school) = school else {
            return Err(StoreError::NotFound {
                what: "account",
                id: user_id.to_owned(),
            });
        };
        sqlx::query("UPDATE users SET disabled_at = $2 WHERE id = $1 AND disabled_at IS NULL")
            .bind(user_id)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        end_for_user(&mut tx, END_SESSIONS, user_id, &at).await?;
        end_for_user(&mut tx, REVOKE_TOKENS, user_id, &at).await?;
        append_on(
            &mut tx,
            &AuditEntry {
                at: now,
                school_id: school,
                user_id: Some(by.to_owned()),
                action: "account.disable".into(),
                subject: user_id.to_owned(),
                details_json: "{}".into(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores a one-time link to set `user_id`'s password; earlier unused links of the user
    /// stop working.
    pub async fn create_password_link(
        &self,
        user_id: &str,
        secret_sha256: &str,
        created_by: Option<&str>,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let at = to_text(now)?;
        let mut tx = self.begin_write().await?;
        end_for_user(&mut tx, END_LINKS, user_id, &at).await?;
        sqlx::query(
            "INSERT INTO password_links (id, secret_sha256, user_id, created_by, created_at, \
             expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new_id())
        .bind(secret_sha256)
        .bind(user_id)
        .bind(created_by)
        .bind(&at)
        .bind(to_text(expires_at)?)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The account a password link is for, if the link is unused and unexpired at `now`.
    pub async fn password_link(
        &self,
        secret_sha256: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Account>, StoreError> {
        let user: Option<String> = sqlx::query_scalar(
            "SELECT user_id FROM password_links WHERE secret_sha256 = $1 AND used_at IS NULL \
             AND expires_at > $2",
        )
        .bind(secret_sha256)
        .bind(to_text(now)?)
        .fetch_optional(&self.pool)
        .await?;
        match user {
            Some(id) => Ok(Some(self.account(&id).await?)),
            None => Ok(None),
        }
    }

    /// Uses a password link once: sets the password hash of its account and ends the link,
    /// the account's other sessions and links, in one transaction (`account.password`
    /// audited). `Ok(None)` when the link is unknown, used or expired (also when two
    /// requests race: exactly one wins).
    pub async fn use_password_link(
        &self,
        secret_sha256: &str,
        password_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<String>, StoreError> {
        let at = to_text(now)?;
        let mut tx = self.begin_write().await?;
        let user: Option<String> = sqlx::query_scalar(
            "UPDATE password_links SET used_at = $2 WHERE secret_sha256 = $1 \
             AND used_at IS NULL AND expires_at > $2 RETURNING user_id",
        )
        .bind(secret_sha256)
        .bind(&at)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(user) = user else {
            return Ok(None);
        };
        sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
            .bind(&user)
            .bind(password_hash)
            .execute(&mut *tx)
            .await?;
        end_for_user(&mut tx, END_LINKS, &user, &at).await?;
        end_for_user(&mut tx, END_SESSIONS, &user, &at).await?;
        let school: Option<String> =
            sqlx::query_scalar("SELECT school_id FROM users WHERE id = $1")
                .bind(&user)
                .fetch_one(&mut *tx)
                .await?;
        append_on(
            &mut tx,
            &AuditEntry {
                at: now,
                school_id: school,
                user_id: Some(user.clone()),
                action: "account.password".into(),
                subject: user.clone(),
                details_json: "{}".into(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Some(user))
    }

    /// Stores a new session of `user_id`.
    pub async fn create_session(
        &self,
        user_id: &str,
        secret_sha256: &str,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<String, StoreError> {
        let id = new_id();
        let at = to_text(now)?;
        sqlx::query(
            "INSERT INTO web_sessions (id, secret_sha256, user_id, created_at, last_seen_at, \
             expires_at) VALUES ($1, $2, $3, $4, $4, $5)",
        )
        .bind(&id)
        .bind(secret_sha256)
        .bind(user_id)
        .bind(&at)
        .bind(to_text(expires_at)?)
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    /// The live session with this secret, with its account (ended sessions are `None`; the
    /// caller applies the idle and absolute expiry).
    pub async fn session(&self, secret_sha256: &str) -> Result<Option<WebSession>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT s.id AS session_id, s.created_at AS session_created, s.last_seen_at, \
             s.expires_at, ",
            account_columns!(),
            " FROM web_sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.secret_sha256 = $1 AND s.ended_at IS NULL"
        ))
        .bind(secret_sha256)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        Ok(Some(WebSession {
            id: row.try_get("session_id")?,
            created_at: time_at(&row, "web_sessions.created_at", "session_created")?,
            last_seen_at: time_at(&row, "web_sessions.last_seen_at", "last_seen_at")?,
            expires_at: time_at(&row, "web_sessions.expires_at", "expires_at")?,
            account: account_from_row(&row)?,
        }))
    }

    /// Marks a session as used at `now`.
    pub async fn touch_session(&self, id: &str, now: OffsetDateTime) -> Result<(), StoreError> {
        sqlx::query("UPDATE web_sessions SET last_seen_at = $2 WHERE id = $1")
            .bind(id)
            .bind(to_text(now)?)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends a session (sign-out or expiry).
    pub async fn end_session(&self, id: &str, now: OffsetDateTime) -> Result<(), StoreError> {
        sqlx::query("UPDATE web_sessions SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL")
            .bind(id)
            .bind(to_text(now)?)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
