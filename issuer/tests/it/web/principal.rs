//! The principal's pages against a real `hocba-issuer serve`: a class imported and validated
//! through the API (a token made on `/account/tokens`), then in Chromium the school year at
//! a glance, signing the class with the progress at 100 %, the class ZIP whose PDFs verify
//! with `hocba-verify --online`, the PDF preview, revoking with a reason and re-issuing a
//! corrected record (the two pages link each other, the new credential names the old one),
//! the audit log; over plain HTTP what a browser would not send: a teacher on the signing
//! action (403 page), another school's cookie (404 pages), a form without its CSRF token,
//! a double click on the sign button (one batch, each record signed once), bad input.

use std::path::{Path, PathBuf};
use std::process::Command;

use hocba_issuer::store::Store;
use hocba_test_support::files::{example, repo};
use hocba_test_support::http::{Answer, request};
use serde_json::{Value, json};

use super::{Rig, Session, WebApp, create_http, set_password_http, urlencode};

pub(super) const YEAR: &str = "2025-2026";
pub(super) const CLASS: &str = "11A2";
const NAMES: [&str; 5] = [
    "Võ Ngọc Bảo Trân",
    "Nguyễn Minh Anh",
    "Trần Quốc Huy",
    "Lê Thị Thu Hà",
    "Phạm Gia Bảo",
];

/// A new account of `role` (signed in over HTTP), made by `by`.
fn account(
    app: &WebApp,
    by: &Session,
    name: &str,
    login: &str,
    role: &str,
    extra: &str,
) -> Session {
    let link = create_http(by, name, login, role, extra);
    set_password_http(app.addr(), &link);
    Session::sign_in(app.addr(), login)
}

/// The authority, signed in.
fn authority(app: &WebApp) -> Session {
    set_password_http(app.addr(), &app.first_link);
    Session::sign_in(app.addr(), "authority")
}

/// An API token of `s`, made on its tokens page.
pub(super) fn token_of(s: &Session) -> String {
    let csrf = s.csrf("/account/tokens");
    let a = s.post("/account/tokens", &format!("_csrf={csrf}&days=30"));
    assert!(a.status == 201 || a.status == 200, "{}", a.text());
    let html = a.text();
    let at = html.find("id=\"new-token\">").unwrap() + "id=\"new-token\">".len();
    html[at..at + html[at..].find('<').unwrap()].to_owned()
}

/// The record of pupil `i` of class 11A2 of school 79000701 (the grade-11 example with
/// that pupil's name, student code and personal identification number).
fn pupil_record(i: usize) -> Value {
    let mut r = example("secondary-grade11.json");
    r["student"]["fullName"] = json!(NAMES[i]);
    r["student"]["studentCode"] = json!(format!("79091122{:02}", i + 10));
    r["student"]["personalIdNumber"] = json!(format!("0793090126{:02}", i + 10));
    r
}

/// `POST path` of the API with `token` and a JSON body.
fn api_post(app: &WebApp, token: &str, path: &str, body: &Value) -> Answer {
    request(
        app.addr(),
        "POST",
        path,
        &[
            ("Authorization", &format!("Bearer {token}")),
            ("Content-Type", "application/json"),
        ],
        body.to_string().as_bytes(),
    )
}

/// The first-start authority, and principal `login` (Nguyễn Thị Hoa, school 79000701) whose
/// class 11A2 is imported and validated through the API: (authority, principal, API token).
pub(super) fn principal_with_class(app: &WebApp, login: &str) -> (Session, Session, String) {
    let auth = authority(app);
    let principal = account(
        app,
        &auth,
        "Nguyễn Thị Hoa",
        login,
        "principal",
        "school_code=79000701",
    );
    let token = token_of(&principal);
    import_class(app, &token);
    (auth, principal, token)
}

