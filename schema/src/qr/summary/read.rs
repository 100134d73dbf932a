//! Reading a signed summary from its bytes, strictly: exactly what encoding produces (see the
//! parent module's documentation), every field checked as it is read.

use time::{Date, OffsetDateTime};

use super::wire::{Reader, award_of, decode_enum, rating_of, year_result_of};
use super::{
    Completion, DAY_ZERO, Decision, LevelSummary, MAX_SUMMARY_BYTES, QrError, SIGNATURE_BYTES,
    SUMMER_VERSION, SignedSummary, Summary, VERSIONS_READ, summer, v2,
};

impl SignedSummary {
    /// Read a signed summary, strictly (see the module documentation).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, QrError> {
        if bytes.len() > MAX_SUMMARY_BYTES {
            return Err(QrError::SummaryTooLarge {
                bytes: bytes.len(),
                limit: MAX_SUMMARY_BYTES,
            });
        }
        let mut r = Reader { bytes, at: 0 };
        let version = r.byte("version")?;
        if !VERSIONS_READ.contains(&version) {
            return Err(QrError::UnknownVersion {
                found: version,
                supported: SUMMER_VERSION,
            });
        }
        let credential_id = r.array::<16>("credential id")?;
        let status_index = r.varint("status index")?.checked_sub(1);
        let credential_sha256 = r.array::<32>("credential hash")?;
        let key_hint = r.array::<4>("key hint")?;
        let signed_at = r.varint("signed at")?;
        let signed_at = i64::try_from(signed_at)
            .ok()
            .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
            .ok_or(QrError::BadValue {
                field: "signed at",
                value: signed_at,
            })?;
        let school_code = r.text("school code")?;
        let year = r.varint("school year")?;
        let school_year_start = u16::try_from(year)
            .ok()
            .filter(|y| (1900..=9998).contains(y))
            .ok_or(QrError::BadValue {
                field: "school year",
                value: year,
            })?;
        let grade = r.byte("grade")?;
        if !(1..=12).contains(&grade) {
            return Err(QrError::BadValue {
                field: "grade",
                value: u64::from(grade),
            });
        }
        let class_name = r.text("class")?;
        let pupil_name = r.text("pupil name")?;
        let days = r.varint("date of birth")?;
        let date_of_birth = i32::try_from(days)
            .ok()
            .and_then(|d| d.checked_add(DAY_ZERO))
            .and_then(|jd| Date::from_julian_day(jd).ok())
            .filter(|d| d.year() <= 9999)
            .ok_or(QrError::BadValue {
                field: "date of birth",
                value: days,
            })?;
        let results = match r.byte("results level")? {
            1 => LevelSummary::Primary {
                year_result: decode_enum(r.byte("year result")?, "year result", year_result_of)?,
            },
            2 => LevelSummary::Secondary {
                learning: decode_enum(r.byte("learning result")?, "learning result", rating_of)?,
                conduct: decode_enum(r.byte("conduct result")?, "conduct result", rating_of)?,
            },
            other => {
                return Err(QrError::BadValue {
                    field: "results level",
                    value: u64::from(other),
                });
            }
        };
        let code = r.byte("promotion")?;
        let promotion = Decision::of_code(code, version).ok_or(QrError::BadValue {
            field: "promotion",
            value: u64::from(code),
        })?;
        let award = match r.byte("award")? {
            0 => None,
            code => Some(decode_enum(code, "award", award_of)?),
        };
        let completion = match r.byte("completion")? {
            0 => Completion::NotStated,
            1 => Completion::Completed,
            2 => Completion::NotCompleted,
            other => {
                return Err(QrError::BadValue {
                    field: "completion",
                    value: u64::from(other),
                });
            }
        };
        let (record_date, other_awards, replaces) = if version >= 2 {
            v2::read(&mut r)?
        } else {
            (None, Vec::new(), None)
        };
        let summer = if version >= SUMMER_VERSION {
            Some(summer::read(&mut r, promotion)?)
        } else {
            None
        };
        let body_end = r.at;
        let signature = r.array::<SIGNATURE_BYTES>("signature")?;
        if r.at != bytes.len() {
            return Err(QrError::TrailingBytes {
                count: bytes.len() - r.at,
            });
        }
        Ok(Self {
            summary: Summary {
                credential_id,
                status_index,
                credential_sha256,
                key_hint,
                signed_at,
                school_code,
                school_year_start,
                grade,
                class_name,
                pupil_name,
                date_of_birth,
                results,
                promotion,
                award,
                completion,
                version,
                record_date,
                other_awards,
                replaces,
                summer,
            },
            body: bytes[..body_end].to_vec(),
            signature,
        })
    }
}
