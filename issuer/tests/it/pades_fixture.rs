//! The fixture the PAdES suites and the PDF benches share — `hocba-issuer`'s `it::pades`, the
//! workspace's `e2e::pades` and the `pdf` and `pades` benches, which include this file by
//! path — written once: an example record of `schema/examples/` issued by its school's
//! development key at [`SIGNED_AT`]. (Each includer uses part of it.)
#![allow(dead_code)]

use std::path::Path;

use hocba_issuer::issue::{IssueOptions, issue_record};
use hocba_issuer::keys::KeyPair;
use hocba_issuer::signing::Signer;
use hocba_schema::credential::{IssuerRef, StatusEntry};
use hocba_schema::trust_list::TrustList;
use serde_json::Value;
use time::OffsetDateTime;
use time::macros::datetime;

/// When the examples are signed (the PDF signatures' signing time too).
pub(crate) const SIGNED_AT: OffsetDateTime = datetime!(2026-05-29 09:30 UTC);

/// `schema/examples/<name>` of the repository at `repo`, issued with id `id` by its school's
/// development key (`keys/dev/school-<code>.pem`, the school as the dev trust list names it):
/// the credential, the key, and the school's code.
pub(crate) fn signed_example(repo: &Path, name: &str, id: &str) -> (Value, KeyPair, String) {
    issue_example(repo, name, Some(id), None)
}

/// [`signed_example`] with any id (`None`: a fresh one) and status entry.
pub(crate) fn issue_example(
    repo: &Path,
    name: &str,
    id: Option<&str>,
    status: Option<StatusEntry>,
) -> (Value, KeyPair, String) {
    let record = std::fs::read(repo.join("schema/examples").join(name)).unwrap();
    let value: Value = serde_json::from_slice(&record).unwrap();
    let code = value["school"]["code"].as_str().unwrap().to_owned();
    let list: TrustList =
        serde_json::from_slice(&std::fs::read(repo.join("keys/dev/trust-list.json")).unwrap())
            .unwrap();
    let school = list
        .credential_subject
        .schools
        .iter()
        .find(|s| s.code == code)
        .unwrap();
    let key = || KeyPair::load(&repo.join(format!("keys/dev/school-{code}.pem"))).unwrap();
    let signer = Signer::new(
        key(),
        IssuerRef {
            id: school.id.clone(),
            name: school.name.clone(),
        },
    );
    let issued = issue_record(
        &record,
        &signer,
        &code,
        &IssueOptions {
            accept_warnings: true,
            status,
            now: SIGNED_AT,
            id: id.map(str::to_owned),
        },
    )
    .unwrap();
    (Value::Object(issued.credential), key(), code)
}