/// Class 11A2 (one record per name), imported and validated through the API with `token`.
fn import_class(app: &WebApp, token: &str) {
    let records: Vec<Value> = (0..NAMES.len()).map(pupil_record).collect();
    let api = |path: &str, body: &Value| api_post(app, token, path, body);
    let imported = api("/api/v1/records", &Value::Array(records));
    assert_eq!(imported.status, 200, "{}", imported.text());
    let validated = api(
        "/api/v1/records/validate",
        &json!({"schoolYear": YEAR, "className": CLASS, "acceptWarnings": true}),
    );
    assert_eq!(validated.status, 200, "{}", validated.text());
}

/// The record pages a page links to, in order.
fn record_links(html: &str) -> Vec<String> {
    let mut out: Vec<String> = html
        .match_indices("href=\"/school/records/")
        .map(|(at, m)| {
            let rest = &html[at + m.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .filter(|id| !id.contains('/'))
        .collect();
    out.dedup();
    out
}

/// The number shown in the overview's `.n-<state>` link of the class.
pub(super) fn count(html: &str, state: &str) -> usize {
    let at = html
        .find(&format!("class=\"n-{state}\""))
        .unwrap_or_else(|| panic!("no {state} count in {html}"));
    let rest = &html[at..];
    let rest = &rest[rest.find('>').unwrap() + 1..];
    rest[..rest.find('<').unwrap()].trim().parse().unwrap()
}

/// The `hocba-verify` binary, built on demand into this workspace's target directory.
pub(super) fn hocba_verify() -> PathBuf {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .to_owned();
    let status = Command::new(env!("CARGO"))
        .args(["build", "-p", "hocba-verifier", "--bin", "hocba-verify"])
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(repo())
        .status()
        .expect("cargo build");
    assert!(status.success(), "building hocba-verify failed");
    target.join("debug").join("hocba-verify")
}

/// Rewinds batch `id` (of 5 records) in the server's database to running at 2 of 5 under a
/// worker's lease far ahead (so nobody takes it over), or finishes it again.
fn set_batch(dir: &Path, id: &str, running: bool) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = Store::connect(&format!("sqlite://{}/hocba.db", dir.display()))
            .await
            .unwrap();
        let sql = if running {
            "UPDATE batches SET state = 'running', succeeded = 2, worker_id = 'a-test', \
             lease_until = '2999-01-01T00:00:00.000000Z' WHERE id = $1"
        } else {
            "UPDATE batches SET state = 'done', succeeded = 5, worker_id = NULL, \
             lease_until = NULL WHERE id = $1"
        };
        let done = sqlx::query(sql)
            .bind(id)
            .execute(store.pool())
            .await
            .unwrap();
        assert_eq!(done.rows_affected(), 1);
    });
}

fn header<'a>(a: &'a Answer, name: &str) -> &'a str {
    a.header(name).unwrap_or("")
}

