//! The fields version 2 of the summary adds after `completion`: the record date, the other
//! awards and the record a correction replaces (layout in the parent module's documentation).

use time::Date;

use super::wire::{Reader, put_text, put_varint};
use super::{DAY_ZERO, MAX_OTHER_AWARDS, QrError, Summary};

/// Write the version 2 fields of `summary`.
pub(super) fn put(summary: &Summary, out: &mut Vec<u8>) -> Result<(), QrError> {
    let days = match summary.record_date {
        None => 0,
        Some(d) => u64::try_from(d.to_julian_day() - DAY_ZERO)
            .map_err(|_| QrError::Credential {
                field: "credentialSubject.approvalDate",
                problem: "before 1900-01-01".into(),
            })?
            .saturating_add(1),
    };
    put_varint(out, days);
    if summary.other_awards.len() > MAX_OTHER_AWARDS {
        return Err(QrError::BadValue {
            field: "other awards",
            value: summary.other_awards.len() as u64,
        });
    }
    put_varint(out, summary.other_awards.len() as u64);
    for award in &summary.other_awards {
        put_text(out, "other award", award)?;
    }
    match &summary.replaces {
        None => out.push(0),
        Some(id) => {
            out.push(1);
            out.extend_from_slice(id);
        }
    }
    Ok(())
}

type V2Fields = (Option<Date>, Vec<String>, Option<[u8; 16]>);

/// Read the version 2 fields.
pub(super) fn read(r: &mut Reader<'_>) -> Result<V2Fields, QrError> {
    let days = r.varint("record date")?;
    let record_date = match days {
        0 => None,
        n => Some(
            i32::try_from(n - 1)
                .ok()
                .and_then(|d| d.checked_add(DAY_ZERO))
                .and_then(|jd| Date::from_julian_day(jd).ok())
                .filter(|d| d.year() <= 9999)
                .ok_or(QrError::BadValue {
                    field: "record date",
                    value: n,
                })?,
        ),
    };
    let count = r.varint("other awards")?;
    if count > MAX_OTHER_AWARDS as u64 {
        return Err(QrError::BadValue {
            field: "other awards",
            value: count,
        });
    }
    let other_awards = (0..count)
        .map(|_| r.text("other award"))
        .collect::<Result<Vec<_>, _>>()?;
    let replaces = match r.byte("replaces")? {
        0 => None,
        1 => Some(r.array::<16>("replaces")?),
        other => {
            return Err(QrError::BadValue {
                field: "replaces",
                value: u64::from(other),
            });
        }
    };
    Ok((record_date, other_awards, replaces))
}

#[cfg(test)]
mod tests {
    use super::super::{Completion, LevelSummary, SignedSummary, Summary};
    use crate::qr::QrError;
    use crate::record::{Award, Promotion, Rating};
    use time::macros::{date, datetime};

    fn summary(version: u8) -> Summary {
        Summary {
            credential_id: [7; 16],
            status_index: Some(41),
            credential_sha256: [9; 32],
            key_hint: [1, 2, 3, 4],
            signed_at: datetime!(2026-05-29 09:30 UTC),
            school_code: "79000701".into(),
            school_year_start: 2025,
            grade: 11,
            class_name: "11A2".into(),
            pupil_name: "Ksor H'Bơ\u{306}".into(),
            date_of_birth: date!(2009 - 07 - 08),
            results: LevelSummary::Secondary {
                learning: Rating::T,
                conduct: Rating::T,
            },
            promotion: Promotion::Promoted.into(),
            award: Some(Award::Outstanding),
            completion: Completion::NotStated,
            version,
            record_date: Some(date!(2026 - 05 - 28)),
            other_awards: vec!["Giải Nhì môn Hóa học cấp thành phố".into()],
            replaces: Some([5; 16]),
            summer: None,
        }
    }

    fn round_trip(s: &Summary) -> Result<SignedSummary, QrError> {
        let signed = s.clone().with_signature([0; 64])?;
        SignedSummary::from_bytes(&signed.to_bytes())
    }

    #[test]
    fn version_2_carries_awards_date_and_replaced_record() {
        let s = summary(2);
        assert_eq!(round_trip(&s).unwrap().summary(), &s);
    }

    #[test]
    fn version_1_still_decodes_without_the_new_fields() {
        let mut s = summary(1);
        let back = round_trip(&s).unwrap();
        assert_eq!(back.summary().version, 1);
        s.record_date = None;
        s.other_awards.clear();
        s.replaces = None;
        assert_eq!(back.summary(), &s);
        // Its bytes are those of version 1 (what an older issuer signed): no new fields.
        let v2 = summary(2).to_bytes().unwrap();
        assert!(s.to_bytes().unwrap().len() < v2.len());
        assert_eq!(s.to_bytes().unwrap()[0], 1);
    }

    #[test]
    fn bad_version_2_fields_are_refused() {
        let body = summary(2).to_bytes().unwrap();
        // The replaces flag is the last body byte before the 16-byte id.
        let mut bad = body.clone();
        let flag = bad.len() - 17;
        bad[flag] = 2;
        bad.extend_from_slice(&[0; 64]);
        assert!(matches!(
            SignedSummary::from_bytes(&bad),
            Err(QrError::BadValue {
                field: "replaces",
                ..
            })
        ));
        let mut many = summary(2);
        many.other_awards = vec!["x".into(); super::MAX_OTHER_AWARDS + 1];
        assert!(matches!(
            many.to_bytes(),
            Err(QrError::BadValue {
                field: "other awards",
                ..
            })
        ));
    }
}
