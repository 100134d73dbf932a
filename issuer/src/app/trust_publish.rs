//! Publishing a trust-list version from a running service: the authority key of the service's
//! key directory signs the new version ([`crate::authority::publish`], shared with the command
//! line), then the service signs with the keys it makes active ([`Issuer::switch_keys`]). The
//! web app's `/authority/trust-list` and `POST /api/v1/authority/trust-list` both call this.
//!
//! A second press of the publish button must not make a second version: the caller passes the
//! version it saw (`after`), and a newer one already there is [`Published::Already`].

use super::Issuer;
use crate::authority::{self as life, Actor, AuthorityError, PublishOptions};
use crate::store::TrustVersion;

/// What a publication did.
#[derive(Debug)]
pub enum Published {
    /// A new version, now served and signed with.
    New(TrustVersion),
    /// Someone published after the version the caller saw: nothing was done.
    Already(TrustVersion),
}

impl Issuer {
    /// Publishes a version due again in `next_due_days` days, unless a version newer than
    /// `after` exists (module doc). No key directory, or an unusable authority key, is
    /// [`AuthorityError::Conflict`].
    pub async fn publish_trust_list(
        &self,
        next_due_days: u32,
        after: Option<u64>,
        actor: Actor<'_>,
    ) -> Result<Published, AuthorityError> {
        if let Some(latest) = self.store().latest_trust_version().await?
            && after.is_some_and(|seen| latest.version > seen)
        {
            return Ok(Published::Already(latest));
        }
        let dir = self.keys().dir().ok_or_else(|| {
            AuthorityError::Conflict(
                "this server was started without a key directory: it holds no authority key"
                    .to_owned(),
            )
        })?;
        let key = life::load_authority_key(dir).map_err(|e| {
            AuthorityError::Conflict(format!("the authority key is not usable here: {e}"))
        })?;
        let version = life::publish(
            self.store(),
            &PublishOptions {
                key: &key,
                next_due_days,
                authority: None,
            },
            actor,
        )
        .await?;
        self.switch_keys(&version).await?;
        Ok(Published::New(version))
    }
}
