//! What `hocba-verify` does: read the authority key, the trust list and each credential (with
//! size caps, so a 50 MB file is an error and not an out-of-memory), verify, print, and choose
//! the exit status. The only code of the crate that reads files and the clock.
//!
//! A trust list that cannot be *read* (missing, not JSON, too large) means nothing could be
//! checked: exit 2. A trust list that was read but is *not vouched for* by the authority (bad
//! signature, another key, unsigned, not a trust list) is shown as a not-valid verdict for every
//! credential with the `trust_list` check failed, exit 1: the person must see that the material
//! offered as proof is itself not genuine, not merely that a check "could not run".

use std::io::{self};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::anyhow;
use hocba_verifier::pdf::MAX_PDF_BYTES;
use hocba_verifier::pipeline::Origin;
use hocba_verifier::qr::{Binding, MAX_IMAGE_BYTES};
use hocba_verifier::{
    Input, Judged, MAX_CREDENTIAL_BYTES, VerdictResult, VerifiedTrustList, VerifyError,
    VerifyOptions, check_binding, check_input, read_input, verdict_without_trust_list,
};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::cli::{Cli, Command};

mod admissions;
mod material;
mod online;
mod pades;
mod report;
mod serve;

use material::{
    BundleInfo, SeenFile, load_authority, load_bundle, load_status_lists, load_trust_list,
    read_capped, show_age,
};
use online::{Online, unreachable_online_with_bundle};
use report::{report_error, write_json, write_summary_json, write_summary_text, write_text};
use serve::{bench_raw, serve};

/// Largest authority key file read (a PEM is ~113 bytes).
const MAX_KEY_FILE_BYTES: usize = 64 << 10;

/// The exit status; the worst of all credentials wins (declaration order, best first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    /// Every check ran and passed, revocation included.
    Valid = 0,
    /// The signature and every other check hold, but revocation was not looked up (no
    /// --bundle, --online or --status-list): not "valid".
    RevocationNotChecked = 3,
    Invalid = 1,
    /// Could not check: unreadable input, unknown revocation status, stale or rolled-back
    /// trust material.
    Unchecked = 2,
}

impl Status {
    /// The status of one verdict.
    fn of(result: VerdictResult, revocation_checked: bool) -> Self {
        match result {
            VerdictResult::Valid if revocation_checked => Status::Valid,
            VerdictResult::Valid => Status::RevocationNotChecked,
            VerdictResult::StatusUnknown => Status::Unchecked,
            VerdictResult::Invalid => Status::Invalid,
        }
    }
}

