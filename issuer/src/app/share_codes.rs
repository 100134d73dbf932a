//! Share codes: a family consents to give chosen credentials of their pupil to an admissions
//! portal for one purpose, until an expiry (`schema/docs/sharing.md`). One workflow for the API
//! and the web app: the request's rules (1–[`MAX_SHARED_CREDENTIALS`] credentials, none named
//! twice, none revoked, all the pupil's own; a purpose of 1–[`MAX_PURPOSE_CHARS`] characters;
//! 1–[`MAX_SHARE_DAYS`] days; a recipient, if named, that is a portal), then the share stored
//! with its code hashed (`Store::create_share`). The code is shown once.
//!
//! **Redemption** ([`Issuer::redeem_share`]) by an admissions portal, once, within the abuse
//! limits: a locked client address or code is refused before the code is looked at; a code
//! that is unknown to this portal (garbled, unknown, another portal's) counts against the
//! client, as guessing does; every failure counts against its code.

use serde::Deserialize;
use serde_json::Value;
use time::{Duration, OffsetDateTime};
use utoipa::ToSchema;

use super::Issuer;
use super::import::Refusal;
use crate::error::IssuerError;
use crate::store::{
    CreatedShare, Credential, NewShare, REDEEM_PER_CLIENT, REDEEM_PER_CODE, Redemption, Refused,
    Role, School, Share, ShareCode, ShareRefusal, StoreError,
};

/// Days a share code lives when the request does not say.
pub const DEFAULT_SHARE_DAYS: i64 = 14;
/// The longest a share code may live, in days.
pub const MAX_SHARE_DAYS: i64 = 90;
/// The most credentials one share may name.
pub const MAX_SHARED_CREDENTIALS: usize = 20;
/// The longest purpose, in characters.
pub const MAX_PURPOSE_CHARS: usize = 500;

/// What to share.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ShareRequest {
    /// Ids of the pupil's credentials (1–20, none revoked), in the order to deliver them.
    pub credentials: Vec<String>,
    /// What the family consents to, e.g. "Tuyển sinh lớp 10 năm học 2026-2027" (1–500 characters).
    pub purpose: String,
    /// Days until the code stops working: 1–90, default 14.
    pub expires_in_days: Option<i64>,
    /// The user id of the only admissions portal that may redeem the code.
    pub recipient: Option<String>,
}

fn invalid(pointer: String, rule: &'static str, value: Value, vi: &str, en: &str) -> IssuerError {
    IssuerError::Invalid(Box::new(Refusal {
        pointer: pointer.into(),
        rule,
        value,
        message_vi: vi.to_owned(),
        message_en: en.to_owned(),
    }))
}

/// Checks a share request against the rules that need no database.
fn check_share_request(request: &ShareRequest) -> Result<i64, IssuerError> {
    if request.credentials.is_empty() {
        return Err(invalid(
            "/credentials".to_owned(),
            "credentials_required",
            Value::Array(Vec::new()),
            "Cần chọn ít nhất một học bạ",
            "Name at least one credential",
        ));
    }
    if request.credentials.len() > MAX_SHARED_CREDENTIALS {
        return Err(invalid(
            "/credentials".to_owned(),
            "too_many_credentials",
            Value::from(request.credentials.len()),
            "Mỗi mã chia sẻ tối đa 20 học bạ",
            "A share names at most 20 credentials",
        ));
    }
    for (i, id) in request.credentials.iter().enumerate() {
        if request.credentials.get(..i).is_some_and(|s| s.contains(id)) {
            return Err(invalid(
                format!("/credentials/{i}"),
                "credential_repeated",
                Value::from(id.as_str()),
                "Học bạ này đã được chọn",
                "This credential is named twice",
            ));
        }
    }
    let purpose_chars = request.purpose.trim().chars().count();
    if purpose_chars == 0 {
        return Err(invalid(
            "/purpose".to_owned(),
            "purpose_required",
            Value::from(request.purpose.as_str()),
            "Cần ghi mục đích chia sẻ",
            "Say what the share is for",
        ));
    }
    if purpose_chars > MAX_PURPOSE_CHARS {
        return Err(invalid(
            "/purpose".to_owned(),
            "purpose_too_long",
            Value::from(purpose_chars),
            "Mục đích dài quá 500 ký tự",
            "The purpose is longer than 500 characters",
        ));
    }
    let days = request.expires_in_days.unwrap_or(DEFAULT_SHARE_DAYS);
    if !(1..=MAX_SHARE_DAYS).contains(&days) {
        return Err(invalid(
            "/expiresInDays".to_owned(),
            "expires_in_days_range",
            Value::from(days),
            "Thời hạn phải từ 1 đến 90 ngày",
            "expiresInDays must be 1 to 90",
        ));
    }
    Ok(days)
}

