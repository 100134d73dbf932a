//! `hocba-issuer issue`: import a class (CSV, XLSX or JSON), store the records, sign them all
//! and write one credential file per pupil and, unless `--no-pdf`, its PDF beside it (rendered
//! across the cores), with a progress bar.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use hocba_issuer::batch::{BatchContext, ChunkDone, is_transient, sign_records};
use hocba_issuer::import::{Format, ImportOptions, MAX_IMPORT_BYTES, import};
use hocba_issuer::keys::KeyPair;
use hocba_issuer::pdf::{PdfOptions, render_all};
use hocba_issuer::signing::Signer;
use hocba_issuer::store::{ImportRow, NewPupil, NewSchool, Store, StoreError};
use hocba_schema::credential::IssuerRef;
use hocba_schema::record::parse_date;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use time::OffsetDateTime;

use super::{read_capped, read_trust_list, warn_if_dev};

/// Rows stored per transaction.
const IMPORT_CHUNK: usize = 500;

/// What `issue` was asked to do.
#[derive(Debug)]
pub(crate) struct IssueArgs {
    pub(crate) input: PathBuf,
    pub(crate) out: PathBuf,
    pub(crate) key: PathBuf,
    pub(crate) trust_list: PathBuf,
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

async fn run_async(args: &IssueArgs, now: OffsetDateTime) -> Result<()> {
    let key = KeyPair::load(&args.key)?;
    warn_if_dev(&key);
    let list = read_trust_list(&args.trust_list)?;
    let multibase = key.public_key_multibase();
    let entry = list
        .school_with_key(&multibase)
        .ok_or_else(|| {
            anyhow!(
                "the key {multibase} is not in the trust list {}",
                args.trust_list.display()
            )
        })?
        .clone();
    let signer = Signer::new(
        key,
        IssuerRef {
            id: entry.id.clone(),
            name: entry.name.clone(),
        },
    );

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
    let mut rows = Vec::new();
    for (row, record) in &report.drafts {
        if !args.accept_warnings && warned.contains(row) {
            not_issued += 1;
            continue;
        }
        if record.school.code != entry.code {
            eprintln!(
                "Dòng {row}: hồ sơ của trường {} nhưng khóa là của trường {} / row {row}: record of school {}, key of school {}",
                record.school.code, entry.code, record.school.code, entry.code
            );
            not_issued += 1;
            continue;
        }
        let Some(date_of_birth) = parse_date(&record.student.date_of_birth) else {
            not_issued += 1;
            continue;
        };
        let pupil_key = record
            .student
            .personal_id_number
            .clone()
            .unwrap_or_else(|| record.student.student_code.clone());
        rows.push(ImportRow {
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
        });
    }

    let store = match &args.database_schema {
        Some(schema) => Store::connect_with_schema(&args.database_url, schema).await?,
        None => Store::connect(&args.database_url).await?,
    };
    let school = match store.school_by_code(&entry.code).await {
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
                Err(_) => store.school_by_code(&entry.code).await?,
            }
        }
        Err(e) => return Err(e.into()),
    };

    // Store the records; a record signed earlier is looked up instead.
    let mut stored = Vec::with_capacity(rows.len());
    let mut file_names = std::collections::HashMap::new();
    for chunk in rows.chunks(IMPORT_CHUNK) {
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
        for (row, outcome) in chunk.iter().zip(outcomes) {
            let record = match outcome {
                Ok(r) => r,
                Err(StoreError::Conflict { .. }) => {
                    let pupil = store.pupil_by_key(&school.id, &row.pupil.pupil_key).await?;
                    match store
                        .live_record(&school.id, &pupil.id, &row.school_year)
                        .await?
                    {
                        Some(r) => r,
                        None => continue,
                    }
                }
                Err(e) => {
                    eprintln!("{}: {e}", row.pupil.pupil_key);
                    not_issued += 1;
                    continue;
                }
            };
            file_names.insert(
                record.id.clone(),
                file_name(&row.pupil.pupil_key, &row.school_year),
            );
            stored.push(record);
        }
    }

    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
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
        store: &store,
        signer: &signer,
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
    store.close().await;
    if let Some(e) = write_error {
        return Err(e);
    }
    for (record, reason) in &outcome.failed {
        eprintln!("{record}: {reason}");
    }
    println!(
        "Đã ký {} hồ sơ, {} đã ký từ trước, {} lỗi, {} dòng không được ký / signed {}, already signed {}, failed {}, rows not issued {}; tệp trong {}",
        outcome.issued.len(),
        outcome.already.len(),
        outcome.failed.len(),
        not_issued,
        outcome.issued.len(),
        outcome.already.len(),
        outcome.failed.len(),
        not_issued,
        args.out.display()
    );
    if !outcome.failed.is_empty() || not_issued > 0 {
        bail!(
            "{} records were not issued",
            outcome.failed.len() + not_issued
        );
    }
    Ok(())
}

/// `<pupil key>-<school year>.json`, ASCII letters, digits and `-` only.
fn file_name(pupil_key: &str, school_year: &str) -> String {
    let safe = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    format!("{}-{}.json", safe(pupil_key), safe(school_year))
}

/// Write through a temporary file and rename, so a killed process leaves no half file.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}
