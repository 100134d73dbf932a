//! API bearer tokens: created with a random secret that is shown once, stored only as its
//! SHA-256, checked in constant time, refused once expired or revoked.
//!
//! A token reads `hb_<id>_<secret>`: `<id>` (32 hex digits) finds the row, `<secret>` is 32
//! random bytes in base64url. The whole string is what gets hashed.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use sqlx::Row;
use time::{Duration, OffsetDateTime};

use super::timestamp::{opt_time_at, time_at, to_text};
use super::{Role, Scope, Store, StoreError, hex, random_bytes};

const PREFIX: &str = "hb_";

/// A token's secret, as handed to its owner exactly once. `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret(String);

impl TokenSecret {
    /// The secret, to give to the user (for the `Authorization: Bearer` header).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenSecret(<redacted>)")
    }
}

/// A token just created.
#[derive(Clone, Debug)]
pub struct NewToken {
    /// The token's id (safe to log and show; it names the token for revocation).
    pub id: String,
    /// The secret; it is not stored and cannot be shown again.
    pub secret: TokenSecret,
    /// When the token stops working.
    pub expires_at: OffsetDateTime,
}

/// Who is calling, as established from a valid token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The token that was presented.
    pub token_id: String,
    /// The user it belongs to.
    pub user_id: String,
    /// The user's school; `None` for the authority and portals.
    pub school_id: Option<String>,
    /// What the user may do.
    pub role: Role,
    /// For a guardian, the one pupil (of `school_id`) the token speaks for; `None` otherwise.
    pub pupil_id: Option<String>,
}

impl Principal {
    /// Whose data this caller may read: the province for the authority, else their school.
    /// Guardians and portals read no school's data through the school API (their own
    /// endpoints check the pupil binding and the share instead): their scope matches no row.
    pub fn scope(&self) -> Scope {
        match (&self.role, &self.school_id) {
            (Role::Authority, _) => Scope::Province,
            (Role::Guardian | Role::Portal, _) => Scope::School(String::new()),
            // The database forbids a teacher or principal without a school; should one
            // appear, an empty id matches no row.
            (_, school_id) => Scope::School(school_id.clone().unwrap_or_default()),
        }
    }
}

fn secret_hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Equality that takes the same time wherever the first difference is.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// Splits `hb_<id>_<secret>` and returns the id if the shape is right.
fn token_id_of(secret: &str) -> Option<&str> {
    let (id, rest) = secret.strip_prefix(PREFIX)?.split_once('_')?;
    let ok = id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && rest.len() == 43;
    ok.then_some(id)
}

impl Store {
    /// Creates a token for `user_id` valid for `ttl` from `now`. The secret is returned once
    /// and never stored.
    pub async fn create_token(
        &self,
        user_id: &str,
        ttl: Duration,
        now: OffsetDateTime,
    ) -> Result<NewToken, StoreError> {
        if !ttl.is_positive() {
            return Err(StoreError::InvalidInput {
                field: "ttl",
                reason: "a token must live for a positive time".into(),
            });
        }
        self.user(user_id).await?;
        let id = uuid::Uuid::new_v4().simple().to_string();
        let random = random_bytes::<32>()?;
        let secret = format!("{PREFIX}{id}_{}", URL_SAFE_NO_PAD.encode(random));
        let expires_at = now
            .checked_add(ttl)
            .ok_or_else(|| StoreError::InvalidInput {
                field: "ttl",
                reason: "too long".into(),
            })?;
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, secret_sha256, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(user_id)
        .bind(secret_hash(&secret))
        .bind(to_text(now)?)
        .bind(to_text(expires_at)?)
        .execute(&self.pool)
        .await?;
        Ok(NewToken {
            id,
            secret: TokenSecret(secret),
            expires_at,
        })
    }

    /// Who holds this bearer token, if it is a valid one: known, hash matching, not revoked,
    /// not expired at `now`. Anything else is `Ok(None)`, without saying which check failed.
    pub async fn authenticate(
        &self,
        secret: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Principal>, StoreError> {
        let Some(token_id) = token_id_of(secret) else {
            return Ok(None);
        };
        let Some(row) = sqlx::query(
            "SELECT t.secret_sha256, t.expires_at, t.revoked_at, u.id AS user_id, u.school_id, \
             u.role, u.pupil_id, u.disabled_at FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.id = $1",
        )
        .bind(token_id)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let stored: String = row.try_get("secret_sha256")?;
        if !constant_time_eq(stored.as_bytes(), secret_hash(secret).as_bytes()) {
            return Ok(None);
        }
        let expires_at = time_at(&row, "api_tokens.expires_at", "expires_at")?;
        let revoked_at = opt_time_at(&row, "api_tokens.revoked_at", "revoked_at")?;
        let disabled: Option<String> = row.try_get("disabled_at")?;
        if revoked_at.is_some() || expires_at <= now || disabled.is_some() {
            return Ok(None);
        }
        let role: String = row.try_get("role")?;
        Ok(Some(Principal {
            token_id: token_id.to_owned(),
            user_id: row.try_get("user_id")?,
            school_id: row.try_get("school_id")?,
            role: role.parse().map_err(|_| StoreError::Corrupt {
                what: "users.role",
                detail: role.clone(),
            })?,
            pupil_id: row.try_get("pupil_id")?,
        }))
    }

    /// Revokes a token from `now` on. Revoking a revoked token keeps the first time.
    pub async fn revoke_token(
        &self,
        token_id: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1",
        )
        .bind(token_id)
        .bind(to_text(now)?)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "token",
                id: token_id.to_owned(),
            });
        }
        Ok(())
    }
}

/// A token as its owner sees it on the tokens page (never the secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    /// The token's id.
    pub id: String,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// When it stops working.
    pub expires_at: OffsetDateTime,
    /// When it was revoked.
    pub revoked_at: Option<OffsetDateTime>,
}

impl Store {
    /// The tokens of `user_id`, newest first.
    pub async fn list_tokens(&self, user_id: &str) -> Result<Vec<TokenInfo>, StoreError> {
        sqlx::query(
            "SELECT id, created_at, expires_at, revoked_at FROM api_tokens WHERE user_id = $1 \
             ORDER BY created_at DESC, id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(TokenInfo {
                id: row.try_get("id")?,
                created_at: time_at(row, "api_tokens.created_at", "created_at")?,
                expires_at: time_at(row, "api_tokens.expires_at", "expires_at")?,
                revoked_at: opt_time_at(row, "api_tokens.revoked_at", "revoked_at")?,
            })
        })
        .collect()
    }

    /// Revokes `token_id` if it belongs to `user_id` (someone else's token is not found).
    pub async fn revoke_own_token(
        &self,
        user_id: &str,
        token_id: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $3) WHERE id = $1 \
             AND user_id = $2",
        )
        .bind(token_id)
        .bind(user_id)
        .bind(to_text(now)?)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "token",
                id: token_id.to_owned(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_shape() {
        let id = "0123456789abcdef0123456789abcdef";
        let secret = format!("hb_{id}_{}", URL_SAFE_NO_PAD.encode([0xffu8; 32]));
        assert_eq!(token_id_of(&secret), Some(id));
        assert_eq!(token_id_of("hb_x_y"), None);
        assert_eq!(token_id_of(""), None);
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
