//! `hocba-issuer issue`: import a class (CSV, XLSX or JSON), store the records, sign them all
//! and write one credential file per pupil and, unless `--no-pdf`, its PDF beside it (rendered
//! across the cores), with a progress bar. Each record is signed with its own school's key
//! that is active now (the key ring of `--keys`), so one file may hold several schools; a
//! school without a usable key is one error for the school. Files are named
//! `<class>-<pupil name in ASCII>-<short id>.json|.pdf` (no personal identification number).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use hocba_issuer::app::names::file_stem;
use hocba_issuer::app::pupil::pupil_key;
use hocba_issuer::batch::{BatchContext, ChunkDone, is_transient, sign_records};
use hocba_issuer::import::{Format, ImportOptions, MAX_IMPORT_BYTES, import};
use hocba_issuer::pdf::{PdfOptions, render_all};
use hocba_issuer::signing::Signer;
use hocba_issuer::store::{ImportRow, NewPupil, NewSchool, Store, StoreError};
use hocba_schema::record::parse_date;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use time::OffsetDateTime;

use super::{KeyMaterial, read_capped};
use crate::cli::KeyArgs;

/// Rows stored per transaction.
const IMPORT_CHUNK: usize = 500;

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

/// A row ready to store, with what names its files.
struct Row {
    import: ImportRow,
    /// Class and pupil name, which name its files ([`file_stem`]).
    name: (String, String),
}

async fn run_async(args: &IssueArgs, now: OffsetDateTime) -> Result<()> {
    let material = KeyMaterial::load(&args.keys, now)?;
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
    let warned = report.rows_with_warnings();
    let mut not_issued = report.rows_with_errors().len();
    // Rows by school: a file may hold several schools, each signed with its own key.
    let mut by_school: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for (row, record) in &report.drafts {
        if !args.accept_warnings && warned.contains(row) {
            not_issued += 1;
            continue;
        }
        let Some(date_of_birth) = parse_date(&record.student.date_of_birth) else {
            not_issued += 1;
            continue;
        };
        let pupil_key = pupil_key(&record.student);
        by_school
            .entry(record.school.code.clone())
            .or_default()
            .push(Row {
                import: ImportRow {
                    pupil: NewPupil {
                        pupil_key,
                        full_name: record.student.full_name.clone(),
                        date_of_birth,
                    },
                    school_year: record.school_year.clone(),
                    grade: i64::from(record.grade),
                    class_name: record.class_name.clone(),
                    record_json: serde_json::to_string(record)?,
                    validated: true,
                },
                name: (record.class_name.clone(), record.student.full_name.clone()),
            });
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
        let done = issue_school(args, &store, &material, &signer, code, rows, now).await?;
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

/// Register the school when new, store its rows, sign them in one batch and write the files.
async fn issue_school(
    args: &IssueArgs,
    store: &Store,
    material: &KeyMaterial,
    signer: &Signer,
    code: &str,
    rows: &[Row],
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
    let school = match store.school_by_code(code).await {
        Ok(s) => s,
        Err(StoreError::NotFound { .. }) => {
            let new = NewSchool {
                code: entry.code.clone(),
                name: entry.name.clone(),
                province: entry.province.clone(),
                issuer_id: entry.id.clone(),
            };
            match store.create_school(&new, now).await {
                Ok(s) => s,
                // Another process registered it at the same moment.
                Err(_) => store.school_by_code(code).await?,
            }
        }
        Err(e) => return Err(e.into()),
    };
    let mut totals = Totals::default();
    // Store the records; a record signed earlier is looked up instead.
    let mut stored = Vec::with_capacity(rows.len());
    let mut file_names = HashMap::new();
    let imports: Vec<ImportRow> = rows.iter().map(|r| r.import.clone()).collect();
    for (chunk, named) in imports.chunks(IMPORT_CHUNK).zip(rows.chunks(IMPORT_CHUNK)) {
        let mut attempt = 0;
        let outcomes = loop {
            match store.import_records(&school.id, chunk, None, now).await {
                // Rolled back in a deadlock with another process: nothing was written.
                Err(e) if is_transient(&e) && attempt < 5 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(20 * attempt)).await;
                }
                other => break other?,
            }
        };
        for ((row, outcome), r) in chunk.iter().zip(outcomes).zip(named) {
            let record = match outcome {
                Ok(record) => record,
                Err(StoreError::Conflict { .. }) => {
                    let pupil = store.pupil_by_key(&school.id, &row.pupil.pupil_key).await?;
                    match store
                        .live_record(&school.id, &pupil.id, &row.school_year)
                        .await?
                    {
                        Some(record) => record,
                        None => continue,
                    }
                }
                Err(e) => {
                    eprintln!("{} {}: {e}", r.name.0, r.name.1);
                    totals.not_issued += 1;
                    continue;
                }
            };
            file_names.insert(
                record.id.clone(),
                format!("{}.json", file_stem(&r.name.0, &r.name.1, &record.id)),
            );
            stored.push(record);
        }
    }

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
            for (path, pdf) in paths.iter().zip(render_all(&jsons, signer.key(), options)) {
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
