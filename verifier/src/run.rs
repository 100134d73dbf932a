//! What `hocba-verify` does: read the authority key, the trust list and each credential (with
//! size caps, so a 50 MB file is an error and not an out-of-memory), verify, print, and choose
//! the exit status. The only code of the crate that reads files and the clock.
//!
//! A trust list that cannot be *read* (missing, not JSON, too large) means nothing could be
//! checked: exit 2. A trust list that was read but is *not vouched for* by the authority (bad
//! signature, another key, unsigned, not a trust list) is shown as a not-valid verdict for every
//! credential with the `trust_list` check failed, exit 1: the person must see that the material
//! offered as proof is itself not genuine, not merely that a check "could not run".

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, anyhow, bail};
use hocba_verifier::bundle::{MAX_BUNDLE_BYTES, TrustBundle};
use hocba_verifier::danger::dev_authority;
use hocba_verifier::online::{Clock, Material, OnlineConfig, OnlineTrust, status_list_urls};
use hocba_verifier::pdf::{MAX_PDF_BYTES, extract_credential, is_pdf};
use hocba_verifier::qr::{Binding, MAX_IMAGE_BYTES, SummaryVerdict};
use hocba_verifier::service::{AppState, Judging, Limits, TrustSource, router};
use hocba_verifier::status::{MAX_STATUS_LIST_BYTES, StatusLists};
use hocba_verifier::verdict::Subject;
use hocba_verifier::{
    MAX_CREDENTIAL_BYTES, MAX_TRUST_LIST_BYTES, Outcome, TrustedAuthority, Verdict, VerdictResult,
    VerifiedTrustList, VerifyError, VerifyOptions, check_binding, decode_qr_image,
    verdict_without_trust_list, verify_credential_with, verify_summary,
};
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::cli::{Cli, Command, ServeArgs};

/// Largest authority key file read (a PEM is ~113 bytes).
const MAX_KEY_FILE_BYTES: usize = 64 << 10;

/// The exit status; the worst of all credentials wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    Valid = 0,
    Invalid = 1,
    Unchecked = 2,
}

/// Run the command and return its exit status.
pub(crate) fn run(cli: Cli) -> ExitCode {
    match &cli.command {
        Some(Command::Serve(args)) => return serve(args),
        Some(Command::BenchRaw { seconds }) => return bench_raw(*seconds),
        None => {}
    }
    let status = match execute(&cli) {
        Ok(status) => status,
        Err(failure) => {
            failure.print();
            Status::Unchecked
        }
    };
    ExitCode::from(status as u8)
}

/// An error that stops the whole run, with a hint of what to do.
struct Failure {
    error: anyhow::Error,
    hint: Option<String>,
}

impl Failure {
    fn new(error: anyhow::Error, hint: Option<String>) -> Self {
        Self { error, hint }
    }

    fn print(&self) {
        eprintln!("hocba-verify: error: {:#}", self.error);
        if let Some(hint) = &self.hint {
            eprintln!("hocba-verify: hint: {hint}");
        }
    }
}

/// The trust list as far as it could be verified.
enum Trust {
    Verified(Arc<VerifiedTrustList>),
    /// Read, but the authority does not vouch for it.
    Rejected(VerifyError),
}

