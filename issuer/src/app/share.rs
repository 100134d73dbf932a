//! A family's access: a **guardian token** bound to one pupil of the school, made by the
//! principal in the API or the web app, or by the operator with `hocba-issuer token create
//! --role guardian --pupil …`. One workflow: the pupil found by id, by the key they are
//! stored under or by their MOET student code ([`Issuer::find_pupil`]); the expiry within
//! [`MAX_GUARDIAN_TOKEN_DAYS`]; the guardian account, its token (stored hashed; the secret is
//! shown once) and an audit row. The share codes the family then makes, and their redemption
//! by admissions portals, are described in `schema/docs/sharing.md`.

use serde_json::Value;
use time::{Duration, OffsetDateTime};

use super::Issuer;
use super::import::Refusal;
use crate::error::IssuerError;
use crate::store::{NewToken, Pupil, School, StoreError, User};

/// Days a guardian token lasts unless asked otherwise.
pub const DEFAULT_GUARDIAN_TOKEN_DAYS: i64 = 365;

/// The longest a guardian token may last, in days.
pub const MAX_GUARDIAN_TOKEN_DAYS: i64 = 730;

/// A guardian token made: the account, the pupil it is bound to, the token.
#[derive(Debug)]
pub struct GuardianToken {
    /// The guardian's account.
    pub user: User,
    /// The pupil.
    pub pupil: Pupil,
    /// The token (its secret is shown once, never stored in clear).
    pub token: NewToken,
}

impl Issuer {
    /// The pupil of `school` named by `reference`: their id, the key they are stored under
    /// (personal identification number or student code), or the MOET student code their
    /// records give.
    pub async fn find_pupil(&self, school: &School, reference: &str) -> Result<Pupil, IssuerError> {
        let store = self.store();
        match store.pupil(&school.id, reference).await {
            Err(StoreError::NotFound { .. }) => {}
            other => return Ok(other?),
        }
        match store.pupil_by_key(&school.id, reference).await {
            Err(StoreError::NotFound { .. }) => {}
            other => return Ok(other?),
        }
        Ok(store.pupil_by_student_code(&school.id, reference).await?)
    }

    /// A guardian token for the pupil `reference` of `school`, lasting `ttl_days` (default
    /// [`DEFAULT_GUARDIAN_TOKEN_DAYS`]), shown as `name` (default "Phụ huynh của <pupil>"), made
    /// by `actor` through `channel`.
    #[allow(clippy::too_many_arguments)] // Each is one fact of the request; a struct adds nothing.
    pub async fn guardian_token(
        &self,
        school: &School,
        reference: &str,
        name: Option<String>,
        ttl_days: Option<i64>,
        actor: Option<&str>,
        channel: &str,
        now: OffsetDateTime,
    ) -> Result<GuardianToken, IssuerError> {
        let ttl_days = ttl_days.unwrap_or(DEFAULT_GUARDIAN_TOKEN_DAYS);
        if !(1..=MAX_GUARDIAN_TOKEN_DAYS).contains(&ttl_days) {
            return Err(IssuerError::Invalid(Box::new(Refusal {
                pointer: "/ttlDays".into(),
                rule: "ttl_days_range",
                value: Value::from(ttl_days),
                message_vi: format!("Số ngày hiệu lực phải từ 1 đến {MAX_GUARDIAN_TOKEN_DAYS}"),
                message_en: format!("ttlDays must be 1 to {MAX_GUARDIAN_TOKEN_DAYS}"),
            })));
        }
        let pupil = self.find_pupil(school, reference).await?;
        let name = name
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| format!("Phụ huynh của {}", pupil.full_name));
        let user = self
            .store()
            .create_guardian(&school.id, &pupil.id, &name, now)
            .await?;
        let token = self
            .store()
            .create_token(&user.id, Duration::days(ttl_days), now)
            .await?;
        self.audit(
            school,
            actor,
            "guardian_token.create",
            &pupil.id,
            serde_json::json!({
                "userId": user.id,
                "tokenId": token.id,
                "expiresAt": token
                    .expires_at
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
                "channel": channel,
            }),
            now,
        )
        .await?;
        Ok(GuardianToken { user, pupil, token })
    }
}
