//! The printed học bạ page, described once: what the paper record of a year says and in which
//! order — its header, the pupil and school block, the numbered sections with their tables and
//! label/value lines, the homeroom teacher's comment and the signatures — with every label in
//! Vietnamese and English and every value written as the paper writes it.
//!
//! The issuer's PDF (`issuer/src/pdf/content.rs`) draws this description on an A4 page and the
//! verifier's record page renders the same description as HTML, so that the two cannot
//! disagree on what a record shows. This module only builds values: it does no I/O and knows
//! nothing about fonts, points or HTML beyond the width a column takes on paper.
//!
//! * [`describe`] — the description of one [`YearRecord`].
//! * [`words`] — coded values (ratings, promotion, awards, dates) as printed, with English
//!   glosses.
//! * `primary` / `secondary` — the sections of each level (Circular 27 / Circular 22 forms).
//! * `form` — the rows the forms add beyond the results (issue #12): Quá trình học tập, Chứng
//!   chỉ, the subject teacher column, "KT. HIỆU TRƯỞNG" above a deputy's title.

mod form;
mod primary;
mod secondary;
pub mod words;

use crate::record::{LevelResults, YearRecord};
pub use form::signs_for_principal;
use form::study_history;
pub(crate) use form::{TEACHER, certificates_field};

/// A fixed label of the form, in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Label {
    /// As the Vietnamese form prints it.
    pub vi: &'static str,
    /// In English.
    pub en: &'static str,
}

impl Label {
    /// A label.
    pub const fn new(vi: &'static str, en: &'static str) -> Self {
        Self { vi, en }
    }
}

/// A value as shown in each language: the Vietnamese is what the paper prints; the English
/// adds a gloss where the value is a coded word (names and numbers are the same in both).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text {
    /// As printed on the Vietnamese paper record.
    pub vi: String,
    /// For an English reader.
    pub en: String,
}

impl Text {
    /// The same text in both languages (names, numbers, the school's own words).
    pub fn same(text: &str) -> Self {
        Self {
            vi: text.to_owned(),
            en: text.to_owned(),
        }
    }

    /// Both languages from one label (e.g. a fixed word used as a value).
    pub fn label(label: Label) -> Self {
        Self {
            vi: label.vi.to_owned(),
            en: label.en.to_owned(),
        }
    }
}

/// One `label: value` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// A stable name for the value (the verifier page's element id), when it has one.
    pub key: Option<&'static str>,
    /// What the line is.
    pub label: Label,
    /// The value.
    pub value: Text,
    /// On paper, printed on the same line as the field before it (`Ngày sinh: … Giới tính: …`).
    pub inline: bool,
}

impl Field {
    /// A field on a line of its own.
    pub fn new(key: Option<&'static str>, label: Label, value: Text) -> Self {
        Self {
            key,
            label,
            value,
            inline: false,
        }
    }

    /// The same field, printed on paper after the one before it on the same line.
    pub fn inline(mut self) -> Self {
        self.inline = true;
        self
    }
}

/// One column of a table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Column {
    /// The column's heading.
    pub label: Label,
    /// Values are centred (ratings, scores) rather than left-aligned (names, text).
    pub centered: bool,
    /// Its width on the A4 paper page, in points; `None` shares what the other columns leave.
    pub paper_width: Option<f32>,
}

impl Column {
    /// A column.
    pub const fn new(label: Label, centered: bool, paper_width: Option<f32>) -> Self {
        Self {
            label,
            centered,
            paper_width,
        }
    }

    /// A column of centred values (ratings, scores).
    pub const fn centered(vi: &'static str, en: &'static str, paper_width: Option<f32>) -> Self {
        Self::new(Label::new(vi, en), true, paper_width)
    }

    /// A column of left-aligned text (names).
    pub const fn text(vi: &'static str, en: &'static str, paper_width: Option<f32>) -> Self {
        Self::new(Label::new(vi, en), false, paper_width)
    }
}

/// One row of a table: the row's heading (first column), its other cells, and the comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// First column: what the row is (a subject, a quality).
    pub head: Text,
    /// The other columns, in order.
    pub cells: Vec<Text>,
    /// The comment of the row (a last column on paper), when the table has a comment column.
    pub comment: Option<String>,
}

