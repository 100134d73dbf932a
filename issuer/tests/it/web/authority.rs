//! The Department's pages against a real `hocba-issuer serve`: a school's rate and what holds
//! its records back change as the school imports (through the API, with a token made on
//! `/account/tokens`) and signs; the CSV and XLSX downloads carry the page's numbers; schools,
//! keys and trust-list versions through the pages, each button acting once; the audit search
//! finds a signing; a principal gets the 403 page; the pages fit a phone and a desktop.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use ed25519_dalek::SigningKey;
use hocba_schema::multikey::encode_public_key;
use hocba_test_support::files::example;
use hocba_test_support::http::{Answer, request};
use serde_json::{Value, json};

use hocba_issuer::app::Issuer;
use hocba_issuer::store::{AuditEntry, AuditQuery};

use super::{Rig, Session, WebApp, create_http, set_password_http, urlencode};
use crate::common::{self, Ctx};

/// The dev school of the grade-5 example.
const SCHOOL: &str = "25000731";

fn between(html: &str, start: &str, end: &str) -> String {
    let at = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in {html}"))
        + start.len();
    html[at..at + html[at..].find(end).unwrap()].to_owned()
}

/// The authority signed in, and the principal of [`SCHOOL`] signed in.
fn authority_and_principal(app: &WebApp) -> (Session, Session) {
    set_password_http(app.addr(), &app.first_link);
    let authority = Session::sign_in(app.addr(), "authority");
    let link = create_http(
        &authority,
        "Lê Thị Mai",
        "ht.25000731",
        "principal",
        &format!("school_code={SCHOOL}"),
    );
    set_password_http(app.addr(), &link);
    let principal = Session::sign_in(app.addr(), "ht.25000731");
    (authority, principal)
}

/// The numbers of one row of the province page (`data-` attributes of `#school-<code>` or
/// `#province`).
pub(super) fn figures(html: &str, id: &str) -> Value {
    let row = between(html, &format!("id=\"{id}\""), ">");
    let mut out = serde_json::Map::new();
    for name in ["expected", "signed", "held", "refused"] {
        let v: i64 = between(&row, &format!("data-{name}=\""), "\"")
            .parse()
            .unwrap();
        out.insert(name.to_owned(), json!(v));
    }
    Value::Object(out)
}

/// The count of a reason on the province page, 0 when absent.
fn reason_count(html: &str, rule: &str) -> i64 {
    let key = format!("data-rule=\"{rule}\" data-count=\"");
    html.find(&key)
        .map(|at| {
            let rest = &html[at + key.len()..];
            rest[..rest.find('"').unwrap()].parse().unwrap()
        })
        .unwrap_or(0)
}

/// An API call with a bearer token.
fn api(
    app: &WebApp,
    token: &str,
    method: &str,
    path: &str,
    extra: &[(&str, &str)],
    body: &Value,
) -> Answer {
    let auth = format!("Bearer {token}");
    let mut headers = vec![
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
    ];
    headers.extend_from_slice(extra);
    request(
        app.addr(),
        method,
        path,
        &headers,
        body.to_string().as_bytes(),
    )
}

/// Six pupils of class 5A: the fifth with a personal ID number whose 4th digit says a boy
/// born in the 2000s although she is a girl (a warning: held back), the sixth with an
/// 11-digit number (an error: refused at import).
fn class_with_mismatches() -> Value {
    let base = example("primary-grade5.json");
    Value::Array(
        (0..6)
            .map(|i| {
                let mut r = base.clone();
                r["student"]["studentCode"] = json!(format!("17150424{i:02}"));
                r["student"]["personalIdNumber"] = json!(match i {
                    4 => format!("0172150048{i:02}"),
                    5 => "01731500481".to_owned(),
                    _ => format!("0173150048{i:02}"),
                });
                r
            })
            .collect(),
    )
}

