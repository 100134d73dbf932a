//! Old genuine trust material replayed to a verifier: it is still signed, so only its dates,
//! its version and what the verifier remembers can tell it from the current material.
//!
//! * a bundle carrying two different lists under one id is refused; identical copies are one;
//! * of two copies of a list, the newer (signed `validFrom`) speaks;
//! * a status list past its own `validUntil`, or older than a copy already seen, is "could not
//!   check", never "not revoked";
//! * a trust list past its `validUntil` is "could not check" (exit 2) unless accepted;
//! * a trust-list version lower than one already seen is refused, offline and online;
//! * without trust material for revocation the CLI never prints "valid" (exit 3).

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use ed25519_dalek::pkcs8::EncodePublicKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use hocba_schema::trust_list::KeyStatus;
use hocba_verifier::seen::SeenMaterial;
use hocba_verifier::{
    Reason, StatusLists, TrustBundle, VerifyError, VerifyOptions, verify_credential_with,
};
use serde_json::{Value, json};
use time::macros::datetime;

use crate::qr::{summary_of, text};
use crate::status::{INDEX, LIST_URL, status_list, status_list_with};
use crate::support::*;

/// School A's list made 2026-05-20, before the record was revoked (nothing set), valid until
/// `until`.
fn pre_revocation_list(until: time::OffsetDateTime) -> Value {
    status_list_with(
        LIST_URL,
        school_a(),
        &[],
        datetime!(2026-05-20 00:00 UTC),
        until,
        &school_a_key(),
        SCHOOL_A,
    )
}

fn bundle_of(trust: &Value, lists: &[Value]) -> Value {
    json!({
        "type": "HocBaTrustBundle",
        "createdAt": "2026-05-31T00:00:00Z",
        "trustList": trust,
        "statusLists": lists,
    })
}

/// Version 2 of the test trust list: the key that version 3 marks compromised is still active.
fn trust_list_v2() -> Value {
    let mut list = trust_list();
    list.credential_subject.version = 2;
    list.valid_from = datetime!(2026-04-01 00:00 UTC);
    list.valid_until = datetime!(2026-06-30 00:00 UTC);
    for key in &mut list.credential_subject.schools[0].verification_methods {
        if key.status == KeyStatus::Compromised {
            key.status = KeyStatus::Active;
        }
    }
    signed_trust_list_with(&list, &authority_key(), &vm(AUTHORITY_ID, &authority_key()))
}

/// School A's credential signed with the key version 3 marks compromised.
fn compromised_credential() -> Value {
    sign(
        unsigned(&school_a(), "79000701"),
        &compromised_key(),
        &vm(SCHOOL_A, &compromised_key()),
        &time_text(SIGNED_AT),
    )
}

fn dir_for(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("hocba-verify-replay")
        .join(test);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("authority.pub.pem"),
        authority_key()
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap(),
    )
    .unwrap();
    fs::write(dir.join("valid.json"), bytes(&valid_credential())).unwrap();
    fs::write(
        dir.join("compromised.json"),
        bytes(&compromised_credential()),
    )
    .unwrap();
    dir
}

