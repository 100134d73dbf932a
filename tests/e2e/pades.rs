//! PDF signatures end to end: the issuer renders a record and signs it (principal, then the
//! school seal, development PKI), `hocba-verify RECORD.pdf --pki-root keys/dev/pki/root-ca.pem
//! --json` reports both signatures valid and the seal bound to the school; a byte changed inside
//! the signed range, a page appended after signing, another school's seal and a certificate
//! expired at signing time are each refused with their own reason (exit status 1); a PDF
//! without signatures still verifies by its credential and says it is unsigned.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use hocba_issuer::issue::{IssueOptions, issue_record};
use hocba_issuer::keys::KeyPair;
use hocba_issuer::pdf::{PdfOptions, render_pdf, render_signed_pdf};
use hocba_issuer::pki::{SchoolPki, files, load_pair, load_school};
use hocba_issuer::signing::Signer;
use hocba_schema::credential::IssuerRef;
use hocba_schema::trust_list::TrustList;
use serde_json::Value;
use time::macros::datetime;

/// The school with the expired seal of the development PKI (`expired-seal-01001205.pem`).
const SCHOOL: &str = "01001205";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn pki_dir() -> PathBuf {
    root().join("keys/dev/pki")
}

fn verify_bin() -> PathBuf {
    static BUILD: std::sync::Once = std::sync::Once::new();
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target directory")
        .to_owned();
    BUILD.call_once(|| {
        let mut cargo = Command::new(env!("CARGO"));
        cargo.args(["build", "--bin", "hocba-verify"]);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            cargo.arg("--release");
        }
        let status = cargo.current_dir(root()).status().expect("cargo build");
        assert!(status.success(), "building hocba-verify failed");
    });
    profile_dir.join("hocba-verify")
}

/// primary-grade2.json (school 01001205) signed with its dev key.
fn credential() -> (Value, KeyPair) {
    let record = std::fs::read(root().join("schema/examples/primary-grade2.json")).unwrap();
    let list: TrustList =
        serde_json::from_slice(&std::fs::read(root().join("keys/dev/trust-list.json")).unwrap())
            .unwrap();
    let school = list
        .credential_subject
        .schools
        .iter()
        .find(|s| s.code == SCHOOL)
        .unwrap();
    let key = || KeyPair::load(&root().join(format!("keys/dev/school-{SCHOOL}.pem"))).unwrap();
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
        SCHOOL,
        &IssueOptions {
            accept_warnings: true,
            status: None,
            now: datetime!(2026-05-29 09:30 UTC),
            id: Some("urn:uuid:5d1c0a3e-7b42-4c19-9e60-000000001313".into()),
        },
    )
    .unwrap();
    (Value::Object(issued.credential), key())
}