#[test]
fn the_authority_sees_a_schools_rate_change_and_what_holds_records_back() {
    let app = WebApp::start("authority-coverage");
    let (authority, principal) = authority_and_principal(&app);

    // Nobody but the Department: the principal gets the 403 page, in Vietnamese.
    let denied = principal.get("/authority");
    assert_eq!(denied.status, 403);
    assert!(denied.text().contains("Không có quyền"));
    assert_eq!(principal.get("/authority/coverage.csv").status, 403);

    let before = authority.get("/authority");
    assert_eq!(before.status, 200, "{}", before.text());
    assert_eq!(
        figures(&before.text(), &format!("school-{SCHOOL}")),
        json!({"expected": 0, "signed": 0, "held": 0, "refused": 0})
    );

    // The principal makes a token on the page and imports through the API.
    let csrf = principal.csrf("/account/tokens");
    let made = principal.post("/account/tokens", &format!("_csrf={csrf}&days=30"));
    let token = between(&made.text(), "id=\"new-token\">", "<");
    let imported = api(
        &app,
        &token,
        "POST",
        "/api/v1/records",
        &[],
        &class_with_mismatches(),
    );
    assert_eq!(imported.status, 200, "{}", imported.text());

    let page = authority.get("/authority").text();
    assert_eq!(
        figures(&page, &format!("school-{SCHOOL}")),
        json!({"expected": 5, "signed": 0, "held": 1, "refused": 1}),
        "five drafts stored, one held back by its ID number, one row refused"
    );
    assert_eq!(reason_count(&page, "personal-id-gender-century"), 1);
    assert_eq!(reason_count(&page, "personal-id-format"), 1);
    assert!(page.contains("Mã định danh cá nhân không khớp giới tính"));

    // Validate (warnings not accepted: the mismatch stays) and sign the class.
    let validated = api(
        &app,
        &token,
        "POST",
        "/api/v1/records/validate",
        &[],
        &json!({"schoolYear": "2025-2026", "className": "5A"}),
    );
    assert_eq!(validated.status, 200, "{}", validated.text());
    let batch = api(
        &app,
        &token,
        "POST",
        "/api/v1/batches",
        &[("Idempotency-Key", "authority-test-1")],
        &json!({"schoolYear": "2025-2026", "className": "5A"}),
    );
    assert!(
        batch.status == 201 || batch.status == 202,
        "{}",
        batch.text()
    );
    let mut page = String::new();
    for _ in 0..100 {
        page = authority.get("/authority").text();
        if figures(&page, &format!("school-{SCHOOL}"))["signed"] == 4 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(
        figures(&page, &format!("school-{SCHOOL}")),
        json!({"expected": 5, "signed": 4, "held": 1, "refused": 1})
    );
    assert_eq!(
        figures(&page, "province"),
        json!({"expected": 5, "signed": 4, "held": 1, "refused": 1})
    );
    assert!(page.contains("80,00 %"), "the rate 4 / 5");

    // The downloads carry the same numbers; their names hold no personal data.
    let csv = authority.get("/authority/coverage.csv?year=2025-2026");
    assert_eq!(csv.status, 200);
    assert!(
        csv.header("content-disposition")
            .unwrap()
            .contains("bao-phu-hoc-ba-2025-2026.csv")
    );
    let body = csv.body.strip_prefix(b"\xEF\xBB\xBF").unwrap().to_vec();
    let mut reader = csv::Reader::from_reader(body.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let school_row = rows.iter().find(|r| &r[0] == SCHOOL).unwrap();
    assert_eq!(
        [
            &school_row[3],
            &school_row[4],
            &school_row[5],
            &school_row[9],
            &school_row[10]
        ],
        ["5", "4", "80.00", "1", "1"]
    );

    let xlsx = authority.get("/authority/coverage.xlsx?year=2025-2026");
    assert_eq!(xlsx.status, 200);
    assert!(
        xlsx.header("content-disposition")
            .unwrap()
            .contains("bao-phu-hoc-ba-2025-2026.xlsx")
    );
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(xlsx.body.clone())).unwrap();
    let sheet = book.worksheet_range("2025-2026").unwrap();
    let line = sheet
        .rows()
        .find(|r| r[0] == Data::String(SCHOOL.to_owned()))
        .unwrap();
    assert_eq!(
        [&line[3], &line[4], &line[5], &line[9], &line[10]],
        [
            &Data::Float(5.0),
            &Data::Float(4.0),
            &Data::Float(80.0),
            &Data::Float(1.0),
            &Data::Float(1.0)
        ]
    );

    // Correcting the gender the ID number disagrees with (a new version of the draft) clears
    // the reason.
    let id = imported.json()["items"][4]["recordId"]
        .as_str()
        .unwrap()
        .to_owned();
    let read = api(
        &app,
        &token,
        "GET",
        &format!("/api/v1/records/{id}"),
        &[],
        &json!(null),
    );
    let etag = read.header("etag").unwrap().to_owned();
    let mut fixed = class_with_mismatches()[4].clone();
    fixed["student"]["gender"] = json!("nam");
    let again = api(
        &app,
        &token,
        "PUT",
        &format!("/api/v1/records/{id}"),
        &[("If-Match", &etag)],
        &fixed,
    );
    assert_eq!(again.status, 200, "{}", again.text());
    let page = authority.get("/authority").text();
    assert_eq!(figures(&page, &format!("school-{SCHOOL}"))["held"], 0);
    assert_eq!(reason_count(&page, "personal-id-gender-century"), 0);

    // The audit search finds the signings, by action and school; another school has none.
    let found = authority.get(&format!("/authority/audit?action=sign&school={SCHOOL}"));
    assert_eq!(found.status, 200);
    assert_eq!(found.text().matches("data-action=\"sign\"").count(), 4);
    assert!(found.text().contains("Lê Thị Mai"), "who signed");
    let none = authority.get("/authority/audit?action=sign&school=79000701");
    assert_eq!(none.text().matches("data-action=\"sign\"").count(), 0);
    let bad_date = authority.get("/authority/audit?from=29-05-2026");
    assert_eq!(bad_date.status, 422);
    assert!(bad_date.text().contains("năm-tháng-ngày"));
}

#[test]
fn schools_keys_and_trust_list_versions_through_the_pages_each_act_once() {
    let app = WebApp::start("authority-schools");
    let (authority, principal) = authority_and_principal(&app);
    let csrf = authority.csrf("/authority/schools");

    // A bad code is said on the page; a good one registers the school, once.
    let bad = authority.post(
        "/authority/schools",
        &format!("_csrf={csrf}&code=25-0&name=X&province=Y"),
    );
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains("Mã trường gồm 1–20 chữ cái"));
    let form = format!(
        "_csrf={csrf}&code=25009999&name={}&province={}",
        urlencode("Trường Tiểu học Thử Nghiệm"),
        urlencode("Phú Thọ")
    );
    let registered = authority.post("/authority/schools", &form);
    assert_eq!(registered.status, 201, "{}", registered.text());
    assert!(registered.text().contains("id=\"s-25009999\""));
    let twice = authority.post("/authority/schools", &form);
    assert_eq!(twice.status, 422);
    assert!(twice.text().contains("đã được đăng ký"));

    // A form without its CSRF token, or from a principal, does nothing.
    assert_eq!(
        authority
            .post("/authority/schools", "code=25009998&name=A&province=B")
            .status,
        403
    );
    let principal_csrf = principal.csrf("/account/tokens");
    assert_eq!(
        principal
            .post(
                "/authority/schools",
                &format!("_csrf={principal_csrf}&code=25009997&name=A&province=B")
            )
            .status,
        403
    );

    // A key: a private key is refused with what to send instead; the public key is added.
    let key = encode_public_key(&SigningKey::from_bytes(&[9u8; 32]).verifying_key());
    let add = |body: &str| authority.post("/authority/schools/25009999/keys", body);
    let private = add(&format!(
        "_csrf={csrf}&public_key={}",
        urlencode("-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----")
    ));
    assert_eq!(private.status, 422);
    assert!(private.text().contains("khoá bí mật"));
    let added = add(&format!("_csrf={csrf}&public_key={key}"));
    assert_eq!(added.status, 201, "{}", added.text());
    assert!(
        added
            .text()
            .contains(&format!("data-key=\"{key}\" data-status=\"active\""))
    );
    assert_eq!(
        authority
            .post(
                "/authority/schools/00000000/keys",
                &format!("_csrf={csrf}&public_key={key}")
            )
            .status,
        404,
        "an unknown school is the 404 page"
    );

    // Retire: once; the second press says so and changes nothing.
    let retire = format!("/authority/schools/25009999/keys/{key}/retire");
    let retired = authority.post(&retire, &format!("_csrf={csrf}"));
    assert_eq!(retired.status, 200, "{}", retired.text());
    assert!(
        retired
            .text()
            .contains(&format!("data-key=\"{key}\" data-status=\"retired\""))
    );
    let again = authority.post(&retire, &format!("_csrf={csrf}"));
    assert_eq!(again.status, 409);
    assert!(again.text().contains("không còn ở trạng thái đang dùng"));

    // Compromise: only when confirmed.
    let compromise = format!("/authority/schools/25009999/keys/{key}/compromise");
    let unconfirmed = authority.post(&compromise, &format!("_csrf={csrf}"));
    assert_eq!(unconfirmed.status, 422);
    assert!(unconfirmed.text().contains("data-status=\"retired\""));
    let marked = authority.post(&compromise, &format!("_csrf={csrf}&confirm=yes"));
    assert_eq!(marked.status, 200, "{}", marked.text());
    assert!(
        marked
            .text()
            .contains(&format!("data-key=\"{key}\" data-status=\"compromised\""))
    );
    assert!(marked.text().contains("cần cấp lại 0 hồ sơ"));

    // Publish a version: once per press, and the service serves it.
    let versions = |html: &str| html.matches("data-version=\"").count();
    let page = authority.get("/authority/trust-list").text();
    let before = versions(&page);
    let after = between(&page, "name=\"after\" value=\"", "\"");
    let publish = format!("_csrf={csrf}&after={after}&next_due_days=30");
    let published = authority.post("/authority/trust-list", &publish);
    assert_eq!(published.status, 201, "{}", published.text());
    assert_eq!(versions(&published.text()), before + 1);
    let pressed_again = authority.post("/authority/trust-list", &publish);
    assert_eq!(pressed_again.status, 200);
    assert!(pressed_again.text().contains("không xuất bản thêm"));
    assert_eq!(versions(&pressed_again.text()), before + 1);
    let list = request(
        app.addr(),
        "GET",
        "/.well-known/hocba/trust-list.json",
        &[],
        b"",
    );
    assert!(
        list.text().contains("25009999"),
        "the new school is in the served list"
    );
    assert!(list.text().contains(&key));
    let bad_days = authority.post(
        "/authority/trust-list",
        &format!("_csrf={csrf}&after={}&next_due_days=0", before + 1),
    );
    assert_eq!(bad_days.status, 409);
    assert!(bad_days.text().contains("từ 1 đến 3650"));

    // The audit log has each action, by whom.
    let log = authority.get("/authority/audit?action=authority").text();
    for action in [
        "authority.register-school",
        "authority.add-key",
        "authority.retire-key",
        "authority.compromise-key",
        "authority.publish",
    ] {
        assert_eq!(
            log.matches(&format!("data-action=\"{action}\"")).count(),
            1,
            "{action} once"
        );
    }
}

