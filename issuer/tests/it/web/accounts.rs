//! Accounts in the browser and over HTTP: the first start's link, who creates whom, sign-in
//! and its limits, CSRF, sessions and their expiry, a person's own API tokens.

use hocba_test_support::http::request;
use time::macros::datetime;

use super::{
    PASSWORD, Rig, Session, WebApp, create_http, csrf_of, set_cookie, set_password_http, urlencode,
};

#[test]
fn the_first_start_link_leads_to_an_authority_who_makes_a_principal_who_makes_a_teacher() {
    let Some(rig) = Rig::start("accounts") else {
        return;
    };
    // The link works once: the page asks for the new password, then sends to sign-in.
    rig.b.open(&rig.app.first_link);
    assert!(rig.text("main").contains("authority"));
    rig.check("setup");
    rig.set_password(&rig.app.first_link);
    rig.b.open(&rig.app.first_link);
    assert!(
        rig.text("main").contains("Liên kết này đã được dùng"),
        "a used link is refused"
    );

    rig.open("/sign-in");
    rig.check("sign-in");
    rig.sign_in("authority");
    rig.open("/account/tokens");
    assert!(rig.text("header .who").contains("Sở Giáo dục và Đào tạo"));
    // The Department registers a new school on its pages, then makes that school's principal.
    rig.open("/authority/schools");
    rig.fill("#code", "79000999");
    rig.fill("#name", "Trường THPT Mới");
    rig.fill("#province", "TP. Hồ Chí Minh");
    rig.click("form[method='post'][action='/authority/schools'] button[type=submit]");
    assert!(
        rig.text("#done").contains("79000999") || rig.text("#done").contains("Trường THPT Mới")
    );
    let new_school_link = rig.create_account(
        "Lê Văn Tâm",
        "ht.79000999",
        "principal",
        Some(("#school_code", "79000999")),
    );
    assert!(new_school_link.contains("/setup/"), "{new_school_link}");
    let principal_link = rig.create_account(
        "Nguyễn Thị Hoa",
        "ht.79000701",
        "principal",
        Some(("#school_code", "79000701")),
    );
    assert!(
        principal_link.starts_with(&rig.app.url("/setup/")),
        "{principal_link}"
    );
    rig.check("accounts-authority");
    assert!(rig.text("table.list").contains("Nguyễn Thị Hoa"));
    rig.sign_out();

    rig.set_password(&principal_link);
    rig.sign_in("ht.79000701");
    rig.open("/account/tokens");
    assert!(rig.text("header .who").contains("Hiệu trưởng"));
    let teacher_link = rig.create_account("Trần Văn Minh", "gv.minh", "teacher", None);
    rig.check("accounts-principal");
    rig.sign_out();

    rig.set_password(&teacher_link);
    rig.sign_in("gv.minh");
    rig.open("/account/tokens");
    assert!(rig.text("header .who").contains("Giáo viên chủ nhiệm"));
    // A teacher manages no accounts: a 403 page, in Vietnamese, with the way back.
    rig.open("/accounts");
    assert!(rig.text("main h1").contains("Không có quyền"));
    rig.check("forbidden");

    // Own API tokens: made on the page, shown once, revoked there, refused by the API after.
    rig.open("/account/tokens");
    rig.click("form[action='/account/tokens'] button[type=submit]");
    let token = rig.text("#new-token");
    assert!(token.starts_with("hb_"), "{token}");
    rig.check("tokens");
    let bearer = format!("Bearer {token}");
    let api = |t: &str| {
        request(
            rig.app.addr(),
            "GET",
            "/api/v1/records",
            &[("Authorization", t)],
            b"",
        )
    };
    assert_eq!(api(&bearer).status, 200);
    rig.open("/account/tokens");
    assert!(!rig.b.source().contains(&token), "a token is shown once");
    rig.click("form[action$='/revoke'] button");
    rig.b.wait_for("main h1", 50);
    assert!(rig.text("table.list").contains("Đã thu hồi"));
    assert_eq!(api(&bearer).status, 401);

    // English switch keeps the page.
    rig.click("header a.lang");
    assert_eq!(rig.text("main h1"), "API tokens");
    rig.check("tokens-en");
    rig.click("header a.lang");

    rig.check_on_phone("gv.minh", &["/account/tokens", "/sign-in"]);

    // The log names routes, never a link's secret, a token or a person's password.
    let log = rig.app.server.kill();
    assert!(log.contains("/setup/{secret}"), "{log}");
    for secret in [&principal_link, &teacher_link] {
        let secret = &secret[secret.rfind('/').unwrap() + 1..];
        assert!(
            !log.contains(secret),
            "a password link's secret is in the log"
        );
    }
    assert!(!log.contains(&token));
    assert!(!log.contains(PASSWORD));
}

