//! `GET /api/v1/health`: the service is up and its database answers. No authentication.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::error::ApiError;

/// The health answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    pub database: &'static str,
    /// The service's version.
    pub version: &'static str,
}

/// Whether the service and its database are up.
#[utoipa::path(
    get,
    path = "/api/v1/health",
    tag = "health",
    responses(
        (status = 200, description = "Up", body = Health),
        (status = 503, description = "The database does not answer", body = super::ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.store().list_schools().await?;
    Ok(Json(Health {
        status: "ok",
        database: match state.store().backend() {
            crate::store::Backend::Sqlite => "sqlite",
            _ => "postgres",
        },
        version: env!("CARGO_PKG_VERSION"),
    }))
}