fn execute(cli: &Cli) -> Result<Status, Failure> {
    // The one place the clock is read.
    #[allow(clippy::disallowed_methods)]
    let now = cli.at.unwrap_or_else(OffsetDateTime::now_utc);
    let authority = load_authority(cli.authority.as_deref())?;
    let mut options = VerifyOptions::default();
    if let Some(days) = cli.max_trust_list_age {
        options = options.with_max_trust_list_age(Duration::days(i64::from(days)));
    }
    let mut worst = Status::Valid;
    let mut bundle_info = None;
    if !cli.status_list.is_empty() {
        options = options.with_status_lists(Arc::new(load_status_lists(&cli.status_list)?));
    }
    if cli.max_age.is_some() && cli.bundle.is_none() && cli.online.is_none() {
        return Err(Failure::new(
            anyhow!("--max-age applies to trust material from --bundle or --online"),
            Some("give --bundle FILE or --online URL with --max-age".into()),
        ));
    }
    let online = match &cli.online {
        Some(url) => Some(Online::start(url, &cli.cache_dir, authority.clone(), now)?),
        None => None,
    };
    if let (Some(max), Some(_)) = (cli.max_age, &online) {
        options = options.with_max_status_list_age(max);
    }
    let trust = match (&cli.bundle, &online) {
        (None, Some(online)) => Trust::Verified(online.trust_list()?),
        (None, None) => load_trust_list(cli, &authority)?,
        (Some(_), Some(_)) => unreachable_online_with_bundle()?,
        (Some(path), None) => match load_bundle(path, &authority)? {
            Ok(bundle) => {
                let age = bundle.age(now);
                let info = BundleInfo {
                    created_at: bundle.created_at(),
                    age,
                    status_lists: bundle.status_lists().len(),
                };
                eprintln!(
                    "hocba-verify: bundle {}: made {}, {} old, {} status list(s) / gói tin cậy tạo lúc {}, đã {}",
                    path.display(),
                    info.created_at.format(&Rfc3339).unwrap_or_default(),
                    show_age(age),
                    info.status_lists,
                    info.created_at.format(&Rfc3339).unwrap_or_default(),
                    show_age(age),
                );
                options = options.with_status_lists(bundle.status_lists());
                if let Some(max) = cli.max_age {
                    options = options.with_max_status_list_age(max);
                    if age > max {
                        eprintln!(
                            "hocba-verify: the bundle is {} old, more than --max-age {}: get a newer one                              / gói tin cậy đã quá cũ, hãy tải bản mới",
                            show_age(age),
                            show_age(max)
                        );
                        worst = Status::Invalid;
                    }
                }
                bundle_info = Some(info);
                Trust::Verified(Arc::new(bundle.into_trust_list()))
            }
            Err(rejected) => Trust::Rejected(rejected),
        },
    };

    let stdout = io::stdout();
    let mut out = stdout.lock();
    // QR texts to verify (from --qr and from photos), and credential JSON bytes seen (for
    // the binding check).
    let mut scanned: Vec<(String, String)> = cli
        .qr
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("--qr #{}", i + 1), t.clone()))
        .collect();
    let mut credentials_seen: Vec<(String, Vec<u8>)> = Vec::new();
    for path in &cli.credentials {
        let mut label = path.display().to_string();
        let (limit, what) = read_limit(path);
        let input = read_capped(path, limit, what).and_then(|bytes| {
            if is_image(&bytes) {
                let text = decode_qr_image(&bytes).map_err(|e| {
                    anyhow!(e).context(format!("cannot read the QR code in {label}"))
                })?;
                Ok(Input::Qr(text))
            } else if is_pdf(&bytes) {
                let json = extract_credential(&bytes)
                    .map_err(|e| anyhow!(e).context(format!("cannot read {label}")))?;
                Ok(Input::Credential(json))
            } else {
                Ok(Input::Credential(bytes))
            }
        });
        let bytes = match input {
            Ok(Input::Qr(text)) => {
                scanned.push((label, text));
                continue;
            }
            Ok(Input::Credential(bytes)) => bytes,
            Err(error) => {
                report_error(&mut out, cli.json, &label, &error);
                worst = worst.max(Status::Unchecked);
                continue;
            }
        };
        if is_pdf_path(path) {
            label = format!("{label} ({})", hocba_verifier::pdf::EMBEDDED_NAME);
        }
        let outcome = match &trust {
            Trust::Verified(list) => {
                let (list, options) = match &online {
                    Some(online) => online.for_credential(&bytes, list, &options),
                    None => (Arc::clone(list), options.clone()),
                };
                verify_credential_with(&bytes, &list, now, &options)
                    .map_err(|e| anyhow!(e).context(format!("cannot check {label}")))
            }
            Trust::Rejected(e) => {
                let (reason, detail) = e.trust_list_rejection().unwrap_or((
                    hocba_verifier::Reason::TrustListMalformed,
                    "the trust list was rejected",
                ));
                verdict_without_trust_list(&bytes, reason, detail)
                    .map_err(|e| anyhow!(e).context(format!("cannot read {label}")))
            }
        };
        let status = match outcome {
            Ok(verdict) => {
                let status = if verdict.is_valid() {
                    Status::Valid
                } else {
                    Status::Invalid
                };
                let written = if cli.json {
                    write_json(&mut out, &label, &verdict, bundle_info.as_ref(), now)
                } else {
                    write_text(&mut out, &label, &verdict, bundle_info.as_ref())
                };
                if let Err(e) = written {
                    return Err(Failure::new(
                        anyhow!(e).context("cannot write the report"),
                        None,
                    ));
                }
                status
            }
            Err(error) => {
                report_error(&mut out, cli.json, &label, &error);
                Status::Unchecked
            }
        };
        credentials_seen.push((label, bytes));
        worst = worst.max(status);
    }
    for (label, text) in &scanned {
        let status = match &trust {
            Trust::Rejected(e) => {
                let error = anyhow!("the trust list was rejected: {e}");
                report_error(&mut out, cli.json, label, &error);
                Status::Invalid
            }
            Trust::Verified(list) => match verify_summary(text, list, now) {
                Ok(verdict) => {
                    // With status lists (bundle, --status-list): revocation at the QR's index.
                    let held = options.status_lists.clone().or_else(|| {
                        online
                            .as_ref()
                            .and_then(|o| o.trust.material())
                            .map(|m| Arc::clone(&m.status_lists))
                    });
                    let status = match (verdict.verified(), verdict.info().status_index, &held) {
                        (Some(v), Some(index), Some(lists)) => lists.summary_status(
                            &v.school().id,
                            index,
                            list,
                            now,
                            options.max_status_list_age,
                        ),
                        _ => None,
                    };
                    let verdict = match status {
                        Some(check) => verdict.with_status(check),
                        None => verdict,
                    };
                    let bindings: Vec<(String, anyhow::Result<Binding>)> = credentials_seen
                        .iter()
                        .map(|(name, bytes)| {
                            (
                                name.clone(),
                                check_binding(verdict.signed_summary().summary(), bytes)
                                    .map_err(|e| anyhow!(e)),
                            )
                        })
                        .collect();
                    let mut status = if verdict.is_valid() {
                        Status::Valid
                    } else {
                        Status::Invalid
                    };
                    for (_, b) in &bindings {
                        match b {
                            Ok(b) if b.matches() => {}
                            Ok(_) => status = status.max(Status::Invalid),
                            Err(_) => status = status.max(Status::Unchecked),
                        }
                    }
                    let written = if cli.json {
                        write_summary_json(&mut out, label, &verdict, &bindings)
                    } else {
                        write_summary_text(&mut out, label, &verdict, &bindings)
                    };
                    if let Err(e) = written {
                        return Err(Failure::new(
                            anyhow!(e).context("cannot write the report"),
                            None,
                        ));
                    }
                    status
                }
                Err(e) => {
                    let error = anyhow!(e).context(format!("cannot read the QR text of {label}"));
                    report_error(&mut out, cli.json, label, &error);
                    Status::Unchecked
                }
            },
        };
        worst = worst.max(status);
    }
    Ok(worst)
}

