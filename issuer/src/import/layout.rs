//! The flat column layout of the templates: one row per pupil, one column per field, with
//! Vietnamese headers. `issuer/templates/README.md` documents it; [`Layout::headers`] is the
//! source of truth (the templates are checked against it).
//!
//! A row becomes a record as JSON (remembering which column each field came from), then
//! goes through the same strict reader and validation as a JSON record; each problem's
//! pointer is mapped back to its column.

use std::collections::{BTreeMap, HashMap};

use hocba_schema::record::{PeriodicTest, Subject, Term, YearRecord};
use hocba_schema::rules::curriculum::{periodic_tests, subject_rule};
use hocba_schema::validation::parse_and_validate;
use serde_json::{Map, Value};
use unicode_normalization::UnicodeNormalization;

use super::cells::{AWARD, Conv, PRIMARY_RESULT, PROMOTION, convert, fold, to_text};
use super::table::Table;
use super::{ImportError, ImportOptions, ImportReport, RowProblem};

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
        use Conv::*;
        use Target::{Block, Ignored, Path};
        let mut c = vec![
            col("STT", Ignored, false),
            col("Mã trường", Path(&["school", "code"], Text), true),
            col("Tên trường", Path(&["school", "name"], Text), true),
            col(
                "Mã Sở GD&ĐT",
                Path(&["school", "departmentCode"], Text),
                true,
            ),
            col("Tỉnh/Thành phố", Path(&["school", "province"], Text), true),
            col("Xã/Phường", Path(&["school", "commune"], Text), true),
            col(
                "Cấp học của trường",
                Path(&["school", "levels"], Levels),
                true,
            ),
            col("Năm học", Path(&["schoolYear"], Text), true),
            col("Khối", Path(&["grade"], Int), true),
            col("Lớp", Path(&["className"], Text), true),
            col(
                "Giáo viên chủ nhiệm",
                Path(&["homeroomTeacher"], Text),
                true,
            ),
            col("Người ký", Path(&["principal", "name"], Text), true),
            col(
                "Chức vụ người ký",
                Path(&["principal", "title"], Text),
                true,
            ),
            col("Nơi cấp", Path(&["placeOfIssue"], Text), true),
            col("Ngày xác nhận", Path(&["approvalDate"], Date), false),
            col("Họ và tên", Path(&["student", "fullName"], Text), true),
            col("Ngày sinh", Path(&["student", "dateOfBirth"], Date), true),
            col("Giới tính", Path(&["student", "gender"], Gender), true),
            col("Dân tộc", Path(&["student", "ethnicity"], Text), true),
            col("Quốc tịch", Path(&["student", "nationality"], Text), true),
            col("Nơi sinh", Path(&["student", "placeOfBirth"], Text), true),
            col(
                "Nơi ở hiện nay",
                Path(&["student", "residence"], Text),
                true,
            ),
            col(
                "Mã định danh",
                Path(&["student", "personalIdNumber"], Text),
                false,
            ),
            col("Mã học sinh", Path(&["student", "studentCode"], Text), true),
            col("Họ tên cha", Path(&["student", "fatherName"], Text), false),
            col("Họ tên mẹ", Path(&["student", "motherName"], Text), false),
            col(
                "Họ tên người giám hộ",
                Path(&["student", "guardianName"], Text),
                false,
            ),
            col(
                "Đối tượng chính sách",
                Path(&["student", "policyGroup"], Text),
                false,
            ),
            col(
                "Khuyết tật",
                Path(&["student", "disabilityNote"], Text),
                false,
            ),
            col("Số buổi nghỉ", Path(&["daysAbsent"], Int), true),
        ];
        let grades = match level {
            LayoutLevel::Primary => 1..=5u8,
            LayoutLevel::Secondary => 6..=12u8,
        };
        for subject in Subject::ALL {
            if !grades.clone().any(|g| subject_rule(subject, g).is_some()) {
                continue;
            }
            let name = subject.name_vi();
            let sub = |field: SubjectField, label: &str| {
                col(
                    &format!("{name} - {label}"),
                    Target::Subject(subject, field),
                    false,
                )
            };
            if matches!(subject, Subject::NgoaiNgu1 | Subject::TiengDanTocThieuSo) {
                c.push(sub(SubjectField::Name, "Tên môn"));
            }
            match level {
                LayoutLevel::Primary => {
                    c.push(sub(SubjectField::Rating, "Mức đạt"));
                    for test in PeriodicTest::ALL {
                        if grades
                            .clone()
                            .any(|g| periodic_tests(subject, g).contains(&test))
                        {
                            c.push(sub(SubjectField::Test(test), test_label(test)));
                        }
                    }
                }
                LayoutLevel::Secondary => {
                    for term in Term::ALL {
                        c.push(sub(SubjectField::Term(term), term_label(term)));
                    }
                }
            }
            c.push(sub(SubjectField::Comment, "Nhận xét"));
        }
        match level {
            LayoutLevel::Primary => {
                let qualities: [(&'static [&'static str], &str); 5] = [
                    (&["qualities", "patriotism"], "Yêu nước"),
                    (&["qualities", "compassion"], "Nhân ái"),
                    (&["qualities", "diligence"], "Chăm chỉ"),
                    (&["qualities", "honesty"], "Trung thực"),
                    (&["qualities", "responsibility"], "Trách nhiệm"),
                ];
                for (path, label) in qualities {
                    c.push(col(label, Block(path, Rating), true));
                }
                c.push(col(
                    "Nhận xét phẩm chất",
                    Block(&["qualitiesComment"], Text),
                    false,
                ));
                let competencies: [(&'static [&'static str], &str); 10] = [
                    (
                        &["competencies", "autonomyAndSelfLearning"],
                        "Tự chủ và tự học",
                    ),
                    (
                        &["competencies", "communicationAndCollaboration"],
                        "Giao tiếp và hợp tác",
                    ),
                    (
                        &["competencies", "problemSolvingAndCreativity"],
                        "Giải quyết vấn đề và sáng tạo",
                    ),
                    (&["competencies", "language"], "Ngôn ngữ"),
                    (&["competencies", "numeracy"], "Tính toán"),
                    (&["competencies", "science"], "Khoa học (năng lực)"),
                    (&["competencies", "technology"], "Công nghệ (năng lực)"),
                    (&["competencies", "informatics"], "Tin học (năng lực)"),
                    (&["competencies", "aesthetics"], "Thẩm mĩ"),
                    (&["competencies", "physical"], "Thể chất"),
                ];
                for (path, label) in competencies {
                    c.push(col(label, Block(path, Rating), true));
                }
                c.push(col(
                    "Nhận xét năng lực",
                    Block(&["competenciesComment"], Text),
                    false,
                ));
                c.push(col(
                    "Kết quả giáo dục",
                    Block(&["yearResult"], Code(PRIMARY_RESULT)),
                    true,
                ));
            }
            LayoutLevel::Secondary => {
                let results: [(&'static [&'static str], &str); 6] = [
                    (&["learningResult", "semester1"], "Học tập - HK1"),
                    (&["learningResult", "semester2"], "Học tập - HK2"),
                    (&["learningResult", "year"], "Học tập - Cả năm"),
                    (&["conductResult", "semester1"], "Rèn luyện - HK1"),
                    (&["conductResult", "semester2"], "Rèn luyện - HK2"),
                    (&["conductResult", "year"], "Rèn luyện - Cả năm"),
                ];
                for (path, label) in results {
                    c.push(col(label, Block(path, Rating), true));
                }
            }
        }
        c.push(col("Lên lớp", Block(&["promotion"], Code(PROMOTION)), true));
        c.push(col("Danh hiệu", Block(&["award"], Code(AWARD)), false));
        c.push(col(
            "Khen thưởng khác",
            Block(&["otherAwards"], List),
            false,
        ));
        match level {
            LayoutLevel::Primary => c.push(col(
                "Hoàn thành chương trình tiểu học",
                Block(&["completedPrimaryProgramme"], Bool),
                false,
            )),
            LayoutLevel::Secondary => c.push(col(
                "Hoàn thành chương trình THCS",
                Block(&["completedLowerSecondaryProgramme"], Bool),
                false,
            )),
        }
        c.push(col(
            "Nhận xét của GVCN",
            Path(&["teacherComment"], Text),
            true,
        ));
        Layout { level, columns: c }
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
        self.columns.iter().position(|c| fold(&c.header) == folded)
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

