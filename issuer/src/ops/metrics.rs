//! The issuer's Prometheus metrics, one set per process, and their text exposition (format
//! 0.0.4, [`CONTENT_TYPE`]).
//!
//! | metric | type | labels | meaning |
//! |---|---|---|---|
//! | `hocba_http_requests_total` | counter | `route`, `method`, `status` | requests answered |
//! | `hocba_http_request_duration_seconds` | histogram | `route`, `method` | time to the answer's headers |
//! | `hocba_records` | gauge | `school`, `state` | year records stored, counted at each scrape |
//! | `hocba_credentials_signed_total` | counter | `school` | credentials newly signed by batches this process ran |
//! | `hocba_batch_duration_seconds` | histogram | — | wall time of each batch run by this process |
//! | `hocba_sign_in_failures_total` | counter | — | sign-ins refused: unknown, expired or revoked tokens (and, later, wrong passwords) |
//!
//! Decisions:
//!
//! * **No personal data in a label.** `route` is the route's template as the router matched
//!   it (`/api/v1/records/{id}`), never the raw path, which can hold ids or codes; a path no
//!   route matches is `unmatched`. A method outside the standard ones is `OTHER`. School
//!   codes are public (they are in the trust list); record states are a fixed set. Nothing
//!   else is a label, so the number of series stays bounded.
//! * **One set per process** (a static), as Prometheus expects of a scrape target: the
//!   workflows record with free functions ([`credentials_signed`], [`sign_in_failed`],
//!   [`batch_timer`]) and need no handle. Several instances behind one database are scraped
//!   one by one and summed by Prometheus.
//! * **Records are counted, not tracked.** `hocba_records` comes from one `GROUP BY` over
//!   the store at each scrape ([`render`] takes its rows), so it is right across instances,
//!   restarts and changes made by the command-line tools. A school with records has all four
//!   states (0 where none), so a series does not vanish when its last record moves on.

use std::collections::BTreeMap;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::prometheus_text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::store::{RecordCount, RecordState};

/// The `Content-Type` of the exposition: Prometheus text format 0.0.4.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// The `route` label of a request no route matched.
pub const UNMATCHED: &str = "unmatched";

/// Upper bounds (seconds) of the request latency buckets.
const LATENCY_BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Upper bounds (seconds) of the batch duration buckets: a pupil, a class, a school, a
/// province's school in the background.
const BATCH_BUCKETS: [f64; 13] = [
    0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0,
];