#[test]
fn the_principal_signs_the_class_downloads_a_zip_that_verifies_revokes_and_reissues() {
    let Some(rig) = Rig::start("principal") else {
        return;
    };
    let addr = rig.app.addr().to_owned();
    let (_, principal, token) = principal_with_class(&rig.app, "ht.79000701");

    // The school year at a glance: five pupils, five validated, nothing signed.
    rig.sign_in("ht.79000701");
    rig.wait_path("/school");
    let table = rig.text("#classes");
    assert!(table.contains(CLASS), "{table}");
    let html = rig.b.source();
    assert_eq!(count(&html, "validated"), 5);
    assert_eq!(count(&html, "signed"), 0);
    rig.check("overview");

    // The list of names behind a count, by given name (Anh, Bảo, Huy, Trân).
    rig.click("a.n-validated");
    rig.wait_path("/school/classes/");
    let roster = rig.text("#roster");
    let at = |n: &str| roster.find(n).unwrap_or_else(|| panic!("{n} in {roster}"));
    assert!(at("Nguyễn Minh Anh") < at("Phạm Gia Bảo"));
    assert!(at("Phạm Gia Bảo") < at("Trần Quốc Huy"));
    assert!(at("Trần Quốc Huy") < at("Võ Ngọc Bảo Trân"));
    rig.check("roster");

    // Sign the class: the batch page reaches 100 % and offers the class ZIP.
    rig.click("form.sign button[type=submit]");
    rig.wait_path("/school/batches/");
    rig.b.wait_for("#batch-done", 100);
    let bar = rig.b.find("#batch progress");
    assert_eq!(rig.b.attribute(&bar, "value").as_deref(), Some("100"));
    assert!(rig.text("#batch-label").contains("Đã ký 5/5 hồ sơ"));
    rig.check("batch");
    let batch_path = rig.path();
    let batch_id = batch_path
        .trim_start_matches("/school/batches/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let progress = principal.get(&format!("/school/batches/{batch_id}/progress"));
    assert_eq!(progress.status, 200);
    let p = progress.json();
    assert_eq!(
        (p["percent"].as_i64(), p["done"].as_bool()),
        (Some(100), Some(true)),
        "{p}"
    );
    let zip_href = rig.b.attribute(&rig.b.find("#zip"), "href").unwrap();
    let zip_path = &zip_href[zip_href.find("/school/").unwrap()..];

    // The ZIP: five PDFs, each verifies online against this issuer (signature, trust list,
    // status list), named without the pupil's personal ID number.
    let zip = principal.get(zip_path);
    assert_eq!(zip.status, 200, "{}", zip.text());
    assert_eq!(header(&zip, "content-type"), "application/zip");
    assert!(header(&zip, "content-disposition").starts_with("attachment"));
    let dir = rig.app.dir.join("zip");
    std::fs::create_dir_all(&dir).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.body.clone())).unwrap();
    assert_eq!(archive.len(), 5);
    let verify = hocba_verify();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().to_string();
        assert!(
            name.ends_with(".pdf") && !name.contains("0793090126"),
            "{name}"
        );
        let path = dir.join(format!("{i}.pdf"));
        let mut out = std::fs::File::create(&path).unwrap();
        std::io::copy(&mut file, &mut out).unwrap();
        let v = Command::new(&verify)
            .args(["--online", &format!("http://{addr}"), "--cache-dir"])
            .arg(dir.join("cache"))
            .arg("--json")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            v.status.success(),
            "{name} does not verify: {}\n{}",
            String::from_utf8_lossy(&v.stdout),
            String::from_utf8_lossy(&v.stderr)
        );
    }

    // While a batch runs, its page shows how far it is and a reload link; the script polls
    // the progress and, once done, shows the finished page without a click.
    set_batch(&rig.app.dir, &batch_id, true);
    rig.open(&batch_path);
    assert!(rig.b.try_find("#reload").is_some());
    assert!(rig.b.try_find("#batch-done").is_none());
    let bar = rig.b.find("#batch progress");
    assert_eq!(rig.b.attribute(&bar, "value").as_deref(), Some("40"));
    assert!(rig.text("#batch-label").contains("Đã ký 2/5 hồ sơ"));
    let p = principal
        .get(&format!("/school/batches/{batch_id}/progress"))
        .json();
    assert_eq!(
        (p["percent"].as_i64(), p["done"].as_bool()),
        (Some(40), Some(false)),
        "{p}"
    );
    rig.check("batch-running");
    set_batch(&rig.app.dir, &batch_id, false);
    rig.b.wait_for("#batch-done", 100);
    assert!(rig.text("#batch-label").contains("Đã ký 5/5 hồ sơ"));

    // The overview now counts five signed.
    rig.open("/school");
    let html = rig.b.source();
    assert_eq!(count(&html, "signed"), 5);
    assert_eq!(count(&html, "validated"), 0);

    // A record's PDF preview: inline, a file name without personal data.
    rig.open(&format!("/school/classes/{YEAR}/{CLASS}"));
    let ids = record_links(&rig.b.source());
    assert_eq!(ids.len(), 5, "{ids:?}");
    let first = ids[0].clone();
    let pdf = principal.get(&format!("/school/records/{first}/pdf"));
    assert_eq!(pdf.status, 200, "{}", pdf.text());
    assert_eq!(header(&pdf, "content-type"), "application/pdf");
    let disposition = header(&pdf, "content-disposition");
    assert!(
        disposition.starts_with("inline; filename=\"hoc-ba-"),
        "{disposition}"
    );
    assert!(!disposition.to_lowercase().contains("anh"), "{disposition}");
    assert!(pdf.body.starts_with(b"%PDF"));

    // Revoke with a reason, then re-issue: a new draft, validated, signed again.
    rig.open(&format!("/school/records/{first}"));
    assert!(rig.text("#record-state").contains("Đã ký số"));
    rig.check("record-signed");
    rig.fill("#reason", "Sai điểm môn Toán học kì 2");
    rig.click("#revoke button[type=submit]");
    rig.b.wait_for("#correct", 50);
    assert!(rig.text("#record-state").contains("Đã thu hồi"));
    assert!(rig.text("main").contains("Sai điểm môn Toán học kì 2"));
    rig.click("#correct button[type=submit]");
    rig.b.wait_for("#replaces", 50);
    let new_path = rig.path();
    let second = new_path.trim_start_matches("/school/records/").to_owned();
    assert_ne!(second, first);
    assert!(rig.text("#record-state").contains("Nháp"));
    rig.check("record-correction");
    // The correction itself: the class file's row re-imported with the comment corrected
    // lands in the new draft.
    let mut corrected = pupil_record(1);
    corrected["teacherComment"] =
        json!("Em học tập xuất sắc, là lớp trưởng gương mẫu (đã đính chính).");
    let reimported = api_post(&rig.app, &token, "/api/v1/records", &corrected);
    assert_eq!(reimported.status, 200, "{}", reimported.text());
    assert!(rig.text("h1").contains(NAMES[1]));
    let old_href = rig.b.attribute(&rig.b.find("#replaces a"), "href").unwrap();
    assert!(
        old_href.ends_with(&format!("/school/records/{first}")),
        "{old_href}"
    );
    rig.b
        .script("document.querySelector('input[name=accept_warnings]').checked = true;");
    rig.click("form[action$='/validate'] button[type=submit]");
    rig.b.wait_for("main h1", 50);
    for _ in 0..50 {
        if rig.text("#record-state").contains("Đã duyệt") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(rig.text("#record-state").contains("Đã duyệt"));
    rig.open(&format!("/school/classes/{YEAR}/{CLASS}"));
    rig.click("form.sign button[type=submit]");
    rig.wait_path("/school/batches/");
    rig.b.wait_for("#batch-done", 100);
    assert!(rig.text("#batch-label").contains("Đã ký 1/1 hồ sơ"));

    // Both pages link each other; the new credential names the revoked one.
    rig.open(&format!("/school/records/{second}"));
    assert!(rig.text("#record-state").contains("Đã ký số"));
    assert!(rig.b.try_find("#replaces").is_some());
    let new_html = principal.get(&format!("/school/records/{second}")).text();
    rig.open(&format!("/school/records/{first}"));
    let next = rig
        .b
        .attribute(&rig.b.find("#replaced-by a"), "href")
        .unwrap();
    assert!(
        next.ends_with(&format!("/school/records/{second}")),
        "{next}"
    );
    assert!(
        rig.b.try_find("#correct").is_none(),
        "a re-issued record offers no second re-issue"
    );
    let old_credential = {
        let html = principal.get(&format!("/school/records/{first}")).text();
        let at = html.find("urn:uuid:").unwrap();
        html[at..at + html[at..].find('<').unwrap()].to_owned()
    };
    let new_pdf = principal.get(&format!("/school/records/{second}/pdf"));
    assert_eq!(new_pdf.status, 200);
    let path = dir.join("new.pdf");
    std::fs::write(&path, &new_pdf.body).unwrap();
    let v = Command::new(&verify)
        .args(["--online", &format!("http://{addr}"), "--cache-dir"])
        .arg(dir.join("cache"))
        .arg("--json")
        .arg(&path)
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
    let new_credential = {
        let at = new_html.find("urn:uuid:").unwrap();
        new_html[at..at + new_html[at..].find('<').unwrap()].to_owned()
    };
    assert_ne!(new_credential, old_credential);
    let signed_json = request(
        &addr,
        "GET",
        &format!("/api/v1/credentials/{}", urlencode(&new_credential)),
        &[("Authorization", &format!("Bearer {token}"))],
        b"",
    );
    assert_eq!(signed_json.status, 200);
    let signed_json = signed_json.text();
    assert!(
        signed_json.contains("(đã đính chính)"),
        "the correction is signed"
    );
    assert!(
        signed_json.contains(&old_credential),
        "the new credential names the old one"
    );
    // The revoked one no longer verifies; the other four still do.
    let revoked_count = (0..5)
        .filter(|i| {
            let v = Command::new(&verify)
                .args(["--online", &format!("http://{addr}"), "--cache-dir"])
                .arg(dir.join(format!("cache-{i}")))
                .arg("--json")
                .arg(dir.join(format!("{i}.pdf")))
                .output()
                .unwrap();
            !v.status.success()
        })
        .count();
    assert_eq!(revoked_count, 1, "exactly the revoked PDF fails");

    // The audit log names who did what, in Vietnamese, newest first.
    rig.open("/school/audit");
    let log = rig.text("#audit");
    assert!(
        log.contains("Thu hồi học bạ — lý do: Sai điểm môn Toán học kì 2"),
        "{log}"
    );
    assert!(log.contains("Nguyễn Thị Hoa"), "{log}");
    assert!(
        log.find("Ký số học bạ").unwrap() < log.find("Thu hồi học bạ").unwrap(),
        "{log}"
    );
    rig.check("audit");
    rig.open("/school/reissue");
    assert!(
        rig.text("#reissue")
            .contains("Không có học bạ nào cần cấp lại")
    );
    rig.check("reissue");
    rig.open("/school");
    rig.click("header a.lang");
    assert_eq!(rig.text("main h1"), "The school year");
    assert!(rig.text("#classes").contains("Signed"));
    rig.check("overview-en");
    rig.click("header a.lang");

    rig.check_on_phone(
        "ht.79000701",
        &[
            "/school",
            &format!("/school/classes/{YEAR}/{CLASS}"),
            &format!("/school/records/{first}"),
            &format!("/school/records/{second}"),
            &batch_path,
            "/school/audit",
            "/school/reissue",
        ],
    );
}