impl Issuer {
    /// A share of credentials of pupil `pupil_id` of `school`, made by their guardian
    /// `guardian` (see the module documentation).
    pub async fn create_share(
        &self,
        school: &School,
        pupil_id: &str,
        guardian: &str,
        request: ShareRequest,
        now: OffsetDateTime,
    ) -> Result<CreatedShare, IssuerError> {
        let days = check_share_request(&request)?;
        let store = self.store();
        if let Some(recipient) = &request.recipient {
            let is_portal = match store.user(recipient).await {
                Ok(user) => user.role == Role::Portal,
                Err(StoreError::NotFound { .. }) => false,
                Err(e) => return Err(e.into()),
            };
            if !is_portal {
                return Err(invalid(
                    "/recipient".to_owned(),
                    "recipient_not_portal",
                    Value::from(recipient.as_str()),
                    "Người nhận không phải là một cổng tuyển sinh",
                    "The recipient is not an admissions portal",
                ));
            }
        }
        let own = store.pupil_credentials(&school.id, pupil_id).await?;
        for (i, id) in request.credentials.iter().enumerate() {
            let Some(found) = own.iter().find(|c| &c.credential.id == id) else {
                return Err(StoreError::NotFound {
                    what: "credential",
                    id: id.clone(),
                }
                .into());
            };
            if found.credential.revoked_at.is_some() {
                return Err(invalid(
                    format!("/credentials/{i}"),
                    "credential_revoked",
                    Value::from(id.as_str()),
                    "Học bạ này đã bị thu hồi, không thể chia sẻ",
                    "This credential is revoked and cannot be shared",
                ));
            }
        }
        let expires_at = now
            .checked_add(Duration::days(days))
            .ok_or_else(|| IssuerError::Internal("expiry out of range".to_owned()))?;
        Ok(store
            .create_share(
                &school.id,
                pupil_id,
                guardian,
                &NewShare {
                    credential_ids: request.credentials,
                    purpose: request.purpose.trim().to_owned(),
                    expires_at,
                    recipient: request.recipient,
                },
                now,
            )
            .await?)
    }
}

/// How a redemption ended.
#[derive(Debug)]
pub enum Redeemed {
    /// The client or the code is locked for too many failures.
    Locked(Refused),
    /// No share has this code for this portal (the same answer for another portal's code).
    Unknown,
    /// The code was used, has expired, or was withdrawn.
    Refused(ShareRefusal),
    /// Redeemed now, for good.
    Done {
        /// The share, now redeemed.
        share: Box<Share>,
        /// Its credentials in the order chosen, byte for byte as signed.
        credentials: Vec<Credential>,
        /// The pupil's full name as stored.
        pupil_name: String,
        /// The school that issued them.
        school: School,
    },
}

impl Issuer {
    /// Portal `portal` redeems `code_text` from client address `client` (see the module
    /// documentation).
    pub async fn redeem_share(
        &self,
        portal: &str,
        client: &str,
        code_text: &str,
        now: OffsetDateTime,
    ) -> Result<Redeemed, IssuerError> {
        let store = self.store();
        let code = ShareCode::parse(code_text);
        if let Some(refused) = store
            .attempt_locked(&REDEEM_PER_CLIENT, client, now)
            .await?
        {
            return Ok(Redeemed::Locked(refused));
        }
        if let Some(code) = &code
            && let Some(refused) = store
                .attempt_locked(&REDEEM_PER_CODE, &code.sha256(), now)
                .await?
        {
            return Ok(Redeemed::Locked(refused));
        }
        let redemption = match &code {
            Some(code) => store.redeem_share(code, portal, now).await?,
            None => Redemption::Unknown,
        };
        let unknown = matches!(
            redemption,
            Redemption::Unknown
                | Redemption::Refused {
                    why: ShareRefusal::Foreign,
                    ..
                }
        );
        if unknown {
            store
                .record_failure(&REDEEM_PER_CLIENT, client, now)
                .await?;
        }
        if !matches!(redemption, Redemption::Redeemed { .. })
            && let Some(code) = &code
        {
            store
                .record_failure(&REDEEM_PER_CODE, &code.sha256(), now)
                .await?;
        }
        Ok(match redemption {
            Redemption::Unknown
            | Redemption::Refused {
                why: ShareRefusal::Foreign,
                ..
            } => Redeemed::Unknown,
            Redemption::Refused { why, .. } => Redeemed::Refused(why),
            Redemption::Redeemed {
                share,
                credentials,
                pupil_name,
            } => Redeemed::Done {
                school: store.school(&share.school_id).await?,
                share: Box::new(share),
                credentials,
                pupil_name,
            },
        })
    }
}
