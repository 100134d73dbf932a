//! The W3C VC-API issuer endpoints on `hocba-issuer serve`: `POST /credentials/issue` and
//! `POST /credentials/status`, for software that speaks VC-API rather than the school API.
//!
//! Both take the bearer token of a **principal** (signing and revoking are the principal's, as
//! on every other path) and call the application layer: [`Issuer::issue_vc`] (import,
//! validate, sign, store with a status entry) and [`Issuer::revoke`]. Errors are RFC 9457
//! problems like the rest of the API.
//!
//! Where the principals' keys are on tokens (`serve --principal-token`), issuing needs the
//! principal's PIN as every signing does: `options.principalPin` (an extension of the VC-API
//! options, as `principalPin` of `POST /api/v1/batches`). It is never logged, never part of
//! the batch's stored request hash (the idempotency check), and a missing, wrong or locked PIN
//! is a 422 naming `/options/principalPin`, nothing signed.
//!
//! `POST /credentials/status` revokes only: revocation in học bạ cannot be undone (a corrected
//! record is issued anew), so a status other than `revoked` is refused, and the published
//! reason the product requires travels in `reason` (an extension of the VC-API body).
//!
//! [`Issuer::issue_vc`]: crate::app::Issuer::issue_vc
//! [`Issuer::revoke`]: crate::app::Issuer::revoke

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::auth::Caller;
use super::credentials::CredentialSummary;
use super::error::{ApiError, FieldError, parse_json};
use super::{AppState, Body};
use crate::error::IssuerError;
use crate::store::Scope;
use crate::token::principal::PrincipalPin;

/// `POST /credentials/issue`: the credential to issue and the options.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IssueRequest {
    /// An unsigned VC 2.0 credential whose `credentialSubject` is a year record of the
    /// caller's school (the record format of `POST /api/v1/records`). `issuer`, `@context` and
    /// `type` may be given and must then be the school's; `id` and `validFrom` are set by
    /// the issuer; `proof` and `credentialStatus` must not be given.
    #[schema(value_type = Object)]
    pub credential: Value,
    /// Issuing options.
    #[serde(default)]
    pub options: IssueOptions,
}

/// Options of `POST /credentials/issue`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IssueOptions {
    /// Sign even though the rules warn (a person read the warnings), as `acceptWarnings` on
    /// validation.
    #[serde(default)]
    pub accept_warnings: bool,
    /// The principal's PIN, where the principal's key is on a token: it unlocks the key for
    /// this one credential (its PDF is signed by the principal, then the seal, and stored).
    /// Never logged or stored; refused where the keys are not on tokens.
    #[serde(default)]
    #[schema(value_type = Option<String>, write_only)]
    pub principal_pin: Option<PrincipalPin>,
}

/// The issued credential.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IssueResponse {
    /// The signed credential, as stored and served by `GET /api/v1/credentials/{id}`.
    #[schema(value_type = Object)]
    pub verifiable_credential: Value,
}

/// `POST /credentials/status`: which credential, and the new status.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusRequest {
    /// The credential's `id` (`urn:uuid:…`).
    pub credential_id: String,
    /// The status to set: one item with `status` `revoked` (and, if given, `type`
    /// `BitstringStatusListEntry`, `statusPurpose` `revocation`).
    pub credential_status: Vec<StatusUpdate>,
    /// Why it is revoked: published in the school's signed status list, so at most 200
    /// characters on one line, without personal data.
    pub reason: String,
}

/// One status change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusUpdate {
    /// `BitstringStatusListEntry`, when given.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// `revocation`, when given.
    #[serde(default)]
    pub status_purpose: Option<String>,
    /// `revoked`.
    pub status: String,
}

