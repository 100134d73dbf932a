//! PDF signatures (PAdES): the development PKI's certificate profile, read back by OpenSSL;
//! the printed record signed by the principal then the school seal, both reported valid and
//! trusted by Poppler's `pdfsig` with the development root in an NSS database; the band and
//! the "Ký bởi" lines on the page; the embedded credential still verifying.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::Command;

use hocba_issuer::keys::KeyPair;
use hocba_issuer::pdf::{PdfOptions, render_group_signed, render_pdf, render_signed_pdf};
use hocba_issuer::pki::{self, files, load_school};
use hocba_issuer::trust_list::Description;
use hocba_schema::trust_list::TrustList;
use serde_json::Value;
use time::OffsetDateTime;
use time::macros::datetime;

#[path = "pades_fixture.rs"]
mod fixture;

#[path = "pades_check.rs"]
pub(crate) mod check;

use fixture::SIGNED_AT;
const NOW: OffsetDateTime = datetime!(2026-06-15 00:00 UTC);

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn dev_pki() -> PathBuf {
    root().join("keys/dev/pki")
}

fn openssl(args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn describe(cert: &Path) -> String {
    openssl(&[
        "x509",
        "-in",
        cert.to_str().unwrap(),
        "-noout",
        "-subject",
        "-issuer",
        "-enddate",
        "-nameopt",
        "RFC2253,-esc_msb",
        "-ext",
        "keyUsage,crlDistributionPoints,basicConstraints",
    ])
}

fn check_profile(dir: &Path) {
    let description = Description::load(&root().join("keys/dev/schools.toml")).unwrap();
    let root_cert = dir.join(files::ROOT_CERT);
    let text = describe(&root_cert);
    assert!(text.contains("DEVELOPMENT Root CA"), "{text}");
    assert!(text.contains("CA:TRUE"), "{text}");
    let mut principals = 0;
    for school in &description.schools {
        let seal = dir.join(files::seal_cert(&school.code));
        let text = describe(&seal);
        let subject = text.lines().find(|l| l.starts_with("subject=")).unwrap();
        assert!(
            subject.contains(&format!("CN={}", school.name)),
            "{subject}"
        );
        assert!(subject.contains(&format!("O={}", school.name)), "{subject}");
        assert!(
            subject.contains(&format!("UID=MOET:{}", school.code)),
            "{subject}"
        );
        assert!(subject.contains("C=VN"), "{subject}");
        assert!(subject.contains("DEVELOPMENT"), "{subject}");
        assert!(
            text.contains("Digital Signature, Non Repudiation"),
            "{text}"
        );
        assert!(
            text.contains("URI:http://pki.hocba.invalid/dev/root-ca.crl"),
            "{text}"
        );
        assert!(text.contains("CA:FALSE"), "{text}");
        // The chain checks out with OpenSSL, for a signing use.
        let verified = openssl(&[
            "verify",
            "-CAfile",
            root_cert.to_str().unwrap(),
            "-attime",
            &SIGNED_AT.unix_timestamp().to_string(),
            seal.to_str().unwrap(),
        ]);
        assert!(verified.trim_end().ends_with("OK"), "{verified}");
        if let Some(name) = &school.principal {
            principals += 1;
            let text = describe(&dir.join(files::principal_cert(&school.code)));
            let subject = text.lines().find(|l| l.starts_with("subject=")).unwrap();
            let (surname, given) = name.split_once(' ').unwrap();
            assert!(subject.contains(&format!("CN={name}")), "{subject}");
            assert!(subject.contains(&format!("GN={given}")), "{subject}");
            assert!(subject.contains(&format!("SN={surname}")), "{subject}");
            assert!(subject.contains(&format!("O={}", school.name)), "{subject}");
            assert!(
                text.contains("Digital Signature, Non Repudiation"),
                "{text}"
            );
        }
    }
    assert_eq!(principals, description.schools.len());
    let first = &description.schools[0].code;
    let text = describe(&dir.join(files::expired_seal_cert(first)));
    assert!(text.contains("notAfter=Jan  1 00:00:00 2021 GMT"), "{text}");
}

#[test]
fn the_committed_development_pki_has_the_vgca_profile() {
    check_profile(&dev_pki());
}

#[test]
fn pki_init_makes_the_same_profile_again() {
    let out = tempfile::tempdir().unwrap();
    let description = Description::load(&root().join("keys/dev/schools.toml")).unwrap();
    let report = pki::init(&description, out.path()).unwrap();
    // Root + (seal + principal) per school + the expired seal, each a certificate and a key.
    assert_eq!(
        report.files.len(),
        2 * (1 + 2 * description.schools.len() + 1)
    );
    check_profile(out.path());
    // Keys made here are private to their owner.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key = out
            .path()
            .join(files::seal_key(&description.schools[0].code));
        let mode = std::fs::metadata(key).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0);
    }
}