/// Set `value` at `path` below `map`, creating objects on the way.
fn set(map: &mut Map<String, Value>, path: &[&str], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut here = map;
    for key in parents {
        let entry = here
            .entry((*key).to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(next) = entry else {
            return;
        };
        here = next;
    }
    here.insert((*last).to_owned(), value);
}

fn pointer(prefix: &str, path: &[&str]) -> String {
    let mut p = prefix.to_owned();
    for key in path {
        p.push('/');
        p.push_str(key);
    }
    p
}

/// One subject cell of a row: what it holds, its layout column, its text.
type SubjectCell<'a> = (SubjectField, usize, Option<&'a str>);

/// Which column a problem's pointer came from.
struct ColumnMap {
    by_pointer: HashMap<String, usize>,
}

impl ColumnMap {
    fn column_of(&self, pointer: &str) -> Option<usize> {
        if let Some(&i) = self.by_pointer.get(pointer) {
            return Some(i);
        }
        // The nearest field above the pointer, then the first field below it.
        let mut p = pointer;
        while let Some((parent, _)) = p.rsplit_once('/') {
            if let Some(&i) = self.by_pointer.get(parent) {
                return Some(i);
            }
            p = parent;
        }
        let below = format!("{pointer}/");
        self.by_pointer
            .iter()
            .filter(|(k, _)| k.starts_with(&below))
            .map(|(_, &i)| i)
            .min()
    }
}

