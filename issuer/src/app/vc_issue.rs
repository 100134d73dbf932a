//! Issuing one credential handed over whole (W3C VC-API `POST /credentials/issue`): the
//! credential is read as an envelope around a học bạ year record, and the record goes through
//! the same import, validation and signing as any other, so it is stored, gets its status
//! entry and is audited the same way.
//!
//! What the caller may and may not say in the envelope (decisions, kept in the README):
//! * `@context`, when given, starts with the VC 2.0 context followed by the học bạ context;
//!   `type`, when given, includes `VerifiableCredential` and `HocBaCredential`.
//! * `issuer` (a string or an object with `id`), when given, is the caller's school's issuer id;
//!   the record's `school.code` is the caller's school's code (the import's one rule).
//! * `id`, `validFrom`, `credentialStatus` and `proof` are the issuer's to set: a credential
//!   that carries a `proof` or `credentialStatus` is refused, `id` and `validFrom` are
//!   replaced by the issuer's own (every credential of the store is made the one way).
//! * Warnings of the rules need `acceptWarnings` as they do on every other path.
//! * Where the principals' keys are on tokens, the principal's PIN comes with the request
//!   (`options.principalPin`) and goes to the signing batch as `principalPin` would. It is
//!   tried on the token before anything is stored: a missing, wrong or locked PIN, or one sent
//!   where the keys are not on tokens, stores and signs nothing.

use serde_json::Value;
use time::OffsetDateTime;

use super::Issuer;
use super::import::Refusal;
use super::sign::{SignRequest, Started};
use super::signed_pdfs::missing_pin;
use crate::error::IssuerError;
use crate::store::{Credential, School};
use crate::token::principal::PrincipalPin;
use hocba_schema::credential::{CONTEXT_HOCBA_V1, CONTEXT_VC_V2, CREDENTIAL_TYPE};

impl Issuer {
    /// Issues `credential` (an unsigned VC whose `credentialSubject` is a year record of
    /// `school`) as `actor`: the record imported as a draft, validated, signed, stored with its
    /// status entry. Returns the stored credential.
    pub async fn issue_vc(
        &self,
        school: &School,
        actor: Option<&str>,
        credential: &Value,
        accept_warnings: bool,
        principal_pin: Option<&PrincipalPin>,
        now: OffsetDateTime,
    ) -> Result<Credential, IssuerError> {
        // Said before anything is stored: a PIN missing where it is needed, given where the
        // keys are not on tokens, or wrong (the token is opened with it and closed again; the
        // batch opens it once more for its signatures).
        match (self.principal_tokens(), principal_pin) {
            (Some(tokens), None) => return Err(missing_pin(tokens, &school.code)),
            (_, Some(pin)) => drop(self.batch_pdf_signers(school, Some(pin))?),
            (None, None) => {}
        }
        let subject =
            read_envelope(credential, school).map_err(|r| IssuerError::Invalid(Box::new(r)))?;
        let bytes =
            serde_json::to_vec(subject).map_err(|e| IssuerError::Internal(e.to_string()))?;
        let item = self
            .import_json(school, actor, &[&bytes], "vc-api", now)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| IssuerError::Internal("the import answered no item".into()))?;
        let Some(draft) = item.saved else {
            return Err(IssuerError::RecordRefused {
                report: Box::new(item.report),
                refusals: item.refusals,
            });
        };
        let (validated, _) = self
            .validate_record(
                school,
                actor,
                &draft.id,
                Some(draft.version),
                accept_warnings,
                now,
            )
            .await?;
        // One batch per record version: a retry of the same request answers the same batch.
        let key = format!("vc-api:{}:{}", validated.id, validated.version);
        let request = SignRequest {
            record_ids: Some(vec![validated.id.clone()]),
            principal_pin: principal_pin.cloned(),
            ..SignRequest::default()
        };
        let batch = match self
            .start_signing(school, actor, &key, &request, now)
            .await?
        {
            Started::Signed(b) | Started::Background(b) | Started::Retry(b) => b,
        };
        if batch.failed > 0 {
            return Err(IssuerError::Internal(format!(
                "batch {} could not sign the record: {}",
                batch.id,
                batch.report_json.unwrap_or_default()
            )));
        }
        Ok(self
            .store()
            .credential_for_record(&school.id, &validated.id)
            .await?)
    }
}

