//! The W3C VC Data Model 2.0 rules the conformance mode checks on a credential before it
//! signs it and when it verifies it: the MUSTs of §4, the terms the contexts define
//! ([`super::terms`]) and the `relatedResource` digests ([`super::related`]). hocba itself
//! never processes JSON-LD (its credentials are read as JSON with a fixed context); the
//! conformance mode does only the part of context processing that finds undefined terms.
//!
//! Written here rather than taken from a crate: no maintained Rust crate checks the VC 2.0
//! data model without pulling in a JSON-LD processor.

use serde_json::{Map, Value};

/// The VC 2.0 base context, which MUST come first.
pub const CONTEXT_V2: &str = "https://www.w3.org/ns/credentials/v2";

/// What is wrong with a credential: the member and the rule.
pub type Problem = String;

/// Check `doc` (a credential without or with its proof) against the data model's MUSTs.
pub fn check_credential(doc: &Map<String, Value>) -> Result<(), Problem> {
    check_context(doc.get("@context"))?;
    super::terms::check_terms(doc)?;
    let types = type_list(doc.get("type")).ok_or("type must be a string or a list of strings")?;
    if !types.contains(&"VerifiableCredential") {
        return Err("type must include VerifiableCredential".into());
    }
    if let Some(id) = doc.get("id") {
        url_string(id).ok_or("id must be a URL")?;
    }
    match doc.get("issuer") {
        Some(Value::String(s)) if is_url(s) => {}
        Some(Value::Object(o)) => {
            o.get("id")
                .and_then(url_string)
                .ok_or("issuer.id must be a URL")?;
            check_names(o)?;
        }
        Some(_) => return Err("issuer must be a URL or an object with a URL id".into()),
        None => return Err("issuer is missing".into()),
    }
    match doc.get("credentialSubject") {
        Some(Value::Object(o)) if !o.is_empty() => check_subject(o)?,
        Some(Value::Array(items)) if !items.is_empty() => {
            for item in items {
                match item {
                    Value::Object(o) if !o.is_empty() => check_subject(o)?,
                    _ => return Err("each credentialSubject must be a non-empty object".into()),
                }
            }
        }
        Some(_) => return Err("credentialSubject must be a non-empty object or list".into()),
        None => return Err("credentialSubject is missing".into()),
    }
    check_names(doc)?;
    let from = date_time(doc, "validFrom")?;
    let until = date_time(doc, "validUntil")?;
    if let (Some(from), Some(until)) = (from, until)
        && until < from
    {
        return Err("validUntil must not be before validFrom".into());
    }
    for (member, needs_id) in [
        ("credentialStatus", false),
        ("credentialSchema", true),
        ("evidence", false),
        ("termsOfUse", false),
        ("refreshService", false),
        ("renderMethod", false),
    ] {
        if let Some(value) = doc.get(member) {
            check_typed(member, value, needs_id)?;
        }
    }
    if let Some(related) = doc.get("relatedResource") {
        check_related(related)?;
        super::related::check_digests(doc)?;
    }
    Ok(())
}

/// `relatedResource`: one or more objects, each with a URL `id` (unique among them) and a
/// `digestSRI` or `digestMultibase`. Whether the digests match is [`super::related`]'s.
fn check_related(value: &Value) -> Result<(), Problem> {
    let items: Vec<&Value> = match value {
        Value::Array(items) if !items.is_empty() => items.iter().collect(),
        Value::Object(_) => vec![value],
        _ => return Err("relatedResource must be one or more objects".into()),
    };
    let mut ids = std::collections::HashSet::new();
    for item in items {
        let Value::Object(o) = item else {
            return Err("relatedResource must be one or more objects".into());
        };
        let id = o
            .get("id")
            .and_then(url_string)
            .ok_or("relatedResource.id must be a URL")?;
        if !ids.insert(id) {
            return Err(format!("relatedResource.id {id} is not unique"));
        }
        if !o.contains_key("digestSRI") && !o.contains_key("digestMultibase") {
            return Err("relatedResource needs digestSRI or digestMultibase".into());
        }
    }
    Ok(())
}

pub(super) fn check_context(context: Option<&Value>) -> Result<(), Problem> {
    let items: &[Value] = match context {
        Some(Value::Array(items)) => items,
        Some(Value::String(s)) if s == CONTEXT_V2 => return Ok(()),
        _ => {
            return Err(format!(
                "@context must be a list starting with {CONTEXT_V2}"
            ));
        }
    };
    if items.first().and_then(Value::as_str) != Some(CONTEXT_V2) {
        return Err(format!("@context must start with {CONTEXT_V2}"));
    }
    for item in items {
        match item {
            Value::String(s) if is_url(s) => {}
            Value::Object(_) => {}
            _ => return Err("each @context item must be a URL or an object".into()),
        }
    }
    Ok(())
}

fn check_subject(subject: &Map<String, Value>) -> Result<(), Problem> {
    if let Some(id) = subject.get("id") {
        url_string(id).ok_or("credentialSubject.id must be a URL")?;
    }
    Ok(())
}

