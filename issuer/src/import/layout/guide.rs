//! What each column holds and which values it accepts, in words: the "Hướng dẫn" sheet of the
//! XLSX templates is written from it.

use hocba_schema::record::Term;

use super::super::cells::Conv;
use super::{Layout, LayoutLevel, SubjectField, Target};

/// One column explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnGuide {
    /// The header, as in the template.
    pub header: String,
    /// Whether a file must have it (or give it for the whole file).
    pub required: bool,
    /// The values it accepts, in Vietnamese with the English after ` / `.
    pub values: String,
}

fn conv_values(conv: Conv, level: LayoutLevel) -> String {
    let labels = |table: &[(&str, &str)]| {
        let mut seen: Vec<&str> = Vec::new();
        for (_, label) in table {
            if !seen.contains(label) {
                seen.push(label);
            }
        }
        seen.join("; ")
    };
    match conv {
        Conv::Text => "văn bản / text".into(),
        Conv::Int => "số nguyên / a whole number".into(),
        Conv::Number => "số, 8.5 hoặc 8,5 / a number, 8.5 or 8,5".into(),
        Conv::Date => "ngày dd/mm/yyyy (hoặc yyyy-mm-dd, ô ngày của Excel) / a date".into(),
        Conv::Gender => "Nam; Nữ".into(),
        Conv::Code(table) => format!("{} (hoặc mã / or the code)", labels(table)),
        Conv::Bool => "x hoặc Có / Không (x or Có = yes)".into(),
        Conv::List => "nhiều mục, cách nhau bằng ; / several, separated by ;".into(),
        Conv::Levels => "Tiểu học; THCS; THPT (nhiều cấp cách nhau bằng ; / several with ;)".into(),
        Conv::Rating => match level {
            LayoutLevel::Primary => "T (Tốt); Đ (Đạt); C (Cần cố gắng)".into(),
            LayoutLevel::Secondary => "T (Tốt); K (Khá); Đ (Đạt); CĐ (Chưa đạt)".into(),
        },
    }
}

impl Layout {
    /// Every column in template order, with what it accepts.
    pub fn guide(&self) -> Vec<ColumnGuide> {
        self.columns
            .iter()
            .map(|c| {
                let values = match c.target {
                    Target::Ignored => "số thứ tự, không đọc / row number, not read".into(),
                    Target::Path(_, conv) | Target::Block(_, conv) => conv_values(conv, self.level),
                    Target::Subject(_, field) => match field {
                        SubjectField::Name => "tên môn nhà trường in / the name printed".into(),
                        SubjectField::Rating => {
                            "T (Hoàn thành tốt); H (Hoàn thành); C (Chưa hoàn thành); Miễn".into()
                        }
                        SubjectField::Test(_) => "điểm nguyên 1–10 / a whole score 1–10".into(),
                        SubjectField::Term(Term::Semester1) => {
                            "điểm trung bình (8.5 hoặc 8,5) hoặc Đ / CĐ; Miễn / an average, or Đ / CĐ"
                                .into()
                        }
                        SubjectField::Term(_) => {
                            "điểm trung bình (8.5 hoặc 8,5) hoặc Đ / CĐ / an average, or Đ / CĐ"
                                .into()
                        }
                        SubjectField::Comment => "nhận xét / comment".into(),
                        SubjectField::Teacher => {
                            "họ tên giáo viên bộ môn / the subject teacher's name".into()
                        }
                    },
                };
                ColumnGuide {
                    header: c.header.clone(),
                    required: c.required,
                    values,
                }
            })
            .collect()
    }
}