#[test]
fn the_department_pages_fit_a_desktop_and_a_phone() {
    let Some(rig) = Rig::start("authority-pages") else {
        return;
    };
    rig.set_password(&rig.app.first_link);
    rig.sign_in("authority");
    for (path, shot) in [
        ("/authority", "province"),
        ("/authority/schools", "schools"),
        ("/authority/trust-list", "trust"),
        ("/authority/audit", "audit"),
    ] {
        rig.open(path);
        rig.b.wait_for("main h1", 50);
        rig.check(shot);
        if path == "/authority" {
            assert!(
                rig.text("#schools").contains(SCHOOL),
                "the dev schools listed"
            );
        }
    }
    rig.check_on_phone(
        "authority",
        &[
            "/authority",
            "/authority/schools",
            "/authority/trust-list",
            "/authority/audit",
        ],
    );
}

/// The counting queries on either database: a school's records by state, a draft held back
/// (checked once per version), rows refused at import, the audit search.
async fn province_counts(ctx: Ctx) {
    let store = ctx.store.clone();
    let now = common::now();
    let school = common::school(&store, "25000731").await;
    let other = common::school(&store, "79000701").await;
    common::validated_record(&store, &school, "k1").await;
    let pupil = common::pupil(&store, &school, "k2").await;
    store
        .insert_draft(&school.id, &common::draft(&pupil), None, now)
        .await
        .unwrap();
    let issuer = Issuer::offline(store.clone(), now);
    let cov = issuer.province_coverage(None, now).await.unwrap();
    assert_eq!(cov.school_year, "2024-2025");
    assert_eq!(cov.years, ["2024-2025"]);
    let line = cov.schools.iter().find(|s| s.code == "25000731").unwrap();
    assert_eq!(
        (
            line.pupils,
            line.expected,
            line.validated,
            line.draft,
            line.held
        ),
        (2, 2, 1, 1, 1),
        "the draft is no record the rules can read: held back"
    );
    assert_eq!(cov.reasons[0].kind, "validation");
    assert_eq!(issuer.check_drafts(now).await.unwrap(), 0, "checked once");
    let empty = cov.schools.iter().find(|s| s.code == "79000701").unwrap();
    assert_eq!((empty.expected, empty.held), (0, 0));

    issuer
        .note_import(
            &school.id,
            &[],
            &vec!["personal-id-format".to_owned(); 2],
            now,
        )
        .await
        .unwrap();
    let cov = issuer
        .province_coverage(Some("2024-2025"), now)
        .await
        .unwrap();
    assert_eq!(cov.total.refused, 2);
    assert_eq!(cov.total.held, 1);

    for (school_id, action) in [
        (&school.id, "sign"),
        (&other.id, "sign"),
        (&school.id, "share.create"),
    ] {
        store
            .append_audit(&AuditEntry {
                at: now,
                school_id: Some(school_id.clone()),
                user_id: None,
                action: action.to_owned(),
                subject: "cred-1".to_owned(),
                details_json: "{}".to_owned(),
            })
            .await
            .unwrap();
    }
    let q = |action: &str, code: &str| AuditQuery {
        action: Some(action.to_owned()),
        school_code: Some(code.to_owned()),
        subject: Some("CRED".to_owned()),
        from: Some(now),
        until: Some(now + time::Duration::days(1)),
        ..AuditQuery::default()
    };
    assert_eq!(
        store
            .search_audit(&q("sign", "25000731"), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .search_audit(&q("share", "25000731"), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store.search_audit(&q("sign", ""), 10).await.unwrap().len(),
        2
    );
    assert_eq!(
        store
            .search_audit(&q("revoke", ""), 10)
            .await
            .unwrap()
            .len(),
        0
    );
}

crate::both_databases!(province_counts);