#[test]
fn teachers_other_schools_missing_tokens_and_double_clicks_are_refused_or_once() {
    let app = WebApp::start("principal-refusals");
    let (auth, a, _) = principal_with_class(&app, "ht.a");
    let b = account(
        &app,
        &auth,
        "Đỗ Văn Nam",
        "ht.b",
        "principal",
        "school_code=01001205",
    );
    let teacher = account(&app, &a, "Trần Văn Minh", "gv.minh", "teacher", "");
    let roster = a.get(&format!("/school/classes/{YEAR}/{CLASS}"));
    assert_eq!(roster.status, 200);
    let ids = record_links(&roster.text());
    assert_eq!(ids.len(), 5);
    let nonce = "n1";
    let sign_body = |csrf: &str| format!("_csrf={csrf}&year={YEAR}&class={CLASS}&nonce={nonce}");

    // A teacher: the 403 page on the signing action and on the principal's pages.
    let t_csrf = teacher.csrf("/account/tokens");
    let refused = teacher.post("/school/sign", &sign_body(&t_csrf));
    assert_eq!(refused.status, 403);
    assert!(
        refused.text().contains("Không có quyền"),
        "{}",
        refused.text()
    );
    assert_eq!(teacher.get("/school").status, 403);
    assert_eq!(
        teacher
            .get(&format!("/school/records/{}/pdf", ids[0]))
            .status,
        403
    );

    // Without the CSRF token: refused, nothing signed.
    let no_csrf = a.post(
        "/school/sign",
        &format!("year={YEAR}&class={CLASS}&nonce={nonce}"),
    );
    assert_eq!(no_csrf.status, 403);
    assert!(no_csrf.text().contains("Biểu mẫu đã hết hạn"));
    assert_eq!(count(&a.get("/school").text(), "validated"), 5);

    // School B's cookie on school A's things: the 404 page, nothing done.
    let b_csrf = b.csrf("/school");
    for path in [
        format!("/school/classes/{YEAR}/{CLASS}"),
        format!("/school/classes/{YEAR}/{CLASS}/zip"),
        format!("/school/records/{}", ids[0]),
        format!("/school/records/{}/pdf", ids[0]),
    ] {
        let got = b.get(&path);
        assert_eq!(got.status, 404, "{path}");
        assert!(got.text().contains("Không tìm thấy"), "{path}");
    }
    let cross = b.post(
        &format!("/school/records/{}/validate", ids[0]),
        &format!("_csrf={b_csrf}"),
    );
    assert_eq!(cross.status, 404);
    let b_sign = b.post("/school/sign", &sign_body(&b_csrf));
    assert_eq!(
        b_sign.status,
        409,
        "school B has nothing to sign: {}",
        b_sign.text()
    );
    assert!(
        b_sign
            .text()
            .contains("Không có hồ sơ đã duyệt nào để ký số")
    );

    // A double click: two requests with the form's nonce, at once → one batch, five signed.
    let csrf = a.csrf("/school");
    let body = sign_body(&csrf);
    let (one, two) = std::thread::scope(|s| {
        let x = s.spawn(|| a.post("/school/sign", &body));
        let y = s.spawn(|| a.post("/school/sign", &body));
        (x.join().unwrap(), y.join().unwrap())
    });
    assert_eq!(
        (one.status, two.status),
        (303, 303),
        "{} {}",
        one.text(),
        two.text()
    );
    let batch = header(&one, "location").to_owned();
    assert_eq!(
        batch,
        header(&two, "location"),
        "the second click joins the first batch"
    );
    let overview = a.get("/school").text();
    assert_eq!(count(&overview, "signed"), 5);
    let batch_page = a.get(&batch);
    assert_eq!(batch_page.status, 200);
    assert!(batch_page.text().contains("Đã ký 5/5 hồ sơ"));
    let b_batch = b.get(&batch);
    assert_eq!(b_batch.status, 404, "another school's batch");
    let audit = a.get("/school/audit").text();
    assert_eq!(
        audit.matches("Ký số học bạ").count(),
        5,
        "each record signed once"
    );
    // The same form sent again after a new pupil was validated: refused in words (the key
    // covered other records), nothing signed; a fresh form signs the newcomer only.
    let mut sixth = pupil_record(0);
    sixth["student"]["fullName"] = json!("Đặng Thanh Tâm");
    sixth["student"]["studentCode"] = json!("7909112299");
    sixth["student"]["personalIdNumber"] = json!("079309012699");
    let token = token_of(&a);
    assert_eq!(
        api_post(&app, &token, "/api/v1/records", &sixth).status,
        200
    );
    let validated = api_post(
        &app,
        &token,
        "/api/v1/records/validate",
        &json!({"schoolYear": YEAR, "className": CLASS, "acceptWarnings": true}),
    );
    assert_eq!(validated.status, 200);
    let stale = a.post("/school/sign", &body);
    assert_eq!(stale.status, 409, "{}", stale.text());
    assert!(
        stale.text().contains("danh sách hồ sơ đã thay đổi"),
        "{}",
        stale.text()
    );
    assert_eq!(count(&a.get("/school").text(), "validated"), 1);
    let fresh = a.post(
        "/school/sign",
        &format!("_csrf={csrf}&year={YEAR}&class={CLASS}&nonce=n3"),
    );
    assert_eq!(fresh.status, 303);
    assert!(
        a.get(header(&fresh, "location"))
            .text()
            .contains("Đã ký 1/1 hồ sơ")
    );

    // The same form again later: nothing is left to sign, said in words, not a 5xx.
    let again = a.post(
        "/school/sign",
        &format!("_csrf={csrf}&year={YEAR}&class={CLASS}&nonce=n2"),
    );
    assert_eq!(again.status, 409);

    // Bad input: a revocation without a reason, a sign form without a year.
    let empty = a.post(
        &format!("/school/records/{}/revoke", ids[0]),
        &format!("_csrf={csrf}&reason="),
    );
    assert_eq!(empty.status, 422, "{}", empty.text());
    assert!(empty.text().contains("Chưa thu hồi"), "{}", empty.text());
    let not_revoked = a.post(
        &format!("/school/records/{}/correct", ids[0]),
        &format!("_csrf={csrf}"),
    );
    assert_eq!(not_revoked.status, 409, "{}", not_revoked.text());
    assert!(
        not_revoked
            .text()
            .contains("Chỉ cấp lại được hồ sơ đã thu hồi")
    );
    let no_year = a.post("/school/sign", &format!("_csrf={csrf}&nonce=x"));
    assert_eq!(no_year.status, 400);
    assert_eq!(a.get("/school/classes/2099-2100/9Z").status, 404);
    assert_eq!(
        a.get(&format!("/school/classes/{YEAR}/{CLASS}?state=nonsense"))
            .status,
        404
    );
}

