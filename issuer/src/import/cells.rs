//! One cell of a spreadsheet as a JSON value of the record. What cannot be read is passed on
//! as text, so validation reports it with the field, the rule and the value as written.

use serde_json::{Number, Value};
use unicode_normalization::UnicodeNormalization;

/// How a column's cells are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Conv {
    /// Text as written.
    Text,
    /// A whole number (`45`).
    Int,
    /// A number, `8.5` or `8,5`.
    Number,
    /// A date, `YYYY-MM-DD` or `dd/mm/yyyy`.
    Date,
    /// `Nam` / `Nữ` (or the codes `nam` / `nu`).
    Gender,
    /// A code from a list, written as the code or its Vietnamese label.
    Code(&'static [(&'static str, &'static str)]),
    /// Yes or no: `x`, `Có`, `1` / `Không`, `0`.
    Bool,
    /// Several texts separated by `;`.
    List,
    /// Levels of the school: `Tiểu học; THCS` or the codes.
    Levels,
    /// A rating code (`T`, `Đ`, `CĐ`, …) or the word the Ministry prints beside it (`Tốt`,
    /// `Đạt`, `Hoàn thành tốt`, …), any case.
    Rating,
}

/// Promotion codes and labels.
pub(super) const PROMOTION: &[(&str, &str)] = &[
    ("len_lop", "Được lên lớp"),
    ("len_lop", "Lên lớp"),
    ("ren_luyen_trong_he", "Rèn luyện trong hè"),
    ("kiem_tra_lai", "Kiểm tra lại"),
    ("o_lai_lop", "Ở lại lớp"),
    // As the page prints it (Circular 22 Art. 12; issue #12).
    ("o_lai_lop", "Không được lên lớp"),
    // Circular 27 Art. 11 (grades 1–4) and Circular 22 Art. 12(1) (grade 12).
    (
        "hoan_thanh_chuong_trinh_lop_hoc",
        "Hoàn thành chương trình lớp học",
    ),
    (
        "hoan_thanh_chuong_trinh_thpt",
        "Hoàn thành chương trình THPT",
    ),
    (
        "hoan_thanh_chuong_trinh_thpt",
        "Hoàn thành chương trình trung học phổ thông",
    ),
];

/// Award codes and labels.
pub(super) const AWARD: &[(&str, &str)] = &[
    ("hoc_sinh_xuat_sac", "Học sinh Xuất sắc"),
    ("hoc_sinh_gioi", "Học sinh Giỏi"),
    ("hoc_sinh_tieu_bieu", "Học sinh Tiêu biểu"),
    (
        "hoc_sinh_tieu_bieu",
        "Học sinh Tiêu biểu hoàn thành tốt trong học tập và rèn luyện",
    ),
];

/// Primary year result codes and labels.
pub(super) const PRIMARY_RESULT: &[(&str, &str)] = &[
    ("hoan_thanh_xuat_sac", "Hoàn thành xuất sắc"),
    ("hoan_thanh_tot", "Hoàn thành tốt"),
    ("hoan_thanh", "Hoàn thành"),
    ("chua_hoan_thanh", "Chưa hoàn thành"),
];

const LEVELS: &[(&str, &str)] = &[
    ("tieu_hoc", "Tiểu học"),
    ("thcs", "THCS"),
    ("thcs", "Trung học cơ sở"),
    ("thpt", "THPT"),
    ("thpt", "Trung học phổ thông"),
];

/// The words printed beside each rating code (Circular 27 for primary, Circular 22 for
/// secondary), and the codes typed without the letter Đ (`D`, `CD`).
const RATING_WORDS: &[(&str, &str)] = &[
    ("T", "Tốt"),
    ("T", "Hoàn thành tốt"),
    ("H", "Hoàn thành"),
    ("C", "Chưa hoàn thành"),
    ("C", "Cần cố gắng"),
    ("K", "Khá"),
    ("Đ", "Đạt"),
    ("Đ", "D"),
    ("CĐ", "Chưa đạt"),
    ("CĐ", "CD"),
];

/// Characters that exports leave in text and nobody sees: byte order marks, zero-width
/// spaces and joiners, soft hyphens.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{feff}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{ad}'
    )
}

/// How labels and headers are compared: NFC, invisible characters dropped, spaces
/// collapsed (no-break spaces too), en/em dashes as `-` with no space around it, lower case.
pub(super) fn fold(text: &str) -> String {
    let nfc: String = text.nfc().filter(|&c| !invisible(c)).collect();
    nfc.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(['–', '—', '‐', '‑', '−'], "-")
        .replace(" -", "-")
        .replace("- ", "-")
        .to_lowercase()
}

/// Text as a cell or header is read: NFC, invisible characters dropped, trimmed.
pub(super) fn clean(text: &str) -> String {
    let nfc: String = text.nfc().filter(|&c| !invisible(c)).collect();
    match nfc.trim() {
        trimmed if trimmed.len() == nfc.len() => nfc,
        trimmed => trimmed.to_owned(),
    }
}

