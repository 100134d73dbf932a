//! Issue #12, items 6 and 9: every field the paper form has and the record now carries comes
//! back from the rendered PDF through `pdftotext`; text in NFD is signed without asking, as
//! NFC; a warning the school must confirm still blocks signing and says how to confirm.
//!
//! The PDF steps need `pdftotext` (Debian `poppler-utils`); without it they print a message and
//! skip.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::Command;

use hocba_issuer::error::IssuerError;
use hocba_issuer::issue::{IssueOptions, issue_record};
use hocba_issuer::keys::KeyPair;
use hocba_issuer::pdf::{PdfOptions, render_pdf};
use hocba_issuer::signing::Signer;
use hocba_schema::credential::IssuerRef;
use hocba_schema::trust_list::TrustList;
use serde_json::Value;
use time::OffsetDateTime;
use time::macros::datetime;
use unicode_normalization::UnicodeNormalization;

const SIGNED_AT: OffsetDateTime = datetime!(2026-05-29 09:30 UTC);

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn signer_for(code: &str) -> Signer {
    let list: TrustList =
        serde_json::from_slice(&std::fs::read(root().join("keys/dev/trust-list.json")).unwrap())
            .unwrap();
    let school = list
        .credential_subject
        .schools
        .iter()
        .find(|s| s.code == code)
        .unwrap();
    Signer::new(
        KeyPair::load(&root().join(format!("keys/dev/school-{code}.pem"))).unwrap(),
        IssuerRef {
            id: school.id.clone(),
            name: school.name.clone(),
        },
    )
}

fn sign(record: &[u8], accept_warnings: bool) -> Result<Value, IssuerError> {
    let value: Value = serde_json::from_slice(record).unwrap();
    let code = value["school"]["code"].as_str().unwrap().to_owned();
    issue_record(
        record,
        &signer_for(&code),
        &code,
        &IssueOptions {
            accept_warnings,
            status: None,
            now: SIGNED_AT,
            id: Some("urn:uuid:5d1c0a3e-7b42-4c19-9e60-000000000012".into()),
        },
    )
    .map(|issued| Value::Object(issued.credential))
}

fn example(name: &str) -> Vec<u8> {
    std::fs::read(root().join("schema/examples").join(name)).unwrap()
}

