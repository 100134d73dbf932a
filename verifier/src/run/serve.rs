//! `hocba-verify serve` and the raw-speed measurement of `bench-raw`.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::anyhow;
use hocba_verifier::online::federation::FederatedOnline;
use hocba_verifier::online::{Clock, Material, OnlineConfig, OnlineTrust};
use hocba_verifier::service::{AppState, Judging, Limits, TrustSource, router};
use time::Duration;
use time::format_description::well_known::Rfc3339;

use super::material::{SeenFile, load_authority, load_bundle, show_age};
use super::online::{print_warnings, wall_clock};
use super::{Failure, Status};
use crate::cli::ServeArgs;

/// `hocba-verify serve`: exit 2 when it cannot start.
pub(super) fn serve(args: &ServeArgs) -> ExitCode {
    match serve_inner(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            f.print();
            ExitCode::from(Status::Unchecked as u8)
        }
    }
}

pub(super) fn serve_inner(args: &ServeArgs) -> Result<(), Failure> {
    let authority = load_authority(args.authority.as_deref())?;
    let clock: Clock = match args.at {
        Some(t) => Arc::new(move || t),
        None => wall_clock(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::new(anyhow!(e).context("starting the async runtime"), None))?;
    let pki_root = args
        .pki_root
        .as_deref()
        .map(super::pades::read_root)
        .transpose()
        .map_err(|e| {
            Failure::new(
                e,
                Some("give the PKI root certificate as PEM or DER (--pki-root FILE)".into()),
            )
        })?;
    let limits = Limits::default();
    let judging = Judging {
        max_status_list_age: args.max_age,
        max_trust_list_age: args
            .max_trust_list_age
            .map(|d| Duration::days(i64::from(d))),
        accept_stale_trust_list: args.accept_stale_trust_list,
    };
    runtime.block_on(async {
        let source = trust_source(
            args.bundle.as_deref(),
            args.online.as_deref(),
            &args.cache_dir,
            &authority,
            &clock,
        )
        .await?;
        let admissions = super::admissions::config(&args.scheme, args.online.as_deref(), args.portal_token_file.as_deref())?;
        let state = AppState::new(source, clock, &judging, limits.clone()).with_admissions(admissions);
        let state = match pki_root {
            Some(der) => state.with_pki_root(der),
            None => state,
        };
        let app = router(state);
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| Failure::new(anyhow!(e).context(format!("cannot listen on {}", args.listen)), None))?;
        let address = listener
            .local_addr()
            .map_or_else(|_| args.listen.to_string(), |a| a.to_string());
        eprintln!("hocba-verify: listening on http://{address} (/V/…, /upload, /admissions, /api/v1/verify, /api/v1/admissions/score, /api/v1/docs)");
        tokio::select! {
            result = hocba_verifier::service::serve_reporting(listener, app, &limits, |e| eprintln!("hocba-verify: accept: {e}")) => {
                result.map_err(|e| Failure::new(anyhow!(e).context("serving"), None))
            }
            _ = tokio::signal::ctrl_c() => {
                eprintln!("hocba-verify: stopping");
                Ok(())
            }
        }
    })
}

