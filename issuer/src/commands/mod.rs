//! One file per `hocba-issuer` subcommand, each a thin layer over the library, plus the file
//! helpers they share.

pub(crate) mod authority;
pub(crate) mod bundle;
pub(crate) mod gen_province;
pub(crate) mod issue;
pub(crate) mod keygen;
pub(crate) mod pdf;
pub(crate) mod revoke;
pub(crate) mod serve;
pub(crate) mod sign;
pub(crate) mod token;
pub(crate) mod trust_list;

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, anyhow};
use hocba_issuer::danger::{DEV_KEY_WARNING, is_dev_key};
use hocba_issuer::keys::KeyPair;
use hocba_schema::trust_list::TrustList;

/// Records and trust lists larger than this are refused before parsing.
pub(crate) const MAX_INPUT_BYTES: u64 = 1 << 20;

/// Print the development-key warning when `key` is one of the public dev keys.
pub(crate) fn warn_if_dev(key: &KeyPair) {
    if is_dev_key(&key.verifying_key()) {
        eprintln!("{DEV_KEY_WARNING}");
    }
}

/// Read a file of at most `limit` bytes.
pub(crate) fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let len = std::fs::metadata(path)
        .with_context(|| format!("reading {}", path.display()))?
        .len();
    if len > limit {
        return Err(anyhow!(
            "{}: {len} bytes is larger than the {limit}-byte limit",
            path.display()
        ));
    }
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

/// Read a trust list file (its signature is the verifier's business).
pub(crate) fn read_trust_list(path: &Path) -> Result<TrustList> {
    let bytes = read_capped(path, 64 << 20)?;
    serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a trust list", path.display()))
}

/// Write `text` to `path`, or to standard output when `path` is `None`.
pub(crate) fn write_out(path: Option<&Path>, text: &str) -> Result<()> {
    match path {
        Some(path) => std::fs::write(path, format!("{text}\n"))
            .with_context(|| format!("writing {}", path.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "{text}")?;
            Ok(())
        }
    }
}
