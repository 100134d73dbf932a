//! Reading a status list credential's bytes into a [`ParsedList`]: its shape, its bitstring,
//! its revocation notes and its `statusListIndex` values.

use std::collections::HashMap;

use hocba_schema::credential::{IssuerRef, parse_time};
use hocba_schema::proof::SecuredDocument;
use hocba_schema::status_list::{
    Bitstring, MAX_REASON_CHARS, RevocationNote, STATUS_LIST_CREDENTIAL_TYPE,
};
use serde_json::Value;
use time::OffsetDateTime;

use super::{MAX_STATUS_LIST_BYTES, ParsedList};
use crate::input::parse_object;
use crate::reason::Reason;
use crate::secured::{Object, split_proof};
use crate::verdict::ShowTime;

pub(super) fn parse_list(bytes: &[u8]) -> Result<ParsedList, (Reason, String)> {
    let malformed = |detail: String| (Reason::StatusListMalformed, detail);
    let map = parse_object(bytes, "status list", MAX_STATUS_LIST_BYTES)
        .map_err(|e| malformed(e.to_string()))?;
    let (unsecured, proof) = split_proof(map);
    let (proof_options, signature) =
        proof.map_err(|(_, detail)| (Reason::StatusListSignatureInvalid, detail))?;
    let str_at = |doc: &Object, field: &'static str| -> Result<String, (Reason, String)> {
        doc.get(field)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| malformed(format!("status list: {field} is missing or not a string")))
    };
    let id = str_at(&unsecured, "id")?;
    let types: Vec<&str> = unsecured
        .get("type")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if !types.contains(&STATUS_LIST_CREDENTIAL_TYPE) {
        return Err(malformed(format!(
            "status list {id}: type must include {STATUS_LIST_CREDENTIAL_TYPE:?}; found {types:?}"
        )));
    }
    let issuer: IssuerRef = unsecured
        .get("issuer")
        .cloned()
        .and_then(|v| serde_json::from_value(v).ok())
        .ok_or_else(|| malformed(format!("status list {id}: issuer must be {{id, name}}")))?;
    let valid_from = parse_time("validFrom", &str_at(&unsecured, "validFrom")?)
        .map_err(|e| malformed(format!("status list {id}: {e}")))?;
    let valid_until = match unsecured.get("validUntil").and_then(Value::as_str) {
        Some(t) => Some(
            parse_time("validUntil", t).map_err(|e| malformed(format!("status list {id}: {e}")))?,
        ),
        None => None,
    };
    let subject = unsecured
        .get("credentialSubject")
        .and_then(Value::as_object)
        .ok_or_else(|| malformed(format!("status list {id}: credentialSubject is missing")))?;
    match subject.get("statusPurpose").and_then(Value::as_str) {
        Some("revocation") => {}
        other => {
            return Err(malformed(format!(
                "status list {id}: statusPurpose must be \"revocation\", found {other:?}"
            )));
        }
    }
    let encoded = subject
        .get("encodedList")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed(format!("status list {id}: encodedList is missing")))?;
    let bits =
        Bitstring::decode(encoded).map_err(|e| malformed(format!("status list {id}: {e}")))?;
    let notes = read_notes(subject.get("revocations"));
    let secured = SecuredDocument {
        unsecured,
        proof_options,
        signature,
    };
    let verification_method = secured
        .proof_str("verificationMethod")
        .ok_or_else(|| {
            (
                Reason::StatusListSignatureInvalid,
                format!("status list {id}: proof.verificationMethod is missing"),
            )
        })?
        .to_owned();
    // `created` is optional (Data Integrity §2.1): absent, the key's lifecycle is judged at
    // the time of checking, as for a credential's proof; present, it must be a date-time.
    let created = match secured.proof_options.get("created") {
        None => None,
        Some(Value::String(text)) => Some(parse_time("proof.created", text).map_err(|e| {
            (
                Reason::StatusListSignatureInvalid,
                format!("status list {id}: {e}"),
            )
        })?),
        Some(other) => {
            return Err((
                Reason::StatusListSignatureInvalid,
                format!(
                    "status list {id}: proof.created must be a date-time string, found {other}"
                ),
            ));
        }
    };
    Ok(ParsedList {
        id,
        issuer,
        valid_from,
        valid_until,
        bits,
        notes,
        made: ShowTime(valid_from).to_string(),
        secured,
        verification_method,
        created,
    })
}

/// One revocation note as read from a list.
#[derive(Debug)]
pub(super) struct Note {
    /// When the entry was revoked.
    pub(super) at: OffsetDateTime,
    /// Why.
    pub(super) reason: String,
    /// The credential that replaces it (`urn:uuid:…`), when the note names one.
    pub(super) replaced_by: Option<String>,
}

/// The well-formed notes of `credentialSubject.revocations`, by index (the first note of an
/// index wins); anything malformed is left out, and a `replacedBy` that is not a `urn:uuid:`
/// is dropped from its note.
fn read_notes(value: Option<&Value>) -> HashMap<usize, Note> {
    let mut notes = HashMap::new();
    let Some(Value::Array(items)) = value else {
        return notes;
    };
    for item in items {
        let text = |field: &str| item.get(field).and_then(Value::as_str);
        let (Some(index), Some(at), Some(reason)) = (
            text("statusListIndex").and_then(decimal_index),
            text("revokedAt").and_then(|t| parse_time("revokedAt", t).ok()),
            text("reason"),
        ) else {
            continue;
        };
        if reason.trim().is_empty()
            || reason.chars().count() > MAX_REASON_CHARS
            || reason.chars().any(char::is_control)
        {
            continue;
        }
        let replaced_by = text("replacedBy")
            .filter(|id| RevocationNote::is_replacement_id(id))
            .map(str::to_owned);
        notes.entry(index).or_insert_with(|| Note {
            at,
            reason: reason.to_owned(),
            replaced_by,
        });
    }
    notes
}

/// A `statusListIndex`: decimal digits, no sign, no leading zero.
fn decimal_index(text: &str) -> Option<usize> {
    let plain = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if plain { text.parse().ok() } else { None }
}
