//! Load test of the HTTP verifier (`hocba-verify serve`), next to the raw Ed25519 rate, on the
//! same machine and in the same run:
//!
//! ```sh
//! cargo bench -p hocba-verifier --bench load            # release build
//! cargo bench -p hocba-verifier --bench load -- 10      # seconds per phase (default 5)
//! ```
//!
//! 1. raw `verify_strict` on every core (the reference);
//! 2. the core's full verification of one credential (grade 11 record, status checked against a
//!    cached status list) on every core;
//! 3. single verifications over HTTP (`POST /api/v1/verify`, one credential), 32 keep-alive
//!    connections, closed loop: the peak rate;
//! 4. the same at half the peak rate, paced: p50 / p99 latency;
//! 5. batches of 100 credentials, 4 keep-alive connections: credentials per second (the
//!    service splits a batch over the cores, each part's signatures checked in one
//!    `verify_batch`, see `hocba_verifier::batch`);
//! 6. raw, core and bulk again in alternating 1 s slices (the ratios a shared machine's
//!    changing background load cannot skew).
//!
//! The server runs in this process on its own 2-thread runtime (as `serve` does on a 2-core
//! machine); the client is a 1-thread runtime with hyper-util's pooled keep-alive client.
//!
//! **Instruction counts** (repeatable on a shared machine, where wall-clock rates are not):
//! with `HOCBA_LOAD_COUNT=raw:N` the bench makes N `verify_strict` calls and stops, with
//! `HOCBA_LOAD_COUNT=bulk:N` it sends N batches of 100 over HTTP, one after the other, and
//! stops (`bulk4:N`: the N batches over four connections at once, as in phase 5); `answer:N` (`answer-serde:N`) writes the reports and JSON answer of 100 checked
//! credentials N times with the service's writer (with `serde_json`). Run each under `valgrind --tool=callgrind` (the bench binary of
//! `cargo bench --no-run`) and with N = 0 for the set-up alone: (instructions(N) −
//! instructions(0)) / N per call or per batch, server, client and kernel-facing code together.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    unreachable_pub
)]
#![allow(clippy::disallowed_methods)] // a benchmark reads the clock

#[allow(dead_code)]
#[path = "../tests/verifier/support.rs"]
mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use ed25519_dalek::Signer;
use hocba_schema::credential::{StatusEntry, UnsignedCredential};
use hocba_schema::status_list::{Bitstring, MIN_ENTRIES, StatusListCredential};
use hocba_verifier::online::Material;
use hocba_verifier::service::{AppState, Judging, Limits, TrustSource, router, serve};
use hocba_verifier::{StatusLists, VerifyOptions, verify_credential_with};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use support::*;
use time::macros::datetime;

/// The allocator of the project's benches (JSON in and out is allocation-heavy).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const LIST_URL: &str = "https://hocba.example/status/79000701/1";