/// An example record signed by its school's dev key: the credential, the key, the code.
pub(crate) fn signed_example(name: &str) -> (Value, KeyPair, String) {
    fixture::signed_example(
        &root(),
        name,
        "urn:uuid:5d1c0a3e-7b42-4c19-9e60-000000000013",
    )
}

fn options() -> PdfOptions {
    PdfOptions {
        verifier_url: "https://verify.hocba.example".into(),
    }
}

/// A batch renders a group of PDFs, then signs them one after the other: each PDF holds its
/// own credential, in the order given, across more than one group, and carries both
/// signatures, which `pdfsig` trusts; a credential that cannot be rendered fails alone.
#[test]
fn a_batch_signs_each_pdf_in_order_and_a_broken_one_fails_alone() {
    let (credential, key, code) = signed_example("primary-grade5.json");
    let school = load_school(&dev_pki(), &code).unwrap().unwrap();
    let mut other = credential.clone();
    other["credentialSubject"]["student"]["fullName"] = "Lò Thị Mây".into();
    let expected = |i: usize| {
        if i.is_multiple_of(3) {
            &other
        } else {
            &credential
        }
    };
    let mut batch: Vec<String> = (0..20)
        .map(|i| serde_json::to_string(expected(i)).unwrap())
        .collect();
    batch[17] = "{ not a credential".into();
    let pdfs = render_group_signed(&batch, &key, &options(), Some(&school));
    assert_eq!(pdfs.len(), batch.len());
    let dir = tempfile::tempdir().unwrap();
    let principal = school.principal.as_ref().unwrap().name.clone();
    for (i, pdf) in pdfs.iter().enumerate() {
        if i == 17 {
            assert!(pdf.is_err(), "a broken credential rendered");
            continue;
        }
        let pdf = pdf.as_ref().unwrap_or_else(|e| panic!("PDF {i}: {e}"));
        let embedded = hocba_verifier::pdf::extract_credential(&pdf.bytes).unwrap();
        let embedded: Value = serde_json::from_slice(&embedded).unwrap();
        assert_eq!(&embedded, expected(i), "PDF {i} holds another credential");
        // Both signatures' dictionaries are there (the principal's, then the seal's).
        let text = String::from_utf8_lossy(&pdf.bytes);
        assert!(text.contains("/ETSI.CAdES.detached"), "PDF {i}");
        assert_eq!(text.matches("/ByteRange").count(), 2, "PDF {i}");
        if i == 1 || i == 19 {
            check::principal_then_seal(dir.path(), &pdf.bytes, &principal, &school.seal.name);
        }
    }
}

#[test]
fn a_printed_record_is_signed_by_the_principal_then_the_seal_and_pdfsig_trusts_both() {
    let (credential, key, code) = signed_example("primary-grade5.json");
    let school = load_school(&dev_pki(), &code).unwrap().unwrap();
    assert!(school.development());
    let plain = render_pdf(&credential, &key, &options()).unwrap();
    let signed = render_signed_pdf(&credential, &key, &options(), Some(&school)).unwrap();
    let added = signed.bytes.len() - plain.bytes.len();
    assert!(added < 30_000, "the two signatures added {added} bytes");
    let dir = tempfile::tempdir().unwrap();
    let principal = school.principal.as_ref().unwrap().name.clone();
    let (text, blocks) =
        check::principal_then_seal(dir.path(), &signed.bytes, &principal, &school.seal.name);
    let file = dir.path().join("record.pdf");
    assert!(blocks[1].contains("Total document signed"), "{text}");
    // The page says who signed, and that development certificates did.
    if let Ok(out) = Command::new("pdftotext")
        .args([file.to_str().unwrap(), "-"])
        .output()
    {
        let page = String::from_utf8_lossy(&out.stdout);
        assert!(
            page.contains("BẢN THỬ NGHIỆM — không có giá trị pháp lý"),
            "{page}"
        );
        assert!(page.contains(&format!("Ký bởi: {principal}")), "{page}");
        assert!(
            page.contains(&format!("Ký bởi: {}", school.seal.name)),
            "{page}"
        );
        assert!(page.contains("ngày 29/05/2026"), "{page}");
    }
    // The embedded credential is still the signed one.
    let embedded = hocba_verifier::pdf::extract_credential(&signed.bytes).unwrap();
    let trust = hocba_verifier::danger::dev_authority()
        .unwrap()
        .verify_trust_list(&std::fs::read(root().join("keys/dev/trust-list.json")).unwrap())
        .unwrap();
    assert!(
        hocba_verifier::verify_json(&embedded, &trust, NOW)
            .unwrap()
            .is_valid()
    );
}

