//! Where an issuer publishes its trust material and what the shared containers are called:
//! the one definition that the issuer (which serves them) and the verifier (which fetches and
//! reads them) both use, so the two cannot drift apart.
//!
//! | what | where / name |
//! |---|---|
//! | the authority-signed trust list | `{base}/.well-known/hocba/trust-list.json` |
//! | the root-signed national trust list (federation) | `{base}/.well-known/hocba/national-trust-list.json` |
//! | a school's status list | `{base}/status/{schoolCode}/{listId}` |
//! | the index of a school's status lists | `{base}/status/{schoolCode}/index.json` |
//! | the credential inside a printed record's PDF | embedded file `hocba-credential.json` |
//! | the offline trust bundle | JSON object with `"type": "HocBaTrustBundle"` |
//!
//! The index document itself is [`index::StatusIndex`].

pub mod index;

/// Path of the trust list under an issuer's base URL.
pub const TRUST_LIST_PATH: &str = "/.well-known/hocba/trust-list.json";

/// Path of the national trust list (the federation's root document) under the root's base URL.
pub const NATIONAL_TRUST_LIST_PATH: &str = "/.well-known/hocba/national-trust-list.json";

/// Path prefix of the status lists under an issuer's base URL.
pub const STATUS_PATH_PREFIX: &str = "/status/";

/// Last path segment of a school's index of status lists.
pub const STATUS_INDEX_NAME: &str = "index.json";

/// Name of the signed credential embedded in a printed record's PDF.
pub const EMBEDDED_CREDENTIAL_NAME: &str = "hocba-credential.json";

/// `type` of the offline trust bundle.
pub const BUNDLE_TYPE: &str = "HocBaTrustBundle";

fn trimmed(base: &str) -> &str {
    base.trim_end_matches('/')
}

/// `{base}/.well-known/hocba/trust-list.json`.
pub fn trust_list_url(base: &str) -> String {
    format!("{}{TRUST_LIST_PATH}", trimmed(base))
}

/// `{base}/.well-known/hocba/national-trust-list.json`.
pub fn national_trust_list_url(base: &str) -> String {
    format!("{}{NATIONAL_TRUST_LIST_PATH}", trimmed(base))
}

/// `{base}/status/{school_code}/{list_id}`: what credentials name in
/// `credentialStatus.statusListCredential`.
pub fn status_list_url(base: &str, school_code: &str, list_id: &str) -> String {
    format!(
        "{}{STATUS_PATH_PREFIX}{school_code}/{list_id}",
        trimmed(base)
    )
}

/// `{base}/status/{school_code}/index.json`.
pub fn status_index_url(base: &str, school_code: &str) -> String {
    format!(
        "{}{STATUS_PATH_PREFIX}{school_code}/{STATUS_INDEX_NAME}",
        trimmed(base)
    )
}

/// `{base}/status/`: every status list of an issuer lies under it.
pub fn status_prefix(base: &str) -> String {
    format!("{}{STATUS_PATH_PREFIX}", trimmed(base))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_join_the_base_with_or_without_a_trailing_slash() {
        for base in ["http://h:8080", "http://h:8080/"] {
            assert_eq!(
                trust_list_url(base),
                "http://h:8080/.well-known/hocba/trust-list.json"
            );
            assert_eq!(
                status_list_url(base, "79000701", "1"),
                "http://h:8080/status/79000701/1"
            );
            assert_eq!(
                status_index_url(base, "79000701"),
                "http://h:8080/status/79000701/index.json"
            );
            assert_eq!(status_prefix(base), "http://h:8080/status/");
        }
    }
}
