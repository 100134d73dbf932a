//! `hocba-issuer pki init`: the development PKI of the PDF signatures.

use std::path::Path;

use anyhow::Result;
use hocba_issuer::{pki, trust_list};

/// Make the development PKI of the schools of `schools` in `out`.
pub(crate) fn init(schools: &Path, out: &Path) -> Result<()> {
    let description = trust_list::Description::load(schools)?;
    let report = pki::init(&description, out)?;
    for file in &report.files {
        println!("{}", file.display());
    }
    eprintln!(
        "development PKI written to {} ({} files): public material, never for real records; \
         trust {} only in development",
        out.display(),
        report.files.len(),
        out.join(pki::files::ROOT_CERT).display()
    );
    Ok(())
}
