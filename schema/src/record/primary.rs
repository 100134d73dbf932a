//! Primary results (grades 1–5, Circular 27/2020/TT-BGDĐT): a rating and a comment for every
//! subject and activity, periodic test scores for the tested subjects, ratings of the five
//! qualities and ten competencies, and the year's overall result.

use serde::{Deserialize, Serialize};

use super::serde_util::{is_false, present};
use super::{Award, Promotion, Rating, Subject, TestScore};

/// The primary part of a year record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrimaryYear {
    /// Môn học và hoạt động giáo dục — every subject and activity of the grade.
    pub subjects: Vec<PrimarySubjectResult>,
    /// Phẩm chất chủ yếu — the five core qualities.
    pub qualities: Qualities,
    /// Năng lực cốt lõi — the three general and seven specific competencies.
    pub competencies: Competencies,
    /// Nhận xét về phẩm chất — comment on the qualities.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub qualities_comment: Option<String>,
    /// Nhận xét về năng lực — comment on the competencies.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub competencies_comment: Option<String>,
    /// Đánh giá kết quả giáo dục — the year's overall result.
    pub year_result: PrimaryYearResult,
    /// Lên lớp / ở lại lớp.
    pub promotion: Promotion,
    /// Danh hiệu khen thưởng — `hoc_sinh_xuat_sac` or `hoc_sinh_tieu_bieu`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub award: Option<Award>,
    /// Khen thưởng khác — other awards as written (competitions, special commendations).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_awards: Vec<String>,
    /// Hoàn thành chương trình tiểu học — confirmed by the principal; required in grade 5 and
    /// only there.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub completed_primary_programme: Option<bool>,
    /// Chiều cao — height in centimetres, a whole number (optional; the primary form has it).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub height_cm: Option<u16>,
    /// Cân nặng — weight in kilograms, at most one decimal (optional; the primary form has it).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub weight_kg: Option<f64>,
    /// Số ngày nghỉ có phép — days absent with permission (the primary form counts days).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub days_absent_excused: Option<u16>,
    /// Số ngày nghỉ không phép — days absent without permission.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub days_absent_unexcused: Option<u16>,
}

/// One primary subject or activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrimarySubjectResult {
    /// Subject code (see [`Subject`]).
    pub code: String,
    /// Tên môn học — the name the school prints (e.g. `Tiếng Anh` for Ngoại ngữ 1).
    pub name: String,
    /// Miễn học — the pupil is exempt (e.g. for disability); then no rating, scores or comment.
    #[serde(default, skip_serializing_if = "is_false")]
    pub exempt: bool,
    /// Lý do miễn — the grounds of an exemption (e.g. a medical certificate, the principal's
    /// decision). Outside Giáo dục thể chất and the arts an exemption without grounds here or in
    /// the pupil's disability note is a warning the school confirms.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub exemption_note: Option<String>,
    /// Mức đạt được — T / H / C.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub rating: Option<Rating>,
    /// Điểm kiểm tra định kì — for tested subjects.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub test_scores: Option<TestScores>,
    /// Nhận xét — the teacher's comment.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub comment: Option<String>,
    /// Giáo viên bộ môn — the subject teacher who signs the subject's row (optional).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub teacher: Option<String>,
}

impl PrimarySubjectResult {
    /// The subject, when the code is known.
    pub fn subject(&self) -> Option<Subject> {
        Subject::from_code(&self.code)
    }
}

/// A periodic test (bài kiểm tra định kì).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodicTest {
    /// `midSemester1` — giữa học kì I (Tiếng Việt and Toán, grades 4–5).
    MidSemester1,
    /// `endSemester1` — cuối học kì I.
    EndSemester1,
    /// `midSemester2` — giữa học kì II (Tiếng Việt and Toán, grades 4–5).
    MidSemester2,
    /// `endYear` — cuối năm học.
    EndYear,
}

impl PeriodicTest {
    /// Every test, in the order of the year.
    pub const ALL: [PeriodicTest; 4] = [
        PeriodicTest::MidSemester1,
        PeriodicTest::EndSemester1,
        PeriodicTest::MidSemester2,
        PeriodicTest::EndYear,
    ];

    /// The JSON field name.
    pub fn key(self) -> &'static str {
        match self {
            PeriodicTest::MidSemester1 => "midSemester1",
            PeriodicTest::EndSemester1 => "endSemester1",
            PeriodicTest::MidSemester2 => "midSemester2",
            PeriodicTest::EndYear => "endYear",
        }
    }

    /// The Vietnamese name of the test.
    pub fn label_vi(self) -> &'static str {
        match self {
            PeriodicTest::MidSemester1 => "giữa học kì I",
            PeriodicTest::EndSemester1 => "cuối học kì I",
            PeriodicTest::MidSemester2 => "giữa học kì II",
            PeriodicTest::EndYear => "cuối năm học",
        }
    }
}

/// Periodic test scores (điểm kiểm tra định kì), whole numbers 1–10. The year-end score is the
/// one the học bạ prints and the year result uses; the others may be included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TestScores {
    /// Giữa học kì I.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub mid_semester1: Option<TestScore>,
    /// Cuối học kì I.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub end_semester1: Option<TestScore>,
    /// Giữa học kì II.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub mid_semester2: Option<TestScore>,
    /// Cuối năm học.
    pub end_year: TestScore,
}

impl TestScores {
    /// The score of one test, if it was written.
    pub fn get(&self, test: PeriodicTest) -> Option<TestScore> {
        match test {
            PeriodicTest::MidSemester1 => self.mid_semester1,
            PeriodicTest::EndSemester1 => self.end_semester1,
            PeriodicTest::MidSemester2 => self.mid_semester2,
            PeriodicTest::EndYear => Some(self.end_year),
        }
    }

