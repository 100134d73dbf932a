//! The web app: the Department's pages: the province at a glance, coverage and blocked records, schools and keys, trust-list versions, the audit log, coverage as CSV and XLSX.

use axum::Router;

use crate::api::AppState;

/// This area's routes.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
}
