//! What the PAdES suites check of a signed PDF, written once (`pades` and `token::principal`,
//! `token::cli_pdf` use it): Poppler's `pdfsig` with the development root trusted in an NSS
//! database reports exactly two signatures, both valid and trusted, the principal's first and the
//! seal's second.

use std::path::Path;
use std::process::Command;

use hocba_issuer::pki::{files, load_school};

/// The development PKI of the repository (`keys/dev/pki`).
fn dev_pki() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../keys/dev/pki")
}

/// An NSS database in `dir` that trusts the development root (for `pdfsig -nssdir`).
pub(crate) fn nss_db(dir: &Path) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let db = format!("sql:{}", dir.display());
    let run = |args: &[&str]| {
        let out = Command::new("certutil").args(args).output().expect(
            "certutil (Debian libnss3-tools) is needed to trust the development root in pdfsig",
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["-N", "-d", &db, "--empty-password"]);
    run(&[
        "-A",
        "-d",
        &db,
        "-n",
        "hocba-dev-root",
        "-t",
        "CT,C,C",
        "-i",
        dev_pki().join(files::ROOT_CERT).to_str().unwrap(),
    ]);
    db
}

/// `pdfsig`'s report of `pdf` (written to `dir/record.pdf`, the NSS database in `dir/nss`): the
/// whole text, and one block per signature in the file's order.
pub(crate) fn pdfsig(dir: &Path, pdf: &[u8]) -> (String, Vec<String>) {
    let file = dir.join("record.pdf");
    std::fs::write(&file, pdf).unwrap();
    let nss = dir.join("nss");
    let _ = std::fs::remove_dir_all(&nss);
    let db = nss_db(&nss);
    let out = Command::new("pdfsig")
        .args(["-nssdir", &db, file.to_str().unwrap()])
        .output()
        .expect("pdfsig (poppler-utils)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let blocks = text
        .split("Signature #")
        .skip(1)
        .map(str::to_owned)
        .collect();
    (text, blocks)
}

/// Checks that `pdf` carries two valid, trusted signatures: `principal` (the signer's common
/// name) first, then `seal`. Returns `pdfsig`'s text and its blocks.
pub(crate) fn principal_then_seal(
    dir: &Path,
    pdf: &[u8],
    principal: &str,
    seal: &str,
) -> (String, Vec<String>) {
    let (text, blocks) = pdfsig(dir, pdf);
    assert_eq!(blocks.len(), 2, "{text}");
    for block in &blocks {
        assert!(
            block.contains("Signature Type: ETSI.CAdES.detached"),
            "{text}"
        );
        assert!(
            block.contains("Signature Validation: Signature is Valid."),
            "{text}"
        );
        assert!(
            block.contains("Certificate Validation: Certificate is Trusted."),
            "{text}"
        );
    }
    assert!(
        blocks[0].contains(&format!("Signer Certificate Common Name: {principal}")),
        "{text}"
    );
    assert!(
        blocks[1].contains(&format!("Signer Certificate Common Name: {seal}")),
        "{text}"
    );
    (text, blocks)
}

/// [`principal_then_seal`] with the names of school `code`'s certificates of the development
/// PKI.
pub(crate) fn signed_by_dev_school(dir: &Path, pdf: &[u8], code: &str) -> (String, Vec<String>) {
    let school = load_school(&dev_pki(), code).unwrap().unwrap();
    let principal = school.principal.unwrap().name;
    principal_then_seal(dir, pdf, &principal, &school.seal.name)
}
