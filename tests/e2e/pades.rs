//! PDF signatures end to end: the issuer renders a record and signs it (principal, then the
//! school seal, development PKI), `hocba-verify RECORD.pdf --pki-root keys/dev/pki/root-ca.pem
//! --json` reports both signatures valid and the seal bound to the school; a byte changed inside
//! the signed range, a page appended after signing, another school's seal and a certificate
//! expired at signing time are each refused with their own reason (exit status 1); a PDF
//! without signatures still verifies by its credential and says it is unsigned.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use hocba_issuer::keys::KeyPair;
use hocba_issuer::pdf::{PdfOptions, render_pdf, render_signed_pdf};
use hocba_issuer::pki::{SchoolPki, files, load_pair, load_school};
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

#[path = "../../issuer/tests/it/pades_fixture.rs"]
mod fixture;

/// primary-grade2.json (school 01001205) signed with its dev key.
fn credential() -> (Value, KeyPair) {
    let (credential, key, code) = fixture::signed_example(
        &root(),
        "primary-grade2.json",
        "urn:uuid:5d1c0a3e-7b42-4c19-9e60-000000001313",
    );
    assert_eq!(code, SCHOOL);
    (credential, key)
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

/// `hocba-verify serve` on loopback with the development trust list as an offline bundle,
/// judging at the tests' time, with `--pki-root` when `rooted`.
fn serve(rooted: bool) -> (hocba_test_support::server::Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let list: Value =
        serde_json::from_slice(&std::fs::read(root().join("keys/dev/trust-list.json")).unwrap())
            .unwrap();
    let bundle = serde_json::json!({
        "type": "HocBaTrustBundle",
        "createdAt": "2026-06-01T00:00:00Z",
        "trustList": list,
        "statusLists": [],
    });
    let bundle_file = dir.path().join("bundle.json");
    std::fs::write(&bundle_file, serde_json::to_vec(&bundle).unwrap()).unwrap();
    let mut cmd = Command::new(verify_bin());
    cmd.args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--at",
        "2026-06-15T00:00:00Z",
    ])
    .arg("--bundle")
    .arg(&bundle_file)
    .arg("--cache-dir")
    .arg(dir.path().join("cache"));
    if rooted {
        cmd.arg("--pki-root").arg(pki_dir().join(files::ROOT_CERT));
    }
    (hocba_test_support::server::Server::start(&mut cmd), dir)
}

