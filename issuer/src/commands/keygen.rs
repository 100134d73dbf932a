//! `hocba-issuer keygen`: a new Ed25519 key (PKCS#8 PEM, mode 0600) and its public key.

use std::path::Path;

use anyhow::{Context, Result};
use hocba_issuer::keys::KeyPair;

/// Write a new private key to `out` and its SPKI public key beside it (`.pub.pem`).
pub(crate) fn run(out: &Path) -> Result<()> {
    let key = KeyPair::generate()?;
    key.write_new(out)?;
    let public = out.with_extension("pub.pem");
    std::fs::write(&public, key.public_key_pem())
        .with_context(|| format!("writing {}", public.display()))?;
    println!("private key: {} (mode 0600)", out.display());
    println!("public key:  {}", public.display());
    println!("publicKeyMultibase: {}", key.public_key_multibase());
    Ok(())
}
