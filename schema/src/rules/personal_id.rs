//! Mã định danh cá nhân — what the 12-digit personal identification number says about its
//! holder, as public sources describe the Ministry of Public Security's scheme (Circular
//! 07/2016/TT-BCA and later): digits 1–3 the province where the birth was registered, digit 4
//! gender and century of birth, digits 5–6 the last two digits of the birth year, digits 7–12 a
//! random number.
//!
//! | century | male | female |
//! |---|---|---|
//! | 1900–1999 | 0 | 1 |
//! | 2000–2099 | 2 | 3 |
//! | 2100–2199 | 4 | 5 |
//!
//! The scheme is not confirmed from a primary source, so a disagreement is a warning: the school
//! checks the pupil's data against the population database before the record is signed.

use time::Date;

use crate::record::Gender;

/// Provinces that register births, by the three-digit code that starts the number (the 63
/// provinces before the 2025 mergers; merged provinces kept one of these codes).
pub const PROVINCE_CODES: [(&str, &str); 63] = [
    ("001", "Hà Nội"),
    ("002", "Hà Giang"),
    ("004", "Cao Bằng"),
    ("006", "Bắc Kạn"),
    ("008", "Tuyên Quang"),
    ("010", "Lào Cai"),
    ("011", "Điện Biên"),
    ("012", "Lai Châu"),
    ("014", "Sơn La"),
    ("015", "Yên Bái"),
    ("017", "Hòa Bình"),
    ("019", "Thái Nguyên"),
    ("020", "Lạng Sơn"),
    ("022", "Quảng Ninh"),
    ("024", "Bắc Giang"),
    ("025", "Phú Thọ"),
    ("026", "Vĩnh Phúc"),
    ("027", "Bắc Ninh"),
    ("030", "Hải Dương"),
    ("031", "Hải Phòng"),
    ("033", "Hưng Yên"),
    ("034", "Thái Bình"),
    ("035", "Hà Nam"),
    ("036", "Nam Định"),
    ("037", "Ninh Bình"),
    ("038", "Thanh Hóa"),
    ("040", "Nghệ An"),
    ("042", "Hà Tĩnh"),
    ("044", "Quảng Bình"),
    ("045", "Quảng Trị"),
    ("046", "Thừa Thiên Huế"),
    ("048", "Đà Nẵng"),
    ("049", "Quảng Nam"),
    ("051", "Quảng Ngãi"),
    ("052", "Bình Định"),
    ("054", "Phú Yên"),
    ("056", "Khánh Hòa"),
    ("058", "Ninh Thuận"),
    ("060", "Bình Thuận"),
    ("062", "Kon Tum"),
    ("064", "Gia Lai"),
    ("066", "Đắk Lắk"),
    ("067", "Đắk Nông"),
    ("068", "Lâm Đồng"),
    ("070", "Bình Phước"),
    ("072", "Tây Ninh"),
    ("074", "Bình Dương"),
    ("075", "Đồng Nai"),
    ("077", "Bà Rịa - Vũng Tàu"),
    ("079", "Hồ Chí Minh"),
    ("080", "Long An"),
    ("082", "Tiền Giang"),
    ("083", "Bến Tre"),
    ("084", "Trà Vinh"),
    ("086", "Vĩnh Long"),
    ("087", "Đồng Tháp"),
    ("089", "An Giang"),
    ("091", "Kiên Giang"),
    ("092", "Cần Thơ"),
    ("093", "Hậu Giang"),
    ("094", "Sóc Trăng"),
    ("095", "Bạc Liêu"),
    ("096", "Cà Mau"),
];

/// The province a three-digit code stands for.
pub fn province_name(code: &str) -> Option<&'static str> {
    PROVINCE_CODES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, name)| *name)
}

/// Whether `number` is exactly twelve ASCII digits.
pub fn is_well_formed(number: &str) -> bool {
    number.len() == 12 && number.bytes().all(|b| b.is_ascii_digit())
}

/// The fourth digit for a gender and birth year (`None` outside 1900–2199).
pub fn gender_century_digit(gender: Gender, birth_year: i32) -> Option<u8> {
    let century = match birth_year {
        1900..=1999 => 0,
        2000..=2099 => 1,
        2100..=2199 => 2,
        _ => return None,
    };
    let female = u8::from(gender == Gender::Female);
    Some(century * 2 + female)
}

