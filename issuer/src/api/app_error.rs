//! The application layer's errors as HTTP problems: a refusal of the use case is a 4xx that
//! says what to do, a failure on our side a 500 whose cause is logged, not sent.

use serde_json::Value;

use super::error::{ApiError, FieldError};
use crate::error::IssuerError;

impl From<IssuerError> for ApiError {
    fn from(e: IssuerError) -> Self {
        match e {
            IssuerError::Store(e) => e.into(),
            IssuerError::NothingToSign {
                ref scope_vi,
                ref scope_en,
                drafts,
            } => ApiError::Unprocessable {
                title: "Nothing validated to sign".to_owned(),
                errors: vec![FieldError::error(
                    "",
                    "nothing-to-sign",
                    Value::from(drafts),
                    &format!(
                        "Không có hồ sơ nào đã duyệt để ký ({scope_vi}): {drafts} hồ sơ nháp đang \
                         chờ duyệt. Hãy duyệt hồ sơ trước khi ký."
                    ),
                    &format!(
                        "Nothing validated to sign ({scope_en}): {drafts} draft(s) wait for \
                         validation. Validate them before signing."
                    ),
                )],
            },
            IssuerError::PrincipalPin {
                code,
                ref message_vi,
                ref message_en,
            } => ApiError::Unprocessable {
                title: "The principal's PIN (principalPin) was not accepted; nothing was signed"
                    .to_owned(),
                // The value is never the PIN.
                errors: vec![FieldError::error(
                    "/principalPin",
                    code,
                    Value::Null,
                    message_vi,
                    message_en,
                )],
            },
            IssuerError::IdempotencyConflict { .. }
            | IssuerError::NoUsableKey { .. }
            | IssuerError::Token { .. }
            | IssuerError::TokenPin { .. }
            | IssuerError::NotSigned { .. }
            | IssuerError::KeyOfAnotherSchool { .. } => ApiError::Conflict {
                detail: e.to_string(),
            },
            IssuerError::RevocationReason {
                rule,
                ref message_vi,
                ref message_en,
                ref reason,
                ..
            } => ApiError::Unprocessable {
                title: format!("the revocation reason breaks the rule {rule}"),
                errors: vec![FieldError::error(
                    "/reason",
                    rule,
                    Value::from(reason.as_str()),
                    message_vi,
                    message_en,
                )],
            },
            IssuerError::Invalid(refusal) => ApiError::Unprocessable {
                title: "The request is not valid".to_owned(),
                errors: vec![FieldError::from(&*refusal)],
            },
            IssuerError::InvalidRecord(report) => ApiError::Unprocessable {
                title: "The record does not pass validation".to_owned(),
                errors: FieldError::all(&report),
            },
            IssuerError::UnacceptedWarnings(report) => ApiError::Unprocessable {
                title: "The record has warnings a person must accept (acceptWarnings: true)"
                    .to_owned(),
                errors: report
                    .warnings()
                    .into_iter()
                    .map(FieldError::from)
                    .collect(),
            },
            IssuerError::Forbidden { action } => ApiError::Forbidden {
                needed: action,
                have: String::new(),
            },
            other => ApiError::Internal(other.to_string()),
        }
    }
}