fn code_of(table: &[(&'static str, &'static str)], text: &str) -> Option<&'static str> {
    let folded = fold(text);
    table
        .iter()
        .find(|(code, label)| *code == text || fold(label) == folded)
        .map(|(code, _)| *code)
}

/// The label written for a code (the first one in the table).
pub(super) fn label_of(table: &[(&'static str, &'static str)], code: &str) -> String {
    table
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| code.to_owned(), |(_, label)| (*label).to_owned())
}

/// The value of a non-empty cell (`text` is trimmed and NFC).
pub(super) fn convert(conv: Conv, text: &str) -> Value {
    let raw = || Value::String(text.to_owned());
    match conv {
        Conv::Text => raw(),
        Conv::Int => match text.parse::<i64>() {
            Ok(i) => Value::from(i),
            Err(_) => number(text).unwrap_or_else(raw),
        },
        Conv::Number => number(text).unwrap_or_else(raw),
        Conv::Date => Value::String(
            iso_date(text)
                .or_else(|| serial_date(text))
                .unwrap_or_else(|| text.to_owned()),
        ),
        Conv::Gender => match fold(text).as_str() {
            "nam" => "nam".into(),
            "nữ" | "nu" => "nu".into(),
            _ => raw(),
        },
        Conv::Code(table) => code_of(table, text).map_or_else(raw, Value::from),
        Conv::Bool => match fold(text).as_str() {
            "x" | "có" | "co" | "1" | "true" | "đã hoàn thành" | "hoàn thành" => {
                Value::Bool(true)
            }
            "không" | "khong" | "0" | "false" | "chưa hoàn thành" => Value::Bool(false),
            _ => raw(),
        },
        Conv::List => Value::from(
            text.split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(Value::from)
                .collect::<Vec<_>>(),
        ),
        Conv::Levels => Value::from(
            text.split([';', ','])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| code_of(LEVELS, s).map_or_else(|| Value::from(s), Value::from))
                .collect::<Vec<_>>(),
        ),
        Conv::Rating => {
            let folded = fold(text);
            RATING_WORDS
                .iter()
                .find(|(_, word)| fold(word) == folded)
                .map_or_else(
                    || Value::String(text.to_uppercase()),
                    |(code, _)| (*code).into(),
                )
        }
    }
}

/// A number written with a decimal point or comma.
fn number(text: &str) -> Option<Value> {
    let f: f64 = text.replace(',', ".").parse().ok()?;
    if !f.is_finite() {
        return None;
    }
    if f.fract() == 0.0 && f.abs() < 9e15 {
        return Some(Value::from(f as i64));
    }
    Number::from_f64(f).map(Value::Number)
}

/// `dd/mm/yyyy` (or `d/m/yyyy`, `dd-mm-yyyy`) as `YYYY-MM-DD`; other text is left alone.
fn iso_date(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.split(['/', '-', '.']).collect();
    let [d, m, y] = parts.as_slice() else {
        return None;
    };
    if y.len() != 4 || d.len() > 2 || m.len() > 2 {
        return None;
    }
    let (d, m, y): (u8, u8, u16) = (d.parse().ok()?, m.parse().ok()?, y.parse().ok()?);
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

/// An Excel date serial (days since 1899-12-30), as a date cell of an XLSX or a CSV saved
/// from one reads, as `YYYY-MM-DD`.
fn serial_date(text: &str) -> Option<String> {
    let serial: f64 = text
        .strip_suffix(".0")
        .unwrap_or(text)
        .parse::<u32>()
        .ok()?
        .into();
    excel_date(serial)
}

/// An Excel date serial (days since 1899-12-30) as `YYYY-MM-DD`.
pub(super) fn excel_date(serial: f64) -> Option<String> {
    let epoch = time::Date::from_calendar_date(1899, time::Month::December, 30).ok()?;
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let date = epoch.checked_add(time::Duration::days(serial.floor() as i64))?;
    Some(format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    ))
}

/// The cell text of a JSON value (the inverse of [`convert`], for exporting a record).
pub(super) fn to_text(conv: Conv, value: &Value) -> String {
    match (conv, value) {
        (_, Value::Null) => String::new(),
        (Conv::Gender, Value::String(s)) => match s.as_str() {
            "nam" => "Nam".into(),
            "nu" => "Nữ".into(),
            other => other.into(),
        },
        (Conv::Code(table), Value::String(s)) => label_of(table, s),
        (Conv::Bool, Value::Bool(b)) => if *b { "x" } else { "Không" }.into(),
        (Conv::List | Conv::Levels, Value::Array(items)) => items
            .iter()
            .map(|v| match (conv, v) {
                (Conv::Levels, Value::String(s)) => label_of(LEVELS, s),
                (_, Value::String(s)) => s.clone(),
                (_, other) => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join("; "),
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}