/// A ruled table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// A stable name (the verifier page's table id).
    pub key: &'static str,
    /// Every column, the row heading's first.
    pub columns: Vec<Column>,
    /// The comment column (last on paper), when rows carry comments.
    pub comment: Option<Column>,
    /// The rows.
    pub rows: Vec<Row>,
}

/// A part of a section.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A table.
    Table(Table),
    /// Tables printed side by side on paper (qualities beside competencies).
    Beside(Vec<Table>),
    /// The key to the codes used in the tables above, in small type.
    Legend(Label),
    /// `label: value` lines; `key` names the group (the verifier page's list id).
    Fields {
        /// A stable name for the group, when it has one.
        key: Option<&'static str>,
        /// The lines.
        fields: Vec<Field>,
    },
    /// Running text (the homeroom teacher's comment).
    Paragraph {
        /// A stable name for the text.
        key: &'static str,
        /// The text.
        text: String,
    },
}

/// A section of the page.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// The heading (`1. Các môn học và hoạt động giáo dục`); `None` for lines that follow the
    /// section before without a heading of their own.
    pub title: Option<Label>,
    /// What the section holds, in order.
    pub blocks: Vec<Block>,
}

impl Section {
    /// A section with a heading.
    pub(crate) fn titled(vi: &'static str, en: &'static str, blocks: Vec<Block>) -> Self {
        Self {
            title: Some(Label::new(vi, en)),
            blocks,
        }
    }

    /// The year's decisions (the last numbered section): its lines, named `decisions`.
    pub(crate) fn decisions(vi: &'static str, en: &'static str, fields: Vec<Field>) -> Self {
        let key = Some("decisions");
        Self::titled(vi, en, vec![Block::Fields { key, fields }])
    }
}

/// The top of the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// `SỞ GD&ĐT <PROVINCE>`.
    pub department: String,
    /// The school's name in capitals.
    pub school: String,
    /// `HỌC BẠ`.
    pub title: &'static str,
    /// The level (`Tiểu học`), when the grade has one.
    pub level: Option<Text>,
    /// `Năm học … · Lớp … · Khối …`.
    pub year_line: Text,
}

/// Someone who signs the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// A stable name for the signer's name (the verifier page's element id), when it has one.
    pub key: Option<&'static str>,
    /// The role under which they sign (`Giáo viên chủ nhiệm`, the principal's title).
    pub role: Text,
    /// Their name.
    pub name: String,
    /// The line printed above the role when a deputy signs for the principal: `KT. HIỆU
    /// TRƯỞNG` ("ký thay", signing on the principal's behalf).
    pub on_behalf: Option<Label>,
}

/// The signature block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signatures {
    /// `Place, ngày dd tháng mm năm yyyy`.
    pub place_date: Text,
    /// The homeroom teacher (left) and the principal (right).
    pub signers: [Signer; 2],
}

/// The whole printed record of one year.
#[derive(Debug, Clone, PartialEq)]
pub struct Paper {
    /// The header.
    pub header: Header,
    /// The pupil and school block (beside the QR code on paper).
    pub pupil: Vec<Field>,
    /// The sections, in order: the level's results, then the closing lines.
    pub sections: Vec<Section>,
    /// The signatures.
    pub signatures: Signatures,
}

/// The heading of the pupil block on screen (on paper the block has none).
pub const PUPIL_HEADING: Label = Label::new("Học sinh và nhà trường", "Pupil and school");

/// The description of `record`'s printed page.
pub fn describe(record: &YearRecord) -> Paper {
    let mut sections = match record.results() {
        Some(LevelResults::Primary(p)) => primary::sections(p),
        Some(LevelResults::Secondary(s)) => secondary::sections(s, record.grade),
        None => Vec::new(),
    };
    sections.extend(closing(record));
    Paper {
        header: header(record),
        pupil: pupil(record),
        sections,
        signatures: signatures(record),
    }
}

