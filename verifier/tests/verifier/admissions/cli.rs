//! `hocba-verify admissions --scheme FILE --out list.xlsx ITEMS…` offline with a bundle:
//! candidates from folders and `ID_…` file names, priority from `--candidates`, the table
//! written as XLSX or CSV; exit 0 all scored, 1 some refused, 2 a scheme with a mistake (the
//! line named).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use ed25519_dalek::pkcs8::EncodePublicKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;

use super::world::*;
use crate::support::*;

const AT: &str = "2026-06-01T00:00:00Z";

fn scheme_path() -> String {
    format!(
        "{}/schemes/thong-tu-06-2025-ca-nam-lop-12.toml",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Lan in a folder of her own, Minh's files named `HS-MINH_…`, the bundle and the key.
fn setup(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("hocba-verify-admissions")
        .join(test);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("records/HS-LAN")).unwrap();
    fs::write(
        dir.join("authority.pub.pem"),
        authority_key()
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap(),
    )
    .unwrap();
    fs::write(dir.join("bundle.json"), bundle()).unwrap();
    for (g, c) in [10, 11, 12].iter().zip(lan()) {
        fs::write(dir.join(format!("records/HS-LAN/lop{g}.json")), bytes(&c)).unwrap();
    }
    for (g, c) in [10, 11, 12].iter().zip(minh()) {
        fs::write(dir.join(format!("records/HS-MINH_lop{g}.json")), bytes(&c)).unwrap();
    }
    fs::write(dir.join("candidates.txt"), "HS-MINH; ; KV1; UT2; 0,5\n").unwrap();
    dir
}

fn run(dir: &Path, scheme: &str, out: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "admissions",
        "--scheme",
        scheme,
        "--out",
        out,
        "--bundle",
        "bundle.json",
        "--authority",
        "authority.pub.pem",
        "--at",
        AT,
        "--candidates",
        "candidates.txt",
    ];
    args.extend_from_slice(extra);
    Command::new(env!("CARGO_BIN_EXE_hocba-verify"))
        .current_dir(dir)
        .args(&args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn folders_and_prefixes_make_candidates_and_the_table_is_written() {
    let dir = setup("written");
    let out = run(&dir, &scheme_path(), "list.xlsx", &["records"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    // Lan, no priority line: A01 = 9.0 + 8.0 + 9.5 = 26.5; Minh with KV1 + UT2 and 0.5
    // bonus: 24.25 (B00, see service.rs).
    assert!(stdout.contains("HS-LAN: 26.5 A01"), "{stdout}");
    assert!(stdout.contains("HS-MINH: 24.25 B00"), "{stdout}");
    let xlsx = fs::read(dir.join("list.xlsx")).unwrap();
    assert!(xlsx.starts_with(b"PK"), "an XLSX is a ZIP");
    // CSV too, and a refused candidate gives exit 1.
    fs::write(dir.join("records/HS-MINH_lop11.json"), bytes(&lan()[1])).unwrap();
    let out = run(&dir, &scheme_path(), "list.csv", &["records"]);
    assert_eq!(out.status.code(), Some(1));
    let csv = fs::read_to_string(dir.join("list.csv")).unwrap();
    assert!(
        csv.contains("HS-MINH") && csv.contains("pupil_mismatch"),
        "{csv}"
    );
}

#[test]
fn a_scheme_with_a_mistake_is_exit_2_naming_the_line() {
    let dir = setup("bad-scheme");
    let text = fs::read_to_string(scheme_path())
        .unwrap()
        .replace("\"hoa_hoc\", \"sinh_hoc\"]", "\"hoa_hoc\", \"sinh\"]");
    let line = text.lines().position(|l| l.contains("\"sinh\"]")).unwrap() + 1;
    fs::write(dir.join("scheme.toml"), text).unwrap();
    let out = run(&dir, "scheme.toml", "list.xlsx", &["records"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("line {line}")), "{stderr}");
    assert!(stderr.contains("unknown subject code \"sinh\""), "{stderr}");
    assert!(!dir.join("list.xlsx").exists());
}
