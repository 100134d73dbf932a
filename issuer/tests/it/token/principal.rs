//! The principal's key on a token of its own (`serve --principal-token`), unlocked by the
//! principal's PIN given at signing time, through the API (`principalPin`) and the web app's
//! sign form; the seal on the school's token with its PIN from configuration. The service's
//! folders hold no private PDF key at all: the trust directory has the certificates only, so
//! every PDF signature must have come from a token.

use std::path::{Path, PathBuf};
use std::process::Command;

use hocba_issuer::pki::{files, load_school};
use hocba_test_support::http::{Answer, request};
use hocba_test_support::server::Server;
use serde_json::{Value, json};

use super::{BIN, MODULE, root, run, stderr};
use crate::web::{Session, create_http, csrf_of, set_password_http, urlencode};

const SCHOOL: &str = "25000731";
/// `keys/dev/softhsm/principal-pin.txt`: the development principals' PIN (public).
const PIN: &str = "246810";
const WRONG: &str = "975310";

/// The school token `hocba-dev` and the principals' tokens, in `dir/token`.
fn tokens(dir: &Path) -> PathBuf {
    let token = dir.join("token");
    let load = root().join("keys/dev/softhsm/load.sh");
    run(Command::new("bash").arg(&load).arg(&token));
    run(Command::new("bash")
        .arg(&load)
        .arg(&token)
        .arg("principals"));
    token.join("softhsm2.conf")
}

/// A trust directory: `keys/dev`'s public files and the PKI's certificates, without a single
/// private school, seal or principal key.
fn trust_dir(dir: &Path) -> PathBuf {
    let trust = dir.join("trust");
    std::fs::create_dir_all(trust.join("pki")).unwrap();
    for entry in std::fs::read_dir(root().join("keys/dev")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let private_school_key = name.starts_with("school-") && !name.ends_with(".pub.pem");
        if path.is_file() && !private_school_key {
            std::fs::copy(&path, trust.join(&name)).unwrap();
        }
    }
    for entry in std::fs::read_dir(root().join("keys/dev/pki")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".pem") && !name.ends_with(".key.pem") {
            std::fs::copy(&path, trust.join("pki").join(&name)).unwrap();
        }
    }
    assert!(
        !trust
            .join("pki")
            .join(files::principal_key(SCHOOL))
            .exists()
    );
    assert!(!trust.join("pki").join(files::seal_key(SCHOOL)).exists());
    trust
}

struct Rig {
    dir: tempfile::TempDir,
    server: Server,
    database_url: String,
    /// Every answer's body, to look for the PIN in.
    answers: std::cell::RefCell<String>,
}

