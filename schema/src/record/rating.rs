//! Ratings (mức đánh giá) exactly as the Ministry writes them: `T`, `H`, `C`, `K`, `Đ`, `CĐ`
//! (with the Vietnamese letter Đ, U+0110).
//!
//! One [`Rating`] type holds every code so that a record with a rating from the wrong set
//! (say `H` on a secondary subject) can still be read and reported with all its other problems;
//! [`RatingScale`] says which codes a given place accepts and what each one means there.

use serde::{Deserialize, Serialize};

/// A rating code. Its meaning depends on where it stands (see [`RatingScale`]): `T` is
/// "Hoàn thành tốt" for a primary subject but "Tốt" for a quality or a learning result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Rating {
    /// `T`: Hoàn thành tốt (primary subject) or Tốt (quality, competency, learning, conduct).
    #[serde(rename = "T")]
    T,
    /// `H`: Hoàn thành (primary subject).
    #[serde(rename = "H")]
    H,
    /// `C`: Chưa hoàn thành (primary subject) or Cần cố gắng (primary quality, competency).
    #[serde(rename = "C")]
    C,
    /// `K`: Khá (secondary learning or conduct result).
    #[serde(rename = "K")]
    K,
    /// `Đ`: Đạt (primary quality or competency, secondary comment subject, learning or conduct).
    #[serde(rename = "Đ")]
    D,
    /// `CĐ`: Chưa đạt (secondary comment subject, learning or conduct result).
    #[serde(rename = "CĐ")]
    Cd,
}

impl Rating {
    /// The code as the Ministry writes it (`"T"`, `"Đ"`, `"CĐ"`, …).
    pub fn code(self) -> &'static str {
        match self {
            Rating::T => "T",
            Rating::H => "H",
            Rating::C => "C",
            Rating::K => "K",
            Rating::D => "Đ",
            Rating::Cd => "CĐ",
        }
    }
}

impl std::fmt::Display for Rating {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// The set of ratings a place in the record accepts, and their meaning there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RatingScale {
    /// Primary subject or activity (Circular 27): T Hoàn thành tốt, H Hoàn thành,
    /// C Chưa hoàn thành.
    PrimarySubject,
    /// Primary quality or competency (phẩm chất, năng lực): T Tốt, Đ Đạt, C Cần cố gắng.
    PrimaryQuality,
    /// Secondary subject assessed by comment (Circular 22): Đ Đạt, CĐ Chưa đạt.
    SecondarySubject,
    /// Secondary learning or conduct result (kết quả học tập, rèn luyện): T Tốt, K Khá,
    /// Đ Đạt, CĐ Chưa đạt.
    SecondaryResult,
}

impl RatingScale {
    /// The codes this scale accepts, best first.
    pub fn ratings(self) -> &'static [Rating] {
        match self {
            RatingScale::PrimarySubject => &[Rating::T, Rating::H, Rating::C],
            RatingScale::PrimaryQuality => &[Rating::T, Rating::D, Rating::C],
            RatingScale::SecondarySubject => &[Rating::D, Rating::Cd],
            RatingScale::SecondaryResult => &[Rating::T, Rating::K, Rating::D, Rating::Cd],
        }
    }

    /// Whether `rating` belongs to this scale.
    pub fn allows(self, rating: Rating) -> bool {
        self.ratings().contains(&rating)
    }

    /// The codes of this scale joined for a message, e.g. `T, H, C`.
    pub fn codes(self) -> String {
        self.ratings()
            .iter()
            .map(|r| r.code())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// What `rating` means on this scale, in Vietnamese (`None` when it is not on the scale).
    pub fn label_vi(self, rating: Rating) -> Option<&'static str> {
        use Rating::*;
        Some(match (self, rating) {
            (RatingScale::PrimarySubject, T) => "Hoàn thành tốt",
            (RatingScale::PrimarySubject, H) => "Hoàn thành",
            (RatingScale::PrimarySubject, C) => "Chưa hoàn thành",
            (RatingScale::PrimaryQuality, T) => "Tốt",
            (RatingScale::PrimaryQuality, D) => "Đạt",
            (RatingScale::PrimaryQuality, C) => "Cần cố gắng",
            (RatingScale::SecondarySubject, D) => "Đạt",
            (RatingScale::SecondarySubject, Cd) => "Chưa đạt",
            (RatingScale::SecondaryResult, T) => "Tốt",
            (RatingScale::SecondaryResult, K) => "Khá",
            (RatingScale::SecondaryResult, D) => "Đạt",
            (RatingScale::SecondaryResult, Cd) => "Chưa đạt",
            _ => return None,
        })
    }

    /// What `rating` means on this scale, in English (`None` when it is not on the scale).
    pub fn label_en(self, rating: Rating) -> Option<&'static str> {
        use Rating::*;
        Some(match (self, rating) {
            (RatingScale::PrimarySubject, T) => "completed well",
            (RatingScale::PrimarySubject, H) => "completed",
            (RatingScale::PrimarySubject, C) => "not completed",
            (RatingScale::PrimaryQuality, T) => "good",
            (RatingScale::PrimaryQuality, D) => "achieved",
            (RatingScale::PrimaryQuality, C) => "needs effort",
            (RatingScale::SecondarySubject, D) => "passed",
            (RatingScale::SecondarySubject, Cd) => "not passed",
            (RatingScale::SecondaryResult, T) => "good",
            (RatingScale::SecondaryResult, K) => "fairly good",
            (RatingScale::SecondaryResult, D) => "passed",
            (RatingScale::SecondaryResult, Cd) => "not passed",
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn codes_round_trip_through_json() {
        for r in [
            Rating::T,
            Rating::H,
            Rating::C,
            Rating::K,
            Rating::D,
            Rating::Cd,
        ] {
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.code()));
            assert_eq!(serde_json::from_str::<Rating>(&json).unwrap(), r);
        }
        // ASCII D is not the Vietnamese Đ.
        assert!(serde_json::from_str::<Rating>("\"D\"").is_err());
        assert!(serde_json::from_str::<Rating>("\"CD\"").is_err());
    }

    #[test]
    fn scales_hold_their_own_codes_only() {
        assert!(RatingScale::PrimarySubject.allows(Rating::H));
        assert!(!RatingScale::PrimarySubject.allows(Rating::D));
        assert!(RatingScale::PrimaryQuality.allows(Rating::D));
        assert!(!RatingScale::PrimaryQuality.allows(Rating::H));
        assert!(!RatingScale::SecondarySubject.allows(Rating::T));
        assert!(RatingScale::SecondaryResult.allows(Rating::K));
        assert_eq!(RatingScale::SecondaryResult.codes(), "T, K, Đ, CĐ");
        for scale in [
            RatingScale::PrimarySubject,
            RatingScale::PrimaryQuality,
            RatingScale::SecondarySubject,
            RatingScale::SecondaryResult,
        ] {
            for r in scale.ratings() {
                assert!(scale.label_vi(*r).is_some());
                assert!(scale.label_en(*r).is_some());
            }
        }
        assert_eq!(RatingScale::PrimarySubject.label_vi(Rating::K), None);
    }
}
