//! The offline trust bundle: opened against the pinned authority, it gives the same verdicts
//! as the lists fetched online; `hocba-verify --bundle` prints its age and `--max-age` turns a
//! stale bundle into a failure.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use ed25519_dalek::pkcs8::EncodePublicKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use hocba_verifier::{
    Reason, TrustBundle, VerdictResult, VerifyError, VerifyOptions, verify_credential_with,
};
use serde_json::{Value, json};
use time::Duration;

use crate::status::{INDEX, status_list};
use crate::support::*;

pub fn bundle(created_at: &str, lists: &[Value]) -> Value {
    json!({
        "type": "HocBaTrustBundle",
        "createdAt": created_at,
        "trustList": signed_trust_list(),
        "statusLists": lists,
    })
}

#[test]
fn a_bundle_gives_the_same_verdicts_offline() {
    for (revoked, result) in [
        (vec![], VerdictResult::Valid),
        (vec![INDEX], VerdictResult::Invalid),
    ] {
        let b = bundle("2026-05-31T00:00:00Z", &[status_list(&revoked)]);
        let opened = TrustBundle::open(&bytes(&b), &authority()).unwrap();
        assert_eq!(opened.age(NOW), Duration::days(1));
        assert_eq!(opened.trust_list().version(), 3);
        let verdict = verify_credential_with(
            &bytes(&valid_credential()),
            opened.trust_list(),
            NOW,
            &VerifyOptions::default().with_status_lists(opened.status_lists()),
        )
        .unwrap();
        assert_eq!(verdict.result(), result, "{verdict:#?}");
        if result == VerdictResult::Invalid {
            assert_eq!(verdict.reason(), Some(Reason::Revoked));
        }
    }
}

#[test]
fn a_bundle_cannot_look_younger_than_its_lists() {
    // createdAt claims today, the (signed) list says 2026-05-31.
    let b = bundle("2026-06-01T00:00:00Z", &[status_list(&[])]);
    let opened = TrustBundle::open(&bytes(&b), &authority()).unwrap();
    assert_eq!(opened.age(NOW), Duration::days(1));
}

