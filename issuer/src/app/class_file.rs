//! The homeroom teacher's workflows over a class file (the web app's `/teacher` pages call
//! these; the rules are the import's and the validation's, not written again):
//!
//! * [`Issuer::upload_class`] — a file imported as [`Issuer::import_file`] does, together with
//!   the file's own cells ([`crate::import::sheet`]), so the report can be shown as the
//!   spreadsheet itself with each refused cell marked.
//! * [`Issuer::import_row`] — one row corrected in a form, imported as a one-row CSV file: the
//!   same conversion, rules, pupil identity check and audit as a whole file.
//! * [`record_cells`], [`check_cells`], [`Issuer::edit_cells`] — a stored draft as the
//!   template's row of cells, the rules' problems by column, and a correction of those cells
//!   saved through [`Issuer::edit_draft`] at the version read.
//! * [`column_values`] — what each column accepts, in words, to say it beside a refused value.
//! * [`Issuer::teacher_classes`] — "my classes": the classes of the school in which this
//!   account imported or last changed a record, then the school's other classes.
//!
//! **Sending a class to the principal** is validating it ([`Issuer::validate_class`]): the
//! drafts without errors (warnings accepted by the teacher, who ticks a box) become
//! *validated*, which is exactly what the principal's school page counts as ready and what
//! the principal signs; the drafts that do not pass stay drafts, listed by pupil with their
//! problems. There is no separate "submitted" state: a second flag would be one more state
//! that signing would have to honour, and editing a record already makes it a draft again
//! (so a changed record is "taken back" without any further rule). In the web app a
//! homeroom teacher may therefore validate their school's classes; the API keeps
//! `/api/v1/records/…/validate` for principals (a token is a machine's, not a person's
//! sign-off).

use std::collections::HashSet;

use hocba_schema::record::YearRecord as RecordModel;
use time::OffsetDateTime;

use super::Issuer;
use super::import::{FileImport, READERS, Refusal};
use super::overview::ClassSummary;
use crate::error::IssuerError;
use crate::import::sheet::{Sheet, one_row_csv, read_sheet, same_header};
use crate::import::{self, Format, ImportOptions, Layout, LayoutLevel, RowProblem};
use crate::store::{RecordFilter, School, YearRecord};

/// What an upload did, and the file's cells.
#[derive(Debug)]
pub struct ClassUpload {
    /// The import: rows saved as drafts, rows refused, problems by row and column.
    pub import: FileImport,
    /// The file's cells (`None` for JSON).
    pub sheet: Option<Sheet>,
}

/// The rules' verdict on a row of cells: the problems by column (`column` is the template's
/// header), errors and warnings.
#[derive(Debug, Default)]
pub struct CellCheck {
    /// Every problem found, by column where one applies.
    pub problems: Vec<RowProblem>,
}

impl CellCheck {
    /// Whether a problem blocks saving.
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(RowProblem::is_error)
    }
}

/// A teacher's view of the school's classes.
#[derive(Debug, Default)]
pub struct TeacherClasses {
    /// Classes in which this account imported or last changed a record.
    pub mine: Vec<ClassSummary>,
    /// The school's other classes.
    pub others: Vec<ClassSummary>,
}

/// A stored record as the template's headers and its row of cells (the inverse of importing
/// it); `None` when the stored text is not a record.
pub fn record_cells(record: &YearRecord) -> Option<(Vec<String>, Vec<String>)> {
    let model: RecordModel = serde_json::from_str(&record.record_json).ok()?;
    let layout = Layout::new(LayoutLevel::of_grade(model.grade));
    let headers = layout.headers().into_iter().map(str::to_owned).collect();
    Some((headers, layout.to_row(&model)))
}

/// For each of a file's `headers`, the values the template's column accepts, in words
/// (Vietnamese, then English after ` / ` when they differ), from the import's own column guide
/// (the level whose template knows more of the headers); `None` for a column it does not have.
pub fn column_values(headers: &[String]) -> Vec<Option<String>> {
    let guides = LayoutLevel::ALL.map(|level| Layout::new(level).guide());
    let known = |guide: &[crate::import::ColumnGuide]| {
        headers
            .iter()
            .filter(|h| guide.iter().any(|g| same_header(&g.header, h)))
            .count()
    };
    let [primary, secondary] = guides;
    let guide = if known(&secondary) > known(&primary) {
        secondary
    } else {
        primary
    };
    headers
        .iter()
        .map(|h| {
            guide
                .iter()
                .find(|g| same_header(&g.header, h))
                .map(|g| g.values.clone())
        })
        .collect()
}

