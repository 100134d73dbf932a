//! Importing a class: records in (a file through the import engine, or JSON items), drafts
//! out, every problem named. One workflow for the API (`POST /api/v1/records`,
//! `POST /api/v1/imports`), the web app's upload and `hocba-issuer issue`:
//!
//! * [`admit`] — the one conversion of a valid record into the store's row: the school check
//!   (a school imports only its own records), the date of birth, the pupil's identity
//!   ([`super::pupil`]: the school's stored pupils and the file's earlier rows, a disagreement
//!   of the two numbers refused). Every import stores **drafts**; a record becomes
//!   `validated` only through [`super::validate`].
//! * [`store_rows`] — rows into the store in chunks of [`IMPORT_CHUNK`], each chunk one
//!   transaction, retried when the database rolled it back in a deadlock.
//! * [`Issuer::import_json`] and [`Issuer::import_file`] — the whole use case, with its
//!   audit row; files are read off the async workers, [`READERS`] at a time.

use std::time::Duration;

use hocba_schema::record::{YearRecord as RecordModel, parse_date};
use hocba_schema::validation::{ValidationReport, parse_and_validate};
use serde_json::Value;
use time::OffsetDateTime;

use super::Issuer;
use super::pupil::IdentityBook;
use crate::batch::is_transient;
use crate::error::IssuerError;
use crate::import::limits::MAX_REPORTED_PROBLEMS;
use crate::import::{self, Format, ImportOptions, RowProblem};
use crate::store::{ImportRow, NewPupil, School, Store, StoreError, YearRecord};
use hocba_schema::validation::Severity;

/// Rows stored per transaction.
pub const IMPORT_CHUNK: usize = 500;

/// Files read at once by this process: each read is bounded (`import::limits`, about 100 MiB
/// at worst), and so is their sum.
pub static READERS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Why a record that passed the rules is still not stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// JSON pointer of the field.
    pub pointer: std::borrow::Cow<'static, str>,
    /// The rule's stable code (`school-mismatch`, `date-format`, `not-saved`).
    pub rule: &'static str,
    /// The offending value.
    pub value: Value,
    /// In Vietnamese.
    pub message_vi: String,
    /// In English.
    pub message_en: String,
}

impl Refusal {
    /// A refusal of the request's value at `pointer` under `rule`.
    pub fn field(
        pointer: &'static str,
        rule: &'static str,
        value: Value,
        vi: String,
        en: String,
    ) -> Self {
        Self::new(pointer, rule, value, vi, en)
    }

    fn new(
        pointer: &'static str,
        rule: &'static str,
        value: Value,
        vi: String,
        en: String,
    ) -> Self {
        Refusal {
            pointer: pointer.into(),
            rule,
            value,
            message_vi: vi,
            message_en: en,
        }
    }

    /// The store could not keep the row.
    pub fn not_saved(e: &StoreError) -> Self {
        Self::new(
            "",
            "not-saved",
            Value::Null,
            format!("Không lưu được: {e}"),
            format!("Not saved: {e}"),
        )
    }

    /// As a problem of `row` of a file.
    pub fn at_row(&self, row: usize) -> RowProblem {
        RowProblem {
            row,
            column: None,
            field: self.pointer.to_string(),
            rule: self.rule.to_owned(),
            value: self.value.clone(),
            expected: None,
            severity: Severity::Error,
            message_vi: format!("Dòng {row}: {}", lower_first(&self.message_vi)),
            message_en: format!("Row {row}: {}", lower_first(&self.message_en)),
        }
    }
}

/// `Hồ sơ …` → `hồ sơ …`, to follow "Dòng 3: ".
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The store's row of a valid `record` of `school`: the one conversion every import uses.
/// `book` holds the school's pupils ([`IdentityBook`]), and learns this row's.
pub fn admit(
    record: &RecordModel,
    school: &School,
    book: &mut IdentityBook,
) -> Result<ImportRow, Refusal> {
    check_school(record, school)?;
    let key = book.key_of(&record.student)?;
    storage_row(record, key)
}

/// The identities `school`'s stored records hold, for [`admit`].
pub async fn identity_book(store: &Store, school: &School) -> Result<IdentityBook, StoreError> {
    Ok(IdentityBook::new(store.pupil_identities(&school.id).await?))
}

