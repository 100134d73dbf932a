//! The command line of `hocba-verify` (clap only; what it does is in `run.rs`).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use time::{Duration, OffsetDateTime};

/// Check digital school records (học bạ số): valid or not, who issued them, and why.
#[derive(Debug, Parser)]
#[command(
    name = "hocba-verify",
    version,
    after_help = "Exit status (the worst record wins): 0 every record is valid, revocation \
                  checked; 1 at least one is not valid (a trust list whose signature is not \
                  valid, a revoked record, a bundle older than --max-age); 2 something could \
                  not be checked (unreadable file, not JSON, too large, bad key file, a \
                  revocation status that is unknown, a trust list past its next update or \
                  older than one already seen); 3 the signature is valid but revocation was \
                  not checked (no --bundle, --online or --status-list).",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub(crate) struct Cli {
    /// `serve` runs the HTTP verifier; without a command, the files given are checked.
    #[command(subcommand)]
    pub(crate) command: Option<Command>,

    /// Fetch the trust list and the status lists from the issuer at URL (plain http://; every
    /// document is signed and verified) instead of --trust-list / --bundle, with a disk cache
    /// (--cache-dir).
    #[arg(long, value_name = "URL", conflicts_with_all = ["bundle", "status_list"])]
    pub(crate) online: Option<String>,

    /// Where verified trust material is cached (--online), and where the highest trust-list
    /// version and the newest status lists seen are remembered (seen.json, every mode): an
    /// older version offered later is refused.
    #[arg(long, value_name = "DIR", default_value = hocba_verifier::online::DEFAULT_CACHE_DIR)]
    pub(crate) cache_dir: PathBuf,

    /// The trust list signed by the education authority (JSON). Without it (and without
    /// --bundle / --online): keys/dev/trust-list.json when that file exists, else the built-in
    /// DEVELOPMENT trust list when no --authority is given; with --authority and no such file,
    /// one of --trust-list, --bundle or --online is needed.
    #[arg(long, value_name = "FILE")]
    pub(crate) trust_list: Option<PathBuf>,

    /// Accept a trust list past its next update (`validUntil`) with a warning, instead of
    /// answering "could not check" (exit 2). Only for knowingly working from old material.
    #[arg(long)]
    pub(crate) accept_stale_trust_list: bool,

    /// The authority's public key: SPKI PEM (`openssl pkey -pubout`), or a file holding one
    /// `z6Mk…` publicKeyMultibase. Without it the built-in DEVELOPMENT key is used, with a
    /// warning.
    #[arg(long, value_name = "FILE")]
    pub(crate) authority: Option<PathBuf>,

    /// Print one JSON report per credential, one per line (JSON Lines), instead of text.
    #[arg(long)]
    pub(crate) json: bool,

    /// Judge at this time (RFC 3339, e.g. 2026-06-01T00:00:00Z) instead of now.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub(crate) at: Option<OffsetDateTime>,

    /// Fail, instead of warning, when the trust list is older than DAYS days or past its next
    /// update.
    #[arg(long, value_name = "DAYS")]
    pub(crate) max_trust_list_age: Option<u32>,

    /// An offline trust bundle (`hocba-issuer bundle`): its trust list replaces --trust-list
    /// and its status lists are used to check revocation; the bundle's age is printed.
    #[arg(long, value_name = "FILE")]
    pub(crate) bundle: Option<PathBuf>,

    /// With --bundle or --online: a bundle (or a status list) older than this is a failure
    /// (exit 1), e.g. `7d`, `24h`, `90m`.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) max_age: Option<Duration>,

    /// A status list credential already fetched (e.g. `curl -o list.json <statusListCredential
    /// URL>`), used for the credentials that name its `id`; repeatable. Without --bundle or
    /// --status-list, revocation is not checked.
    #[arg(long, value_name = "FILE", conflicts_with = "bundle")]
    pub(crate) status_list: Vec<PathBuf>,

    /// The text scanned from a printed record's QR code (`HTTPS://…/V/<digits>` or the
    /// digits): its school-signed summary is verified offline; with a PDF or JSON credential
    /// also given, the binding between them is checked (hash and credential id).
    #[arg(long, value_name = "SCANNED TEXT")]
    pub(crate) qr: Vec<String>,

    /// The root certificate (PEM or DER) a PDF's own signatures (PAdES) must chain up to, e.g.
    /// keys/dev/pki/root-ca.pem in development. Without it the signatures are still checked
    /// against their bytes and the trust list's seal, but their chains are reported not checked.
    #[arg(long, value_name = "FILE")]
    pub(crate) pki_root: Option<PathBuf>,

    /// Files to check (`-` reads standard input): credential JSON, a printed record's PDF
    /// (its embedded hocba-credential.json is verified), or a PNG / JPEG photo of its QR code.
    #[arg(value_name = "FILE", required_unless_present = "qr")]
    pub(crate) credentials: Vec<PathBuf>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run the HTTP verifier: the QR landing page, the upload page, the bulk API
    /// (/api/v1/verify), the W3C VC-API (/credentials/verify), OpenAPI and docs.
    Serve(ServeArgs),
    /// Score candidates for admission from their verified grade 10–12 records: each
    /// candidate's records are checked as one pupil, then every combination of the scheme is
    /// scored; the ranked table is written to --out (XLSX, CSV or JSON by extension). Exit 0
    /// every candidate scored, 1 some were refused (the reasons are in the table), 2 nothing
    /// could be scored (bad scheme, unreadable trust material).
    Admissions(AdmissionsArgs),
    /// Measure raw Ed25519 verify_strict per second on every core (for the load figures).
    #[command(hide = true)]
    BenchRaw {
        /// Seconds to measure.
        #[arg(long, default_value_t = 3)]
        seconds: u64,
    },
}

