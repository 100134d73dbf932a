//! `hocba-issuer serve`: the school API on a TCP listener, until SIGTERM or Ctrl-C. On start it
//! imports the key directory's `trust-list.json` when the store holds no trust list version
//! yet, and signs with each school's key that is active in the latest version. It takes over
//! unfinished batches whose worker is gone (at once on start, then every few seconds: see
//! `api/batches/runner.rs`), and passes each connection's peer address to the handlers for
//! the per-client abuse limits. Its log is text or JSON lines (`--log-format`, `ops/logs.rs`);
//! `GET /metrics` is opened by `--metrics-token` or to loopback only (`api/metrics.rs`).

use std::io::IsTerminal;
use std::net::SocketAddr;

use anyhow::{Context, Result};
use hocba_issuer::api::metrics::MetricsToken;
use hocba_issuer::api::{self, ApiConfig, AppState, SchoolKeys};
use hocba_issuer::danger::DEV_KEY_WARNING;
use hocba_issuer::keys::source::KeySource;
use hocba_issuer::ops::logs::{self, LogFormat};
use hocba_issuer::store::Store;
use time::OffsetDateTime;

use crate::cli::{LogFormatArg, ServeCli};

/// Start the service.
pub(crate) fn run(args: ServeCli, now: OffsetDateTime) -> Result<()> {
    let format = match args.log_format {
        LogFormatArg::Text => LogFormat::Text,
        LogFormatArg::Json => LogFormat::Json,
    };
    // Colour codes only on a terminal: a log file or journal gets plain text.
    let ansi = std::io::stderr().is_terminal();
    tracing::subscriber::set_global_default(logs::subscriber(
        format,
        logs::filter_from_env(),
        std::io::stderr,
        ansi,
    ))
    .context("setting up the log")?;
    let metrics_token = match args.metrics_token.as_deref() {
        Some(token) => Some(MetricsToken::new(token).with_context(|| {
            format!(
                "the metrics token must be at least {} characters long",
                api::metrics::MIN_TOKEN_LEN
            )
        })?),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(args, metrics_token, now))
}

async fn serve(
    args: ServeCli,
    metrics_token: Option<MetricsToken>,
    now: OffsetDateTime,
) -> Result<()> {
    let ServeCli {
        listen,
        database_url,
        database_schema,
        keys: keys_arg,
        trust_dir,
        public_url,
        verifier_url,
        principal_token,
        ..
    } = args;
    let principal_tokens = principal_token
        .as_deref()
        .map(hocba_issuer::token::principal::PrincipalTokens::parse)
        .transpose()
        .context("--principal-token")?;
    let (database_url, database_schema) = (database_url.as_str(), database_schema.as_deref());
    // A directory, or a PKCS#11 token (opened and logged in to once, here): its URI holds no
    // PIN, so it is safe in messages.
    let source = KeySource::open(&keys_arg, trust_dir.as_deref())
        .with_context(|| format!("opening the keys at {}", keys_arg.display()))?;
    let keys_where = source.describe();
    let keys_dir = source.files_dir().to_path_buf();
    let keys_dir = keys_dir.as_path();
    let keys = SchoolKeys::open(source)
        .with_context(|| format!("loading school keys from {keys_where}"))?;
    if keys.uses_dev_keys() {
        eprintln!("\n{DEV_KEY_WARNING}\n");
        tracing::warn!("serving with the public development keys from {keys_where}");
    }
    let store = match database_schema {
        Some(schema) => Store::connect_with_schema(database_url, schema).await,
        None => Store::connect(database_url).await,
    }
    .context("opening the database (the URL is not shown: it may hold a password)")?;
    // First start: the key directory's trust list becomes the current version; from then on
    // the authority publishes new versions and the signers follow the latest one.
    if hocba_issuer::authority::seed(&store, keys_dir, now)
        .await
        .context("importing the key directory's trust-list.json")?
    {
        tracing::info!(
            "imported {}/trust-list.json as the current trust list version",
            keys_dir.display()
        );
    }
    if let Some((version, _)) = hocba_issuer::authority::latest(&store).await? {
        keys.select(version.list_json.as_bytes()).with_context(|| {
            format!(
                "choosing signing keys for trust list version {}",
                version.version
            )
        })?;
        tracing::info!(
            version = version.version,
            "signing with the keys active in the latest trust list"
        );
    }
    let added = keys.register_schools(&store, now).await?;
    tracing::info!(
        schools = ?keys.school_codes_at(now),
        newly_registered = added,
        backend = ?store.backend(),
        "schools with signing keys"
    );
    // Bound before the settings are made: with `--listen 127.0.0.1:0` the public base (status
    // list URLs, the links the pages show) names the port actually taken.
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let local = listener.local_addr()?;
    let base = public_url.map_or_else(
        || format!("http://{local}"),
        |b| b.trim_end_matches('/').to_owned(),
    );
    // The root-signed national list, when this deployment publishes the federation's root.
    let national_path = keys_dir.join("national-trust-list.json");
    let national_trust_list = match std::fs::read(&national_path) {
        Ok(bytes) => Some(std::sync::Arc::new(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("reading {}", national_path.display())),
    };
    let config = ApiConfig {
        public_base: base.clone(),
        verifier_url,
        metrics_token,
        national_trust_list,
        ..ApiConfig::default()
    };
    // This process's worker id and its liveness lock, held until it exits: other instances
    // see at once when it dies and take its batches over.
    let worker = hocba_issuer::store::process_worker_id();
    store
        .hold_worker(worker)
        .await
        .context("taking this worker's liveness lock")?;
    tracing::info!(worker, "worker id");
    let state = AppState::new(store.clone(), keys, config);
    if let Some(tokens) = principal_tokens {
        tracing::info!(
            module = %tokens.uri_for("<code>").module_path.display(),
            "the principals' keys are on tokens: signing asks for the principal's PIN"
        );
        state.issuer().set_principal_tokens(tokens);
    }
    // Batches whose worker is gone are taken over now, and looked for again every few seconds.
    let supervisor = api::batches::supervise(state.clone());
    // First start (and every start until it is used): the one-time link to set the
    // authority's password. Printed on the terminal, never into the log.
    if let Some(first) = state
        .issuer()
        .first_start(now)
        .await
        .context("preparing the first authority account")?
    {
        eprintln!(
            "\nLần đầu khởi động: đặt mật khẩu cho tài khoản Sở ({login}) tại liên kết dùng một lần \
             (24 giờ)\nFirst start: set the password of the authority account ({login}) at this \
             one-time link (24 hours):\n  {base}/setup/{secret}\n",
            login = first.login,
            secret = first.link.expose(),
        );
    }
    tracing::info!(%local, "listening; API docs at http://{local}/api/v1/docs");
    eprintln!(
        "hocba-issuer listening on http://{local} (web app: {base}/ · API docs: \
         http://{local}/api/v1/docs)"
    );
    // The peer address reaches the handlers: the abuse limits count failures per client.
    let app = api::app(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("serving")?;
    supervisor.abort();
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
