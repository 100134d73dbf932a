//! The one input pipeline (read once → what it needs → check): the same input gives the same
//! verdict through the library, `hocba-verify --json` and the bulk API; a PDF is read once
//! into the value that is checked; the online layer hands back what went wrong as values.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use hocba_verifier::online::{Clock, Material, OnlineConfig, OnlineTrust};
use hocba_verifier::pipeline::{Input, Judged, Needs, Origin, check_input, read_input};
use hocba_verifier::service::verify::{
    Checked, Item, check_all, needs_of, read_items, verdict_word,
};
use hocba_verifier::service::{AppState, Judging, Limits, TrustSource, router};
use hocba_verifier::{TrustBundle, VerifyOptions};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::bundle::bundle;
use crate::pdf::pdf_with;
use crate::qr::{summary_of, text};
use crate::status::{INDEX, LIST_URL, status_list};
use crate::support::*;

const AT: &str = "2026-06-01T00:00:00Z";

fn material(revoked: &[usize]) -> Arc<Material> {
    let bundle = bundle("2026-05-31T00:00:00Z", &[status_list(revoked)]);
    Arc::new(
        TrustBundle::open(&bytes(&bundle), &authority())
            .unwrap()
            .into(),
    )
}

/// The inputs, as files: name, bytes, and whether the file is QR text (given with `--qr`).
fn inputs() -> Vec<(&'static str, Vec<u8>, bool)> {
    let valid = valid_credential();
    let mut tampered = valid.clone();
    tampered["credentialSubject"]["subjects"][1]["score"] = json!(5);
    let qr = text(summary_of(&valid, &school_a_key()), &school_a_key());
    vec![
        ("valid.json", bytes(&valid), false),
        ("tampered.json", bytes(&tampered), false),
        ("record.pdf", pdf_with(&bytes(&valid), true), false),
        ("not-json.json", b"Hoc ba, not JSON".to_vec(), false),
        ("qr", qr.into_bytes(), true),
    ]
}

/// `(verdict word, reason code)` as the library gives it.
fn library(input: &[u8], is_qr: bool, material: &Material) -> (String, String) {
    let read = if is_qr {
        Ok(Input::qr(String::from_utf8(input.to_vec()).unwrap()))
    } else {
        read_input(input.to_vec(), false)
    };
    let options = VerifyOptions::default().with_status_lists(Arc::clone(&material.status_lists));
    let judged = read.and_then(|i| check_input(&i, &material.trust, NOW, &options));
    let (result, reason) = match judged {
        Ok(Judged::Credential(v)) => (v.result(), v.reason()),
        Ok(Judged::Summary(v)) => (v.result(), v.reason()),
        Err(_) => return ("error".into(), String::new()),
    };
    (
        verdict_word(result, reason).into(),
        reason.map(|r| r.code().to_owned()).unwrap_or_default(),
    )
}

