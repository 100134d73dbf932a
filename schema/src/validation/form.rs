//! Checks of the fields the paper forms hold beyond the results (issue #12, item 6): the Quá
//! trình học tập table (in `study_history`), the primary form's height, weight and days absent
//! with and without permission, and the list of certificates. Their text (names,
//! occupations, the register number) goes through the common text checks.

use super::Rule;
use super::checks::{Checks, json};
use crate::record::YearRecord;

/// Most rows in the Quá trình học tập table (twelve grades, with room for transfers).
pub const MAX_STUDY_HISTORY: usize = 24;
/// Most certificates in one record.
pub const MAX_CERTIFICATES: usize = 20;
/// Plausible height of a primary pupil, in centimetres.
pub const HEIGHT_CM: std::ops::RangeInclusive<u16> = 70..=200;
/// Plausible weight of a primary pupil, in kilograms.
pub const WEIGHT_KG: std::ops::RangeInclusive<f64> = 10.0..=150.0;
/// Most school days in a year (the days absent cannot exceed it).
pub const MAX_SCHOOL_DAYS: u16 = 250;

/// Check the form's extra fields of `record`.
pub(crate) fn check_form_fields(record: &YearRecord, checks: &mut Checks<'_>) {
    super::study_history::check_study_history(record, checks);
    if let Some(p) = &record.primary {
        if let Some(h) = p.height_cm
            && !HEIGHT_CM.contains(&h)
        {
            checks.add(
                "/primary/heightCm",
                Rule::MeasureRange,
                json(&h),
                &format!(
                    "chiều cao ghi bằng xăng-ti-mét, số nguyên từ {} đến {}",
                    HEIGHT_CM.start(),
                    HEIGHT_CM.end()
                ),
                &format!(
                    "height is in centimetres, a whole number from {} to {}",
                    HEIGHT_CM.start(),
                    HEIGHT_CM.end()
                ),
            );
        }
        if let Some(w) = p.weight_kg {
            let tenths = w * 10.0;
            if !WEIGHT_KG.contains(&w) || (tenths - tenths.round()).abs() > 1e-6 {
                checks.add(
                    "/primary/weightKg",
                    Rule::MeasureRange,
                    json(&w),
                    "cân nặng ghi bằng ki-lô-gam, từ 10 đến 150, nhiều nhất một chữ số thập phân",
                    "weight is in kilograms, from 10 to 150, with at most one decimal",
                );
            }
        }
        for (key, days) in [
            ("daysAbsentExcused", p.days_absent_excused),
            ("daysAbsentUnexcused", p.days_absent_unexcused),
        ] {
            if let Some(d) = days
                && d > MAX_SCHOOL_DAYS
            {
                checks.add(
                    format!("/primary/{key}"),
                    Rule::MeasureRange,
                    json(&d),
                    &format!(
                        "số ngày nghỉ không thể vượt quá {MAX_SCHOOL_DAYS} ngày học của một năm"
                    ),
                    &format!(
                        "days absent cannot exceed the {MAX_SCHOOL_DAYS} school days of a year"
                    ),
                );
            }
        }
    }
    if let Some(s) = &record.secondary
        && s.certificates.len() > MAX_CERTIFICATES
    {
        checks.add(
            "/secondary/certificates",
            Rule::ListTooLong,
            json(&s.certificates.len()),
            &format!(
                "có {} chứng chỉ, nhiều hơn giới hạn {MAX_CERTIFICATES}",
                s.certificates.len()
            ),
            &format!(
                "{} certificates, more than the limit of {MAX_CERTIFICATES}",
                s.certificates.len()
            ),
        );
    }
}