/// Run the command and return its exit status.
pub(crate) fn run(cli: Cli) -> ExitCode {
    match &cli.command {
        Some(Command::Serve(args)) => return serve(args),
        Some(Command::BenchRaw { seconds }) => return bench_raw(*seconds),
        Some(Command::Admissions(args)) => return admissions::admissions(args),
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
    let pki_root = cli
        .pki_root
        .as_deref()
        .map(pades::read_root)
        .transpose()
        .map_err(|e| {
            Failure::new(
                e,
                Some("give the PKI root certificate as PEM or DER (--pki-root FILE)".into()),
            )
        })?;
    let mut options = VerifyOptions::default();
    if let Some(days) = cli.max_trust_list_age {
        options = options.with_max_trust_list_age(Duration::days(i64::from(days)));
    }
    if cli.accept_stale_trust_list {
        options = options.accepting_stale_trust_list();
    }
    let mut seen = SeenFile::open(&cli.cache_dir);
    let mut worst = Status::Valid;
    let mut bundle_info = None;
    if !cli.status_list.is_empty() {
        let mut lists = load_status_lists(&cli.status_list)?;
        seen.state.apply(&mut lists);
        options = options.with_status_lists(Arc::new(lists));
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
            Ok(mut bundle) => {
                bundle.apply_seen(&seen.state);
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
    if let Trust::Verified(list) = &trust {
        seen.check(list)?;
        seen.record(list, options.status_lists.as_deref());
    }

    let stdout = io::stdout();
    let mut out = stdout.lock();
    // Every input is read once (a PDF inflated, a photo decoded) into an `Input`; QR texts
    // (from --qr and from photos) are checked after the credentials, whose JSON bytes are kept
    // for the binding check.
    let mut scanned: Vec<(String, Input)> = cli
        .qr
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("--qr #{}", i + 1), Input::qr(t.clone())))
        .collect();
    let mut credentials_seen: Vec<(String, Vec<u8>)> = Vec::new();
    for path in &cli.credentials {
        let mut label = path.display().to_string();
        let (limit, what) = read_limit(path);
        let mut pdf_bytes = None;
        let input = read_capped(path, limit, what).and_then(|bytes| {
            if hocba_verifier::pdf::is_pdf(&bytes) {
                pdf_bytes = Some(bytes.clone());
            }
            read_input(bytes, false).map_err(|e| {
                let context = match e {
                    VerifyError::Image { .. } | VerifyError::QrPayload(_) => {
                        format!("cannot read the QR code in {label}")
                    }
                    _ => format!("cannot read {label}"),
                };
                anyhow!(e).context(context)
            })
        });
        let input = match input {
            Ok(input @ Input::Qr { .. }) => {
                scanned.push((label, input));
                continue;
            }
            Ok(input) => input,
            Err(error) => {
                report_error(&mut out, cli.json, &label, &error);
                worst = worst.max(Status::Unchecked);
                continue;
            }
        };
        if input.origin() == Origin::Pdf {
            label = format!("{label} ({})", hocba_verifier::pdf::EMBEDDED_NAME);
        }
        let outcome = match &trust {
            Trust::Verified(list) => {
                let (list, options) = match &online {
                    Some(online) => online.for_input(&input, list, &options),
                    None => (Arc::clone(list), options.clone()),
                };
                check_input(&input, &list, now, &options)
                    .map_err(|e| anyhow!(e).context(format!("cannot check {label}")))
            }
            Trust::Rejected(e) => {
                let (reason, detail) = e.trust_list_rejection().unwrap_or((
                    hocba_verifier::Reason::TrustListMalformed,
                    "the trust list was rejected",
                ));
                let Input::Credential { bytes, .. } = &input else {
                    continue;
                };
                verdict_without_trust_list(bytes, reason, detail)
                    .map(|v| Judged::Credential(Box::new(v)))
                    .map_err(|e| anyhow!(e).context(format!("cannot read {label}")))
            }
        };
        let status = match outcome {
            Ok(Judged::Credential(verdict)) => {
                let status = Status::of(verdict.result(), verdict.revocation_checked());
                // The PDF's own signatures, beside the verdict of the credential it embeds: in
                // the same JSON object with `--json` (one object per input), a text block after
                // the verdict otherwise.
                let pdf_check = match (&pdf_bytes, &input, &trust) {
                    (Some(pdf), Input::Credential { bytes, .. }, Trust::Verified(list)) => Some(
                        pades::check(pdf, bytes, Some(list), pki_root.as_deref(), now),
                    ),
                    _ => None,
                };
                let signatures = match &pdf_check {
                    Some(Ok(signatures)) => Some(signatures),
                    _ => None,
                };
                let written = if cli.json {
                    let extra = signatures.map(|s| ("pdfSignatures", serde_json::json!(s)));
                    write_json(&mut out, &label, &verdict, bundle_info.as_ref(), now, extra)
                } else {
                    write_text(&mut out, &label, &verdict, bundle_info.as_ref()).and_then(|()| {
                        match signatures {
                            Some(s) => pades::write(&mut out, &label, s),
                            None => Ok(()),
                        }
                    })
                };
                written.map_err(report_unwritten)?;
                match pdf_check {
                    Some(Ok(signatures))
                        if signatures.status
                            == hocba_verifier::pdf::signatures::PdfStatus::Invalid =>
                    {
                        Status::Invalid
                    }
                    Some(Err(error)) => {
                        report_error(&mut out, cli.json, &label, &error);
                        Status::Unchecked
                    }
                    _ => status,
                }
            }
            Ok(Judged::Summary(_)) => Status::Unchecked,
            Err(error) => {
                report_error(&mut out, cli.json, &label, &error);
                Status::Unchecked
            }
        };
        if let Input::Credential { bytes, .. } = input {
            credentials_seen.push((label, bytes));
        }
        worst = worst.max(status);
    }
    for (label, input) in &scanned {
        let status = match &trust {
            Trust::Rejected(e) => {
                let error = anyhow!("the trust list was rejected: {e}");
                report_error(&mut out, cli.json, label, &error);
                Status::Invalid
            }
            Trust::Verified(list) => {
                // Revocation at the QR's index with status lists (bundle, --status-list, or
                // online its school's lists).
                let (list, options) = match &online {
                    Some(online) => online.for_input(input, list, &options),
                    None => (Arc::clone(list), options.clone()),
                };
                match check_input(input, &list, now, &options) {
                    Ok(Judged::Summary(verdict)) => {
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
                        let mut status = Status::of(verdict.result(), verdict.revocation_checked());
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
                        written.map_err(report_unwritten)?;
                        status
                    }
                    Ok(Judged::Credential(_)) => Status::Unchecked,
                    Err(e) => {
                        let error =
                            anyhow!(e).context(format!("cannot read the QR text of {label}"));
                        report_error(&mut out, cli.json, label, &error);
                        Status::Unchecked
                    }
                }
            }
        };
        worst = worst.max(status);
    }
    Ok(worst)
}

/// Writing a report line failed (standard output closed): the run stops.
fn report_unwritten(e: io::Error) -> Failure {
    Failure::new(anyhow!(e).context("cannot write the report"), None)
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
