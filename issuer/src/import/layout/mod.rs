//! The flat column layout of the templates: one row per pupil, one column per field, with
//! Vietnamese headers. `issuer/templates/README.md` documents it; [`Layout::headers`] is the
//! source of truth (the templates are checked against it).
//!
//! A row becomes a record as JSON (remembering which column each field came from), then
//! goes through the same strict reader and validation as a JSON record; each problem's
//! pointer is mapped back to its column.
//!
//! * `columns.rs` — the columns of each level, in template order.
//! * `row.rs` — one row of cells as the record's JSON, and which column each field came from.
//! * `import.rs` — a table's headers matched to the columns, and each row validated.
//! * `guide.rs` — each column's accepted values in words (the templates' "Hướng dẫn" sheet).

mod columns;
mod guide;
mod import;
mod row;

pub use guide::ColumnGuide;
pub(super) use import::import_table;

use hocba_schema::record::{PeriodicTest, Subject, Term, YearRecord};
use serde_json::Value;

use super::cells::{Conv, fold, to_text};

/// Which template: primary (grades 1–5) or secondary (grades 6–12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LayoutLevel {
    /// Tiểu học, Circular 27: ratings, comments and periodic test scores.
    Primary,
    /// THCS and THPT, Circular 22: averages or Đ / CĐ per semester and year.
    Secondary,
}

impl LayoutLevel {
    /// Both levels.
    pub const ALL: [LayoutLevel; 2] = [LayoutLevel::Primary, LayoutLevel::Secondary];

    /// The level of a grade (1–5 primary, otherwise secondary).
    pub fn of_grade(grade: u8) -> LayoutLevel {
        if grade <= 5 {
            LayoutLevel::Primary
        } else {
            LayoutLevel::Secondary
        }
    }

    /// The record's block (`primary` or `secondary`).
    fn block(self) -> &'static str {
        match self {
            LayoutLevel::Primary => "primary",
            LayoutLevel::Secondary => "secondary",
        }
    }
}

/// What one subject column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SubjectField {
    Name,
    Rating,
    Test(PeriodicTest),
    Term(Term),
    Comment,
    Teacher,
}

/// Where a column's value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// A field outside the level block, by path.
    Path(&'static [&'static str], Conv),
    /// A field of the level block, by path below it.
    Block(&'static [&'static str], Conv),
    /// A cell of one subject.
    Subject(Subject, SubjectField),
    /// A column that is read and ignored (row numbers).
    Ignored,
}

/// One column.
#[derive(Debug, Clone)]
struct Column {
    header: String,
    /// The header as compared (`cells::fold`), computed once.
    folded: String,
    target: Target,
    required: bool,
}

/// The columns of one level's template.
#[derive(Debug, Clone)]
pub struct Layout {
    level: LayoutLevel,
    columns: Vec<Column>,
}

fn col(header: &str, target: Target, required: bool) -> Column {
    Column {
        header: header.to_owned(),
        folded: fold(header),
        target,
        required,
    }
}

fn test_label(test: PeriodicTest) -> &'static str {
    match test {
        PeriodicTest::MidSemester1 => "KTĐK giữa HK1",
        PeriodicTest::EndSemester1 => "KTĐK cuối HK1",
        PeriodicTest::MidSemester2 => "KTĐK giữa HK2",
        PeriodicTest::EndYear => "KTĐK cuối năm",
    }
}

/// The name a level's template and records give a subject: in primary, Tin học and Công nghệ
/// are the two printed parts of Tin học và Công nghệ, named as the form prints them.
pub(crate) fn subject_label(level: LayoutLevel, subject: Subject) -> String {
    match (level, subject) {
        (LayoutLevel::Primary, Subject::TinHoc | Subject::CongNghe) => format!(
            "{} ({})",
            Subject::TinHocVaCongNghe.name_vi(),
            subject.name_vi()
        ),
        _ => subject.name_vi().to_owned(),
    }
}

fn term_label(term: Term) -> &'static str {
    match term {
        Term::Semester1 => "HK1",
        Term::Semester2 => "HK2",
        Term::Year => "Cả năm",
    }
}

impl Layout {
    /// The layout of `level`.
    pub fn new(level: LayoutLevel) -> Layout {
        Layout {
            level,
            columns: columns::columns(level),
        }
    }

    /// The level.
    pub fn level(&self) -> LayoutLevel {
        self.level
    }

    /// The column headers, in template order.
    pub fn headers(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.header.as_str()).collect()
    }

    /// The headers of the columns a file must have (or be given for the whole file).
    pub fn required_headers(&self) -> Vec<&str> {
        self.columns
            .iter()
            .filter(|c| c.required)
            .map(|c| c.header.as_str())
            .collect()
    }

    fn index_of(&self, header: &str) -> Option<usize> {
        let folded = fold(header);
        self.columns.iter().position(|c| c.folded == folded)
    }

    /// A record as a row of cells in template order (the inverse of importing it).
    pub fn to_row(&self, record: &YearRecord) -> Vec<String> {
        let doc = serde_json::to_value(record).unwrap_or(Value::Null);
        let block = &doc[self.level.block()];
        let subjects = block["subjects"].as_array().cloned().unwrap_or_default();
        self.columns
            .iter()
            .map(|column| match column.target {
                Target::Ignored => String::new(),
                Target::Path(path, conv) => to_text(conv, walk(&doc, path)),
                Target::Block(path, conv) => to_text(conv, walk(block, path)),
                Target::Subject(subject, field) => {
                    let Some(s) = subjects.iter().find(|s| s["code"] == subject.code()) else {
                        return String::new();
                    };
                    let exempt = s["exempt"] == Value::Bool(true);
                    let text = |v: &Value| to_text(Conv::Text, v);
                    match field {
                        SubjectField::Name => text(&s["name"]),
                        SubjectField::Comment => text(&s["comment"]),
                        SubjectField::Teacher => text(&s["teacher"]),
                        SubjectField::Rating if exempt => "Miễn".into(),
                        SubjectField::Term(Term::Semester1) if exempt => "Miễn".into(),
                        SubjectField::Rating => text(&s["rating"]),
                        SubjectField::Test(t) => text(&s["testScores"][t.key()]),
                        SubjectField::Term(t) => match &s[t.average_key()] {
                            Value::Null => text(&s[t.rating_key()]),
                            v => text(v),
                        },
                    }
                }
            })
            .collect()
    }
}

fn walk<'v>(value: &'v Value, path: &[&str]) -> &'v Value {
    path.iter().fold(value, |v, key| &v[*key])
}
