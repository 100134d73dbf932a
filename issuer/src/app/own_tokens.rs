//! A signed-in person's own API tokens (for software; people use the pages): made for 1 to
//! [`TOKEN_MAX_DAYS`] days, listed without their secrets, revoked by their owner. Another
//! person's token is "not found".

use time::{Duration, OffsetDateTime};

use super::Issuer;
use super::accounts::invalid;
use crate::error::IssuerError;
use crate::store::{Account, NewToken, TokenInfo};

/// Longest life of an API token made on the tokens page.
pub const TOKEN_MAX_DAYS: i64 = 365;

impl Issuer {
    /// A new API token of `actor`'s own, valid `days` (1–365).
    pub async fn create_own_token(
        &self,
        actor: &Account,
        days: i64,
        now: OffsetDateTime,
    ) -> Result<NewToken, IssuerError> {
        if !(1..=TOKEN_MAX_DAYS).contains(&days) {
            return Err(invalid(
                "/days",
                "token-days",
                &days.to_string(),
                "Thời hạn của mã truy cập từ 1 đến 365 ngày.",
                "A token lives 1 to 365 days.",
            ));
        }
        Ok(self
            .store()
            .create_token(&actor.id, Duration::days(days), now)
            .await?)
    }

    /// `actor`'s own API tokens.
    pub async fn own_tokens(&self, actor: &Account) -> Result<Vec<TokenInfo>, IssuerError> {
        Ok(self.store().list_tokens(&actor.id).await?)
    }

    /// Revokes one of `actor`'s own tokens (another person's is "not found").
    pub async fn revoke_own_token(
        &self,
        actor: &Account,
        token_id: &str,
        now: OffsetDateTime,
    ) -> Result<(), IssuerError> {
        Ok(self
            .store()
            .revoke_own_token(&actor.id, token_id, now)
            .await?)
    }
}
