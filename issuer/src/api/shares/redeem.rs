//! `POST /api/v1/shares/redeem`: a portal redeems a share code once, within the abuse limits
//! described in `shares.rs`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use utoipa::ToSchema;

use super::super::auth::{Caller, ClientAddr, too_many_attempts};
use super::super::error::{ApiError, FieldError, ProblemDetails, parse_json};
use super::super::{AppState, Body};
use super::{no_store, rfc3339};
use crate::app::share_codes::Redeemed;
use crate::store::{Role, ShareRefusal};

/// A share code to redeem.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedeemRequest {
    /// The code as the family gave it (case, spaces and hyphens do not matter).
    pub code: String,
}

/// The pupil named by a redeemed share.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SharedPupil {
    /// Full name as the school stores it.
    pub full_name: String,
}

/// The school that issued the shared credentials.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SharedSchool {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
}

/// One shared credential.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SharedCredential {
    /// The credential id.
    pub id: String,
    /// SHA-256 of the signed JSON (hex): of the bytes embedded in `credential`.
    pub sha256: String,
    /// Whether it was revoked (after the share was made); verify it to see the status.
    pub revoked: bool,
    /// When it was revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
    /// The signed credential, embedded byte for byte as signed.
    #[schema(value_type = Object)]
    pub credential: Box<RawValue>,
}

/// What a portal gets for a code.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RedeemResponse {
    /// The share's id (for the portal's records; the code is used up).
    pub share_id: String,
    /// What the family consented to.
    pub purpose: String,
    /// The pupil.
    pub pupil: SharedPupil,
    /// The issuing school.
    pub school: SharedSchool,
    /// When the family made the share.
    pub shared_at: String,
    /// When the code would have expired.
    pub expires_at: String,
    /// When this redemption happened.
    pub redeemed_at: String,
    /// The credentials in the order the family chose.
    pub credentials: Vec<SharedCredential>,
}

/// A refused code as problem details naming `/code` and the rule (the code is not echoed).
fn code_problem(status: StatusCode, rule: &str, title: &str, en: &str, vi: &str) -> Response {
    let body = ProblemDetails {
        kind: format!("/problems/{}", rule.replace('_', "-")),
        title: title.to_owned(),
        status: status.as_u16(),
        detail: en.to_owned(),
        errors: vec![FieldError::error("/code", rule, Value::Null, vi, en)],
    };
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

fn unknown_code() -> Response {
    code_problem(
        StatusCode::NOT_FOUND,
        "share_code_unknown",
        "Unknown share code",
        "No share has this code for you; check it with the family",
        "Không có mã chia sẻ này cho đơn vị của bạn; hãy kiểm tra lại với gia đình",
    )
}

/// Redeem a share code, once: the signed credentials, the purpose and the pupil's name.
/// Portals.
#[utoipa::path(
    post,
    path = "/api/v1/shares/redeem",
    tag = "sharing",
    request_body(content = RedeemRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The shared credentials", body = RedeemResponse),
        (status = 403, description = "Not a portal", body = super::super::ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "share_code_unknown: garbled, unknown, or for another portal", body = super::super::ProblemDetails, content_type = "application/problem+json"),
        (status = 410, description = "share_code_used, share_code_expired or share_code_withdrawn", body = super::super::ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts from this client or for this code; see Retry-After", body = super::super::ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn redeem_share(
    State(state): State<AppState>,
    client: ClientAddr,
    caller: Caller,
    Body(body): Body,
) -> Result<Response, ApiError> {
    caller.require(&[Role::Portal], "portal")?;
    let request: RedeemRequest = parse_json(&body)?;
    let now = state.now();
    let outcome = state
        .issuer()
        .redeem_share(caller.user_id(), &client.0, &request.code, now)
        .await?;
    let (share, credentials, pupil_name, school) = match outcome {
        Redeemed::Locked(refused) => return Ok(too_many_attempts(&refused, now)),
        Redeemed::Unknown => return Ok(unknown_code()),
        Redeemed::Refused(why) => {
            let (rule, title, en, vi) = match why {
                ShareRefusal::Used => (
                    "share_code_used",
                    "Share code already used",
                    "This share code was redeemed already; each code works once",
                    "Mã chia sẻ này đã được sử dụng; mỗi mã chỉ dùng được một lần",
                ),
                ShareRefusal::Expired => (
                    "share_code_expired",
                    "Share code expired",
                    "This share code has expired; ask the family for a new one",
                    "Mã chia sẻ này đã hết hạn; hãy đề nghị gia đình tạo mã mới",
                ),
                ShareRefusal::Withdrawn | ShareRefusal::Foreign => (
                    "share_code_withdrawn",
                    "Share code withdrawn",
                    "The family withdrew this share code",
                    "Gia đình đã thu hồi mã chia sẻ này",
                ),
            };
            return Ok(code_problem(StatusCode::GONE, rule, title, en, vi));
        }
        Redeemed::Done {
            share,
            credentials,
            pupil_name,
            school,
        } => (*share, credentials, pupil_name, school),
    };
    let credentials = credentials
        .into_iter()
        .map(|c| {
            Ok(SharedCredential {
                credential: RawValue::from_string(c.credential_json).map_err(|e| {
                    ApiError::Internal(format!("stored credential {} is not JSON: {e}", c.id))
                })?,
                id: c.id,
                sha256: c.sha256,
                revoked: c.revoked_at.is_some(),
                revoked_at: c.revoked_at.map(rfc3339),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let body = RedeemResponse {
        share_id: share.id,
        purpose: share.purpose,
        pupil: SharedPupil {
            full_name: pupil_name,
        },
        school: SharedSchool {
            code: school.code,
            name: school.name,
        },
        shared_at: rfc3339(share.created_at),
        expires_at: rfc3339(share.expires_at),
        redeemed_at: share
            .redeemed_at
            .map(rfc3339)
            .unwrap_or_else(|| rfc3339(now)),
        credentials,
    };
    Ok(no_store(Json(body).into_response()))
}
