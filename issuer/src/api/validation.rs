//! `POST /api/v1/records/validate`: every draft of a class (or a school year) validated in
//! one call — the application layer's [`crate::app::validate`] — with the records that did
//! not pass listed by pupil, each problem named. Principals.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::Caller;
use super::error::{ApiError, FieldError, parse_json};
use super::{AppState, Body};

/// Which records to validate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClassValidateRequest {
    /// School year, e.g. `2025-2026`.
    pub school_year: String,
    /// Only this class, e.g. `5A` (the whole year when absent).
    #[serde(default)]
    pub class_name: Option<String>,
    /// Validate records although the rules reported warnings (a person looked at them).
    #[serde(default)]
    pub accept_warnings: bool,
}

/// A record now validated.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ValidatedItem {
    /// The record.
    pub record_id: String,
    /// Its new version.
    pub version: i64,
    /// The pupil's full name.
    pub pupil_name: String,
    /// The class.
    pub class_name: String,
    /// Warnings accepted for it.
    pub accepted_warnings: usize,
}

/// A draft left as it was, and why.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RefusedItem {
    /// The record.
    pub record_id: String,
    /// The pupil's full name.
    pub pupil_name: String,
    /// The class.
    pub class_name: String,
    /// Its errors, or the warnings not accepted.
    pub problems: Vec<FieldError>,
}

/// What the validation did.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClassValidateResponse {
    /// Drafts now validated.
    pub validated: Vec<ValidatedItem>,
    /// Drafts that did not pass, by pupil.
    pub refused: Vec<RefusedItem>,
    /// Records of the scope already validated or signed.
    pub already: usize,
}

/// Validate every draft of a class or school year at once. Principals.
#[utoipa::path(
    post,
    path = "/api/v1/records/validate",
    tag = "records",
    request_body(content = ClassValidateRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "What was validated, and each draft that was not, with its problems", body = ClassValidateResponse),
        (status = 400, description = "Malformed JSON", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not a teacher or principal of a school", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "The request has the wrong shape", body = super::ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn validate_class(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> Result<Json<ClassValidateResponse>, ApiError> {
    caller.require_editor()?;
    let school = caller.own_school()?.clone();
    let request: ClassValidateRequest = parse_json(&body)?;
    let done = state
        .issuer()
        .validate_class(
            &school,
            Some(caller.user_id()),
            &request.school_year,
            request.class_name.as_deref(),
            request.accept_warnings,
            state.now(),
        )
        .await?;
    Ok(Json(ClassValidateResponse {
        validated: done
            .validated
            .into_iter()
            .map(|(record, pupil, warnings)| ValidatedItem {
                record_id: record.id,
                version: record.version,
                pupil_name: pupil.pupil_name,
                class_name: pupil.class_name,
                accepted_warnings: warnings,
            })
            .collect(),
        refused: done
            .refused
            .into_iter()
            .map(|n| {
                let mut problems = n.report.as_ref().map(FieldError::all).unwrap_or_default();
                if let Some(reason) = n.reason {
                    problems.push(FieldError::error(
                        "",
                        "not-saved",
                        serde_json::Value::Null,
                        &format!("Không duyệt được: {reason}"),
                        &format!("Not validated: {reason}"),
                    ));
                }
                RefusedItem {
                    record_id: n.record.id,
                    pupil_name: n.pupil.pupil_name,
                    class_name: n.pupil.class_name,
                    problems,
                }
            })
            .collect(),
        already: done.already,
    }))
}