/// A row of `cells` under `headers` checked as the import checks a file's row (nothing is
/// stored); with the record when it has no error.
pub fn check_cells(
    headers: &[String],
    cells: &[String],
) -> Result<(CellCheck, Option<RecordModel>), IssuerError> {
    let csv = one_row_csv(headers, cells);
    let mut report = import::import(&csv, Format::Csv, &ImportOptions::default())?;
    let record = report.drafts.pop().map(|(_, r)| r);
    Ok((
        CellCheck {
            problems: report.problems,
        },
        record,
    ))
}

impl Issuer {
    /// Imports a class's file (as [`Issuer::import_file`]) and reads its cells for the report.
    pub async fn upload_class(
        &self,
        school: &School,
        actor: Option<&str>,
        body: bytes::Bytes,
        format: Format,
        now: OffsetDateTime,
    ) -> Result<ClassUpload, IssuerError> {
        let sheet = {
            let _permit = READERS
                .acquire()
                .await
                .map_err(|e| IssuerError::Internal(e.to_string()))?;
            let bytes = body.clone();
            tokio::task::spawn_blocking(move || read_sheet(&bytes, format))
                .await
                .map_err(|e| IssuerError::Internal(format!("sheet task: {e}")))??
        };
        let import = self.import_file(school, actor, body, format, now).await?;
        Ok(ClassUpload { import, sheet })
    }

    /// Imports one row of `cells` under `headers` (a row corrected in a form), as a file.
    pub async fn import_row(
        &self,
        school: &School,
        actor: Option<&str>,
        headers: &[String],
        cells: &[String],
        now: OffsetDateTime,
    ) -> Result<FileImport, IssuerError> {
        let csv = one_row_csv(headers, cells);
        self.import_file(school, actor, csv.into(), Format::Csv, now)
            .await
    }

    /// Saves the corrected `cells` of draft `record_id` (read at version `expected`): the
    /// rules' problems by column when they refuse it, else the draft as stored.
    #[allow(clippy::too_many_arguments)]
    pub async fn edit_cells(
        &self,
        school: &School,
        actor: Option<&str>,
        record_id: &str,
        expected: i64,
        headers: &[String],
        cells: &[String],
        now: OffsetDateTime,
    ) -> Result<Result<YearRecord, CellCheck>, IssuerError> {
        let (check, record) = check_cells(headers, cells)?;
        let Some(record) = record.filter(|_| !check.has_errors()) else {
            return Ok(Err(check));
        };
        let json = serde_json::to_vec(&record).map_err(|e| IssuerError::Internal(e.to_string()))?;
        match self
            .edit_draft(school, actor, record_id, expected, &json, now)
            .await
        {
            Ok(saved) => Ok(Ok(saved)),
            Err(IssuerError::RecordRefused { refusals, .. }) => Ok(Err(CellCheck {
                problems: refusals.iter().map(|r: &Refusal| r.at_row(2)).collect(),
            })),
            Err(other) => Err(other),
        }
    }

    /// The classes of `school` for the teacher `account_id` (one school year, or all): theirs
    /// first (a record they imported or last changed), then the others.
    pub async fn teacher_classes(
        &self,
        school: &School,
        account_id: &str,
        school_year: Option<&str>,
    ) -> Result<TeacherClasses, IssuerError> {
        let records = self
            .store()
            .list_records(
                &school.id,
                &RecordFilter {
                    school_year: school_year.map(str::to_owned),
                    ..RecordFilter::default()
                },
            )
            .await?;
        let me = Some(account_id);
        let mine: HashSet<(&str, &str)> = records
            .iter()
            .filter(|r| r.created_by.as_deref() == me || r.updated_by.as_deref() == me)
            .map(|r| (r.school_year.as_str(), r.class_name.as_str()))
            .collect();
        let (mine, others) = self
            .school_overview(school, school_year)
            .await?
            .into_iter()
            .partition(|c| mine.contains(&(c.school_year.as_str(), c.class_name.as_str())));
        Ok(TeacherClasses { mine, others })
    }
}