/// A school imports only its own records: the one place that says so.
pub fn check_school(record: &RecordModel, school: &School) -> Result<(), Refusal> {
    if record.school.code != school.code {
        return Err(Refusal::new(
            "/school/code",
            "school-mismatch",
            Value::String(record.school.code.clone()),
            format!(
                "Hồ sơ thuộc trường khác; tài khoản này chỉ nhập cho trường {}",
                school.code
            ),
            format!(
                "The record is for another school; this account imports for school {} only",
                school.code
            ),
        ));
    }
    Ok(())
}

/// The row of a record (school already checked; its pupil's key from [`IdentityBook::key_of`]):
/// date of birth, pupil identity, JSON. Stored as a draft.
pub fn storage_row(record: &RecordModel, pupil_key: String) -> Result<ImportRow, Refusal> {
    let date_of_birth = parse_date(&record.student.date_of_birth).ok_or_else(|| {
        Refusal::new(
            "/student/dateOfBirth",
            "date-format",
            Value::String(record.student.date_of_birth.clone()),
            "Ngày sinh không đúng dạng YYYY-MM-DD".into(),
            "The date of birth is not YYYY-MM-DD".into(),
        )
    })?;
    let record_json = record_text(record)
        .map_err(|e| Refusal::new("", "serialise", Value::Null, e.clone(), e))?;
    Ok(ImportRow {
        pupil: NewPupil {
            pupil_key,
            full_name: record.student.full_name.clone(),
            date_of_birth,
        },
        school_year: record.school_year.clone(),
        grade: i64::from(record.grade),
        class_name: record.class_name.clone(),
        record_json,
        validated: false,
    })
}

/// The stored text of a record: its canonical JSON (RFC 8785), which signing reads straight
/// into the record and wraps without serialising it again (see `batch/build.rs`); plain
/// JSON when the record cannot be canonical (text not in NFC, a number too large), which
/// signing reads the general way. The text is held until stored, a whole province at
/// times: copied into an allocation of its size (the writer's buffer is larger).
pub fn record_text(record: &RecordModel) -> Result<String, String> {
    let value = serde_json::to_value(record).map_err(|e| e.to_string())?;
    match hocba_schema::jcs::canonical_bytes(&value) {
        // Checked by `simdutf8` (several times std's speed on Vietnamese text) and copied.
        Ok(bytes) => simdutf8::basic::from_utf8(&bytes)
            .map(str::to_owned)
            .map_err(|e| e.to_string()),
        Err(_) => {
            let written = serde_json::to_string(&value).map_err(|e| e.to_string())?;
            Ok(written.as_str().to_owned())
        }
    }
}

/// Stores `rows` as drafts of `school_id`, [`IMPORT_CHUNK`] per transaction (a chunk that the
/// database rolled back in a deadlock is tried again): one outcome per row, in order.
pub async fn store_rows(
    store: &Store,
    school_id: &str,
    rows: &[ImportRow],
    actor: Option<&str>,
    now: OffsetDateTime,
) -> Result<Vec<Result<YearRecord, StoreError>>, StoreError> {
    let mut outcomes = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(IMPORT_CHUNK) {
        let mut attempt = 0;
        let chunk_outcomes = loop {
            match store.import_records(school_id, chunk, actor, now).await {
                Err(e) if is_transient(&e) && attempt < 5 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(20 * attempt)).await;
                }
                other => break other?,
            }
        };
        outcomes.extend(chunk_outcomes);
    }
    Ok(outcomes)
}

/// One JSON item of an import.
#[derive(Debug)]
pub struct JsonItem {
    /// The draft stored, if any.
    pub saved: Option<YearRecord>,
    /// What the rules found (errors and warnings), when the item is a record at all.
    pub report: ValidationReport,
    /// Why a record without rule errors was not stored.
    pub refusals: Vec<Refusal>,
}

/// What a file import did.
#[derive(Debug)]
pub struct FileImport {
    /// Rows stored as drafts: `(row, draft)`.
    pub saved: Vec<(usize, YearRecord)>,
    /// Rows refused, each once.
    pub rejected_rows: Vec<usize>,
    /// The first [`MAX_REPORTED_PROBLEMS`] problems, by row.
    pub problems: Vec<RowProblem>,
    /// How many problems there are in all.
    pub problem_count: usize,
    /// Whether problems were left out.
    pub truncated: bool,
}

