//! **I/O layer:** the HTTP verifier (`hocba-verify serve`).
//!
//! * `GET /V/{digits}`, `GET /v/{digits}` — the landing page a printed record's QR code opens
//!   (Vietnamese; `?lang=en` for English); `GET /`, `GET /upload` — the upload form;
//!   `POST /upload` — a PDF, a credential JSON, a QR photo or the QR text → the result page.
//! * `POST /api/v1/verify` — bulk verification for admissions: JSON
//!   `{"items":[{"credential":{…}}|{"qr":"…"}]}` or `multipart/form-data` files (and `qr`
//!   text fields); each item answered with its verdict, reasons, school, dates and the
//!   normalised record ([`crate::normalise`]).
//! * `POST /credentials/verify` — the W3C VC-API verification endpoint.
//! * `GET /api/v1/openapi.json` (OpenAPI 3.1), `GET /api/v1/docs` (Swagger UI, vendored into the
//!   binary: works offline), `GET /health`.
//!
//! Errors are RFC 9457 problem details ([`problem::Problem`]). Limits ([`Limits`]): body size
//! (413), items per request (413), header read time and whole-request time (slow clients get
//! 408 or a closed connection), concurrent heavy requests (the rest wait, then 503), concurrent
//! connections. Verification itself runs on the blocking pool, a batch spread over every core.
//!
//! Trust material comes from an offline bundle or [`crate::online`]; the time of checking from
//! the [`Clock`] the owner passes in (the service never reads the clock itself).

mod api;
mod openapi;
pub mod pages;
pub mod problem;
pub mod verify;
mod web;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::VerifyError;
use crate::VerifyOptions;
pub use crate::online::Clock;
use crate::online::{Material, OnlineTrust};
use problem::Problem;

/// The service's limits; [`Limits::default`] is what `hocba-verify serve` uses.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body (100 MiB): larger gives 413 before it is read in full.
    pub max_body_bytes: usize,
    /// Most items in one `POST /api/v1/verify` (1,000): more gives 413.
    pub max_items: usize,
    /// Time to receive a request's headers (10 s); a slower client is disconnected.
    pub header_timeout: StdDuration,
    /// Time for a whole request, body included (60 s); then 408.
    pub request_timeout: StdDuration,
    /// Heavy requests (bulk, uploads) verified at the same time (4); others wait up to
    /// [`Limits::queue_timeout`], then 503 with `Retry-After`.
    pub max_heavy: usize,
    /// How long a heavy request waits for its turn (20 s).
    pub queue_timeout: StdDuration,
    /// Open connections at the same time (1,024); further ones wait to be accepted.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 100 << 20,
            max_items: 1_000,
            header_timeout: StdDuration::from_secs(10),
            request_timeout: StdDuration::from_secs(60),
            max_heavy: 4,
            queue_timeout: StdDuration::from_secs(20),
            max_connections: 1_024,
        }
    }
}

/// Where the trust material comes from.
#[derive(Debug, Clone)]
pub enum TrustSource {
    /// An offline trust bundle, opened once.
    Offline(Arc<Material>),
    /// Fetched from an issuer and cached.
    Online(Arc<OnlineTrust>),
}

impl TrustSource {
    /// The material, fetching the status lists named in `urls` first when online.
    pub async fn material_for(&self, urls: &[String]) -> Result<Arc<Material>, VerifyError> {
        match self {
            TrustSource::Offline(m) => Ok(Arc::clone(m)),
            TrustSource::Online(o) => o.material_for(urls.iter().map(String::as_str)).await,
        }
    }

    /// Whether online (status-list URLs have to be gathered before verifying).
    pub fn is_online(&self) -> bool {
        matches!(self, TrustSource::Online(_))
    }
}

/// How to judge: the core's options (maximum ages) without status lists (the material
/// brings them).
#[derive(Debug, Clone, Default)]
pub struct Judging {
    /// With `--max-age`: status lists (and a bundle) older than this give `status_unknown`.
    pub max_status_list_age: Option<Duration>,
    /// Fail on a trust list older than this.
    pub max_trust_list_age: Option<Duration>,
    /// Warn instead of "could not check" on a trust list past its next update
    /// (`--accept-stale-trust-list`).
    pub accept_stale_trust_list: bool,
}

