//! The web app: the family's pages: the child's records as PDFs, share codes and every use of them.
//!
//! Each test starts a real `hocba-issuer serve` on a fresh SQLite file; the school's side is
//! done as the school would (the authority makes the principal and a portal on `/accounts`, the
//! principal imports, validates and signs through the API with a token made on
//! `/account/tokens`, then makes the guardian accounts), the portal redeems through the API,
//! and the guardian uses the pages in Chromium (the main path) or over plain HTTP (what a
//! browser would not send).

use std::path::Path;
use std::sync::Arc;

use crate::common;

use axum::http::StatusCode;
use common::Ctx;
use common::http::{import_validated, post_with};
use hocba_issuer::api::{self, ApiConfig, AppState, SchoolKeys};
use hocba_issuer::app::family::DOUBLE_SUBMIT_WINDOW;
use hocba_issuer::app::share_codes::{Redeemed, ShareRequest};
use hocba_issuer::error::IssuerError;
use hocba_issuer::store::{Role, ShareRefusal, ShareState, StoreError};
use hocba_test_support::http::{Answer, request};
use serde_json::{Value, json};
use time::Duration;

use super::{Rig, Session, WebApp, create_http, set_password_http, urlencode};

both_databases!(the_family_sees_each_use_of_its_codes_and_nothing_of_another_pupil);

/// The example record's pupil (school 79000701) and a second pupil of the same class.
const PUPIL_X: &str = "7909112233";
const PUPIL_Y: &str = "7909112234";
const PORTAL_NAME: &str = "Cổng tuyển sinh lớp 10 TP.HCM";

/// The text of the element with `id` in `html`.
fn by_id(html: &str, id: &str) -> String {
    let open = format!("id=\"{id}\">");
    let at = html
        .find(&open)
        .unwrap_or_else(|| panic!("no #{id} in {html}"))
        + open.len();
    html[at..at + html[at..].find('<').unwrap()].to_owned()
}

/// An API token of the signed-in person, made on `/account/tokens`.
fn token_of(s: &Session) -> String {
    let csrf = s.csrf("/account/tokens");
    let a = s.post("/account/tokens", &format!("_csrf={csrf}&days=30"));
    assert_eq!(a.status, 201, "{}", a.text());
    by_id(&a.text(), "new-token")
}

/// A JSON API call with a bearer token.
fn api(addr: &str, method: &str, path: &str, token: &str, body: &Value) -> Answer {
    let body = if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    request(
        addr,
        method,
        path,
        &[
            ("Authorization", &format!("Bearer {token}")),
            ("Content-Type", "application/json"),
        ],
        &body,
    )
}

/// The school's side, done: pupil X and pupil Y of 79000701 each have a signed record, each
/// has a guardian account (`ph.x`, `ph.y`) with a password, and a portal has an API token.
struct School {
    principal: Session,
    portal_token: String,
    /// Pupil X's credential, pupil Y's credential.
    x: String,
    y: String,
}

