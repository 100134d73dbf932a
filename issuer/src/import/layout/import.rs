//! A table's headers matched to a layout's columns, then every row validated.
//!
//! Headers are compared folded (NFC, invisible characters dropped, case, spaces and dashes
//! aside: `cells::fold`), so an export in NFD or with a stray no-break space still matches. A
//! column the template does not have is ignored, with a warning on row 1 naming it (rule
//! `ignored-column`); when required columns are missing too, the file is refused naming both
//! ([`ImportError::MisspeltColumns`]), since the unknown one is most likely a misspelling.

use hocba_schema::validation::{Severity, parse_and_validate};
use serde_json::Value;

use super::super::cells::clean;
use super::super::table::Table;
use super::super::{ImportError, ImportOptions, ImportReport, RowProblem};
use super::{Layout, LayoutLevel};

/// Pick the layout for a table's headers: the level given, or the one that knows more of
/// the headers.
fn choose_layout(table: &Table, options: &ImportOptions) -> Layout {
    if let Some(level) = options.level {
        return Layout::new(level);
    }
    let known = |layout: &Layout| {
        table
            .headers
            .iter()
            .filter(|h| layout.index_of(h).is_some())
            .count()
    };
    let primary = Layout::new(LayoutLevel::Primary);
    let secondary = Layout::new(LayoutLevel::Secondary);
    if known(&secondary) > known(&primary) {
        secondary
    } else {
        primary
    }
}

/// The warning for a column the template does not have.
fn ignored_column(header: &str) -> RowProblem {
    RowProblem {
        row: 1,
        column: Some(header.to_owned()),
        field: String::new(),
        rule: "ignored-column".into(),
        value: Value::String(header.to_owned()),
        expected: None,
        severity: Severity::Warning,
        message_vi: format!("Dòng 1, cột «{header}»: cột không có trong mẫu, đã bỏ qua"),
        message_en: format!("Row 1, column «{header}»: not a column of the template, ignored"),
    }
}

/// Import the rows of a CSV or XLSX table.
pub(in super::super) fn import_table(
    table: &Table,
    options: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let layout = choose_layout(table, options);
    // File column → layout column.
    let mut file_to_layout: Vec<Option<usize>> = Vec::with_capacity(table.headers.len());
    let mut seen = vec![false; layout.columns.len()];
    let mut unknown = Vec::new();
    for header in &table.headers {
        let header = clean(header);
        if header.is_empty() {
            file_to_layout.push(None);
            continue;
        }
        match layout.index_of(&header) {
            Some(i) if seen[i] => return Err(ImportError::DuplicateColumn { column: header }),
            Some(i) => {
                seen[i] = true;
                file_to_layout.push(Some(i));
            }
            None => {
                unknown.push(header);
                file_to_layout.push(None);
            }
        }
    }
    let mut fixed: Vec<Option<String>> = vec![None; layout.columns.len()];
    for (header, value) in &options.fixed {
        let i = layout
            .index_of(&clean(header))
            .ok_or_else(|| ImportError::UnknownFixedColumn {
                column: header.clone(),
            })?;
        fixed[i] = Some(clean(value)).filter(|v| !v.is_empty());
    }
    let missing: Vec<String> = layout
        .columns
        .iter()
        .enumerate()
        .filter(|(i, c)| c.required && !seen[*i] && fixed[*i].is_none())
        .map(|(_, c)| c.header.clone())
        .collect();
    match (missing.is_empty(), unknown.is_empty()) {
        (true, _) => {}
        (false, true) => return Err(ImportError::MissingColumns { columns: missing }),
        (false, false) => return Err(ImportError::MisspeltColumns { missing, unknown }),
    }
    let mut report = ImportReport::default();
    for header in &unknown {
        report.push_problem(ignored_column(header));
    }
    for (row, message) in &table.broken {
        report.push_problem(RowProblem {
            row: *row,
            column: None,
            field: String::new(),
            rule: "row-shape".into(),
            value: Value::Null,
            expected: None,
            severity: Severity::Error,
            message_vi: format!("Dòng {row}: {message}"),
            message_en: format!("Row {row}: {message}"),
        });
    }
    for (row, file_cells) in &table.rows {
        let mut cells = fixed.clone();
        for (text, target) in file_cells.iter().zip(&file_to_layout) {
            let (Some(i), text) = (target, clean(text)) else {
                continue;
            };
            if !text.is_empty() {
                cells[*i] = Some(text);
            }
        }
        let (doc, columns) = layout.row_to_json(&cells);
        let bytes = serde_json::to_vec(&doc).unwrap_or_default();
        let outcome = match parse_and_validate(&bytes) {
            Ok((record, report)) => Ok((record, report.problems)),
            Err(report) => Err(report.problems),
        };
        report.add_row(*row, outcome, |p| {
            columns
                .column_of(p)
                .and_then(|i| layout.columns.get(i))
                .map(|c| c.header.clone())
        });
    }
    Ok(report)
}