/// The record inside `credential`, after the envelope rules of the module documentation.
fn read_envelope<'a>(credential: &'a Value, school: &School) -> Result<&'a Value, Refusal> {
    let Value::Object(doc) = credential else {
        return Err(refuse(
            "/credential",
            "not-an-object",
            credential.clone(),
            "Thông tin gửi lên phải là một chứng nhận (đối tượng JSON).".into(),
            "credential must be a JSON object.".into(),
        ));
    };
    for member in ["proof", "credentialStatus"] {
        if let Some(value) = doc.get(member) {
            return Err(refuse(
                pointer(member),
                "issuer-sets",
                value.clone(),
                format!("Không gửi kèm {member}: hệ thống tự thêm khi ký. Hãy bỏ trường này."),
                format!("Do not send {member}: the issuer adds it when signing. Remove it."),
            ));
        }
    }
    if let Some(context) = doc.get("@context") {
        let items: Vec<&str> = match context {
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
            Value::String(s) => vec![s.as_str()],
            _ => Vec::new(),
        };
        if items.first() != Some(&CONTEXT_VC_V2) || items.get(1) != Some(&CONTEXT_HOCBA_V1) {
            return Err(refuse(
                "/credential/@context",
                "context",
                context.clone(),
                format!("@context phải bắt đầu bằng {CONTEXT_VC_V2} rồi {CONTEXT_HOCBA_V1}."),
                format!("@context must start with {CONTEXT_VC_V2} then {CONTEXT_HOCBA_V1}."),
            ));
        }
    }
    if let Some(kind) = doc.get("type") {
        let has = |t: &str| match kind {
            Value::Array(items) => items.iter().any(|i| i == t),
            other => other == t,
        };
        if !has("VerifiableCredential") || !has(CREDENTIAL_TYPE) {
            return Err(refuse(
                "/credential/type",
                "type",
                kind.clone(),
                format!("type phải gồm VerifiableCredential và {CREDENTIAL_TYPE}."),
                format!("type must include VerifiableCredential and {CREDENTIAL_TYPE}."),
            ));
        }
    }
    if let Some(issuer) = doc.get("issuer") {
        let id = match issuer {
            Value::String(s) => Some(s.as_str()),
            Value::Object(o) => o.get("id").and_then(Value::as_str),
            _ => None,
        };
        if id != Some(school.issuer_id.as_str()) {
            return Err(refuse(
                "/credential/issuer",
                "issuer-mismatch",
                issuer.clone(),
                format!(
                    "Chứng nhận ghi đơn vị cấp khác; tài khoản này chỉ cấp cho trường {} ({}).",
                    school.code, school.issuer_id
                ),
                format!(
                    "The credential names another issuer; this account issues for school {} ({}) only.",
                    school.code, school.issuer_id
                ),
            ));
        }
    }
    match doc.get("credentialSubject") {
        Some(subject @ Value::Object(_)) => Ok(subject),
        other => Err(refuse(
            "/credential/credentialSubject",
            "required",
            other.cloned().unwrap_or(Value::Null),
            "Thiếu credentialSubject: hồ sơ học bạ của học sinh.".into(),
            "credentialSubject is missing: it is the pupil's year record.".into(),
        )),
    }
}

fn pointer(member: &str) -> &'static str {
    match member {
        "proof" => "/credential/proof",
        _ => "/credential/credentialStatus",
    }
}

fn refuse(
    pointer: &'static str,
    rule: &'static str,
    value: Value,
    vi: String,
    en: String,
) -> Refusal {
    Refusal::field(pointer, rule, value, vi, en)
}
