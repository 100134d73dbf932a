//! The bulk API's answer writer (`hocba_verifier::service::answer`) gives byte for byte the JSON
//! `serde_json` gives for the same reports: every example record signed and valid, tampered,
//! revoked (with a note naming its replacement), status unknown, signed by an unknown key, an
//! item that is not JSON, a malformed item, QR summaries, and text that needs escapes (quotes,
//! backslashes, control characters) in the pupil's name, the class and a subject.

use std::sync::Arc;

use hocba_schema::credential::{StatusEntry, UnsignedCredential};
use hocba_schema::status_list::RevocationNote;
use hocba_verifier::StatusLists;
use hocba_verifier::VerifyOptions;
use hocba_verifier::online::Material;
use hocba_verifier::service::answer::{TrustListOut, VerifyResponse, answer_json, items_into};
use hocba_verifier::service::verify::{Item, ItemReport, verify_all};
use serde_json::{Value, json};

use crate::status::{LIST_URL, REASON, REVOKED_AT, status_list_with_notes};
use crate::support::*;

fn example(name: &str) -> Value {
    let path = format!("{}/../schema/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// `record` as school A's credential `n`, its status at index `index` of `url`.
fn signed(record: Value, n: u64, url: &str, index: u64) -> Value {
    let status = StatusEntry::revocation(url, index);
    let id = format!("urn:uuid:00000000-0000-4000-8000-{n:012}");
    let doc = UnsignedCredential::new(&id, &school_a(), SIGNED_AT, record, Some(&status))
        .unwrap()
        .into_document();
    sign(
        doc,
        &school_a_key(),
        &vm(SCHOOL_A, &school_a_key()),
        &time_text(SIGNED_AT),
    )
}

fn qr_of(credential: &Value) -> String {
    use ed25519_dalek::Signer;
    use hocba_schema::qr::{Summary, qr_text};
    let key = school_a_key();
    let summary = Summary::from_credential(credential, &key.verifying_key()).unwrap();
    let signature = key.sign(&summary.signing_input().unwrap()).to_bytes();
    let signed = summary.with_signature(signature).unwrap();
    qr_text("https://verify.example", &signed).unwrap()
}

fn material() -> Material {
    let note = RevocationNote::new(4242, REVOKED_AT, REASON)
        .replaced_by("urn:uuid:99999999-9999-4999-8999-999999999999");
    let mut lists = StatusLists::new();
    lists.insert(
        LIST_URL,
        bytes(&status_list_with_notes(&[4242], vec![note])),
    );
    Material {
        trust: Arc::new(verified_trust()),
        status_lists: Arc::new(lists),
        as_of: SIGNED_AT,
    }
}

/// Every kind of item the bulk API answers, with the verdict each must get.
fn items() -> Vec<(Item, &'static str)> {
    let mut items = Vec::new();
    let dir = format!("{}/../schema/examples", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    assert!(names.len() >= 10, "the examples were found");
    let school = example("secondary-grade11.json")["school"].clone();
    for (n, name) in names.iter().enumerate() {
        // Each example as a record of school A (the school the test trust list knows).
        let mut record = example(name);
        record["school"] = school.clone();
        let credential = signed(record, n as u64, LIST_URL, 100 + n as u64);
        items.push((Item::Credential(bytes(&credential)), "valid"));
    }
    let grade11 = signed(example("secondary-grade11.json"), 50, LIST_URL, 7);
    let mut tampered = grade11.clone();
    tampered["credentialSubject"]["secondary"]["subjects"][1]["yearAverage"] = json!(10);
    items.push((Item::Credential(bytes(&tampered)), "invalid"));
    // Text with every kind of escape, in fields the report shows (pupil, class) and in the
    // normalised record (a subject's name), signed and valid.
    let mut odd = example("secondary-grade11.json");
    odd["student"]["fullName"] = json!("Nguyễn \"Bảo\" \\ Trân\t\u{1}\u{1f}");
    odd["className"] = json!("11A\n2\u{7f}");
    odd["secondary"]["subjects"][0]["name"] = json!("Toán \"nâng cao\" \\ \r\u{8}\u{c}");
    let odd = signed(odd, 51, LIST_URL, 8);
    items.push((Item::Credential(bytes(&odd)), "valid"));
    let revoked = signed(example("secondary-grade11.json"), 52, LIST_URL, 4242);
    items.push((Item::Credential(bytes(&revoked)), "revoked"));
    let elsewhere = "https://hocba.example/status/79000701/9";
    let unknown_list = signed(example("secondary-grade12.json"), 53, elsewhere, 1);
    items.push((Item::Credential(bytes(&unknown_list)), "status_unknown"));
    let doc = UnsignedCredential::new(
        "urn:uuid:00000000-0000-4000-8000-000000000054",
        &school_a(),
        SIGNED_AT,
        example("secondary-grade9.json"),
        Some(&StatusEntry::revocation(LIST_URL, 9)),
    )
    .unwrap()
    .into_document();
    let stranger = sign(
        doc,
        &unregistered_key(),
        &vm(SCHOOL_A, &unregistered_key()),
        &time_text(SIGNED_AT),
    );
    items.push((Item::Credential(bytes(&stranger)), "invalid"));
    items.push((Item::Credential(b"{\"a\": \"\\u0001\" ".to_vec()), "error"));
    items.push((
        Item::Malformed {
            code: "item_malformed",
            detail: "items[3] must be {\"credential\": {…}} or {\"qr\": \"…\"}, not \\ \n".into(),
        },
        "error",
    ));
    items.push((Item::Qr(qr_of(&grade11)), "valid"));
    items.push((Item::Qr(qr_of(&revoked)), "revoked"));
    items.push((Item::Qr("https://verify.example/V/123\"\\".into()), "error"));
    items
}

#[test]
fn the_answer_writer_gives_serde_jsons_bytes_for_every_kind_of_item() {
    let material = material();
    let (items, expected): (Vec<Item>, Vec<&str>) = items().into_iter().unzip();
    let checked = verify_all(&items, &material, NOW, &VerifyOptions::default(), 2);
    let names: Vec<Option<String>> = (0..items.len())
        .map(|i| (i % 3 == 0).then(|| format!("hồ sơ \"{i}\".json")))
        .collect();
    let reports: Vec<ItemReport<'_>> = checked
        .iter()
        .enumerate()
        .map(|(i, c)| ItemReport::of(i, names[i].as_deref(), c))
        .collect();
    let verdicts: Vec<&str> = reports.iter().map(|r| r.verdict).collect();
    for (i, (got, want)) in verdicts.iter().zip(&expected).enumerate() {
        let why = reports[i].reason.as_ref().map(|r| r.code);
        assert_eq!(got, want, "item {i} ({why:?})");
    }
    // The cases the writer must cover are there.
    let with_record = reports.iter().filter(|r| r.record.is_some()).count();
    assert!(with_record >= 17, "{verdicts:?}");
    assert!(reports.iter().any(|r| r.summary.is_some()));
    assert!(
        reports
            .iter()
            .any(|r| r.checks.iter().any(|c| c.revocation.is_some()))
    );
    assert!(reports.iter().any(|r| r.detail.is_some()));

    let mut counts = std::collections::BTreeMap::new();
    for r in &reports {
        *counts.entry(r.verdict).or_default() += 1;
    }
    let response = VerifyResponse {
        checked_at: "2026-06-01T08:00:00Z".into(),
        count: reports.len(),
        counts,
        trust_list: TrustListOut {
            id: material.trust.id(),
            version: material.trust.version(),
            valid_until: "2026-12-31T00:00:00Z".into(),
        },
        items: &reports,
    };
    let fast = answer_json(&response).unwrap();
    let reference = serde_json::to_vec(&response).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&fast),
        String::from_utf8_lossy(&reference)
    );
    assert_eq!(fast, reference);
    // And each item alone.
    for r in &reports {
        let mut one = Vec::new();
        items_into(&mut one, std::slice::from_ref(r)).unwrap();
        assert_eq!(one, serde_json::to_vec(&[r]).unwrap(), "item {}", r.index);
    }
    // The escapes are in the answer, as JSON reads them back.
    let back: Value = serde_json::from_slice(&fast).unwrap();
    let odd = back["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["credentialId"] == "urn:uuid:00000000-0000-4000-8000-000000000051")
        .unwrap();
    assert_eq!(
        odd["pupil"]["fullName"],
        "Nguyễn \"Bảo\" \\ Trân\t\u{1}\u{1f}"
    );
}