#[test]
fn sign_in_is_one_answer_for_unknown_and_wrong_and_locks_after_five() {
    let app = WebApp::start("sign-in-limits");
    let addr = app.addr();
    set_password_http(addr, &app.first_link);
    let try_sign_in = |login: &str, password: &str| {
        let form = request(addr, "GET", "/sign-in", &[], b"");
        let cookie = set_cookie(&form, "hocba_form").unwrap();
        let body = format!(
            "_csrf={}&login={login}&password={}",
            csrf_of(&form.text()),
            urlencode(password)
        );
        request(
            addr,
            "POST",
            "/sign-in",
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Cookie", &format!("hocba_form={cookie}")),
            ],
            body.as_bytes(),
        )
    };
    let unknown = try_sign_in("nobody", "whatever it is");
    let wrong = try_sign_in("authority", "not the password");
    assert_eq!(unknown.status, 401);
    assert_eq!(wrong.status, 401);
    let message = |a: &hocba_test_support::http::Answer| {
        let t = a.text();
        let at = t.find("class=\"alert\"").unwrap();
        t[at..at + t[at..].find("</p>").unwrap()].to_owned()
    };
    assert_eq!(message(&unknown), message(&wrong));
    assert!(message(&wrong).contains("Tên đăng nhập hoặc mật khẩu không đúng"));
    // No form cookie: refused before anything is looked at.
    let forged = request(
        addr,
        "POST",
        "/sign-in",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        format!("_csrf=x&login=authority&password={}", urlencode(PASSWORD)).as_bytes(),
    );
    assert_eq!(forged.status, 403);
    // Four more wrong passwords lock the name: then even the right one waits.
    for _ in 0..4 {
        try_sign_in("authority", "not the password");
    }
    let locked = try_sign_in("authority", PASSWORD);
    assert_eq!(locked.status, 429, "{}", locked.text());
    assert!(locked.header("retry-after").is_some());
    assert!(locked.text().contains("Tạm khoá"));
}

#[test]
fn forms_without_the_sessions_token_and_other_schools_accounts_are_refused() {
    let app = WebApp::start("csrf-tenancy");
    let addr = app.addr();
    set_password_http(addr, &app.first_link);
    let authority = Session::sign_in(addr, "authority");
    let a = create_http(
        &authority,
        "Hiệu trưởng A",
        "ht.a",
        "principal",
        "school_code=79000701",
    );
    let b = create_http(
        &authority,
        "Hiệu trưởng B",
        "ht.b",
        "principal",
        "school_code=01001205",
    );
    set_password_http(addr, &a);
    set_password_http(addr, &b);
    let principal_a = Session::sign_in(addr, "ht.a");
    let principal_b = Session::sign_in(addr, "ht.b");
    create_http(&principal_b, "Giáo viên B", "gv.b", "teacher", "");

    // A form posted without its CSRF token, or with another session's, is refused (403).
    let no_token = principal_a.post("/accounts", "display_name=X&login=gv.x&role=teacher");
    assert_eq!(no_token.status, 403);
    assert!(no_token.text().contains("Biểu mẫu đã hết hạn"));
    let other = principal_b.csrf("/accounts");
    let foreign = principal_a.post(
        "/accounts",
        &format!("_csrf={other}&display_name=X&login=gv.x&role=teacher"),
    );
    assert_eq!(foreign.status, 403);
    assert!(!principal_a.get("/accounts").text().contains("gv.x"));

    // School A's principal cannot see or disable school B's teacher: not found.
    let list_a = principal_a.get("/accounts").text();
    assert!(!list_a.contains("gv.b"));
    let list_b = principal_b.get("/accounts").text();
    let at = list_b.find("/accounts/").unwrap();
    let teacher_b = &list_b[at + "/accounts/".len()..at + "/accounts/".len() + 36];
    let csrf_a = principal_a.csrf("/accounts");
    let cross = principal_a.post(
        &format!("/accounts/{teacher_b}/disable"),
        &format!("_csrf={csrf_a}"),
    );
    assert_eq!(cross.status, 404, "{}", cross.text());
    assert!(cross.text().contains("Không tìm thấy"));
    // Its own principal can; the teacher then cannot sign in.
    let csrf_b = principal_b.csrf("/accounts");
    let ok = principal_b.post(
        &format!("/accounts/{teacher_b}/disable"),
        &format!("_csrf={csrf_b}"),
    );
    assert_eq!(ok.status, 200);
    assert!(ok.text().contains("Đã khoá"));

    // Sign-out ends the session on the server: the old cookie opens nothing.
    let csrf = principal_a.csrf("/accounts");
    let out = principal_a.post("/sign-out", &format!("_csrf={csrf}"));
    assert_eq!(out.status, 303);
    let after = principal_a.get("/accounts");
    assert_eq!(after.status, 303);
    assert_eq!(after.header("location"), Some("/sign-in?next=/accounts"));
    // Signing in from there goes back to the page asked for, never to another site.
    let (_, back) = Session::sign_in_to(addr, "ht.a", "/accounts");
    assert_eq!(back, "/accounts");
    let (_, away) = Session::sign_in_to(addr, "ht.a", "//evil.example/");
    assert_eq!(away, "/");
}

