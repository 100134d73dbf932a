//! The printed record end to end: every schema example is signed with its school's dev key,
//! rendered to PDF, rasterised at 150 dpi with `pdftoppm`, its QR decoded with `rqrr` and with
//! `zbarimg` (also after a JPEG quality-60 re-save), and the summary verified offline with the
//! verifier library; `pdftotext` gives the Vietnamese back; the embedded credential verifies,
//! and an altered one does not; bad QR payloads get clear errors.
//!
//! Tests that need `pdftoppm` / `pdftotext` / `zbarimg` (Debian `poppler-utils`,
//! `zbar-tools`) print a message and skip those steps when the tools are missing.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::Command;

use hocba_issuer::issue::{IssueOptions, issue_record};
use hocba_issuer::keys::KeyPair;
use hocba_issuer::pdf::{PdfOptions, RenderedPdf, render_pdf, zip_class};
use hocba_issuer::signing::Signer;
use hocba_schema::credential::{IssuerRef, StatusEntry};
use hocba_schema::qr::QrError;
use hocba_schema::trust_list::TrustList;
use hocba_verifier::pdf::extract_credential;
use hocba_verifier::{
    VerifiedTrustList, VerifyError, check_binding, decode_qr_image, verify_json, verify_summary,
};
use serde_json::Value;
use time::OffsetDateTime;
use time::macros::datetime;

const SIGNED_AT: OffsetDateTime = datetime!(2026-05-29 09:30 UTC);
const NOW: OffsetDateTime = datetime!(2026-06-15 00:00 UTC);
const VERIFIER_URL: &str = "https://verify.hocba.example";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn trust_list_bytes() -> Vec<u8> {
    std::fs::read(root().join("keys/dev/trust-list.json")).unwrap()
}

fn trust() -> VerifiedTrustList {
    hocba_verifier::danger::dev_authority()
        .unwrap()
        .verify_trust_list(&trust_list_bytes())
        .unwrap()
}

fn examples() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("schema/examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 5);
    files
}

/// Sign an example with its school's dev key; returns the credential and the key.
fn sign_example(path: &Path, index: u64) -> (Value, KeyPair) {
    let record = std::fs::read(path).unwrap();
    let value: Value = serde_json::from_slice(&record).unwrap();
    let code = value["school"]["code"].as_str().unwrap().to_owned();
    let list: TrustList = serde_json::from_slice(&trust_list_bytes()).unwrap();
    let school = list
        .credential_subject
        .schools
        .iter()
        .find(|s| s.code == code)
        .unwrap();
    let key = KeyPair::load(&root().join(format!("keys/dev/school-{code}.pem"))).unwrap();
    let signer = Signer::new(
        KeyPair::load(&root().join(format!("keys/dev/school-{code}.pem"))).unwrap(),
        IssuerRef {
            id: school.id.clone(),
            name: school.name.clone(),
        },
    );
    let status = StatusEntry::revocation(&format!("https://hocba.example/status/{code}/1"), index);
    let issued = issue_record(
        &record,
        &signer,
        &code,
        &IssueOptions {
            accept_warnings: true,
            status: Some(status),
            now: SIGNED_AT,
            id: Some(format!("urn:uuid:5d1c0a3e-7b42-4c19-9e60-{index:012}")),
        },
    )
    .unwrap();
    (Value::Object(issued.credential), key)
}

fn render(credential: &Value, key: &KeyPair) -> RenderedPdf {
    render_pdf(
        credential,
        key,
        &PdfOptions {
            verifier_url: VERIFIER_URL.into(),
        },
    )
    .unwrap()
}

fn tool(name: &str) -> bool {
    let found = Command::new(name).arg("-v").output().is_ok();
    if !found {
        eprintln!("SKIPPED: `{name}` is not installed (apt-get install poppler-utils zbar-tools)");
    }
    found
}