#[test]
fn the_trust_list_binds_each_schools_seal_certificate_by_its_fingerprint() {
    use der::Encode;
    let keys = root().join("keys/dev");
    let description = Description::load(&keys.join("schools.toml")).unwrap();
    let list = hocba_issuer::trust_list::build(&description, &keys, 1, NOW).unwrap();
    let committed: TrustList =
        serde_json::from_slice(&std::fs::read(keys.join("trust-list.json")).unwrap()).unwrap();
    for school in &list.credential_subject.schools {
        let pem = std::fs::read(dev_pki().join(files::seal_cert(&school.code))).unwrap();
        let cert = x509_cert::Certificate::load_pem_chain(&pem)
            .unwrap()
            .remove(0);
        let fingerprint = pki::sha256_fingerprint(&cert.to_der().unwrap());
        assert_eq!(
            school.seal_certificate_sha256.as_deref(),
            Some(fingerprint.as_str())
        );
        // The committed development list says the same.
        let listed = committed
            .credential_subject
            .schools
            .iter()
            .find(|s| s.code == school.code)
            .unwrap();
        assert_eq!(
            listed.seal_certificate_sha256,
            school.seal_certificate_sha256
        );
    }
    // Without a PKI folder beside the description, nothing is bound.
    let bare = tempfile::tempdir().unwrap();
    for school in &description.schools {
        for key in &school.keys {
            std::fs::copy(
                keys.join(&key.public_key),
                bare.path().join(&key.public_key),
            )
            .unwrap();
        }
    }
    let list = hocba_issuer::trust_list::build(&description, bare.path(), 1, NOW).unwrap();
    assert!(
        list.credential_subject
            .schools
            .iter()
            .all(|s| s.seal_certificate_sha256.is_none())
    );
}

/// A PDF text string in UTF-16BE with its byte-order mark, as the signature fields' names are.
fn utf16_text(s: &str) -> Vec<u8> {
    let mut bytes = vec![0xFE, 0xFF];
    bytes.extend(s.encode_utf16().flat_map(u16::to_be_bytes));
    bytes
}

#[test]
fn the_seal_covers_the_left_third_of_the_principals_signature_in_the_principals_column() {
    use hocba_issuer::pdf::pades::{PRINCIPAL_FIELD, SEAL_FIELD};
    let (credential, key, code) = signed_example("primary-grade5.json");
    let school = load_school(&dev_pki(), &code).unwrap().unwrap();
    let signed = render_signed_pdf(&credential, &key, &options(), Some(&school)).unwrap();
    let doc = lopdf::Document::load_mem(&signed.bytes).unwrap();
    let rect = |field: &str| -> [f32; 4] {
        let widget = doc
            .objects
            .values()
            .filter_map(|o| o.as_dict().ok())
            .find(|d| {
                d.get(b"T")
                    .ok()
                    .and_then(|t| t.as_str().ok())
                    .is_some_and(|t| t == utf16_text(field))
            })
            .unwrap_or_else(|| panic!("no widget {field}"));
        let r = widget.get(b"Rect").unwrap().as_array().unwrap();
        let n: Vec<f32> = r.iter().map(|v| v.as_float().unwrap()).collect();
        [n[0], n[1], n[2], n[3]]
    };
    let principal = rect(PRINCIPAL_FIELD);
    let seal = rect(SEAL_FIELD);
    // A4 is 595 pt wide; the homeroom teacher's column is the left half (its signature space
    // ends 20 pt before the middle). Both boxes are right of it.
    let middle = 595.28 / 2.0;
    assert!(principal[0] > middle, "{principal:?}");
    assert!(seal[0] > middle - 20.0, "{seal:?}");
    // The seal stamped over about the left third of the principal's signature, on its left.
    let covered = seal[2] - principal[0];
    let third = (principal[2] - principal[0]) / 3.0;
    assert!((covered - third).abs() < 1.0, "{seal:?} over {principal:?}");
    assert!(seal[0] < principal[0], "{seal:?} {principal:?}");
    // Side by side on the same line, under the principal's title.
    assert_eq!(seal[1], principal[1]);
    assert_eq!(seal[3], principal[3]);
}