impl Layout {
    /// A row's cells (by layout column; `None` for empty) as the record's JSON, with the
    /// column of each field.
    fn row_to_json(&self, cells: &[Option<String>]) -> (Value, ColumnMap) {
        let block_name = self.level.block();
        let block_prefix = format!("/{block_name}");
        let mut doc = Map::new();
        let mut block = Map::new();
        let mut by_pointer = HashMap::new();
        let mut subjects: BTreeMap<usize, Vec<SubjectCell<'_>>> = BTreeMap::new();
        for (i, (column, cell)) in self.columns.iter().zip(cells).enumerate() {
            let cell = cell.as_deref();
            match column.target {
                Target::Ignored => {}
                Target::Path(path, conv) => {
                    by_pointer.insert(pointer("", path), i);
                    if let Some(text) = cell {
                        set(&mut doc, path, convert(conv, text));
                    }
                }
                Target::Block(path, conv) => {
                    by_pointer.insert(pointer(&block_prefix, path), i);
                    if let Some(text) = cell {
                        set(&mut block, path, convert(conv, text));
                    }
                }
                Target::Subject(subject, field) => {
                    let order = Subject::ALL.iter().position(|s| *s == subject).unwrap_or(0);
                    subjects.entry(order).or_default().push((field, i, cell));
                }
            }
        }
        let mut list = Vec::new();
        for (order, fields) in subjects {
            if fields.iter().all(|(_, _, cell)| cell.is_none()) {
                continue;
            }
            let Some(subject) = Subject::ALL.get(order).copied() else {
                continue;
            };
            let at = format!("{block_prefix}/subjects/{}", list.len());
            let mut s = Map::new();
            s.insert("code".into(), subject.code().into());
            s.insert("name".into(), subject.name_vi().into());
            let exempt = fields.iter().any(|(f, _, cell)| {
                *f != SubjectField::Comment && cell.is_some_and(|c| fold(c) == "miễn")
            });
            if exempt {
                s.insert("exempt".into(), Value::Bool(true));
            }
            let mut tests = Map::new();
            for (field, i, cell) in fields {
                by_pointer.entry(at.clone()).or_insert(i);
                let cell = cell.filter(|c| !(exempt && fold(c) == "miễn"));
                match field {
                    SubjectField::Name => {
                        by_pointer.insert(format!("{at}/name"), i);
                        if let Some(c) = cell {
                            s.insert("name".into(), c.into());
                        }
                    }
                    SubjectField::Comment => {
                        by_pointer.insert(format!("{at}/comment"), i);
                        if let Some(c) = cell {
                            s.insert("comment".into(), c.into());
                        }
                    }
                    SubjectField::Rating => {
                        by_pointer.insert(format!("{at}/rating"), i);
                        if let Some(c) = cell {
                            s.insert("rating".into(), convert(Conv::Rating, c));
                        }
                    }
                    SubjectField::Test(test) => {
                        by_pointer.entry(format!("{at}/testScores")).or_insert(i);
                        by_pointer.insert(format!("{at}/testScores/{}", test.key()), i);
                        if let Some(c) = cell {
                            tests.insert(test.key().into(), convert(Conv::Number, c));
                        }
                    }
                    SubjectField::Term(term) => {
                        by_pointer.insert(format!("{at}/{}", term.average_key()), i);
                        by_pointer.insert(format!("{at}/{}", term.rating_key()), i);
                        if let Some(c) = cell {
                            match convert(Conv::Number, c) {
                                Value::Number(n) => {
                                    s.insert(term.average_key().into(), Value::Number(n));
                                }
                                _ => {
                                    s.insert(term.rating_key().into(), convert(Conv::Rating, c));
                                }
                            }
                        }
                    }
                }
            }
            if !tests.is_empty() {
                s.insert("testScores".into(), Value::Object(tests));
            }
            list.push(Value::Object(s));
        }
        block.insert("subjects".into(), Value::Array(list));
        doc.insert(block_name.into(), Value::Object(block));
        (Value::Object(doc), ColumnMap { by_pointer })
    }
}

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

