//! Operations: what a Department's operations centre watches during the late-May peak.
//!
//! * [`metrics`] — the process's Prometheus metrics (HTTP requests and latencies by route
//!   and status, credentials signed, batch durations, failed sign-ins) and their text
//!   exposition, with the records by state and school counted from the store at each scrape.
//!   `GET /metrics` serves them (`api/metrics.rs`, which also says who may read it).
//! * [`logs`] — the log format of `hocba-issuer serve`: plain text or one JSON object a line.
//!
//! Neither carries personal data: metric labels are route templates (never a raw path),
//! methods, status codes, record states and school codes (public); logs hold what the
//! service logged before, in another shape.

pub mod logs;
pub mod metrics;
