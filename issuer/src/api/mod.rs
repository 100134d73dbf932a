//! The school API under `/api/v1`: import and edit drafts, validate, sign a class in one
//! request, read credentials; described by OpenAPI 3.1 at `/api/v1/openapi.json` with an
//! offline docs page at `/api/v1/docs`.
//!
//! [`app`] builds the whole router from an [`AppState`], so tests drive it with
//! `tower::ServiceExt::oneshot` and the `serve` command runs it on a listener.
//!
//! Where things are: `auth.rs` (bearer tokens, roles, tenancy), `error.rs` (RFC 9457
//! problems), `records.rs` (JSON import, list, read, edit, validate), `imports.rs` (CSV, XLSX
//! and JSON files through the import engine, templates), `batches.rs` (signing
//! requests and their status, over the `batch` signing engine), `credentials.rs`, `pdfs.rs` (a credential's PDF, a class's ZIP of PDFs), `health.rs`, `openapi.rs`,
//! `status.rs` (public status lists, trust list and offline bundle, outside the OpenAPI document),
//! `authority.rs` (the authority's trust-list life cycle and a school's re-issue list).
//!
//! `metrics.rs` (`GET /metrics` for the operations centre, who may read it, and the
//! middleware counting requests by route template).
//!
//! `vc_api.rs` (W3C VC-API `POST /credentials/issue` and `/credentials/status`).
//!
//! `shares.rs` (guardian tokens, share codes and their redemption by admissions portals).
//!
//! Nothing here logs a token, a share code, a key or record content.

mod app_error;
pub mod auth;
pub mod authority;
pub mod batches;
pub mod credentials;
pub mod error;
pub mod health;
pub mod imports;
pub mod metrics;
pub mod openapi;
pub mod pdfs;
pub mod records;
pub mod shares;
pub mod status;
pub mod validation;
pub mod vc_api;

use std::fmt;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request};
use time::OffsetDateTime;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

pub use crate::app::school_keys::SchoolKeys;
use crate::app::{Issuer, Settings};
use crate::signing::Signer;
use crate::store::Store;
pub use error::{ApiError, FieldError, ProblemDetails};

/// Request bodies larger than this get 413 (10 MiB: a class of 45 full records is ~200 KiB).
pub const DEFAULT_BODY_LIMIT: usize = 10 << 20;

/// Batches with more records than this run as a background job (202 + status endpoint).
pub const DEFAULT_BACKGROUND_THRESHOLD: usize = 200;

/// Settings of the API.
#[derive(Clone, Debug)]
pub struct ApiConfig {
    /// Public base URL of this service, e.g. `https://hocba.example`; status list URLs in
    /// credentials are `{public_base}/status/{school code}/{list id}`.
    pub public_base: String,
    /// Largest accepted request body in bytes.
    pub body_limit: usize,
    /// Batches above this many records run in the background.
    pub background_threshold: usize,
    /// Base URL of the verifier page the QR codes of served PDFs open.
    pub verifier_url: String,
    /// The bearer token `GET /metrics` asks for; without one only loopback clients are
    /// answered (see `metrics.rs`).
    pub metrics_token: Option<metrics::MetricsToken>,
    /// The root-signed national trust list this service publishes at
    /// `/.well-known/hocba/national-trust-list.json` (the key directory's
    /// `national-trust-list.json`, when there is one).
    pub national_trust_list: Option<Arc<Vec<u8>>>,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            public_base: "http://127.0.0.1:8080".to_owned(),
            body_limit: DEFAULT_BODY_LIMIT,
            background_threshold: DEFAULT_BACKGROUND_THRESHOLD,
            verifier_url: crate::pdf::DEFAULT_VERIFIER_URL.to_owned(),
            metrics_token: None,
            national_trust_list: None,
        }
    }
}

/// Where the API gets the time from (tests pin it).
pub use crate::app::Clock;

/// What every handler shares: the application layer and the HTTP settings. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    issuer: Issuer,
    config: Arc<ApiConfig>,
}

impl fmt::Debug for AppState {
    /// Keys and the store's URL are not shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppState")
            .field("issuer", &self.issuer)
            .field("config", &self.config)
            .finish()
    }
}

impl AppState {
    /// State over `store`, signing with `keys`, reading the system clock.
    pub fn new(store: Store, keys: SchoolKeys, config: ApiConfig) -> Self {
        #[allow(clippy::disallowed_methods)]
        let clock: Clock = Arc::new(OffsetDateTime::now_utc);
        Self::with_clock(store, keys, config, clock)
    }

    /// State with a given clock.
    pub fn with_clock(store: Store, keys: SchoolKeys, config: ApiConfig, clock: Clock) -> Self {
        let settings = Settings {
            public_base: config.public_base.clone(),
            verifier_url: config.verifier_url.clone(),
            background_threshold: config.background_threshold,
        };
        AppState {
            issuer: Issuer::new(store, keys, settings, clock),
            config: Arc::new(config),
        }
    }