/// Import the rows of a CSV or XLSX table.
pub(super) fn import_table(
    table: &Table,
    options: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let layout = choose_layout(table, options);
    let nfc = |s: &str| -> String { s.trim().nfc().collect() };
    // File column → layout column.
    let mut file_to_layout: Vec<Option<usize>> = Vec::with_capacity(table.headers.len());
    let mut seen = vec![false; layout.columns.len()];
    let mut unknown = Vec::new();
    for header in &table.headers {
        let header = nfc(header);
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
    if !unknown.is_empty() {
        return Err(ImportError::UnknownColumns { columns: unknown });
    }
    let mut fixed: Vec<Option<String>> = vec![None; layout.columns.len()];
    for (header, value) in &options.fixed {
        let i = layout
            .index_of(&nfc(header))
            .ok_or_else(|| ImportError::UnknownFixedColumn {
                column: header.clone(),
            })?;
        fixed[i] = Some(nfc(value)).filter(|v| !v.is_empty());
    }
    let missing: Vec<String> = layout
        .columns
        .iter()
        .enumerate()
        .filter(|(i, c)| c.required && !seen[*i] && fixed[*i].is_none())
        .map(|(_, c)| c.header.clone())
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns { columns: missing });
    }
    let mut report = ImportReport::default();
    for (row, message) in &table.broken {
        report.problems.push(RowProblem {
            row: *row,
            column: None,
            field: String::new(),
            rule: "row-shape".into(),
            value: Value::Null,
            expected: None,
            severity: hocba_schema::validation::Severity::Error,
            message_vi: format!("Dòng {row}: {message}"),
            message_en: format!("Row {row}: {message}"),
        });
    }
    for (row, file_cells) in &table.rows {
        let mut cells = fixed.clone();
        for (text, target) in file_cells.iter().zip(&file_to_layout) {
            let (Some(i), text) = (target, nfc(text)) else {
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
