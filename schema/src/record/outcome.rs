//! Year-end decisions shared by both levels: promotion (lên lớp) and the year's award title
//! (danh hiệu khen thưởng).

use serde::{Deserialize, Serialize};

use super::SchoolLevel;

/// The year-end decision about the next grade.
///
/// * Primary grades 1–4: `hoan_thanh_chuong_trinh_lop_hoc` for a pupil whose year result is
///   Hoàn thành or better (Circular 27, Article 11(1)); for a pupil rated Chưa hoàn thành the
///   principal decides `len_lop` or `o_lai_lop` (Article 11(3)). Grade 5 keeps `len_lop`, with
///   completion of the primary programme recorded separately.
/// * Grade 9: `len_lop`, with completion of the lower-secondary programme recorded separately.
/// * Grade 12: `hoan_thanh_chuong_trinh_thpt` when the conditions of promotion are met
///   (Circular 22, Article 12(1)).
///
/// New codes are added, never renamed: a record signed with an older code still reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Promotion {
    /// `len_lop` — Được lên lớp (promoted).
    #[serde(rename = "len_lop")]
    Promoted,
    /// `ren_luyen_trong_he` — Rèn luyện trong hè (summer conduct training; secondary only).
    #[serde(rename = "ren_luyen_trong_he")]
    SummerTraining,
    /// `kiem_tra_lai` — Kiểm tra lại (re-examination; secondary only).
    #[serde(rename = "kiem_tra_lai")]
    Retest,
    /// `o_lai_lop` — Không được lên lớp, ở lại lớp (repeats the grade; printed as Circular 22
    /// Art. 12 and the forms word it).
    #[serde(rename = "o_lai_lop")]
    Retained,
    /// `hoan_thanh_chuong_trinh_lop_hoc` — Hoàn thành chương trình lớp học (primary grades 1–4,
    /// Circular 27, Article 11(1)).
    #[serde(rename = "hoan_thanh_chuong_trinh_lop_hoc")]
    CompletedGrade,
    /// `hoan_thanh_chuong_trinh_thpt` — Hoàn thành chương trình trung học phổ thông (grade 12,
    /// Circular 22, Article 12(1)).
    #[serde(rename = "hoan_thanh_chuong_trinh_thpt")]
    CompletedUpperSecondary,
}

impl Promotion {
    /// The JSON code.
    pub fn code(self) -> &'static str {
        match self {
            Promotion::Promoted => "len_lop",
            Promotion::SummerTraining => "ren_luyen_trong_he",
            Promotion::Retest => "kiem_tra_lai",
            Promotion::Retained => "o_lai_lop",
            Promotion::CompletedGrade => "hoan_thanh_chuong_trinh_lop_hoc",
            Promotion::CompletedUpperSecondary => "hoan_thanh_chuong_trinh_thpt",
        }
    }

    /// The wording on the học bạ.
    pub fn label_vi(self) -> &'static str {
        match self {
            Promotion::Promoted => "Được lên lớp",
            Promotion::SummerTraining => "Rèn luyện trong hè",
            Promotion::Retest => "Kiểm tra lại",
            Promotion::Retained => "Không được lên lớp",
            Promotion::CompletedGrade => "Hoàn thành chương trình lớp học",
            Promotion::CompletedUpperSecondary => "Hoàn thành chương trình trung học phổ thông",
        }
    }

    /// Whether a level uses this decision (primary: `len_lop`, `o_lai_lop` and
    /// `hoan_thanh_chuong_trinh_lop_hoc`; `hoan_thanh_chuong_trinh_thpt` only in upper
    /// secondary). Which grade of the level takes which code is the rules' business.
    pub fn used_in(self, level: SchoolLevel) -> bool {
        match self {
            Promotion::Promoted | Promotion::Retained => true,
            Promotion::SummerTraining | Promotion::Retest => level != SchoolLevel::Primary,
            Promotion::CompletedGrade => level == SchoolLevel::Primary,
            Promotion::CompletedUpperSecondary => level == SchoolLevel::UpperSecondary,
        }
    }
}

/// The year's award title (danh hiệu) given by the principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Award {
    /// `hoc_sinh_xuat_sac` — Học sinh Xuất sắc (both levels).
    #[serde(rename = "hoc_sinh_xuat_sac")]
    Outstanding,
    /// `hoc_sinh_tieu_bieu` — Học sinh Tiêu biểu hoàn thành tốt trong học tập và rèn luyện
    /// (primary).
    #[serde(rename = "hoc_sinh_tieu_bieu")]
    Exemplary,
    /// `hoc_sinh_gioi` — Học sinh Giỏi (secondary).
    #[serde(rename = "hoc_sinh_gioi")]
    Excellent,
}

impl Award {
    /// The JSON code.
    pub fn code(self) -> &'static str {
        match self {
            Award::Outstanding => "hoc_sinh_xuat_sac",
            Award::Exemplary => "hoc_sinh_tieu_bieu",
            Award::Excellent => "hoc_sinh_gioi",
        }
    }

    /// The title as written on the học bạ.
    pub fn label_vi(self) -> &'static str {
        match self {
            Award::Outstanding => "Học sinh Xuất sắc",
            Award::Exemplary => "Học sinh Tiêu biểu hoàn thành tốt trong học tập và rèn luyện",
            Award::Excellent => "Học sinh Giỏi",
        }
    }

    /// Whether a level gives this title.
    pub fn used_in(self, level: SchoolLevel) -> bool {
        match self {
            Award::Outstanding => true,
            Award::Exemplary => level == SchoolLevel::Primary,
            Award::Excellent => level != SchoolLevel::Primary,
        }
    }
}
