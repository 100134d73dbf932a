//! Whether a date of birth fits the grade. A pupil enters grade 1 in the calendar year they turn
//! 6 (Education Law 2019, Article 28), so in the school year starting in year *Y* the usual
//! pupil of grade *g* turns *g* + 5 in *Y*.
//!
//! Pupils may be older (late entry allowed for ethnic minority, disabled or returning children;
//! repeated grades) or a year younger (early entry or skipped grade). The project reads:
//!
//! * from [`USUAL_YOUNGER`] years younger to [`USUAL_OLDER`] years older: usual;
//! * up to [`PLAUSIBLE_YOUNGER`] years younger or [`PLAUSIBLE_OLDER`] years older: unusual, a
//!   warning for a person to confirm;
//! * beyond: implausible, an error (most often a typing mistake in the year).

/// Age (turned in the first calendar year of the school year) of the usual pupil of grade 1.
pub const GRADE_1_AGE: i32 = 6;
/// Years younger than usual that are still usual.
pub const USUAL_YOUNGER: i32 = 1;
/// Years older than usual that are still usual.
pub const USUAL_OLDER: i32 = 3;
/// Years younger than usual that are still plausible.
pub const PLAUSIBLE_YOUNGER: i32 = 2;
/// Years older than usual that are still plausible.
pub const PLAUSIBLE_OLDER: i32 = 7;

/// How a birth year fits a grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgeFit {
    /// Within the usual range.
    Usual,
    /// Possible but unusual: `offset` years older (positive) or younger (negative) than usual.
    Unusual {
        /// Years away from the usual age.
        offset: i32,
    },
    /// Not possible for the grade.
    Implausible {
        /// Years away from the usual age.
        offset: i32,
    },
}

/// The usual age (turned during the school year's first calendar year) for a grade.
pub fn usual_age(grade: u8) -> i32 {
    GRADE_1_AGE - 1 + i32::from(grade)
}

/// How a pupil born in `birth_year` fits `grade` in the school year starting in
/// `school_year_start`.
pub fn age_fit(birth_year: i32, school_year_start: i32, grade: u8) -> AgeFit {
    let offset = (school_year_start - birth_year) - usual_age(grade);
    if (-USUAL_YOUNGER..=USUAL_OLDER).contains(&offset) {
        AgeFit::Usual
    } else if (-PLAUSIBLE_YOUNGER..=PLAUSIBLE_OLDER).contains(&offset) {
        AgeFit::Unusual { offset }
    } else {
        AgeFit::Implausible { offset }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grade_one_in_2025() {
        // Born 2019: turns 6 in 2025.
        assert_eq!(age_fit(2019, 2025, 1), AgeFit::Usual);
        assert_eq!(age_fit(2020, 2025, 1), AgeFit::Usual);
        assert_eq!(age_fit(2016, 2025, 1), AgeFit::Usual);
        assert_eq!(age_fit(2021, 2025, 1), AgeFit::Unusual { offset: -2 });
        assert_eq!(age_fit(2015, 2025, 1), AgeFit::Unusual { offset: 4 });
        assert_eq!(age_fit(2012, 2025, 1), AgeFit::Unusual { offset: 7 });
        assert_eq!(age_fit(2011, 2025, 1), AgeFit::Implausible { offset: 8 });
        assert_eq!(age_fit(2022, 2025, 1), AgeFit::Implausible { offset: -3 });
    }

    #[test]
    fn grade_twelve() {
        assert_eq!(usual_age(12), 17);
        assert_eq!(age_fit(2008, 2025, 12), AgeFit::Usual);
        assert_eq!(age_fit(2019, 2025, 12), AgeFit::Implausible { offset: -11 });
    }
}
