//! What an import finds: the records that passed and every problem by row and column.

use std::collections::BTreeSet;

use hocba_schema::record::YearRecord;
use hocba_schema::validation::{Problem, Rule, Severity};
use serde::Serialize;
use serde_json::Value;

use super::limits::MAX_REPORTED_PROBLEMS;

/// One problem of one row.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowProblem {
    /// The row: the spreadsheet's row number (the header is row 1, so the first pupil is row
    /// 2), or the position in a JSON array (1-based; 1 for a single record).
    pub row: usize,
    /// The column header the field comes from (CSV and XLSX), when one does.
    pub column: Option<String>,
    /// RFC 6901 JSON pointer of the field in the record.
    pub field: String,
    /// The rule's stable code (`score-range`, …), as in `schema/docs/record.md`.
    pub rule: String,
    /// The offending value (`null` when missing).
    pub value: Value,
    /// For a derived result that disagrees with the rules: what the rules compute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<Value>,
    /// Error (blocks signing) or warning (a person decides).
    pub severity: Severity,
    /// The problem in Vietnamese, with the row and column.
    pub message_vi: String,
    /// The problem in English, with the row and column.
    pub message_en: String,
}

impl RowProblem {
    /// A validation problem of `row`, found at `column`.
    pub fn from_problem(row: usize, column: Option<String>, problem: Problem) -> Self {
        let (place_vi, place_en) = match &column {
            Some(c) => (
                format!("Dòng {row}, cột «{c}»"),
                format!("Row {row}, column «{c}»"),
            ),
            None => (format!("Dòng {row}"), format!("Row {row}")),
        };
        RowProblem {
            row,
            column,
            field: problem.pointer,
            rule: problem.rule.code().to_owned(),
            value: problem.value,
            expected: problem.expected,
            severity: problem.severity,
            message_vi: format!("{place_vi}: {}", problem.message_vi),
            message_en: format!("{place_en}: {}", problem.message_en),
        }
    }

    /// Whether the problem blocks signing.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The result of reading a file: the records without errors, and the problems (the first
/// [`MAX_REPORTED_PROBLEMS`]; [`ImportReport::problem_count`] counts them all).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportReport {
    /// `(row, record)` for every row without errors (it may have warnings), in file order.
    pub drafts: Vec<(usize, YearRecord)>,
    /// The problems of the rows, in file order: the first [`MAX_REPORTED_PROBLEMS`].
    pub problems: Vec<RowProblem>,
    /// Every problem found, also those not kept in [`ImportReport::problems`].
    pub problem_count: usize,
    /// Whether problems were left out of [`ImportReport::problems`].
    pub truncated: bool,
    /// Rows with an error, each once (also those whose problems were left out).
    #[serde(skip)]
    error_rows: BTreeSet<usize>,
    /// Rows with a warning, each once.
    #[serde(skip)]
    warning_rows: BTreeSet<usize>,
}

impl ImportReport {
    /// Whether any row has an error.
    pub fn has_errors(&self) -> bool {
        !self.error_rows.is_empty()
    }

    /// The rows that have errors (each once, in order).
    pub fn rows_with_errors(&self) -> Vec<usize> {
        self.error_rows.iter().copied().collect()
    }

    /// The rows that have warnings the school must confirm before signing (each once, in
    /// order); other warnings do not hold a row back.
    pub fn rows_with_warnings(&self) -> Vec<usize> {
        self.warning_rows.iter().copied().collect()
    }

    /// Add a problem: kept while fewer than [`MAX_REPORTED_PROBLEMS`] are, always counted.
    pub fn push_problem(&mut self, problem: RowProblem) {
        if problem.is_error() {
            self.error_rows.insert(problem.row);
        } else if Rule::ALL
            .iter()
            .any(|r| r.code() == problem.rule && r.needs_confirmation())
        {
            // Only warnings the school must confirm hold a row back (issue #12, item 9).
            self.warning_rows.insert(problem.row);
        }
        self.problem_count += 1;
        if self.problems.len() < MAX_REPORTED_PROBLEMS {
            self.problems.push(problem);
        } else {
            self.truncated = true;
        }
    }

    /// Add the outcome of validating one row.
    pub(crate) fn add_row(
        &mut self,
        row: usize,
        outcome: Result<(YearRecord, Vec<Problem>), Vec<Problem>>,
        column_of: impl Fn(&str) -> Option<String>,
    ) {
        let (record, problems) = match outcome {
            Ok((record, problems)) => (Some(record), problems),
            Err(problems) => (None, problems),
        };
        let blocked = problems.iter().any(Problem::is_error);
        for p in problems {
            let column = column_of(&p.pointer);
            self.push_problem(RowProblem::from_problem(row, column, p));
        }
        if let (Some(record), false) = (record, blocked) {
            self.drafts.push((row, record));
        }
    }
}