/// What a file turned out to hold.
enum Input {
    Qr(String),
    Credential(Vec<u8>),
}

fn is_image(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x89PNG\r\n\x1a\n") || bytes.starts_with(&[0xFF, 0xD8, 0xFF])
}

/// The size cap for a file, by its extension: credential JSON (and standard input) 1 MiB, PDF
/// 16 MiB, images and anything else 32 MiB (the content decides what it is).
fn read_limit(path: &Path) -> (usize, &'static str) {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        _ if path == Path::new("-") => (MAX_CREDENTIAL_BYTES, "credential"),
        Some("json") => (MAX_CREDENTIAL_BYTES, "credential"),
        Some("pdf") => (MAX_PDF_BYTES, "PDF"),
        Some("png" | "jpg" | "jpeg") => (MAX_IMAGE_BYTES, "image"),
        _ => (MAX_IMAGE_BYTES, "file"),
    }
}

fn is_pdf_path(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
}

fn report_error(out: &mut impl Write, json: bool, label: &str, error: &anyhow::Error) {
    eprintln!("hocba-verify: error: {error:#}");
    if json {
        let line = serde_json::json!({
            "file": label,
            "result": "error",
            "error": format!("{error:#}"),
        });
        // A closed stdout shows up again on the next write; nothing to add here.
        let _ = writeln!(out, "{line}");
    }
}

