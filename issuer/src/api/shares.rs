//! Consent-based sharing over HTTP: a school gives a pupil's family a guardian token; the
//! family lists the pupil's credentials and makes share codes for chosen ones, with a purpose
//! and an expiry; an admissions portal redeems a code once and gets the signed credentials.
//!
//! | endpoint | who |
//! |---|---|
//! | `POST /api/v1/pupils/{id}/guardian-tokens` | principal of the pupil's school |
//! | `GET /api/v1/me/credentials` | guardian |
//! | `POST /api/v1/shares`, `GET /api/v1/shares`, `DELETE /api/v1/shares/{id}` | guardian |
//! | `POST /api/v1/shares/redeem` | portal |
//!
//! Decisions (more in `store/shares.rs` and `schema/docs/sharing.md`):
//!
//! * A guardian acts only for their own pupil: another pupil's or school's credential or
//!   share id is 404, exactly like an id that does not exist. Guardians and portals cannot
//!   use the school endpoints (403).
//! * `expiresInDays` is 1–90, 14 when left out; a share names 1–20 credentials, none of
//!   them revoked; `purpose` is 1–500 characters; `recipient`, if given, must be a portal's
//!   user id, and then only that portal may redeem.
//! * Redemption answers: 200 with the credentials (each embedded byte for byte as signed,
//!   flagged `revoked` if it was revoked after the share was made); 404 `share_code_unknown`
//!   for a code that is garbled, unknown, or names another portal as recipient; 410
//!   `share_code_used`, `share_code_expired` or `share_code_withdrawn`. The problem body names
//!   the field (`/code`) and the rule but does not echo the code.
//! * Codes, tokens and credentials are sent with `Cache-Control: no-store` and never logged.
//! * **Abuse limits** (`store/attempts.rs`): a redemption answered `share_code_unknown`
//!   (garbled, unknown, another portal's: what guessing looks like) counts against the
//!   client's address (`REDEEM_PER_CLIENT`: 10 a minute); every failed redemption of a
//!   well-formed code (also used, expired, withdrawn) counts against that code, from any
//!   client (`REDEEM_PER_CODE`: 5 a minute). Past the limit the client or the code is locked
//!   (5 minutes, doubling with each further lockout, at most an hour): 429 with
//!   `Retry-After` and a problem body, before the code is looked up. A portal retrying a
//!   code that is already used is thus not locked out as a client.

mod redeem;

pub use redeem::{
    __path_redeem_share, RedeemRequest, RedeemResponse, SharedCredential, SharedPupil,
    SharedSchool, redeem_share,
};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use super::auth::Caller;
use super::error::{ApiError, parse_json};
use super::{AppState, Body};
use crate::store::Share;

pub use crate::app::share::{DEFAULT_GUARDIAN_TOKEN_DAYS, MAX_GUARDIAN_TOKEN_DAYS};
pub use crate::app::share_codes::{
    DEFAULT_SHARE_DAYS, MAX_PURPOSE_CHARS, MAX_SHARE_DAYS, MAX_SHARED_CREDENTIALS,
};

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// `response` with `Cache-Control: no-store` (it carries a secret or personal data).
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Options of a guardian token (the body may be empty).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GuardianTokenRequest {
    /// Name shown in the audit log, e.g. the parent's name.
    pub name: Option<String>,
    /// Days until the token expires: 1–730, default 365.
    pub ttl_days: Option<i64>,
}

/// A guardian token, shown once.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GuardianTokenResponse {
    /// The guardian user (for the audit log).
    pub user_id: String,
    /// The pupil it speaks for.
    pub pupil_id: String,
    /// The token's id (to revoke it).
    pub token_id: String,
    /// The bearer token; it is not stored and cannot be shown again.
    pub token: String,
    /// When it stops working (RFC 3339).
    pub expires_at: String,
}

/// Create a guardian token for a pupil of the caller's school, to hand to the family.
/// Principals.
#[utoipa::path(
    post,
    path = "/api/v1/pupils/{id}/guardian-tokens",
    tag = "sharing",
    params(("id" = String, Path, description = "The pupil's id (pupilId of its records)")),
    request_body(content = GuardianTokenRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The token, shown once", body = GuardianTokenResponse),
        (status = 403, description = "Not a principal", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such pupil in the caller's school", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Bad ttlDays", body = super::ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_guardian_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(pupil_id): Path<String>,
    Body(body): Body,
) -> Result<Response, ApiError> {
    caller.require_principal()?;
    let school = caller.own_school()?.clone();
    let request: GuardianTokenRequest = if body.iter().all(u8::is_ascii_whitespace) {
        GuardianTokenRequest::default()
    } else {
        parse_json(&body)?
    };
    let made = state
        .issuer()
        .guardian_token(
            &school,
            &pupil_id,
            request.name,
            request.ttl_days,
            Some(caller.user_id()),
            "api",
            state.now(),
        )
        .await?;
    let (user, pupil, token) = (made.user, made.pupil, made.token);
    let body = GuardianTokenResponse {
        user_id: user.id,
        pupil_id: pupil.id,
        token_id: token.id,
        token: token.secret.expose().to_owned(),
        expires_at: rfc3339(token.expires_at),
    };
    Ok(no_store((StatusCode::CREATED, Json(body)).into_response()))
}

/// One of the guardian's pupil's credentials.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MyCredential {
    /// The credential id, to name in a share.
    pub id: String,
    /// The school year it records.
    pub school_year: String,
    /// The grade.
    pub grade: i64,
    /// The class.
    pub class_name: String,
    /// When it was issued (RFC 3339).
    pub issued_at: String,
    /// When it was revoked, if it was (revoked credentials cannot be shared).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
    /// SHA-256 of the signed JSON (hex).
    pub sha256: String,
}