impl Judging {
    fn options(&self) -> VerifyOptions {
        let mut o = VerifyOptions::default();
        if let Some(a) = self.max_status_list_age {
            o = o.with_max_status_list_age(a);
        }
        if let Some(a) = self.max_trust_list_age {
            o = o.with_max_trust_list_age(a);
        }
        if self.accept_stale_trust_list {
            o = o.accepting_stale_trust_list();
        }
        o
    }
}

/// Shared state of the handlers.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    source: TrustSource,
    clock: Clock,
    limits: Limits,
    options: VerifyOptions,
    heavy: Semaphore,
    threads: usize,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("source", &self.inner.source)
            .field("limits", &self.inner.limits)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// State for `source`, judging at `clock()` with `judging`, under `limits`.
    pub fn new(source: TrustSource, clock: Clock, judging: &Judging, limits: Limits) -> Self {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            inner: Arc::new(Inner {
                source,
                clock,
                options: judging.options(),
                heavy: Semaphore::new(limits.max_heavy.max(1)),
                limits,
                threads,
            }),
        }
    }

    fn now(&self) -> time::OffsetDateTime {
        (self.inner.clock)()
    }

    /// Wait for a heavy-request slot (bounded wait).
    async fn heavy_permit(&self) -> Result<tokio::sync::SemaphorePermit<'_>, Problem> {
        match tokio::time::timeout(self.inner.limits.queue_timeout, self.inner.heavy.acquire()).await
        {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "Too many verifications at once",
                format!(
                    "at most {} bulk or upload requests are verified at the same time; try again shortly",
                    self.inner.limits.max_heavy
                ),
            )
            .limit(self.inner.limits.max_heavy as u64)),
        }
    }

    /// The material for items naming `urls`, or 503 when no trust list is available.
    async fn material(&self, urls: &[String]) -> Result<Arc<Material>, Problem> {
        self.inner.source.material_for(urls).await.map_err(|e| {
            Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "trust-material-unavailable",
                "Trust material unavailable",
                e.to_string(),
            )
        })
    }
}

/// The whole application: every route, the limits and the security headers.
pub fn router(state: AppState) -> Router {
    let limits = state.inner.limits.clone();
    Router::new()
        .merge(api::router())
        .merge(web::router())
        .with_state(state.clone())
        .merge(openapi::router())
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state, guard))
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
}

async fn not_found(request: Request) -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "not-found",
        "Not found",
        format!("no route for {} {}", request.method(), request.uri().path()),
    )
    .field("path")
    .value(problem::short(request.uri().path()))
}

/// Every request: 413 for a declared body over the limit, 408 past the request timeout, and
/// `X-Content-Type-Options` / `Referrer-Policy` on every answer.
async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limits = &state.inner.limits;
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limits.max_body_bytes as u64) {
        return Problem::body_too_large(limits.max_body_bytes).into_response();
    }
    let mut response = match tokio::time::timeout(limits.request_timeout, next.run(request)).await {
        Ok(r) => r,
        Err(_) => Problem::new(
            StatusCode::REQUEST_TIMEOUT,
            "request-timeout",
            "Request took too long",
            format!(
                "the request was not received and answered within {} s",
                limits.request_timeout.as_secs()
            ),
        )
        .limit(limits.request_timeout.as_secs())
        .into_response(),
    };
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// Serve `app` on `listener` until the task is dropped: HTTP/1.1 with keep-alive, a header
/// read timeout ([`Limits::header_timeout`]) and at most [`Limits::max_connections`]
/// connections at once.
pub async fn serve(listener: TcpListener, app: Router, limits: &Limits) -> std::io::Result<()> {
    let connections = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let header_timeout = limits.header_timeout;
    loop {
        let Ok(permit) = Arc::clone(&connections).acquire_owned().await else {
            return Ok(());
        };
        let (stream, _peer): (_, SocketAddr) = match listener.accept().await {
            Ok(s) => s,
            Err(e) => {
                // Out of file descriptors and the like: wait a little and go on.
                eprintln!("hocba-verify: accept: {e}");
                tokio::time::sleep(StdDuration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let _permit = permit;
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .keep_alive(true);
            let _ = builder
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