impl Rig {
    fn start() -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let conf = tokens(dir.path());
        let trust = trust_dir(dir.path());
        let database_url = format!("sqlite://{}/hocba.db", dir.path().display());
        let keys = format!(
            "pkcs11:token=hocba-dev?module-path={MODULE}&pin-source=file:{}",
            root().join("keys/dev/softhsm/pin.txt").display()
        );
        let server = Server::start(
            Command::new(BIN)
                .current_dir(dir.path())
                .args(["serve", "--listen", "127.0.0.1:0", "--keys", &keys])
                .arg("--trust-dir")
                .arg(&trust)
                .args([
                    "--principal-token",
                    &format!("pkcs11:?module-path={MODULE}"),
                ])
                .env("SOFTHSM2_CONF", conf)
                .env("DATABASE_URL", &database_url)
                .env_remove("HOCBA_PKCS11_PIN")
                .env("RUST_LOG", "debug"),
        );
        Rig {
            dir,
            server,
            database_url,
            answers: std::cell::RefCell::new(String::new()),
        }
    }

    fn bearer(&self) -> String {
        let out = Command::new(BIN)
            .args([
                "token",
                "create",
                "--school",
                SCHOOL,
                "--role",
                "principal",
                "--name",
                "Cô Hạnh",
                "--ttl-days",
                "1",
                "--database-url",
                &self.database_url,
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        format!("Bearer {}", String::from_utf8(out.stdout).unwrap().trim())
    }

    fn call(&self, bearer: &str, method: &str, path: &str, key: &str, body: &[u8]) -> Answer {
        let answer = request(
            self.server.addr(),
            method,
            path,
            &[
                ("Content-Type", "application/json"),
                ("Authorization", bearer),
                ("Idempotency-Key", key),
            ],
            body,
        );
        self.answers.borrow_mut().push_str(&answer.text());
        answer
    }

    /// Pupil `i` of class 5A imported and validated; its record id.
    fn validated(&self, bearer: &str, i: usize) -> String {
        let mut record: Value = serde_json::from_slice(
            &std::fs::read(root().join("schema/examples/primary-grade5.json")).unwrap(),
        )
        .unwrap();
        record["student"]["studentCode"] = json!(format!("171504238{}", i + 1));
        record["student"]["personalIdNumber"] = json!(format!("01731500482{}", i + 1));
        record["student"]["fullName"] = json!(["Đinh Thị An", "Bùi Thị Bình"][i]);
        let saved = self.call(
            bearer,
            "POST",
            "/api/v1/records",
            "-",
            record.to_string().as_bytes(),
        );
        assert_eq!(saved.status, 200, "{}", saved.text());
        let id = saved.json()["items"][0]["recordId"]
            .as_str()
            .unwrap()
            .to_owned();
        let ok = self.call(
            bearer,
            "POST",
            &format!("/api/v1/records/{id}/validate"),
            "-",
            b"",
        );
        assert_eq!(ok.status, 200, "{}", ok.text());
        id
    }

    fn state(&self, bearer: &str, id: &str) -> String {
        let r = self.call(bearer, "GET", &format!("/api/v1/records/{id}"), "-", b"");
        assert_eq!(r.status, 200, "{}", r.text());
        let v = r.json();
        v["state"]
            .as_str()
            .or_else(|| v["record"]["state"].as_str())
            .unwrap_or_else(|| panic!("{v}"))
            .to_owned()
    }
}

/// `pdfsig`'s two signature blocks of `pdf`, checked valid and trusted (principal first).
fn two_valid_signatures(dir: &Path, pdf: &[u8]) -> Vec<String> {
    let file = dir.join("record.pdf");
    std::fs::write(&file, pdf).unwrap();
    let nss = dir.join("nss");
    let _ = std::fs::remove_dir_all(&nss);
    std::fs::create_dir_all(&nss).unwrap();
    let db = crate::pades::nss_db(&nss);
    let out = Command::new("pdfsig")
        .args(["-nssdir", &db, file.to_str().unwrap()])
        .output()
        .expect("pdfsig (poppler-utils)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}{}", stderr(&out));
    let blocks: Vec<String> = text
        .split("Signature #")
        .skip(1)
        .map(str::to_owned)
        .collect();
    assert_eq!(blocks.len(), 2, "{text}");
    for b in &blocks {
        assert!(
            b.contains("Signature Validation: Signature is Valid."),
            "{text}"
        );
        assert!(
            b.contains("Certificate Validation: Certificate is Trusted."),
            "{text}"
        );
    }
    let school = load_school(&root().join("keys/dev/pki"), SCHOOL)
        .unwrap()
        .unwrap();
    let principal = school.principal.unwrap().name;
    assert!(
        blocks[0].contains(&format!("Signer Certificate Common Name: {principal}")),
        "{text}"
    );
    assert!(
        blocks[1].contains(&format!(
            "Signer Certificate Common Name: {}",
            school.seal.name
        )),
        "{text}"
    );
    blocks
}

#[test]
fn the_principals_pin_unlocks_the_token_for_one_batch_through_the_api_and_the_sign_form() {
    let rig = Rig::start();
    let bearer = rig.bearer();
    let id = rig.validated(&bearer, 0);
    let batch = |key: &str, body: Value| {
        rig.call(
            &bearer,
            "POST",
            "/api/v1/batches",
            key,
            body.to_string().as_bytes(),
        )
    };

    // No PIN: a clear error naming what to give; nothing signed, no batch made.
    let a = batch("no-pin", json!({ "recordIds": [id] }));
    assert_eq!(a.status, 422, "{}", a.text());
    let body = a.json();
    assert_eq!(body["errors"][0]["pointer"], "/principalPin", "{body}");
    assert_eq!(
        body["errors"][0]["rule"], "principal-pin-required",
        "{body}"
    );
    assert_eq!(rig.state(&bearer, &id), "validated");

    // A wrong PIN: refused by the token, nothing signed.
    let a = batch(
        "wrong-pin",
        json!({ "recordIds": [id], "principalPin": WRONG }),
    );
    assert_eq!(a.status, 422, "{}", a.text());
    assert_eq!(a.json()["errors"][0]["rule"], "principal-pin-wrong");
    assert!(
        a.text()
            .contains("Mã PIN chữ ký số của Hiệu trưởng không đúng")
    );
    assert_eq!(rig.state(&bearer, &id), "validated");

    // The right PIN: signed, and the PDF made now, signed by the principal's token key then
    // the seal on the school's token, and stored.
    let a = batch(
        "right-pin",
        json!({ "recordIds": [id], "principalPin": PIN }),
    );
    assert_eq!(a.status, 201, "{}", a.text());
    let item = &a.json()["report"]["items"][0];
    assert_eq!(item["outcome"], "signed", "{item}");
    assert!(item.get("error").is_none(), "{item}");
    let credential = item["credentialId"].as_str().unwrap().to_owned();
    let pdf_path = format!("/api/v1/credentials/{credential}/pdf");
    let pdf = rig.call(&bearer, "GET", &pdf_path, "-", b"");
    assert_eq!(pdf.status, 200, "{}", pdf.text());
    two_valid_signatures(rig.dir.path(), &pdf.body);
    // Handed out as stored: the same bytes again (the PIN is gone; nothing could re-sign).
    let again = rig.call(&bearer, "GET", &pdf_path, "-", b"");
    assert_eq!(again.body, pdf.body);

    // The web app: the sign form asks for the PIN; a wrong one is the form's error and signs
    // nothing; the right one signs the class.
    let second = rig.validated(&bearer, 1);
    let first_link = rig
        .server
        .startup_log()
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("http://")
                .filter(|l| l.contains("/setup/"))
        })
        .map(|l| format!("http://{l}"))
        .expect("the first-start link");
    let addr = rig.server.addr().to_owned();
    set_password_http(&addr, &first_link);
    let authority = Session::sign_in(&addr, "authority");
    let link = create_http(
        &authority,
        "Cô Hạnh",
        "ht.25000731",
        "principal",
        &format!("school_code={SCHOOL}"),
    );
    set_password_http(&addr, &link);
    let principal = Session::sign_in(&addr, "ht.25000731");
    let class_page = "/school/classes/2025-2026/5A";
    let page = principal.get(class_page);
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    assert!(html.contains("Mã PIN chữ ký số của Hiệu trưởng"), "{html}");
    assert!(html.contains("name=\"pin\""), "{html}");
    let nonce = {
        let at = html.find("name=\"nonce\" value=\"").unwrap() + 20;
        html[at..at + html[at..].find('"').unwrap()].to_owned()
    };
    let form = |pin: &str, nonce: &str| {
        format!(
            "_csrf={}&year=2025-2026&class=5A&nonce={nonce}&pin={}",
            csrf_of(&html),
            urlencode(pin)
        )
    };
    let wrong = principal.post("/school/sign", &form(WRONG, &nonce));
    assert_eq!(wrong.status, 409, "{}", wrong.text());
    assert!(
        wrong
            .text()
            .contains("Mã PIN chữ ký số của Hiệu trưởng không đúng"),
        "{}",
        wrong.text()
    );
    assert_eq!(rig.state(&bearer, &second), "validated");
    let missing = principal.post("/school/sign", &form("", &nonce));
    assert_eq!(missing.status, 409, "{}", missing.text());
    assert!(
        missing
            .text()
            .contains("Cần mã PIN chữ ký số của Hiệu trưởng")
    );
    let ok = principal.post("/school/sign", &form(PIN, &nonce));
    assert_eq!(ok.status, 303, "{}", ok.text());
    assert_eq!(rig.state(&bearer, &second), "signed");
    let listed = rig.call(
        &bearer,
        "GET",
        "/api/v1/classes/2025-2026/5A/credentials",
        "-",
        b"",
    );
    let listed = listed.text();
    let web_credential = listed
        .split('"')
        .find(|s| s.starts_with("urn:uuid:") && *s != credential)
        .unwrap_or_else(|| panic!("{listed}"))
        .to_owned();
    let pdf = rig.call(
        &bearer,
        "GET",
        &format!("/api/v1/credentials/{web_credential}/pdf"),
        "-",
        b"",
    );
    assert_eq!(pdf.status, 200, "{}", pdf.text());
    two_valid_signatures(rig.dir.path(), &pdf.body);

    // The PIN is in no answer, no log line, no database row.
    let answers = rig.answers.borrow().clone();
    let db_file = rig.dir.path().join("hocba.db");
    let log = rig.server.kill();
    for pin in [PIN, WRONG] {
        assert!(!answers.contains(pin), "the PIN {pin} is in an answer");
        assert!(!log.contains(pin), "the PIN {pin} is in the log:\n{log}");
        let mut db = std::fs::read(&db_file).unwrap();
        if let Ok(wal) = std::fs::read(db_file.with_extension("db-wal")) {
            db.extend(wal);
        }
        assert!(
            !db.windows(pin.len()).any(|w| w == pin.as_bytes()),
            "the PIN {pin} is in the database"
        );
    }
    assert!(log.contains("principals' keys are on tokens"), "{log}");
}