fn credential(i: u64) -> Value {
    let path = format!(
        "{}/../schema/examples/secondary-grade11.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let record: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let status = StatusEntry::revocation(LIST_URL, 1_000 + i);
    let id = format!("urn:uuid:00000000-0000-4000-8000-{i:012}");
    let doc = UnsignedCredential::new(&id, &school_a(), SIGNED_AT, record, Some(&status))
        .unwrap()
        .into_document();
    sign(
        doc,
        &school_a_key(),
        &vm(SCHOOL_A, &school_a_key()),
        &time_text(SIGNED_AT),
    )
}

fn material() -> Arc<Material> {
    let bits = Bitstring::new(MIN_ENTRIES);
    let from = datetime!(2026-05-31 00:00 UTC);
    let list = StatusListCredential::revocation(
        LIST_URL,
        school_a(),
        from,
        datetime!(2026-06-14 00:00 UTC),
        &bits,
    );
    let doc = UnsignedCredential::from_document(object(serde_json::to_value(&list).unwrap()))
        .unwrap()
        .into_document();
    let signed = sign(
        doc,
        &school_a_key(),
        &vm(SCHOOL_A, &school_a_key()),
        &time_text(from),
    );
    let mut lists = StatusLists::new();
    lists.insert(LIST_URL, bytes(&signed));
    Arc::new(Material {
        trust: Arc::new(verified_trust()),
        status_lists: Arc::new(lists),
        as_of: from,
    })
}

fn threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Run `f` on every core for `secs`; calls per second in all.
fn on_every_core(secs: Duration, f: impl Fn() + Sync) -> f64 {
    let n: u64 = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads())
            .map(|_| {
                s.spawn(|| {
                    let start = Instant::now();
                    let mut n = 0_u64;
                    while start.elapsed() < secs {
                        for _ in 0..10 {
                            f();
                        }
                        n += 10;
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    n as f64 / secs.as_secs_f64()
}

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// Send `body` (`items` credentials) and check that the answer is 200 with `items` valid
/// verdicts (every item checked; counted with a SIMD search, cheap next to the server's work on
/// the same cores).
async fn post(client: &HttpClient, addr: SocketAddr, body: Bytes, items: usize) -> Duration {
    let start = Instant::now();
    let req = hyper::Request::post(format!("http://{addr}/api/v1/verify"))
        .header("content-type", "application/json")
        .body(Full::new(body))
        .unwrap();
    let response = client.request(req).await.unwrap();
    assert_eq!(response.status(), 200);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let valid = memchr::memmem::find_iter(&body, b"\"verdict\":\"valid\"").count();
    assert_eq!(valid, items, "every item valid");
    start.elapsed()
}

struct Run {
    requests: usize,
    seconds: f64,
    latencies: Vec<Duration>,
}

impl Run {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
    fn percentile(&mut self, p: f64) -> Duration {
        self.latencies.sort_unstable();
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies.get(i).copied().unwrap_or_default()
    }
}

/// `connections` loops sending `body` for `secs`; with `pace`, each connection sends at most
/// one request per `pace` (open loop at a fixed rate).
async fn load(
    client: &HttpClient,
    addr: SocketAddr,
    body: Bytes,
    items: usize,
    connections: usize,
    secs: Duration,
    pace: Option<Duration>,
) -> Run {
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..connections {
        let client = client.clone();
        let body = body.clone();
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            if let Some(p) = pace {
                // Spread the connections' start over one period.
                tokio::time::sleep(p.mul_f64(c as f64 / connections as f64)).await;
            }
            let mut next = tokio::time::Instant::now();
            while start.elapsed() < secs {
                if let Some(p) = pace {
                    tokio::time::sleep_until(next).await;
                    next += p;
                }
                latencies.push(post(&client, addr, body.clone(), items).await);
            }
            latencies
        });
    }
    let mut latencies = Vec::new();
    while let Some(l) = tasks.join_next().await {
        latencies.extend(l.unwrap());
    }
    Run {
        requests: latencies.len(),
        seconds: start.elapsed().as_secs_f64(),
        latencies,
    }
}

/// `HOCBA_LOAD_COUNT=raw:N` or `bulk:N`: a fixed amount of work for an instruction count
/// (see the module docs), then exit.
fn count_mode(spec: &str) {
    let (what, n) = spec
        .split_once(':')
        .expect("HOCBA_LOAD_COUNT=raw:N, bulk:N, bulk4:N, answer:N or answer-serde:N");
    let n: usize = n.parse().expect("a count");
    let key = school_a_key();
    let message = [0x5a_u8; 64];
    let signature = key.sign(&message);
    let public = key.verifying_key();
    let batch = Bytes::from(bytes(&json!({
        "items": (0..100).map(|i| json!({"credential": credential(i)})).collect::<Vec<_>>()
    })));
    match what {
        "raw" => {
            for _ in 0..n {
                assert!(
                    std::hint::black_box(&public)
                        .verify_strict(&message, &signature)
                        .is_ok()
                );
            }
        }
        "bulk" | "bulk4" => {
            let server = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            let limits = Limits::default();
            let state = AppState::new(
                TrustSource::Offline(material()),
                Arc::new(|| NOW),
                &Judging::default(),
                limits.clone(),
            );
            let listener = server
                .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
                .unwrap();
            let addr = listener.local_addr().unwrap();
            server.spawn(async move { serve(listener, router(state), &limits).await });
            let client_rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let mut connector = HttpConnector::new();
            connector.set_nodelay(true);
            let client: HttpClient = Client::builder(TokioExecutor::new()).build(connector);
            // `bulk4`: four connections at once, each sending its share one after the other
            // (the shape of phase 5).
            let connections = if what == "bulk4" { 4 } else { 1 };
            client_rt.block_on(async {
                let mut tasks = tokio::task::JoinSet::new();
                for c in 0..connections {
                    let (client, batch) = (client.clone(), batch.clone());
                    let share = n / connections + usize::from(c < n % connections);
                    tasks.spawn(async move {
                        for _ in 0..share {
                            post(&client, addr, batch.clone(), 100).await;
                        }
                    });
                }
                while let Some(done) = tasks.join_next().await {
                    done.unwrap();
                }
            });
        }
        "answer" | "answer-serde" => {
            // The reports and JSON answer of 100 checked credentials, N times: the service's
            // writer, or serde_json (what the service used before).
            use hocba_verifier::service::verify::{Item, ItemReport, verify_all};
            let material = material();
            let items: Vec<Item> = (0..100)
                .map(|i| Item::Credential(bytes(&credential(i))))
                .collect();
            let checked = verify_all(&items, &material, NOW, &VerifyOptions::default(), 1);
            for _ in 0..n {
                let reports: Vec<ItemReport<'_>> = checked
                    .iter()
                    .enumerate()
                    .map(|(i, c)| ItemReport::of(i, None, c))
                    .collect();
                let out = if what == "answer" {
                    let mut out = Vec::new();
                    hocba_verifier::service::answer::items_into(&mut out, &reports).unwrap();
                    out
                } else {
                    serde_json::to_vec(&reports).unwrap()
                };
                std::hint::black_box(out);
            }
        }
        other => {
            panic!("HOCBA_LOAD_COUNT: {other} is not raw, bulk, bulk4, answer or answer-serde")
        }
    }
}

fn main() {
    if let Ok(spec) = std::env::var("HOCBA_LOAD_COUNT") {
        count_mode(&spec);
        return;
    }
    let secs = Duration::from_secs(
        std::env::args()
            .skip(1)
            .find_map(|a| a.parse().ok())
            .unwrap_or(5),
    );
    let cores = threads();
    println!(
        "hocba-verify serve load test: {cores} cores, {} s per phase",
        secs.as_secs()
    );

    // 1. Raw verify_strict.
    let key = school_a_key();
    let message = [0x5a_u8; 64];
    let signature = key.sign(&message);
    let public = key.verifying_key();
    let raw_fn = || {
        assert!(public.verify_strict(&message, &signature).is_ok());
    };
    let raw = on_every_core(secs, raw_fn);
    println!("raw verify_strict, {cores} threads:          {raw:>9.0} /s");
    // What batch verification could at most give (100 signatures, one key, as a school's
    // batch): the rate of signatures checked by `verify_batch`.
    let messages: Vec<[u8; 64]> = (0..100_u8).map(|i| [i; 64]).collect();
    let signatures: Vec<_> = messages.iter().map(|m| key.sign(m)).collect();
    let keys = vec![public; 100];
    let refs: Vec<&[u8]> = messages.iter().map(|m| &m[..]).collect();
    let batches = on_every_core(secs, || {
        assert!(ed25519_dalek::verify_batch(&refs, &signatures, &keys).is_ok());
    });
    println!(
        "raw verify_batch (100), {cores} threads:      {:>9.0} /s  ({:.1}x verify_strict)",
        batches * 100.0,
        batches * 100.0 / raw
    );

    // 2. The core, in process.
    let material = material();
    let one = bytes(&credential(1));
    let options = VerifyOptions::default().with_status_lists(Arc::clone(&material.status_lists));
    let core_fn = || {
        let v = verify_credential_with(&one, &material.trust, NOW, &options).unwrap();
        assert!(v.is_valid());
    };
    let core = on_every_core(secs, core_fn);
    println!(
        "core verification (3.9 KB credential), {cores} thr: {core:>9.0} /s  ({:.0} % of raw)",
        100.0 * core / raw
    );

    // Where a bulk credential's time goes, on one thread: the core (signatures in one batch),
    // then the report (the normalised record needs the verified subject parsed) and its JSON.
    {
        use hocba_verifier::service::verify::{Item, ItemReport, verify_all};
        let items: Vec<Item> = (0..100)
            .map(|i| Item::Credential(bytes(&credential(i))))
            .collect();
        let rounds = 20_u32;
        let start = Instant::now();
        let mut checked = Vec::new();
        for _ in 0..rounds {
            checked = verify_all(&items, &material, NOW, &VerifyOptions::default(), 1);
        }
        let verify = start.elapsed() / (rounds * 100);
        // The service's answer writer, then serde_json (the reference it matches byte for byte).
        let report = |fast: bool| {
            let start = Instant::now();
            let mut size = 0;
            for _ in 0..rounds {
                let reports: Vec<ItemReport<'_>> = checked
                    .iter()
                    .enumerate()
                    .map(|(i, c)| ItemReport::of(i, None, c))
                    .collect();
                size = if fast {
                    let mut out = Vec::new();
                    hocba_verifier::service::answer::items_into(&mut out, &reports).unwrap();
                    out.len()
                } else {
                    serde_json::to_vec(&reports).unwrap().len()
                };
            }
            (start.elapsed() / (rounds * 100), size / 100)
        };
        let (fast, size) = report(true);
        let (reference, _) = report(false);
        println!(
            "per bulk credential, 1 thread: verify {verify:?}, report + JSON {fast:?} ({size} bytes of JSON; with serde_json {reference:?})",
        );
    }

    // The server: its own 2-thread runtime.
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores)
        .enable_all()
        .build()
        .unwrap();
    let limits = Limits::default();
    let state = AppState::new(
        TrustSource::Offline(Arc::clone(&material)),
        Arc::new(|| NOW),
        &Judging::default(),
        limits.clone(),
    );
    let listener = server
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    server.spawn(async move { serve(listener, router(state), &limits).await });

    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let client: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(64)
        .build(connector);
    let single = Bytes::from(bytes(&json!({"items": [{"credential": credential(1)}]})));
    let batch = Bytes::from(bytes(&json!({
        "items": (0..100).map(|i| json!({"credential": credential(i)})).collect::<Vec<_>>()
    })));
    client_rt.block_on(async {
        // Warm up.
        let _ = load(&client, addr, single.clone(), 1, 8, Duration::from_secs(1), None).await;

        // 3. Peak, closed loop.
        let mut peak = load(&client, addr, single.clone(), 1, 32, secs, None).await;
        let peak_rate = peak.rate();
        println!(
            "HTTP single, 32 conns, peak:        {peak_rate:>9.0} /s  p50 {:?} p99 {:?}",
            peak.percentile(0.50),
            peak.percentile(0.99)
        );

        // 4. Half the peak, paced.
        let connections = 16;
        let pace = Duration::from_secs_f64(connections as f64 / (peak_rate / 2.0));
        let mut half = load(&client, addr, single.clone(), 1, connections, secs, Some(pace)).await;
        println!(
            "HTTP single at half peak ({:.0} /s):  {:>9.0} /s  p50 {:?} p99 {:?}",
            peak_rate / 2.0,
            half.rate(),
            half.percentile(0.50),
            half.percentile(0.99)
        );

        // 5. Batches of 100.
        let mut bulk = load(&client, addr, batch.clone(), 100, 4, secs, None).await;
        let per_second = bulk.rate() * 100.0;
        println!(
            "HTTP batches of 100, 4 conns:       {per_second:>9.0} credentials/s ({:.0} % of raw, {:.0} % of core)  p99 {:?} per batch",
            100.0 * per_second / raw,
            100.0 * per_second / core,
            bulk.percentile(0.99)
        );
    });

    // 6. The ratios again, with raw, core and bulk measured in alternating 1 s slices, so that
    // all three see the same background load on a shared machine.
    let slice = Duration::from_secs(1);
    let (mut raw_sum, mut core_sum, mut bulk_sum) = (0.0, 0.0, 0.0);
    let rounds = secs.as_secs().max(1);
    for _ in 0..rounds {
        raw_sum += on_every_core(slice, raw_fn);
        core_sum += on_every_core(slice, core_fn);
        bulk_sum += client_rt
            .block_on(load(&client, addr, batch.clone(), 100, 4, slice, None))
            .rate()
            * 100.0;
    }
    let n = rounds as f64;
    println!(
        "interleaved ({rounds} x 1 s each): raw {:.0} /s, core {:.0} /s, bulk {:.0} credentials/s = {:.0} % of raw, {:.0} % of core",
        raw_sum / n,
        core_sum / n,
        bulk_sum / n,
        100.0 * bulk_sum / raw_sum,
        100.0 * bulk_sum / core_sum
    );
}
