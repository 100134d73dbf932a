//! Shared helpers for the end-to-end tests: the repository's paths, the development trust
//! list and keys, and the schema examples.

use std::path::{Path, PathBuf};

use hocba_issuer::keys::KeyPair;
use hocba_issuer::signing::Signer;
use hocba_schema::credential::IssuerRef;
use hocba_verifier::VerifiedTrustList;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The development trust list, verified with the embedded development authority key.
pub fn dev_trust() -> VerifiedTrustList {
    let bytes = std::fs::read(root().join("keys/dev/trust-list.json")).expect("dev trust list");
    hocba_verifier::danger::dev_authority()
        .expect("dev authority key")
        .verify_trust_list(&bytes)
        .expect("the dev trust list verifies")
}

/// The signer of the demo school with MOET code `code`, as the trust list names it, and the
/// school's code.
pub fn dev_signer(trust: &VerifiedTrustList, code: &str) -> Signer {
    let key = KeyPair::load(&root().join(format!("keys/dev/school-{code}.pem"))).expect("dev key");
    let school = trust
        .list()
        .credential_subject
        .schools
        .iter()
        .find(|s| s.code == code)
        .expect("school in the dev trust list");
    Signer::new(
        key,
        IssuerRef {
            id: school.id.clone(),
            name: school.name.clone(),
        },
    )
}

/// Every valid example record: (file name, bytes).
pub fn examples() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(root().join("schema/examples"))
        .expect("examples folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            (
                p.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                std::fs::read(&p).expect("example"),
            )
        })
        .collect();
    out.sort();
    out
}

/// The school code of an example record.
pub fn school_code(record: &[u8]) -> String {
    let v: serde_json::Value = serde_json::from_slice(record).expect("example JSON");
    v["school"]["code"]
        .as_str()
        .expect("school.code")
        .to_owned()
}
