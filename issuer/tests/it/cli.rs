//! The `hocba-issuer` binary: `sign`, `keygen` and `trust-list` as a user runs them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hocba_verifier::TrustedAuthority;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn issuer(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hocba-issuer"))
        .current_dir(root())
        .args(args)
        .output()
        .expect("run hocba-issuer")
}

fn dev_trust() -> hocba_verifier::VerifiedTrustList {
    hocba_verifier::danger::dev_authority()
        .unwrap()
        .verify_trust_list(&std::fs::read(root().join("keys/dev/trust-list.json")).unwrap())
        .unwrap()
}

#[test]
fn sign_prints_a_credential_that_verifies_and_warns_about_dev_keys() {
    let out = issuer(&[
        "sign",
        "--key",
        "keys/dev/school-79000701.pem",
        "schema/examples/secondary-grade11.json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("DEVELOPMENT"));
    #[allow(clippy::disallowed_methods)]
    let now = time::OffsetDateTime::now_utc();
    let verdict = hocba_verifier::verify_json(&out.stdout, &dev_trust(), now).unwrap();
    assert!(verdict.is_valid(), "{verdict:?}");
    let credential: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(credential["issuer"]["id"], "urn:hocba:school:79000701");
    assert_eq!(credential["proof"]["cryptosuite"], "eddsa-jcs-2022");
}

#[test]
fn an_invalid_record_lists_every_problem_and_exits_2() {
    let dir = root().join("schema/examples/invalid");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let path = entry.path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".expected.json") {
            continue;
        }
        let expected: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let problems = expected["problems"].as_array().cloned().unwrap_or_default();
        let has_error = problems.iter().any(|p| p["severity"] == "error");
        // Warnings the school need not confirm (NFD text, an unusual age …) never block
        // signing: such an example signs (checked below, with the warning on stderr).
        let blocks = has_error
            || problems.iter().any(|p| {
                hocba_schema::validation::Rule::ALL
                    .iter()
                    .find(|r| r.code() == p["rule"])
                    .is_some_and(|r| r.needs_confirmation())
            });
        let record = path.with_file_name(name.replace(".expected.json", ".json"));
        let record_json: Value = match serde_json::from_slice(&std::fs::read(&record).unwrap()) {
            Ok(v) => v,
            Err(_) => Value::Null,
        };
        let code = record_json["school"]["code"]
            .as_str()
            .unwrap_or("79000701")
            .to_owned();
        let key = format!("keys/dev/school-{code}.pem");
        let key = if root().join(&key).exists() {
            key
        } else {
            "keys/dev/school-79000701.pem".into()
        };
        let out = issuer(&["sign", "--key", &key, record.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !blocks {
            assert_eq!(out.status.code(), Some(0), "{name}: {stderr}");
            for p in &problems {
                assert!(
                    stderr.contains(p["rule"].as_str().unwrap()),
                    "{name}: {stderr}"
                );
            }
            continue;
        }
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(out.stdout.is_empty(), "{name}: nothing is signed");
        if has_error {
            for p in &problems {
                let rule = p["rule"].as_str().unwrap();
                assert!(
                    stderr.contains(rule) || stderr.contains(p["pointer"].as_str().unwrap_or("?")),
                    "{name}: {rule} not reported in\n{stderr}"
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} invalid examples");
}

#[test]
fn a_key_missing_from_the_trust_list_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("new.pem");
    let out = issuer(&["keygen", "--out", key.to_str().unwrap()]);
    assert!(out.status.success());
    let out = issuer(&[
        "sign",
        "--key",
        key.to_str().unwrap(),
        "schema/examples/secondary-grade11.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not in the trust list"));
}

#[cfg(unix)]
#[test]
fn keygen_writes_a_private_file_and_trust_list_signs_a_description() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let authority = dir.path().join("authority.pem");
    let school = dir.path().join("school.pem");
    for key in [&authority, &school] {
        let out = issuer(&["keygen", "--out", key.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mode = std::fs::metadata(key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // Never overwrites a key.
    assert_eq!(
        issuer(&["keygen", "--out", school.to_str().unwrap()])
            .status
            .code(),
        Some(2)
    );
    std::fs::write(
        dir.path().join("schools.toml"),
        "[authority]\nid = \"urn:hocba:authority:test\"\nname = \"Sở GD&ĐT thử\"\n\n[[schools]]\ncode = \"79000701\"\nname = \"Trường THPT Bình Tây\"\nprovince = \"Thành phố Hồ Chí Minh\"\n\n[[schools.keys]]\npublic_key = \"school.pub.pem\"\nvalid_from = \"2025-08-01T00:00:00Z\"\nstatus = \"active\"\n",
    )
    .unwrap();
    let list = dir.path().join("trust-list.json");
    let out = issuer(&[
        "trust-list",
        "--schools",
        dir.path().join("schools.toml").to_str().unwrap(),
        "--authority-key",
        authority.to_str().unwrap(),
        "--list-version",
        "3",
        "--out",
        list.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let authority_pub = std::fs::read_to_string(dir.path().join("authority.pub.pem")).unwrap();
    let verified = TrustedAuthority::from_pem(&authority_pub)
        .unwrap()
        .verify_trust_list(&std::fs::read(&list).unwrap())
        .unwrap();
    assert_eq!(verified.version(), 3);
    // The development authority did not sign it.
    assert!(
        hocba_verifier::danger::dev_authority()
            .unwrap()
            .verify_trust_list(&std::fs::read(&list).unwrap())
            .is_err()
    );
}

#[cfg(unix)]
#[test]
fn a_readable_private_key_is_refused_with_a_hint() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.pem");
    assert!(
        issuer(&["keygen", "--out", key.to_str().unwrap()])
            .status
            .success()
    );
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = issuer(&[
        "sign",
        "--key",
        key.to_str().unwrap(),
        "schema/examples/secondary-grade11.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("chmod 600"));
}

/// `issue --out DIR` writes each pupil's PDF beside its JSON (the same credential embedded);
/// `--no-pdf` writes the JSON only.
#[test]
fn issue_writes_pdfs_beside_the_credentials() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("school.pem");
    std::fs::copy(root().join("keys/dev/school-25000731.pem"), &key).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let record: Value = serde_json::from_slice(
        &std::fs::read(root().join("schema/examples/primary-grade5.json")).unwrap(),
    )
    .unwrap();
    let input = dir.path().join("class.json");
    std::fs::write(&input, serde_json::to_vec(&[record]).unwrap()).unwrap();
    let run = |out: &Path, db: &str, extra: &[&str]| {
        let url = format!("sqlite://{}", dir.path().join(db).display());
        let mut args = vec![
            "issue",
            "--input",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            "--database-url",
            &url,
            "--accept-warnings",
        ];
        args.extend_from_slice(extra);
        let output = issuer(&args);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let files = |out: &Path, ext: &str| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == ext))
            .collect();
        v.sort();
        v
    };

    let out = dir.path().join("out");
    run(&out, "a.db", &[]);
    let jsons = files(&out, "json");
    let pdfs = files(&out, "pdf");
    assert_eq!(jsons.len(), 1);
    assert_eq!(pdfs, vec![jsons[0].with_extension("pdf")]);
    let pdf = std::fs::read(&pdfs[0]).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let embedded = hocba_verifier::pdf::extract_credential(&pdf).unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&embedded).unwrap(),
        serde_json::from_slice::<Value>(&std::fs::read(&jsons[0]).unwrap()).unwrap()
    );

    let bare = dir.path().join("bare");
    run(&bare, "b.db", &["--no-pdf"]);
    assert_eq!(files(&bare, "json").len(), 1);
    assert!(files(&bare, "pdf").is_empty());
}