fn root_der() -> Vec<u8> {
    let text = std::fs::read_to_string(pki_dir().join(files::ROOT_CERT)).unwrap();
    let b64: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    // A tiny base64 decoder keeps this test free of another dependency.
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in b64.bytes().filter(|&c| c != b'=') {
        let v = alphabet.iter().position(|&a| a == c).unwrap() as u32;
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

fn signed_with(pki: &SchoolPki) -> Vec<u8> {
    let (credential, key) = credential();
    render_signed_pdf(&credential, &key, &PdfOptions::default(), Some(pki))
        .unwrap()
        .bytes
}

/// `hocba-verify --json` on `pdf`: the exit code and the `pdfSignatures` member.
fn verify(pdf: &[u8]) -> (i32, Value) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("record.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new(verify_bin())
        .args([
            "--json",
            "--at",
            "2026-06-15T00:00:00Z",
            "--trust-list",
            root().join("keys/dev/trust-list.json").to_str().unwrap(),
            "--pki-root",
            pki_dir().join(files::ROOT_CERT).to_str().unwrap(),
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v.get("pdfSignatures").is_some())
        .unwrap_or_else(|| {
            panic!(
                "no pdfSignatures line: {stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    (out.status.code().unwrap(), line["pdfSignatures"].clone())
}

fn dev_school() -> SchoolPki {
    load_school(&pki_dir(), SCHOOL).unwrap().unwrap()
}

#[test]
fn a_signed_record_verifies_with_both_signatures_and_the_bound_seal() {
    let pdf = signed_with(&dev_school());
    let (code, report) = verify(&pdf);
    assert_eq!(report["status"], "valid", "{report:#}");
    assert_eq!(report["sealBound"], true);
    assert_eq!(report["development"], true);
    let signatures = report["signatures"].as_array().unwrap();
    assert_eq!(signatures.len(), 2);
    assert_eq!(signatures[0]["signer"], "Phạm Thị Thanh Bình");
    assert_eq!(signatures[1]["signer"], "Trường Tiểu học Bình Minh");
    assert!(signatures.iter().all(|s| s["result"] == "valid"));
    assert_eq!(signatures[1]["coversWholeFile"], true);
    assert_eq!(signatures[0]["coversWholeFile"], false);
    assert_ne!(code, 1, "{report:#}");
    // The library says the same without a root: matching bytes, chains not checked.
    let unrooted = hocba_verifier::pdf::signatures::check_pdf_signatures(
        &pdf,
        &hocba_verifier::pdf::signatures::PdfTrust::default(),
        datetime!(2026-06-15 00:00 UTC),
    )
    .unwrap();
    assert_eq!(
        unrooted.status,
        hocba_verifier::pdf::signatures::PdfStatus::NotChecked
    );
    // With the root given to the library too.
    let root = root_der();
    let rooted = hocba_verifier::pdf::signatures::check_pdf_signatures(
        &pdf,
        &hocba_verifier::pdf::signatures::PdfTrust {
            root: Some(&root),
            seal_sha256: None,
        },
        datetime!(2026-06-15 00:00 UTC),
    )
    .unwrap();
    assert_eq!(
        rooted.status,
        hocba_verifier::pdf::signatures::PdfStatus::Valid
    );
}

#[test]
fn a_byte_changed_inside_the_signed_range_is_refused() {
    let mut pdf = signed_with(&dev_school());
    // The binary-marker comment on the second line: inside both signed ranges, read by nothing.
    let at = pdf.iter().position(|&b| b == b'\n').unwrap() + 2;
    assert_eq!(pdf[at - 1], b'%');
    pdf[at] ^= 0x01;
    let (code, report) = verify(&pdf);
    assert_eq!(report["status"], "invalid", "{report:#}");
    assert_eq!(report["reason"], "pdf_signature_mismatch", "{report:#}");
    assert_eq!(code, 1);
}

#[test]
fn a_page_appended_after_signing_is_refused() {
    use lopdf::{Document, IncrementalDocument, Object, Stream, dictionary};
    let signed = signed_with(&dev_school());
    let doc = Document::load_mem(&signed).unwrap();
    let pages_id = doc
        .catalog()
        .unwrap()
        .get(b"Pages")
        .unwrap()
        .as_reference()
        .unwrap();
    let mut inc = IncrementalDocument::create_from(signed.clone(), doc);
    inc.opt_clone_object_to_new_document(pages_id).unwrap();
    let content = inc.new_document.add_object(Stream::new(
        dictionary! {},
        b"BT /F1 12 Tf 72 720 Td (Diem 10) Tj ET".to_vec(),
    ));
    let page = inc.new_document.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    let pages = inc
        .new_document
        .get_object_mut(pages_id)
        .unwrap()
        .as_dict_mut()
        .unwrap();
    let mut kids = pages.get(b"Kids").unwrap().as_array().unwrap().clone();
    kids.push(Object::Reference(page));
    let count = kids.len() as i64;
    pages.set("Kids", kids);
    pages.set("Count", count);
    let mut appended = Vec::new();
    inc.save_to(&mut appended).unwrap();
    assert!(appended.starts_with(&signed));
    let (code, report) = verify(&appended);
    assert_eq!(report["status"], "invalid", "{report:#}");
    assert_eq!(report["reason"], "pdf_modified_after_signing", "{report:#}");
    assert_eq!(code, 1);
}

#[test]
fn another_schools_seal_is_refused() {
    let root = root_der();
    let mut pki = dev_school();
    pki.seal = load_pair(
        &pki_dir(),
        &files::seal_cert("14000327"),
        &files::seal_key("14000327"),
        &root,
    )
    .unwrap();
    let (code, report) = verify(&signed_with(&pki));
    // Both signatures are sound; the seal is not the one the trust list binds to the school.
    assert!(
        report["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["result"] == "valid"),
        "{report:#}"
    );
    assert_eq!(report["status"], "invalid", "{report:#}");
    assert_eq!(report["reason"], "pdf_seal_not_bound", "{report:#}");
    assert_eq!(code, 1);
}

#[test]
fn a_certificate_expired_at_signing_time_is_refused() {
    let root = root_der();
    let mut pki = dev_school();
    pki.seal = load_pair(
        &pki_dir(),
        &files::expired_seal_cert(SCHOOL),
        &files::expired_seal_key(SCHOOL),
        &root,
    )
    .unwrap();
    let (code, report) = verify(&signed_with(&pki));
    assert_eq!(report["status"], "invalid", "{report:#}");
    assert_eq!(
        report["reason"], "pdf_certificate_not_valid_at_signing",
        "{report:#}"
    );
    assert_eq!(code, 1);
}

#[test]
fn an_unsigned_pdf_still_verifies_by_its_credential_and_says_so() {
    let (credential, key) = credential();
    let pdf = render_pdf(&credential, &key, &PdfOptions::default())
        .unwrap()
        .bytes;
    let (code, report) = verify(&pdf);
    assert_eq!(report["status"], "unsigned", "{report:#}");
    assert_eq!(report["reason"], "pdf_unsigned");
    assert_ne!(code, 1);
}