impl Paper {
    /// Every section title, column heading, row heading and field label, in the order the page
    /// shows them, in Vietnamese: what both renderings must show, and nothing else.
    pub fn labels_vi(&self) -> Vec<String> {
        let mut out: Vec<String> = self.pupil.iter().map(|f| f.label.vi.to_owned()).collect();
        for section in &self.sections {
            out.extend(section.title.map(|t| t.vi.to_owned()));
            for block in &section.blocks {
                match block {
                    Block::Table(t) => table_labels(t, &mut out),
                    Block::Beside(ts) => ts.iter().for_each(|t| table_labels(t, &mut out)),
                    Block::Fields { fields, .. } => {
                        out.extend(fields.iter().map(|f| f.label.vi.to_owned()))
                    }
                    Block::Legend(_) | Block::Paragraph { .. } => {}
                }
            }
        }
        out
    }
}

fn table_labels(t: &Table, out: &mut Vec<String>) {
    out.extend(t.columns.iter().map(|c| c.label.vi.to_owned()));
    out.extend(t.comment.map(|c| c.label.vi.to_owned()));
    out.extend(t.rows.iter().map(|r| r.head.vi.clone()));
}

fn header(r: &YearRecord) -> Header {
    Header {
        department: format!("SỞ GD&ĐT {}", r.school.province.to_uppercase()),
        school: r.school.name.to_uppercase(),
        title: "HỌC BẠ",
        level: words::level(r.grade),
        year_line: Text {
            vi: format!(
                "Năm học {} · Lớp {} · Khối {}",
                r.school_year, r.class_name, r.grade
            ),
            en: format!(
                "School year {} · Class {} · Grade {}",
                r.school_year, r.class_name, r.grade
            ),
        },
    }
}

fn pupil(r: &YearRecord) -> Vec<Field> {
    let s = &r.student;
    let f = |key, vi, en, value| Field::new(key, Label::new(vi, en), value);
    let mut out = vec![
        f(
            Some("pupil-name"),
            "Họ và tên học sinh",
            "Pupil's full name",
            Text::same(&s.full_name),
        ),
        f(
            Some("date-of-birth"),
            "Ngày sinh",
            "Date of birth",
            words::date(&s.date_of_birth),
        ),
        f(None, "Giới tính", "Gender", words::gender(s.gender)).inline(),
        f(None, "Dân tộc", "Ethnicity", Text::same(&s.ethnicity)).inline(),
        f(None, "Quốc tịch", "Nationality", Text::same(&s.nationality)).inline(),
        f(
            None,
            "Nơi sinh",
            "Place of birth",
            Text::same(&s.place_of_birth),
        ),
        f(
            None,
            "Chỗ ở hiện nay",
            "Residence",
            Text::same(&s.residence),
        ),
        f(
            None,
            "Mã định danh cá nhân",
            "Personal identification number",
            Text::same(s.personal_id_number.as_deref().unwrap_or("—")),
        ),
        f(
            None,
            "Mã học sinh",
            "Student code",
            Text::same(&s.student_code),
        )
        .inline(),
    ];
    if let Some(v) = &s.hometown {
        out.push(f(Some("hometown"), "Quê quán", "Home town", Text::same(v)));
    }
    for (name, job) in [
        (("Họ tên cha", "Father"), &s.father_name),
        (("Nghề nghiệp", "Occupation"), &s.father_occupation),
        (("Họ tên mẹ", "Mother"), &s.mother_name),
        (("Nghề nghiệp", "Occupation"), &s.mother_occupation),
        (("Người giám hộ", "Guardian"), &s.guardian_name),
        (("Nghề nghiệp", "Occupation"), &s.guardian_occupation),
    ]
    .chunks(2)
    .map(|pair| (pair[0], pair[1]))
    {
        if let Some(v) = name.1 {
            out.push(f(None, name.0.0, name.0.1, Text::same(v)));
            if let Some(j) = job.1 {
                out.push(f(None, job.0.0, job.0.1, Text::same(j)).inline());
            }
        }
    }
    for (key, vi, en, value) in [
        (None, "Đối tượng", "Policy group", &s.policy_group),
        (None, "Khuyết tật", "Disability note", &s.disability_note),
        (
            Some("registration-number"),
            "Số sổ đăng bộ",
            "Enrolment register number",
            &s.registration_number,
        ),
    ] {
        if let Some(v) = value {
            // Short values: the register number follows the policy group or the note.
            let follows =
                key.is_some() && (s.policy_group.is_some() || s.disability_note.is_some());
            let field = f(key, vi, en, Text::same(v));
            out.push(if follows { field.inline() } else { field });
        }
    }
    let school = &r.school;
    out.extend([
        f(
            Some("school"),
            "Trường",
            "School",
            Text {
                vi: format!("{} (mã trường {})", school.name, school.code),
                en: format!("{} (school code {})", school.name, school.code),
            },
        ),
        f(
            None,
            "Xã/phường, tỉnh/thành phố",
            "Commune, province",
            Text::same(&format!("{}, {}", school.commune, school.province)),
        ),
        f(
            Some("school-year"),
            "Năm học",
            "School year",
            Text::same(&r.school_year),
        ),
        f(Some("class"), "Lớp", "Class", Text::same(&r.class_name)).inline(),
        f(
            None,
            "Giáo viên chủ nhiệm",
            "Homeroom teacher",
            Text::same(&r.homeroom_teacher),
        )
        .inline(),
    ]);
    out
}

