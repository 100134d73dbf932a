//! `hocba-issuer trust-list`: build and sign the trust list from a plain description.

use std::path::Path;

use anyhow::Result;
use hocba_issuer::keys::KeyPair;
use hocba_issuer::trust_list;
use serde_json::Value;
use time::OffsetDateTime;

use super::{warn_if_dev, write_out};

/// Build the list described in `schools`, sign it with `authority_key`, write it to `out`.
pub(crate) fn run(
    schools: &Path,
    authority_key: &Path,
    list_version: Option<u64>,
    out: &Path,
    now: OffsetDateTime,
) -> Result<()> {
    let authority = KeyPair::load(authority_key)?;
    warn_if_dev(&authority);
    let desc = trust_list::Description::load(schools)?;
    let base = schools.parent().unwrap_or(Path::new("."));
    let version = list_version.unwrap_or(now.unix_timestamp().unsigned_abs());
    let list = trust_list::build(&desc, base, version, now)?;
    let signed = trust_list::sign(&list, &authority, now)?;
    write_out(
        Some(out),
        &serde_json::to_string_pretty(&Value::Object(signed))?,
    )?;
    eprintln!(
        "trust list version {version} with {} schools written to {}",
        list.credential_subject.schools.len(),
        out.display()
    );
    Ok(())
}