/// The credentials issued to the guardian's pupil, by school year. Guardians.
#[utoipa::path(
    get,
    path = "/api/v1/me/credentials",
    tag = "sharing",
    responses(
        (status = 200, description = "The pupil's credentials", body = [MyCredential]),
        (status = 403, description = "Not a guardian", body = super::ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn my_credentials(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let (school, pupil_id) = caller.guardian_of()?;
    let list = state
        .store()
        .pupil_credentials(&school.id, pupil_id)
        .await?
        .into_iter()
        .map(|c| MyCredential {
            id: c.credential.id,
            school_year: c.school_year,
            grade: c.grade,
            class_name: c.class_name,
            issued_at: rfc3339(c.credential.issued_at),
            revoked_at: c.credential.revoked_at.map(rfc3339),
            sha256: c.credential.sha256,
        })
        .collect::<Vec<_>>();
    Ok(no_store(Json(list).into_response()))
}

pub use crate::app::share_codes::ShareRequest;

/// A share just made, with its code (shown once).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShareCreated {
    /// The share's id (to list or withdraw it; not the code).
    pub id: String,
    /// The code to give to the portal, `HB-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX`. Shown only now.
    pub code: String,
    /// When the code stops working (RFC 3339).
    pub expires_at: String,
    /// The shared credential ids.
    pub credentials: Vec<String>,
    /// The purpose.
    pub purpose: String,
    /// The only portal that may redeem it, if named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
}

/// A share as listed (never with its code).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShareView {
    /// The share's id.
    pub id: String,
    /// `active`, `redeemed`, `withdrawn` or `expired`.
    pub state: String,
    /// The shared credential ids.
    pub credentials: Vec<String>,
    /// The purpose.
    pub purpose: String,
    /// The only portal that may redeem it, if named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// When it was made.
    pub created_at: String,
    /// When it stops (or stopped) working.
    pub expires_at: String,
    /// When it was withdrawn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withdrawn_at: Option<String>,
    /// When it was redeemed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redeemed_at: Option<String>,
    /// The portal that redeemed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redeemed_by: Option<String>,
}

impl ShareView {
    fn of(share: Share, now: OffsetDateTime) -> Self {
        ShareView {
            state: share.state(now).as_str().to_owned(),
            id: share.id,
            credentials: share.credential_ids,
            purpose: share.purpose,
            recipient: share.recipient,
            created_at: rfc3339(share.created_at),
            expires_at: rfc3339(share.expires_at),
            withdrawn_at: share.withdrawn_at.map(rfc3339),
            redeemed_at: share.redeemed_at.map(rfc3339),
            redeemed_by: share.redeemed_by,
        }
    }
}

/// Make a share code for chosen credentials of the guardian's pupil. Guardians.
#[utoipa::path(
    post,
    path = "/api/v1/shares",
    tag = "sharing",
    request_body(content = ShareRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The share and its code, shown once", body = ShareCreated),
        (status = 403, description = "Not a guardian", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "A credential that is not this pupil's", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "A rule broken (revoked credential, purpose, expiry, recipient)", body = super::ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_share(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> Result<Response, ApiError> {
    let (school, pupil_id) = caller.guardian_of()?;
    let request: ShareRequest = parse_json(&body)?;
    let created = state
        .issuer()
        .create_share(school, pupil_id, caller.user_id(), request, state.now())
        .await?;
    let body = ShareCreated {
        id: created.share.id,
        code: created.code.expose(),
        expires_at: rfc3339(created.share.expires_at),
        credentials: created.share.credential_ids,
        purpose: created.share.purpose,
        recipient: created.share.recipient,
    };
    Ok(no_store((StatusCode::CREATED, Json(body)).into_response()))
}

/// The guardian's pupil's shares, newest first, without their codes. Guardians.
#[utoipa::path(
    get,
    path = "/api/v1/shares",
    tag = "sharing",
    responses(
        (status = 200, description = "The shares", body = [ShareView]),
        (status = 403, description = "Not a guardian", body = super::ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_shares(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ShareView>>, ApiError> {
    let (school, pupil_id) = caller.guardian_of()?;
    let now = state.now();
    let shares = state.store().pupil_shares(&school.id, pupil_id).await?;
    Ok(Json(
        shares.into_iter().map(|s| ShareView::of(s, now)).collect(),
    ))
}

/// Withdraw a share before it is redeemed (withdrawing twice is harmless). Guardians.
#[utoipa::path(
    delete,
    path = "/api/v1/shares/{id}",
    tag = "sharing",
    params(("id" = String, Path, description = "The share's id (not its code)")),
    responses(
        (status = 200, description = "Withdrawn", body = ShareView),
        (status = 403, description = "Not a guardian", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such share of this pupil", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Already redeemed", body = super::ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn withdraw_share(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ShareView>, ApiError> {
    let (school, pupil_id) = caller.guardian_of()?;
    let now = state.now();
    let share = state
        .store()
        .withdraw_share(&school.id, pupil_id, &id, caller.user_id(), now)
        .await?;
    Ok(Json(ShareView::of(share, now)))
}
