//! `hocba-issuer gen-province`: write a synthetic province, one JSON array per school.

use std::path::Path;

use anyhow::{Context, Result};
use hocba_issuer::synthetic::province;

/// Generate `pupils` pupils with `seed` into `out/<school code>.json`.
pub(crate) fn run(pupils: usize, seed: u64, out: &Path) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let schools = province(pupils, seed);
    for s in &schools {
        let path = out.join(format!("{}.json", s.school.code));
        let text = serde_json::to_string(&s.records)?;
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    println!(
        "{} schools, {pupils} pupils in {}",
        schools.len(),
        out.display()
    );
    Ok(())
}