/// Subject names as the record writes them.
fn subject_names(credential: &Value) -> Vec<String> {
    let subject = &credential["credentialSubject"];
    let block = if subject["primary"].is_object() {
        &subject["primary"]
    } else {
        &subject["secondary"]
    };
    block["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn every_example_renders_scans_and_verifies() {
    let trust = trust();
    let have_poppler = tool("pdftoppm") && tool("pdftotext");
    let have_zbar = tool("zbarimg");
    let dir = tempfile::tempdir().unwrap();
    for (i, path) in examples().iter().enumerate() {
        let name = path.file_stem().unwrap().to_str().unwrap();
        let (credential, key) = sign_example(path, 1000 + i as u64 * 7919);
        let pdf = render(&credential, &key);
        println!(
            "{name}: PDF {} bytes, {} page(s), QR version {} (level Q), summary {} bytes, {} digits, QR text {} chars",
            pdf.bytes.len(),
            pdf.pages,
            pdf.qr_version,
            pdf.summary_bytes,
            pdf.qr_text.rsplit('/').next().unwrap().len(),
            pdf.qr_text.len()
        );
        let summary = verify_summary(&pdf.qr_text, &trust, NOW).unwrap();
        let raw = summary.signed_summary().to_bytes();
        println!(
            "{name}: summary bytes (hex) {}\n{name}: QR text {}",
            raw.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            pdf.qr_text
        );
        assert!(
            pdf.qr_version <= 20,
            "{name}: QR version {}",
            pdf.qr_version
        );
        assert!(
            pdf.bytes.len() < 60_000,
            "{name}: {} bytes",
            pdf.bytes.len()
        );

        // The QR text itself verifies offline, and binds the credential.
        let verdict = verify_summary(&pdf.qr_text, &trust, NOW).unwrap();
        assert!(verdict.is_valid(), "{name}: {:?}", verdict.checks());
        let json = serde_json::to_vec(&credential).unwrap();
        assert!(
            check_binding(verdict.signed_summary().summary(), &json)
                .unwrap()
                .matches()
        );

        // The PDF alone: the embedded credential verifies and is the one the QR names.
        let embedded = extract_credential(&pdf.bytes).unwrap();
        let v = verify_json(&embedded, &trust, NOW).unwrap();
        assert!(v.is_valid(), "{name}: {:?}", v.checks());
        assert!(
            check_binding(verdict.signed_summary().summary(), &embedded)
                .unwrap()
                .matches()
        );

        if !have_poppler {
            continue;
        }
        let pdf_path = dir.path().join(format!("{name}.pdf"));
        std::fs::write(&pdf_path, &pdf.bytes).unwrap();
        let prefix = dir.path().join(name);
        let status = Command::new("pdftoppm")
            .args(["-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile"])
            .arg(&pdf_path)
            .arg(&prefix)
            .status()
            .unwrap();
        assert!(status.success());
        let png_path = prefix.with_extension("png");
        let png = std::fs::read(&png_path).unwrap();
        let scanned = decode_qr_image(&png).unwrap();
        assert_eq!(scanned, pdf.qr_text, "{name}: rqrr");
        assert!(verify_summary(&scanned, &trust, NOW).unwrap().is_valid());

        // JPEG quality 60 re-save.
        let img = image::load_from_memory(&png).unwrap().to_rgb8();
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 60)
            .encode_image(&img)
            .unwrap();
        let jpeg_path = prefix.with_extension("jpg");
        std::fs::write(&jpeg_path, &jpeg).unwrap();
        let scanned = decode_qr_image(&jpeg).unwrap();
        assert_eq!(scanned, pdf.qr_text, "{name}: rqrr on JPEG");
        assert!(verify_summary(&scanned, &trust, NOW).unwrap().is_valid());

        if have_zbar {
            for image_path in [&png_path, &jpeg_path] {
                let out = Command::new("zbarimg")
                    .args(["--raw", "-q"])
                    .arg(image_path)
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{name}: zbarimg {}",
                    image_path.display()
                );
                let text = String::from_utf8(out.stdout).unwrap();
                assert_eq!(text.trim_end(), pdf.qr_text, "{name}: zbarimg");
                assert!(
                    verify_summary(text.trim_end(), &trust, NOW)
                        .unwrap()
                        .is_valid()
                );
            }
        }

        // pdftotext gives the Vietnamese back exactly.
        let out = Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(&pdf_path)
            .arg("-")
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let pupil = credential["credentialSubject"]["student"]["fullName"]
            .as_str()
            .unwrap();
        assert!(
            text.contains(pupil),
            "{name}: pupil name {pupil:?} not in pdftotext output"
        );
        for subject in subject_names(&credential) {
            assert!(
                text.contains(&subject),
                "{name}: subject {subject:?} not in pdftotext output"
            );
        }
        assert!(text.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
        assert!(text.contains("Độc lập - Tự do - Hạnh phúc"));
        assert!(text.contains("Đã ký số bởi"));
    }
}

#[test]
fn altered_embedded_credential_is_rejected() {
    let trust = trust();
    let (credential, key) = sign_example(&examples()[0], 42);
    let original = render(&credential, &key);
    let mut altered = credential.clone();
    altered["credentialSubject"]["student"]["fullName"] = Value::from("Nguyễn Văn Giả");
    let pdf = render(&altered, &key);
    let embedded = extract_credential(&pdf.bytes).unwrap();
    let verdict = verify_json(&embedded, &trust, NOW).unwrap();
    assert!(!verdict.is_valid());
    assert_eq!(
        verdict.reason(),
        Some(hocba_verifier::Reason::SignatureMismatch)
    );
    // The genuine QR does not bind the altered credential.
    let genuine = verify_summary(&original.qr_text, &trust, NOW).unwrap();
    let binding = check_binding(genuine.signed_summary().summary(), &embedded).unwrap();
    assert!(!binding.hash_matches && binding.id_matches);

    // A PDF without the embedded file, and bytes that are not a PDF.
    assert!(matches!(
        extract_credential(b"%PDF-1.7\nnot really"),
        Err(VerifyError::Pdf { .. })
    ));
}

