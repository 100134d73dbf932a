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
    /// The bytes are not UTF-8 (a legacy encoding such as Windows-1258 or TCVN3).
    #[error(
        "dòng {line}: tệp không phải UTF-8 (có thể là Windows-1258 hoặc TCVN3); hãy lưu lại với mã hóa UTF-8 (Excel: \"CSV UTF-8\") / \
         line {line}: the file is not UTF-8 (perhaps Windows-1258 or TCVN3); save as UTF-8 (Excel: \"CSV UTF-8\")"
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
    /// Columns the layout does not know (often a misspelt header).
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
    /// The JSON is neither a record nor an array of records.
    #[error(
        "JSON phải là một hồ sơ hoặc một mảng hồ sơ: {problem} / JSON must be one record or an array of records: {problem}"
    )]
    Json {
        /// What is wrong.
        problem: String,
    },
}
