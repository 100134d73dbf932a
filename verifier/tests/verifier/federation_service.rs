//! The federation through the verifier service and on the QR path: `hocba-verify serve
//! --online ROOT` with only the root key pinned follows root → province → school per request
//! (a static server on loopback plays the root and the provinces; the real service answers on
//! another loopback port), fetching only the provinces the records need; a compromised
//! province, a province missing from the national list, a school listed by the wrong province
//! and a provincial list signed by another province's key each get their reason through the
//! service. A QR summary signed after its province's compromise is refused like a credential,
//! and a status list signed after it is not trusted on the school key alone (status unknown).

use std::net::SocketAddr;
use std::sync::Arc;

use hocba_schema::national_trust_list::TrustedProvince;
use hocba_schema::trust_list::KeyStatus;
use hocba_verifier::online::federation::FederatedOnline;
use hocba_verifier::online::{Clock, OnlineConfig};
use hocba_verifier::service::{AppState, Judging, Limits, TrustSource};
use hocba_verifier::{
    CheckName, Outcome, Reason, TrustBundle, VerdictResult, VerifyOptions, verify_credential_with,
    verify_summary,
};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

use crate::federation::online::{
    MAY_31, School, Static, credential, status_list_at, write_root_pub,
};
use crate::federation::{
    hcm, hcm_key, hcm_list, hn, hn_key, national, national_bundle, province, province_key,
    provincial_list, root, signed_by,
};
use crate::qr::{summary_of, text};
use crate::status::{INDEX, school_b};
use crate::support::*;

const HCM: &str = "Sở GD&ĐT Thành phố Hồ Chí Minh";

/// Province 79 with its one key compromised at `at`.
fn hcm_compromised(at: OffsetDateTime) -> TrustedProvince {
    province(
        "79",
        HCM,
        vec![province_key(
            "79",
            &hcm_key(),
            Some(at),
            KeyStatus::Compromised,
        )],
    )
}

// --- offline: the QR path and status lists after a compromise -----------------------------

#[test]
fn a_qr_summary_signed_after_its_provinces_compromise_is_refused_like_a_credential() {
    let qr = text(
        summary_of(&valid_credential(), &school_a_key()),
        &school_a_key(),
    );
    let judge = |n: Value| {
        let b = national_bundle(n, vec![hcm_list()], &[]);
        let opened = TrustBundle::open(&bytes(&b), &root()).unwrap();
        verify_summary(&qr, opened.trust_list(), NOW).unwrap()
    };
    // Compromised on 20 May, the summary signed on 25 May: refused, with the credential's reason.
    let v = judge(national(vec![hcm_compromised(
        datetime!(2026-05-20 00:00 UTC),
    )]));
    assert!(!v.is_valid());
    assert_eq!(v.reason(), Some(Reason::ProvinceCompromised), "{v:#?}");
    let c = v
        .checks()
        .iter()
        .find(|c| c.name == CheckName::KeyValidity)
        .unwrap();
    assert_eq!(c.outcome, Outcome::Failed);
    assert!(c.detail.as_deref().unwrap().contains("79"), "{c:?}");
    // The credential it summarises is refused for the same reason.
    let b = national_bundle(
        national(vec![hcm_compromised(datetime!(2026-05-20 00:00 UTC))]),
        vec![hcm_list()],
        &[],
    );
    let opened = TrustBundle::open(&bytes(&b), &root()).unwrap();
    let cv = verify_credential_with(
        &bytes(&valid_credential()),
        opened.trust_list(),
        NOW,
        &VerifyOptions::default(),
    )
    .unwrap();
    assert_eq!(cv.reason(), Some(Reason::ProvinceCompromised));
    // Compromised on 28 May, after the summary was signed: it stands.
    let v = judge(national(vec![hcm_compromised(
        datetime!(2026-05-28 00:00 UTC),
    )]));
    assert!(v.is_valid(), "{:?}", v.checks());
    // Not compromised: valid.
    assert!(judge(national(vec![hcm()])).is_valid());
    // A summary of a school whose code belongs to no province: the federation's reason.
    let v = judge(national(vec![hn()]));
    assert_eq!(
        v.reason(),
        Some(Reason::ProvinceNotInNationalList),
        "{v:#?}"
    );
}

