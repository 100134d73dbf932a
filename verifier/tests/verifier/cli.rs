//! The `hocba-verify` binary on temporary files: exit codes 0 / 1 / 2, `--json`, the
//! development-key warning.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use ed25519_dalek::pkcs8::EncodePublicKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use hocba_schema::multikey::encode_public_key;
use serde_json::{Value, json};

use crate::status::status_list;
use crate::support::*;

const AT: &str = "2026-06-01T00:00:00Z";

/// A fresh directory holding the authority key, the trust list and a few credentials.
fn setup(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("hocba-verify-cli")
        .join(test);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let key = authority_key().verifying_key();
    fs::write(
        dir.join("authority.pub.pem"),
        key.to_public_key_pem(LineEnding::LF).unwrap(),
    )
    .unwrap();
    fs::write(
        dir.join("authority.multibase"),
        format!("{}\n", encode_public_key(&key)),
    )
    .unwrap();
    fs::write(dir.join("trust-list.json"), bytes(&signed_trust_list())).unwrap();
    fs::write(dir.join("list.json"), bytes(&status_list(&[]))).unwrap();
    fs::write(dir.join("valid.json"), bytes(&valid_credential())).unwrap();
    let mut tampered = valid_credential();
    tampered["credentialSubject"]["subjects"][1]["score"] = json!(5);
    fs::write(dir.join("tampered.json"), bytes(&tampered)).unwrap();
    fs::write(dir.join("not-json.json"), "Học bạ, not JSON").unwrap();
    dir
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hocba-verify"))
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Run with the test authority, trust list and school A's status list (nothing revoked),
/// judged at `AT`.
fn run(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "--authority",
        "authority.pub.pem",
        "--trust-list",
        "trust-list.json",
        "--status-list",
        "list.json",
        "--at",
        AT,
    ];
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}
fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}
fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn a_valid_record_exits_0() {
    let dir = setup("valid");
    let o = run(&dir, &["valid.json"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("valid.json: HỢP LỆ — VALID"), "{out}");
    assert!(out.contains("Trường Tiểu học Lê Văn Tám"), "{out}");
    assert!(out.contains("Nguyễn Thị Ánh Tuyết"), "{out}");
    assert!(!stderr(&o).contains("WARNING"), "{}", stderr(&o));
}

#[test]
fn a_changed_record_exits_1_with_the_reason_in_both_languages() {
    let dir = setup("tampered");
    let o = run(&dir, &["tampered.json"]);
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("KHÔNG HỢP LỆ — NOT VALID"), "{out}");
    assert!(
        out.contains("Chữ ký không khớp: nội dung đã bị thay đổi hoặc được ký bằng khóa khác."),
        "{out}"
    );
    assert!(
        out.contains(
            "The signature does not match: the content was changed or signed by another key."
        ),
        "{out}"
    );
}

