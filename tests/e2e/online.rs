//! Online verification against a real `hocba-issuer serve` (issue #4): a record issued through
//! the issuer's API verifies online with `hocba-verify --online URL` (trust list and status
//! list fetched over HTTP, verified, cached) and through `hocba-verify serve --online URL`;
//! the issuer's PDF of it, uploaded to the verifier, is valid too; after a revocation through
//! the API, online verification says `revoked`. The QR code of the record, opened on the
//! landing page of `hocba-verify serve --online URL` (`GET /V/{digits}`), shows valid and then
//! revoked with the status checked (its list found through the issuer's
//! `/status/{code}/index.json`). A second test rotates the school's key in the
//! middle of the year and then marks the new key compromised, through the authority API.
//!
//! Both binaries are built first (`cargo build --bin hocba-issuer --bin hocba-verify`) and
//! run as processes on loopback ports, with a fresh SQLite file.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub(crate) fn root() -> PathBuf {
    hocba_tests::root()
}

/// The workspace binaries, built on demand next to this test binary.
pub(crate) fn bin(name: &str) -> PathBuf {
    static BUILD: std::sync::Once = std::sync::Once::new();
    let exe = std::env::current_exe().expect("test binary path");
    // target/<profile>/deps/e2e-… → target/<profile>/<name>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target directory")
        .to_owned();
    BUILD.call_once(|| {
        let mut cargo = Command::new(env!("CARGO"));
        cargo.args(["build", "--bin", "hocba-issuer", "--bin", "hocba-verify"]);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            cargo.arg("--release");
        }
        let status = cargo.current_dir(root()).status().expect("cargo build");
        assert!(status.success(), "building the binaries failed");
    });
    profile_dir.join(name)
}

/// A free loopback port (bound, then released).
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A child process killed when dropped.
pub(crate) struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start `cmd`, wait for `marker` on its stderr (then keep draining it).
pub(crate) fn start(mut cmd: Command, marker: &str) -> Running {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap_or(0) == 0 {
            let _ = child.kill();
            panic!("stopped before {marker:?}:\n{seen}");
        }
        seen.push_str(&line);
        if line.contains(marker) {
            break;
        }
    }
    std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = stderr.read_to_string(&mut rest);
    });
    Running(child)
}

/// One HTTP/1.1 request: (status code, body).
pub(crate) fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let extra: String = headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{extra}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, rest) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    // The services answer with Content-Length (no chunking) for these routes.
    (status, rest.to_owned())
}

/// One HTTP/1.1 request with a binary body: (status code, body bytes).
fn http_bytes(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let extra: String = headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{extra}\
         Content-Length: {}\r\n\r\n",
        body.len()
    )
    .expect("write");
    stream.write_all(body).expect("write body");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read");
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let head = String::from_utf8_lossy(&answer[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "chunked answers are not read here: {head}"
    );
    (status, answer[split + 4..].to_vec())
}

pub(crate) fn token(database_url: &str, school: &str, role: &str) -> String {
    let out = Command::new(bin("hocba-issuer"))
        .args(["token", "create", "--school", school, "--role", role])
        .args(["--database-url", database_url])
        .output()
        .expect("token create");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// `hocba-verify --online BASE --json FILE` with its own cache directory.
fn verify_online(base: &str, cache: &Path, credential: &Path) -> (Output, Value) {
    let out = Command::new(bin("hocba-verify"))
        .args(["--online", base, "--cache-dir"])
        .arg(cache)
        .arg("--json")
        .arg(credential)
        .output()
        .expect("hocba-verify");
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not one JSON report ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, report)
}

