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
//! * `POST /api/v1/admissions/score`, `GET|POST /admissions` — admission scores from verified
//!   grade 10–12 records ([`admissions`]).
//! * `GET /api/v1/openapi.json` (OpenAPI 3.1), `GET /api/v1/docs` (Swagger UI, vendored into the
//!   binary: works offline), `GET /health`.
//!
//! Errors are RFC 9457 problem details ([`problem::Problem`]). Limits ([`Limits`]): body size
//! (413; 100 MiB for uploads, 16 MiB for JSON), items per request (413), header read time and
//! whole-request time (slow clients get 408 or a closed connection), concurrent heavy requests
//! (the rest wait, then 503), concurrent connections, and a deadline on the verification work.
//!
//! **Order of a POST** (`/api/v1/verify`, `/credentials/verify`, `/upload`): first a heavy slot
//! ([`Limits::max_heavy`], waiting at most [`Limits::queue_timeout`]), *then* the body, read
//! through a length limit: a request waiting for its turn holds no more than its headers, so ten
//! 60 MB bodies sent at once never sit in memory together (at most `max_heavy` bodies do). The
//! price: a client that is slow to send its body keeps its slot while it sends, up to
//! [`Limits::request_timeout`].
//!
//! **Where the work runs.** Everything CPU-bound (taking a PDF apart, decoding a photo, parsing
//! and verifying) runs on the blocking pool, never on the threads that answer `/health`, under
//! [`Limits::work_timeout`]: past it the request gets 503 `verification-timeout` (an HTML page
//! for the upload form). A thread cannot be stopped from outside, so the abandoned work keeps
//! its heavy slot until it really ends, and it does end: every reader is bounded by its input
//! limits and budgets ([`crate::pdf`]: objects read, name-tree nodes), not by the clock.
//!
//! Trust material comes from an offline bundle or [`crate::online`] (one issuer, or the root of
//! the national federation: [`TrustSource`]); the time of checking from the [`Clock`] the owner
//! passes in (the service never reads the clock itself).

pub mod admissions;
pub mod answer;
mod api;
mod items_in;
mod openapi;
pub mod pages;
pub mod problem;
mod vc_api;
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
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::VerifyError;
use crate::VerifyOptions;
pub use crate::online::Clock;
use crate::online::federation::FederatedOnline;
use crate::online::{Material, OnlineTrust};
use crate::pipeline::Needs;
use problem::Problem;

/// The service's limits; [`Limits::default`] is what `hocba-verify serve` uses.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body (100 MiB: a thousand PDFs): larger gives 413 before it is read in
    /// full.
    pub max_body_bytes: usize,
    /// Largest JSON body of `POST /api/v1/verify` and `POST /credentials/verify` (16 MiB: a
    /// thousand year records of about 5 KB, with room to spare); larger gives 413.
    pub max_json_body_bytes: usize,
    /// Most items in one `POST /api/v1/verify` (1,000): more gives 413.
    pub max_items: usize,
    /// Time to receive a request's headers (10 s); a slower client is disconnected.
    pub header_timeout: StdDuration,
    /// Time for a whole request, body included (60 s); then 408.
    pub request_timeout: StdDuration,
    /// POST requests (bulk, VC-API, uploads) read and verified at the same time (4); others
    /// wait up to [`Limits::queue_timeout`], before their body is read, then 503 with
    /// `Retry-After`.
    pub max_heavy: usize,
    /// How long a heavy request waits for its turn (20 s).
    pub queue_timeout: StdDuration,
    /// Open connections at the same time (1,024); further ones wait to be accepted.
    pub max_connections: usize,
    /// Time for the verification work of one request once its turn came (30 s); then 503
    /// `verification-timeout`.
    pub work_timeout: StdDuration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 100 << 20,
            max_json_body_bytes: 16 << 20,
            max_items: 1_000,
            header_timeout: StdDuration::from_secs(10),
            request_timeout: StdDuration::from_secs(60),
            max_heavy: 4,
            queue_timeout: StdDuration::from_secs(20),
            max_connections: 1_024,
            work_timeout: StdDuration::from_secs(30),
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
    /// Fetched from the root of the national federation (`--authority` is the root key):
    /// per request only the provinces its records need, each fetched when first needed,
    /// cached and refreshed ([`FederatedOnline::material_for_all`]).
    Federated(Arc<FederatedOnline>),
}

impl TrustSource {
    /// The material, fetching the status lists named in `urls` first when online.
    pub async fn material_for(&self, urls: &[String]) -> Result<Arc<Material>, VerifyError> {
        match self {
            TrustSource::Offline(m) => Ok(Arc::clone(m)),
            TrustSource::Online(o) => o.material_for(urls.iter().map(String::as_str)).await,
            TrustSource::Federated(f) => {
                let needs = Needs {
                    status_list_urls: urls.to_vec(),
                    ..Needs::default()
                };
                f.material_for_all(&needs).await
            }
        }
    }

    /// The material inputs with `needs` call for ([`OnlineTrust::material_for_needs`] when
    /// online, [`FederatedOnline::material_for_all`] from a federation's root; the bundle's as
    /// it is offline).
    pub async fn material_for_needs(&self, needs: &Needs) -> Result<Arc<Material>, VerifyError> {
        match self {
            TrustSource::Offline(m) => Ok(Arc::clone(m)),
            TrustSource::Online(o) => o.material_for_needs(needs).await,
            TrustSource::Federated(f) => f.material_for_all(needs).await,
        }
    }

    /// Whether online (status-list URLs have to be gathered before verifying).
    pub fn is_online(&self) -> bool {
        !matches!(self, TrustSource::Offline(_))
    }

