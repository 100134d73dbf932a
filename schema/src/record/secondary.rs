//! Secondary results (grades 6–12, Circular 22/2021/TT-BGDĐT): subject averages or comment
//! ratings per semester and for the year, learning and conduct results, promotion and awards.

use serde::{Deserialize, Serialize};

use super::serde_util::{is_false, present};
use super::{Average, Award, Promotion, Rating, Subject};

/// The secondary part of a year record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecondaryYear {
    /// Môn học và hoạt động giáo dục — every subject of the grade (in grades 10–12, the
    /// compulsory ones and the four chosen).
    pub subjects: Vec<SecondarySubjectResult>,
    /// Kết quả học tập — learning result, T / K / Đ / CĐ.
    pub learning_result: TermRatings,
    /// Kết quả rèn luyện — conduct result, T / K / Đ / CĐ.
    pub conduct_result: TermRatings,
    /// Lên lớp, rèn luyện trong hè, kiểm tra lại or ở lại lớp.
    pub promotion: Promotion,
    /// Danh hiệu khen thưởng — `hoc_sinh_gioi` or `hoc_sinh_xuat_sac`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub award: Option<Award>,
    /// Khen thưởng khác — other awards as written (competitions, special commendations).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_awards: Vec<String>,
    /// Hoàn thành chương trình trung học cơ sở — confirmed by the principal; required in grade
    /// 9 and only there.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub completed_lower_secondary_programme: Option<bool>,
    /// Chứng chỉ (nếu có) — certificates as written (e.g. `IELTS 6.5`, `Chứng chỉ nghề phổ
    /// thông: Tin học văn phòng`), optional.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<String>,
    /// Sau kiểm tra lại / rèn luyện trong hè — the results after the summer, present only in
    /// the correction issued after it (see [`super::SummerResults`]).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub summer: Option<super::SummerResults>,
}

/// One secondary subject. A scored subject (đánh giá bằng nhận xét kết hợp điểm số) carries the
/// three averages; a comment subject (đánh giá bằng nhận xét) carries the three Đ / CĐ ratings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecondarySubjectResult {
    /// Subject code (see [`Subject`]).
    pub code: String,
    /// Tên môn học — the name the school prints (e.g. `Tiếng Anh` for Ngoại ngữ 1).
    pub name: String,
    /// Miễn học — the pupil is exempt; then no averages or ratings.
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
    /// ĐTBmhk I — semester I average.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub semester1_average: Option<Average>,
    /// ĐTBmhk II — semester II average.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub semester2_average: Option<Average>,
    /// ĐTBmcn — year average.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub year_average: Option<Average>,
    /// Mức đánh giá học kì I — Đ / CĐ.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub semester1_rating: Option<Rating>,
    /// Mức đánh giá học kì II — Đ / CĐ.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub semester2_rating: Option<Rating>,
    /// Mức đánh giá cả năm — Đ / CĐ.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub year_rating: Option<Rating>,
    /// Nhận xét — the subject teacher's comment (optional).
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

impl SecondarySubjectResult {
    /// The subject, when the code is known.
    pub fn subject(&self) -> Option<Subject> {
        Subject::from_code(&self.code)
    }

    /// The average of a term, if written.
    pub fn average(&self, term: Term) -> Option<Average> {
        match term {
            Term::Semester1 => self.semester1_average,
            Term::Semester2 => self.semester2_average,
            Term::Year => self.year_average,
        }
    }

    /// A term's cell as the paper record prints it: the average (one decimal), else the
    /// rating's code (`Đ`, `CĐ`), else nothing. Exempt subjects are the caller's to print.
    pub fn printed(&self, term: Term) -> Option<String> {
        self.average(term)
            .map(Average::printed)
            .or_else(|| self.rating(term).map(|r| r.code().to_owned()))
    }

    /// The comment rating of a term, if written.
    pub fn rating(&self, term: Term) -> Option<Rating> {
        match term {
            Term::Semester1 => self.semester1_rating,
            Term::Semester2 => self.semester2_rating,
            Term::Year => self.year_rating,
        }
    }
}

/// A result per semester and for the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TermRatings {
    /// Học kì I.
    pub semester1: Rating,
    /// Học kì II.
    pub semester2: Rating,
    /// Cả năm.
    pub year: Rating,
}

impl TermRatings {
    /// The rating of one term.
    pub fn get(&self, term: Term) -> Rating {
        match term {
            Term::Semester1 => self.semester1,
            Term::Semester2 => self.semester2,
            Term::Year => self.year,
        }
    }
}

/// A period results are given for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Term {
    /// Học kì I.
    Semester1,
    /// Học kì II.
    Semester2,
    /// Cả năm học.
    Year,
}

impl Term {
    /// The three terms in order.
    pub const ALL: [Term; 3] = [Term::Semester1, Term::Semester2, Term::Year];

    /// The field name in [`TermRatings`] (`semester1`, `semester2`, `year`).
    pub fn key(self) -> &'static str {
        match self {
            Term::Semester1 => "semester1",
            Term::Semester2 => "semester2",
            Term::Year => "year",
        }
    }

    /// The average's field name in [`SecondarySubjectResult`].
    pub fn average_key(self) -> &'static str {
        match self {
            Term::Semester1 => "semester1Average",
            Term::Semester2 => "semester2Average",
            Term::Year => "yearAverage",
        }
    }

    /// The rating's field name in [`SecondarySubjectResult`].
    pub fn rating_key(self) -> &'static str {
        match self {
            Term::Semester1 => "semester1Rating",
            Term::Semester2 => "semester2Rating",
            Term::Year => "yearRating",
        }
    }

    /// The Vietnamese name.
    pub fn label_vi(self) -> &'static str {
        match self {
            Term::Semester1 => "học kì I",
            Term::Semester2 => "học kì II",
            Term::Year => "cả năm",
        }
    }

    /// The English name.
    pub fn label_en(self) -> &'static str {
        match self {
            Term::Semester1 => "semester I",
            Term::Semester2 => "semester II",
            Term::Year => "the year",
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn cells_print_one_decimal_averages_else_the_rating_code() {
        let sub: SecondarySubjectResult = serde_json::from_value(serde_json::json!({
            "code": "toan", "name": "Toán",
            "semester1Average": 8.3, "semester2Average": 10, "yearAverage": 9.44
        }))
        .unwrap();
        assert_eq!(sub.printed(Term::Semester1).as_deref(), Some("8.3"));
        assert_eq!(sub.printed(Term::Semester2).as_deref(), Some("10.0"));
        assert_eq!(sub.printed(Term::Year).as_deref(), Some("9.44"));
        let rated: SecondarySubjectResult = serde_json::from_value(serde_json::json!({
            "code": "gdtc", "name": "Giáo dục thể chất",
            "semester1Rating": "Đ", "yearRating": "CĐ"
        }))
        .unwrap();
        assert_eq!(rated.printed(Term::Semester1).as_deref(), Some("Đ"));
        assert_eq!(rated.printed(Term::Semester2), None);
        assert_eq!(rated.printed(Term::Year).as_deref(), Some("CĐ"));
    }
}
