//! `extract_credential` on the hostile PDFs: each is an error, returned within a deadline; a
//! PDF with two credentials is refused whichever way they are laid out; a real issued PDF and
//! one-credential PDFs still read.

use std::sync::mpsc;
use std::time::Duration;

use hocba_verifier::VerifyError;
use hocba_verifier::pdf::{EMBEDDED_NAME, extract_credential};

use super::craft::{self, Tree};
use crate::support::*;

/// How long one hostile PDF may take (debug build, a busy 2-core machine).
pub const DEADLINE: Duration = Duration::from_secs(2);

/// `extract_credential(pdf)` on a thread, or a panic when it takes longer than [`DEADLINE`]
/// (the thread is abandoned: the test fails instead of hanging).
pub fn extract_within_deadline(name: &str, pdf: Vec<u8>) -> Result<Vec<u8>, VerifyError> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name(format!("extract {name}"))
        .spawn(move || {
            let _ = tx.send(extract_credential(&pdf));
        })
        .unwrap();
    match rx.recv_timeout(DEADLINE) {
        Ok(result) => result,
        Err(e) => panic!("{name}: no answer within {DEADLINE:?} ({e})"),
    }
}

#[test]
fn every_hostile_pdf_is_an_error_within_the_deadline() {
    let variants = craft::hostile();
    assert!(variants.len() >= 15);
    for (name, pdf) in variants {
        let e = extract_within_deadline(name, pdf).expect_err(name);
        assert!(matches!(e, VerifyError::Pdf { .. }), "{name}: {e}");
    }
}

#[test]
fn loops_are_named_as_loops() {
    for (name, pdf) in craft::hostile() {
        if name.starts_with("kids-cycle") || name.starts_with("kids-self") || name.ends_with("loop")
        {
            let e = extract_within_deadline(name, pdf).unwrap_err().to_string();
            assert!(
                e.contains("loop") || e.contains("references to references"),
                "{name}: {e}"
            );
        }
    }
}

#[test]
fn the_reader_still_reads_what_the_issuer_writes() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
    let pdf = std::fs::read(format!("{dir}/issued-primary-grade5.pdf")).unwrap();
    let expected = std::fs::read(format!("{dir}/issued-primary-grade5.credential.json")).unwrap();
    let got = extract_within_deadline("issued", pdf).unwrap();
    let parse = |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).unwrap();
    assert_eq!(parse(&got), parse(&expected));
    // And a hand-made one, in one node or behind a kid.
    let credential = bytes(&valid_credential());
    for tree in [Tree::OneNode, Tree::NodePerFile] {
        let pdf = craft::with_files(&[(EMBEDDED_NAME, &credential)], tree);
        assert!(extract_credential(&pdf).unwrap() == credential, "{tree:?}");
        // Another attachment that is not a credential is fine.
        let pdf = craft::with_files(
            &[
                ("notes.txt", b"ghi chu"),
                (EMBEDDED_NAME, &credential),
                ("x.json", b"[1]"),
            ],
            tree,
        );
        assert!(extract_credential(&pdf).unwrap() == credential, "{tree:?}");
    }
}

/// Another credential of school A, validly signed, at status index 4243 (which the service
/// tests' status list revokes).
pub fn revoked_credential() -> Vec<u8> {
    let status = hocba_schema::credential::StatusEntry::revocation(
        "https://hocba.example/status/79000701/1",
        4243,
    );
    let doc = hocba_schema::credential::UnsignedCredential::new(
        "urn:uuid:44444444-4444-4444-8444-444444444444",
        &school_a(),
        SIGNED_AT,
        subject("79000701"),
        Some(&status),
    )
    .unwrap()
    .into_document();
    bytes(&sign(
        doc,
        &school_a_key(),
        &vm(SCHOOL_A, &school_a_key()),
        &time_text(SIGNED_AT),
    ))
}

/// PDFs with two credentials: the same name twice (one node, two nodes), and the name once
/// plus another JSON attachment that is a credential.
pub fn two_credential_pdfs() -> Vec<(&'static str, Vec<u8>)> {
    let valid = bytes(&valid_credential());
    let other = revoked_credential();
    vec![
        (
            "same-name-one-node",
            craft::with_files(
                &[(EMBEDDED_NAME, &valid), (EMBEDDED_NAME, &other)],
                Tree::OneNode,
            ),
        ),
        (
            "same-name-two-nodes",
            craft::with_files(
                &[(EMBEDDED_NAME, &valid), (EMBEDDED_NAME, &other)],
                Tree::NodePerFile,
            ),
        ),
        (
            "another-json-credential",
            craft::with_files(
                &[(EMBEDDED_NAME, &valid), ("ban-sao.json", &other)],
                Tree::OneNode,
            ),
        ),
        (
            "another-credential-first",
            craft::with_files(
                &[("a.json", &other), (EMBEDDED_NAME, &valid)],
                Tree::NodePerFile,
            ),
        ),
    ]
}

