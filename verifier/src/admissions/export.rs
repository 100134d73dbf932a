//! The committee's table: one row per candidate and combination, sorted by score (refused
//! candidates last, one row each, with the reason), Vietnamese headers, the verification
//! result in its own column. [`rows`] gives the cells; [`to_csv`] writes CSV (the XLSX file
//! is written from the same rows in the service layer).
//!
//! CSV is written here rather than with a crate: RFC 4180 quoting is a few lines and the core
//! stays free of another dependency. Text cells that a spreadsheet would run as a formula
//! (`=`, `+`, `-`, `@` first) get a leading apostrophe. The file starts with a UTF-8 byte
//! order mark so spreadsheet programs read the Vietnamese letters right.

use super::Assessment;

/// Column headers, in Vietnamese.
pub const HEADERS: [&str; 13] = [
    "Hạng",
    "Mã thí sinh",
    "Họ và tên",
    "Ngày sinh",
    "Số định danh cá nhân",
    "Tổ hợp",
    "Môn (điểm trung bình × hệ số)",
    "Điểm tổ hợp",
    "Điểm cộng",
    "Điểm ưu tiên",
    "Điểm xét tuyển",
    "Kết quả kiểm tra",
    "Lý do",
];

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// Empty.
    Empty,
}

/// Every row, in order (without the header row).
pub fn rows(assessments: &[Assessment]) -> Vec<Vec<Cell>> {
    let text = |s: Option<&String>| s.map_or(Cell::Empty, |s| Cell::Text(s.clone()));
    let mut scored: Vec<(&Assessment, &super::CombinationScore)> = assessments
        .iter()
        .flat_map(|a| a.scores.iter().map(move |s| (a, s)))
        .collect();
    scored.sort_by(|a, b| b.1.total.total_cmp(&a.1.total));
    let mut out = Vec::new();
    for (rank, (a, s)) in scored.iter().enumerate() {
        let parts: Vec<String> = s
            .subjects
            .iter()
            .map(|p| {
                if (p.weight - 1.0).abs() < 1e-9 {
                    format!("{} {}", p.name, p.average)
                } else {
                    format!("{} {} × {}", p.name, p.average, p.weight)
                }
            })
            .collect();
        let priority = s.priority.applied;
        out.push(vec![
            Cell::Number((rank + 1) as f64),
            Cell::Text(a.id.clone()),
            text(a.pupil.full_name.as_ref()),
            text(a.pupil.date_of_birth.as_ref()),
            text(a.pupil.personal_id_number.as_ref()),
            Cell::Text(format!("{} ({})", s.combination, s.name)),
            Cell::Text(parts.join("; ")),
            Cell::Number(s.combination_score),
            Cell::Number(s.bonus),
            Cell::Number(priority),
            Cell::Number(s.total),
            Cell::Text("Hợp lệ".into()),
            Cell::Text(notes(s)),
        ]);
    }
    for a in assessments.iter().filter(|a| a.scores.is_empty()) {
        out.push(vec![
            Cell::Empty,
            Cell::Text(a.id.clone()),
            text(a.pupil.full_name.as_ref()),
            text(a.pupil.date_of_birth.as_ref()),
            text(a.pupil.personal_id_number.as_ref()),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Text(format!(
                "Không xét: {}",
                a.refusal.as_ref().map_or("", |r| r.code.as_str())
            )),
            Cell::Text(a.refusal.as_ref().map(|r| r.vi.clone()).unwrap_or_default()),
        ]);
    }
    out
}

/// What was capped or reduced, in words.
fn notes(s: &super::CombinationScore) -> String {
    let mut n = Vec::new();
    if s.bonus_capped {
        n.push(format!(
            "điểm cộng {} giới hạn còn {}",
            s.bonus_given, s.bonus
        ));
    }
    if s.priority.reduced {
        n.push(format!(
            "điểm ưu tiên giảm từ {} còn {} (tổng điểm cao)",
            s.priority.nominal, s.priority.applied
        ));
    }
    if s.capped_at_max {
        n.push("tổng điểm giới hạn ở mức tối đa của thang".into());
    }
    n.join("; ")
}

/// The table as CSV (UTF-8 with a byte order mark, CRLF line ends, RFC 4180 quoting).
pub fn to_csv(assessments: &[Assessment]) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    let line = |out: &mut String, cells: &mut dyn Iterator<Item = String>| {
        let joined: Vec<String> = cells.collect();
        out.push_str(&joined.join(","));
        out.push_str("\r\n");
    };
    line(&mut out, &mut HEADERS.iter().map(|h| quote(h)));
    for row in rows(assessments) {
        line(
            &mut out,
            &mut row.into_iter().map(|c| match c {
                Cell::Text(t) => quote(&defuse(&t)),
                Cell::Number(n) => n.to_string(),
                Cell::Empty => String::new(),
            }),
        );
    }
    out.into_bytes()
}

/// A text cell a spreadsheet would take for a formula, made plain text.
pub fn defuse(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}
