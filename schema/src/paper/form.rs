//! The rows the paper forms hold beyond the results (issue #12, item 6): the Quá trình học tập
//! table, the Chứng chỉ line, the subject teacher column, and whether a deputy signs for the
//! principal ("KT. HIỆU TRƯỞNG").

use super::{Block, Column, Field, Label, Row, Section, Table, Text, words};

/// The Quá trình học tập table: year, class, school, and the date of a transfer.
pub(super) fn study_history(rows: &[crate::record::StudyPeriod]) -> Section {
    let rows = rows
        .iter()
        .map(|p| Row {
            head: Text::same(&p.school_year),
            cells: vec![
                Text::same(&p.class_name),
                Text::same(&p.school_name),
                p.left_on.as_deref().map(words::date).unwrap_or_default(),
            ],
            comment: None,
        })
        .collect();
    Section::titled(
        "Quá trình học tập",
        "Schooling",
        vec![Block::Table(Table {
            key: "study-history",
            columns: vec![
                Column::text("Năm học", "School year", Some(54.0)),
                Column::centered("Lớp", "Class", Some(32.0)),
                Column::text("Tên trường", "School", None),
                Column::centered("Ngày chuyển đi", "Left on", Some(60.0)),
            ],
            comment: None,
            rows,
        })],
    )
}

/// `Chứng chỉ`: the certificates line, when the record has any.
pub(crate) fn certificates_field(certificates: &[String]) -> Option<Field> {
    (!certificates.is_empty()).then(|| {
        Field::new(
            Some("certificates"),
            Label::new("Chứng chỉ", "Certificates"),
            Text::same(&certificates.join("; ")),
        )
    })
}

/// The subject teacher column, when some subject names its teacher.
pub(crate) const TEACHER: Column = Column::text("Giáo viên bộ môn", "Subject teacher", Some(72.0));

/// Whether a principal's title is a deputy's (Phó Hiệu trưởng), who signs "KT. HIỆU TRƯỞNG".
pub fn signs_for_principal(title: &str) -> bool {
    let t = title.to_lowercase();
    t.contains("phó") || t.contains("pho ") || t.contains("deputy") || t.contains("vice")
}
