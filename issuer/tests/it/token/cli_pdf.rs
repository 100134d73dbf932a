//! `hocba-issuer pdf` and `issue` with the keys on tokens: `--keys` the school's token (the
//! credential key and the seal), `--principal-token` the principal's token, its PIN from the
//! URI's `pin-source=file:` or from `HOCBA_PRINCIPAL_PIN`, never an argument. The trust
//! directory holds certificates only, so every PDF signature must have come from a token. A
//! wrong or missing PIN is a clear error and writes nothing; the PIN is in no output.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::principal::{PIN, SCHOOL, WRONG, tokens, trust_dir, two_valid_signatures};
use super::{BIN, MODULE, root, stderr, walk};

struct Cli {
    dir: tempfile::TempDir,
    conf: PathBuf,
    trust: PathBuf,
}

impl Cli {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let conf = tokens(dir.path());
        let trust = trust_dir(dir.path());
        Self { dir, conf, trust }
    }

    /// The school's token: credential keys and seals, PIN from configuration.
    fn keys(&self) -> String {
        format!(
            "pkcs11:token=hocba-dev?module-path={MODULE}&pin-source=file:{}",
            root().join("keys/dev/softhsm/pin.txt").display()
        )
    }

    /// The principals' tokens, the PIN in `pin_file` when given.
    fn principal_token(pin_file: Option<&Path>) -> String {
        match pin_file {
            Some(file) => format!(
                "pkcs11:?module-path={MODULE}&pin-source=file:{}",
                file.display()
            ),
            None => format!("pkcs11:?module-path={MODULE}"),
        }
    }

    /// A PIN file of mode 0600 holding `pin`.
    fn pin_file(&self, name: &str, pin: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, format!("{pin}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        path
    }

    /// `hocba-issuer ARGS` with the tokens, `env_pin` as `HOCBA_PRINCIPAL_PIN` when given.
    fn run(&self, args: &[&str], env_pin: Option<&str>) -> Output {
        let mut command = Command::new(BIN);
        command
            .current_dir(root())
            .env("SOFTHSM2_CONF", &self.conf)
            .env_remove("HOCBA_PKCS11_PIN")
            .env_remove("HOCBA_PRINCIPAL_TOKEN")
            .env_remove("HOCBA_PRINCIPAL_PIN")
            .args(args);
        if let Some(pin) = env_pin {
            command.env("HOCBA_PRINCIPAL_PIN", pin);
        }
        command.output().unwrap()
    }
}

fn no_pin_in(out: &Output) {
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(out));
    for pin in [PIN, WRONG] {
        assert!(
            !text.contains(pin),
            "the PIN {pin} is in the output:\n{text}"
        );
    }
}

#[test]
fn pdf_and_issue_sign_with_the_principals_token_then_the_seal() {
    let cli = Cli::new();
    let dir = cli.dir.path();
    let (credential, _, code) = crate::pades::signed_example("primary-grade5.json");
    assert_eq!(code, SCHOOL);
    let credential_file = dir.join("credential.json");
    std::fs::write(&credential_file, credential.to_string()).unwrap();
    let keys = cli.keys();
    let trust = cli.trust.to_str().unwrap().to_owned();
    let pdf = |out: &Path, principal: &str, env_pin: Option<&str>| {
        cli.run(
            &[
                "pdf",
                credential_file.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--keys",
                &keys,
                "--trust-dir",
                &trust,
                "--principal-token",
                principal,
            ],
            env_pin,
        )
    };

    // `pdf`, the PIN from the URI's pin-source file: principal (token) then seal (token).
    let right = cli.pin_file("principal-pin.txt", PIN);
    let out_pdf = dir.join("record.pdf");
    let out = pdf(&out_pdf, &Cli::principal_token(Some(&right)), None);
    assert!(out.status.success(), "{}", stderr(&out));
    no_pin_in(&out);
    let check = dir.join("check");
    std::fs::create_dir_all(&check).unwrap();
    two_valid_signatures(&check, &std::fs::read(&out_pdf).unwrap());

    // A wrong PIN in the file, or no PIN at all: a clear error, no PDF written.
    let wrong = cli.pin_file("wrong-pin.txt", WRONG);
    let refused = dir.join("refused.pdf");
    let out = pdf(&refused, &Cli::principal_token(Some(&wrong)), None);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("the principal's PIN (principalPin) is wrong"),
        "{}",
        stderr(&out)
    );
    no_pin_in(&out);
    let out = pdf(&refused, &Cli::principal_token(None), None);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("HOCBA_PRINCIPAL_PIN"),
        "{}",
        stderr(&out)
    );
    assert!(!refused.exists());

    // `issue`, the PIN from HOCBA_PRINCIPAL_PIN: a wrong one signs nothing ...
    let issue = |out_dir: &Path, db: &str, env_pin: &str| {
        cli.run(
            &[
                "issue",
                "--input",
                "schema/examples/primary-grade5.json",
                "--out",
                out_dir.to_str().unwrap(),
                "--keys",
                &keys,
                "--trust-dir",
                &trust,
                "--principal-token",
                &Cli::principal_token(None),
                "--database-url",
                db,
                "--accept-warnings",
            ],
            Some(env_pin),
        )
    };
    let db = format!("sqlite://{}/hocba.db", dir.display());
    let issued = dir.join("issued");
    let out = issue(&issued, &db, WRONG);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("is wrong"), "{}", stderr(&out));
    no_pin_in(&out);
    assert!(!issued.exists() || walk(&issued).is_empty());
    // ... the right one writes the credential and its PDF, signed principal then seal.
    let out = issue(&issued, &db, PIN);
    assert!(out.status.success(), "{}", stderr(&out));
    no_pin_in(&out);
    let files = walk(&issued);
    let pdfs: Vec<&PathBuf> = files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    assert_eq!(pdfs.len(), 1, "{files:?}");
    assert_eq!(files.len(), 2, "{files:?}");
    two_valid_signatures(&check, &std::fs::read(pdfs[0]).unwrap());
}