#[test]
fn a_pdf_with_two_credentials_is_refused() {
    for (name, pdf) in two_credential_pdfs() {
        let e = extract_within_deadline(name, pdf).unwrap_err();
        let VerifyError::PdfManyCredentials { count, names } = &e else {
            panic!("{name}: {e}");
        };
        assert_eq!(*count, 2, "{name}");
        assert_eq!(names.len(), 2, "{name}");
        assert!(
            names.iter().any(|n| n == EMBEDDED_NAME),
            "{name}: {names:?}"
        );
        let text = e.to_string();
        assert!(text.contains("2 embedded credentials"), "{text}");
        assert!(text.contains("hồ sơ"), "{text}");
    }
    // Each credential alone reads.
    let other = revoked_credential();
    let pdf = craft::with_files(&[(EMBEDDED_NAME, &other)], Tree::OneNode);
    assert!(extract_credential(&pdf).unwrap() == other);
}

/// Not a check: writes every hostile PDF to `$HOSTILE_OUT` (for measuring other readers on
/// them, e.g. an older `hocba-verify`), and prints what this reader answers and how fast.
/// `HOSTILE_OUT=/tmp/hostile cargo test -p hocba-verifier --test verifier hostile:: -- --ignored --nocapture`
#[test]
#[ignore]
#[allow(clippy::disallowed_methods)]
fn write_and_measure_the_hostile_pdfs() {
    let out = std::env::var("HOSTILE_OUT").unwrap_or_else(|_| "/tmp/hostile".into());
    std::fs::create_dir_all(&out).unwrap();
    let all = craft::hostile().into_iter().chain(two_credential_pdfs());
    for (name, pdf) in all {
        std::fs::write(format!("{out}/{name}.pdf"), &pdf).unwrap();
        let started = std::time::Instant::now();
        let result = extract_credential(&pdf);
        let took = started.elapsed();
        let answer = match result {
            Ok(b) => format!("Ok({} bytes)", b.len()),
            Err(e) => e.to_string(),
        };
        println!(
            "{name:38} {:>9} B {:>8.1?}  {}",
            pdf.len(),
            took,
            &answer[..answer.len().min(150)]
        );
    }
}

/// The number before ` 0 R` right after `key` in the issued PDF's catalog.
fn reference_after(pdf: &[u8], key: &str) -> u32 {
    let text = String::from_utf8_lossy(pdf);
    let at = text.find(key).unwrap_or_else(|| panic!("no {key}")) + key.len();
    text[at..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn an_update_appended_to_an_issued_pdf_cannot_add_a_second_credential() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
    let issued = std::fs::read(format!("{dir}/issued-primary-grade5.pdf")).unwrap();
    let expected = std::fs::read(format!("{dir}/issued-primary-grade5.credential.json")).unwrap();
    let catalog = reference_after(&issued, "/Root ");
    let pages = reference_after(&issued, "/Pages ");
    let spec = reference_after(&issued, "(hocba-credential.json) ");
    let new_catalog = |tree: u32| {
        (
            catalog,
            format!(
                "<< /Type /Catalog /Pages {pages} 0 R /Names << /EmbeddedFiles {tree} 0 R >> >>"
            )
            .into_bytes(),
        )
    };
    let leaf = |n: u32, spec: u32| {
        (
            n,
            format!("<< /Names [(hocba-credential.json) {spec} 0 R] >>").into_bytes(),
        )
    };
    // An update that only moves the original entry into a kid: still read, and still the
    // school's credential (the newest catalog wins, the old objects come through /Prev).
    let moved = craft::append_update(
        &issued,
        &[
            new_catalog(900),
            (900, b"<< /Kids [901 0 R] >>".to_vec()),
            leaf(901, spec),
        ],
        catalog,
    );
    let got = extract_within_deadline("moved", moved).unwrap();
    let parse = |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).unwrap();
    assert_eq!(parse(&got), parse(&expected));
    // An update that adds a second credential beside it: refused.
    let other = revoked_credential();
    let added = craft::append_update(
        &issued,
        &[
            new_catalog(900),
            (900, b"<< /Kids [901 0 R 902 0 R] >>".to_vec()),
            leaf(901, spec),
            leaf(902, 903),
            craft::file_spec(903, EMBEDDED_NAME, 904),
            craft::file_stream(904, &other),
        ],
        catalog,
    );
    let e = extract_within_deadline("added", added).unwrap_err();
    assert!(
        matches!(&e, VerifyError::PdfManyCredentials { count: 2, .. }),
        "{e}"
    );
}
