//! The limits of one import, and why each is where it is. A file over any of them is refused
//! with an [`super::ImportError`] naming the limit (HTTP 413); nothing is ever sized from a
//! number the file declares (an XLSX `<dimension>`, a cell reference, a ZIP entry's sizes):
//! memory grows only with what has been read, and reading stops at these caps.

/// Pupil rows in one file: a whole school's grade is a few hundred; 5,000 is a large school.
pub const MAX_ROWS: usize = 5_000;

/// Columns read: the widest template has 122; 256 is Excel 2003's own width (`IV`). A cell
/// with a value further right refuses the file; empty cells further right are skipped.
pub const MAX_COLUMNS: usize = 256;

/// Characters in one cell: Excel's own limit for a cell.
pub const MAX_CELL_CHARS: usize = 32_767;

/// Bytes one workbook part (`xl/worksheets/sheet1.xml`, `xl/sharedStrings.xml`, …) may
/// inflate to, counted while inflating (the ZIP's declared sizes can lie). A sheet of
/// 5,000 rows × 122 columns is about 30 MiB of XML.
pub const MAX_PART_BYTES: u64 = 64 << 20;

/// Inflated ÷ compressed size of a part, checked once a part passes
/// [`RATIO_CHECK_FROM_BYTES`]: spreadsheet XML compresses 5–20 times; a bomb 1,000 times.
pub const MAX_RATIO: u64 = 100;

/// A part smaller than this is not held to [`MAX_RATIO`] (a tiny part may compress well).
pub const RATIO_CHECK_FROM_BYTES: u64 = 1 << 20;

/// Entries in the ZIP of a workbook: Excel writes about ten.
pub const MAX_ZIP_ENTRIES: usize = 1_000;

/// Shared strings kept: no more than a sheet within the limits has cells.
pub const MAX_SHARED_STRINGS: usize = (MAX_ROWS + 1) * MAX_COLUMNS;

/// Problems kept in a report; the rest are counted ([`super::ImportReport::problem_count`]).
pub const MAX_REPORTED_PROBLEMS: usize = 1_000;