impl Issuer {
    /// Validates each JSON item and stores those without errors as drafts of `school`, in one
    /// call; audits the import as `source`.
    pub async fn import_json(
        &self,
        school: &School,
        actor: Option<&str>,
        items: &[&[u8]],
        source: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<JsonItem>, IssuerError> {
        let mut book = identity_book(self.store(), school).await?;
        let mut out: Vec<JsonItem> = Vec::with_capacity(items.len());
        let mut rows = Vec::new();
        let mut row_items = Vec::new();
        for (index, bytes) in items.iter().enumerate() {
            let (record, report) = match parse_and_validate(bytes) {
                Ok((record, report)) => (Some(record), report),
                Err(report) => (None, report),
            };
            let mut item = JsonItem {
                saved: None,
                report,
                refusals: Vec::new(),
            };
            if let Some(record) = record {
                match check_school(&record, school) {
                    Err(refusal) => item.refusals.push(refusal),
                    Ok(()) if item.report.has_errors() => {}
                    Ok(()) => match book
                        .key_of(&record.student)
                        .and_then(|key| storage_row(&record, key))
                    {
                        Ok(row) => {
                            rows.push(row);
                            row_items.push(index);
                        }
                        Err(refusal) => item.refusals.push(refusal),
                    },
                }
            }
            out.push(item);
        }
        let outcomes = store_rows(self.store(), &school.id, &rows, actor, now).await?;
        let mut saved_ids = Vec::new();
        for (index, outcome) in row_items.into_iter().zip(outcomes) {
            let Some(item) = out.get_mut(index) else {
                continue;
            };
            match outcome {
                Ok(record) => {
                    saved_ids.push(record.id.clone());
                    item.saved = Some(record);
                }
                Err(e) => item.refusals.push(Refusal::not_saved(&e)),
            }
        }
        self.note_json_import(&school.id, &out, now).await?;
        self.audit(
            school,
            actor,
            "import",
            &format!("{source}:{} items", items.len()),
            serde_json::json!({
                "source": source,
                "items": items.len(),
                "saved": saved_ids,
            }),
            now,
        )
        .await?;
        Ok(out)
    }

    /// Reads a class's file (CSV, XLSX, JSON) with the import engine, off the async workers
    /// and [`READERS`] at a time, and stores its rows without errors as drafts of `school`;
    /// every problem by row and column; one audit row.
    pub async fn import_file(
        &self,
        school: &School,
        actor: Option<&str>,
        body: bytes::Bytes,
        format: Format,
        now: OffsetDateTime,
    ) -> Result<FileImport, IssuerError> {
        let size = body.len();
        let report = {
            let _permit = READERS
                .acquire()
                .await
                .map_err(|e| IssuerError::Internal(e.to_string()))?;
            tokio::task::spawn_blocking(move || {
                import::import(&body, format, &ImportOptions::default())
            })
            .await
            .map_err(|e| IssuerError::Internal(format!("import task: {e}")))??
        };
        // Rows refused by the import, also those whose problems the report left out.
        let mut refused: Vec<usize> = report.rows_with_errors();
        let mut problem_count = report.problem_count;
        let mut problems = report.problems;
        let report_kept = problems.len();
        let mut book = identity_book(self.store(), school).await?;
        let mut rows = Vec::new();
        let mut row_numbers = Vec::new();
        for (row, record) in &report.drafts {
            match admit(record, school, &mut book) {
                Ok(r) => {
                    rows.push(r);
                    row_numbers.push(*row);
                }
                Err(refusal) => problems.push(refusal.at_row(*row)),
            }
        }
        let outcomes = store_rows(self.store(), &school.id, &rows, actor, now).await?;
        let mut saved = Vec::new();
        for (row, outcome) in row_numbers.into_iter().zip(outcomes) {
            match outcome {
                Ok(record) => saved.push((row, record)),
                Err(e) => problems.push(Refusal::not_saved(&e).at_row(row)),
            }
        }
        // Problems added here (school, saving) count too; the answer keeps the first ones.
        problem_count += problems.len().saturating_sub(report_kept);
        problems.sort_by_key(|p| p.row);
        refused.extend(problems.iter().filter(|p| p.is_error()).map(|p| p.row));
        refused.sort_unstable();
        refused.dedup();
        self.note_file_import(&school.id, &saved, &problems, &refused, now)
            .await?;
        problems.truncate(MAX_REPORTED_PROBLEMS);
        let truncated = problems.len() < problem_count;
        self.audit(
            school,
            actor,
            "import",
            &format!("file:{} rows", saved.len() + refused.len()),
            serde_json::json!({
                "format": format!("{format:?}").to_lowercase(),
                "bytes": size,
                "saved": saved.iter().map(|(_, r)| r.id.as_str()).collect::<Vec<_>>(),
                "rejectedRows": refused,
            }),
            now,
        )
        .await?;
        Ok(FileImport {
            saved,
            rejected_rows: refused,
            problems,
            problem_count,
            truncated,
        })
    }
}