/// `name` and `description`: a string, a language value object or a list of them.
fn check_names(doc: &Map<String, Value>) -> Result<(), Problem> {
    for member in ["name", "description"] {
        let Some(value) = doc.get(member) else {
            continue;
        };
        let ok = |v: &Value| match v {
            Value::String(_) => true,
            Value::Object(o) => {
                o.get("@value").is_some_and(Value::is_string)
                    && o.keys()
                        .all(|k| matches!(k.as_str(), "@value" | "@language" | "@direction"))
            }
            _ => false,
        };
        let valid = match value {
            Value::Array(items) => items.iter().all(ok),
            other => ok(other),
        };
        if !valid {
            return Err(format!(
                "{member} must be a string or a language value object"
            ));
        }
    }
    Ok(())
}

/// An object, or a list of objects, each with a `type` (and an `id` URL when `needs_id`).
fn check_typed(member: &str, value: &Value, needs_id: bool) -> Result<(), Problem> {
    let one = |v: &Value| -> Result<(), Problem> {
        let Value::Object(o) = v else {
            return Err(format!("{member} must be an object or a list of objects"));
        };
        if type_list(o.get("type")).is_none_or(|t| t.is_empty()) {
            return Err(format!("{member} must have a type"));
        }
        match o.get("id") {
            Some(id) if url_string(id).is_none() => Err(format!("{member}.id must be a URL")),
            None if needs_id => Err(format!("{member} must have an id")),
            _ => Ok(()),
        }
    };
    match value {
        Value::Array(items) => items.iter().try_for_each(one),
        other => one(other),
    }
}

fn date_time(
    doc: &Map<String, Value>,
    member: &str,
) -> Result<Option<time::OffsetDateTime>, Problem> {
    match doc.get(member) {
        None => Ok(None),
        Some(Value::String(text)) => hocba_schema::credential::parse_time(member, text)
            .map(Some)
            .map_err(|e| e.to_string()),
        Some(_) => Err(format!("{member} must be a date-time string")),
    }
}

pub(super) fn type_list(value: Option<&Value>) -> Option<Vec<&str>> {
    match value? {
        Value::String(s) => Some(vec![s.as_str()]),
        Value::Array(items) => items.iter().map(Value::as_str).collect(),
        _ => None,
    }
}

fn url_string(value: &Value) -> Option<&str> {
    value.as_str().filter(|s| is_url(s))
}

/// A URL in the data model's sense: an absolute URI, i.e. an RFC 3986 scheme (`https`, `urn`,
/// `did`) followed by `:` and a non-empty rest without spaces. (A full URL parser would accept
/// no more of what a credential may hold; the scheme rule is all the data model asks.)
pub(super) fn is_url(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !text.chars().any(char::is_whitespace)
}

/// The credential's validity window against `now` (a verifier's check).
pub fn check_validity(doc: &Map<String, Value>, now: time::OffsetDateTime) -> Result<(), Problem> {
    if let Some(from) = date_time(doc, "validFrom")?
        && now < from
    {
        return Err("the credential is not valid yet (validFrom is in the future)".into());
    }
    if let Some(until) = date_time(doc, "validUntil")?
        && now > until
    {
        return Err("the credential has expired (validUntil is in the past)".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn ok() -> Value {
        json!({
            "@context": [CONTEXT_V2, "https://www.w3.org/ns/credentials/examples/v2"],
            "type": ["VerifiableCredential"],
            "issuer": "did:example:1",
            "credentialSubject": {"id": "did:example:2", "name": "An"},
            "validFrom": "2026-01-01T00:00:00Z"
        })
    }

    #[test]
    fn the_musts() {
        assert_eq!(check_credential(ok().as_object().unwrap()), Ok(()));
        let mut related = ok();
        related["relatedResource"] =
            json!({"id": "https://a.example/1", "digestMultibase": "uEiA"});
        related["@context"] = json!([CONTEXT_V2, {"Foo": "https://a.example/#Foo"}]);
        assert_eq!(check_credential(related.as_object().unwrap()), Ok(()));
        for (member, bad) in [
            ("@context", json!(["https://example.org/x", CONTEXT_V2])),
            ("type", json!(["Foo"])),
            ("issuer", json!("not a url")),
            ("credentialSubject", json!({})),
            ("validFrom", json!("2026-01-01")),
            ("name", json!(5)),
            ("credentialStatus", json!({"id": "x"})),
            (
                "name",
                json!({"@value": "A", "@language": "en", "url": "x:y"}),
            ),
            ("relatedResource", json!([{"id": "https://a.example/1"}])),
            ("relatedResource", json!(["https://a.example/1"])),
            (
                "relatedResource",
                json!([{"id": "https://a.example/1", "digestSRI": "s"}, {"id": "https://a.example/1", "digestSRI": "s"}]),
            ),
            (
                "@context",
                json!([CONTEXT_V2, {"VerifiableCredential": "https://example.org/#Bad"}]),
            ),
            (
                "@context",
                json!([CONTEXT_V2, {"Foo": "https ://not-a-url#Foo"}]),
            ),
            (
                "@context",
                json!([CONTEXT_V2, {"@protected": true, "Foo": "https://a.example/#Foo"}, {"Foo": "https://a.example/#Other"}]),
            ),
        ] {
            let mut doc = ok();
            doc[member] = bad;
            assert!(
                check_credential(doc.as_object().unwrap()).is_err(),
                "{member}"
            );
        }
    }
}