/// A multipart body of `files` (name, bytes) as `file` fields, and its Content-Type.
fn multipart(files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "hocba-pades-test-boundary";
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn post(addr: &str, path: &str, files: &[(&str, &[u8])]) -> hocba_test_support::http::Answer {
    let (content_type, body) = multipart(files);
    hocba_test_support::http::request(
        addr,
        "POST",
        path,
        &[("Content-Type", &content_type)],
        &body,
    )
}

#[test]
fn the_bulk_api_reports_each_pdfs_signatures_and_fails_a_broken_one() {
    let signed = signed_with(&dev_school());
    let mut tampered = signed.clone();
    let at = tampered.iter().position(|&b| b == b'\n').unwrap() + 2;
    tampered[at] ^= 0x01;
    let mut pki = dev_school();
    pki.seal = load_pair(
        &pki_dir(),
        &files::seal_cert("14000327"),
        &files::seal_key("14000327"),
        &root_der(),
    )
    .unwrap();
    let swapped = signed_with(&pki);
    let (credential, key) = credential();
    let unsigned = render_pdf(&credential, &key, &PdfOptions::default())
        .unwrap()
        .bytes;
    let (server, _dir) = serve(true);
    let answer = post(
        server.addr(),
        "/api/v1/verify",
        &[
            ("signed.pdf", &signed),
            ("tampered.pdf", &tampered),
            ("swapped.pdf", &swapped),
            ("unsigned.pdf", &unsigned),
        ],
    );
    assert_eq!(answer.status, 200, "{}", answer.text());
    let body = answer.json();
    let items = body["items"].as_array().unwrap();
    // Signed and sound: the credential's verdict stands, both signatures valid, seal bound.
    let good = &items[0];
    assert_ne!(good["verdict"], "invalid", "{good:#}");
    assert_eq!(good["pdfSignatures"]["status"], "valid", "{good:#}");
    assert_eq!(good["pdfSignatures"]["sealBound"], true);
    assert_eq!(good["pdfSignatures"]["development"], true);
    let signers: Vec<&str> = good["pdfSignatures"]["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["signer"].as_str().unwrap())
        .collect();
    assert_eq!(
        signers,
        ["Phạm Thị Thanh Bình", "Trường Tiểu học Bình Minh"]
    );
    // A byte changed and another school's seal: the PDF fails, with the PDF's own reason.
    for (item, reason) in [
        (&items[1], "pdf_signature_mismatch"),
        (&items[2], "pdf_seal_not_bound"),
    ] {
        assert_eq!(item["verdict"], "invalid", "{item:#}");
        assert_eq!(item["reason"]["code"], reason, "{item:#}");
        assert_eq!(item["pdfSignatures"]["status"], "invalid", "{item:#}");
        assert_eq!(item["pdfSignatures"]["reason"], reason, "{item:#}");
        assert!(item.get("record").is_none(), "{item:#}");
    }
    // Unsigned: still verifies by its credential, and says the PDF is unsigned.
    let plain = &items[3];
    assert_eq!(plain["verdict"], good["verdict"], "{plain:#}");
    assert_eq!(plain["pdfSignatures"]["status"], "unsigned", "{plain:#}");
    assert_eq!(plain["pdfSignatures"]["reason"], "pdf_unsigned");
    assert_eq!(body["counts"]["invalid"], 2, "{body:#}");
}

#[test]
fn admissions_refuse_a_record_whose_pdf_signatures_break() {
    use base64::Engine;
    let signed = signed_with(&dev_school());
    let mut tampered = signed.clone();
    let at = tampered.iter().position(|&b| b == b'\n').unwrap() + 2;
    tampered[at] ^= 0x01;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let body = serde_json::json!({
        "scheme": "thong-tu-06-2025-ca-nam-lop-12",
        "candidates": [
            {"id": "HS-SUA", "items": [{"pdf": b64(&tampered)}]},
            {"id": "HS-KY", "items": [{"pdf": b64(&signed)}]},
        ],
    });
    let (server, _dir) = serve(true);
    let answer = hocba_test_support::http::request(
        server.addr(),
        "POST",
        "/api/v1/admissions/score",
        &[("Content-Type", "application/json")],
        &serde_json::to_vec(&body).unwrap(),
    );
    assert_eq!(answer.status, 200, "{}", answer.text());
    let out = answer.json();
    let find = |id: &str| {
        out["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no {id} in {out:#}"))
            .clone()
    };
    // A byte changed inside the signed range: the record is refused by the PDF's own reason,
    // although the credential embedded in it is sound.
    let changed = find("HS-SUA");
    assert_eq!(changed["result"], "refused", "{changed:#}");
    assert_eq!(changed["refusal"]["code"], "item_invalid", "{changed:#}");
    assert_eq!(changed["items"][0]["verdict"], "invalid", "{changed:#}");
    assert_eq!(
        changed["items"][0]["reason"], "pdf_signature_mismatch",
        "{changed:#}"
    );
    // The same PDF untouched passes verification (refused later for what the scheme needs:
    // a primary record is no grade 10–12 record).
    let sound = find("HS-KY");
    assert_ne!(sound["refusal"]["code"], "item_invalid", "{sound:#}");
    assert_eq!(sound["items"][0]["verdict"], "valid", "{sound:#}");
}

#[test]
fn without_a_pki_root_the_service_says_the_chains_were_not_checked() {
    let signed = signed_with(&dev_school());
    let (server, _dir) = serve(false);
    let answer = post(server.addr(), "/api/v1/verify", &[("signed.pdf", &signed)]);
    assert_eq!(answer.status, 200, "{}", answer.text());
    let item = &answer.json()["items"][0];
    assert_eq!(item["pdfSignatures"]["status"], "not_checked", "{item:#}");
    assert_eq!(item["pdfSignatures"]["reason"], "pdf_root_not_given");
    assert!(
        item["pdfSignatures"]["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["result"] == "not_checked"),
        "{item:#}"
    );
}

#[test]
fn the_upload_page_shows_the_pdf_signatures_in_vietnamese_and_english() {
    let signed = signed_with(&dev_school());
    let mut tampered = signed.clone();
    let at = tampered.iter().position(|&b| b == b'\n').unwrap() + 2;
    tampered[at] ^= 0x01;
    let (server, _dir) = serve(true);
    let page = post(server.addr(), "/upload", &[("signed.pdf", &signed)]);
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("data-pdf-status=\"valid\""), "{html}");
    assert!(html.contains("Chữ ký số trên tệp PDF hợp lệ"), "{html}");
    assert!(html.contains("Phạm Thị Thanh Bình"), "{html}");
    assert!(html.contains("id=\"pdf-development\""), "{html}");
    assert!(
        html.contains("id=\"pdf-seal\" data-bound=\"true\""),
        "{html}"
    );
    assert_eq!(html.matches("data-result=\"valid\"").count(), 2, "{html}");
    let page = post(
        server.addr(),
        "/upload?lang=en",
        &[("tampered.pdf", &tampered)],
    );
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("data-pdf-status=\"invalid\""), "{html}");
    assert!(html.contains("data-verdict=\"invalid\""), "{html}");
    assert!(
        html.contains("The PDF&#39;s signatures are not valid")
            || html.contains("The PDF's signatures are not valid"),
        "{html}"
    );
}

