//! `hocba-issuer gen-nation --out DIR`: write a synthetic nation
//! ([`hocba_issuer::synthetic::nation`]) as the files `bundle --national` packs:
//!
//! * `DIR/national-trust-list.json`: the national list, signed by the (synthetic) root;
//! * `DIR/root.pub`: the root's public key (`z6Mk…`), for `--root-public-key` and
//!   `hocba-verify --authority`;
//! * `DIR/provinces/<code>.bundle.json`: each province's bundle (its signed trust list and its
//!   schools' signed status lists), as `hocba-issuer bundle` writes one.
//!
//! No private key is written: they all derive from the seed.

use std::path::Path;

use anyhow::{Context, Result};
use hocba_issuer::synthetic::nation::{NationSpec, nation};

/// Generate the nation `spec` into `out`.
pub(crate) fn run(spec: &NationSpec, out: &Path) -> Result<()> {
    let provinces_dir = out.join("provinces");
    std::fs::create_dir_all(&provinces_dir)
        .with_context(|| format!("creating {}", provinces_dir.display()))?;
    let made = nation(spec, |code| eprintln!("province {code} signed"))?;
    let write = |path: &Path, bytes: &[u8]| {
        std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
    };
    let national = out.join("national-trust-list.json");
    write(&national, &made.national)?;
    let root = out.join("root.pub");
    write(
        &root,
        format!("{}\n", made.root.public_key_multibase()).as_bytes(),
    )?;
    let mut bundles = Vec::new();
    for p in &made.provinces {
        let path = provinces_dir.join(format!("{}.bundle.json", p.code));
        write(&path, &p.bundle(spec.made)?)?;
        bundles.push(path);
    }
    println!(
        "{} provinces, {} schools, {} status lists in {}",
        made.provinces.len(),
        spec.schools,
        made.provinces
            .iter()
            .map(|p| p.status_lists.len())
            .sum::<usize>(),
        out.display()
    );
    println!(
        "pack them: hocba-issuer bundle --national {} --root-public-key {} --from-bundle {}/*.bundle.json --out nation.json.gz",
        national.display(),
        root.display(),
        provinces_dir.display()
    );
    Ok(())
}
