//! The published import templates, one per level, as CSV (UTF-8 with a byte order mark, so
//! Excel opens the Vietnamese headers right) and XLSX, generated from [`super::Layout`] and
//! committed in `issuer/templates/` (a test checks they are up to date). Each carries one
//! example row (a demo pupil from `schema/examples/`, which imports cleanly).

use super::LayoutLevel;

/// The CSV template of `level`: the header row and one example row.
pub fn csv(level: LayoutLevel) -> &'static str {
    match level {
        LayoutLevel::Primary => include_str!("../../templates/tieu-hoc.csv"),
        LayoutLevel::Secondary => include_str!("../../templates/trung-hoc.csv"),
    }
}

/// The XLSX template of `level`: a sheet with the header row and one example row, and a
/// second sheet, "Hướng dẫn", explaining each column ([`super::Layout::guide`]).
pub fn xlsx(level: LayoutLevel) -> &'static [u8] {
    match level {
        LayoutLevel::Primary => include_bytes!("../../templates/tieu-hoc.xlsx"),
        LayoutLevel::Secondary => include_bytes!("../../templates/trung-hoc.xlsx"),
    }
}

/// The file name the template is served under (`hocba-tieu-hoc.csv`, …).
pub fn file_name(level: LayoutLevel, extension: &str) -> String {
    match level {
        LayoutLevel::Primary => format!("hocba-tieu-hoc.{extension}"),
        LayoutLevel::Secondary => format!("hocba-trung-hoc.{extension}"),
    }
}