/// An RSA-2048 seal for school [`SCHOOL`] (the key made by `openssl genpkey`, the certificate
/// issued by the development root with rcgen, valid through 2026–2027), in `dir`.
fn rsa_seal(dir: &Path) -> hocba_issuer::pki::CertifiedKey {
    use rcgen::{CertificateParams, DistinguishedName, DnType, Issuer, KeyPair, KeyUsagePurpose};
    let key_file = dir.join("seal-rsa.key.pem");
    let out = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(&key_file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl genpkey: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = KeyPair::from_pem(&std::fs::read_to_string(&key_file).unwrap()).unwrap();
    // The root's subject as `pki init` wrote it, and its key.
    let mut root_params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "VN");
    dn.push(
        DnType::OrganizationName,
        "hocba DEVELOPMENT PKI — không có giá trị pháp lý",
    );
    dn.push(
        DnType::CommonName,
        "hocba DEVELOPMENT Root CA (not for real records)",
    );
    root_params.distinguished_name = dn;
    let root_key =
        KeyPair::from_pem(&std::fs::read_to_string(pki_dir().join("root-ca.key.pem")).unwrap())
            .unwrap();
    let issuer = Issuer::new(root_params, root_key);
    let mut params = CertificateParams::default();
    params.not_before = datetime!(2026-01-01 00:00 UTC);
    params.not_after = datetime!(2027-12-31 00:00 UTC);
    params.serial_number = Some(rcgen::SerialNumber::from_slice(&[0x52, 0x53, 0x41, 0x01]));
    params.use_authority_key_identifier_extension = true;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "VN");
    dn.push(DnType::OrganizationName, "Trường Tiểu học Bình Minh");
    dn.push(
        DnType::OrganizationalUnitName,
        "DEVELOPMENT — không có giá trị pháp lý",
    );
    dn.push(DnType::CommonName, "Trường Tiểu học Bình Minh (RSA)");
    params.distinguished_name = dn;
    let cert = params.signed_by(&key, &issuer).unwrap();
    std::fs::write(dir.join("seal-rsa.pem"), cert.pem()).unwrap();
    load_pair(dir, "seal-rsa.pem", "seal-rsa.key.pem", &root_der()).unwrap()
}

#[test]
fn an_rsa_2048_seal_verifies_and_a_changed_byte_breaks_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut pki = dev_school();
    pki.seal = rsa_seal(dir.path());
    let pdf = signed_with(&pki);
    let root = root_der();
    let trust = hocba_verifier::pdf::signatures::PdfTrust {
        root: Some(&root),
        seal_sha256: None,
    };
    let at = datetime!(2026-06-15 00:00 UTC);
    let report = hocba_verifier::pdf::signatures::check_pdf_signatures(&pdf, &trust, at).unwrap();
    assert_eq!(
        report.status,
        hocba_verifier::pdf::signatures::PdfStatus::Valid,
        "{report:#?}"
    );
    assert_eq!(
        report.signatures[1].signer,
        "Trường Tiểu học Bình Minh (RSA)"
    );
    assert_eq!(report.signatures[1].signed_at, Some(fixture::SIGNED_AT));
    assert_eq!(report.signatures[1].chain.len(), 2, "{report:#?}");
    // Through the command: both signatures valid; the trust list binds the school's P-256
    // seal, so this one is refused as not the school's.
    let (code, json) = verify(&pdf);
    assert!(
        json["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["result"] == "valid"),
        "{json:#}"
    );
    assert_eq!(json["reason"], "pdf_seal_not_bound", "{json:#}");
    assert_eq!(code, 1);
    // A byte inside the signed range changed: the RSA seal no longer matches its bytes.
    let mut tampered = pdf.clone();
    let at_byte = tampered.iter().position(|&b| b == b'\n').unwrap() + 2;
    tampered[at_byte] ^= 0x01;
    let broken =
        hocba_verifier::pdf::signatures::check_pdf_signatures(&tampered, &trust, at).unwrap();
    assert_eq!(
        broken.status,
        hocba_verifier::pdf::signatures::PdfStatus::Invalid,
        "{broken:#?}"
    );
    assert_eq!(
        broken.signatures[1].reason,
        Some(hocba_verifier::Reason::PdfSignatureMismatch),
        "{broken:#?}"
    );
}
