//! The principal's key on a token of its own (`serve --principal-token`), unlocked by the
//! principal's PIN given at signing time, through the API (`principalPin`) and the web app's
//! sign form; the seal on the school's token with its PIN from configuration. The service's
//! folders hold no private PDF key at all: the trust directory has the certificates only, so
//! every PDF signature must have come from a token.

use std::path::{Path, PathBuf};
use std::process::Command;

use hocba_issuer::pki::files;
use hocba_issuer::store::{Role, Store};
use hocba_test_support::http::{Answer, request};
use hocba_test_support::server::Server;
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Connection};

use super::{BIN, MODULE, root, run};
use crate::web::{Session, create_http, csrf_of, set_password_http, urlencode};

pub(super) const SCHOOL: &str = "25000731";
/// `keys/dev/softhsm/principal-pin.txt`: the development principals' PIN (public).
pub(super) const PIN: &str = "246810";
pub(super) const WRONG: &str = "975310";

/// The school token `hocba-dev` and the principals' tokens, in `dir/token`.
pub(super) fn tokens(dir: &Path) -> PathBuf {
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
pub(super) fn trust_dir(dir: &Path) -> PathBuf {
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

/// Where a rig's service keeps its data.
enum Db {
    /// A SQLite file in the rig's directory.
    Sqlite,
    /// A fresh schema on `HOCBA_TEST_POSTGRES` (dropped when the rig is).
    Postgres { url: String, schema: String },
}

struct Rig {
    dir: tempfile::TempDir,
    server: Server,
    db: Db,
    /// The URL the service was given.
    database_url: String,
    /// Every answer's body, to look for the PIN in.
    answers: std::cell::RefCell<String>,
    runtime: tokio::runtime::Runtime,
    /// Last: dropped after the service is gone.
    _schema: Option<DropSchema>,
}

impl Rig {
    fn start() -> Rig {
        Self::start_on(Db::Sqlite)
    }

    /// [`Rig::start`] on PostgreSQL; `None` (and a note) without `HOCBA_TEST_POSTGRES`.
    fn start_on_postgres() -> Option<Rig> {
        let Some(url) = hocba_test_support::db::postgres_url() else {
            println!("skipped: HOCBA_TEST_POSTGRES not set");
            return None;
        };
        let schema = hocba_test_support::db::unique_schema("hocba_principal");
        Some(Self::start_on(Db::Postgres { url, schema }))
    }

    fn start_on(db: Db) -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let conf = tokens(dir.path());
        let trust = trust_dir(dir.path());
        let database_url = match &db {
            Db::Sqlite => format!("sqlite://{}/hocba.db", dir.path().display()),
            Db::Postgres { url, .. } => url.clone(),
        };
        let keys = format!(
            "pkcs11:token=hocba-dev?module-path={MODULE}&pin-source=file:{}",
            root().join("keys/dev/softhsm/pin.txt").display()
        );
        let mut command = Command::new(BIN);
        command
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
            .env("RUST_LOG", "debug");
        if let Db::Postgres { schema, .. } = &db {
            command.args(["--database-schema", schema]);
        }
        let server = Server::start(&mut command);
        let _schema = match &db {
            Db::Postgres { url, schema } => Some(DropSchema {
                url: url.clone(),
                schema: schema.clone(),
            }),
            Db::Sqlite => None,
        };
        Rig {
            _schema,
            dir,
            server,
            db,
            database_url,
            answers: std::cell::RefCell::new(String::new()),
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
        }
    }

    /// A store on the service's database (the service made the tables).
    fn store(&self) -> Store {
        self.runtime.block_on(async {
            match &self.db {
                Db::Sqlite => Store::connect(&self.database_url).await.unwrap(),
                Db::Postgres { url, schema } => {
                    Store::connect_with_schema(url, schema).await.unwrap()
                }
            }
        })
    }

    /// A principal's bearer token for the school (made in the service's store).
    fn bearer(&self) -> String {
        let store = self.store();
        let token = self.runtime.block_on(async {
            let school = store.school_by_code(SCHOOL).await.unwrap();
            let token = crate::common::http::token(
                &store,
                Some(&school),
                Role::Principal,
                time::Duration::days(1),
                crate::common::http::wall_clock(),
            )
            .await;
            store.close().await;
            token
        });
        format!("Bearer {token}")
    }

    /// Everything the database holds, as text: the SQLite file (and its WAL), or each row
    /// of each table of the PostgreSQL schema as JSON.
    fn database_text(&self) -> String {
        match &self.db {
            Db::Sqlite => {
                let file = self.dir.path().join("hocba.db");
                let mut db = std::fs::read(&file).unwrap();
                if let Ok(wal) = std::fs::read(file.with_extension("db-wal")) {
                    db.extend(wal);
                }
                String::from_utf8_lossy(&db).into_owned()
            }
            Db::Postgres { url, schema } => self.runtime.block_on(async {
                let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT table_name::text FROM information_schema.tables \
                     WHERE table_schema = $1",
                )
                .bind(schema)
                .fetch_all(&mut conn)
                .await
                .unwrap();
                let mut text = String::new();
                for table in tables {
                    let rows: Vec<String> = sqlx::query_scalar(AssertSqlSafe(format!(
                        "SELECT row_to_json(t)::text FROM \"{schema}\".\"{table}\" t"
                    )))
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
                    text.push_str(&rows.join("\n"));
                }
                text
            }),
        }
    }

    /// How many signed PDFs the store holds (migration 0011's table).
    fn signed_pdf_count(&self) -> i64 {
        let store = self.store();
        self.runtime.block_on(async {
            let school = store.school_by_code(SCHOOL).await.unwrap();
            let credentials = store
                .list_class_credentials(&school.id, "2025-2026", "5A")
                .await
                .unwrap();
            let mut n = 0;
            for c in &credentials {
                if store.signed_pdf(&school.id, &c.id).await.unwrap().is_some() {
                    n += 1;
                }
            }
            store.close().await;
            n
        })
    }
}

