//! Every term and type a document uses is defined by the contexts it names, or a `@vocab`
//! covers it: the VC 2.0 data model (§5.2 "Semantic Interoperability") asks a document whose
//! contexts do not define all its terms to end its `@context` with the undefined-terms
//! context (a `@vocab`), and a JSON-LD processor reports an undefined term otherwise. A term
//! the processor does not know would be dropped silently from what was signed, so the
//! conformance mode refuses it rather than sign or accept a meaning it cannot see.
//!
//! This is the part of JSON-LD 1.1 context processing that decides whether a term is defined,
//! and nothing more (no expansion, no IRIs computed): contexts named by URL come only from the
//! vendored documents ([`super::contexts`]); inline contexts may define terms (to an absolute
//! IRI, a compact IRI or a keyword), set or clear `@vocab`, and mark terms `@protected`; a
//! protected term may not be redefined differently except by a property-scoped context;
//! type-scoped contexts apply to the node of that type only (they do not propagate), and
//! property-scoped contexts to the property's value. Values typed `@json` are not looked into.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::contexts;
use super::vc_model::{Problem, is_url};

/// Nesting beyond this is refused (a fixture has no reason to nest deeper).
const MAX_DEPTH: usize = 48;

/// One term definition, as far as this check needs it.
#[derive(Clone, Debug)]
struct Definition {
    /// The IRI or keyword the term maps to; `None` for a term mapped to `null`.
    iri: Option<String>,
    /// The definition's `@type` (`@id`, `@vocab`, `@json` or a datatype).
    kind: Option<String>,
    /// Its scoped context.
    scoped: Option<Value>,
    protected: bool,
    /// As written: a protected term may be defined again only identically.
    raw: Value,
}

/// The active context: the terms defined, whether a `@vocab` applies, and the context to go
/// back to in a nested node when a type-scoped context made this one.
#[derive(Clone, Debug, Default)]
struct Active {
    terms: HashMap<String, Definition>,
    vocab: bool,
    previous: Option<Box<Active>>,
}

/// Check that `doc` (a credential or presentation, with or without its proof) uses only terms
/// and types its `@context` defines, or that a `@vocab` covers.
pub(super) fn check_terms(doc: &Map<String, Value>) -> Result<(), Problem> {
    node(&Active::default(), doc, "", 0)
}

