//! `hocba-verify` on hostile PDFs: it exits with an error within seconds (a run still going
//! after [`KILL_AFTER`] is killed and the test fails), and it refuses a PDF with two
//! credentials while each credential alone checks.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use ed25519_dalek::pkcs8::EncodePublicKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use hocba_verifier::pdf::EMBEDDED_NAME;

use super::craft::{self, Tree};
use super::pdf::two_credential_pdfs;
use crate::support::*;

/// A run taking longer than this is killed and counts as a hang.
const KILL_AFTER: Duration = Duration::from_secs(10);

/// A fresh directory with the test authority key and trust list.
fn setup(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("hocba-verify-hostile")
        .join(test);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let key = authority_key().verifying_key();
    fs::write(
        dir.join("authority.pub.pem"),
        key.to_public_key_pem(LineEnding::LF).unwrap(),
    )
    .unwrap();
    fs::write(dir.join("trust-list.json"), bytes(&signed_trust_list())).unwrap();
    dir
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// `hocba-verify` on `file` in `dir`, judged at the fixtures' time; killed after
/// [`KILL_AFTER`].
fn run(dir: &Path, file: &str) -> Run {
    let mut child: Child = Command::new(env!("CARGO_BIN_EXE_hocba-verify"))
        .current_dir(dir)
        .args([
            "--authority",
            "authority.pub.pem",
            "--trust-list",
            "trust-list.json",
            "--at",
            "2026-06-01T00:00:00Z",
            file,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let step = Duration::from_millis(20);
    let mut waited = Duration::ZERO;
    while child.try_wait().unwrap().is_none() {
        if waited >= KILL_AFTER {
            let _ = child.kill();
            let _ = child.wait();
            panic!("hocba-verify {file}: still running after {KILL_AFTER:?}; killed");
        }
        std::thread::sleep(step);
        waited += step;
    }
    let out = child.wait_with_output().unwrap();
    Run {
        // A signal (a stack overflow's abort) has no code: count it as a crash.
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn hostile_pdfs_are_errors_within_seconds() {
    let dir = setup("hostile");
    for (name, pdf) in craft::hostile() {
        let file = format!("{name}.pdf");
        fs::write(dir.join(&file), pdf).unwrap();
        let r = run(&dir, &file);
        assert_eq!(r.code, 2, "{name}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains("PDF"), "{name}: {}", r.stderr);
    }
}

#[test]
fn a_pdf_with_two_credentials_is_refused() {
    let dir = setup("two-credentials");
    let valid = bytes(&valid_credential());
    fs::write(
        dir.join("alone.pdf"),
        craft::with_files(&[(EMBEDDED_NAME, &valid)], Tree::OneNode),
    )
    .unwrap();
    let r = run(&dir, "alone.pdf");
    // One credential: read and its signature valid (no status list given here: exit 3,
    // "revocation not checked").
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("SIGNATURE VALID"), "{}", r.stdout);
    for (name, pdf) in two_credential_pdfs() {
        let file = format!("{name}.pdf");
        fs::write(dir.join(&file), pdf).unwrap();
        let r = run(&dir, &file);
        assert_eq!(r.code, 2, "{name}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains("2 embedded credentials"),
            "{name}: {}",
            r.stderr
        );
        assert!(
            !r.stdout.contains("HỢP LỆ"),
            "{name}: judged anyway: {}",
            r.stdout
        );
    }
}
