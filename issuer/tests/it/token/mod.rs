//! Keys on a PKCS#11 token (SoftHSM2): each test makes its own token in a temporary directory
//! with `keys/dev/softhsm/load.sh` (the development keys, and an RSA-2048 and a P-256 seal key
//! where the test needs them).
//!
//! SoftHSM2 reads its configuration (`SOFTHSM2_CONF`) once per process, and a PKCS#11 module
//! is initialised once per process: so the tests that use the library in process run in a
//! process of their own (the tests of [`child`], `#[ignore]`d, started by their parent test
//! here with the token's configuration in their environment). The others run `hocba-issuer`
//! as users do.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod child;
mod cli_pdf;
mod principal;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hocba_test_support::server::Server;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_hocba-issuer");
/// Debian's softhsm2 package.
pub(crate) const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
/// The environment of a child test: the token's URI and directory.
pub(crate) const URI_ENV: &str = "HOCBA_TEST_TOKEN_URI";
pub(crate) const DIR_ENV: &str = "HOCBA_TEST_TOKEN_DIR";

pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A SoftHSM2 token `hocba-dev` of its own, loaded by `load.sh`.
pub(crate) struct DevToken {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) pin: String,
}

impl DevToken {
    /// The development school keys, and with `seals` an RSA-2048 and a P-256 key as
    /// `keys/dev/pki/seal-test-rsa.pem` / `seal-test-ec.pem` would be (public halves beside).
    pub(crate) fn new(pin: &str, seals: bool) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let dev = dir.path().join("dev");
        std::fs::create_dir_all(dev.join("softhsm")).unwrap();
        for entry in std::fs::read_dir(root().join("keys/dev")).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with("school-") && name.ends_with(".pem") {
                std::fs::copy(&path, dev.join(&name)).unwrap();
            }
        }
        let load = dev.join("softhsm/load.sh");
        std::fs::copy(root().join("keys/dev/softhsm/load.sh"), &load).unwrap();
        std::fs::set_permissions(&load, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(dev.join("softhsm/pin.txt"), format!("{pin}\n")).unwrap();
        if seals {
            let pki = dev.join("pki");
            std::fs::create_dir_all(&pki).unwrap();
            for (name, args) in [
                (
                    "seal-test-rsa",
                    &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"][..],
                ),
                (
                    "seal-test-ec",
                    &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"][..],
                ),
            ] {
                let key = pki.join(format!("{name}.pem"));
                run(Command::new("openssl")
                    .arg("genpkey")
                    .args(args)
                    .arg("-out")
                    .arg(&key));
                run(Command::new("openssl")
                    .args(["pkey", "-pubout", "-in"])
                    .arg(&key)
                    .arg("-out")
                    .arg(dir.path().join(format!("{name}.pub.pem"))));
            }
        }
        run(Command::new(&load).arg(dir.path().join("token")));
        Self {
            dir,
            pin: pin.to_owned(),
        }
    }

    pub(crate) fn conf(&self) -> PathBuf {
        self.dir.path().join("token/softhsm2.conf")
    }

    /// The URI with the PIN in `pin_file` (the right one: `dev/softhsm/pin.txt`).
    pub(crate) fn uri_with(&self, pin_file: &Path) -> String {
        format!(
            "pkcs11:token=hocba-dev?module-path={MODULE}&pin-source=file:{}",
            pin_file.display()
        )
    }

    pub(crate) fn uri(&self) -> String {
        self.uri_with(&self.dir.path().join("dev/softhsm/pin.txt"))
    }

    /// `hocba-issuer ARGS` with this token's configuration.
    pub(crate) fn issuer(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .current_dir(root())
            .env("SOFTHSM2_CONF", self.conf())
            .env_remove("HOCBA_PKCS11_PIN")
            .args(args)
            .output()
            .unwrap()
    }

    /// Run the child test `name` (of [`child`]) in a process of its own with this token.
    pub(crate) fn child(&self, name: &str) {
        let out = Command::new(std::env::current_exe().unwrap())
            .args([
                &format!("token::child::{name}"),
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("SOFTHSM2_CONF", self.conf())
            .env(URI_ENV, self.uri())
            .env(DIR_ENV, self.dir.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "child {name}:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn run(command: &mut Command) {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn token_and_pem_sign_the_same_bytes_and_the_keys_cannot_leave_the_token() {
    let token = DevToken::new("4821", false);
    token.child("same_bytes_as_pem");
    token.child("keys_are_sensitive_and_not_extractable");
}

#[test]
fn an_rsa_and_a_p256_seal_key_on_the_token_sign_for_the_pdf() {
    let token = DevToken::new("4821", true);
    token.child("seal_keys_sign");
}

#[test]
fn a_token_removed_mid_batch_leaves_no_half_signed_record() {
    let token = DevToken::new("4821", false);
    token.child("module_gone_mid_batch");
}

/// `sign` and `issue` with `--keys 'pkcs11:…'`: a class signed through the token verifies as
/// one signed from the PEM files; `pdf` re-renders from the token.
#[test]
fn the_cli_signs_a_class_through_the_token() {
    let token = DevToken::new("4821", false);
    let uri = token.uri();
    let out = token.issuer(&[
        "sign",
        "--keys",
        &uri,
        "schema/examples/secondary-grade11.json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let credential: Value = serde_json::from_slice(&out.stdout).unwrap();
    let pem = token.issuer(&["sign", "schema/examples/secondary-grade11.json"]);
    let pem: Value = serde_json::from_slice(&pem.stdout).unwrap();
    assert_eq!(
        credential["proof"]["verificationMethod"],
        pem["proof"]["verificationMethod"]
    );
    let trust = hocba_verifier::danger::dev_authority()
        .unwrap()
        .verify_trust_list(&std::fs::read(root().join("keys/dev/trust-list.json")).unwrap())
        .unwrap();
    for c in [&credential, &pem] {
        let bytes = serde_json::to_vec(c).unwrap();
        let verdict = hocba_verifier::verify_json(&bytes, &trust, common_now()).unwrap();
        assert!(
            verdict.is_valid(),
            "{}",
            serde_json::to_string(&verdict).unwrap()
        );
    }

    // `issue` of a class of three through the token, PDFs included.
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
    let input = token.dir.path().join("class.json");
    std::fs::write(&input, serde_json::to_vec(&class).unwrap()).unwrap();
    let out_dir = token.dir.path().join("out");
    let db_file = token.dir.path().join("a.db");
    let db = format!("sqlite://{}", db_file.display());
    let out = token.issuer(&[
        "issue",
        "--input",
        input.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--keys",
        &uri,
        "--database-url",
        &db,
        "--accept-warnings",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut jsons = 0;
    let mut pdfs = 0;
    for entry in walk(&out_dir) {
        let name = entry.to_string_lossy().into_owned();
        if name.ends_with(".json") {
            jsons += 1;
            let bytes = std::fs::read(&entry).unwrap();
            let verdict = hocba_verifier::verify_json(&bytes, &trust, common_now()).unwrap();
            assert!(verdict.is_valid(), "{name}");
        } else if name.ends_with(".pdf") {
            pdfs += 1;
        }
    }
    assert_eq!((jsons, pdfs), (3, 3), "{}", stderr(&out));

    // The PIN is nowhere: not in what it printed, not in the database.
    let pin = &token.pin;
    assert!(!stderr(&out).contains(pin.as_str()));
    assert!(!String::from_utf8_lossy(&out.stdout).contains(pin.as_str()));
    let db_bytes = std::fs::read(&db_file).unwrap();
    assert!(
        !db_bytes.windows(pin.len()).any(|w| w == pin.as_bytes()),
        "the PIN is in the database"
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[allow(clippy::disallowed_methods)]
fn common_now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

#[test]
fn a_wrong_pin_is_a_clear_error_and_signs_nothing() {
    let token = DevToken::new("4821", false);
    let wrong = token.dir.path().join("wrong-pin.txt");
    std::fs::write(&wrong, "0000\n").unwrap();
    let uri = token.uri_with(&wrong);
    let out = token.issuer(&[
        "sign",
        "--keys",
        &uri,
        "schema/examples/secondary-grade11.json",
    ]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("token hocba-dev") && err.contains("PIN is wrong"),
        "{err}"
    );
    assert!(err.contains("nothing was signed"), "{err}");
    assert!(!err.contains("0000") && !err.contains("4821"), "{err}");
    assert!(out.stdout.is_empty());

    // `issue`: no file, no credential.
    let out_dir = token.dir.path().join("out");
    let db_file = token.dir.path().join("a.db");
    let out = token.issuer(&[
        "issue",
        "--input",
        "schema/examples/primary-grade5.json",
        "--out",
        out_dir.to_str().unwrap(),
        "--keys",
        &uri,
        "--database-url",
        &format!("sqlite://{}", db_file.display()),
        "--accept-warnings",
        "--no-pdf",
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("PIN is wrong"), "{}", stderr(&out));
    assert_eq!(std::fs::read_dir(&out_dir).map_or(0, |d| d.count()), 0);

    // A PIN in the URI itself is refused before anything is opened, and not echoed.
    let out = token.issuer(&[
        "sign",
        "--keys",
        &format!("pkcs11:token=hocba-dev?module-path={MODULE}&pin-value=4821"),
        "schema/examples/secondary-grade11.json",
    ]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("pin-value is refused") && !err.contains("4821"),
        "{err}"
    );
}

/// `serve --keys 'pkcs11:…'` starts, signs a record through the API with the token, and its
/// log never holds the PIN.
#[test]
fn serve_signs_through_the_token_and_never_logs_the_pin() {
    let token = DevToken::new("735190", false);
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}/hocba.db", dir.path().display());
    let server = Server::start(
        Command::new(BIN)
            .current_dir(root())
            .args(["serve", "--listen", "127.0.0.1:0", "--keys", &token.uri()])
            .env("SOFTHSM2_CONF", token.conf())
            .env("DATABASE_URL", &database_url)
            .env("RUST_LOG", "debug"),
    );
    let addr = server.addr().to_owned();
    let out = Command::new(BIN)
        .args([
            "token",
            "create",
            "--school",
            "25000731",
            "--role",
            "principal",
            "--name",
            "Thầy Minh",
            "--ttl-days",
            "1",
            "--database-url",
            &database_url,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let bearer = format!("Bearer {}", String::from_utf8(out.stdout).unwrap().trim());
    let call = |method: &str, path: &str, body: &[u8]| {
        let answer = hocba_test_support::http::request(
            &addr,
            method,
            path,
            &[
                ("Content-Type", "application/json"),
                ("Authorization", &bearer),
                ("Idempotency-Key", "token-batch-1"),
            ],
            body,
        );
        let text = answer.text();
        assert!(
            answer.status_line.contains(" 20"),
            "{method} {path}: {} {text}",
            answer.status_line
        );
        serde_json::from_str::<Value>(&text).unwrap()
    };
    let record = std::fs::read(root().join("schema/examples/primary-grade5.json")).unwrap();
    let saved = call("POST", "/api/v1/records", &record);
    let id = saved["items"][0]["recordId"]
        .as_str()
        .unwrap_or_else(|| panic!("{saved}"))
        .to_owned();
    call("POST", &format!("/api/v1/records/{id}/validate"), b"");
    let mut batch = call(
        "POST",
        "/api/v1/batches",
        serde_json::json!({ "recordIds": [id] })
            .to_string()
            .as_bytes(),
    );
    let location = format!("/api/v1/batches/{}", batch["id"].as_str().unwrap());
    for _ in 0..600 {
        if batch["state"] == "done" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        batch = call("GET", &location, b"");
    }
    assert_eq!(batch["state"], "done", "{batch}");
    assert_eq!(batch["report"]["items"][0]["outcome"], "signed", "{batch}");
    let log = server.kill();
    assert!(!log.contains("735190"), "the PIN is in the log:\n{log}");
    let db = std::fs::read(dir.path().join("hocba.db")).unwrap();
    assert!(
        !db.windows(6).any(|w| w == b"735190"),
        "the PIN is in the database"
    );
}