/// The PDF's text with runs of white space as one space, or `None` without `pdftotext`.
fn pdf_text(credential: &Value, code: &str) -> Option<String> {
    if Command::new("pdftotext").arg("-v").output().is_err() {
        eprintln!("SKIPPED: `pdftotext` is not installed (apt-get install poppler-utils)");
        return None;
    }
    let key = KeyPair::load(&root().join(format!("keys/dev/school-{code}.pem"))).unwrap();
    let pdf = render_pdf(
        credential,
        &key,
        &PdfOptions {
            verifier_url: "https://verify.hocba.example".into(),
        },
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("record.pdf");
    std::fs::write(&path, &pdf.bytes).unwrap();
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout)
        .unwrap()
        .nfc()
        .collect::<String>();
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[test]
fn every_new_field_of_the_form_comes_back_from_the_pdf() {
    for (name, expected) in [
        (
            "primary-grade5-every-field-of-the-form.json",
            vec![
                "Quê quán",
                "Xã Cao Phong, tỉnh Phú Thọ",
                "Nghề nghiệp",
                "Làm ruộng",
                "Giáo viên",
                "Số sổ đăng bộ",
                "27/2021",
                "Đối tượng",
                "Dân tộc thiểu số",
                "Quá trình học tập",
                "2022-2023",
                "2B",
                "09/01/2023",
                "Chiều cao (cm)",
                "138",
                "Cân nặng (kg)",
                "31.5",
                "Số ngày nghỉ có phép",
                "Số ngày nghỉ không phép",
                "Giáo viên bộ môn",
                "Đặng Quốc Bảo",
                "(Tin học)",
                "(Công nghệ)",
            ],
        ),
        (
            "secondary-grade11-every-field-of-the-form.json",
            vec![
                "Quê quán",
                "Phường Bến Thành",
                "Kỹ sư",
                "Kế toán",
                "418/2024",
                "Quá trình học tập",
                "10A1",
                "Chứng chỉ",
                "IELTS 6.5",
                "Giáo viên bộ môn",
                "Trần Minh Quân",
            ],
        ),
    ] {
        let bytes = example(name);
        let credential = sign(&bytes, false).unwrap_or_else(|e| panic!("{name}: {e}"));
        let code = credential["credentialSubject"]["school"]["code"]
            .as_str()
            .unwrap()
            .to_owned();
        let Some(text) = pdf_text(&credential, &code) else {
            return;
        };
        for want in expected {
            assert!(
                text.contains(want),
                "{name}: `{want}` not in the PDF text:\n{text}"
            );
        }
    }
}

#[test]
fn an_interim_decision_never_prints_as_final_and_the_summer_results_print() {
    for (name, present, absent) in [
        (
            "secondary-grade7-retest-interim.json",
            vec!["Kiểm tra lại", "chưa phải quyết định cuối cùng"],
            vec!["Quyết định sau hè"],
        ),
        (
            "secondary-grade7-reassessed-in-summer-promoted.json",
            vec![
                "Sau kiểm tra lại, rèn luyện trong hè",
                "Kết quả học tập sau đánh giá lại",
                "5.5",
                "Quyết định sau hè",
                "Được lên lớp sau kiểm tra lại / rèn luyện trong hè",
            ],
            vec!["chưa phải quyết định cuối cùng"],
        ),
    ] {
        let credential = sign(&example(name), false).unwrap_or_else(|e| panic!("{name}: {e}"));
        let code = credential["credentialSubject"]["school"]["code"]
            .as_str()
            .unwrap()
            .to_owned();
        let Some(text) = pdf_text(&credential, &code) else {
            return;
        };
        for want in present {
            assert!(text.contains(want), "{name}: `{want}` missing:\n{text}");
        }
        for not in absent {
            assert!(!text.contains(not), "{name}: `{not}` printed:\n{text}");
        }
    }
}

#[test]
fn a_deputy_signs_for_the_principal() {
    let bytes = example("secondary-grade11-every-field-of-the-form.json");
    let record: hocba_schema::record::YearRecord = serde_json::from_slice(&bytes).unwrap();
    let paper = hocba_schema::paper::describe(&record);
    let principal = &paper.signatures.signers[1];
    assert_eq!(
        principal.on_behalf.map(|l| l.vi),
        Some("KT. HIỆU TRƯỞNG"),
        "a Phó Hiệu trưởng signs under KT. HIỆU TRƯỞNG"
    );
    let own: hocba_schema::record::YearRecord =
        serde_json::from_slice(&example("secondary-grade11.json")).unwrap();
    assert_eq!(
        hocba_schema::paper::describe(&own).signatures.signers[1].on_behalf,
        None
    );
    // The PDF draws it: "KT. HIỆU TRƯỞNG" above the deputy's title, above the deputy's name.
    let credential = sign(&bytes, false).unwrap();
    let Some(text) = pdf_text(&credential, &record.school.code) else {
        return;
    };
    let at = |what: &str| {
        text.find(what)
            .unwrap_or_else(|| panic!("`{what}` not in the PDF text:\n{text}"))
    };
    assert!(
        at("KT. HIỆU TRƯỞNG") < at("PHÓ HIỆU TRƯỞNG")
            && at("PHÓ HIỆU TRƯỞNG") < at("Võ Thị Ngọc Hân"),
        "KT. HIỆU TRƯỞNG, then the deputy's title, then her name:\n{text}"
    );
    let own_pdf = sign(&example("secondary-grade11.json"), false).unwrap();
    let Some(own_text) = pdf_text(&own_pdf, &own.school.code) else {
        return;
    };
    assert!(
        !own_text.contains("KT.") && own_text.contains("HIỆU TRƯỞNG"),
        "a principal signs in her own name, without KT.:\n{own_text}"
    );
}

#[test]
fn nfd_text_is_signed_without_asking_and_the_signed_record_is_nfc() {
    let bytes = std::fs::read(root().join("schema/examples/invalid/nfd-text.json")).unwrap();
    let original = String::from_utf8(bytes.clone()).unwrap();
    assert_ne!(
        original.nfc().collect::<String>(),
        original,
        "the input is NFD"
    );
    let credential = sign(&bytes, false).expect("NFD alone never blocks signing");
    let signed = serde_json::to_string(&credential["credentialSubject"]).unwrap();
    assert_eq!(signed.nfc().collect::<String>(), signed);
}

#[test]
fn a_warning_the_school_must_confirm_blocks_and_says_how() {
    // The examples' grade 7 record with the year conduct the semesters do not give.
    let bytes =
        std::fs::read(root().join("schema/examples/invalid/conduct-year-not-from-semesters.json"))
            .unwrap();
    match sign(&bytes, false) {
        Err(IssuerError::UnacceptedWarnings(report)) => {
            let p = &report.to_confirm()[0];
            assert!(
                p.message_vi.contains("Chấp nhận cảnh báo"),
                "{}",
                p.message_vi
            );
            assert!(
                p.message_en.contains("--accept-warnings"),
                "{}",
                p.message_en
            );
        }
        other => panic!("expected UnacceptedWarnings, got {other:?}"),
    }
    assert!(sign(&bytes, true).is_ok(), "confirmed, it signs");
}