    /// Every written score with its test.
    pub fn iter(&self) -> impl Iterator<Item = (PeriodicTest, TestScore)> + '_ {
        PeriodicTest::ALL
            .into_iter()
            .filter_map(|t| self.get(t).map(|s| (t, s)))
    }
}

/// Phẩm chất chủ yếu — the five core qualities, each T Tốt / Đ Đạt / C Cần cố gắng.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Qualities {
    /// Yêu nước.
    pub patriotism: Rating,
    /// Nhân ái.
    pub compassion: Rating,
    /// Chăm chỉ.
    pub diligence: Rating,
    /// Trung thực.
    pub honesty: Rating,
    /// Trách nhiệm.
    pub responsibility: Rating,
}

impl Qualities {
    /// Every quality as (JSON field name, Vietnamese name, rating).
    pub fn entries(&self) -> [(&'static str, &'static str, Rating); 5] {
        [
            ("patriotism", "Yêu nước", self.patriotism),
            ("compassion", "Nhân ái", self.compassion),
            ("diligence", "Chăm chỉ", self.diligence),
            ("honesty", "Trung thực", self.honesty),
            ("responsibility", "Trách nhiệm", self.responsibility),
        ]
    }
}

/// Năng lực cốt lõi — three general competencies (năng lực chung) and seven specific ones
/// (năng lực đặc thù), each T Tốt / Đ Đạt / C Cần cố gắng. The forms of grades 1–2 list five
/// specific competencies: Công nghệ and Tin học start with the subject Tin học và Công nghệ in
/// grade 3, so they are optional in the JSON and absent in grades 1–2.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Competencies {
    /// Tự chủ và tự học.
    pub autonomy_and_self_learning: Rating,
    /// Giao tiếp và hợp tác.
    pub communication_and_collaboration: Rating,
    /// Giải quyết vấn đề và sáng tạo.
    pub problem_solving_and_creativity: Rating,
    /// Ngôn ngữ.
    pub language: Rating,
    /// Tính toán.
    pub numeracy: Rating,
    /// Khoa học.
    pub science: Rating,
    /// Công nghệ — grades 3–5 (the grade 1–2 forms do not list it).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub technology: Option<Rating>,
    /// Tin học — grades 3–5 (the grade 1–2 forms do not list it).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub informatics: Option<Rating>,
    /// Thẩm mĩ.
    pub aesthetics: Rating,
    /// Thể chất.
    pub physical: Rating,
}

impl Competencies {
    /// Every competency the record rates, as (JSON field name, Vietnamese name, rating).
    pub fn entries(&self) -> Vec<(&'static str, &'static str, Rating)> {
        let optional = [
            ("technology", "Công nghệ", self.technology),
            ("informatics", "Tin học", self.informatics),
        ];
        let mut out = vec![
            (
                "autonomyAndSelfLearning",
                "Tự chủ và tự học",
                self.autonomy_and_self_learning,
            ),
            (
                "communicationAndCollaboration",
                "Giao tiếp và hợp tác",
                self.communication_and_collaboration,
            ),
            (
                "problemSolvingAndCreativity",
                "Giải quyết vấn đề và sáng tạo",
                self.problem_solving_and_creativity,
            ),
            ("language", "Ngôn ngữ", self.language),
            ("numeracy", "Tính toán", self.numeracy),
            ("science", "Khoa học", self.science),
        ];
        let tail = [
            ("aesthetics", "Thẩm mĩ", self.aesthetics),
            ("physical", "Thể chất", self.physical),
        ];
        out.extend(
            optional
                .into_iter()
                .filter_map(|(k, n, r)| r.map(|r| (k, n, r))),
        );
        out.extend(tail);
        out
    }
}

/// Đánh giá kết quả giáo dục — the primary year result (Circular 27, Article 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PrimaryYearResult {
    /// `hoan_thanh_xuat_sac` — Hoàn thành xuất sắc.
    #[serde(rename = "hoan_thanh_xuat_sac")]
    Outstanding,
    /// `hoan_thanh_tot` — Hoàn thành tốt.
    #[serde(rename = "hoan_thanh_tot")]
    Good,
    /// `hoan_thanh` — Hoàn thành.
    #[serde(rename = "hoan_thanh")]
    Completed,
    /// `chua_hoan_thanh` — Chưa hoàn thành.
    #[serde(rename = "chua_hoan_thanh")]
    NotCompleted,
}

impl PrimaryYearResult {
    /// The JSON code.
    pub fn code(self) -> &'static str {
        match self {
            PrimaryYearResult::Outstanding => "hoan_thanh_xuat_sac",
            PrimaryYearResult::Good => "hoan_thanh_tot",
            PrimaryYearResult::Completed => "hoan_thanh",
            PrimaryYearResult::NotCompleted => "chua_hoan_thanh",
        }
    }

    /// The wording on the học bạ.
    pub fn label_vi(self) -> &'static str {
        match self {
            PrimaryYearResult::Outstanding => "Hoàn thành xuất sắc",
            PrimaryYearResult::Good => "Hoàn thành tốt",
            PrimaryYearResult::Completed => "Hoàn thành",
            PrimaryYearResult::NotCompleted => "Chưa hoàn thành",
        }
    }

    /// Whether the pupil completed the grade's programme (every result but Chưa hoàn thành).
    pub fn is_completed(self) -> bool {
        self != PrimaryYearResult::NotCompleted
    }
}