/// Issue a credential (W3C VC-API): its record is imported, validated, signed with the
/// school's key and stored with its status entry. Principals of the school.
#[utoipa::path(
    post,
    path = "/credentials/issue",
    tag = "credentials",
    request_body(content = IssueRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "Issued", body = IssueResponse),
        (status = 400, description = "Malformed JSON", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer token", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not a principal of a school", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The school has no key usable now", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "The credential or its record breaks a rule (another school's record, a proof given, a rule of the record), or the principal's PIN (options.principalPin) is missing, wrong or locked where the principal's key is on a token", body = super::ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn issue(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> Result<(StatusCode, Json<IssueResponse>), ApiError> {
    caller.require_principal()?;
    let school = caller.own_school()?.clone();
    let request: IssueRequest = parse_json(&body)?;
    let issued = state
        .issuer()
        .issue_vc(
            &school,
            Some(caller.user_id()),
            &request.credential,
            request.options.accept_warnings,
            request.options.principal_pin.as_ref(),
            state.now(),
        )
        .await
        .map_err(|e| match e {
            IssuerError::RecordRefused { report, refusals } => {
                let mut errors = FieldError::all(&report);
                errors.extend(refusals.iter().map(FieldError::from));
                for error in &mut errors {
                    error.pointer = format!("/credential/credentialSubject{}", error.pointer);
                }
                ApiError::Unprocessable {
                    title: "The credential's record is refused".to_owned(),
                    errors,
                }
            }
            IssuerError::PrincipalPin {
                code,
                message_vi,
                message_en,
            } => ApiError::Unprocessable {
                title: "The principal's PIN (options.principalPin) was not accepted; nothing \
                        was signed"
                    .to_owned(),
                // The value is never the PIN.
                errors: vec![FieldError::error(
                    "/options/principalPin",
                    code,
                    Value::Null,
                    &message_vi,
                    &message_en,
                )],
            },
            other => other.into(),
        })?;
    let verifiable_credential = serde_json::from_str(&issued.credential_json)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok((
        StatusCode::CREATED,
        Json(IssueResponse {
            verifiable_credential,
        }),
    ))
}

/// Revoke a credential of the caller's school (W3C VC-API status update). Principals.
#[utoipa::path(
    post,
    path = "/credentials/status",
    tag = "credentials",
    request_body(content = StatusRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Revoked", body = CredentialSummary),
        (status = 400, description = "Malformed JSON", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not a principal", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such credential for this caller", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Already revoked", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "A status other than revoked, or a reason that breaks the rule", body = super::ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn update_status(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> Result<Json<CredentialSummary>, ApiError> {
    caller.require_principal()?;
    let school = caller.own_school()?.clone();
    let request: StatusRequest = parse_json(&body)?;
    check_update(&request.credential_status)?;
    let revoked = state
        .issuer()
        .revoke(
            &Scope::School(school.id.clone()),
            &request.credential_id,
            &request.reason,
            Some(caller.user_id()),
            "vc-api",
            state.now(),
        )
        .await?;
    Ok(Json(CredentialSummary::from(&revoked)))
}

/// Exactly one update, to `revoked`.
fn check_update(updates: &[StatusUpdate]) -> Result<(), ApiError> {
    let refuse = |pointer: &str, value: Value, vi: &str, en: &str| ApiError::Unprocessable {
        title: "Only revocation is supported".to_owned(),
        errors: vec![FieldError::error(pointer, "status-update", value, vi, en)],
    };
    let [update] = updates else {
        return Err(refuse(
            "/credentialStatus",
            Value::from(updates.len()),
            "Gửi đúng một thay đổi trạng thái: {\"status\": \"revoked\"}.",
            "Send exactly one status change: {\"status\": \"revoked\"}.",
        ));
    };
    let bad_kind = update
        .kind
        .as_deref()
        .is_some_and(|k| k != "BitstringStatusListEntry");
    let bad_purpose = update
        .status_purpose
        .as_deref()
        .is_some_and(|p| p != "revocation");
    if update.status != "revoked" || bad_kind || bad_purpose {
        return Err(refuse(
            "/credentialStatus/0/status",
            Value::from(update.status.as_str()),
            "Chỉ hỗ trợ thu hồi (status \"revoked\", statusPurpose \"revocation\"): học bạ đã thu hồi không thể khôi phục; hãy cấp lại hồ sơ đã sửa.",
            "Only revocation is supported (status \"revoked\", statusPurpose \"revocation\"): a revoked record cannot be restored; issue the corrected record instead.",
        ));
    }
    Ok(())
}