/// `Miễn` / `Exempt`: the cell of a subject the pupil is exempt from.
pub(crate) const EXEMPT: Label = Label::new("Miễn", "Exempt");

/// The decision line (`Quyết định: Được lên lớp`), keyed `promotion`.
pub(crate) fn promotion_field(p: crate::record::Promotion) -> Field {
    Field::new(Some("promotion"), words::DECISION, words::promotion(p))
}

/// The line saying whether the pupil completed the level's programme, when the record says.
pub(crate) fn completion_field(grade: u8, done: Option<bool>) -> Option<Field> {
    let label = words::completion_label(grade);
    done.map(|d| Field::new(Some("completion"), label, words::yes_no(d)))
}

/// The `Khen thưởng` line.
pub(crate) fn awards_field(award: Option<crate::record::Award>, other: &[String]) -> Field {
    Field::new(
        Some("award"),
        Label::new("Khen thưởng", "Awards"),
        words::awards(award, other),
    )
}

fn closing(r: &YearRecord) -> Vec<Section> {
    let mut absences = vec![Field::new(
        Some("days-absent"),
        Label::new("Số buổi nghỉ học", "Sessions absent"),
        Text::same(&r.days_absent.to_string()),
    )];
    if let Some(p) = &r.primary {
        absences.extend(primary::health_and_days(p));
    }
    let mut out = Vec::new();
    if !r.study_history.is_empty() {
        out.push(study_history(&r.study_history));
    }
    out.extend([
        Section {
            title: None,
            blocks: vec![Block::Fields {
                key: None,
                fields: absences,
            }],
        },
        Section {
            title: Some(Label::new(
                "Nhận xét của giáo viên chủ nhiệm",
                "Homeroom teacher's comment",
            )),
            blocks: vec![Block::Paragraph {
                key: "teacher-comment",
                text: r.teacher_comment.clone(),
            }],
        },
    ]);
    out
}

fn signatures(r: &YearRecord) -> Signatures {
    let date = r
        .approval_date
        .as_deref()
        .and_then(crate::record::parse_date);
    let place_date = match date {
        Some(d) => Text {
            vi: format!(
                "{}, ngày {:02} tháng {:02} năm {}",
                r.place_of_issue,
                d.day(),
                u8::from(d.month()),
                d.year()
            ),
            en: format!(
                "{}, {}-{:02}-{:02}",
                r.place_of_issue,
                d.year(),
                u8::from(d.month()),
                d.day()
            ),
        },
        None => Text::same(&r.place_of_issue),
    };
    Signatures {
        place_date,
        signers: [
            Signer {
                key: None,
                role: Text::label(Label::new("Giáo viên chủ nhiệm", "Homeroom teacher")),
                name: r.homeroom_teacher.clone(),
                on_behalf: None,
            },
            Signer {
                key: Some("principal"),
                role: Text::same(&r.principal.title),
                name: r.principal.name.clone(),
                on_behalf: signs_for_principal(&r.principal.title)
                    .then_some(Label::new("KT. HIỆU TRƯỞNG", "For the principal")),
            },
        ],
    }
}

#[cfg(test)]
mod tests;
