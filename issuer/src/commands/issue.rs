//! `hocba-issuer issue`: import a class (CSV, XLSX or JSON), store the records, sign them all
//! and write one credential file per pupil and, unless `--no-pdf`, its PDF beside it (rendered
//! across the cores), with a progress bar. Each record is signed with its own school's key
//! that is active now (the key ring of `--keys`), so one file may hold several schools; a
//! school without a usable key is one error for the school. Files are named
//! `<class>-<pupil name in ASCII>-<short id>.json|.pdf` (no personal identification number).
//!
//! The PDFs are PAdES-signed as `hocba-issuer pdf` signs them ([`super::pdf::PdfSigning`], the
//! signers `serve` uses): with `--principal-token` the principal's token is unlocked once per
//! school, before any record of it is signed (a wrong PIN stops the run with nothing signed),
//! and closed when the school is done.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use hocba_issuer::app::import::{admit, identity_book, store_rows};
use hocba_issuer::app::names::file_stem;
use hocba_issuer::app::register::register_school;
use hocba_issuer::app::sign::PupilRef;
use hocba_issuer::app::signed_pdfs::BatchPdfSigners;
use hocba_issuer::app::validate::may_validate;
use hocba_issuer::batch::{BatchContext, ChunkDone, sign_records};
use hocba_issuer::import::{Format, ImportOptions, MAX_IMPORT_BYTES, import};
use hocba_issuer::pdf::{PdfOptions, render_all_signed};
use hocba_issuer::pki::SchoolPki;
use hocba_issuer::signing::Signer;
use hocba_issuer::store::{RecordState, Store, StoreError};
use hocba_schema::record::YearRecord as RecordModel;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use time::OffsetDateTime;

use super::pdf::PdfSigning;
use super::{KeyMaterial, read_capped};
use crate::cli::KeyArgs;

/// What `issue` was asked to do.
#[derive(Debug)]
pub(crate) struct IssueArgs {
    pub(crate) input: PathBuf,
    pub(crate) out: PathBuf,
    pub(crate) keys: KeyArgs,
    pub(crate) database_url: String,
    pub(crate) database_schema: Option<String>,
    pub(crate) accept_warnings: bool,
    pub(crate) public_base_url: String,
    /// Also write each pupil's PDF, its QR opening this verifier URL (`None`: no PDFs).
    pub(crate) pdf: Option<String>,
    /// `--principal-token`: the principal's key on a token signs each PDF first.
    pub(crate) principal_token: Option<String>,
    pub(crate) fixed: Vec<(String, String)>,
}

/// Run the command.
pub(crate) fn run(args: &IssueArgs, now: OffsetDateTime) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(run_async(args, now))
}

async fn run_async(args: &IssueArgs, now: OffsetDateTime) -> Result<()> {
    let material = KeyMaterial::load(&args.keys, now)?;
    // The principal's PIN is read once, before anything is imported or signed.
    let pdf_signing = match &args.pdf {
        Some(_) => Some(PdfSigning::new(
            &material,
            &args.keys,
            None,
            args.principal_token.as_deref(),
        )?),
        None => None,
    };
    let format = Format::from_path(&args.input)
        .ok_or_else(|| anyhow!("{}: use a .csv, .xlsx or .json file", args.input.display()))?;
    let bytes = read_capped(&args.input, MAX_IMPORT_BYTES as u64)?;
    let options = ImportOptions {
        level: None,
        fixed: args.fixed.clone(),
    };
    let report = import(&bytes, format, &options)
        .with_context(|| format!("reading {}", args.input.display()))?;
    for p in &report.problems {
        eprintln!("{} | {}", p.message_vi, p.message_en);
    }
    if report.truncated {
        let more = report.problem_count.saturating_sub(report.problems.len());
        eprintln!("… và {more} vấn đề khác không hiển thị | … and {more} more problems not shown");
    }
    let mut not_issued = report.rows_with_errors().len();
    // Records by school: a file may hold several schools, each signed with its own key.
    let warned = report.rows_with_warnings();
    let mut by_school: BTreeMap<String, Vec<(usize, &RecordModel)>> = BTreeMap::new();
    for (row, record) in &report.drafts {
        by_school
            .entry(record.school.code.clone())
            .or_default()
            .push((*row, record));
    }

    let store = match &args.database_schema {
        Some(schema) => Store::connect_with_schema(&args.database_url, schema).await?,
        None => Store::connect(&args.database_url).await?,
    };
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let mut totals = Totals::default();
    for (code, rows) in &by_school {
        // One clear error for a school without a usable key, not one per row.
        let signer = match material.signer_for(code, now) {
            Ok(signer) => signer,
            Err(e) => {
                eprintln!("{e:#} ({} rows not issued)", rows.len());
                not_issued += rows.len();
                continue;
            }
        };
        // The school's PDF signers (the principal's token unlocked for this school's batch),
        // before any of its records is stored or signed.
        let pdf_signers = match &pdf_signing {
            Some(signing) => signing.signers(code)?,
            None => None,
        };
        let done = issue_school(
            args,
            (&store, &material),
            (&signer, pdf_signers.as_ref().map(BatchPdfSigners::pki)),
            code,
            (rows, &warned),
            now,
        )
        .await?;
        drop(pdf_signers);
        not_issued += done.not_issued;
        totals.add(done);
    }
    store.close().await;
    println!(
        "Đã ký {} hồ sơ, {} đã ký từ trước, {} lỗi, {} dòng không được ký / signed {}, already signed {}, failed {}, rows not issued {}; tệp trong {}",
        totals.issued,
        totals.already,
        totals.failed,
        not_issued,
        totals.issued,
        totals.already,
        totals.failed,
        not_issued,
        args.out.display()
    );
    if totals.failed > 0 || not_issued > 0 {
        bail!("{} records were not issued", totals.failed + not_issued);
    }
    Ok(())
}