fn write_summary_json(
    out: &mut impl Write,
    label: &str,
    verdict: &SummaryVerdict,
    bindings: &[(String, anyhow::Result<Binding>)],
) -> io::Result<()> {
    let mut line = Map::new();
    line.insert("qr".into(), label.into());
    match serde_json::to_value(verdict) {
        Ok(Value::Object(fields)) => line.extend(fields),
        Ok(other) => {
            line.insert("report".into(), other);
        }
        Err(e) => return Err(io::Error::other(e)),
    }
    let bindings: Vec<Value> = bindings
        .iter()
        .map(|(name, b)| match b {
            Ok(b) => serde_json::json!({"file": name, "matches": b.matches(), "hashMatches": b.hash_matches, "idMatches": b.id_matches}),
            Err(e) => serde_json::json!({"file": name, "error": format!("{e:#}")}),
        })
        .collect();
    if !bindings.is_empty() {
        line.insert("bindings".into(), Value::Array(bindings));
    }
    writeln!(out, "{}", Value::Object(line))
}

fn write_summary_text(
    out: &mut impl Write,
    label: &str,
    verdict: &SummaryVerdict,
    bindings: &[(String, anyhow::Result<Binding>)],
) -> io::Result<()> {
    let headline = if verdict.is_valid() {
        "MÃ QR HỢP LỆ — QR VALID"
    } else {
        "MÃ QR KHÔNG HỢP LỆ — QR NOT VALID"
    };
    writeln!(out, "{label}: {headline}")?;
    if !verdict.is_valid() {
        let m = verdict.message();
        writeln!(out, "  Lý do:  {}", m.vi)?;
        writeln!(out, "  Reason: {}", m.en)?;
    }
    if let Some(r) = verdict.revocation() {
        writeln!(out, "  {}\n  {}", r.describe_vi(), r.describe_en())?;
    }
    let s = verdict.info();
    writeln!(
        out,
        "  Trường / School: {} (mã / code {})",
        verdict.school_name().unwrap_or("?"),
        s.school_code
    )?;
    writeln!(
        out,
        "  Học sinh / Pupil: {} · sinh / born {} · năm học / year {} · lớp / class {} · khối / grade {}",
        s.pupil_name, s.date_of_birth, s.school_year, s.class_name, s.grade
    )?;
    writeln!(out, "  {} · {}", s.results, s.promotion)?;
    if let Some(award) = &s.award {
        writeln!(out, "  Khen thưởng / Award: {award}")?;
    }
    if let Some(c) = &s.completion {
        writeln!(out, "  {c}")?;
    }
    writeln!(
        out,
        "  Mã hồ sơ / Credential: {} · ký lúc / signed {}",
        s.credential_id, s.signed_at
    )?;
    writeln!(out, "  SHA-256: {}", s.credential_sha256)?;
    for check in verdict.checks() {
        let mark = match check.outcome {
            Outcome::Passed => "✓",
            Outcome::Failed => "✗",
            Outcome::Warning => "!",
            Outcome::NotChecked => "–",
        };
        writeln!(
            out,
            "  {mark} {:<16} {} / {}",
            check.name.as_str(),
            check.message.vi,
            check.message.en
        )?;
        if check.outcome != Outcome::Passed
            && let Some(detail) = &check.detail
        {
            writeln!(out, "    {:<16} {detail}", "")?;
        }
    }
    for (name, b) in bindings {
        match b {
            Ok(b) if b.matches() => writeln!(
                out,
                "  ✓ binding          {name} là hồ sơ của mã QR này / is the record this QR summarises"
            )?,
            Ok(b) => writeln!(
                out,
                "  ✗ binding          {name} KHÔNG khớp mã QR / does NOT match this QR (hash {}, id {})",
                if b.hash_matches { "ok" } else { "differs" },
                if b.id_matches { "ok" } else { "differs" }
            )?,
            Err(e) => writeln!(out, "  – binding          {name}: {e:#}")?,
        }
    }
    Ok(())
}

