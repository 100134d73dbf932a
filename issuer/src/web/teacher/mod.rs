//! The web app: the homeroom teacher's pages: my classes, upload, the report as the spreadsheet, corrections, validating a class, sending it to the principal.

use axum::Router;

use crate::api::AppState;

/// This area's routes.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
}
