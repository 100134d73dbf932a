//! Why a file as a whole could not be imported (row problems are in the report instead).

use thiserror::Error;

/// A file that cannot be read as a class's results. Each message says what to do, in
/// Vietnamese and English.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The file is empty or has a header and no rows.
    #[error("tệp rỗng, không có dòng học sinh nào / the file is empty: no pupil rows")]
    Empty,
    /// The file is larger than the limit.
    #[error(
        "tệp {bytes} byte, vượt giới hạn {limit} byte / the file is {bytes} bytes, over the {limit}-byte limit"
    )]
    TooLarge {
        /// Its size.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// The bytes are not UTF-8 (a legacy encoding such as Windows-1258 or TCVN3, or UTF-16
    /// without a byte order mark).
    #[error(
        "dòng {line}: tệp không phải UTF-8 (có thể là Windows-1258 hoặc TCVN3); hãy lưu lại với mã hóa UTF-8: \
         trong Excel chọn File > Save As > \"CSV UTF-8 (Comma delimited)\", hoặc gửi tệp .xlsx / \
         line {line}: the file is not UTF-8 (perhaps Windows-1258 or TCVN3); save it as UTF-8: \
         in Excel, File > Save As > \"CSV UTF-8 (Comma delimited)\", or send the .xlsx"
    )]
    NotUtf8 {
        /// The first line (1-based) with bytes that are not UTF-8.
        line: usize,
    },
    /// Columns the layout requires are missing (and not given for the whole file).
    #[error("thiếu cột / missing columns: {}", .columns.join(", "))]
    MissingColumns {
        /// Their headers.
        columns: Vec<String>,
    },
    /// Columns the layout does not know (often a misspelt header). No longer returned by
    /// [`super::import`]: unknown columns are ignored with a warning, or reported with the
    /// missing ones as [`ImportError::MisspeltColumns`]; kept for callers that match on it.
    #[error("cột không có trong mẫu / columns not in the template: {}", .columns.join(", "))]
    UnknownColumns {
        /// Their headers as written.
        columns: Vec<String>,
    },
    /// The same column twice.
    #[error("cột bị lặp / duplicate column: {column}")]
    DuplicateColumn {
        /// Its header.
        column: String,
    },
    /// A value given for the whole file names a column the layout does not have.
    #[error(
        "giá trị chung cho cột không có trong mẫu / a fixed value for an unknown column: {column}"
    )]
    UnknownFixedColumn {
        /// The header.
        column: String,
    },
    /// The CSV structure is broken (e.g. an unclosed quote).
    #[error("CSV lỗi ở dòng {line}: {problem} / broken CSV at line {line}: {problem}")]
    Csv {
        /// The line (1-based).
        line: u64,
        /// What the reader said.
        problem: String,
    },
    /// Not a readable XLSX workbook.
    #[error("không đọc được tệp XLSX: {problem} / not a readable XLSX workbook: {problem}")]
    Xlsx {
        /// What the reader said.
        problem: String,
    },
    /// Required columns are missing and the file has columns the template does not know: most
    /// often a misspelt header.
    #[error(
        "thiếu cột: {missing}; cột không có trong mẫu: {unknown} (tên cột viết sai?) / \
         missing columns: {missing}; columns not in the template: {unknown} (a misspelt header?)",
        missing = .missing.join(", "),
        unknown = .unknown.join(", ")
    )]
    MisspeltColumns {
        /// The required headers not found.
        missing: Vec<String>,
        /// The headers found that the template does not have.
        unknown: Vec<String>,
    },
    /// More pupil rows than one file may hold ([`super::limits::MAX_ROWS`]).
    #[error(
        "tệp có hơn {limit} dòng học sinh; hãy chia thành nhiều tệp (mỗi lớp một tệp) / \
         the file has more than {limit} pupil rows (limit {limit}); split it, one class per file"
    )]
    TooManyRows {
        /// The limit.
        limit: usize,
    },
    /// A cell with a value beyond the widest sheet read ([`super::limits::MAX_COLUMNS`]).
    #[error(
        "ô {cell} có giá trị ở cột {column}, vượt giới hạn {limit} cột / \
         cell {cell} has a value in column {column}, beyond the {limit}-column limit"
    )]
    TooManyColumns {
        /// The cell (`XFD1048576`, or `row 3` for CSV).
        cell: String,
        /// Its column number (1-based).
        column: usize,
        /// The limit.
        limit: usize,
    },
    /// A cell longer than a spreadsheet cell may be ([`super::limits::MAX_CELL_CHARS`]).
    #[error(
        "ô {cell} dài {chars} ký tự, vượt giới hạn {limit} / cell {cell} is {chars} characters long, over the {limit}-character limit"
    )]
    CellTooLong {
        /// The cell.
        cell: String,
        /// Its length (at least; reading stops past the limit).
        chars: usize,
        /// The limit.
        limit: usize,
    },
    /// A part of the workbook inflates beyond [`super::limits::MAX_PART_BYTES`].
    #[error(
        "phần {part} của tệp XLSX giải nén vượt {limit} byte / the workbook part {part} inflates to more than the {limit}-byte limit"
    )]
    PartTooLarge {
        /// The ZIP entry.
        part: String,
        /// The limit.
        limit: u64,
    },
    /// A part of the workbook inflates past the size its ZIP entry declares (a bomb that lies
    /// about its size).
    #[error(
        "phần {part} của tệp XLSX giải nén vượt kích thước khai báo {declared} byte (tệp bom nén?) / \
         the workbook part {part} inflates past the {declared} bytes it declares (limit: its declared size)"
    )]
    DeclaredSizeExceeded {
        /// The ZIP entry.
        part: String,
        /// The size it declares.
        declared: u64,
    },
    /// A part of the workbook inflates more than [`super::limits::MAX_RATIO`] times its compressed
    /// size (a decompression bomb).
    #[error(
        "phần {part} của tệp XLSX nén {compressed} byte nhưng giải nén vượt {limit} lần (tệp bom nén?) / \
         the workbook part {part} is {compressed} bytes compressed and inflates more than {limit} times (limit {limit}:1)"
    )]
    CompressionRatio {
        /// The ZIP entry.
        part: String,
        /// Its compressed size.
        compressed: u64,
        /// The limit (inflated ÷ compressed).
        limit: u64,
    },
    /// The ZIP holds more entries than a workbook has ([`super::limits::MAX_ZIP_ENTRIES`]).
    #[error(
        "tệp XLSX có {entries} mục, vượt giới hạn {limit} / the workbook has {entries} ZIP entries, over the {limit}-entry limit"
    )]
    TooManyEntries {
        /// How many it declares or holds.
        entries: u64,
        /// The limit.
        limit: usize,
    },
    /// More shared strings than cells a sheet within the limits can have.
    #[error(
        "tệp XLSX có hơn {limit} chuỗi dùng chung / the workbook has more than {limit} shared strings (limit {limit})"
    )]
    TooManyStrings {
        /// The limit.
        limit: usize,
    },
    /// The JSON is neither a record nor an array of records.
    #[error(
        "JSON phải là một hồ sơ hoặc một mảng hồ sơ: {problem} / JSON must be one record or an array of records: {problem}"
    )]
    Json {
        /// What is wrong.
        problem: String,
    },
}