/// The trust material of `--bundle FILE` or `--online URL` (printing where it comes from), for
/// `serve` and `admissions`.
pub(super) async fn trust_source(
    bundle: Option<&std::path::Path>,
    online_url: Option<&str>,
    cache_dir: &std::path::Path,
    authority: &hocba_verifier::TrustedAuthority,
    clock: &Clock,
) -> Result<TrustSource, Failure> {
    let source = match (bundle, online_url) {
        (Some(path), _) => match load_bundle(path, authority)? {
            Ok(mut bundle) => {
                let mut seen = SeenFile::open(cache_dir);
                seen.check(bundle.trust_list())?;
                bundle.apply_seen(&seen.state);
                seen.record(bundle.trust_list(), Some(&bundle.status_lists()));
                let now = clock();
                eprintln!(
                    "hocba-verify: serving offline from {} (made {}, {} old, {} status list(s))",
                    path.display(),
                    bundle.created_at().format(&Rfc3339).unwrap_or_default(),
                    show_age(bundle.age(now)),
                    bundle.status_lists().len()
                );
                TrustSource::Offline(Arc::new(Material::from(bundle)))
            }
            Err(e) => {
                return Err(Failure::new(
                    anyhow!(e).context(format!(
                        "the trust list in {} is not vouched for by the authority key",
                        path.display()
                    )),
                    None,
                ));
            }
        },
        (None, Some(url)) => {
            let config = OnlineConfig {
                cache_dir: cache_dir.to_path_buf(),
                ..OnlineConfig::new(url)
            };
            let online =
                OnlineTrust::new(config, authority.clone(), wall_clock()).map_err(|e| {
                    Failure::new(
                        anyhow!(e),
                        Some("give the issuer's base URL, e.g. http://127.0.0.1:8080".into()),
                    )
                })?;
            let online = Arc::new(online);
            let refreshed = online.refresh().await;
            if refreshed.is_err()
                && online.material().is_none()
                && let Some(fed) = federation(url, cache_dir, authority).await
            {
                // No trust list under the pinned key, but a national list signed by it.
                online.take_warnings();
                return Ok(fed);
            }
            if let Err(e) = refreshed {
                eprintln!(
                    "hocba-verify: {e} (answering from the cache in {}, if any; retrying in the background)",
                    cache_dir.display()
                );
            }
            print_warnings(&online);
            online.spawn_refresher();
            let printer = Arc::clone(&online);
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                    print_warnings(&printer);
                }
            });
            eprintln!(
                "hocba-verify: serving online from {} (cache {})",
                online.base(),
                cache_dir.display()
            );
            TrustSource::Online(online)
        }
        (None, None) => {
            return Err(Failure::new(
                anyhow!("give --bundle FILE or --online URL"),
                None,
            ));
        }
    };
    Ok(source)
}

/// `--online URL` where `URL` is the root of the national federation (its national list
/// signed by the pinned key): the service follows root → province → school per request,
/// fetching only the provinces the records need. `None` when `URL` serves no such list.
async fn federation(
    url: &str,
    cache_dir: &std::path::Path,
    authority: &hocba_verifier::TrustedAuthority,
) -> Option<TrustSource> {
    let config = OnlineConfig {
        cache_dir: cache_dir.join("federation"),
        ..OnlineConfig::new(url)
    };
    let fed = FederatedOnline::new(config, authority.clone(), wall_clock()).ok()?;
    let national = fed.national().await.ok()?;
    let fed = Arc::new(fed);
    fed.spawn_refresher();
    let printer = Arc::clone(&fed);
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            for warning in printer.take_warnings().await {
                eprintln!("hocba-verify: {warning}");
            }
        }
    });
    eprintln!(
        "hocba-verify: serving online from the federation's root {} (national trust list version {}, {} provinces, each fetched when a record needs it; cache {}) / danh sách tin cậy quốc gia phiên bản {}",
        fed.base(),
        national.version(),
        national.list().credential_subject.provinces.len(),
        cache_dir.join("federation").display(),
        national.version(),
    );
    Some(TrustSource::Federated(fed))
}

/// Raw Ed25519 `verify_strict` per second, one thread per core, for `seconds` seconds: the
/// reference figure next to the service's rates.
#[allow(clippy::disallowed_methods)]
pub(super) fn bench_raw(seconds: u64) -> ExitCode {
    use ed25519_dalek::{Signer, SigningKey};
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let key = SigningKey::from_bytes(&[7; 32]);
    let message = [0x5a_u8; 64];
    let signature = key.sign(&message);
    let public = key.verifying_key();
    let limit = std::time::Duration::from_secs(seconds.max(1));
    let counts: Vec<u64> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let start = std::time::Instant::now();
                    let mut n = 0_u64;
                    while start.elapsed() < limit {
                        for _ in 0..100 {
                            if public.verify_strict(&message, &signature).is_ok() {
                                n += 1;
                            }
                        }
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).collect()
    });
    let total: u64 = counts.iter().sum();
    let per_second = total as f64 / limit.as_secs_f64();
    println!(
        "raw verify_strict: {threads} threads, {per_second:.0}/s in all, {:.0}/s per thread, {:.1} µs each",
        per_second / threads as f64,
        1e6 * threads as f64 / per_second
    );
    ExitCode::SUCCESS
}
