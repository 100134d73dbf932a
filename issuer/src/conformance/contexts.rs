//! The JSON-LD context documents the conformance mode knows, vendored as files: it never
//! fetches a context from the network, so a document naming any other context URL is refused
//! (its terms cannot be known).
//!
//! The files are W3C documents, kept byte for byte as published in the Verifiable Credentials
//! Working Group's repository (GitHub `w3c/vc-data-model`, `contexts/credentials/…`, the
//! Recommendation's versions, last changed 2025-02-24 for `v2` and 2024-07-20 for the other
//! two), so that a `relatedResource` digest of them can be checked against the bytes:
//!
//! * `https://www.w3.org/ns/credentials/v2` — the VC 2.0 base context (defines the Data
//!   Integrity and Bitstring Status List terms too); protected, no `@vocab`;
//! * `https://www.w3.org/ns/credentials/examples/v2` — the examples context: only a `@vocab`;
//! * `https://www.w3.org/ns/credentials/undefined-terms/v2` — the context the data model asks a
//!   document to end with when its contexts do not define all its terms: only a `@vocab`.

/// The URL of each vendored context and its bytes.
const DOCUMENTS: [(&str, &str); 3] = [
    (
        "https://www.w3.org/ns/credentials/v2",
        include_str!("contexts/credentials-v2.jsonld"),
    ),
    (
        "https://www.w3.org/ns/credentials/examples/v2",
        include_str!("contexts/credentials-examples-v2.jsonld"),
    ),
    (
        "https://www.w3.org/ns/credentials/undefined-terms/v2",
        include_str!("contexts/credentials-undefined-terms-v2.jsonld"),
    ),
];

/// The bytes of the context document published at `url`, when it is one of the vendored ones.
pub(super) fn document(url: &str) -> Option<&'static str> {
    DOCUMENTS
        .iter()
        .find(|(known, _)| *known == url)
        .map(|(_, text)| *text)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn each_document_is_a_json_ld_context() {
        for (url, text) in DOCUMENTS {
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            assert!(value["@context"].is_object(), "{url}");
            assert_eq!(document(url), Some(text));
        }
        assert_eq!(document("https://example.com"), None);
    }
}