impl ImportError {
    /// For a file refused for being over one of the limits of [`super::limits`] (HTTP 413):
    /// the limit's stable code (`max-rows`, `max-columns`, …) and its value.
    pub fn limit(&self) -> Option<(&'static str, u64)> {
        let n = |v: usize| v as u64;
        match self {
            ImportError::TooLarge { limit, .. } => Some(("max-bytes", n(*limit))),
            ImportError::TooManyRows { limit } => Some(("max-rows", n(*limit))),
            ImportError::TooManyColumns { limit, .. } => Some(("max-columns", n(*limit))),
            ImportError::CellTooLong { limit, .. } => Some(("max-cell-chars", n(*limit))),
            ImportError::PartTooLarge { limit, .. } => Some(("max-part-bytes", *limit)),
            ImportError::CompressionRatio { limit, .. } => Some(("max-compression-ratio", *limit)),
            ImportError::DeclaredSizeExceeded { declared, .. } => {
                Some(("declared-part-size", *declared))
            }
            ImportError::TooManyEntries { limit, .. } => Some(("max-zip-entries", n(*limit))),
            ImportError::TooManyStrings { limit } => Some(("max-shared-strings", n(*limit))),
            _ => None,
        }
    }

    /// The message in Vietnamese and in English.
    pub fn messages(&self) -> (String, String) {
        let text = self.to_string();
        match text.split_once(" / ") {
            Some((vi, en)) => (vi.to_owned(), en.to_owned()),
            None => (text.clone(), text),
        }
    }
}