#[test]
fn a_status_list_signed_after_its_provinces_compromise_is_not_trusted_on_the_school_key() {
    // Province 79's key compromised on 28 May: the record (25 May) and the provincial list
    // (1 May) stand; the status list is judged at its own signing time.
    let n = national(vec![hcm_compromised(datetime!(2026-05-28 00:00 UTC))]);
    let url = crate::status::LIST_URL;
    let judge = |list: Value| {
        let b = national_bundle(n.clone(), vec![hcm_list()], &[list]);
        let opened = TrustBundle::open(&bytes(&b), &root()).unwrap();
        verify_credential_with(
            &bytes(&valid_credential()),
            opened.trust_list(),
            NOW,
            &VerifyOptions::default().with_status_lists(opened.status_lists()),
        )
        .unwrap()
    };
    // School A's list signed at `at` with `revoked` set.
    let a_list =
        |at, revoked: &[usize]| status_list_at(url, school_a(), &school_a_key(), at, revoked);
    let may_27 = datetime!(2026-05-27 00:00 UTC);
    // Signed 31 May, after the compromise: status unknown ("could not check"), never valid.
    let v = judge(a_list(MAY_31, &[]));
    assert_eq!(v.result(), VerdictResult::StatusUnknown, "{v:#?}");
    assert_eq!(v.reason(), Some(Reason::StatusListAfterProvinceCompromise));
    let c = v.check(CheckName::Status).unwrap();
    assert!(
        c.detail.as_deref().unwrap().contains("compromised since"),
        "{c:?}"
    );
    // The same list signed on 27 May, before the compromise: the record is valid …
    let v = judge(a_list(may_27, &[]));
    assert_eq!(v.result(), VerdictResult::Valid, "{v:#?}");
    // … and revoked when that list marks it.
    let v = judge(a_list(may_27, &[INDEX]));
    assert_eq!(v.reason(), Some(Reason::Revoked), "{v:#?}");
    // A list signed after the compromise that marks it is not trusted either: never valid.
    let v = judge(a_list(MAY_31, &[INDEX]));
    assert!(!v.is_valid());
    assert_eq!(v.reason(), Some(Reason::StatusListAfterProvinceCompromise));
    // Without a federation (one authority), the same list is judged by the school key alone.
    let mut lists = hocba_verifier::StatusLists::new();
    lists.insert(url, bytes(&a_list(MAY_31, &[])));
    let v = verify_credential_with(
        &bytes(&valid_credential()),
        &verified_trust(),
        NOW,
        &VerifyOptions::default().with_status_lists(Arc::new(lists)),
    )
    .unwrap();
    assert_eq!(v.result(), VerdictResult::Valid, "{v:#?}");
}

// --- online: the service with only the root pinned ------------------------------------------

/// The service, pinned to the root key only, following the root at `url`.
async fn service(url: &str, cache: &std::path::Path) -> (SocketAddr, Arc<FederatedOnline>) {
    let clock: Clock = Arc::new(|| NOW);
    let mut config = OnlineConfig::new(url);
    config.cache_dir = cache.to_owned();
    let fed = Arc::new(FederatedOnline::new(config, root(), Arc::clone(&clock)).unwrap());
    let state = AppState::new(
        TrustSource::Federated(Arc::clone(&fed)),
        clock,
        &Judging::default(),
        Limits::default(),
    );
    let addr = crate::service::serve_on_loopback(state, Limits::default()).await;
    (addr, fed)
}

async fn call(addr: SocketAddr, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<axum::body::Bytes>>();
    let mut req = hyper::Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"));
    if body.is_some() {
        req = req.header("content-type", "application/json");
    }
    let body = body.map(bytes).unwrap_or_default();
    let response = client
        .request(req.body(Full::new(body.into())).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, json)
}