both_databases!(sessions_are_shared_by_instances_end_after_thirty_idle_minutes_and_store_no_secret);

/// Two issuer instances over one database (two pools, as two processes behind one
/// PostgreSQL): a session made by one is recognised by the other, ends after 30 idle
/// minutes, and neither the password nor the cookie is stored in clear.
async fn sessions_are_shared_by_instances_end_after_thirty_idle_minutes_and_store_no_secret(
    ctx: crate::common::Ctx,
) {
    use hocba_issuer::app::accounts::SignIn;
    let t0 = datetime!(2026-05-25 07:00 UTC);
    let one = hocba_issuer::app::Issuer::offline(ctx.store.clone(), t0);
    let two = hocba_issuer::app::Issuer::offline(ctx.another_pool().await, t0);
    let first = one.first_start(t0).await.unwrap().unwrap();
    // A second start before the password is set makes a new link; the first stops working.
    let again = two.first_start(t0).await.unwrap().unwrap();
    assert!(
        one.password_link(first.link.expose(), t0)
            .await
            .unwrap()
            .is_none()
    );
    two.set_password(again.link.expose(), PASSWORD, PASSWORD, t0)
        .await
        .unwrap()
        .unwrap();
    // Once it is set, a start prints no link.
    assert!(one.first_start(t0).await.unwrap().is_none());
    let stored: String =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE login = 'authority'")
            .fetch_one(ctx.store.pool())
            .await
            .unwrap();
    assert!(stored.starts_with("$argon2id$"), "{stored}");
    assert!(!stored.contains(PASSWORD));

    let SignIn::Done { secret, .. } = one
        .sign_in("authority", PASSWORD, "192.0.2.1", t0)
        .await
        .unwrap()
    else {
        panic!("sign-in failed");
    };
    let session_rows: Vec<String> = sqlx::query_scalar("SELECT secret_sha256 FROM web_sessions")
        .fetch_all(ctx.store.pool())
        .await
        .unwrap();
    assert_eq!(session_rows.len(), 1);
    assert_ne!(
        session_rows[0],
        secret.expose(),
        "the cookie is stored hashed"
    );
    let at = |m: i64| t0 + time::Duration::minutes(m);
    // Used at 20 minutes on the other instance: alive at 45 (25 idle), gone at 76 (31 idle),
    // and gone for both.
    assert!(
        two.signed_in(secret.expose(), at(20))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        one.signed_in(secret.expose(), at(45))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        two.signed_in(secret.expose(), at(76))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        one.signed_in(secret.expose(), at(77))
            .await
            .unwrap()
            .is_none()
    );
}