/// Apply the `local` context to `active` (JSON-LD 1.1 §4.1, the parts that define terms).
fn process(
    active: &Active,
    local: &Value,
    override_protected: bool,
    propagate: bool,
    depth: usize,
) -> Result<Active, Problem> {
    if depth > MAX_DEPTH {
        return Err("@context: contexts nest too deeply".into());
    }
    let mut result = active.clone();
    if !propagate && result.previous.is_none() {
        result.previous = Some(Box::new(active.clone()));
    }
    let items: Vec<&Value> = match local {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    for item in items {
        match item {
            Value::Null => {
                if !override_protected && result.terms.values().any(|d| d.protected) {
                    return Err("@context: null would clear protected terms".into());
                }
                let before = std::mem::take(&mut result);
                if !propagate {
                    result.previous = Some(Box::new(before));
                }
            }
            Value::String(url) => {
                let text = contexts::document(url).ok_or_else(|| {
                    format!(
                        "@context: {url:?} is not a context known here (contexts are not fetched \
                         from the network), so the terms it defines cannot be known"
                    )
                })?;
                let document: Value =
                    serde_json::from_str(text).map_err(|e| format!("@context: {url}: {e}"))?;
                let inner = document
                    .get("@context")
                    .ok_or_else(|| format!("@context: {url} has no @context"))?;
                result = process(&result, inner, override_protected, true, depth + 1)?;
            }
            Value::Object(context) => define_all(&mut result, context, override_protected)?,
            other => {
                return Err(format!(
                    "@context: each item must be a URL, an object or null, found {other}"
                ));
            }
        }
    }
    Ok(result)
}

/// The definitions of one context object.
fn define_all(
    result: &mut Active,
    context: &Map<String, Value>,
    override_protected: bool,
) -> Result<(), Problem> {
    if context.contains_key("@import") {
        return Err("@context: @import is not supported here".into());
    }
    match context.get("@vocab") {
        None => {}
        Some(Value::Null) => result.vocab = false,
        Some(Value::String(_)) => result.vocab = true,
        Some(other) => {
            return Err(format!(
                "@context: @vocab must be a string or null, found {other}"
            ));
        }
    }
    let protected_default = context.get("@protected") == Some(&Value::Bool(true));
    for (term, raw) in context {
        if term.starts_with('@') {
            continue;
        }
        define(result, term, raw, protected_default, override_protected)?;
    }
    Ok(())
}

fn define(
    result: &mut Active,
    term: &str,
    raw: &Value,
    protected_default: bool,
    override_protected: bool,
) -> Result<(), Problem> {
    let derived = || {
        (term.contains(':') || result.vocab)
            .then(|| term.to_owned())
            .ok_or_else(|| format!("@context: {term} has no @id and no @vocab applies"))
    };
    let definition = match raw {
        Value::Null => Definition {
            iri: None,
            kind: None,
            scoped: None,
            protected: protected_default,
            raw: raw.clone(),
        },
        Value::String(iri) => Definition {
            iri: Some(iri.clone()),
            kind: None,
            scoped: None,
            protected: protected_default,
            raw: raw.clone(),
        },
        Value::Object(o) => Definition {
            iri: match o.get("@id") {
                Some(Value::String(iri)) => Some(iri.clone()),
                Some(Value::Null) => None,
                None => Some(derived()?),
                Some(other) => {
                    return Err(format!(
                        "@context: the @id of {term} must be a string, found {other}"
                    ));
                }
            },
            kind: o.get("@type").and_then(Value::as_str).map(str::to_owned),
            scoped: o.get("@context").cloned(),
            protected: o
                .get("@protected")
                .and_then(Value::as_bool)
                .unwrap_or(protected_default),
            raw: raw.clone(),
        },
        other => {
            return Err(format!(
                "@context: the definition of {term} must be a string, an object or null, found {other}"
            ));
        }
    };
    if let Some(iri) = &definition.iri
        && !iri.starts_with('@')
        && !is_url(iri)
        && !result.vocab
    {
        return Err(format!("@context maps {term} to {iri:?}, not a URL"));
    }
    if let Some(old) = result.terms.get(term)
        && old.protected
        && !override_protected
        && !same_definition(&old.raw, raw)
    {
        return Err(format!("@context redefines the protected term {term}"));
    }
    result.terms.insert(term.to_owned(), definition);
    Ok(())
}

/// Two definitions of a term are the same when they differ at most in `@protected`.
fn same_definition(a: &Value, b: &Value) -> bool {
    let strip = |v: &Value| match v {
        Value::Object(o) => {
            let mut o = o.clone();
            o.remove("@protected");
            if o.len() == 1
                && let Some(Value::String(id)) = o.get("@id")
            {
                return Value::String(id.clone());
            }
            Value::Object(o)
        }
        other => other.clone(),
    };
    strip(a) == strip(b)
}

/// The keyword `key` stands for, if any (`@type`, or a term aliasing it such as `type`).
fn keyword<'a>(active: &'a Active, key: &'a str) -> Option<&'a str> {
    if key.starts_with('@') {
        return Some(key);
    }
    active
        .terms
        .get(key)
        .and_then(|d| d.iri.as_deref())
        .filter(|iri| iri.starts_with('@'))
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// The value of a property: nodes are checked in the context a new node gets (without the
/// parent's type-scoped terms, with the property's scoped context).
fn element(
    parent: &Active,
    definition: Option<&Definition>,
    value: &Value,
    path: &str,
    depth: usize,
) -> Result<(), Problem> {
    if definition.is_some_and(|d| d.kind.as_deref() == Some("@json")) {
        return Ok(());
    }
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                element(parent, definition, item, &format!("{path}[{i}]"), depth)?;
            }
            Ok(())
        }
        Value::Object(map) if !map.contains_key("@value") => {
            let id_only = map.len() == 1 && keyword(parent, first_key(map)) == Some("@id");
            let mut active = match &parent.previous {
                Some(previous) if !id_only => (**previous).clone(),
                _ => parent.clone(),
            };
            if let Some(scoped) = definition.and_then(|d| d.scoped.as_ref()) {
                active = process(&active, scoped, true, true, depth + 1)?;
            }
            node(&active, map, path, depth + 1)
        }
        _ => Ok(()),
    }
}