#[test]
fn the_reissue_list_shows_what_a_compromised_key_signed() {
    let app = WebApp::start("principal-reissue");
    let (auth, a, token) = principal_with_class(&app, "ht.a");
    let csrf = a.csrf("/school");
    let signed = a.post(
        "/school/sign",
        &format!("_csrf={csrf}&year={YEAR}&nonce=whole-school"),
    );
    assert_eq!(signed.status, 303, "{}", signed.text());
    let empty = a.get("/school/reissue");
    assert_eq!(empty.status, 200);
    assert!(empty.text().contains("Không có học bạ nào cần cấp lại"));

    // The key that signed them, from a signed credential, marked compromised by the Department.
    let ids = record_links(&a.get(&format!("/school/classes/{YEAR}/{CLASS}")).text());
    let html = a.get(&format!("/school/records/{}", ids[0])).text();
    let at = html.find("urn:uuid:").unwrap();
    let credential_id = &html[at..at + html[at..].find('<').unwrap()];
    let credential = request(
        app.addr(),
        "GET",
        &format!("/api/v1/credentials/{}", urlencode(credential_id)),
        &[("Authorization", &format!("Bearer {token}"))],
        b"",
    );
    assert_eq!(credential.status, 200, "{}", credential.text());
    let text = credential.text();
    let key_at = text.find("#z6Mk").unwrap() + 1;
    let key = &text[key_at..key_at + text[key_at..].find('"').unwrap()];
    let auth_token = token_of(&auth);
    let marked = request(
        app.addr(),
        "POST",
        &format!("/api/v1/authority/schools/79000701/keys/{key}/compromise"),
        &[
            ("Authorization", &format!("Bearer {auth_token}")),
            ("Content-Type", "application/json"),
        ],
        b"{}",
    );
    assert_eq!(marked.status, 200, "{}", marked.text());

    // The principal's list names the five pupils, none revoked yet, each linking its record.
    let list = a.get("/school/reissue");
    assert_eq!(list.status, 200);
    let list = list.text();
    for name in NAMES {
        assert!(list.contains(name), "{name} in {list}");
    }
    assert_eq!(list.matches("Chưa thu hồi").count(), 5, "{list}");
    let mut linked = record_links(&list);
    linked.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(linked, expected);
}