/// Drops a PostgreSQL schema when dropped (also when the test failed).
struct DropSchema {
    url: String,
    schema: String,
}

impl Drop for DropSchema {
    fn drop(&mut self) {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        runtime.block_on(async {
            if let Ok(mut conn) = sqlx::PgConnection::connect(&self.url).await {
                let _ = sqlx::raw_sql(AssertSqlSafe(format!(
                    "DROP SCHEMA IF EXISTS \"{}\" CASCADE",
                    self.schema
                )))
                .execute(&mut conn)
                .await;
            }
        });
    }
}

impl Rig {
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

/// `pdf` carries two valid, trusted signatures: the school's principal first, then its seal.
pub(super) fn two_valid_signatures(dir: &Path, pdf: &[u8]) {
    crate::pades::check::signed_by_dev_school(dir, pdf, SCHOOL);
}

#[test]
fn the_principals_pin_unlocks_the_token_for_one_batch_through_the_api_and_the_sign_form() {
    pin_unlocks_the_token_for_one_batch(Rig::start());
}

/// The same on PostgreSQL (`HOCBA_TEST_POSTGRES`): the batch's signed PDFs are stored in and
/// handed out from its `signed_pdfs` table.
#[test]
fn the_principals_pin_unlocks_the_token_for_one_batch_on_postgres() {
    if let Some(rig) = Rig::start_on_postgres() {
        pin_unlocks_the_token_for_one_batch(rig);
    }
}

fn pin_unlocks_the_token_for_one_batch(rig: Rig) {
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

    // Both PDFs were stored by their batches, in this database.
    assert_eq!(rig.signed_pdf_count(), 2);

    // The PIN is in no answer, no log line, no database row.
    let answers = rig.answers.borrow().clone();
    let database = rig.database_text();
    assert!(database.contains(&credential), "the database dump is empty");
    let Rig { server, .. } = rig;
    let log = server.kill();
    for pin in [PIN, WRONG] {
        assert!(!answers.contains(pin), "the PIN {pin} is in an answer");
        assert!(!log.contains(pin), "the PIN {pin} is in the log:\n{log}");
        assert!(!database.contains(pin), "the PIN {pin} is in the database");
    }
    assert!(log.contains("principals' keys are on tokens"), "{log}");
}

#[test]
fn vc_api_issue_takes_the_principals_pin_in_its_options() {
    let rig = Rig::start();
    let bearer = rig.bearer();
    let mut record: Value = serde_json::from_slice(
        &std::fs::read(root().join("schema/examples/primary-grade5.json")).unwrap(),
    )
    .unwrap();
    record["student"]["studentCode"] = json!("1715042389");
    record["student"]["personalIdNumber"] = json!("017315004829");
    record["student"]["fullName"] = json!("Lò Văn Chiến");
    let issue = |options: Value| {
        let body = json!({
            "credential": {
                "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/hocba/v1"],
                "type": ["VerifiableCredential", "HocBaCredential"],
                "credentialSubject": record,
            },
            "options": options,
        });
        rig.call(
            &bearer,
            "POST",
            "/credentials/issue",
            "-",
            body.to_string().as_bytes(),
        )
    };
    let nothing_stored = || {
        let r = rig.call(
            &bearer,
            "GET",
            "/api/v1/records?schoolYear=2025-2026",
            "-",
            b"",
        );
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json().as_array().map(Vec::len), Some(0), "{}", r.text());
    };

    // No PIN, a wrong PIN: 422 naming /options/principalPin; nothing stored or signed.
    for (options, rule) in [
        (json!({ "acceptWarnings": true }), "principal-pin-required"),
        (
            json!({ "acceptWarnings": true, "principalPin": WRONG }),
            "principal-pin-wrong",
        ),
    ] {
        let a = issue(options);
        assert_eq!(a.status, 422, "{}", a.text());
        let body = a.json();
        assert_eq!(
            body["errors"][0]["pointer"], "/options/principalPin",
            "{body}"
        );
        assert_eq!(body["errors"][0]["rule"], rule, "{body}");
        nothing_stored();
    }

    // The right PIN: issued, and its PDF signed by the principal's token then the seal.
    let a = issue(json!({ "acceptWarnings": true, "principalPin": PIN }));
    assert_eq!(a.status, 201, "{}", a.text());
    let credential = a.json()["verifiableCredential"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let pdf = rig.call(
        &bearer,
        "GET",
        &format!("/api/v1/credentials/{credential}/pdf"),
        "-",
        b"",
    );
    assert_eq!(pdf.status, 200, "{}", pdf.text());
    two_valid_signatures(rig.dir.path(), &pdf.body);

    // The PIN is in no answer and no log line.
    let answers = rig.answers.borrow().clone();
    let Rig { server, .. } = rig;
    let log = server.kill();
    for pin in [PIN, WRONG] {
        assert!(!answers.contains(pin), "the PIN {pin} is in an answer");
        assert!(!log.contains(pin), "the PIN {pin} is in the log:\n{log}");
    }
}