fn load_authority(path: Option<&Path>) -> Result<TrustedAuthority, Failure> {
    let Some(path) = path else {
        eprintln!(
            "hocba-verify: WARNING: no --authority given: using the built-in DEVELOPMENT authority \
             key. It is public; what it vouches for is not a real record.\n\
             hocba-verify: CẢNH BÁO: không có --authority: đang dùng khóa PHÁT TRIỂN có sẵn. \
             Khóa này công khai; hồ sơ được nó xác nhận không phải hồ sơ thật."
        );
        return dev_authority().map_err(|e| Failure::new(anyhow!(e), None));
    };
    let hint = || {
        Some(
            "--authority takes the authority's public key: an SPKI PEM (openssl pkey -pubout) \
             or a file containing its z6Mk… publicKeyMultibase"
                .to_owned(),
        )
    };
    let bytes = read_capped(path, MAX_KEY_FILE_BYTES, "authority key")
        .map_err(|e| Failure::new(e, hint()))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Failure::new(
            anyhow!("the authority key {} is not UTF-8 text", path.display()),
            hint(),
        )
    })?;
    TrustedAuthority::from_key_file_text(&text).map_err(|e| {
        Failure::new(
            anyhow!(e).context(format!(
                "cannot use {} as the authority key",
                path.display()
            )),
            hint(),
        )
    })
}

fn load_trust_list(cli: &Cli, authority: &TrustedAuthority) -> Result<Trust, Failure> {
    let path = &cli.trust_list;
    let bytes = read_capped(path, MAX_TRUST_LIST_BYTES, "trust list").map_err(|e| {
        Failure::new(
            e,
            Some(
                "give the authority's signed trust list with --trust-list FILE \
                 (development: `hocba-issuer trust-list` writes keys/dev/trust-list.json)"
                    .into(),
            ),
        )
    })?;
    match authority.verify_trust_list(&bytes) {
        Ok(list) => Ok(Trust::Verified(Arc::new(list))),
        Err(e) if e.trust_list_rejection().is_some() => {
            eprintln!(
                "hocba-verify: the trust list {} is not vouched for by the authority key {}: {e}",
                path.display(),
                authority.public_key_multibase()
            );
            Ok(Trust::Rejected(e))
        }
        Err(e) => Err(Failure::new(
            anyhow!(e).context(format!("cannot read the trust list {}", path.display())),
            None,
        )),
    }
}

/// Status list files, each under its own `id` (the URL credentials name).
fn load_status_lists(paths: &[PathBuf]) -> Result<StatusLists, Failure> {
    let mut lists = StatusLists::new();
    for path in paths {
        let bytes = read_capped(path, MAX_STATUS_LIST_BYTES, "status list")
            .map_err(|e| Failure::new(e, None))?;
        let id = serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|v| v.get("id")?.as_str().map(str::to_owned))
            .ok_or_else(|| {
                Failure::new(
                    anyhow!(
                        "{} is not a status list credential with an id",
                        path.display()
                    ),
                    Some(
                        "give the JSON served at the credential's statusListCredential URL".into(),
                    ),
                )
            })?;
        lists.insert(id, bytes);
    }
    Ok(lists)
}

/// What the report says about the offline bundle used.
struct BundleInfo {
    created_at: OffsetDateTime,
    age: Duration,
    status_lists: usize,
}

/// `3 days 4 h`, `5 h 10 min`, `42 min`.
fn show_age(age: Duration) -> String {
    let (days, hours, minutes) = (
        age.whole_days(),
        age.whole_hours() % 24,
        age.whole_minutes() % 60,
    );
    if days != 0 {
        format!("{days} days {hours} h")
    } else if hours != 0 {
        format!("{hours} h {minutes} min")
    } else {
        format!("{minutes} min")
    }
}

/// Read and open the bundle: `Ok(Err(_))` when its trust list is not vouched for (shown as a
/// not-valid verdict, like a rejected --trust-list).
fn load_bundle(
    path: &Path,
    authority: &TrustedAuthority,
) -> Result<Result<TrustBundle, VerifyError>, Failure> {
    let hint = || {
        Some(
            "give the file written by `hocba-issuer bundle --out FILE` or downloaded from              /api/v1/bundle"
                .to_owned(),
        )
    };
    let bytes =
        read_capped(path, MAX_BUNDLE_BYTES, "trust bundle").map_err(|e| Failure::new(e, hint()))?;
    match TrustBundle::open(&bytes, authority) {
        Ok(bundle) => Ok(Ok(bundle)),
        Err(e) if e.trust_list_rejection().is_some() => {
            eprintln!(
                "hocba-verify: the trust list in {} is not vouched for by the authority key {}: {e}",
                path.display(),
                authority.public_key_multibase()
            );
            Ok(Err(e))
        }
        Err(e) => Err(Failure::new(
            anyhow!(e).context(format!("cannot read the trust bundle {}", path.display())),
            hint(),
        )),
    }
}