#[test]
fn issue_verify_online_revoke_verify_online() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = format!("sqlite://{}/hocba.db", dir.path().display());
    let port = free_port();
    let issuer_addr = format!("127.0.0.1:{port}");
    let base = format!("http://{issuer_addr}");
    let mut cmd = Command::new(bin("hocba-issuer"));
    cmd.args(["serve", "--listen", &issuer_addr, "--keys"])
        .arg(root().join("keys/dev"))
        .env("DATABASE_URL", &database_url)
        .env("RUST_LOG", "warn");
    let _issuer = start(cmd, "listening on http://");

    // Issue one record: teacher imports, principal validates and signs.
    let school = "25000731";
    let teacher = token(&database_url, school, "teacher");
    let principal = token(&database_url, school, "principal");
    let record = std::fs::read_to_string(root().join("schema/examples/primary-grade5.json"))
        .expect("example");
    let auth = |t: &str| format!("Bearer {t}");
    let (status, body) = http(
        &issuer_addr,
        "POST",
        "/api/v1/records",
        &[("Authorization", &auth(&teacher))],
        &record,
    );
    assert_eq!(status, 200, "{body}");
    let imported: Value = serde_json::from_str(&body).expect("JSON");
    let record_id = imported["items"][0]["recordId"]
        .as_str()
        .unwrap_or_else(|| panic!("{imported}"))
        .to_owned();
    let (status, body) = http(
        &issuer_addr,
        "POST",
        &format!("/api/v1/records/{record_id}/validate"),
        &[("Authorization", &auth(&principal))],
        "",
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = http(
        &issuer_addr,
        "POST",
        "/api/v1/batches",
        &[
            ("Authorization", &auth(&principal)),
            ("Idempotency-Key", "e2e-online-1"),
        ],
        &json!({"schoolYear": "2025-2026", "className": "5A"}).to_string(),
    );
    assert!(status == 201 || status == 200, "{status} {body}");
    let deadline = Instant::now() + Duration::from_secs(60);
    let credential_id = loop {
        let (status, body) = http(
            &issuer_addr,
            "GET",
            "/api/v1/classes/2025-2026/5A/credentials",
            &[("Authorization", &auth(&teacher))],
            "",
        );
        if status == 200
            && let Ok(Value::Array(items)) = serde_json::from_str::<Value>(&body)
            && let Some(id) = items.first().and_then(|c| c["id"].as_str())
        {
            break id.to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "no credential signed: {status} {body}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let (status, credential) = http(
        &issuer_addr,
        "GET",
        &format!("/api/v1/credentials/{credential_id}"),
        &[
            ("Authorization", &auth(&principal)),
            ("Accept", "application/json"),
        ],
        "",
    );
    assert_eq!(status, 200, "{credential}");
    let doc: Value = serde_json::from_str(&credential).expect("credential JSON");
    let list_url = doc["credentialStatus"]["statusListCredential"]
        .as_str()
        .expect("a status entry");
    assert!(
        list_url.starts_with(&format!("{base}/status/")),
        "{list_url}"
    );
    let file = dir.path().join("credential.json");
    std::fs::write(&file, &credential).expect("write");

    // Online, one shot: valid, with the status checked against the fetched list.
    let (out, report) = verify_online(&base, &dir.path().join("cache-1"), &file);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert_eq!(report["result"], "valid", "{report}");
    let status_check = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == "status")
        .cloned()
        .expect("status check");
    assert_eq!(status_check["outcome"], "passed", "{report}");
    // The verified material was cached.
    assert!(
        std::fs::read_dir(dir.path().join("cache-1"))
            .expect("cache dir")
            .count()
            >= 4,
        "trust list and status list, each with its meta"
    );

    // The HTTP verifier, online against the same issuer.
    let verifier_addr = format!("127.0.0.1:{}", free_port());
    let mut cmd = Command::new(bin("hocba-verify"));
    cmd.args([
        "serve",
        "--online",
        &base,
        "--listen",
        &verifier_addr,
        "--cache-dir",
    ])
    .arg(dir.path().join("cache-serve"));
    let verifier = start(cmd, "listening on http://");
    // The QR landing page first, before any credential made this verifier fetch the school's
    // list: the summary names its index, the list is found through the issuer's index of the
    // school's lists, and the status is checked.
    let digits = qr_digits(&doc);
    let page = landing(&verifier_addr, &digits);
    assert!(page.contains("data-verdict=\"valid\""), "{page}");
    assert!(
        page.contains("data-check=\"status\" data-outcome=\"passed\""),
        "the status was checked: {page}"
    );
    let body = json!({"items": [{"credential": doc}]}).to_string();
    let (status, answer) = http(&verifier_addr, "POST", "/api/v1/verify", &[], &body);
    assert_eq!(status, 200, "{answer}");
    let answer: Value = serde_json::from_str(&answer).expect("JSON");
    assert_eq!(answer["items"][0]["verdict"], "valid", "{answer}");
    assert_eq!(answer["items"][0]["record"]["grade"], 5);
    // The printed record: the issuer's PDF, uploaded to the verifier's bulk API (its embedded
    // credential is verified).
    let (status, pdf) = http_bytes(
        &issuer_addr,
        "GET",
        &format!("/api/v1/credentials/{credential_id}/pdf"),
        &[("Authorization", &auth(&principal))],
        b"",
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&pdf));
    assert!(pdf.starts_with(b"%PDF-"));
    let mut form = Vec::new();
    form.extend_from_slice(
        b"--e2eBOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; \
          filename=\"hoc-ba.pdf\"\r\nContent-Type: application/pdf\r\n\r\n",
    );
    form.extend_from_slice(&pdf);
    form.extend_from_slice(b"\r\n--e2eBOUNDARY--\r\n");
    let (status, answer) = http_bytes(
        &verifier_addr,
        "POST",
        "/api/v1/verify",
        &[("Content-Type", "multipart/form-data; boundary=e2eBOUNDARY")],
        &form,
    );
    let answer: Value = serde_json::from_slice(&answer).expect("JSON");
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["items"][0]["name"], "hoc-ba.pdf");
    assert_eq!(answer["items"][0]["verdict"], "valid", "{answer}");
    assert_eq!(answer["items"][0]["credentialId"], credential_id.as_str());
    drop(verifier);

    // Revoke through the API; online verification now says revoked.
    let (status, body) = http(
        &issuer_addr,
        "POST",
        &format!("/api/v1/credentials/{credential_id}/revoke"),
        &[("Authorization", &auth(&principal))],
        &json!({"reason": "Sai điểm môn Toán, đã cấp lại"}).to_string(),
    );
    assert_eq!(status, 200, "{body}");
    let (out, report) = verify_online(&base, &dir.path().join("cache-2"), &file);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert_eq!(report["reason"], "revoked", "{report}");

    // A verifier started after the revocation: the HTTP API says revoked too.
    let verifier_addr = format!("127.0.0.1:{}", free_port());
    let mut cmd = Command::new(bin("hocba-verify"));
    cmd.args([
        "serve",
        "--online",
        &base,
        "--listen",
        &verifier_addr,
        "--cache-dir",
    ])
    .arg(dir.path().join("cache-serve-2"));
    let _verifier = start(cmd, "listening on http://");
    // The QR of the revoked record, on the landing page of that verifier.
    let page = landing(&verifier_addr, &digits);
    assert!(page.contains("data-verdict=\"revoked\""), "{page}");
    assert!(
        page.contains("data-check=\"status\" data-outcome=\"failed\""),
        "{page}"
    );
    let (status, answer) = http(
        &verifier_addr,
        "POST",
        "/api/v1/verify",
        &[],
        &body_of(&doc),
    );
    assert_eq!(status, 200, "{answer}");
    let answer: Value = serde_json::from_str(&answer).expect("JSON");
    assert_eq!(answer["items"][0]["verdict"], "revoked", "{answer}");
}

