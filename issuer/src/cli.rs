//! Command-line arguments of `hocba-issuer` (clap only; the work happens in the library).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Issue học bạ số: sign school-year records as W3C Verifiable Credentials.
#[derive(Debug, Parser)]
#[command(name = "hocba-issuer", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Validate a record and print its signed credential.
    Sign {
        /// The record (JSON, as in schema/examples/).
        record: PathBuf,
        #[command(flatten)]
        keys: KeyArgs,
        /// Sign even if validation reports warnings (derived results that disagree, …).
        #[arg(long)]
        accept_warnings: bool,
        /// Write the credential here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Render a signed credential as the printed record: A4 PDF with the QR summary (signed
    /// with the key that signed the credential, from --keys, or --key) and the credential
    /// embedded as hocba-credential.json.
    Pdf {
        /// The signed credential (JSON).
        credential: PathBuf,
        /// Where to write the PDF.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        keys: KeyArgs,
        /// Base URL of the verifier page the QR code opens.
        #[arg(long, default_value = hocba_issuer::pdf::DEFAULT_VERIFIER_URL)]
        verifier_url: String,
        /// The PKI folder of the PDF signatures (PAdES) [default: DIR/pki of --keys]: when it
        /// holds the school's seal certificate, the PDF is signed by the principal, then the
        /// seal.
        #[arg(long, value_name = "DIR")]
        pki: Option<PathBuf>,
        /// The principal's key on a PKCS#11 token (as `serve --principal-token`): the PDF is
        /// signed by it, then the seal. The PIN comes from the URI's `pin-source=file:` or from
        /// HOCBA_PRINCIPAL_PIN, never from an argument.
        #[arg(long, value_name = "URI", env = "HOCBA_PRINCIPAL_TOKEN")]
        principal_token: Option<String>,
    },
    /// Run the school API (HTTP) until SIGTERM or Ctrl-C.
    Serve(Box<ServeCli>),
    /// API tokens.
    Token {
        #[command(subcommand)]
        action: TokenCommand,
    },
    /// Import a class (CSV, XLSX or JSON), store and sign every record, write one credential
    /// file per pupil.
    Issue(Box<IssueCli>),
    /// Write a synthetic province (one JSON array per school) for benchmarks and tests.
    #[command(name = "gen-province")]
    GenProvince {
        /// Number of pupils.
        #[arg(long, default_value_t = 60_000)]
        pupils: usize,
        /// Seed (the same seed gives the same province).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Directory for the files.
        #[arg(long)]
        out: PathBuf,
    },
    /// Write a synthetic nation for the federation: a root, provinces and schools, each school
    /// with its key in its province's signed trust list and one signed status list (what
    /// `bundle --national` packs). Nothing it signs is real: every key derives from --seed.
    #[command(name = "gen-nation", visible_alias = "synthetic-nation")]
    GenNation {
        /// Number of provinces (1–89).
        #[arg(long, default_value_t = 34)]
        provinces: usize,
        /// Number of schools, spread over the provinces.
        #[arg(long, default_value_t = 54_000)]
        schools: usize,
        /// Revoked indices per status list.
        #[arg(long, default_value_t = 5)]
        revoked: usize,
        /// Seed (the same seed gives the same nation).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Base URL the provinces publish under (province P at BASE/pP).
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        base_url: String,
        /// Directory for the files.
        #[arg(long)]
        out: PathBuf,
    },
    /// Make a new Ed25519 key (PKCS#8 PEM, mode 0600) and its public key beside it.
    Keygen {
        /// Where to write the private key; `<out without .pem>.pub.pem` gets the public key.
        #[arg(long)]
        out: PathBuf,
    },
    /// Make and sign a trust list from a plain description of schools (TOML).
    #[command(name = "trust-list")]
    TrustList {
        /// The description (see keys/dev/schools.toml).
        #[arg(long)]
        schools: PathBuf,
        /// The authority's private key.
        #[arg(long)]
        authority_key: PathBuf,
        /// Version number; must grow with each publication (default: seconds since 1970).
        #[arg(long = "list-version")]
        list_version: Option<u64>,
        /// Where to write the signed list.
        #[arg(long)]
        out: PathBuf,
    },
    /// The PKI of the PDF signatures (PAdES).
    Pki {
        #[command(subcommand)]
        action: PkiCommand,
    },
    /// Revoke a credential (its record becomes revoked; its status list bit is set at the
    /// next publication). Audited.
    Revoke {
        /// The credential id (`urn:uuid:…`).
        credential_id: String,
        /// Why (kept in the store and the audit log, and published in the signed status
        /// list): at most 200 characters on one line, no personal data.
        #[arg(long)]
        reason: String,
        /// Database (as for `serve`).
        #[arg(
            long,
            env = "DATABASE_URL",
            default_value = "sqlite://./data/hocba.db",
            hide_env_values = true
        )]
        database_url: String,
    },
    /// The authority's trust list life cycle: register schools, add, retire and compromise
    /// keys, publish a new signed version.
    Authority(crate::commands::authority::AuthorityCli),
    /// The root role of the trust federation (the Ministry): sign the national trust list.
    National(crate::commands::national::NationalCli),
    /// Write the offline trust bundle: the trust list and every school's signed status list.
    Bundle {
        /// Where to write the bundle (JSON; gzip-compressed when the name ends in `.gz`).
        #[arg(long)]
        out: PathBuf,
        /// Database (as for `serve`).
        #[arg(
            long,
            env = "DATABASE_URL",
            default_value = "sqlite://./data/hocba.db",
            hide_env_values = true
        )]
        database_url: String,
        /// Key directory: `trust-list.json` and one `school-<code>.pem` per school.
        #[arg(long = "keys", default_value = "keys/dev")]
        keys: PathBuf,
        /// Public base URL the credentials' status-list URLs start with.
        #[arg(
            long,
            env = "HOCBA_PUBLIC_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        public_url: String,
        /// A national bundle instead: the signed national trust list (FILE); with
        /// `--from-bundle` (each province's bundle) and optionally `--province` (only these).
        #[arg(long, requires = "from_bundle", requires = "root_public_key")]
        national: Option<PathBuf>,
        /// A province's bundle to put in the national bundle (repeat for each province).
        #[arg(long, requires = "national")]
        from_bundle: Vec<PathBuf>,
        /// Only these province codes (repeat; default: every bundle given).
        #[arg(long, requires = "national")]
        province: Vec<String>,
        /// The root's public key (SPKI PEM or z6Mk…), to check the national list.
        #[arg(long, requires = "national")]
        root_public_key: Option<PathBuf>,
    },
}