/// Read at most `limit` bytes of `path` (`-` = standard input); larger input is an error named
/// with its size, found before reading it all.
fn read_capped(path: &Path, limit: usize, what: &str) -> anyhow::Result<Vec<u8>> {
    let too_large = |size: String| {
        anyhow!(
            "the {what} {} is {size} bytes; the limit is {limit} bytes",
            path.display()
        )
    };
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        io::stdin()
            .lock()
            .take(cap)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read the {what} from standard input"))?;
    } else {
        let file = File::open(path)
            .with_context(|| format!("cannot open the {what} {}", path.display()))?;
        let size = file
            .metadata()
            .with_context(|| format!("cannot read the {what} {}", path.display()))?
            .len();
        if size > cap - 1 {
            return Err(too_large(size.to_string()));
        }
        file.take(cap)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read the {what} {}", path.display()))?;
    }
    if bytes.len() > limit {
        bail!(too_large(format!("more than {limit}")));
    }
    Ok(bytes)
}

fn write_json(
    out: &mut impl Write,
    label: &str,
    verdict: &Verdict,
    bundle: Option<&BundleInfo>,
    now: OffsetDateTime,
) -> io::Result<()> {
    let mut line = Map::new();
    line.insert("file".into(), label.into());
    match serde_json::to_value(verdict) {
        Ok(Value::Object(fields)) => line.extend(fields),
        Ok(other) => {
            line.insert("report".into(), other);
        }
        Err(e) => return Err(io::Error::other(e)),
    }
    if let Some(b) = bundle {
        line.insert(
            "bundle".into(),
            serde_json::json!({
                "createdAt": b.created_at.format(&Rfc3339).unwrap_or_default(),
                "ageSeconds": b.age.whole_seconds(),
                "statusLists": b.status_lists,
                "checkedAt": now.format(&Rfc3339).unwrap_or_default(),
            }),
        );
    }
    writeln!(out, "{}", Value::Object(line))
}

fn write_text(
    out: &mut impl Write,
    label: &str,
    verdict: &Verdict,
    bundle: Option<&BundleInfo>,
) -> io::Result<()> {
    let headline = match verdict.result() {
        VerdictResult::Valid => "HỢP LỆ — VALID",
        VerdictResult::StatusUnknown => {
            "KHÔNG RÕ TÌNH TRẠNG THU HỒI — REVOCATION STATUS UNKNOWN (NOT VALID)"
        }
        VerdictResult::Invalid => "KHÔNG HỢP LỆ — NOT VALID",
    };
    writeln!(out, "{label}: {headline}")?;
    if !verdict.is_valid() {
        let m = verdict.message();
        writeln!(out, "  Lý do:  {}", m.vi)?;
        writeln!(out, "  Reason: {}", m.en)?;
    }
    if let Some(r) = verdict.revocation() {
        writeln!(out, "  {}\n  {}", r.describe_vi(), r.describe_en())?;
    }
    write_subject(out, verdict.subject(), verdict.trust_list().is_some())?;
    if let Some(list) = verdict.trust_list() {
        writeln!(
            out,
            "  Danh sách tin cậy / Trust list: {} version {}, next update due {}",
            list.authority.name,
            list.version,
            list.valid_until.format(&Rfc3339).unwrap_or_default()
        )?;
    }
    if let Some(b) = bundle {
        writeln!(
            out,
            "  Gói tin cậy / Trust bundle: made {}, {} old",
            b.created_at.format(&Rfc3339).unwrap_or_default(),
            show_age(b.age)
        )?;
    }
    for check in verdict.checks() {
        let mark = match check.outcome {
            Outcome::Passed => "✓",
            Outcome::Failed => "✗",
            Outcome::Warning => "!",
            Outcome::NotChecked => "–",
        };
        writeln!(
            out,
            "  {mark} {:<16} {} / {}",
            check.name.as_str(),
            check.message.vi,
            check.message.en
        )?;
        if check.outcome != Outcome::Passed
            && let Some(detail) = &check.detail
        {
            writeln!(out, "    {:<16} {detail}", "")?;
        }
    }
    Ok(())
}

