//! The web app: the family's pages: the child's records as PDFs, share codes and every use of them.

use axum::Router;

use crate::api::AppState;

/// This area's routes.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
}