/// What one school's run did.
#[derive(Debug, Default)]
struct Totals {
    issued: usize,
    already: usize,
    failed: usize,
    not_issued: usize,
}

impl Totals {
    fn add(&mut self, other: Totals) {
        self.issued += other.issued;
        self.already += other.already;
        self.failed += other.failed;
    }
}

/// Register the school when new, store its records (validated by the one rule, warnings
/// accepted only with `--accept-warnings`; others kept as drafts), sign them in one batch and
/// write the files: each step the application layer's, as for the API.
async fn issue_school(
    args: &IssueArgs,
    (store, material): (&Store, &KeyMaterial),
    (signer, school_pki): (&Signer, Option<&SchoolPki>),
    code: &str,
    (records, warned): (&[(usize, &RecordModel)], &[usize]),
    now: OffsetDateTime,
) -> Result<Totals> {
    let entry = material
        .trust
        .list()
        .credential_subject
        .schools
        .iter()
        .find(|s| s.code == code)
        .ok_or_else(|| anyhow!("school {code} is not in the trust list"))?;
    let (school, _) = register_school(store, entry, now).await?;
    let mut totals = Totals::default();
    let mut rows = Vec::with_capacity(records.len());
    let mut book = identity_book(store, &school).await?;
    for (row, record) in records {
        match admit(record, &school, &mut book) {
            Ok(mut admitted) => {
                // Validated in the import's transaction, by the one rule.
                admitted.validated =
                    may_validate(false, warned.contains(row), args.accept_warnings);
                rows.push(admitted);
            }
            Err(refusal) => {
                eprintln!(
                    "{} {}: {} | {}",
                    record.class_name,
                    record.student.full_name,
                    refusal.message_vi,
                    refusal.message_en
                );
                totals.not_issued += 1;
            }
        }
    }
    // Store the records; a record signed earlier is looked up instead.
    let outcomes = store_rows(store, &school.id, &rows, None, now).await?;
    let mut stored = Vec::new();
    for (row, outcome) in rows.iter().zip(outcomes) {
        match outcome {
            Ok(record) if record.state == RecordState::Validated => stored.push(record),
            Ok(_) => {
                eprintln!(
                    "{} {}: có cảnh báo cần người xem (dùng --accept-warnings); hồ sơ được lưu \
                     dạng nháp | has warnings a person must accept (--accept-warnings); kept as \
                     a draft",
                    row.class_name, row.pupil.full_name
                );
                totals.not_issued += 1;
            }
            Err(StoreError::Conflict { .. }) => {
                let pupil = store.pupil_by_key(&school.id, &row.pupil.pupil_key).await?;
                if let Some(record) = store
                    .live_record(&school.id, &pupil.id, &row.school_year)
                    .await?
                {
                    stored.push(record);
                }
            }
            Err(e) => {
                eprintln!("{} {}: {e}", row.class_name, row.pupil.full_name);
                totals.not_issued += 1;
            }
        }
    }
    let file_names: HashMap<String, String> = stored
        .iter()
        .map(|r| {
            let p = PupilRef::of(r);
            (
                r.id.clone(),
                format!("{}.json", file_stem(&p.class_name, &p.pupil_name, &r.id)),
            )
        })
        .collect();

    let bar = ProgressBar::new(stored.len() as u64);
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:40} {pos}/{len} hồ sơ đã ký / signed ({per_sec}, {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    // For the crash test: a pause after each chunk, so a kill lands mid-batch.
    let pause = std::env::var("HOCBA_TEST_SLOW_BATCH")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_millis);
    let mut write_error = None;
    let pdf_options = args.pdf.as_ref().map(|url| PdfOptions {
        verifier_url: url.clone(),
    });
    let ctx = BatchContext {
        store,
        signer,
        school: &school,
        public_base_url: &args.public_base_url,
        actor: None,
        now,
    };
    let outcome = sign_records(&ctx, &stored, &mut |done: ChunkDone<'_>| {
        let mut paths = Vec::with_capacity(done.credentials.len());
        for c in done.credentials {
            let name = file_names
                .get(&c.record_id)
                .cloned()
                .unwrap_or_else(|| format!("{}.json", c.record_id));
            let path = args.out.join(name);
            if let Err(e) = write_atomic(&path, c.credential_json.as_bytes()) {
                write_error.get_or_insert(e);
            }
            paths.push(path);
        }
        // The printed records, rendered across the cores, each beside its JSON file.
        if let Some(options) = &pdf_options {
            let jsons: Vec<&str> = done
                .credentials
                .iter()
                .map(|c| c.credential_json.as_str())
                .collect();
            for (path, pdf) in
                paths
                    .iter()
                    .zip(render_all_signed(&jsons, signer.key(), options, school_pki))
            {
                let path = path.with_extension("pdf");
                let written = pdf
                    .map_err(|e| anyhow!("{}: {e}", path.display()))
                    .and_then(|pdf| write_atomic(&path, &pdf.bytes));
                if let Err(e) = written {
                    write_error.get_or_insert(e);
                }
            }
        }
        bar.set_position(done.done as u64);
        if let Some(pause) = pause {
            std::thread::sleep(pause);
        }
    })
    .await?;
    bar.finish_and_clear();
    if let Some(e) = write_error {
        return Err(e);
    }
    for (record, reason) in &outcome.failed {
        eprintln!("{record}: {reason}");
    }
    totals.issued = outcome.issued.len();
    totals.already = outcome.already.len();
    totals.failed = outcome.failed.len();
    Ok(totals)
}

/// Write through a temporary file and rename, so a killed process leaves no half file.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}
