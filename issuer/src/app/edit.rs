//! Correcting a draft: its content replaced at the version the editor read, checked by the
//! same rules and the same conversion as an import ([`super::import`]). The school year and
//! the pupil of a record cannot change (import a new record instead); a signed or revoked
//! record cannot be edited (revoke and re-issue is how it is corrected). The record becomes a
//! draft again and must be validated again. Audited.

use hocba_schema::validation::{ValidationReport, parse_and_validate};
use serde_json::Value;
use time::OffsetDateTime;

use super::Issuer;
use super::import::{Refusal, check_school, identity_book, storage_row};
use crate::error::IssuerError;
use crate::store::{RecordUpdate, School, YearRecord};

impl Issuer {
    /// Replaces the content of draft `record_id` of `school`, read at version `expected`, with
    /// the record `json`. A record the rules or the import refuse is
    /// [`IssuerError::RecordRefused`] with every problem.
    pub async fn edit_draft(
        &self,
        school: &School,
        actor: Option<&str>,
        record_id: &str,
        expected: i64,
        json: &[u8],
        now: OffsetDateTime,
    ) -> Result<YearRecord, IssuerError> {
        let current = self.store().record(&school.id, record_id).await?;
        let refused =
            |report: ValidationReport, refusals: Vec<Refusal>| IssuerError::RecordRefused {
                report: Box::new(report),
                refusals,
            };
        let (record, report) = match parse_and_validate(json) {
            Ok(ok) => ok,
            Err(report) => return Err(refused(report, Vec::new())),
        };
        let school_ok = check_school(&record, school);
        if report.has_errors() || school_ok.is_err() {
            return Err(refused(report, school_ok.err().into_iter().collect()));
        }
        let mut book = identity_book(self.store(), school).await?;
        let row = book
            .key_of(&record.student)
            .and_then(|key| storage_row(&record, key))
            .map_err(|r| refused(report.clone(), vec![r]))?;
        if row.school_year != current.school_year {
            return Err(refused(
                report,
                vec![Refusal {
                    pointer: "/schoolYear".into(),
                    rule: "immutable-field",
                    value: Value::String(row.school_year),
                    message_vi: "Không đổi được năm học của hồ sơ; hãy nhập hồ sơ mới".into(),
                    message_en: "The school year of a record cannot change; import a new record"
                        .into(),
                }],
            ));
        }
        let pupil = self.store().pupil(&school.id, &current.pupil_id).await?;
        if pupil.pupil_key != row.pupil.pupil_key {
            return Err(refused(
                report,
                vec![Refusal {
                    pointer: "/student/studentCode".into(),
                    rule: "immutable-field",
                    value: Value::Null,
                    message_vi: "Không đổi được học sinh của hồ sơ; hãy nhập hồ sơ mới".into(),
                    message_en: "The pupil of a record cannot change; import a new record".into(),
                }],
            ));
        }
        let updated = self
            .store()
            .update_draft(
                &school.id,
                record_id,
                expected,
                &RecordUpdate {
                    grade: row.grade,
                    class_name: row.class_name,
                    record_json: row.record_json,
                },
                actor,
                now,
            )
            .await?;
        self.audit(
            school,
            actor,
            "edit",
            record_id,
            serde_json::json!({ "version": updated.version }),
            now,
        )
        .await?;
        Ok(updated)
    }
}