fn write_subject(out: &mut impl Write, s: &Subject, has_trust_list: bool) -> io::Result<()> {
    let unverified = if has_trust_list {
        "không có trong danh sách tin cậy / not in the trust list"
    } else {
        "chưa xác minh / not verified"
    };
    let or_unknown = |v: &Option<String>| v.clone().unwrap_or_else(|| "?".into());
    match (&s.school, &s.issuer) {
        (Some(school), _) => writeln!(
            out,
            "  Trường / School: {} (mã / code {}, {})",
            school.name, school.code, school.province
        )?,
        (None, Some(issuer)) => writeln!(
            out,
            "  Trường / School: {} ({}; {unverified})",
            issuer.name, issuer.id
        )?,
        (None, None) => {}
    }
    let p = &s.pupil;
    if p.full_name.is_some() || p.school_year.is_some() {
        writeln!(
            out,
            "  Học sinh / Pupil: {} · năm học / year {} · lớp / class {} · khối / grade {}",
            or_unknown(&p.full_name),
            or_unknown(&p.school_year),
            or_unknown(&p.class_name),
            or_unknown(&p.grade)
        )?;
    }
    if let Some(key) = &s.key {
        let status = key
            .status
            .map(|st| format!("{st:?}").to_lowercase())
            .unwrap_or_else(|| unverified.into());
        writeln!(
            out,
            "  Khóa / Key: {} ({status}), ký lúc / signed {}",
            key.id,
            or_unknown(&s.signed_at)
        )?;
    }
    if let Some(id) = &s.credential_id {
        writeln!(out, "  Mã hồ sơ / Credential: {id}")?;
    }
    if let Some(replaced) = &s.replaces {
        writeln!(
            out,
            "  Thay thế hồ sơ đã thu hồi / Corrects revoked: {replaced}"
        )?;
    }
    Ok(())
}

/// `--online` for checking files: trust material fetched from the issuer (and cached) by
/// [`hocba_verifier::online`], on a small runtime of its own.
struct Online {
    runtime: tokio::runtime::Runtime,
    trust: Arc<OnlineTrust>,
}

/// The wall clock, for cache bookkeeping and `serve` (the only clock reads besides `--at`).
#[allow(clippy::disallowed_methods)]
fn wall_clock() -> Clock {
    Arc::new(OffsetDateTime::now_utc)
}

impl Online {
    fn start(
        url: &str,
        cache_dir: &Path,
        authority: TrustedAuthority,
        now: OffsetDateTime,
    ) -> Result<Self, Failure> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Failure::new(anyhow!(e).context("starting the async runtime"), None))?;
        let config = OnlineConfig {
            cache_dir: cache_dir.to_owned(),
            ..OnlineConfig::new(url)
        };
        let trust = runtime
            .block_on(async { OnlineTrust::new(config, authority, wall_clock()) })
            .map_err(|e| {
                Failure::new(
                    anyhow!(e),
                    Some("give the issuer's base URL, e.g. http://127.0.0.1:8080".into()),
                )
            })?;
        let trust = Arc::new(trust);
        if let Err(e) = runtime.block_on(trust.refresh()) {
            eprintln!(
                "hocba-verify: {e} (answering from the cache in {}, if any)",
                cache_dir.display()
            );
        }
        if let Some(m) = trust.material() {
            eprintln!(
                "hocba-verify: online {}: trust list version {}, confirmed {} ({} ago) / danh sách tin cậy phiên bản {}",
                trust.base(),
                m.trust.version(),
                m.as_of.format(&Rfc3339).unwrap_or_default(),
                show_age(now - m.as_of),
                m.trust.version(),
            );
        }
        Ok(Self { runtime, trust })
    }

    fn trust_list(&self) -> Result<Arc<VerifiedTrustList>, Failure> {
        self.trust
            .material()
            .map(|m| Arc::clone(&m.trust))
            .ok_or_else(|| {
                Failure::new(
                    anyhow!(
                        "no verified trust list from {} (not reachable, nothing cached)",
                        self.trust.base()
                    ),
                    Some("check the URL, or use --bundle FILE offline".into()),
                )
            })
    }

    /// The trust list and options (with the status lists) for one credential, fetching the
    /// lists it names.
    fn for_credential(
        &self,
        bytes: &[u8],
        list: &Arc<VerifiedTrustList>,
        options: &VerifyOptions,
    ) -> (Arc<VerifiedTrustList>, VerifyOptions) {
        let urls = serde_json::from_slice::<Value>(bytes)
            .map(|v| status_list_urls(&v))
            .unwrap_or_default();
        for url in urls.iter().filter(|u| !self.trust.may_fetch(u)) {
            eprintln!(
                "hocba-verify: the status list {url} is not under {}/status/: not fetched (status unknown)",
                self.trust.base()
            );
        }
        match self
            .runtime
            .block_on(self.trust.material_for(urls.iter().map(String::as_str)))
        {
            Ok(m) => (
                Arc::clone(&m.trust),
                options
                    .clone()
                    .with_status_lists(Arc::clone(&m.status_lists)),
            ),
            Err(_) => (
                Arc::clone(list),
                options
                    .clone()
                    .with_status_lists(Arc::new(StatusLists::new())),
            ),
        }
    }
}