fn cli(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hocba-verify"))
        .current_dir(dir)
        .args(["--authority", "authority.pub.pem", "--cache-dir", "cache"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn json_line(o: &Output) -> Value {
    let text = String::from_utf8_lossy(&o.stdout);
    serde_json::from_str(text.lines().next().unwrap_or("null")).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_bundle_with_two_different_lists_under_one_id_is_refused() {
    let current = status_list(&[INDEX]);
    let old = pre_revocation_list(datetime!(2026-06-03 00:00 UTC));
    for lists in [[old.clone(), current.clone()], [current.clone(), old]] {
        let b = bundle_of(&signed_trust_list(), &lists);
        match TrustBundle::open(&bytes(&b), &authority()) {
            Err(VerifyError::Bundle { problem }) => {
                assert!(problem.contains(LIST_URL), "{problem}");
                assert!(problem.contains("same id"), "{problem}");
            }
            other => panic!("a bundle with two lists under one id opened: {other:?}"),
        }
    }
    // Two identical copies are one list: the record is revoked.
    let b = bundle_of(&signed_trust_list(), &[current.clone(), current]);
    let opened = TrustBundle::open(&bytes(&b), &authority()).unwrap();
    assert_eq!(opened.status_lists().len(), 1);
    let v = verify_credential_with(
        &bytes(&valid_credential()),
        opened.trust_list(),
        NOW,
        &VerifyOptions::default().with_status_lists(opened.status_lists()),
    )
    .unwrap();
    assert_eq!(v.reason(), Some(Reason::Revoked));
}

#[test]
fn of_two_copies_of_a_list_the_newer_one_speaks() {
    let current = bytes(&status_list(&[INDEX]));
    let old = bytes(&pre_revocation_list(datetime!(2026-06-14 00:00 UTC)));
    for order in [[&old, &current], [&current, &old]] {
        let mut lists = StatusLists::new();
        for list in order {
            lists.insert_newest(LIST_URL, list.clone());
        }
        assert_eq!(lists.get(LIST_URL), Some(current.as_slice()));
        let v = verify_credential_with(
            &bytes(&valid_credential()),
            &verified_trust(),
            NOW,
            &VerifyOptions::default().with_status_lists(Arc::new(lists)),
        )
        .unwrap();
        assert_eq!(v.reason(), Some(Reason::Revoked), "{v:#?}");
    }
    // Unreadable bytes never displace a readable list.
    let mut lists = StatusLists::new();
    lists.insert_newest(LIST_URL, current.clone());
    assert!(!lists.insert_newest(LIST_URL, b"{}".to_vec()));
    assert_eq!(lists.get(LIST_URL), Some(current.as_slice()));
}

#[test]
fn a_status_list_past_its_own_valid_until_is_could_not_check() {
    // The old list alone, in a verifier that has seen nothing: its own validUntil (2026-05-27)
    // is before the time of checking, so it says nothing about revocation.
    let dir = dir_for("expired-list");
    let expired = pre_revocation_list(datetime!(2026-05-27 00:00 UTC));
    fs::write(
        dir.join("bundle.json"),
        bytes(&bundle_of(&signed_trust_list(), &[expired])),
    )
    .unwrap();
    let o = cli(
        &dir,
        &[
            "--bundle",
            "bundle.json",
            "--at",
            "2026-06-01T00:00:00Z",
            "--json",
            "valid.json",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let line = json_line(&o);
    assert_eq!(line["result"], "status_unknown");
    assert_eq!(line["reason"], "status_list_stale");
}

#[test]
fn a_pre_revocation_list_after_a_newer_one_was_seen_is_could_not_check() {
    let dir = dir_for("pre-revocation");
    fs::write(
        dir.join("current.json"),
        bytes(&bundle_of(&signed_trust_list(), &[status_list(&[INDEX])])),
    )
    .unwrap();
    let old = pre_revocation_list(datetime!(2026-06-14 00:00 UTC));
    fs::write(
        dir.join("old.json"),
        bytes(&bundle_of(&signed_trust_list(), &[old])),
    )
    .unwrap();
    let at = ["--at", "2026-06-01T00:00:00Z", "--json"];
    let run = |bundle: &str| {
        let mut args = vec!["--bundle", bundle];
        args.extend_from_slice(&at);
        args.push("valid.json");
        cli(&dir, &args)
    };
    let o = run("current.json");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(json_line(&o)["reason"], "revoked");
    // The verifier remembers the copy it saw.
    let seen = SeenMaterial::from_json(&fs::read(dir.join("cache/seen.json")).unwrap()).unwrap();
    assert_eq!(
        seen.trust_list_version("urn:uuid:11111111-1111-4111-8111-111111111111"),
        Some(3)
    );
    // The older genuine copy, made before the revocation, is now "could not check".
    let o = run("old.json");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let line = json_line(&o);
    assert_eq!(line["result"], "status_unknown");
    assert_eq!(line["reason"], "status_list_stale");
    let status = line["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "status")
        .unwrap();
    assert!(
        status["detail"].as_str().unwrap().contains("already seen"),
        "{status}"
    );
}

#[test]
fn a_rolled_back_trust_list_is_refused_offline() {
    let dir = dir_for("rollback-offline");
    let list = status_list(&[]);
    fs::write(
        dir.join("v3.json"),
        bytes(&bundle_of(
            &signed_trust_list(),
            std::slice::from_ref(&list),
        )),
    )
    .unwrap();
    fs::write(
        dir.join("v2.json"),
        bytes(&bundle_of(&trust_list_v2(), &[list])),
    )
    .unwrap();
    let run = |bundle: &str, at: &str| {
        cli(
            &dir,
            &["--bundle", bundle, "--at", at, "--json", "compromised.json"],
        )
    };
    // Past version 2's validUntil, in a verifier that saw nothing: could not check.
    let o = run("v2.json", "2026-07-05T00:00:00Z");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let line = json_line(&o);
    assert_eq!(line["result"], "status_unknown");
    let trust_check = line["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "trust_list")
        .unwrap()
        .clone();
    assert_eq!(trust_check["outcome"], "failed");
    assert_eq!(trust_check["reason"], "trust_list_stale");
    // Version 3 marks the key compromised: not valid.
    let o = run("v3.json", "2026-06-01T00:00:00Z");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(json_line(&o)["reason"], "compromised_key");
    // Version 2 offered afterwards, still inside its validUntil: refused, nothing judged.
    let o = run("v2.json", "2026-06-01T00:00:00Z");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("version 2 is older than version 3"),
        "{}",
        stderr(&o)
    );
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

/// A trust-list server whose version can be switched, answering `no-cache`.
fn switchable_issuer(lists: Vec<Value>) -> (SocketAddr, Arc<AtomicU64>) {
    let which = Arc::new(AtomicU64::new(0));
    let lists = Arc::new(Mutex::new(lists));
    let (tx, rx) = std::sync::mpsc::channel();
    let w = Arc::clone(&which);
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let app = axum::Router::new().route(
                "/.well-known/hocba/trust-list.json",
                axum::routing::get(move || {
                    let i = w.load(Ordering::SeqCst) as usize;
                    let body = bytes(&lists.lock().unwrap()[i]);
                    async move {
                        (
                            [
                                (axum::http::header::CACHE_CONTROL, "no-cache"),
                                (axum::http::header::CONTENT_TYPE, "application/json"),
                            ],
                            body,
                        )
                    }
                }),
            );
            axum::serve(listener, app).await.unwrap();
        });
    });
    (rx.recv().unwrap(), which)
}

#[test]
fn a_rolled_back_trust_list_is_refused_online() {
    let dir = dir_for("rollback-online");
    let (addr, which) = switchable_issuer(vec![signed_trust_list(), trust_list_v2()]);
    let base = format!("http://{addr}");
    let run = || {
        cli(
            &dir,
            &[
                "--online",
                &base,
                "--at",
                "2026-06-01T00:00:00Z",
                "--json",
                "compromised.json",
            ],
        )
    };
    let o = run();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(json_line(&o)["reason"], "compromised_key");
    // The issuer (or someone in the path) now serves version 2: the cached version 3 stays.
    which.store(1, Ordering::SeqCst);
    let o = run();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(json_line(&o)["trustList"]["version"], 3);
    // Even with the cached material gone, the remembered version refuses version 2.
    for entry in fs::read_dir(dir.join("cache")).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().and_then(|n| n.to_str()) != Some("seen.json") {
            fs::remove_file(path).unwrap();
        }
    }
    let o = run();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("version 2 is older than version 3"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn without_status_material_the_cli_never_says_valid() {
    let dir = dir_for("no-status");
    fs::write(dir.join("trust-list.json"), bytes(&signed_trust_list())).unwrap();
    // Revoked in the school's current list, but no list given: not "valid", exit 3.
    let o = cli(
        &dir,
        &[
            "--trust-list",
            "trust-list.json",
            "--at",
            "2026-06-01T00:00:00Z",
            "valid.json",
        ],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains(
            "valid.json: CHỮ KÝ HỢP LỆ, CHƯA KIỂM TRA THU HỒI — SIGNATURE VALID, REVOCATION NOT CHECKED"
        ),
        "{out}"
    );
    assert!(!out.contains("HỢP LỆ — VALID\n"), "{out}");
    assert!(out.contains("--bundle FILE"), "{out}");
    // The QR code of the same record: the same.
    let credential = valid_credential();
    let qr = text(summary_of(&credential, &school_a_key()), &school_a_key());
    let o = cli(
        &dir,
        &[
            "--trust-list",
            "trust-list.json",
            "--at",
            "2026-06-01T00:00:00Z",
            "--qr",
            &qr,
        ],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("MÃ QR CHỮ KÝ HỢP LỆ, CHƯA KIỂM TRA THU HỒI"),
        "{out}"
    );
    // With the list, the record is revoked.
    fs::write(dir.join("list.json"), bytes(&status_list(&[INDEX]))).unwrap();
    let o = cli(
        &dir,
        &[
            "--trust-list",
            "trust-list.json",
            "--status-list",
            "list.json",
            "--at",
            "2026-06-01T00:00:00Z",
            "valid.json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // ... and the report says as of when (the list's signed validFrom).
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .contains("Revocation status as of: 2026-05-31T00:00:00Z"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn the_default_trust_material_works_outside_the_repository() {
    let dir = dir_for("outside");
    // No --authority, no trust list: the built-in development trust list (which does not list
    // the test school), said on stderr.
    let o = Command::new(env!("CARGO_BIN_EXE_hocba-verify"))
        .current_dir(&dir)
        .args(["--cache-dir", "cache", "valid.json"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("built-in DEVELOPMENT trust list"),
        "{}",
        stderr(&o)
    );
    // A pinned authority and no trust material: an error naming what to give.
    let o = cli(&dir, &["valid.json"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("--bundle") && err.contains("--online"),
        "{err}"
    );
}

#[test]
fn the_online_layer_returns_its_warnings_instead_of_printing_them() {
    use hocba_verifier::online::{Clock, OnlineConfig, OnlineTrust};
    let dir = dir_for("online-warnings");
    let (addr, _) = switchable_issuer(vec![signed_trust_list()]);
    let base = format!("http://{addr}");
    let o = cli(
        &dir,
        &[
            "--online",
            &base,
            "--at",
            "2026-06-01T00:00:00Z",
            "valid.json",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // Spoil the cached trust list (not its metadata).
    let cache = dir.join("cache");
    let mut spoiled = 0;
    for entry in fs::read_dir(&cache).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".json") && !name.ends_with(".meta.json") && name != "seen.json" {
            let mut list: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
            list["credentialSubject"]["version"] = json!(99);
            fs::write(&path, bytes(&list)).unwrap();
            spoiled += 1;
        }
    }
    assert_eq!(spoiled, 1);
    let clock: Clock = Arc::new(|| NOW);
    let config = OnlineConfig {
        cache_dir: cache,
        ..OnlineConfig::new(base.as_str())
    };
    let online = OnlineTrust::new(config, authority(), clock).unwrap();
    let warnings = online.take_warnings();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("cached trust list does not verify")),
        "{warnings:?}"
    );
    assert!(online.take_warnings().is_empty(), "taken once");
    assert!(online.material().is_none());
}
