//! Bounded property tests of the two readers that take bytes from anyone: the PDF reader
//! (`extract_credential`) on random bytes and on random mutations of a real issued PDF, and the
//! QR payload decoder (`hocba_schema::qr::parse_qr_text`, `verify_summary`) on random text and
//! on mutations of a valid payload. Each case runs on a thread that must answer within
//! [`DEADLINE`]: no panic, no hang. A few hundred cases each, a few seconds in all.

use std::sync::{Arc, OnceLock, mpsc};
use std::time::Duration;

use ed25519_dalek::Signer;
use hocba_schema::credential::{StatusEntry, UnsignedCredential};
use hocba_schema::qr::{Summary, parse_qr_text, qr_text};
use hocba_verifier::pdf::extract_credential;
use hocba_verifier::{VerifiedTrustList, verify_summary};
use proptest::prelude::*;

use crate::support::*;

/// How long one case may take (debug build, a busy machine).
const DEADLINE: Duration = Duration::from_secs(2);

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// `work` on a thread; its panic or a hang past [`DEADLINE`] fails the case.
fn bounded<T: Send + 'static>(what: &str, work: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(work());
    });
    match rx.recv_timeout(DEADLINE) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what}: no answer within {DEADLINE:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what}: panicked"),
    }
}

fn issued_pdf() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/issued-primary-grade5.pdf"
    ))
    .unwrap()
}

/// Fragments that steer a mutation into the reader's hard cases.
const PDF_TOKENS: &[&[u8]] = &[
    b"5 0 R",
    b" 0 R ",
    b"/Kids [",
    b"/Names [",
    b"/EmbeddedFiles ",
    b"<<",
    b">>",
    b"[",
    b"(",
    b")",
    b"stream\n",
    b"endstream",
    b"obj",
    b"endobj",
    b"xref\n0 1\n",
    b"/Prev 0",
    b"/Length 1 0 R",
    b"/Filter /FlateDecode",
    b"trailer",
    b"startxref\n0\n%%EOF",
    b"9999999999 00000 n \n",
];

/// One change to a byte string.
#[derive(Debug, Clone)]
enum Edit {
    Set(usize, u8),
    Insert(usize, usize),
    Delete(usize, usize),
    Truncate(usize),
    Repeat(usize, usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Set(i, b)),
        (any::<usize>(), 0..PDF_TOKENS.len()).prop_map(|(i, t)| Edit::Insert(i, t)),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Edit::Delete(i, n)),
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), 1usize..64, 1usize..32).prop_map(|(i, n, k)| Edit::Repeat(i, n, k)),
    ]
}

fn apply(bytes: &mut Vec<u8>, edit: &Edit) {
    let len = bytes.len().max(1);
    match *edit {
        Edit::Set(i, b) => {
            if let Some(x) = bytes.get_mut(i % len) {
                *x = b;
            }
        }
        Edit::Insert(i, t) => {
            let at = (i % len).min(bytes.len());
            bytes.splice(at..at, PDF_TOKENS[t].iter().copied());
        }
        Edit::Delete(i, n) => {
            let at = (i % len).min(bytes.len());
            let end = (at + n).min(bytes.len());
            bytes.drain(at..end);
        }
        Edit::Truncate(i) => bytes.truncate(i % len),
        Edit::Repeat(i, n, k) => {
            let at = (i % len).min(bytes.len());
            let end = (at + n).min(bytes.len());
            let piece = bytes[at..end].to_vec();
            for _ in 0..k {
                bytes.splice(end..end, piece.iter().copied());
            }
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_pdf_reader_on_random_bytes(header in any::<bool>(), body in prop::collection::vec(any::<u8>(), 0..4096)) {
        let mut pdf = if header { b"%PDF-1.7\n".to_vec() } else { Vec::new() };
        pdf.extend_from_slice(&body);
        let _ = bounded("random bytes", move || extract_credential(&pdf));
    }

    #[test]
    fn the_pdf_reader_on_mutations_of_an_issued_pdf(edits in prop::collection::vec(edit(), 1..12)) {
        let mut pdf = issued_pdf();
        for e in &edits {
            apply(&mut pdf, e);
        }
        let result = bounded("mutated PDF", move || extract_credential(&pdf));
        // Whatever it reads is at most the credential size limit.
        if let Ok(bytes) = result {
            prop_assert!(bytes.len() <= hocba_verifier::MAX_CREDENTIAL_BYTES);
        }
    }

    #[test]
    fn the_qr_decoder_on_random_text(text in prop_oneof![
        any::<String>(),
        "[0-9]{0,800}",
        "https://verify\\.example/V/[0-9]{0,800}",
    ]) {
        let trust = trust();
        bounded("random QR text", move || {
            let _ = parse_qr_text(&text);
            let _ = verify_summary(&text, &trust, NOW);
        });
    }

    #[test]
    fn the_qr_decoder_on_mutations_of_a_valid_payload(edits in prop::collection::vec(
        (any::<usize>(), prop_oneof![Just(None), (0u8..10).prop_map(Some)]), 1..8)
    ) {
        let mut text: Vec<char> = valid_qr_text().chars().collect();
        for (i, digit) in edits {
            let at = i % text.len().max(1);
            match digit {
                Some(d) if at < text.len() => text[at] = char::from(b'0' + d),
                _ => { text.truncate(at); }
            }
        }
        let text: String = text.into_iter().collect();
        let trust = trust();
        bounded("mutated QR text", move || {
            let _ = parse_qr_text(&text);
            let _ = verify_summary(&text, &trust, NOW);
        });
    }
}

/// The fixtures' verified trust list, made once.
fn trust() -> Arc<VerifiedTrustList> {
    static TRUST: OnceLock<Arc<VerifiedTrustList>> = OnceLock::new();
    Arc::clone(TRUST.get_or_init(|| Arc::new(verified_trust())))
}

/// The QR text of a grade 11 record (`schema/examples/`) signed by school A's key, made once.
fn valid_qr_text() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(make_valid_qr_text)
}

fn make_valid_qr_text() -> String {
    let record: serde_json::Value = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../schema/examples/secondary-grade11.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let status = StatusEntry::revocation("https://hocba.example/status/79000701/1", 7);
    let key = school_a_key();
    let doc = UnsignedCredential::new(
        "urn:uuid:33333333-3333-4333-8333-333333333333",
        &school_a(),
        SIGNED_AT,
        record,
        Some(&status),
    )
    .unwrap()
    .into_document();
    let credential = sign(doc, &key, &vm(SCHOOL_A, &key), &time_text(SIGNED_AT));
    let summary = Summary::from_credential(&credential, &key.verifying_key()).unwrap();
    let signature = key.sign(&summary.signing_input().unwrap()).to_bytes();
    qr_text(
        "https://verify.example",
        &summary.with_signature(signature).unwrap(),
    )
    .unwrap()
}

#[test]
fn the_valid_payload_the_mutations_start_from_is_valid() {
    let text = valid_qr_text();
    assert!(parse_qr_text(text).is_ok());
    assert!(verify_summary(text, &trust(), NOW).unwrap().is_valid());
    // And the issued PDF the PDF mutations start from reads.
    assert!(extract_credential(&issued_pdf()).is_ok());
}