#[test]
fn bad_bundles_are_errors_and_a_forged_trust_list_is_rejected() {
    let a = authority();
    for bad in [
        json!({"type": "Other", "createdAt": "2026-05-31T00:00:00Z"}),
        json!({"type": "HocBaTrustBundle"}),
        json!({"type": "HocBaTrustBundle", "createdAt": "yesterday", "trustList": {}}),
        json!({"type": "HocBaTrustBundle", "createdAt": "2026-05-31T00:00:00Z"}),
        json!({"type": "HocBaTrustBundle", "createdAt": "2026-05-31T00:00:00Z",
               "trustList": signed_trust_list(), "statusLists": {}}),
        json!({"type": "HocBaTrustBundle", "createdAt": "2026-05-31T00:00:00Z",
               "trustList": signed_trust_list(), "statusLists": [{"noId": 1}]}),
    ] {
        assert!(
            matches!(
                TrustBundle::open(&bytes(&bad), &a),
                Err(VerifyError::Bundle { .. })
            ),
            "{bad}"
        );
    }
    let mut forged = bundle("2026-05-31T00:00:00Z", &[]);
    forged["trustList"]["credentialSubject"]["version"] = json!(99);
    let err = TrustBundle::open(&bytes(&forged), &a).unwrap_err();
    assert_eq!(
        err.trust_list_rejection().map(|(r, _)| r),
        Some(Reason::TrustListSignatureInvalid)
    );
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn a_gzip_compressed_bundle_opens_like_the_plain_one() {
    let b = bundle("2026-05-31T00:00:00Z", &[status_list(&[INDEX])]);
    let packed = gzip(&bytes(&b));
    assert!(packed.len() < bytes(&b).len());
    let opened = TrustBundle::open(&packed, &authority()).unwrap();
    assert_eq!(opened.trust_list().version(), 3);
    assert_eq!(opened.status_lists().len(), 1);
    let verdict = verify_credential_with(
        &bytes(&valid_credential()),
        opened.trust_list(),
        NOW,
        &VerifyOptions::default().with_status_lists(opened.status_lists()),
    )
    .unwrap();
    assert_eq!(verdict.reason(), Some(Reason::Revoked), "{verdict:#?}");
    // Cut short: an error naming the compression, not a panic.
    let cut = &packed[..packed.len() / 2];
    let err = TrustBundle::open(cut, &authority()).unwrap_err();
    assert!(
        matches!(&err, VerifyError::Bundle { problem } if problem.contains("gzip")),
        "{err:?}"
    );
    // Compressed JSON that is not an object is named as such.
    let err = TrustBundle::open(&gzip(b"[1, 2]"), &authority()).unwrap_err();
    assert!(matches!(err, VerifyError::NotAnObject { .. }), "{err:?}");
}

#[test]
fn a_member_twice_or_two_different_copies_of_a_list_are_refused() {
    let b = bytes(&bundle("2026-05-31T00:00:00Z", &[]));
    let text = String::from_utf8(b).unwrap();
    let twice = text.replacen('{', r#"{"createdAt":"2026-06-01T00:00:00Z","#, 1);
    let err = TrustBundle::open(twice.as_bytes(), &authority()).unwrap_err();
    assert!(
        matches!(&err, VerifyError::NotJson { problem, .. } if problem.contains("duplicate key")),
        "{err:?}"
    );
    // One list twice, byte for byte or formatted differently: read as one.
    let list = status_list(&[]);
    let pretty = serde_json::to_string_pretty(&list).unwrap();
    let compact = serde_json::to_string(&list).unwrap();
    let doc = format!(
        r#"{{"type":"HocBaTrustBundle","createdAt":"2026-05-31T00:00:00Z","trustList":{},"statusLists":[{compact},{pretty},{compact}]}}"#,
        serde_json::to_string(&signed_trust_list()).unwrap()
    );
    let opened = TrustBundle::open(doc.as_bytes(), &authority()).unwrap();
    assert_eq!(opened.status_lists().len(), 1);
    // Two different lists under one id (an old copy beside the current one): refused.
    let b = bundle(
        "2026-05-31T00:00:00Z",
        &[status_list(&[]), status_list(&[INDEX])],
    );
    let err = TrustBundle::open(&bytes(&b), &authority()).unwrap_err();
    assert!(
        matches!(&err, VerifyError::Bundle { problem } if problem.contains("same id")),
        "{err:?}"
    );
}

pub fn setup(test: &str, revoked: &[usize]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("hocba-verify-bundle")
        .join(test);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("authority.pub.pem"),
        authority_key()
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap(),
    )
    .unwrap();
    fs::write(
        dir.join("bundle.json"),
        bytes(&bundle("2026-05-31T00:00:00Z", &[status_list(revoked)])),
    )
    .unwrap();
    fs::write(dir.join("valid.json"), bytes(&valid_credential())).unwrap();
    dir
}

fn run(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "--authority",
        "authority.pub.pem",
        "--at",
        "2026-06-01T00:00:00Z",
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
fn cli_verifies_offline_with_a_bundle() {
    let dir = setup("valid", &[]);
    let out = run(&dir, &["--bundle", "bundle.json", "valid.json"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("HỢP LỆ — VALID"), "{stdout}");
    assert!(stdout.contains("1 days 0 h old"), "{stdout}");
    assert!(stderr.contains("1 status list(s)"), "{stderr}");

    let out = run(&dir, &["--bundle", "bundle.json", "--json", "valid.json"]);
    assert_eq!(out.status.code(), Some(0));
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["result"], "valid");
    assert_eq!(line["bundle"]["ageSeconds"], 86_400);
    assert_eq!(line["checks"][4]["name"], "status");
    assert_eq!(line["checks"][4]["outcome"], "passed");

    // Within --max-age: still valid; beyond it: exit 1, and the list is too old.
    let out = run(
        &dir,
        &["--bundle", "bundle.json", "--max-age", "7d", "valid.json"],
    );
    assert_eq!(out.status.code(), Some(0));
    let out = run(
        &dir,
        &[
            "--bundle",
            "bundle.json",
            "--max-age",
            "12h",
            "--json",
            "valid.json",
        ],
    );
    // A status that could not be established is "could not check": exit 2.
    assert_eq!(out.status.code(), Some(2));
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["result"], "status_unknown");
    assert_eq!(line["reason"], "status_list_stale");
    assert!(String::from_utf8_lossy(&out.stderr).contains("more than --max-age"));
}

#[test]
fn cli_reports_a_revoked_record_and_bad_bundles() {
    let dir = setup("revoked", &[INDEX]);
    let out = run(&dir, &["--bundle", "bundle.json", "--json", "valid.json"]);
    assert_eq!(out.status.code(), Some(1));
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["result"], "invalid");
    assert_eq!(line["reason"], "revoked");

    fs::write(dir.join("broken.json"), "{\"type\": \"HocBaTrustBundle\"}").unwrap();
    let out = run(&dir, &["--bundle", "broken.json", "valid.json"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&dir, &["--bundle", "missing.json", "valid.json"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(
        &dir,
        &[
            "--bundle",
            "bundle.json",
            "--max-age",
            "7 weeks",
            "valid.json",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "a bad duration is a usage error"
    );
}

#[test]
fn cli_checks_revocation_with_fetched_status_lists() {
    let dir = setup("status-list", &[]);
    fs::write(dir.join("trust-list.json"), bytes(&signed_trust_list())).unwrap();
    fs::write(dir.join("list.json"), bytes(&status_list(&[INDEX]))).unwrap();
    let with_trust = |extra: &[&str]| {
        let mut args = vec!["--trust-list", "trust-list.json", "--json"];
        args.extend_from_slice(extra);
        run(&dir, &args)
    };
    let out = with_trust(&["--status-list", "list.json", "valid.json"]);
    assert_eq!(out.status.code(), Some(1));
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["reason"], "revoked");
    // Without a list the status is not checked: the signature is valid, the record is not
    // called valid (exit 3, result `revocation_not_checked`).
    let out = with_trust(&["valid.json"]);
    assert_eq!(out.status.code(), Some(3));
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["checks"][4]["reason"], "status_not_checked");
    assert_eq!(line["result"], "revocation_not_checked");
    assert_eq!(line["revocationChecked"], false);
    fs::write(dir.join("junk.json"), "[]").unwrap();
    assert_eq!(
        with_trust(&["--status-list", "junk.json", "valid.json"])
            .status
            .code(),
        Some(2)
    );
}
