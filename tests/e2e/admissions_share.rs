//! Share codes against a real issuer (issue #14 item 3): `hocba-issuer serve` issues An's grade
//! 10, 11 and 12 records through its API (teacher imports, principal validates and signs one
//! batch per class); An's family (a guardian token) makes a share code of the three; the
//! admissions portal's verifier, `hocba-verify serve --online URL --portal-token-file FILE`,
//! redeems the code at the issuer, verifies what comes back online (trust list and status list
//! fetched from the issuer) and scores it with the six-semester scheme. The same code a second
//! time is refused (single use), and the issuer's audit log holds the one redemption and the
//! refused attempt, each naming the portal.
//!
//! Expected scores: An's marks are those of `admissions.rs` (worked out by hand there, KV3, no
//! bonus): A00 24.61, A01 23.96, B00 23.73, D01 23.28.

use std::os::unix::fs::PermissionsExt as _;
use std::process::Command;
use std::time::{Duration, Instant};

use hocba_issuer::store::{Scope, Store};
use serde_json::{Value, json};

use crate::admissions::{AN, record};
use crate::online::{bin, free_port, http, root, start, token};

const SCHOOL: &str = "79000701";

/// `hocba-issuer token create` for a token without a school (`portal`) or a guardian of
/// `pupil`: (token, user id).
fn token_with(database_url: &str, args: &[&str]) -> (String, String) {
    let out = Command::new(bin("hocba-issuer"))
        .args(["token", "create"])
        .args(args)
        .args(["--database-url", database_url])
        .output()
        .expect("token create");
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{said}");
    let user = said
        .split("(user id ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("no user id in {said:?}"))
        .to_owned();
    (String::from_utf8_lossy(&out.stdout).trim().to_owned(), user)
}

fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// Score one candidate whose only item is `code`, with the six-semester scheme.
fn score(verifier: &str, code: &str) -> Value {
    let body = json!({
        "scheme": "du-thao-2026-sau-hoc-ki",
        "candidates": [{"id": "TS-AN", "area": "KV3", "items": [{"shareCode": code}]}],
    });
    let (status, answer) = http(
        verifier,
        "POST",
        "/api/v1/admissions/score",
        &[],
        &body.to_string(),
    );
    assert_eq!(status, 200, "{answer}");
    json_of(&answer)
}

#[test]
fn a_share_code_made_at_the_issuer_is_redeemed_once_and_scored() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = format!("sqlite://{}/hocba.db", dir.path().display());
    let issuer = format!("127.0.0.1:{}", free_port());
    let base = format!("http://{issuer}");
    let mut cmd = Command::new(bin("hocba-issuer"));
    cmd.args(["serve", "--listen", &issuer, "--keys"])
        .arg(root().join("keys/dev"))
        .env("DATABASE_URL", &database_url)
        .env("RUST_LOG", "warn");
    let _issuer = start(cmd, "listening on http://");

    // The school issues An's three records, one batch per class and year.
    let teacher = token(&database_url, SCHOOL, "teacher");
    let principal = token(&database_url, SCHOOL, "principal");
    let auth = |t: &str| format!("Bearer {t}");
    let mut student_code = String::new();
    for grade in [10u8, 11, 12] {
        let doc: Value = serde_json::from_slice(&record(&AN, grade)).expect("record JSON");
        student_code = doc["student"]["studentCode"]
            .as_str()
            .expect("a student code")
            .to_owned();
        let (status, body) = http(
            &issuer,
            "POST",
            "/api/v1/records",
            &[("Authorization", &auth(&teacher))],
            &doc.to_string(),
        );
        assert_eq!(status, 200, "grade {grade}: {body}");
        let record_id = json_of(&body)["items"][0]["recordId"]
            .as_str()
            .unwrap_or_else(|| panic!("grade {grade}: {body}"))
            .to_owned();
        let (status, body) = http(
            &issuer,
            "POST",
            &format!("/api/v1/records/{record_id}/validate"),
            &[("Authorization", &auth(&principal))],
            &json!({"acceptWarnings": true}).to_string(),
        );
        assert_eq!(status, 200, "grade {grade}: {body}");
        let (status, body) = http(
            &issuer,
            "POST",
            "/api/v1/batches",
            &[
                ("Authorization", &auth(&principal)),
                ("Idempotency-Key", &format!("e2e-share-{grade}")),
            ],
            &json!({"schoolYear": doc["schoolYear"], "className": doc["className"]}).to_string(),
        );
        assert!(status == 201 || status == 200, "{status} {body}");
    }

    // The family: a guardian token for An; the three signed records, shared with the portal.
    let (portal, portal_user) = token_with(
        &database_url,
        &[
            "--role",
            "portal",
            "--name",
            "Cổng tuyển sinh ĐH thử nghiệm",
        ],
    );
    let (guardian, _) = token_with(
        &database_url,
        &[
            "--school",
            SCHOOL,
            "--role",
            "guardian",
            "--pupil",
            &student_code,
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    let ids: Vec<String> = loop {
        let (status, body) = http(
            &issuer,
            "GET",
            "/api/v1/me/credentials",
            &[("Authorization", &auth(&guardian))],
            "",
        );
        assert_eq!(status, 200, "{body}");
        let listed = json_of(&body);
        let ids: Vec<String> = listed
            .as_array()
            .or_else(|| listed["credentials"].as_array())
            .unwrap_or_else(|| panic!("{listed}"))
            .iter()
            .filter_map(|c| c["id"].as_str().map(str::to_owned))
            .collect();
        if ids.len() == 3 {
            break ids;
        }
        assert!(
            Instant::now() < deadline,
            "not three signed records: {listed}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let (status, body) = http(
        &issuer,
        "POST",
        "/api/v1/shares",
        &[("Authorization", &auth(&guardian))],
        &json!({"credentials": ids, "purpose": "Xét tuyển học bạ 2026", "recipient": portal_user})
            .to_string(),
    );
    assert_eq!(status, 201, "{body}");
    let share = json_of(&body);
    let code = share["code"].as_str().expect("the code").to_owned();
    let share_id = share["id"].as_str().expect("the share id").to_owned();

    // The portal's verifier: online against the issuer, the portal token in a file.
    let token_file = dir.path().join("portal.token");
    std::fs::write(&token_file, format!("{portal}\n")).expect("token file");
    // The verifier refuses a token file others can read.
    std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o600))
        .expect("chmod 600");
    let verifier = format!("127.0.0.1:{}", free_port());
    let mut cmd = Command::new(bin("hocba-verify"));
    cmd.args(["serve", "--online", &base, "--listen", &verifier])
        .arg("--portal-token-file")
        .arg(&token_file)
        .arg("--cache-dir")
        .arg(dir.path().join("cache"));
    let _verifier = start(cmd, "listening on http://");

    // Redeemed, verified (status checked online) and scored.
    let answer = score(&verifier, &code);
    let an = &answer["candidates"][0];
    assert_eq!(an["result"], "scored", "{answer}");
    assert_eq!(an["pupil"]["fullName"], AN.name);
    assert_eq!(an["pupil"]["personalIdNumber"], AN.id);
    let items = an["items"].as_array().expect("items");
    assert_eq!(items.len(), 3, "the share's three records: {an}");
    assert!(
        items
            .iter()
            .all(|i| i["verdict"] == "valid" && i["used"] == true),
        "{an}"
    );
    let totals: Vec<(String, f64)> = an["scores"]
        .as_array()
        .expect("scores")
        .iter()
        .map(|s| {
            (
                s["combination"].as_str().unwrap_or_default().to_owned(),
                s["total"].as_f64().unwrap_or_default(),
            )
        })
        .collect();
    let expected = [
        ("A00", 24.61),
        ("A01", 23.96),
        ("B00", 23.73),
        ("D01", 23.28),
    ];
    assert_eq!(totals, expected.map(|(c, t)| (c.to_owned(), t)), "{answer}");
    assert!(!answer.to_string().contains(&portal), "the token leaked");

    // Single use: the same code again is refused, with the issuer's rule.
    let again = score(&verifier, &code);
    let refused = &again["candidates"][0];
    assert_eq!(refused["result"], "refused", "{again}");
    assert_eq!(refused["refusal"]["code"], "share_code_refused", "{again}");
    assert_eq!(refused["items"][0]["verdict"], "share_code_used", "{again}");
    assert!(
        refused["refusal"]["vi"]
            .as_str()
            .is_some_and(|t| t.contains("đã được dùng")),
        "{again}"
    );

    // The family sees the share as redeemed.
    let (status, body) = http(
        &issuer,
        "GET",
        "/api/v1/shares",
        &[("Authorization", &auth(&guardian))],
        "",
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"redeemed\""), "{body}");

    // The issuer's audit log: one redemption and the refused second attempt, both by the
    // portal, naming the three credentials; never the code.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let events = runtime.block_on(async {
        let store = Store::connect(&database_url)
            .await
            .expect("the issuer's database");
        let school = store.school_by_code(SCHOOL).await.expect("the school");
        let events = store
            .list_audit(&Scope::School(school.id), 1000)
            .await
            .expect("audit log");
        store.close().await;
        events
    });
    let uses: Vec<_> = events.iter().filter(|e| e.subject == share_id).collect();
    let redeemed: Vec<_> = uses.iter().filter(|e| e.action == "share.redeem").collect();
    let refused: Vec<_> = uses
        .iter()
        .filter(|e| e.action == "share.redeem_refused")
        .collect();
    assert_eq!(redeemed.len(), 1, "{uses:?}");
    assert_eq!(refused.len(), 1, "{uses:?}");
    assert_eq!(redeemed[0].user_id.as_deref(), Some(portal_user.as_str()));
    assert_eq!(refused[0].user_id.as_deref(), Some(portal_user.as_str()));
    assert!(refused[0].details_json.contains("\"used\""), "{refused:?}");
    for id in &ids {
        assert!(
            redeemed[0].details_json.contains(id.as_str()),
            "{redeemed:?}"
        );
    }
    assert!(events.iter().all(|e| !e.details_json.contains(&code)));
}