#[test]
fn input_that_cannot_be_checked_exits_2() {
    let dir = setup("unchecked");
    let o = run(&dir, &["not-json.json"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not valid JSON"), "{}", stderr(&o));
    let o = run(&dir, &["missing.json"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("missing.json"), "{}", stderr(&o));
    // 50 MB (sparse): refused by its size, without reading it into memory.
    let big = fs::File::create(dir.join("big.json")).unwrap();
    big.set_len(50 * 1024 * 1024).unwrap();
    let o = run(&dir, &["big.json"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("52428800 bytes; the limit is 1048576"),
        "{}",
        stderr(&o)
    );
    // A bad --at and no credential at all are usage errors.
    assert_eq!(code(&run(&dir, &["--at", "tomorrow", "valid.json"])), 2);
    assert_eq!(code(&run(&dir, &[])), 2);
}

#[test]
fn the_exit_status_is_the_worst_of_all_records() {
    let dir = setup("worst");
    assert_eq!(code(&run(&dir, &["valid.json", "valid.json"])), 0);
    assert_eq!(
        code(&run(&dir, &["valid.json", "tampered.json", "valid.json"])),
        1
    );
    let o = run(&dir, &["tampered.json", "not-json.json", "valid.json"]);
    assert_eq!(code(&o), 2);
    // Every file is still reported.
    let out = stdout(&o);
    assert!(
        out.contains("tampered.json: KHÔNG HỢP LỆ") && out.contains("valid.json: HỢP LỆ"),
        "{out}"
    );
}

#[test]
fn json_output_is_one_report_per_line() {
    let dir = setup("json");
    let o = run(
        &dir,
        &["--json", "valid.json", "tampered.json", "missing.json"],
    );
    assert_eq!(code(&o), 2);
    let lines: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    let valid = &lines[0];
    assert_eq!(valid["file"], "valid.json");
    assert_eq!(valid["result"], "valid");
    assert_eq!(valid["issuer"]["id"], SCHOOL_A);
    assert_eq!(valid["school"]["code"], "79000701");
    assert_eq!(valid["key"]["id"], vm(SCHOOL_A, &school_a_key()));
    assert_eq!(valid["key"]["status"], "active");
    assert_eq!(valid["pupil"]["className"], "5A");
    assert_eq!(valid["trustList"]["version"], 3);
    let checks = valid["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 7);
    assert!(
        checks
            .iter()
            .all(|c| c["outcome"] == "passed" || c["name"] == "status")
    );
    let tampered = &lines[1];
    assert_eq!(tampered["result"], "invalid");
    assert_eq!(tampered["reason"], "signature_mismatch");
    assert_eq!(tampered["checks"][0]["name"], "integrity");
    assert_eq!(tampered["checks"][0]["outcome"], "failed");
    assert!(
        tampered["message"]["vi"]
            .as_str()
            .unwrap()
            .contains("Chữ ký")
    );
    assert_eq!(lines[2]["result"], "error");
    assert!(lines[2]["error"].as_str().unwrap().contains("missing.json"));
}

#[test]
fn without_authority_the_dev_key_is_used_with_a_warning() {
    let dir = setup("dev-key");
    // The test trust list is not signed by the development authority: not valid, exit 1.
    let o = run_in(
        &dir,
        &["--trust-list", "trust-list.json", "--at", AT, "valid.json"],
    );
    let err = stderr(&o);
    assert!(
        err.contains("WARNING") && err.contains("DEVELOPMENT"),
        "{err}"
    );
    assert!(err.contains("CẢNH BÁO"), "{err}");
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(
        stdout(&o).contains("The trust list was not signed with the education authority's key."),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_trust_list_with_a_bad_signature_is_a_failure_the_user_sees() {
    let dir = setup("bad-trust-list");
    let mut list = signed_trust_list();
    list["credentialSubject"]["schools"][0]["verificationMethods"][2]["status"] = "active".into();
    fs::write(dir.join("trust-list.json"), bytes(&list)).unwrap();
    let o = run(&dir, &["valid.json"]);
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).contains("The trust list's signature is not valid."),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("Chữ ký của danh sách tin cậy không hợp lệ."));
    let o = run(&dir, &["--json", "valid.json"]);
    assert_eq!(code(&o), 1);
    let report: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(report["reason"], "trust_list_signature_invalid");
    let check = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "trust_list")
        .unwrap();
    assert_eq!(check["outcome"], "failed");
    // A credential that cannot be read is still "could not check".
    assert_eq!(code(&run(&dir, &["valid.json", "not-json.json"])), 2);
}

#[test]
fn unreadable_trust_material_exits_2() {
    let dir = setup("unreadable-trust");
    let o = run_in(
        &dir,
        &[
            "--authority",
            "authority.pub.pem",
            "--trust-list",
            "nope.json",
            "valid.json",
        ],
    );
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("nope.json") && stderr(&o).contains("hint"),
        "{}",
        stderr(&o)
    );
    fs::write(dir.join("garbage.json"), "{").unwrap();
    let o = run_in(
        &dir,
        &[
            "--authority",
            "authority.pub.pem",
            "--trust-list",
            "garbage.json",
            "valid.json",
        ],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let o = run_in(
        &dir,
        &[
            "--authority",
            "valid.json",
            "--trust-list",
            "trust-list.json",
            "valid.json",
        ],
    );
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("authority"), "{}", stderr(&o));
}

#[test]
fn the_authority_may_be_a_multibase_file_and_the_trust_list_the_default_path() {
    let dir = setup("multibase");
    let o = run_in(
        &dir,
        &[
            "--authority",
            "authority.multibase",
            "--trust-list",
            "trust-list.json",
            "--status-list",
            "list.json",
            "--at",
            AT,
            "valid.json",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    fs::create_dir_all(dir.join("keys/dev")).unwrap();
    fs::copy(
        dir.join("trust-list.json"),
        dir.join("keys/dev/trust-list.json"),
    )
    .unwrap();
    let o = run_in(
        &dir,
        &[
            "--authority",
            "authority.pub.pem",
            "--status-list",
            "list.json",
            "--at",
            AT,
            "valid.json",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn standard_input_and_the_clock() {
    let dir = setup("stdin");
    let mut child = Command::new(env!("CARGO_BIN_EXE_hocba-verify"))
        .current_dir(&dir)
        .args([
            "--authority",
            "authority.pub.pem",
            "--trust-list",
            "trust-list.json",
            "--status-list",
            "list.json",
            "--at",
            AT,
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&bytes(&valid_credential()))
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Judged before the record's validFrom.
    let o = run_in(
        &dir,
        &[
            "--authority",
            "authority.pub.pem",
            "--trust-list",
            "trust-list.json",
            "--at",
            "2026-05-20T00:00:00Z",
            "valid.json",
        ],
    );
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("not valid yet"), "{}", stdout(&o));
    // Without --at the clock is read: today the test trust list is past its next update, so
    // the answer is "could not check" (exit 2) ...
    let o = run_in(
        &dir,
        &[
            "--authority",
            "authority.pub.pem",
            "--trust-list",
            "trust-list.json",
            "valid.json",
        ],
    );
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    assert!(stdout(&o).contains("COULD NOT CHECK: TRUST LIST OUT OF DATE"));
    // ... and accepted knowingly, the record was signed in the past: its signature is valid
    // (revocation not checked, exit 3), not "not valid yet".
    let o = run_in(
        &dir,
        &[
            "--authority",
            "authority.pub.pem",
            "--trust-list",
            "trust-list.json",
            "--accept-stale-trust-list",
            "valid.json",
        ],
    );
    assert_eq!(code(&o), 3, "{}", stdout(&o));
    assert!(
        stdout(&o).contains("SIGNATURE VALID, REVOCATION NOT CHECKED"),
        "{}",
        stdout(&o)
    );
}