#[test]
fn bad_qr_payloads_get_clear_errors() {
    let trust = trust();
    let (credential, key) = sign_example(&examples()[0], 7);
    let pdf = render(&credential, &key);
    let text = &pdf.qr_text;

    // Truncated: a few digits, a whole group, or the signature cut off.
    for cut in [1, 5, 17, 60] {
        let t = &text[..text.len() - cut];
        let e = verify_summary(t, &trust, NOW).unwrap_err();
        assert!(matches!(e, VerifyError::QrPayload(_)), "cut {cut}: {e}");
        println!("truncated by {cut}: {e}");
    }
    // Corrupted digits: an error or a not-valid verdict, never valid and never a panic.
    for at in [30, 120, text.len() - 3] {
        let mut bytes = text.clone().into_bytes();
        bytes[at] = if bytes[at] == b'9' {
            b'0'
        } else {
            bytes[at] + 1
        };
        let t = String::from_utf8(bytes).unwrap();
        match verify_summary(&t, &trust, NOW) {
            Ok(v) => assert!(!v.is_valid(), "corrupted at {at} still valid"),
            Err(e) => println!("corrupted at {at}: {e}"),
        }
    }
    // Over-long and garbage.
    let long = format!("{VERIFIER_URL}/V/{}", "1".repeat(5000));
    assert!(matches!(
        verify_summary(&long, &trust, NOW),
        Err(VerifyError::QrPayload(QrError::TooLong { .. }))
    ));
    for garbage in [
        "",
        "hello world",
        "https://evil.example/x/123",
        "HTTP://A/V/",
        "🙂🙂🙂",
        "HTTP://A/V/000",
    ] {
        let e = verify_summary(garbage, &trust, NOW).unwrap_err();
        println!("{garbage:?}: {e}");
        assert!(matches!(e, VerifyError::QrPayload(_)));
    }
    // Lower-case URL and surrounding white space are fine (a phone may lower-case the host).
    let lower = format!("  {}\n", text.to_lowercase());
    assert!(verify_summary(&lower, &trust, NOW).unwrap().is_valid());

    // Signed by another school's key: not valid.
    let other = KeyPair::load(&root().join("keys/dev/school-79000701.pem")).unwrap();
    if credential["issuer"]["id"] != "urn:hocba:school:79000701" {
        let forged = render(&credential, &other);
        let v = verify_summary(&forged.qr_text, &trust, NOW).unwrap();
        assert!(!v.is_valid());
    }
}

#[test]
fn class_zip_holds_every_pdf() {
    let (a, key_a) = sign_example(&examples()[0], 1);
    let (b, key_b) = sign_example(&examples()[1], 2);
    let pa = render(&a, &key_a).bytes;
    let pb = render(&b, &key_b).bytes;
    let zip = zip_class([("a.pdf", pa.as_slice()), ("b.pdf", pb.as_slice())]).unwrap();
    assert!(zip.starts_with(b"PK\x03\x04"));
    assert!(zip.len() < pa.len() + pb.len() + 1024);
}

/// `schema/docs/qr.md` states what the code produces (issue #12): the table of every example
/// (summary bytes, digits, QR text, QR version, pages) and the worked example's QR text are
/// regenerated here, each example signed as the worked example is (status index 8919, id
/// `…000000008919`, 2026-05-29T09:30:00Z, verifier base `https://verify.hocba.example`).
/// When the format or an example changes, the failure prints the lines to paste.
#[test]
fn the_qr_doc_shows_what_the_code_produces() {
    let doc = std::fs::read_to_string(root().join("schema/docs/qr.md")).unwrap();
    let between = |start: &str| {
        let from = doc
            .find(start)
            .unwrap_or_else(|| panic!("qr.md: no `{start}`"))
            + start.len();
        let to = from
            + doc[from..]
                .find("<!-- end -->")
                .expect("qr.md: no `<!-- end -->`");
        doc[from..to].trim().to_owned()
    };
    let mut rows = vec![
        "| example | summary bytes | digits | QR text chars | QR version | pages |".to_owned(),
        "|---|---|---|---|---|---|".to_owned(),
    ];
    let mut worked = None;
    for path in examples() {
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let (credential, key) = sign_example(&path, 8919);
        let pdf = render(&credential, &key);
        let digits = pdf.qr_text.rsplit('/').next().unwrap().len();
        rows.push(format!(
            "| {name} | {} | {digits} | {} | {} | {} |",
            pdf.summary_bytes,
            pdf.qr_text.len(),
            pdf.qr_version,
            pdf.pages
        ));
        if name == "primary-grade5" {
            let summary = verify_summary(&pdf.qr_text, &trust(), NOW).unwrap();
            let hex: String = summary
                .signed_summary()
                .to_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            println!("primary-grade5 summary (hex): {hex}");
            worked = Some(pdf.qr_text);
        }
    }
    let table = rows.join("\n");
    assert_eq!(
        between("<!-- generated: every example -->"),
        table,
        "schema/docs/qr.md: the table of every example is out of date; it is now:\n{table}"
    );
    let worked = worked.expect("primary-grade5 is an example");
    assert_eq!(
        between("<!-- generated: worked example -->"),
        format!("```\n{worked}\n```"),
        "schema/docs/qr.md: the worked example's QR text is now:\n{worked}"
    );
}