fn first_key(map: &Map<String, Value>) -> &str {
    map.keys().next().map_or("", String::as_str)
}

/// A node object: its own `@context`, its types (and their scoped contexts), its properties.
fn node(
    active: &Active,
    map: &Map<String, Value>,
    path: &str,
    depth: usize,
) -> Result<(), Problem> {
    if depth > MAX_DEPTH {
        return Err(format!("{path}: the document nests too deeply"));
    }
    let mut active = match map.get("@context") {
        Some(local) => process(active, local, false, true, depth)?,
        None => active.clone(),
    };
    let lookup = active.clone();
    let mut types: Vec<&str> = Vec::new();
    for (key, value) in map {
        if keyword(&lookup, key) != Some("@type") {
            continue;
        }
        match value {
            Value::String(t) => types.push(t),
            Value::Array(items) => {
                for item in items {
                    types.push(item.as_str().ok_or_else(|| {
                        format!("{}: each type must be a string", join(path, key))
                    })?);
                }
            }
            _ => {
                return Err(format!(
                    "{}: must be a string or a list of strings",
                    join(path, key)
                ));
            }
        }
    }
    types.sort_unstable();
    for t in types {
        match lookup.terms.get(t) {
            Some(Definition {
                iri: Some(_),
                scoped,
                ..
            }) => {
                if let Some(scoped) = scoped {
                    active = process(&active, scoped, false, false, depth + 1)?;
                }
            }
            _ if (t.contains(':') && is_url(t)) || lookup.vocab => {}
            _ => {
                return Err(format!(
                    "{}: the type {t:?} is not defined by the document's @context, and no \
                     @vocab applies (add a context that defines it, or end the @context with \
                     https://www.w3.org/ns/credentials/undefined-terms/v2)",
                    join(path, "type")
                ));
            }
        }
    }
    for (key, value) in map {
        if key == "@context" {
            continue;
        }
        if let Some(kw) = keyword(&active, key) {
            if matches!(kw, "@graph" | "@included" | "@nest") {
                element(&active, None, value, &join(path, key), depth)?;
            }
            continue;
        }
        match active.terms.get(key.as_str()) {
            Some(Definition { iri: None, .. }) => {
                return Err(format!(
                    "{}: the @context maps the term {key:?} to null (it would be dropped)",
                    join(path, key)
                ));
            }
            Some(definition) => element(&active, Some(definition), value, &join(path, key), depth)?,
            None if (key.contains(':') && is_url(key)) || active.vocab => {
                element(&active, None, value, &join(path, key), depth)?;
            }
            None => {
                return Err(format!(
                    "{}: the term {key:?} is not defined by the document's @context, and no \
                     @vocab applies (add a context that defines it, or end the @context with \
                     https://www.w3.org/ns/credentials/undefined-terms/v2)",
                    join(path, key)
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    const V2: &str = "https://www.w3.org/ns/credentials/v2";

    fn check(doc: Value) -> Result<(), Problem> {
        check_terms(doc.as_object().unwrap())
    }

    fn credential(context: Value, subject: Value) -> Value {
        json!({
            "@context": context,
            "type": ["VerifiableCredential"],
            "issuer": "did:example:issuer",
            "credentialSubject": subject,
        })
    }

    #[test]
    fn the_base_context_defines_the_data_model_terms() {
        let mut doc = credential(json!([V2]), json!({"id": "did:example:a", "name": "An"}));
        doc["validFrom"] = "2026-01-01T00:00:00Z".into();
        doc["credentialStatus"] = json!({
            "id": "https://example.org/status/1#7", "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation", "statusListIndex": "7",
            "statusListCredential": "https://example.org/status/1"
        });
        doc["relatedResource"] =
            json!([{"id": V2, "digestSRI": "sha384-x", "mediaType": "application/ld+json"}]);
        doc["proof"] = json!({
            "type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022",
            "created": "2026-01-01T00:00:00Z", "verificationMethod": "did:key:z6Mk#z6Mk",
            "proofPurpose": "assertionMethod", "proofValue": "z1"
        });
        assert_eq!(check(doc), Ok(()));
    }

    #[test]
    fn an_undefined_term_or_type_is_refused_unless_a_vocab_covers_it() {
        // A property the base context does not define (the status-list suite's `statusEntry`).
        let mut doc = credential(json!([V2]), json!({"id": "did:example:a"}));
        doc["statusEntry"] = json!({"type": "BitstringStatusListEntry", "statusListIndex": true});
        let problem = check(doc.clone()).unwrap_err();
        assert!(
            problem.starts_with("statusEntry: the term \"statusEntry\""),
            "{problem}"
        );
        // An undefined type, `@vocab` cleared.
        let mut unmapped = credential(
            json!([V2, {"@vocab": null}]),
            json!({"id": "did:example:a"}),
        );
        unmapped["type"] = json!(["VerifiableCredential", "ExampleTestCredential"]);
        let problem = check(unmapped.clone()).unwrap_err();
        assert!(
            problem.contains("type \"ExampleTestCredential\""),
            "{problem}"
        );
        // A term of the subject that only an issuer-scoped context would define.
        let subject = credential(json!([V2]), json!({"id": "did:example:a", "grade": 9}));
        assert!(
            check(subject)
                .unwrap_err()
                .starts_with("credentialSubject.grade")
        );
        // Type-scoped terms do not reach a nested node: `statusPurpose` only in its entry.
        let nested = credential(json!([V2]), json!({"statusPurpose": "revocation"}));
        assert!(check(nested).is_err());
        // A term mapped to null is dropped by a processor: refused.
        let null = credential(json!([V2, {"nickname": null}]), json!({"nickname": "A"}));
        assert!(check(null).unwrap_err().contains("null"));
        // Covered: the examples or undefined-terms `@vocab`, an inline definition, a full IRI.
        for context in [
            json!([V2, "https://www.w3.org/ns/credentials/examples/v2"]),
            json!([V2, "https://www.w3.org/ns/credentials/undefined-terms/v2"]),
            json!([V2, {"statusEntry": "https://example.org/#statusEntry", "ExampleTestCredential": "https://example.org/#E", "grade": "https://example.org/#grade"}]),
        ] {
            let mut doc = doc.clone();
            doc["@context"] = context.clone();
            doc["type"] = json!(["VerifiableCredential", "ExampleTestCredential"]);
            doc["credentialSubject"]["grade"] = 9.into();
            assert_eq!(check(doc), Ok(()), "{context}");
        }
        let mut full = credential(json!([V2]), json!({"https://example.org/#grade": 9}));
        full["type"] = json!(["VerifiableCredential", "https://example.org/#E"]);
        assert_eq!(check(full), Ok(()));
    }

    #[test]
    fn contexts_are_only_the_vendored_ones_and_protected_terms_stay() {
        let unknown = credential(
            json!([V2, "https://example.com"]),
            json!({"id": "did:example:a"}),
        );
        assert!(
            check(unknown)
                .unwrap_err()
                .contains("not a context known here")
        );
        let redefined = credential(
            json!([V2, {"VerifiableCredential": "https://example.org/#VC"}]),
            json!({"id": "did:example:a"}),
        );
        assert!(
            check(redefined)
                .unwrap_err()
                .contains("protected term VerifiableCredential")
        );
        let same = credential(
            json!([V2, {"name": "https://schema.org/name"}]),
            json!({"name": "A"}),
        );
        assert_eq!(check(same), Ok(()));
        let cleared = credential(json!([V2, null]), json!({"id": "did:example:a"}));
        assert!(check(cleared).unwrap_err().contains("protected"));
        let not_iri = credential(
            json!([V2, {"Foo": "not a url"}]),
            json!({"id": "did:example:a"}),
        );
        assert!(check(not_iri).unwrap_err().contains("not a URL"));
    }

    #[test]
    fn a_presentation_resets_the_context_for_each_credential() {
        let vp = json!({
            "@context": [V2],
            "type": ["VerifiablePresentation"],
            "holder": "did:example:holder",
            "verifiableCredential": [credential(json!([V2, "https://www.w3.org/ns/credentials/examples/v2"]), json!({"grade": 9}))],
        });
        assert_eq!(check(vp.clone()), Ok(()));
        let mut undefined = vp;
        undefined["verifiableCredential"][0]["@context"] = json!([V2]);
        assert!(
            check(undefined)
                .unwrap_err()
                .starts_with("verifiableCredential[0].credentialSubject.grade")
        );
    }
}