    /// The material held now, without fetching (`None` online before anything verified). From
    /// a federation: the national list alone (each province's is held apart).
    pub fn held(&self) -> Option<Arc<Material>> {
        match self {
            TrustSource::Offline(m) => Some(Arc::clone(m)),
            TrustSource::Online(o) => o.material(),
            TrustSource::Federated(f) => f.held_material(),
        }
    }

    /// What `/health` says about the source: `{"kind": "bundle" | "issuer" | "federation",
    /// …}`; from a federation also the root, the national list's version, its provinces and
    /// the ones fetched so far.
    pub async fn describe(&self) -> serde_json::Value {
        match self {
            TrustSource::Offline(_) => serde_json::json!({ "kind": "bundle" }),
            TrustSource::Online(o) => serde_json::json!({ "kind": "issuer", "url": o.base() }),
            TrustSource::Federated(f) => {
                let national = f.held();
                serde_json::json!({
                    "kind": "federation",
                    "url": f.base(),
                    "nationalVersion": national.as_ref().map(|n| n.version()),
                    "provinces": national
                        .as_ref()
                        .map(|n| n.list().credential_subject.provinces.len()),
                    "provincesFetched": f.provinces_fetched().await,
                })
            }
        }
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
    heavy: Arc<Semaphore>,
    threads: usize,
    admissions: std::sync::OnceLock<Arc<admissions::Config>>,
    /// The PKI root (DER) a PDF's own signatures must chain up to (`serve --pki-root`).
    pki_root: std::sync::OnceLock<Arc<Vec<u8>>>,
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
                heavy: Arc::new(Semaphore::new(limits.max_heavy.max(1))),
                limits,
                threads,
                admissions: std::sync::OnceLock::new(),
                pki_root: std::sync::OnceLock::new(),
            }),
        }
    }

    /// Admissions with `config` (schemes, share-code redeemer) instead of the built-in
    /// schemes alone; call before serving (once set, the configuration stays).
    pub fn with_admissions(self, config: admissions::Config) -> Self {
        let _ = self.inner.admissions.set(Arc::new(config));
        self
    }

    /// Check PDFs' own signatures (PAdES) up to the root certificate `der` (DER); call
    /// before serving (once set, the root stays). Without it the chains are reported not
    /// checked.
    pub fn with_pki_root(self, der: Vec<u8>) -> Self {
        let _ = self.inner.pki_root.set(Arc::new(der));
        self
    }

    fn pki_root(&self) -> Option<Arc<Vec<u8>>> {
        self.inner.pki_root.get().map(Arc::clone)
    }

    fn admissions(&self) -> Arc<admissions::Config> {
        Arc::clone(self.inner.admissions.get_or_init(Default::default))
    }

    fn now(&self) -> time::OffsetDateTime {
        (self.inner.clock)()
    }

    /// Wait for a heavy-request slot (bounded wait). Owned: work abandoned at its deadline
    /// keeps it until the work ends ([`AppState::run_blocking`]).
    async fn heavy_permit(&self) -> Result<OwnedSemaphorePermit, Problem> {
        let acquire = Arc::clone(&self.inner.heavy).acquire_owned();
        match tokio::time::timeout(self.inner.limits.queue_timeout, acquire).await {
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

    /// Run the CPU-bound `work` on the blocking pool, holding `permit` (if any) until it ends,
    /// and wait for it at most [`Limits::work_timeout`]: then 503 `verification-timeout` (the
    /// work goes on, bounded, and frees the slot when done).
    async fn run_blocking<T: Send + 'static>(
        &self,
        permit: Option<Arc<OwnedSemaphorePermit>>,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Problem> {
        let task = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        });
        let limit = self.inner.limits.work_timeout;
        match tokio::time::timeout(limit, task).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Verification failed",
                e.to_string(),
            )),
            Err(_) => Err(Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "verification-timeout",
                "Verification took too long",
                format!(
                    "the input was not checked within {} ms; a file built to be slow to read \
                     (a PDF whose structure loops) is refused this way",
                    limit.as_millis()
                ),
            )
            .limit(u64::try_from(limit.as_millis()).unwrap_or(u64::MAX))),
        }
    }

    /// The material for inputs with `needs`, or 503 when no trust list is available.
    async fn material(&self, needs: &Needs) -> Result<Arc<Material>, Problem> {
        self.inner
            .source
            .material_for_needs(needs)
            .await
            .map_err(|e| {
                Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "trust-material-unavailable",
                    "Trust material unavailable",
                    e.to_string(),
                )
            })
    }
}

/// The OpenAPI 3.1 document served at `GET /api/v1/openapi.json`.
pub fn openapi_document() -> serde_json::Value {
    openapi::document()
}

/// The whole application: every route, the limits and the security headers.
pub fn router(state: AppState) -> Router {
    let limits = state.inner.limits.clone();
    Router::new()
        .merge(api::router())
        .merge(web::router())
        .with_state(state.clone())
        .merge(openapi::router())
        .merge(admissions::router(state.clone()))
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
///
/// A failure to accept a connection (out of file descriptors and the like) does not stop the
/// loop and is not printed: [`serve_reporting`] hands each one to its owner.
pub async fn serve(listener: TcpListener, app: Router, limits: &Limits) -> std::io::Result<()> {
    serve_reporting(listener, app, limits, |_| {}).await
}

/// [`serve`], handing each failure to accept a connection to `report` (the binary prints it;
/// this library never prints).
pub async fn serve_reporting(
    listener: TcpListener,
    app: Router,
    limits: &Limits,
    report: impl Fn(std::io::Error),
) -> std::io::Result<()> {
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
                report(e);
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