/// `(verdict word, reason code)` as `hocba-verify --json` gives it.
fn cli(dir: &Path, name: &str, is_qr: bool) -> (String, String) {
    let qr_text;
    let mut args = vec![
        "--authority",
        "authority.pub.pem",
        "--bundle",
        "bundle.json",
        "--at",
        AT,
        "--json",
    ];
    if is_qr {
        qr_text = fs::read_to_string(dir.join(name)).unwrap();
        args.extend(["--qr", qr_text.as_str()]);
    } else {
        args.push(name);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_hocba-verify"))
        .current_dir(dir)
        .args(&args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let line: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{name}: {e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let reason = line["reason"].as_str().unwrap_or_default().to_owned();
    let word = match line["result"].as_str().unwrap() {
        "invalid" if reason == "revoked" => "revoked",
        other => other,
    };
    let reason = if word == "error" {
        String::new()
    } else {
        reason
    };
    (word.to_owned(), reason)
}

/// `(verdict word, reason code)` of each item, as `POST /api/v1/verify` (multipart) gives it.
async fn bulk_api(
    files: &[(&str, Vec<u8>, bool)],
    material: Arc<Material>,
) -> Vec<(String, String)> {
    let clock: Clock = Arc::new(|| NOW);
    let state = AppState::new(
        TrustSource::Offline(material),
        clock,
        &Judging::default(),
        Limits::default(),
    );
    let boundary = "hocba-pipeline-test";
    let mut body = Vec::new();
    for (name, bytes, is_qr) in files {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        if *is_qr {
            body.extend_from_slice(b"Content-Disposition: form-data; name=\"qr\"\r\n\r\n");
        } else {
            body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let request = Request::post("/api/v1/verify")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    let response = router(state).oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let answer: Value =
        serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    answer["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            let word = item["verdict"].as_str().unwrap().to_owned();
            let reason = if word == "error" {
                String::new()
            } else {
                item["reason"]["code"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            };
            (word, reason)
        })
        .collect()
}

/// The bundle test's directory (authority key, bundle revoking `revoked`), with the inputs.
fn setup(test: &str, revoked: &[usize]) -> PathBuf {
    let dir = crate::bundle::setup(&format!("pipeline-{test}"), revoked);
    for (name, bytes, _) in inputs() {
        fs::write(dir.join(name), bytes).unwrap();
    }
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_input_gives_the_same_verdict_through_every_door() {
    for (test, revoked) in [("clean", &[][..]), ("revoked", &[INDEX][..])] {
        let dir = setup(test, revoked);
        let material = material(revoked);
        let files = inputs();
        let api = bulk_api(&files, Arc::clone(&material)).await;
        assert_eq!(api.len(), files.len());
        for ((name, bytes, is_qr), from_api) in files.iter().zip(api) {
            let from_library = library(bytes, *is_qr, &material);
            let from_cli = cli(&dir, name, *is_qr);
            assert_eq!(from_library, from_api, "{test} {name}: library vs bulk API");
            assert_eq!(from_library, from_cli, "{test} {name}: library vs CLI");
        }
        // What the cases are, so that agreeing on nothing cannot pass.
        let words: Vec<String> = files
            .iter()
            .map(|(_, b, q)| library(b, *q, &material).0)
            .collect();
        let expected = if revoked.is_empty() {
            ["valid", "invalid", "valid", "error", "valid"]
        } else {
            ["revoked", "invalid", "revoked", "error", "revoked"]
        };
        assert_eq!(words, expected, "{test}");
    }
}

#[test]
fn a_pdf_is_read_once_into_the_value_that_is_checked() {
    let credential = bytes(&valid_credential());
    let pdf = pdf_with(&credential, true);
    // The PDF is moved into the reader: nothing after this step can read it again.
    let input = read_input(pdf, false).unwrap();
    assert_eq!(input.origin(), Origin::Pdf);
    assert_eq!(
        input,
        Input::Credential {
            bytes: credential.clone(),
            origin: Origin::Pdf
        }
    );
    // Step 2 reads the status list URL from the extracted credential, not from the PDF.
    assert_eq!(
        input.needs(),
        Needs {
            status_list_urls: vec![LIST_URL.to_owned()],
            school_codes: Vec::new(),
            credential_schools: vec!["79000701".to_owned()],
        }
    );
    let material = material(&[INDEX]);
    let options = VerifyOptions::default().with_status_lists(Arc::clone(&material.status_lists));
    let Judged::Credential(verdict) = check_input(&input, &material.trust, NOW, &options).unwrap()
    else {
        panic!("a PDF gives a credential verdict");
    };
    assert_eq!(verdict.reason(), Some(hocba_verifier::Reason::Revoked));

    // The service's batch: items read once, then what they need, then checked from what was read.
    let items = vec![
        Item::File {
            name: Some("record.pdf".into()),
            claims_pdf: true,
            bytes: pdf_with(&credential, false),
        },
        Item::File {
            name: Some("fake.pdf".into()),
            claims_pdf: true,
            bytes: credential.clone(),
        },
    ];
    let read = read_items(items);
    assert!(matches!(
        &read[0],
        Ok(Input::Credential {
            origin: Origin::Pdf,
            ..
        })
    ));
    assert!(matches!(
        &read[1],
        Err(Checked::Error {
            code: "not_a_pdf",
            ..
        })
    ));
    assert_eq!(needs_of(&read).status_list_urls, [LIST_URL]);
    let checked = check_all(&read, &material, NOW, &VerifyOptions::default(), 1);
    assert!(
        matches!(&checked[0], Checked::Credential(v) if v.reason() == Some(hocba_verifier::Reason::Revoked))
    );
    assert!(matches!(
        &checked[1],
        Checked::Error {
            code: "not_a_pdf",
            ..
        }
    ));
}

#[test]
fn a_qr_photo_and_its_text_need_their_schools_lists() {
    let qr = text(
        summary_of(&valid_credential(), &school_a_key()),
        &school_a_key(),
    );
    let needs = Input::qr(qr).needs();
    assert_eq!(needs.school_codes, ["79000701"]);
    assert!(needs.status_list_urls.is_empty());
    // Unreadable input needs nothing (its check says why).
    assert_eq!(Input::qr("not a QR".into()).needs(), Needs::default());
    assert_eq!(Input::credential(b"{".to_vec()).needs(), Needs::default());
}

#[tokio::test]
async fn fetching_what_inputs_need_returns_its_failures_as_values() {
    // Nothing listens on port 1: every fetch fails. This call used to report on stderr.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hocba-verify-pipeline-warnings");
    let _ = fs::remove_dir_all(&dir);
    let clock: Clock = Arc::new(|| NOW);
    let config = OnlineConfig {
        cache_dir: dir,
        ..OnlineConfig::new("http://127.0.0.1:1")
    };
    let online = OnlineTrust::new(config, authority(), clock).unwrap();
    let needs = Needs {
        status_list_urls: vec!["http://127.0.0.1:1/status/79000701/1".into()],
        school_codes: vec!["79000701".into()],
        credential_schools: Vec::new(),
    };
    assert!(online.material_for_needs(&needs).await.is_err());
    let warnings = online.take_warnings();
    assert!(
        warnings.iter().any(|w| w.contains("127.0.0.1:1")),
        "{warnings:?}"
    );
}
