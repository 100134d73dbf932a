//! One key ring for every command that signs: `sign`, `pdf` and `issue` choose each school's
//! key that is active in the verified trust list (`--keys DIR`), never a retired one; `pdf`
//! re-renders a credential whose key was retired since and its QR summary still verifies;
//! `issue` signs a file of several schools, each with its own key, and names files by class
//! and pupil, never by personal identification number.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn issuer_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hocba-issuer"))
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("run hocba-issuer")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A key directory: the development keys, and a trust list made from `schools_toml` (the
/// development description with `edit` applied) signed by the development authority.
fn key_dir(dir: &Path, edit: impl Fn(String) -> String) -> PathBuf {
    let keys = dir.join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    for entry in std::fs::read_dir(root().join("keys/dev")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".pem") {
            std::fs::copy(&path, keys.join(&name)).unwrap();
            std::fs::set_permissions(keys.join(&name), std::fs::Permissions::from_mode(0o600))
                .unwrap();
        }
    }
    let toml = edit(std::fs::read_to_string(root().join("keys/dev/schools.toml")).unwrap());
    std::fs::write(keys.join("schools.toml"), toml).unwrap();
    make_list(&keys);
    keys
}

fn make_list(keys: &Path) {
    let out = issuer_in(
        keys,
        &[
            "trust-list",
            "--schools",
            "schools.toml",
            "--authority-key",
            "authority.pem",
            "--out",
            "trust-list.json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Mark the key `school-<code>.pub.pem` retired at `until`.
fn retire(toml: String, code: &str, until: &str) -> String {
    let anchor = format!("public_key = \"school-{code}.pub.pem\"");
    let start = toml.find(&anchor).unwrap();
    let status = start + toml[start..].find("status = \"active\"").unwrap();
    format!(
        "{}status = \"retired\"\nvalid_until = \"{until}\"{}",
        &toml[..status],
        &toml[status + "status = \"active\"".len()..]
    )
}

fn dev_trust(keys: &Path) -> hocba_verifier::VerifiedTrustList {
    hocba_verifier::danger::dev_authority()
        .unwrap()
        .verify_trust_list(&std::fs::read(keys.join("trust-list.json")).unwrap())
        .unwrap()
}

#[allow(clippy::disallowed_methods)]
fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

#[test]
fn a_retired_key_never_signs_and_the_error_names_the_school_once() {
    let dir = tempfile::tempdir().unwrap();
    let keys = key_dir(dir.path(), |t| {
        retire(t, "25000731", "2026-01-01T00:00:00Z")
    });
    let keys_arg = keys.to_str().unwrap();
    // `sign` with the ring: no usable key for the school.
    let out = issuer_in(
        &root(),
        &[
            "sign",
            "--keys",
            keys_arg,
            "schema/examples/primary-grade5.json",
        ],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("25000731") && err.contains("retired"), "{err}");
    assert!(out.stdout.is_empty());
    // `--key` given by hand is held to the same rule.
    let out = issuer_in(
        &root(),
        &[
            "sign",
            "--keys",
            keys_arg,
            "--key",
            keys.join("school-25000731.pem").to_str().unwrap(),
            "schema/examples/primary-grade5.json",
        ],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("retired"), "{}", stderr(&out));
    // `issue` of a class of three: one error for the school, no file written.
    let record: Value = serde_json::from_slice(
        &std::fs::read(root().join("schema/examples/primary-grade5.json")).unwrap(),
    )
    .unwrap();
    let class: Vec<Value> = (0..3)
        .map(|i| {
            let mut r = record.clone();
            r["student"]["studentCode"] = format!("790007010{i}").into();
            r["student"]["personalIdNumber"] = format!("07920901234{i}").into();
            r["student"]["fullName"] = format!("Nguyễn Văn {}", ["An", "Bình", "Chi"][i]).into();
            r
        })
        .collect();
    let input = dir.path().join("class.json");
    std::fs::write(&input, serde_json::to_vec(&class).unwrap()).unwrap();
    let out_dir = dir.path().join("out");
    let db = format!("sqlite://{}", dir.path().join("a.db").display());
    let out = issuer_in(
        &root(),
        &[
            "issue",
            "--input",
            input.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
            "--keys",
            keys_arg,
            "--database-url",
            &db,
            "--accept-warnings",
            "--no-pdf",
        ],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert_eq!(
        err.matches("school 25000731 has no usable signing key")
            .count(),
        1,
        "{err}"
    );
    assert!(err.contains("3 rows not issued"), "{err}");
    let written = std::fs::read_dir(&out_dir).map_or(0, |d| d.count());
    assert_eq!(written, 0);
}

#[test]
fn pdf_rerenders_with_the_key_retired_since_and_its_qr_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let keys = key_dir(dir.path(), |t| t);
    let keys_arg = keys.to_str().unwrap().to_owned();
    let credential = dir.path().join("c.json");
    let out = issuer_in(
        &root(),
        &[
            "sign",
            "--keys",
            &keys_arg,
            "schema/examples/secondary-grade11.json",
            "--out",
            credential.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // The school's key is retired after signing, a new one takes over.
    let signed: Value = serde_json::from_slice(&std::fs::read(&credential).unwrap()).unwrap();
    let created = hocba_schema::credential::parse_time(
        "created",
        signed["proof"]["created"].as_str().unwrap(),
    )
    .unwrap();
    let until =
        hocba_schema::credential::format_time(created + time::Duration::seconds(1)).unwrap();
    let new_key = keys.join("school-79000701-2027.pem");
    assert!(
        issuer_in(&keys, &["keygen", "--out", new_key.to_str().unwrap()])
            .status
            .success()
    );
    let toml = std::fs::read_to_string(keys.join("schools.toml")).unwrap();
    let mut toml = retire(toml, "79000701", &until);
    let anchor = "public_key = \"school-79000701.pub.pem\"";
    let at = toml.find(anchor).unwrap();
    let section_end = at + toml[at..].find("\n\n").unwrap_or(toml.len() - at);
    toml.insert_str(
        section_end,
        &format!(
            "\n\n[[schools.keys]]\npublic_key = \"school-79000701-2027.pub.pem\"\nvalid_from = \"{until}\"\nstatus = \"active\""
        ),
    );
    std::fs::write(keys.join("schools.toml"), toml).unwrap();
    make_list(&keys);
    let pdf = dir.path().join("c.pdf");
    let out = issuer_in(
        &root(),
        &[
            "pdf",
            credential.to_str().unwrap(),
            "--out",
            pdf.to_str().unwrap(),
            "--keys",
            &keys_arg,
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // The QR of the page, read back from a 150 dpi render, verifies against the new list.
    let png = dir.path().join("page");
    let rendered = Command::new("pdftoppm")
        .args(["-r", "150", "-png", "-singlefile", "-f", "1", "-l", "1"])
        .arg(&pdf)
        .arg(&png)
        .status()
        .expect("pdftoppm (poppler-utils) must be installed; .ci/run installs it");
    assert!(rendered.success());
    let text = hocba_verifier::decode_qr_image(&std::fs::read(png.with_extension("png")).unwrap())
        .unwrap();
    let trust = dev_trust(&keys);
    let (_, old) = trust
        .key(signed["proof"]["verificationMethod"].as_str().unwrap())
        .unwrap();
    assert_eq!(old.status, hocba_schema::trust_list::KeyStatus::Retired);
    let verdict = hocba_verifier::verify_summary(&text, &trust, now()).unwrap();
    assert!(verdict.is_valid(), "{:#?}", verdict.checks());
    // New records are signed with the new key, once it is valid (a second after the first
    // signature: on a fast machine the test gets here sooner).
    let valid_from = created + time::Duration::seconds(1);
    #[allow(clippy::disallowed_methods)] // The wall clock the binary reads too.
    let wait = valid_from - time::OffsetDateTime::now_utc();
    if wait.is_positive() {
        std::thread::sleep(std::time::Duration::from_millis(
            u64::try_from(wait.whole_milliseconds()).unwrap_or(0) + 50,
        ));
    }
    let out = issuer_in(
        &root(),
        &[
            "sign",
            "--keys",
            &keys_arg,
            "schema/examples/secondary-grade11.json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let fresh: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_ne!(
        fresh["proof"]["verificationMethod"],
        signed["proof"]["verificationMethod"]
    );
}

#[test]
fn the_documented_pdf_command_works_with_the_default_key_directory() {
    let dir = tempfile::tempdir().unwrap();
    let credential = dir.path().join("c.json");
    let out = issuer_in(
        &root(),
        &[
            "sign",
            "schema/examples/secondary-grade11.json",
            "--out",
            credential.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let pdf = dir.path().join("F.pdf");
    let out = issuer_in(
        &root(),
        &[
            "pdf",
            credential.to_str().unwrap(),
            "--out",
            pdf.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
}

#[test]
fn issue_signs_each_school_with_its_own_key_and_names_files_by_pupil() {
    let dir = tempfile::tempdir().unwrap();
    let read = |name: &str| -> Value {
        serde_json::from_slice(&std::fs::read(root().join("schema/examples").join(name)).unwrap())
            .unwrap()
    };
    let (primary, secondary) = (read("primary-grade5.json"), read("secondary-grade11.json"));
    let input = dir.path().join("two-schools.json");
    std::fs::write(&input, serde_json::to_vec(&[&primary, &secondary]).unwrap()).unwrap();
    let out_dir = dir.path().join("out");
    let db = format!("sqlite://{}", dir.path().join("a.db").display());
    let out = issuer_in(
        &root(),
        &[
            "issue",
            "--input",
            input.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
            "--database-url",
            &db,
            "--accept-warnings",
            "--no-pdf",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    let trust = hocba_verifier::danger::dev_authority()
        .unwrap()
        .verify_trust_list(&std::fs::read(root().join("keys/dev/trust-list.json")).unwrap())
        .unwrap();
    let mut schools = Vec::new();
    for (name, record) in names.iter().zip([&primary, &secondary]) {
        let _ = record;
        let bytes = std::fs::read(out_dir.join(name)).unwrap();
        let verdict = hocba_verifier::verify_json(&bytes, &trust, now()).unwrap();
        assert!(verdict.is_valid(), "{name}: {verdict:?}");
        let credential: Value = serde_json::from_slice(&bytes).unwrap();
        schools.push(
            credential["credentialSubject"]["school"]["code"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        // `<class>-<name in ASCII>-<8 characters>.json`, no personal identification number.
        let subject = &credential["credentialSubject"];
        let class = subject["className"].as_str().unwrap();
        assert!(name.starts_with(&format!("{class}-")), "{name}");
        assert!(name.is_ascii(), "{name}");
        let id = subject["student"]["personalIdNumber"]
            .as_str()
            .unwrap_or("none");
        assert!(!name.contains(id), "{name} holds the personal id {id}");
        let stem = name.strip_suffix(".json").unwrap();
        let (_, short) = stem.rsplit_once('-').unwrap();
        assert_eq!(short.len(), 8, "{name}");
    }
    schools.sort();
    assert_eq!(schools, ["25000731", "79000701"]);
    assert!(
        names.iter().any(|n| n.contains("Vo-Ngoc-Bao-Tran")),
        "{names:?}"
    );
}