/// Arguments of `hocba-issuer serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct ServeCli {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(crate) listen: std::net::SocketAddr,
    /// Database: `sqlite://FILE` (created and migrated on first start) or `postgres://…`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://./data/hocba.db",
        hide_env_values = true
    )]
    pub(crate) database_url: String,
    /// PostgreSQL schema for the tables (created if missing).
    #[arg(long)]
    pub(crate) database_schema: Option<String>,
    /// Key directory: `trust-list.json` and one `school-<code>.pem` per school; or a PKCS#11
    /// URI (`pkcs11:token=…?module-path=…&pin-source=file:…`): Ed25519 keys labelled
    /// `school-<code>` on the token.
    #[arg(long = "keys", default_value = "keys/dev")]
    pub(crate) keys: PathBuf,
    /// Directory of `trust-list.json` and `authority.pub.pem` when the keys are on a token
    /// [default: the key directory; keys/dev for a token].
    #[arg(long, value_name = "DIR", env = "HOCBA_TRUST_DIR")]
    pub(crate) trust_dir: Option<PathBuf>,
    /// The principals' keys on PKCS#11 tokens, unlocked by the principal's PIN at signing time
    /// (`principalPin`, the sign form's PIN field): a URI without a PIN, e.g.
    /// `pkcs11:?module-path=/usr/lib/softhsm/libsofthsm2.so` (token `principal-<code>`, key
    /// `principal-<code>`). Each batch then stores its PAdES-signed PDFs.
    #[arg(long, value_name = "URI", env = "HOCBA_PRINCIPAL_TOKEN")]
    pub(crate) principal_token: Option<String>,
    /// Public base URL written into credentials' status-list URLs (default: http://LISTEN).
    #[arg(long)]
    pub(crate) public_url: Option<String>,
    /// Base URL of the verifier page the QR codes of served PDFs open.
    #[arg(long, default_value = hocba_issuer::pdf::DEFAULT_VERIFIER_URL)]
    pub(crate) verifier_url: String,
    /// Log lines: `text` for a person, `json` (one object a line) for a log collector.
    #[arg(long, env = "HOCBA_LOG_FORMAT", value_enum, default_value_t = LogFormatArg::Text)]
    pub(crate) log_format: LogFormatArg,
    /// Bearer token (at least 32 characters) that `GET /metrics` asks for, from any address;
    /// without it only loopback clients may read /metrics. Prefer the environment variable:
    /// a command line is visible to every user of the machine.
    #[arg(long, env = "HOCBA_METRICS_TOKEN", hide_env_values = true)]
    pub(crate) metrics_token: Option<String>,
}

/// The log formats of `serve`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LogFormatArg {
    /// Plain text.
    Text,
    /// One JSON object a line.
    Json,
}

#[derive(Debug, Subcommand)]
pub(crate) enum TokenCommand {
    /// Create a user and a bearer token for it; the token is printed once.
    Create {
        /// The school's code (not for the authority).
        #[arg(long)]
        school: Option<String>,
        /// principal, teacher, authority, guardian (of one pupil: --school and --pupil) or
        /// portal (an admissions portal: no --school).
        #[arg(long)]
        role: String,
        /// For a guardian: the pupil's id (pupilId of its records) or student code.
        #[arg(long)]
        pupil: Option<String>,
        /// Name of the user, shown in the audit log.
        #[arg(long)]
        name: Option<String>,
        /// Days until the token expires.
        #[arg(long, default_value_t = 90)]
        ttl_days: i64,
        /// Database (as for `serve`).
        #[arg(
            long,
            env = "DATABASE_URL",
            default_value = "sqlite://./data/hocba.db",
            hide_env_values = true
        )]
        database_url: String,
    },
}

