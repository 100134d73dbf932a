//! Kết quả rèn luyện cả năm — a secondary pupil's conduct result for the year, from the two
//! semesters' (Circular 22/2021/TT-BGDĐT, Article 8(2)(b)):
//!
//! * **T** Tốt: semester II Tốt and semester I at least Khá.
//! * **K** Khá: semester II Khá and semester I at least Đạt; or semester II Đạt and semester I
//!   Tốt; or semester II Tốt and semester I Đạt or Chưa đạt.
//! * **Đ** Đạt: semester II Đạt and semester I Khá, Đạt or Chưa đạt; or semester II Khá and
//!   semester I Chưa đạt.
//! * **CĐ** Chưa đạt: every other case (semester II Chưa đạt).
//!
//! The semester results themselves are the teachers' judgment; only the year's is derived.

use crate::record::Rating;

/// The year's conduct result the rules give for the two semesters' results, or `None` when
/// either is not one of T, K, Đ, CĐ.
pub fn conduct_year(semester1: Rating, semester2: Rating) -> Option<Rating> {
    use Rating::{Cd, D, K, T};
    if !matches!(semester1, T | K | D | Cd) {
        return None;
    }
    Some(match (semester2, semester1) {
        (T, T | K) => T,
        (T, D | Cd) => K,
        (K, T | K | D) => K,
        (K, Cd) => D,
        (D, T) => K,
        (D, K | D | Cd) => D,
        (Cd, _) => Cd,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Rating::{Cd, D, K, T};

    /// Every pair of semester results, as Article 8(2)(b) lists them: rows are semester II,
    /// columns semester I (T, K, Đ, CĐ).
    #[test]
    fn the_whole_table() {
        let semesters = [T, K, D, Cd];
        let table = [
            // semester II T
            [T, T, K, K],
            // semester II K
            [K, K, K, D],
            // semester II Đ
            [K, D, D, D],
            // semester II CĐ
            [Cd, Cd, Cd, Cd],
        ];
        for (row, s2) in semesters.into_iter().enumerate() {
            for (col, s1) in semesters.into_iter().enumerate() {
                assert_eq!(
                    conduct_year(s1, s2),
                    Some(table[row][col]),
                    "semester I {s1}, semester II {s2}"
                );
            }
        }
    }

    #[test]
    fn ratings_of_another_scale_give_nothing() {
        assert_eq!(conduct_year(Rating::H, T), None);
        assert_eq!(conduct_year(T, Rating::C), None);
    }
}