/// One way a number disagrees with the pupil's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// Digits 1–3 are not a province code.
    UnknownProvince {
        /// The three digits.
        code: String,
    },
    /// Digit 4 does not match the gender and the century of birth.
    GenderCentury {
        /// The digit in the number.
        found: u8,
        /// The digit the date of birth and gender call for.
        expected: u8,
    },
    /// Digits 5–6 are not the last two digits of the birth year.
    BirthYear {
        /// The two digits in the number.
        found: String,
        /// The two digits the date of birth calls for.
        expected: String,
    },
}

/// Every disagreement between a well-formed number and the pupil's date of birth and gender.
/// Returns nothing for a malformed number (check [`is_well_formed`] first).
pub fn check(number: &str, birth_date: Date, gender: Gender) -> Vec<Mismatch> {
    let mut found = Vec::new();
    if !is_well_formed(number) {
        return found;
    }
    let digits = number.as_bytes();
    let province = &number[0..3];
    if province_name(province).is_none() {
        found.push(Mismatch::UnknownProvince {
            code: province.to_owned(),
        });
    }
    let year = birth_date.year();
    if let Some(expected) = gender_century_digit(gender, year) {
        let digit = digits[3] - b'0';
        if digit != expected {
            found.push(Mismatch::GenderCentury {
                found: digit,
                expected,
            });
        }
    }
    let expected_year = format!("{:02}", year.rem_euclid(100));
    let year_digits = &number[4..6];
    if year_digits != expected_year {
        found.push(Mismatch::BirthYear {
            found: year_digits.to_owned(),
            expected: expected_year,
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn digit_four() {
        assert_eq!(gender_century_digit(Gender::Male, 1999), Some(0));
        assert_eq!(gender_century_digit(Gender::Female, 1999), Some(1));
        assert_eq!(gender_century_digit(Gender::Male, 2000), Some(2));
        assert_eq!(gender_century_digit(Gender::Female, 2099), Some(3));
        assert_eq!(gender_century_digit(Gender::Male, 2100), Some(4));
        assert_eq!(gender_century_digit(Gender::Female, 2199), Some(5));
        assert_eq!(gender_century_digit(Gender::Male, 1899), None);
    }

    #[test]
    fn consistent_number_has_no_mismatch() {
        // Hòa Bình, female, born 2015.
        assert!(check("017315001234", date!(2015 - 04 - 12), Gender::Female).is_empty());
        // Hồ Chí Minh, male, born 2009.
        assert!(check("079209004321", date!(2009 - 03 - 14), Gender::Male).is_empty());
    }

    #[test]
    fn each_mismatch_is_reported() {
        let m = check("017215001234", date!(2015 - 04 - 12), Gender::Female);
        assert_eq!(
            m,
            vec![Mismatch::GenderCentury {
                found: 2,
                expected: 3
            }]
        );
        let m = check("017314001234", date!(2015 - 04 - 12), Gender::Female);
        assert_eq!(
            m,
            vec![Mismatch::BirthYear {
                found: "14".into(),
                expected: "15".into()
            }]
        );
        let m = check("003315001234", date!(2015 - 04 - 12), Gender::Female);
        assert_eq!(m, vec![Mismatch::UnknownProvince { code: "003".into() }]);
        assert!(check("01731500123", date!(2015 - 04 - 12), Gender::Female).is_empty());
        assert!(!is_well_formed("01731500123a"));
        assert!(!is_well_formed("０17315001234"));
    }

    #[test]
    fn province_table() {
        assert_eq!(province_name("017"), Some("Hòa Bình"));
        assert_eq!(province_name("079"), Some("Hồ Chí Minh"));
        assert_eq!(province_name("097"), None);
        let mut codes: Vec<_> = PROVINCE_CODES.iter().map(|(c, _)| *c).collect();
        codes.dedup();
        assert_eq!(codes.len(), 63);
        assert!(codes.windows(2).all(|w| w[0] < w[1]));
    }
}