/// The states `hocba_records` always reports for a school.
const STATES: [RecordState; 4] = [
    RecordState::Draft,
    RecordState::Validated,
    RecordState::Signed,
    RecordState::Revoked,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SchoolLabels {
    school: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RecordLabels {
    school: String,
    state: &'static str,
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

/// The process's metrics and the registry that encodes them.
struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    signed: Family<SchoolLabels, Counter>,
    batches: Histogram,
    sign_in_failures: Counter,
}

impl Metrics {
    fn new() -> Self {
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        let signed = Family::<SchoolLabels, Counter>::default();
        let batches = Histogram::new(BATCH_BUCKETS);
        let sign_in_failures = Counter::default();
        let mut registry = Registry::default();
        registry.register(
            "hocba_http_requests",
            "HTTP requests answered, by route template, method and status",
            requests.clone(),
        );
        registry.register(
            "hocba_http_request_duration_seconds",
            "Time from a request to its answer's headers, by route template and method",
            latency.clone(),
        );
        registry.register(
            "hocba_credentials_signed",
            "Credentials newly signed by the batches this process ran, by school code",
            signed.clone(),
        );
        registry.register(
            "hocba_batch_duration_seconds",
            "Wall time of each signing batch this process ran (done, failed or handed over)",
            batches.clone(),
        );
        registry.register(
            "hocba_sign_in_failures",
            "Sign-ins refused: unknown, expired or revoked tokens (and, later, wrong passwords)",
            sign_in_failures.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            signed,
            batches,
            sign_in_failures,
        }
    }
}

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

/// The `method` label: a standard method's name, else `OTHER` (clients choose methods, and a
/// label must not grow without bound).
pub fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    const KNOWN: [(Method, &str); 9] = [
        (Method::GET, "GET"),
        (Method::HEAD, "HEAD"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::PATCH, "PATCH"),
        (Method::DELETE, "DELETE"),
        (Method::OPTIONS, "OPTIONS"),
        (Method::CONNECT, "CONNECT"),
        (Method::TRACE, "TRACE"),
    ];
    KNOWN
        .iter()
        .find(|(m, _)| m == method)
        .map_or("OTHER", |(_, name)| name)
}

/// Counts one answered request: `route` is the matched route's template (or [`UNMATCHED`]),
/// never a raw path.
pub fn http_request(route: &str, method: &axum::http::Method, status: u16, took: Duration) {
    let method = method_label(method);
    METRICS
        .requests
        .get_or_create(&RequestLabels {
            route: route.to_owned(),
            method,
            status,
        })
        .inc();
    METRICS
        .latency
        .get_or_create(&RouteLabels {
            route: route.to_owned(),
            method,
        })
        .observe(took.as_secs_f64());
}

/// Counts `n` credentials newly signed for the school with this code.
pub fn credentials_signed(school_code: &str, n: usize) {
    METRICS
        .signed
        .get_or_create(&SchoolLabels {
            school: school_code.to_owned(),
        })
        .inc_by(u64::try_from(n).unwrap_or(u64::MAX));
}

/// Counts one refused sign-in (an unknown, expired or revoked token; the web app's wrong
/// password). Call it wherever a sign-in fails, next to `Store::record_failure`.
pub fn sign_in_failed() {
    METRICS.sign_in_failures.inc();
}

/// Times a signing batch: the wall time from this call until the timer is dropped goes into
/// `hocba_batch_duration_seconds`, whichever way the batch ends.
#[must_use = "the batch is timed until the timer is dropped"]
pub fn batch_timer() -> BatchTimer {
    BatchTimer {
        started: Instant::now(),
    }
}

/// See [`batch_timer`].
#[derive(Debug)]
pub struct BatchTimer {
    started: Instant,
}

impl Drop for BatchTimer {
    fn drop(&mut self) {
        METRICS
            .batches
            .observe(self.started.elapsed().as_secs_f64());
    }
}

/// The exposition: `records` (the store's counts, see `Store::record_counts`) as
/// `hocba_records`, then every metric of the process.
pub fn render(records: &[RecordCount]) -> String {
    let mut by_school: BTreeMap<&str, [i64; STATES.len()]> = BTreeMap::new();
    for row in records {
        let counts = by_school.entry(&row.school_code).or_default();
        if let Some(state) = row.state
            && let Some(i) = STATES.iter().position(|s| *s == state)
        {
            counts[i] += row.count;
        }
    }
    let family = Family::<RecordLabels, Gauge>::default();
    for (school, counts) in by_school {
        for (state, count) in STATES.iter().zip(counts) {
            family
                .get_or_create(&RecordLabels {
                    school: school.to_owned(),
                    state: state.as_str(),
                })
                .set(count);
        }
    }
    let mut scrape = Registry::default();
    scrape.register(
        "hocba_records",
        "Year records stored, by school code and state, counted at this scrape",
        family,
    );
    let mut out = String::new();
    // Writing to a String cannot fail: the results carry nothing.
    let _ = encode(&mut out, &scrape);
    let _ = encode(&mut out, &METRICS.registry);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_outside_the_standard_ones_share_one_label() {
        assert_eq!(method_label(&axum::http::Method::PUT), "PUT");
        let odd = axum::http::Method::from_bytes(b"BREW").unwrap();
        assert_eq!(method_label(&odd), "OTHER");
    }

    #[test]
    fn every_state_of_a_school_is_reported() {
        let rows = [
            RecordCount {
                school_code: "79000701".to_owned(),
                state: Some(RecordState::Signed),
                count: 3,
            },
            RecordCount {
                school_code: "01001205".to_owned(),
                state: None,
                count: 0,
            },
        ];
        let text = render(&rows);
        assert!(text.contains("hocba_records{school=\"79000701\",state=\"signed\"} 3\n"));
        assert!(text.contains("hocba_records{school=\"79000701\",state=\"draft\"} 0\n"));
        assert!(text.contains("hocba_records{school=\"01001205\",state=\"revoked\"} 0\n"));
        assert!(text.contains("# TYPE hocba_records gauge\n"));
        assert!(text.contains("# TYPE hocba_sign_in_failures_total counter\n"));
    }
}
