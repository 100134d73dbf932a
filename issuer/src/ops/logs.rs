//! The log of `hocba-issuer serve`: plain text for a person (the default), or one JSON object
//! a line for a log collector (`--log-format json`, or `HOCBA_LOG_FORMAT=json`).
//!
//! A JSON line holds `timestamp` (RFC 3339, UTC), `level`, `target`, the event's fields at the
//! top level (`message`, and e.g. `status` and `latency` of an answered request) and `span`,
//! the request it belongs to (`method`, `path` without the query string). The events are the
//! same in both formats: none carries a token, a share code, a key or record content (see
//! `api/mod.rs`), so neither format shows personal data.

use std::str::FromStr;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// The filter when `RUST_LOG` is not set: the service's own events and one line per request.
pub const DEFAULT_FILTER: &str = "info,sqlx=warn,tower_http=info";

/// How log lines look.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// Plain text (colour only on a terminal).
    #[default]
    Text,
    /// One JSON object a line.
    Json,
}

impl FromStr for LogFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            other => Err(format!("{other:?} is not a log format: text or json")),
        }
    }
}

/// A subscriber writing `format` lines to `writer`, filtered by `filter`; `ansi` colours
/// text lines (never JSON ones).
pub fn subscriber<W>(
    format: LogFormat,
    filter: EnvFilter,
    writer: W,
    ansi: bool,
) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        LogFormat::Text => Box::new(builder.with_ansi(ansi).finish()),
        LogFormat::Json => Box::new(
            builder
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .finish(),
        ),
    }
}

/// The filter of `RUST_LOG`, or [`DEFAULT_FILTER`].
pub fn filter_from_env() -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_name() {
        assert_eq!("json".parse::<LogFormat>(), Ok(LogFormat::Json));
        assert_eq!("text".parse::<LogFormat>(), Ok(LogFormat::Text));
        assert!("xml".parse::<LogFormat>().is_err());
    }
}