/// The digits of the QR code the issuer prints on `credential`'s PDF (the summary signed by
/// the development key of school 25000731, as `render_pdf` does).
fn qr_digits(credential: &Value) -> String {
    let key = hocba_issuer::keys::KeyPair::load(&root().join("keys/dev/school-25000731.pem"))
        .expect("development school key");
    let signed = hocba_issuer::pdf::sign_summary(credential, &key).expect("summary");
    assert!(
        signed.summary().status_index.is_some(),
        "the summary names its status index"
    );
    let text = hocba_schema::qr::qr_text("http://verifier.example", &signed).expect("QR text");
    text.rsplit_once("/V/").expect("a /V/ URL").1.to_owned()
}

/// The landing page `GET /V/{digits}` of the verifier at `addr` (English), 200 expected.
fn landing(addr: &str, digits: &str) -> String {
    let (status, page) = http(addr, "GET", &format!("/V/{digits}?lang=en"), &[], "");
    assert_eq!(status, 200, "{page}");
    page
}

fn body_of(doc: &Value) -> String {
    json!({"items": [{"credential": doc}]}).to_string()
}

/// Import one pupil of class 5A (student code `code`), validate, sign the class; the id of the
/// new credential and its bytes.
fn issue_pupil(
    addr: &str,
    teacher: &str,
    principal: &str,
    code: &str,
    batch_key: &str,
    known: &[String],
) -> (String, String) {
    let mut record: Value = serde_json::from_slice(
        &std::fs::read(root().join("schema/examples/primary-grade5.json")).expect("example"),
    )
    .expect("JSON");
    record["student"]["studentCode"] = json!(code);
    // Each pupil has their own personal identification number (how a pupil is recognised).
    record["student"]["personalIdNumber"] = json!(format!("0173150{}", &code[code.len() - 5..]));
    let auth = |t: &str| format!("Bearer {t}");
    let (status, body) = http(
        addr,
        "POST",
        "/api/v1/records",
        &[("Authorization", &auth(teacher))],
        &record.to_string(),
    );
    assert_eq!(status, 200, "{body}");
    let imported: Value = serde_json::from_str(&body).expect("JSON");
    let record_id = imported["items"][0]["recordId"]
        .as_str()
        .unwrap_or_else(|| panic!("{imported}"))
        .to_owned();
    let (status, body) = http(
        addr,
        "POST",
        &format!("/api/v1/records/{record_id}/validate"),
        &[("Authorization", &auth(principal))],
        "",
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = http(
        addr,
        "POST",
        "/api/v1/batches",
        &[
            ("Authorization", &auth(principal)),
            ("Idempotency-Key", batch_key),
        ],
        &json!({"recordIds": [record_id]}).to_string(),
    );
    assert!(status == 201 || status == 200, "{status} {body}");
    let deadline = Instant::now() + Duration::from_secs(60);
    let id = loop {
        let (status, body) = http(
            addr,
            "GET",
            "/api/v1/classes/2025-2026/5A/credentials",
            &[("Authorization", &auth(teacher))],
            "",
        );
        if status == 200
            && let Ok(Value::Array(items)) = serde_json::from_str::<Value>(&body)
            && let Some(id) = items
                .iter()
                .filter_map(|c| c["id"].as_str())
                .find(|id| !known.iter().any(|k| k == id))
        {
            break id.to_owned();
        }
        assert!(Instant::now() < deadline, "not signed: {status} {body}");
        std::thread::sleep(Duration::from_millis(200));
    };
    let (status, credential) = http(
        addr,
        "GET",
        &format!("/api/v1/credentials/{id}"),
        &[
            ("Authorization", &auth(principal)),
            ("Accept", "application/json"),
        ],
        "",
    );
    assert_eq!(status, 200, "{credential}");
    (id, credential)
}

/// The school makes a key pair in the issuer's key directory (`school-<code>-<suffix>.pem`)
/// and the authority adds its public half to the school.
fn new_school_key(issuer: &str, authority: &str, keys: &Path, school: &str, suffix: &str) {
    let private = keys.join(format!("school-{school}-{suffix}.pem"));
    let out = Command::new(bin("hocba-issuer"))
        .arg("keygen")
        .arg("--out")
        .arg(&private)
        .output()
        .expect("keygen");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let public = std::fs::read_to_string(keys.join(format!("school-{school}-{suffix}.pub.pem")))
        .expect("public key");
    let (status, body) = http(
        issuer,
        "POST",
        &format!("/api/v1/authority/schools/{school}/keys"),
        &[("Authorization", authority)],
        &json!({"publicKey": public}).to_string(),
    );
    assert_eq!(status, 201, "{body}");
}

fn key_of(credential: &str) -> String {
    let doc: Value = serde_json::from_str(credential).expect("JSON");
    doc["proof"]["verificationMethod"]
        .as_str()
        .and_then(|vm| vm.rsplit('#').next())
        .expect("verificationMethod")
        .to_owned()
}

/// Key rotation in the middle of the school year, then the new key compromised, through the
/// authority API of a running issuer; each verdict checked online.
#[test]
fn rotation_and_compromise_seen_online() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keys = dir.path().join("keys");
    std::fs::create_dir(&keys).expect("keys dir");
    for entry in std::fs::read_dir(root().join("keys/dev")).expect("keys/dev") {
        let entry = entry.expect("entry");
        // Files only: keys/dev/softhsm/ (and keys/dev/pki/) are folders of their own.
        if !entry.path().is_file() {
            continue;
        }
        std::fs::copy(entry.path(), keys.join(entry.file_name())).expect("copy");
    }
    let database_url = format!("sqlite://{}/hocba.db", dir.path().display());
    let issuer_addr = format!("127.0.0.1:{}", free_port());
    let base = format!("http://{issuer_addr}");
    let mut cmd = Command::new(bin("hocba-issuer"));
    cmd.args(["serve", "--listen", &issuer_addr, "--keys"])
        .arg(&keys)
        .env("DATABASE_URL", &database_url)
        .env("RUST_LOG", "warn");
    let _issuer = start(cmd, "listening on http://");
    let school = "25000731";
    let teacher = token(&database_url, school, "teacher");
    let principal = token(&database_url, school, "principal");
    let out = Command::new(bin("hocba-issuer"))
        .args([
            "token",
            "create",
            "--role",
            "authority",
            "--database-url",
            &database_url,
        ])
        .output()
        .expect("token create");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let authority = format!("Bearer {}", String::from_utf8_lossy(&out.stdout).trim());
    let check = |name: &str, credential: &str| -> Value {
        let file = dir.path().join(format!("{name}.json"));
        std::fs::write(&file, credential).expect("write");
        verify_online(&base, &dir.path().join(format!("cache-{name}")), &file).1
    };

    // Signed with the first key.
    let (old_id, old) = issue_pupil(&issuer_addr, &teacher, &principal, "1715042401", "b-1", &[]);
    let key1 = key_of(&old);
    assert_eq!(check("old-1", &old)["result"], "valid");

    // Rotation: a new key, the old one retired, a new trust list published.
    new_school_key(&issuer_addr, &authority, &keys, school, "2026");
    let (status, body) = http(
        &issuer_addr,
        "POST",
        &format!("/api/v1/authority/schools/{school}/keys/{key1}/retire"),
        &[("Authorization", &authority)],
        "{}",
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = http(
        &issuer_addr,
        "POST",
        "/api/v1/authority/trust-list",
        &[("Authorization", &authority)],
        "{}",
    );
    assert_eq!(status, 201, "{body}");
    // No wait: key times are whole seconds, like a proof's `created`, so a record signed in
    // the same second as the new key was added is valid.

    // Signed after the rotation: the new key. Both verify online.
    let (new_id, new) = issue_pupil(
        &issuer_addr,
        &teacher,
        &principal,
        "1715042402",
        "b-2",
        std::slice::from_ref(&old_id),
    );
    let key2 = key_of(&new);
    assert_ne!(key1, key2, "signing moved to the new key");
    let verdict = check("old-2", &old);
    assert_eq!(
        verdict["result"], "valid",
        "signed before retirement: {verdict}"
    );
    let verdict = check("new-1", &new);
    assert_eq!(verdict["result"], "valid", "{verdict}");

    // The new key is lost: the school gets a third key, the second is marked compromised, and
    // a new trust list is published. What the lost key signed is refused online; what the
    // retired key signed before its retirement stays valid (its status list now signed by the
    // third key).
    new_school_key(&issuer_addr, &authority, &keys, school, "2027");
    let (status, body) = http(
        &issuer_addr,
        "POST",
        &format!("/api/v1/authority/schools/{school}/keys/{key2}/compromise"),
        &[("Authorization", &authority)],
        "{}",
    );
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains(&new_id),
        "the school is told what to re-issue: {body}"
    );
    let (status, body) = http(
        &issuer_addr,
        "POST",
        "/api/v1/authority/trust-list",
        &[("Authorization", &authority)],
        "{}",
    );
    assert_eq!(status, 201, "{body}");
    let verdict = check("new-2", &new);
    assert_eq!(verdict["result"], "invalid", "{verdict}");
    assert_eq!(verdict["reason"], "compromised_key", "{verdict}");
    let verdict = check("old-3", &old);
    assert_eq!(verdict["result"], "valid", "{verdict}");
}