fn unreachable_online_with_bundle() -> Result<Trust, Failure> {
    Err(Failure::new(
        anyhow!("--online and --bundle cannot be used together"),
        None,
    ))
}

/// `hocba-verify serve`: exit 2 when it cannot start.
fn serve(args: &ServeArgs) -> ExitCode {
    match serve_inner(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            f.print();
            ExitCode::from(Status::Unchecked as u8)
        }
    }
}

fn serve_inner(args: &ServeArgs) -> Result<(), Failure> {
    let authority = load_authority(args.authority.as_deref())?;
    let clock: Clock = match args.at {
        Some(t) => Arc::new(move || t),
        None => wall_clock(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::new(anyhow!(e).context("starting the async runtime"), None))?;
    let limits = Limits::default();
    let judging = Judging {
        max_status_list_age: args.max_age,
        max_trust_list_age: args
            .max_trust_list_age
            .map(|d| Duration::days(i64::from(d))),
    };
    runtime.block_on(async {
        let source = match (&args.bundle, &args.online) {
            (Some(path), _) => match load_bundle(path, &authority)? {
                Ok(bundle) => {
                    let now = clock();
                    eprintln!(
                        "hocba-verify: serving offline from {} (made {}, {} old, {} status list(s))",
                        path.display(),
                        bundle.created_at().format(&Rfc3339).unwrap_or_default(),
                        show_age(bundle.age(now)),
                        bundle.status_lists().len()
                    );
                    let as_of = bundle.created_at();
                    let status_lists = bundle.status_lists();
                    TrustSource::Offline(Arc::new(Material {
                        trust: Arc::new(bundle.into_trust_list()),
                        status_lists,
                        as_of,
                    }))
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
                    cache_dir: args.cache_dir.clone(),
                    ..OnlineConfig::new(url.as_str())
                };
                let online = OnlineTrust::new(config, authority.clone(), wall_clock()).map_err(|e| {
                    Failure::new(anyhow!(e), Some("give the issuer's base URL, e.g. http://127.0.0.1:8080".into()))
                })?;
                let online = Arc::new(online);
                if let Err(e) = online.refresh().await {
                    eprintln!(
                        "hocba-verify: {e} (answering from the cache in {}, if any; retrying in the background)",
                        args.cache_dir.display()
                    );
                }
                online.spawn_refresher();
                eprintln!(
                    "hocba-verify: serving online from {} (cache {})",
                    online.base(),
                    args.cache_dir.display()
                );
                TrustSource::Online(online)
            }
            (None, None) => {
                return Err(Failure::new(anyhow!("give --bundle FILE or --online URL"), None));
            }
        };
        let state = AppState::new(source, clock, &judging, limits.clone());
        let app = router(state);
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| Failure::new(anyhow!(e).context(format!("cannot listen on {}", args.listen)), None))?;
        let address = listener
            .local_addr()
            .map_or_else(|_| args.listen.to_string(), |a| a.to_string());
        eprintln!("hocba-verify: listening on http://{address} (/V/…, /upload, /api/v1/verify, /api/v1/docs)");
        tokio::select! {
            result = hocba_verifier::service::serve(listener, app, &limits) => {
                result.map_err(|e| Failure::new(anyhow!(e).context("serving"), None))
            }
            _ = tokio::signal::ctrl_c() => {
                eprintln!("hocba-verify: stopping");
                Ok(())
            }
        }
    })
}

/// Raw Ed25519 `verify_strict` per second, one thread per core, for `seconds` seconds: the
/// reference figure next to the service's rates.
#[allow(clippy::disallowed_methods)]
fn bench_raw(seconds: u64) -> ExitCode {
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
