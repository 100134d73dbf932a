//! `hocba-issuer sign`: validate one record and print its signed credential.

use std::path::Path;

use anyhow::{Result, anyhow};
use hocba_issuer::issue::{IssueOptions, issue_record};
use hocba_issuer::keys::KeyPair;
use hocba_issuer::signing::Signer;
use hocba_schema::credential::IssuerRef;
use serde_json::Value;
use time::OffsetDateTime;

use super::{MAX_INPUT_BYTES, read_capped, read_trust_list, warn_if_dev, write_out};

/// Sign `record` with the key at `key`, as the school the trust list registers it for.
pub(crate) fn run(
    key: &Path,
    record: &Path,
    trust_list: &Path,
    accept_warnings: bool,
    out: Option<&Path>,
    now: OffsetDateTime,
) -> Result<()> {
    let key = KeyPair::load(key)?;
    warn_if_dev(&key);
    let list = read_trust_list(trust_list)?;
    let multibase = key.public_key_multibase();
    let school = list
        .school_with_key(&multibase)
        .ok_or_else(|| {
            anyhow!(
                "the key {multibase} is not in the trust list {}; register it with `hocba-issuer trust-list`",
                trust_list.display()
            )
        })?;
    let signer = Signer::new(
        key,
        IssuerRef {
            id: school.id.clone(),
            name: school.name.clone(),
        },
    );
    let bytes = read_capped(record, MAX_INPUT_BYTES)?;
    let issued = issue_record(
        &bytes,
        &signer,
        &school.code,
        &IssueOptions {
            accept_warnings,
            status: None,
            now,
            id: None,
        },
    )?;
    if !issued.report.warnings().is_empty() {
        eprintln!(
            "Cảnh báo đã chấp nhận / accepted warnings:\n{}",
            issued.report
        );
    }
    let text = serde_json::to_string_pretty(&Value::Object(issued.credential))?;
    write_out(out, &text)
}