fn school(app: &WebApp) -> School {
    let addr = app.addr();
    set_password_http(addr, &app.first_link);
    let authority = Session::sign_in(addr, "authority");
    let principal_link = create_http(
        &authority,
        "Huỳnh Thị Mỹ Dung",
        "ht.79000701",
        "principal",
        "school_code=79000701",
    );
    let portal_link = create_http(&authority, PORTAL_NAME, "cong.hcm", "portal", "");
    set_password_http(addr, &principal_link);
    set_password_http(addr, &portal_link);
    let principal = Session::sign_in(addr, "ht.79000701");
    let token = token_of(&principal);

    let example =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/examples/secondary-grade11.json");
    let x: Value = serde_json::from_slice(&std::fs::read(example).unwrap()).unwrap();
    assert_eq!(x["student"]["studentCode"], PUPIL_X);
    let mut y = x.clone();
    y["student"]["studentCode"] = json!(PUPIL_Y);
    y["student"]["personalIdNumber"] = json!("079309012685");
    y["student"]["fullName"] = json!("Lâm Thị Thu Hà");
    let imported = api(addr, "POST", "/api/v1/records", &token, &json!([x, y]));
    assert_eq!(imported.status, 200, "{}", imported.text());
    let ids: Vec<String> = imported.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            assert_eq!(i["saved"], true, "{i}");
            i["recordId"].as_str().unwrap().to_owned()
        })
        .collect();
    for id in &ids {
        let v = api(
            addr,
            "POST",
            &format!("/api/v1/records/{id}/validate"),
            &token,
            &Value::Null,
        );
        assert_eq!(v.status, 200, "{}", v.text());
    }
    let signed = request(
        addr,
        "POST",
        "/api/v1/batches",
        &[
            ("Authorization", &format!("Bearer {token}")),
            ("Content-Type", "application/json"),
            ("Idempotency-Key", "family-1"),
        ],
        json!({ "recordIds": ids }).to_string().as_bytes(),
    );
    assert_eq!(signed.status, 201, "{}", signed.text());
    let credentials: Vec<String> = signed.json()["report"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["credentialId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(credentials.len(), 2);

    for (login, pupil) in [("ph.x", PUPIL_X), ("ph.y", PUPIL_Y)] {
        let link = create_http(
            &principal,
            "Phụ huynh",
            login,
            "guardian",
            &format!("pupil={pupil}"),
        );
        set_password_http(addr, &link);
    }
    let portal = Session::sign_in(addr, "cong.hcm");
    School {
        principal,
        portal_token: token_of(&portal),
        x: credentials[0].clone(),
        y: credentials[1].clone(),
    }
}

/// The portal redeems `code` through the API.
fn redeem(app: &WebApp, school: &School, code: &str) -> Answer {
    api(
        app.addr(),
        "POST",
        "/api/v1/shares/redeem",
        &school.portal_token,
        &json!({ "code": code }),
    )
}

/// Posts the share form as `s`; `extra` is appended to the body.
fn share_http(s: &Session, body: &str) -> Answer {
    let csrf = s.csrf("/family/shares");
    s.post("/family/shares", &format!("_csrf={csrf}&{body}"))
}

#[test]
fn a_guardian_makes_a_share_code_and_after_a_portal_redeems_it_sees_the_use_listed() {
    let Some(rig) = Rig::start("family") else {
        return;
    };
    let school = school(&rig.app);

    rig.sign_in("ph.x");
    rig.wait_path("/family");
    let records = rig.text("table.family-records");
    assert!(records.contains("2025-2026"), "{records}");
    assert!(records.contains("11A2"), "{records}");
    assert!(rig.text("main .lead").contains("Võ Ngọc Bảo Trân"));
    assert!(
        !rig.b.source().contains(&school.y),
        "another pupil's record is not listed"
    );
    rig.check("records");

    // The record's PDF, through the link the page gives, only for the own pupil.
    let guardian = Session::sign_in(rig.app.addr(), "ph.x");
    let href = format!("/family/records/{}/pdf", school.x);
    assert!(rig.b.source().contains(&href));
    let pdf = guardian.get(&href);
    assert_eq!(pdf.status, 200, "{}", pdf.text());
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    assert!(pdf.body.starts_with(b"%PDF"));
    let disposition = pdf.header("content-disposition").unwrap().to_owned();
    assert!(disposition.starts_with("inline;"), "{disposition}");
    assert!(disposition.contains("hoc-ba-2025-2026-"), "{disposition}");
    for personal in ["Vo", "Tran", "079309012684", PUPIL_X] {
        assert!(!disposition.contains(personal), "{disposition}");
    }

    // A code for the record, a purpose, 30 days, this portal only: shown once.
    rig.click("a[href='/family/shares']");
    rig.wait_path("/family/shares");
    assert_eq!(
        rig.b
            .script("return document.querySelector('input[name=credential]').checked;"),
        json!(true),
        "the only record is chosen"
    );
    rig.fill("#purpose", "Tuyển sinh lớp 10 năm học 2026-2027");
    rig.fill("#days", "30");
    rig.b.script(&format!(
        "var s = document.querySelector('#portal'); \
         s.value = [...s.options].find(o => o.text === {}).value;",
        json!(PORTAL_NAME)
    ));
    rig.click("form[action='/family/shares'] button[type=submit]");
    let code = rig.text("#share-code");
    assert!(code.starts_with("HB-"), "{code}");
    rig.check("share-made");
    let listed = rig.text("section.family-share");
    assert!(listed.contains(PORTAL_NAME), "{listed}");
    assert!(listed.contains("Chưa ai dùng mã này"), "{listed}");

    // The portal redeems it; the family sees who and when.
    let redeemed = redeem(&rig.app, &school, &code);
    assert_eq!(redeemed.status, 200, "{}", redeemed.text());
    rig.open("/family/shares");
    assert!(!rig.b.source().contains(&code), "a code is shown once");
    let uses = rig.text("section.family-share table.family-uses tbody");
    assert!(uses.contains(PORTAL_NAME), "{uses}");
    assert!(uses.contains("Đã nhận học bạ"), "{uses}");
    let year = time::OffsetDateTime::now_utc().year().to_string();
    assert!(
        uses.contains(&format!("/{year} ")),
        "a date and time: {uses}"
    );
    assert!(
        rig.text("section.family-share .badge")
            .contains("Đã sử dụng")
    );

    // Another code, for any portal, withdrawn: the portal is then refused, and that is listed.
    rig.fill("#purpose", "Hồ sơ học bổng");
    rig.click("form[action='/family/shares'] button[type=submit]");
    let second = rig.text("#share-code");
    assert_ne!(second, code);
    rig.click("section.family-share form[action$='/withdraw'] button");
    rig.wait_path("/family/shares");
    rig.b.wait_for("main h1", 50);
    let newest = rig.text("section.family-share");
    assert!(newest.contains("Hồ sơ học bổng"), "{newest}");
    assert!(newest.contains("Đã rút lại"), "{newest}");
    assert_eq!(redeem(&rig.app, &school, &second).status, 410);
    rig.open("/family/shares");
    let newest = rig.text("section.family-share");
    assert!(newest.contains("Bị từ chối: mã đã bị rút lại"), "{newest}");
    assert!(newest.contains(PORTAL_NAME), "{newest}");
    rig.b
        .script("document.querySelector('section.family-share:last-of-type').scrollIntoView();");
    rig.check("shares");

    rig.click("header a.lang");
    assert_eq!(rig.text("main h1"), "Share records");
    assert!(rig.text("main").contains("Received the records"));
    rig.check("shares-en");
    rig.click("header a.lang");

    rig.check_on_phone("ph.x", &["/family", "/family/shares"]);
}

#[test]
fn another_pupils_things_are_404_and_bad_forms_get_a_clear_page() {
    let app = WebApp::start("family-http");
    let school = school(&app);
    let addr = app.addr();
    let x = Session::sign_in(addr, "ph.x");
    let y = Session::sign_in(addr, "ph.y");

    // Another pupil's record and PDF: the 404 page, as for an id that does not exist.
    for path in [
        format!("/family/records/{}/pdf", school.y),
        "/family/records/urn:uuid:00000000-0000-4000-8000-000000000000/pdf".to_owned(),
    ] {
        let a = x.get(&path);
        assert_eq!(a.status, 404, "{path}: {}", a.text());
        assert!(a.text().contains("Không tìm thấy"));
    }
    assert!(!x.get("/family").text().contains(&school.y));
    let foreign = share_http(
        &x,
        &format!(
            "credential={}&purpose=X&days=10&portal=",
            urlencode(&school.y)
        ),
    );
    assert_eq!(foreign.status, 404, "{}", foreign.text());

    // Pupil Y's own code cannot be withdrawn by pupil X's guardian.
    let made = share_http(
        &y,
        &format!(
            "credential={}&purpose={}&days=10&portal=",
            urlencode(&school.y),
            urlencode("Tuyển sinh")
        ),
    );
    assert_eq!(made.status, 201, "{}", made.text());
    let html = y.get("/family/shares").text();
    let at = html.find("/family/shares/").unwrap() + "/family/shares/".len();
    let y_share = &html[at..at + html[at..].find('/').unwrap()];
    let csrf = x.csrf("/family/shares");
    let cross = x.post(
        &format!("/family/shares/{y_share}/withdraw"),
        &format!("_csrf={csrf}"),
    );
    assert_eq!(cross.status, 404, "{}", cross.text());
    assert!(y.get("/family/shares").text().contains("Đang hiệu lực"));

    // More than 90 days, or not a number: the form again, with the rule; nothing made.
    let own = urlencode(&school.x);
    for days in ["91", "365", "ba-muoi"] {
        let a = share_http(
            &x,
            &format!("credential={own}&purpose=Tuy%E1%BB%83n+sinh&days={days}"),
        );
        assert_eq!(a.status, 422, "{days}: {}", a.text());
        assert!(
            a.text()
                .contains("Thời hạn của mã phải từ 1 đến 90 ngày. Hãy nhập số ngày từ 1 đến 90."),
            "{}",
            a.text()
        );
        assert!(
            a.text().contains("value=\"Tuyển sinh\""),
            "the form is kept"
        );
    }
    let none = share_http(&x, &format!("credential={own}&purpose=+&days=30"));
    assert_eq!(none.status, 422);
    assert!(none.text().contains("Hãy ghi mục đích chia sẻ"));
    let nothing = share_http(&x, "purpose=Tuyen+sinh&days=30");
    assert_eq!(nothing.status, 422);
    assert!(nothing.text().contains("Hãy chọn ít nhất một học bạ"));
    assert!(
        x.get("/family/shares")
            .text()
            .contains("Chưa có mã chia sẻ nào")
    );

    // Without the session's CSRF token: refused, nothing made.
    let forged = x.post(
        "/family/shares",
        &format!("credential={own}&purpose=Tuyen+sinh&days=30"),
    );
    assert_eq!(forged.status, 403);
    assert!(forged.text().contains("Biểu mẫu đã hết hạn"));
    let forged = x.post(&format!("/family/shares/{y_share}/withdraw"), "");
    assert_eq!(forged.status, 403);
    assert!(
        x.get("/family/shares")
            .text()
            .contains("Chưa có mã chia sẻ nào")
    );

    // A double submission makes one code; the second answer says so.
    let body = format!("credential={own}&purpose=Tuyen+sinh&days=30");
    let first = share_http(&x, &body);
    assert_eq!(first.status, 201);
    let code = by_id(&first.text(), "share-code");
    let again = share_http(&x, &body);
    assert_eq!(again.status, 422);
    assert!(again.text().contains("vừa được tạo"));
    let list = x.get("/family/shares").text();
    assert_eq!(list.matches("class=\"card family-share\"").count(), 1);

    // A used code cannot be withdrawn: said in Vietnamese, not a 5xx.
    assert_eq!(redeem(&app, &school, &code).status, 200);
    let list = x.get("/family/shares").text();
    let at = list.find("/family/shares/");
    assert!(at.is_none(), "a used code has no withdraw button");
    let html = x.get("/family/shares").text();
    let at = html.find("id=\"share-").unwrap() + "id=\"share-".len();
    let used = &html[at..at + html[at..].find('"').unwrap()];
    let csrf = x.csrf("/family/shares");
    let late = x.post(
        &format!("/family/shares/{used}/withdraw"),
        &format!("_csrf={csrf}"),
    );
    assert_eq!(late.status, 409, "{}", late.text());
    assert!(late.text().contains("không rút lại được"));

    // Other roles: the 403 page; nobody signed in: the sign-in page.
    for path in [
        "/family",
        "/family/shares",
        &format!("/family/records/{}/pdf", school.x),
    ] {
        let a = school.principal.get(path);
        assert_eq!(a.status, 403, "{path}");
        assert!(a.text().contains("Không có quyền"));
    }
    let anonymous = request(addr, "GET", "/family", &[], b"");
    assert_eq!(anonymous.status, 303);
    assert_eq!(anonymous.header("location"), Some("/sign-in?next=/family"));
}

/// The application layer under the pages, on SQLite and PostgreSQL: the uses of each code in
/// order with the portal's name and outcome, a disabled portal no longer offered, another
/// pupil's record and code not found, a double submission refused until the window passes.
async fn the_family_sees_each_use_of_its_codes_and_nothing_of_another_pupil(ctx: Ctx) {
    let store = ctx.store.clone();
    // Whole microseconds, as the store keeps times.
    let start = common::http::wall_clock();
    let start = start.replace_microsecond(start.microsecond()).unwrap();
    let keys = SchoolKeys::load(&common::http::repo().join("keys/dev")).unwrap();
    keys.register_schools(&store, start).await.unwrap();
    let school = store.school_by_code("79000701").await.unwrap();
    let state = AppState::with_clock(
        store.clone(),
        keys,
        ApiConfig::default(),
        Arc::new(move || start),
    );
    let app = api::app(state.clone());
    let issuer = state.issuer();
    let principal = common::http::token(
        &store,
        Some(&school),
        Role::Principal,
        Duration::days(1),
        start,
    )
    .await;
    let x = common::http::example("secondary-grade11.json");
    let mut y = x.clone();
    y["student"]["studentCode"] = json!(PUPIL_Y);
    y["student"]["personalIdNumber"] = json!("079309012685");
    let ids = import_validated(&app, &principal, &principal, &json!([x, y])).await;
    let signed = post_with(
        &app,
        "/api/v1/batches",
        &principal,
        &[("idempotency-key", "f")],
        &json!({ "recordIds": ids }),
    )
    .await
    .ok(StatusCode::CREATED);
    let credential = |i: usize| {
        signed["report"]["items"][i]["credentialId"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (cx, cy) = (credential(0), credential(1));
    let px = store
        .pupil_by_student_code(&school.id, PUPIL_X)
        .await
        .unwrap();
    let py = store
        .pupil_by_student_code(&school.id, PUPIL_Y)
        .await
        .unwrap();
    let gx = store
        .create_guardian(&school.id, &px.id, "Phụ huynh X", start)
        .await
        .unwrap();
    let gy = store
        .create_guardian(&school.id, &py.id, "Phụ huynh Y", start)
        .await
        .unwrap();
    let (gx, gy) = (
        store.account(&gx.id).await.unwrap(),
        store.account(&gy.id).await.unwrap(),
    );
    let portal = |name: &'static str| {
        let store = store.clone();
        async move {
            let (id, _) =
                common::http::account(&store, None, Role::Portal, Duration::days(1), start).await;
            sqlx::query("UPDATE users SET display_name = $1 WHERE id = $2")
                .bind(name)
                .bind(&id)
                .execute(store.pool())
                .await
                .unwrap();
            id
        }
    };
    let (p1, p2) = (portal("Cổng A").await, portal("Cổng B").await);
    let names: Vec<String> = issuer
        .family_portals()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["Cổng A", "Cổng B"]);

    // Only the own pupil's record: another pupil's is not found, a principal is refused.
    let records = issuer.family_records(&gx).await.unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].credential.id, cx);
    let (name, pdf) = issuer.family_pdf(&gx, &cx, start).await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    assert!(name.starts_with("hoc-ba-2025-2026-"), "{name}");
    assert!(matches!(
        issuer.family_pdf(&gx, &cy, start).await,
        Err(IssuerError::Store(StoreError::NotFound { .. }))
    ));
    let principal_account = store
        .create_user(
            &hocba_issuer::store::NewUser {
                school_id: Some(school.id.clone()),
                display_name: "Hiệu trưởng".to_owned(),
                role: Role::Principal,
            },
            start,
        )
        .await
        .unwrap();
    let principal_account = store.account(&principal_account.id).await.unwrap();
    assert!(matches!(
        issuer.family_records(&principal_account).await,
        Err(IssuerError::Forbidden { .. })
    ));

    // A code for portal 1: portal 2 is refused (foreign), portal 1 receives, then is refused
    // (used); the family sees the three, in order, with names and outcomes.
    let request = |recipient: Option<&str>| ShareRequest {
        credentials: vec![cx.clone()],
        purpose: "Tuyển sinh lớp 10".to_owned(),
        expires_in_days: Some(30),
        recipient: recipient.map(str::to_owned),
    };
    let made = issuer
        .family_share(&gx, request(Some(&p1)), start)
        .await
        .unwrap();
    let code = made.code.expose();
    let at = |s: i64| start + Duration::seconds(s);
    assert!(matches!(
        issuer
            .redeem_share(&p2, "192.0.2.1", &code, at(1))
            .await
            .unwrap(),
        Redeemed::Unknown
    ));
    assert!(matches!(
        issuer
            .redeem_share(&p1, "192.0.2.2", &code, at(2))
            .await
            .unwrap(),
        Redeemed::Done { .. }
    ));
    assert!(matches!(
        issuer
            .redeem_share(&p1, "192.0.2.2", &code, at(3))
            .await
            .unwrap(),
        Redeemed::Refused(ShareRefusal::Used)
    ));
    let shares = issuer.family_shares(&gx, at(4)).await.unwrap();
    assert_eq!(shares.len(), 1);
    assert_eq!(shares[0].state, ShareState::Redeemed);
    assert_eq!(shares[0].recipient_name.as_deref(), Some("Cổng A"));
    let uses: Vec<_> = shares[0]
        .uses
        .iter()
        .map(|u| (u.portal_name.clone().unwrap(), u.refused, u.at))
        .collect();
    assert_eq!(
        uses,
        [
            ("Cổng B".to_owned(), Some(ShareRefusal::Foreign), at(1)),
            ("Cổng A".to_owned(), None, at(2)),
            ("Cổng A".to_owned(), Some(ShareRefusal::Used), at(3)),
        ]
    );

    // The same request again at once is a double submission; after the window it is a new code.
    issuer
        .family_share(&gx, request(None), at(5))
        .await
        .unwrap();
    match issuer.family_share(&gx, request(None), at(6)).await {
        Err(IssuerError::Invalid(r)) => assert_eq!(r.rule, "share_just_made"),
        other => panic!("a double submission: {other:?}"),
    }
    let later = at(6) + DOUBLE_SUBMIT_WINDOW;
    issuer
        .family_share(&gx, request(None), later)
        .await
        .unwrap();
    assert_eq!(issuer.family_shares(&gx, later).await.unwrap().len(), 3);

    // Pupil Y's family sees none of it, and cannot withdraw X's code; a used code stays.
    assert!(issuer.family_shares(&gy, later).await.unwrap().is_empty());
    assert!(matches!(
        issuer.family_withdraw(&gy, &made.share.id, later).await,
        Err(IssuerError::Store(StoreError::NotFound { .. }))
    ));
    match issuer.family_withdraw(&gx, &made.share.id, later).await {
        Err(IssuerError::Invalid(r)) => assert_eq!(r.rule, "share_redeemed"),
        other => panic!("withdrawing a used code: {other:?}"),
    }

    // A disabled portal is no longer offered.
    sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2")
        .bind("2026-01-01T00:00:00.000000Z")
        .bind(&p2)
        .execute(store.pool())
        .await
        .unwrap();
    let names: Vec<String> = issuer
        .family_portals()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["Cổng A"]);
}
