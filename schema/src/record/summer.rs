//! After the summer (Circular 22/2021, Articles 13–14): a pupil whose year conduct is Chưa đạt
//! does summer training (rèn luyện trong hè) and is assessed again; a pupil whose learning is
//! Chưa đạt is re-assessed (kiểm tra lại) in the subjects rated CĐ and the scored subjects with a
//! year average below 5.0. The re-assessed results replace the year's, and the final decision is
//! taken on them.
//!
//! How a record gets there (see `schema/docs/record.md`, "After the summer"): the record signed
//! at the end of the year carries the interim decision (`ren_luyen_trong_he` or `kiem_tra_lai`)
//! and no `summer` block; after the summer the school issues a **correction** of it — the same
//! record with `summer` filled in — which revokes and replaces the year-end record and names it.
//! The printed page never shows an interim decision as if it were final.

use serde::{Deserialize, Serialize};

use super::serde_util::present;
use super::{Average, Rating};

/// The results after the summer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SummerResults {
    /// Điểm TB môn hoặc mức đánh giá sau đánh giá lại — the re-assessed subjects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<ReassessedSubject>,
    /// Kết quả học tập sau đánh giá lại — required when the year's learning is CĐ.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub learning_result: Option<Rating>,
    /// Kết quả rèn luyện sau rèn luyện trong hè — required when the year's conduct is CĐ.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub conduct_result: Option<Rating>,
    /// The final decision taken on the results after the summer.
    pub decision: SummerDecision,
}

/// One subject re-assessed in the summer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReassessedSubject {
    /// The subject's code, as in the year's subject list.
    pub code: String,
    /// The re-assessed average (scored subject), 0–10 with at most one decimal.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub average: Option<Average>,
    /// The re-assessed rating (comment subject), Đ or CĐ.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub rating: Option<Rating>,
}

/// The decision after the summer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SummerDecision {
    /// `len_lop` — Được lên lớp sau kiểm tra lại / rèn luyện trong hè.
    #[serde(rename = "len_lop")]
    Promoted,
    /// `hoan_thanh_chuong_trinh_thpt` — grade 12: hoàn thành chương trình THPT after the summer.
    #[serde(rename = "hoan_thanh_chuong_trinh_thpt")]
    CompletedUpperSecondary,
    /// `khong_duoc_len_lop` — Không được lên lớp (repeats the grade).
    #[serde(rename = "khong_duoc_len_lop")]
    NotPromoted,
}

impl SummerDecision {
    /// The JSON code.
    pub fn code(self) -> &'static str {
        match self {
            SummerDecision::Promoted => "len_lop",
            SummerDecision::CompletedUpperSecondary => "hoan_thanh_chuong_trinh_thpt",
            SummerDecision::NotPromoted => "khong_duoc_len_lop",
        }
    }

    /// The wording on the học bạ.
    pub fn label_vi(self) -> &'static str {
        match self {
            SummerDecision::Promoted => "Được lên lớp sau kiểm tra lại / rèn luyện trong hè",
            SummerDecision::CompletedUpperSecondary => {
                "Hoàn thành chương trình trung học phổ thông sau kiểm tra lại / rèn luyện trong hè"
            }
            SummerDecision::NotPromoted => "Không được lên lớp",
        }
    }

    /// In English.
    pub fn label_en(self) -> &'static str {
        match self {
            SummerDecision::Promoted => "Promoted after the summer re-assessment / training",
            SummerDecision::CompletedUpperSecondary => {
                "Completed upper secondary after the summer re-assessment / training"
            }
            SummerDecision::NotPromoted => "Not promoted (repeats the grade)",
        }
    }
}
