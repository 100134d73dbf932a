//! QR codes as schools and parents really capture them: a printed record's PDF (issued with
//! the development keys, `data/scans/record-grade11.pdf`) rendered by poppler's `pdftoppm` at
//! 100, 120, 150 and 300 dpi, and a phone photo of it taken at an angle with JPEG noise
//! (`phone-photo-perspective.jpg`). Each must decode to the text `zbarimg` reads from the 300
//! dpi scan (`record-grade11.qr.txt`), and that text must verify.

use std::path::{Path, PathBuf};
use std::process::Command;

use hocba_verifier::danger::{DEV_TRUST_LIST_JSON, dev_authority};
use hocba_verifier::{VerifyError, decode_qr_image, verify_summary};
use time::macros::datetime;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/scans")
        .join(name)
}

fn expected() -> String {
    std::fs::read_to_string(data("record-grade11.qr.txt"))
        .unwrap()
        .trim()
        .to_owned()
}

/// Page `page` of the record rendered as a grey PNG at `dpi`, as an office scanner would.
fn scan(dpi: u32, page: u32) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("scan");
    let status = Command::new("pdftoppm")
        .args(["-r", &dpi.to_string(), "-gray", "-png", "-singlefile"])
        .args(["-f", &page.to_string(), "-l", &page.to_string()])
        .arg(data("record-grade11.pdf"))
        .arg(&out)
        .status()
        .expect("pdftoppm (poppler-utils) must be installed; .ci/run installs it");
    assert!(status.success());
    std::fs::read(out.with_extension("png")).unwrap()
}

fn assert_verifies(text: &str) {
    let trust = dev_authority()
        .unwrap()
        .verify_trust_list(DEV_TRUST_LIST_JSON.as_bytes())
        .unwrap();
    let verdict = verify_summary(text, &trust, datetime!(2026-12-02 00:00 UTC)).unwrap();
    assert!(verdict.is_valid(), "{:#?}", verdict.checks());
}

#[test]
fn office_scans_from_100_to_300_dpi_decode() {
    let expected = expected();
    for dpi in [100, 120, 150, 300] {
        let text = decode_qr_image(&scan(dpi, 1))
            .unwrap_or_else(|e| panic!("the {dpi} dpi scan did not decode: {e}"));
        assert_eq!(text, expected, "{dpi} dpi");
    }
    assert_verifies(&expected);
}

#[test]
fn a_phone_photo_at_an_angle_decodes() {
    let photo = std::fs::read(data("phone-photo-perspective.jpg")).unwrap();
    let text = decode_qr_image(&photo).unwrap();
    assert_eq!(text, expected());
    assert_verifies(&text);
}

#[test]
fn a_page_without_a_code_says_how_to_take_a_better_one() {
    match decode_qr_image(&scan(100, 2)) {
        Err(VerifyError::Image { problem }) => {
            assert!(problem.contains("no QR code found"), "{problem}");
            assert!(problem.contains("150 dpi"), "{problem}");
        }
        other => panic!("page 2 has no QR code: {other:?}"),
    }
}