/// `hocba-verify serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// An offline trust bundle (`hocba-issuer bundle --out FILE`).
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "online",
        conflicts_with = "online"
    )]
    pub(crate) bundle: Option<PathBuf>,

    /// Fetch trust material from the issuer at URL (plain http://), cached in --cache-dir and
    /// refreshed in the background. When --authority is the root (Ministry) key and URL
    /// publishes the national trust list signed by it, the service is the federation's client:
    /// per request only the provinces its records need are fetched (root → province → school).
    #[arg(long, value_name = "URL")]
    pub(crate) online: Option<String>,

    /// Address to listen on (the issuer's default --verifier-url is http://127.0.0.1:8081).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8081")]
    pub(crate) listen: SocketAddr,

    /// The authority's public key (as for checking files); without it the built-in
    /// DEVELOPMENT key is used, with a warning.
    #[arg(long, value_name = "FILE")]
    pub(crate) authority: Option<PathBuf>,

    /// Status lists (and a bundle) older than this give `status_unknown`, e.g. `7d`, `24h`.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) max_age: Option<Duration>,

    /// Fail, instead of warning, when the trust list is older than DAYS days.
    #[arg(long, value_name = "DAYS")]
    pub(crate) max_trust_list_age: Option<u32>,

    /// Where verified trust material is cached (--online) and where the highest trust-list
    /// version and newest status lists seen are remembered (seen.json).
    #[arg(long, value_name = "DIR", default_value = hocba_verifier::online::DEFAULT_CACHE_DIR)]
    pub(crate) cache_dir: PathBuf,

    /// Accept a trust list past its next update with a warning, instead of "could not check".
    #[arg(long)]
    pub(crate) accept_stale_trust_list: bool,

    /// Judge at this time (RFC 3339) instead of the clock (tests, demonstrations).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub(crate) at: Option<OffsetDateTime>,

    /// An admission scheme offered by name on /api/v1/admissions/score and /admissions,
    /// besides the built-in ones (repeatable).
    #[arg(long, value_name = "FILE")]
    pub(crate) scheme: Vec<PathBuf>,

    /// With --online: a file holding the portal's bearer token, so that share codes sent to
    /// the admissions API and page are redeemed at the issuer.
    #[arg(long, value_name = "FILE", requires = "online")]
    pub(crate) portal_token_file: Option<PathBuf>,

    /// The root certificate (PEM or DER) uploaded PDFs' own signatures (PAdES) must chain up
    /// to, as for checking files; without it their chains are reported not checked.
    #[arg(long, value_name = "FILE")]
    pub(crate) pki_root: Option<PathBuf>,
}

/// `hocba-verify admissions`.
#[derive(Debug, Args)]
pub(crate) struct AdmissionsArgs {
    /// The admission scheme (TOML; schema/docs/admissions.md), e.g.
    /// verifier/schemes/thong-tu-06-2025-ca-nam-lop-12.toml.
    #[arg(long, value_name = "FILE")]
    pub(crate) scheme: PathBuf,

    /// Where the ranked table is written: `.xlsx`, `.csv` or `.json`.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,

    /// An offline trust bundle (`hocba-issuer bundle --out FILE`).
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "online",
        conflicts_with = "online"
    )]
    pub(crate) bundle: Option<PathBuf>,

    /// Fetch trust material from the issuer at URL (and redeem share codes there with
    /// --portal-token-file).
    #[arg(long, value_name = "URL")]
    pub(crate) online: Option<String>,

    /// A file holding the portal's bearer token for redeeming share codes at --online.
    #[arg(long, value_name = "FILE", requires = "online")]
    pub(crate) portal_token_file: Option<PathBuf>,

    /// Candidate lines `id; share codes; area; policy group; bonus` (one per line; every part
    /// after the id optional): share codes to redeem, and priority for candidates whose files
    /// are given.
    #[arg(long, value_name = "FILE")]
    pub(crate) candidates: Option<PathBuf>,

    /// The authority's public key; without it the built-in DEVELOPMENT key, with a warning.
    #[arg(long, value_name = "FILE")]
    pub(crate) authority: Option<PathBuf>,

    /// Where trust material is cached (--online).
    #[arg(long, value_name = "DIR", default_value = hocba_verifier::online::DEFAULT_CACHE_DIR)]
    pub(crate) cache_dir: PathBuf,

    /// Judge at this time (RFC 3339) instead of now.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub(crate) at: Option<OffsetDateTime>,

    /// The records: PDFs or credential JSON named `ID_…` (TS-001_lop12.pdf), folders of them
    /// (one folder per candidate: its name is the id), or ZIPs laid out either way.
    #[arg(value_name = "ITEMS")]
    pub(crate) items: Vec<PathBuf>,
}

fn parse_time(text: &str) -> Result<OffsetDateTime, String> {
    hocba_schema::credential::parse_time("--at", text).map_err(|e| e.to_string())
}

/// `7d`, `24h`, `90m`, `3600s` (a bare number is days).
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, "d"),
    };
    let n: i64 = number
        .parse()
        .map_err(|_| format!("{text:?}: expected a number and a unit, e.g. 7d, 24h, 90m"))?;
    match unit {
        "d" => Ok(Duration::days(n)),
        "h" => Ok(Duration::hours(n)),
        "m" => Ok(Duration::minutes(n)),
        "s" => Ok(Duration::seconds(n)),
        other => Err(format!(
            "{text:?}: unknown unit {other:?}; use d, h, m or s"
        )),
    }
}