/// Arguments of `hocba-issuer issue`.
#[derive(Debug, clap::Args)]
pub(crate) struct IssueCli {
    /// The class's results: .csv, .xlsx (templates in issuer/templates/) or .json.
    #[arg(long)]
    pub(crate) input: PathBuf,
    /// Directory for the credential files (`<class>-<pupil name in ASCII>-<short id>.json`)
    /// and, unless --no-pdf, their printed records beside them (`….pdf`).
    #[arg(long)]
    pub(crate) out: PathBuf,
    #[command(flatten)]
    pub(crate) keys: KeyArgs,
    /// Database (`sqlite://…` or `postgres://…`).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://./data/hocba.db")]
    pub(crate) database_url: String,
    /// PostgreSQL schema for the tables (created if missing).
    #[arg(long)]
    pub(crate) database_schema: Option<String>,
    /// Sign rows whose only problems are warnings.
    #[arg(long)]
    pub(crate) accept_warnings: bool,
    /// Base URL of the verifier page the QR codes of the PDFs open.
    #[arg(long, default_value = hocba_issuer::pdf::DEFAULT_VERIFIER_URL)]
    pub(crate) verifier_url: String,
    /// Write only the credential files, no PDFs.
    #[arg(long)]
    pub(crate) no_pdf: bool,
    /// The principal's key on a PKCS#11 token (as `serve --principal-token`): each PDF is
    /// signed by it, then the seal. The PIN comes from the URI's `pin-source=file:` or from
    /// HOCBA_PRINCIPAL_PIN, never from an argument.
    #[arg(long, value_name = "URI", env = "HOCBA_PRINCIPAL_TOKEN")]
    pub(crate) principal_token: Option<String>,
    /// Base URL of the public service (status lists at `{base}/status/{school}/{list}`).
    #[arg(
        long,
        env = "HOCBA_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub(crate) public_base_url: String,
    /// School year for every row (when the file has no "Năm học" column).
    #[arg(long)]
    pub(crate) school_year: Option<String>,
    /// Grade for every row (when the file has no "Khối" column).
    #[arg(long)]
    pub(crate) grade: Option<u8>,
    /// Class for every row (when the file has no "Lớp" column).
    #[arg(long = "class")]
    pub(crate) class_name: Option<String>,
    /// Any column's value for every row, as `Header=value` (repeatable).
    #[arg(long = "set", value_name = "HEADER=VALUE")]
    pub(crate) set: Vec<String>,
}

/// Where signing keys come from: the same flags on every command that signs.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct KeyArgs {
    /// Key directory: the schools' private keys `school-<code>[-<suffix>].pem` and the
    /// authority's public key `authority.pub.pem`. Each record is signed with its own
    /// school's key that is active now in the (verified) trust list. Or a PKCS#11 URI
    /// (`pkcs11:token=…?module-path=…&pin-source=file:…`): keys labelled `school-<code>`.
    #[arg(long = "keys", value_name = "DIR|URI", default_value = hocba_issuer::app::keyring::DEFAULT_KEY_DIR)]
    pub(crate) keys: PathBuf,
    /// Directory of `trust-list.json` and `authority.pub.pem` [default: the key directory;
    /// keys/dev when --keys is a PKCS#11 URI].
    #[arg(long, value_name = "DIR", env = "HOCBA_TRUST_DIR")]
    pub(crate) trust_dir: Option<PathBuf>,
    /// Override: sign with this private key (PKCS#8 PEM, or a PKCS#11 URI whose `object=`
    /// names the key's label) instead; it must still be active in the trust list.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
    /// The trust list [default: DIR/trust-list.json], checked against the authority's key.
    #[arg(long, value_name = "FILE")]
    pub(crate) trust_list: Option<PathBuf>,
    /// The authority's public key [default: DIR/authority.pub.pem].
    #[arg(long, value_name = "FILE")]
    pub(crate) authority: Option<PathBuf>,
}

/// `hocba-issuer pki …`.
#[derive(Debug, Subcommand)]
pub(crate) enum PkiCommand {
    /// Make the development PKI: a development root CA, a seal certificate for each school of
    /// the description and a personal certificate for each principal it names (all ECDSA
    /// P-256, public development material, never for real records).
    Init {
        /// Where to write it.
        #[arg(long, default_value = "keys/dev/pki")]
        out: PathBuf,
        /// The plain school description (schools, their principals).
        #[arg(long, default_value = "keys/dev/schools.toml")]
        schools: PathBuf,
    },
}