    /// The application layer every handler calls.
    pub fn issuer(&self) -> &Issuer {
        &self.issuer
    }

    /// The store.
    pub fn store(&self) -> &Store {
        self.issuer.store()
    }

    /// The settings.
    pub fn config(&self) -> &ApiConfig {
        &self.config
    }

    /// The current time.
    pub fn now(&self) -> OffsetDateTime {
        self.issuer.now()
    }

    /// The published trust list and the cache of signed status lists.
    pub fn publication(&self) -> &crate::status_lists::Publication {
        self.issuer.publication()
    }

    /// The signer of the school with this code now (the key ring's rule), if it has one.
    pub fn signer(&self, school_code: &str) -> Option<Arc<Signer>> {
        self.issuer.signer(school_code, self.now()).ok()
    }

    /// The school keys, to switch signers after a new trust list version.
    pub fn school_keys(&self) -> &SchoolKeys {
        self.issuer.keys()
    }
}

/// The router and the OpenAPI document, before state.
fn api_router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(openapi::base())
        .routes(routes!(health::health))
        .routes(routes!(records::import_records, records::list_records))
        .routes(routes!(records::get_record, records::update_record))
        .routes(routes!(records::validate_record))
        .routes(routes!(validation::validate_class))
        .routes(routes!(imports::import_file))
        .routes(routes!(imports::template))
        .routes(routes!(batches::create_batch))
        .routes(routes!(batches::get_batch))
        .routes(routes!(credentials::get_credential))
        .routes(routes!(credentials::revoke_credential))
        .routes(routes!(credentials::class_credentials))
        .routes(routes!(pdfs::credential_pdf))
        .routes(routes!(pdfs::class_pdfs))
        .routes(routes!(shares::create_guardian_token))
        .routes(routes!(shares::my_credentials))
        .routes(routes!(shares::create_share, shares::list_shares))
        .routes(routes!(shares::withdraw_share))
        .routes(routes!(shares::redeem_share))
        .routes(routes!(authority::register_school, authority::list_schools))
        .routes(routes!(authority::add_key))
        .routes(routes!(authority::retire_key))
        .routes(routes!(authority::compromise_key))
        .routes(routes!(authority::publish, authority::list_versions))
        .routes(routes!(authority::reissue))
        .routes(routes!(vc_api::issue))
        .routes(routes!(vc_api::update_status))
        .split_for_parts()
}

/// The OpenAPI 3.1 document of the API.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    api_router().1
}

/// The whole service: `/api/v1/…`, the OpenAPI document and the docs page, with tracing,
/// the body limit and JSON answers for unknown paths and methods.
pub fn app(state: AppState) -> Router {
    let (router, mut api) = api_router();
    openapi::complete(&mut api);
    let limit = state.config().body_limit;
    router
        .merge(status::router())
        .merge(authority::national::router())
        .merge(crate::web::router())
        .route("/metrics", axum::routing::get(metrics::scrape))
        .merge(SwaggerUi::new("/api/v1/docs").url("/api/v1/openapi.json", api))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(DefaultBodyLimit::max(limit))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// The log span of a request: method and the route's template (`/api/v1/records/{id}`,
/// `/setup/{secret}`), never the path itself: a path can carry a one-time password link, a
/// pupil's record id or a share code, and the query string personal data. Headers are never
/// logged. An unknown path is logged as `unmatched`.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("unmatched", axum::extract::MatchedPath::as_str);
    tracing::info_span!("request", method = %request.method(), path = %route)
}

/// An unknown path: a JSON problem for software, the web app's 404 page for a browser
/// (a request that accepts HTML outside `/api/`).
async fn not_found(request: Request) -> axum::response::Response {
    use axum::response::IntoResponse;
    let (parts, _) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let wants_html = parts
        .headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if wants_html && !path.starts_with("/api/") {
        let lang = crate::web::lang::Lang::of(&parts);
        return crate::web::error::page(&crate::web::error::WebError::NotFound, lang, &path, None);
    }
    ApiError::NotFound {
        what: "path",
        id: path,
    }
    .into_response()
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// The raw request body, at most [`ApiConfig::body_limit`] bytes (413 as a problem above).
#[derive(Debug)]
pub struct Body(pub Bytes);

impl FromRequest<AppState> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let limit = state.config().body_limit;
        match Bytes::from_request(req, state).await {
            Ok(bytes) => Ok(Body(bytes)),
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::PayloadTooLarge { limit })
            }
            Err(e) => Err(ApiError::BadRequest {
                detail: format!("could not read the request body: {e}"),
            }),
        }
    }
}
