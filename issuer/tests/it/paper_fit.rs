//! The printed page as the paper form has it (issue #12, item 7): a record whose paper form
//! is one page fits on one A4 page with its signature block; a record that runs longer names
//! the pupil and the page number on every page; a name with a combining mark that has no
//! precomposed form (the breve of Ê Đê, Jrai and Bahnar names) is drawn.
//!
//! Page counts come from `pdfinfo`, text from `pdftotext`, pixels from `pdftoppm` (Debian
//! `poppler-utils`); the tests skip those steps with a message when the tools are missing.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::Command;

use hocba_issuer::issue::{IssueOptions, issue_record};
use hocba_issuer::keys::KeyPair;
use hocba_issuer::pdf::{PdfOptions, RenderedPdf, render_pdf};
use hocba_issuer::signing::Signer;
use hocba_schema::credential::{IssuerRef, StatusEntry};
use hocba_schema::trust_list::TrustList;
use serde_json::Value;
use time::macros::datetime;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn example(name: &str) -> Value {
    let path = root().join(format!("schema/examples/{name}.json"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Sign `record` with its school's dev key and render it.
fn render(record: &Value, index: u64) -> (Value, RenderedPdf) {
    let code = record["school"]["code"].as_str().unwrap().to_owned();
    let list: TrustList =
        serde_json::from_slice(&std::fs::read(root().join("keys/dev/trust-list.json")).unwrap())
            .unwrap();
    let school = list
        .credential_subject
        .schools
        .iter()
        .find(|s| s.code == code)
        .unwrap();
    let pem = root().join(format!("keys/dev/school-{code}.pem"));
    let signer = Signer::new(
        KeyPair::load(&pem).unwrap(),
        IssuerRef {
            id: school.id.clone(),
            name: school.name.clone(),
        },
    );
    let status = StatusEntry::revocation(&format!("https://hocba.example/status/{code}/1"), index);
    let issued = issue_record(
        &serde_json::to_vec(record).unwrap(),
        &signer,
        &code,
        &IssueOptions {
            accept_warnings: true,
            status: Some(status),
            now: datetime!(2026-05-29 09:30 UTC),
            id: Some(format!("urn:uuid:7a2e4c10-3b5d-4e8f-9a01-{index:012}")),
        },
    )
    .unwrap();
    let credential = Value::Object(issued.credential);
    let pdf = render_pdf(
        &credential,
        &KeyPair::load(&pem).unwrap(),
        &PdfOptions {
            verifier_url: "https://verify.hocba.example".into(),
        },
    )
    .unwrap();
    (credential, pdf)
}

fn poppler() -> bool {
    let found = ["pdfinfo", "pdftotext", "pdftoppm"]
        .iter()
        .all(|t| Command::new(t).arg("-v").output().is_ok());
    if !found {
        eprintln!("SKIPPED: poppler-utils is not installed (apt-get install poppler-utils)");
    }
    found
}

/// Where test PDFs go: `HOCBA_KEEP_PDF=<dir>` keeps them for a look, else a temporary folder.
fn out_dir() -> (Option<tempfile::TempDir>, PathBuf) {
    match std::env::var_os("HOCBA_KEEP_PDF") {
        Some(dir) => {
            std::fs::create_dir_all(&dir).unwrap();
            (None, PathBuf::from(dir))
        }
        None => {
            let t = tempfile::tempdir().unwrap();
            let p = t.path().to_owned();
            (Some(t), p)
        }
    }
}

fn write(dir: &Path, name: &str, pdf: &RenderedPdf) -> PathBuf {
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, &pdf.bytes).unwrap();
    path
}

/// `pdfinfo`'s page count.
fn pdfinfo_pages(path: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(path).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// The text of page `page` (1-based), whitespace collapsed.
fn page_text(path: &Path, page: usize) -> String {
    let p = page.to_string();
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-f", &p, "-l", &p])
        .arg(path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_one_page_form_prints_on_one_page_with_its_signatures() {
    let have = poppler();
    let (_keep, dir) = out_dir();
    for (i, name) in [
        "secondary-grade11",
        "secondary-grade12",
        "secondary-grade9",
        "secondary-grade7",
        "primary-grade5",
        "primary-grade2",
    ]
    .into_iter()
    .enumerate()
    {
        let record = example(name);
        let (_, pdf) = render(&record, 4000 + i as u64);
        let path = write(&dir, name, &pdf);
        assert_eq!(pdf.pages, 1, "{name}: {} pages", pdf.pages);
        if !have {
            continue;
        }
        assert_eq!(pdfinfo_pages(&path), 1, "{name}: pdfinfo");
        let text = page_text(&path, 1);
        // The signature block is on the page: both roles, both names, the place and date.
        let principal = record["principal"]["name"].as_str().unwrap();
        let teacher = record["homeroomTeacher"].as_str().unwrap();
        for needle in [
            "GIÁO VIÊN CHỦ NHIỆM",
            principal,
            teacher,
            "Đã ký số bởi",
            record["student"]["fullName"].as_str().unwrap(),
        ] {
            assert!(text.contains(needle), "{name}: {needle:?} not on page 1");
        }
        let place = record["placeOfIssue"].as_str().unwrap();
        let place_date = match record.get("approvalDate") {
            Some(_) => format!("{place}, ngày"),
            None => place.to_owned(),
        };
        assert!(
            text.contains(&place_date),
            "{name}: {place_date:?} not on page 1"
        );
    }
}