/// `POST /api/v1/verify` with `items`: (verdict, reason code) of each.
async fn verify(addr: SocketAddr, items: Value) -> Vec<(String, String)> {
    let (status, r) = call(
        addr,
        "POST",
        "/api/v1/verify",
        Some(&json!({ "items": items })),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["verdict"].as_str().unwrap_or_default().to_owned(),
                i["reason"]["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn pair(verdict: &str, reason: &str) -> (String, String) {
    (verdict.to_owned(), reason.to_owned())
}

/// Two records of school B in its list at `url_b` (`INDEX` revoked there), one at index 7 and
/// one at `INDEX`, through the service at `addr`: valid, then revoked. The valid one.
async fn school_b_valid_then_revoked(addr: SocketAddr, url_b: &str) -> Value {
    let good_b = credential(&school_b(), "01000502", &school_b_key(), url_b, 7);
    let revoked_b = credential(
        &school_b(),
        "01000502",
        &school_b_key(),
        url_b,
        INDEX as u64,
    );
    assert_eq!(
        verify(
            addr,
            json!([{ "credential": good_b }, { "credential": revoked_b }])
        )
        .await,
        [pair("valid", ""), pair("revoked", "revoked")]
    );
    good_b
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_pinned_to_the_root_verifies_records_of_any_province_fetching_only_those() {
    let s = Static::start().await;
    let root_url = s.two_provinces("/ok");
    let url_a = s.status_list_of(School::A);
    let url_b = s.status_list_of(School::B);
    let cache = tempfile::tempdir().unwrap();
    let (addr, fed) = service(&root_url, cache.path()).await;

    // A record of province B (Hà Nội): valid, and only Hà Nội was asked.
    let good_b = school_b_valid_then_revoked(addr, &url_b).await;
    assert_eq!(fed.provinces_fetched().await, ["01"]);
    assert!(
        !s.asked().iter().any(|p| p.starts_with("/p79/")),
        "{:?}",
        s.asked()
    );
    let (status, health) = call(addr, "GET", "/health", None).await;
    assert_eq!(status, 200);
    assert_eq!(health["trustSource"]["kind"], "federation", "{health}");
    assert_eq!(health["trustSource"]["nationalVersion"], 7, "{health}");
    assert_eq!(health["trustSource"]["provincesFetched"], json!(["01"]));
    assert_eq!(health["mode"], "online");

    // One batch of both provinces: each record against its own province.
    let good_a = credential(&school_a(), "79000701", &school_a_key(), &url_a, 7);
    let forged_a = credential(&school_a(), "79000701", &school_b_key(), &url_a, 7);
    let answers = verify(
        addr,
        json!([{ "credential": good_a }, { "credential": good_b }, { "credential": forged_a }]),
    )
    .await;
    assert_eq!(answers[0], pair("valid", ""));
    assert_eq!(answers[1], pair("valid", ""));
    assert_eq!(answers[2].0, "invalid");
    assert_eq!(fed.provinces_fetched().await, ["01", "79"]);
    // Asked again: the combined material is reused, nothing fetched again (max-age).
    let before = s.asked().len();
    let again = verify(
        addr,
        json!([{ "credential": good_a }, { "credential": good_b }]),
    )
    .await;
    assert_eq!(again, [pair("valid", ""), pair("valid", "")]);
    assert_eq!(s.asked().len(), before, "{:?}", s.asked());

    // A QR summary of province A's school (its index clear in the school's list).
    let mut summary = summary_of(&good_a, &school_a_key());
    summary.status_index = Some(7);
    let qr = text(summary, &school_a_key());
    let answers = verify(addr, json!([{ "qr": qr }])).await;
    assert_eq!(answers[0].0, "valid", "{answers:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_gives_each_federation_refusal_its_reason() {
    let s = Static::start().await;
    s.provincial_lists();
    let url_a = s.status_list_of(School::A);
    let good_a = credential(&school_a(), "79000701", &school_a_key(), &url_a, 7);
    let qr = text(summary_of(&good_a, &school_a_key()), &school_a_key());
    let cache = tempfile::tempdir().unwrap();
    let check = |root: &'static str, national: Value, items: Value| {
        let (s, cache) = (&s, cache.path().join(root.trim_start_matches('/')));
        async move {
            let url = s.root(root, &national);
            let (addr, _) = service(&url, &cache).await;
            verify(addr, items).await
        }
    };

    // Province 79's key compromised on 20 May: the record (25 May) and its QR summary are
    // refused; their province's list itself (1 May) stands.
    let n = national(vec![
        s.at(hcm_compromised(datetime!(2026-05-20 00:00 UTC)), "/p79"),
    ]);
    let answers = check(
        "/compromised",
        n,
        json!([{ "credential": good_a }, { "qr": qr }]),
    )
    .await;
    assert_eq!(
        answers,
        [
            pair("invalid", "province_compromised"),
            pair("invalid", "province_compromised")
        ]
    );
    // Compromised before the provincial list was signed (30 April): the list is refused.
    let n = national(vec![
        s.at(hcm_compromised(datetime!(2026-04-30 00:00 UTC)), "/p79"),
    ]);
    let answers = check("/compromised-early", n, json!([{ "credential": good_a }])).await;
    assert_eq!(answers, [pair("invalid", "province_compromised")]);
    // Compromised on 28 May: the record stands, but the status list (signed 31 May) is not
    // trusted on the school key alone: could not check, never valid.
    let n = national(vec![
        s.at(hcm_compromised(datetime!(2026-05-28 00:00 UTC)), "/p79"),
    ]);
    let answers = check("/compromised-late", n, json!([{ "credential": good_a }])).await;
    assert_eq!(
        answers,
        [pair(
            "status_unknown",
            "status_list_after_province_compromise"
        )]
    );

    // A province missing from the national list: nothing of province 79 is fetched.
    let n = national(vec![s.at(hn(), "/p01")]);
    let asked = s.asked().len();
    let answers = check(
        "/missing",
        n,
        json!([{ "credential": good_a }, { "qr": qr }]),
    )
    .await;
    assert_eq!(
        answers,
        [
            pair("invalid", "province_not_in_national_list"),
            pair("invalid", "province_not_in_national_list")
        ]
    );
    assert!(
        !s.asked()[asked..].iter().any(|p| p.starts_with("/p79")),
        "{:?}",
        s.asked()
    );

    // A school listed by the wrong province: Hà Nội's list claims school A, whose status list
    // lies under Hà Nội's base; Hồ Chí Minh's list does not have it.
    s.put(
        "/w01/.well-known/hocba/trust-list.json",
        &signed_by(
            &provincial_list("01", &["01000502", "79000701"]),
            "01",
            &hn_key(),
        ),
    );
    s.put(
        "/w79/.well-known/hocba/trust-list.json",
        &signed_by(&provincial_list("79", &[]), "79", &hcm_key()),
    );
    let url_w = format!("{}/w01/status/79000701/1", s.base);
    let listed_wrongly = credential(&school_a(), "79000701", &school_a_key(), &url_w, 7);
    let n = national(vec![s.at(hn(), "/w01"), s.at(hcm(), "/w79")]);
    let answers = check("/wrong", n, json!([{ "credential": listed_wrongly }])).await;
    assert_eq!(
        answers,
        [pair("invalid", "school_listed_by_wrong_province")]
    );

    // Hồ Chí Minh's list signed with Hà Nội's key.
    s.put(
        "/f79/.well-known/hocba/trust-list.json",
        &signed_trust_list_with(
            &provincial_list("79", &["79000701"]),
            &hn_key(),
            &vm(
                &hocba_schema::national_trust_list::province_id("79"),
                &hn_key(),
            ),
        ),
    );
    let n = national(vec![s.at(hn(), "/p01"), s.at(hcm(), "/f79")]);
    let answers = check("/forged", n, json!([{ "credential": good_a }])).await;
    assert_eq!(
        answers,
        [pair("invalid", "province_list_signed_by_other_province")]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_a_status_list_signed_after_the_compromise_keeps_its_reason_and_is_cached() {
    let s = Static::start().await;
    s.provincial_lists();
    // School A's list (signed 31 May, `INDEX` revoked); province 79 compromised on 28 May.
    let url_a = s.status_list_of(School::A);
    let list_path = "/p79/status/79000701/1";
    let n = national(vec![
        s.at(hcm_compromised(datetime!(2026-05-28 00:00 UTC)), "/p79"),
    ]);
    let root_url = s.root("/late", &n);
    let good_a = credential(&school_a(), "79000701", &school_a_key(), &url_a, 7);
    let revoked_a = credential(
        &school_a(),
        "79000701",
        &school_a_key(),
        &url_a,
        INDEX as u64,
    );
    let cache = tempfile::tempdir().unwrap();
    let (addr, fed) = service(&root_url, cache.path()).await;
    let items = json!([{ "credential": good_a }, { "credential": revoked_a }]);
    let (status, r) = call(
        addr,
        "POST",
        "/api/v1/verify",
        Some(&json!({ "items": items })),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    // The same reason as offline, for a list that marks the record and one that does not:
    // status unknown, never valid, never "revoked" on a list the province no longer vouches for.
    for item in r["items"].as_array().unwrap() {
        assert_eq!(item["verdict"], "status_unknown", "{item}");
        let reason = &item["reason"];
        assert_eq!(
            reason["code"], "status_list_after_province_compromise",
            "{item}"
        );
        let vi = reason["message"]["vi"].as_str().unwrap();
        assert!(vi.contains("bị lộ"), "{vi}");
        let en = reason["message"]["en"].as_str().unwrap();
        assert!(en.contains("compromised"), "{en}");
        let status = item["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "status")
            .unwrap();
        assert_eq!(status["reason"], "status_list_after_province_compromise");
        assert!(
            status["detail"]
                .as_str()
                .unwrap()
                .contains("compromised since"),
            "{status}"
        );
    }
    // The refusal is kept and said in a warning.
    let warnings = fed.take_warnings().await;
    assert!(
        warnings
            .iter()
            .any(|w| w.contains(&url_a) && w.contains("status_list_after_province_compromise")),
        "{warnings:?}"
    );
    // Asked again within the max-age: the refused list is held, not fetched again.
    let asks = |s: &Static| s.asked().iter().filter(|p| *p == list_path).count();
    assert_eq!(asks(&s), 1, "{:?}", s.asked());
    for _ in 0..3 {
        let answers = verify(addr, json!([{ "credential": good_a }])).await;
        assert_eq!(
            answers,
            [pair(
                "status_unknown",
                "status_list_after_province_compromise"
            )]
        );
    }
    assert_eq!(asks(&s), 1, "{:?}", s.asked());

    // A restart answers from the disk cache, with the same reason and no new request for the
    // list (still within its max-age).
    let (addr, _) = service(&root_url, cache.path()).await;
    let answers = verify(addr, json!([{ "credential": good_a }])).await;
    assert_eq!(
        answers,
        [pair(
            "status_unknown",
            "status_list_after_province_compromise"
        )]
    );
    assert_eq!(asks(&s), 1, "{:?}", s.asked());

    // A list that fails its signature is still refused, not held: status unavailable.
    let mut forged = status_list_at(&url_a, school_a(), &school_a_key(), MAY_31, &[]);
    forged["validUntil"] = json!("2026-06-13T00:00:00Z");
    s.put(list_path, &forged);
    let other = tempfile::tempdir().unwrap();
    let (addr, _) = service(&root_url, other.path()).await;
    let answers = verify(addr, json!([{ "credential": good_a }])).await;
    assert_eq!(answers, [pair("status_unknown", "status_list_unavailable")]);
    assert_eq!(asks(&s), 2, "{:?}", s.asked());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_province_that_cannot_be_reached_is_could_not_check_not_a_verdict() {
    let s = Static::start().await;
    // Province 79's list is at a path the server does not have.
    let url = s.root("/gone", &national(vec![s.at(hcm(), "/nowhere")]));
    let cache = tempfile::tempdir().unwrap();
    let (addr, _) = service(&url, cache.path()).await;
    let good_a = credential(
        &school_a(),
        "79000701",
        &school_a_key(),
        &format!("{}/nowhere/status/79000701/1", s.base),
        7,
    );
    let (status, body) = call(
        addr,
        "POST",
        "/api/v1/verify",
        Some(&json!({ "items": [{ "credential": good_a }] })),
    )
    .await;
    assert_eq!(status, 503, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("79"), "{body}");
}

/// Kills the `hocba-verify serve` child when the test ends, passed or not.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hocba_verify_serve_online_turns_federated_when_the_authority_is_the_root() {
    let s = Static::start().await;
    let root_url = s.two_provinces("/cli");
    let url_b = s.status_list_of(School::B);
    let dir = tempfile::tempdir().unwrap();
    write_root_pub(dir.path());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_hocba-verify"))
        .current_dir(dir.path())
        .args([
            "serve",
            "--authority",
            "root.pub",
            "--online",
            &root_url,
            "--listen",
            &listen,
            "--at",
            "2026-06-01T00:00:00Z",
            "--cache-dir",
            "cache",
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let _child = Child(child);
    let addr: SocketAddr = listen.parse().unwrap();
    let mut health = Value::Null;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            health = call(addr, "GET", "/health", None).await.1;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(health["trustSource"]["kind"], "federation", "{health}");
    assert_eq!(health["trustSource"]["url"], root_url.as_str(), "{health}");
    school_b_valid_then_revoked(addr, &url_b).await;
    assert!(
        !s.asked().iter().any(|p| p.starts_with("/p79/")),
        "{:?}",
        s.asked()
    );
}
