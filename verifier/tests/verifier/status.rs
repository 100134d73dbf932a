//! Revocation through Bitstring Status Lists: a list decoded by hand agrees with the library,
//! and every way a list can be wrong has its own verdict (revoked, another school's key, a
//! bad signature, another school's list, stale or missing: status unknown, fail closed).
//! A revoked record shows the date and reason of the school-signed note for its index.

use std::io::Read;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::SigningKey;
use flate2::read::GzDecoder;
use hocba_schema::credential::{IssuerRef, UnsignedCredential};
use hocba_schema::status_list::{Bitstring, MIN_ENTRIES, RevocationNote, StatusListCredential};
use hocba_verifier::{
    CheckName, Outcome, Reason, StatusLists, Verdict, VerdictResult, VerifyOptions,
    verify_credential_with,
};
use serde_json::Value;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::support::*;

/// The URL the fixture credential names (index 4242).
pub const LIST_URL: &str = "https://hocba.example/status/79000701/1";
/// The fixture credential's index.
pub const INDEX: usize = 4242;

pub fn school_b() -> IssuerRef {
    IssuerRef {
        id: SCHOOL_B.into(),
        name: "Trường THCS Ba Đình".into(),
    }
}

/// A status list at `url` issued by `issuer`, with `revoked` set, valid `from` .. `until`,
/// signed with `key` as a key of `controller`.
pub fn status_list_with(
    url: &str,
    issuer: IssuerRef,
    revoked: &[usize],
    from: OffsetDateTime,
    until: OffsetDateTime,
    key: &SigningKey,
    controller: &str,
) -> Value {
    let mut bits = Bitstring::new(MIN_ENTRIES);
    for &i in revoked {
        assert!(bits.set(i, true));
    }
    let list = StatusListCredential::revocation(url, issuer, from, until, &bits);
    let doc = UnsignedCredential::from_document(object(serde_json::to_value(&list).unwrap()))
        .unwrap()
        .into_document();
    sign(doc, key, &vm(controller, key), &time_text(from))
}

/// School A's list (made the day before `NOW`) with `revoked` set and the revocation `notes`.
pub fn status_list_with_notes(revoked: &[usize], notes: Vec<RevocationNote>) -> Value {
    let mut bits = Bitstring::new(MIN_ENTRIES);
    for &i in revoked {
        assert!(bits.set(i, true));
    }
    let from = datetime!(2026-05-31 00:00 UTC);
    let list = StatusListCredential::revocation_with_notes(
        LIST_URL,
        school_a(),
        from,
        datetime!(2026-06-14 00:00 UTC),
        &bits,
        notes,
    );
    let doc = UnsignedCredential::from_document(object(serde_json::to_value(&list).unwrap()))
        .unwrap()
        .into_document();
    sign(
        doc,
        &school_a_key(),
        &vm(SCHOOL_A, &school_a_key()),
        &time_text(from),
    )
}

/// When the fixture's revocation happened.
pub const REVOKED_AT: OffsetDateTime = datetime!(2026-05-30 09:45:12 UTC);
/// Its published reason.
pub const REASON: &str = "Sai điểm môn Toán; đã cấp lại";

/// School A's list with `revoked` set, made the day before `NOW`, valid for two weeks.
pub fn status_list(revoked: &[usize]) -> Value {
    status_list_with(
        LIST_URL,
        school_a(),
        revoked,
        datetime!(2026-05-31 00:00 UTC),
        datetime!(2026-06-14 00:00 UTC),
        &school_a_key(),
        SCHOOL_A,
    )
}

pub fn lists_of(list: &Value) -> Arc<StatusLists> {
    let mut lists = StatusLists::new();
    lists.insert(LIST_URL, bytes(list));
    Arc::new(lists)
}

fn verify_with(list: &Value, options: VerifyOptions) -> Verdict {
    verify_credential_with(
        &bytes(&valid_credential()),
        &verified_trust(),
        NOW,
        &options.with_status_lists(lists_of(list)),
    )
    .unwrap()
}

fn verify(list: &Value) -> Verdict {
    verify_with(list, VerifyOptions::default())
}

#[track_caller]
fn assert_status(verdict: &Verdict, result: VerdictResult, reason: Reason) {
    assert_eq!(verdict.result(), result, "{verdict:#?}");
    assert_eq!(verdict.reason(), Some(reason), "{verdict:#?}");
    let check = verdict.check(CheckName::Status).unwrap();
    assert_eq!(check.outcome, Outcome::Failed);
    assert_eq!(check.reason, Some(reason));
}

#[test]
fn a_list_decoded_by_hand_agrees_with_the_library() {
    let revoked = [0, 7, 8, INDEX, 65_537, MIN_ENTRIES - 1];
    let list = status_list(&revoked);
    let encoded = list["credentialSubject"]["encodedList"].as_str().unwrap();
    // Multibase base64url without padding ('u'), then GZIP, then bit i = bit 7 - i % 8 of
    // byte i / 8 (W3C Bitstring Status List v1.0 §4.2: index 0 is the left-most bit).
    let compressed = URL_SAFE_NO_PAD
        .decode(encoded.strip_prefix('u').unwrap())
        .unwrap();
    assert_eq!(&compressed[..2], &[0x1f, 0x8b], "GZIP magic");
    let mut raw = Vec::new();
    GzDecoder::new(compressed.as_slice())
        .read_to_end(&mut raw)
        .unwrap();
    assert_eq!(raw.len() * 8, MIN_ENTRIES);
    let by_hand = |i: usize| (raw[i / 8] >> (7 - i % 8)) & 1 == 1;
    assert_eq!(raw[0], 0b1000_0001);
    assert_eq!(raw[1], 0b1000_0000);
    let library = Bitstring::decode(encoded).unwrap();
    for i in 0..MIN_ENTRIES {
        assert_eq!(by_hand(i), library.get(i).unwrap(), "bit {i}");
        assert_eq!(by_hand(i), revoked.contains(&i), "bit {i}");
    }
    // And the verifier reads the same bit.
    assert_status(&verify(&list), VerdictResult::Invalid, Reason::Revoked);
}

#[test]
fn not_revoked_passes_and_revoked_is_invalid() {
    let verdict = verify(&status_list(&[1, 2, 3]));
    assert!(verdict.is_valid(), "{verdict:#?}");
    let check = verdict.check(CheckName::Status).unwrap();
    assert_eq!(check.outcome, Outcome::Passed);
    assert!(check.detail.as_deref().unwrap().contains("index 4242"));

    let verdict = verify(&status_list(&[INDEX]));
    assert_status(&verdict, VerdictResult::Invalid, Reason::Revoked);
    assert_eq!(
        verdict.message().en,
        "The record has been revoked by the school."
    );
    assert!(verdict.verified().is_none());
    let json = serde_json::to_value(&verdict).unwrap();
    assert_eq!(json["result"], "invalid");
    assert_eq!(json["reason"], "revoked");
}

#[test]
fn without_status_lists_the_status_is_not_checked() {
    let verdict = check(&valid_credential());
    assert!(verdict.is_valid());
    let status = verdict.check(CheckName::Status).unwrap();
    assert_eq!(status.outcome, Outcome::NotChecked);
    assert_eq!(status.reason, Some(Reason::StatusNotChecked));
}

#[test]
fn a_list_signed_by_another_schools_key_or_tampered_is_refused() {
    let by_b = status_list_with(
        LIST_URL,
        school_a(),
        &[],
        datetime!(2026-05-31 00:00 UTC),
        datetime!(2026-06-14 00:00 UTC),
        &school_b_key(),
        SCHOOL_B,
    );
    assert_status(
        &verify(&by_b),
        VerdictResult::Invalid,
        Reason::StatusListSignedByOtherKey,
    );
    // A key nobody registered, claiming to be school A's.
    let unknown = status_list_with(
        LIST_URL,
        school_a(),
        &[],
        datetime!(2026-05-31 00:00 UTC),
        datetime!(2026-06-14 00:00 UTC),
        &unregistered_key(),
        SCHOOL_A,
    );
    assert_status(
        &verify(&unknown),
        VerdictResult::Invalid,
        Reason::StatusListSignedByOtherKey,
    );
    // Someone clears the revoked bit after signing.
    let mut tampered = status_list(&[INDEX]);
    tampered["credentialSubject"]["encodedList"] =
        Value::from(Bitstring::new(MIN_ENTRIES).encode());
    assert_status(
        &verify(&tampered),
        VerdictResult::Invalid,
        Reason::StatusListSignatureInvalid,
    );
    let mut unsigned = status_list(&[]);
    unsigned.as_object_mut().unwrap().remove("proof");
    assert_status(
        &verify(&unsigned),
        VerdictResult::Invalid,
        Reason::StatusListSignatureInvalid,
    );
    // The compromised key of school A cannot vouch for its list.
    let compromised = status_list_with(
        LIST_URL,
        school_a(),
        &[],
        datetime!(2026-05-31 00:00 UTC),
        datetime!(2026-06-14 00:00 UTC),
        &compromised_key(),
        SCHOOL_A,
    );
    assert_status(
        &verify(&compromised),
        VerdictResult::Invalid,
        Reason::StatusListKeyNotValid,
    );
}

#[test]
fn another_schools_list_is_refused() {
    let of_b = status_list_with(
        LIST_URL,
        school_b(),
        &[],
        datetime!(2026-05-31 00:00 UTC),
        datetime!(2026-06-14 00:00 UTC),
        &school_b_key(),
        SCHOOL_B,
    );
    assert_status(
        &verify(&of_b),
        VerdictResult::Invalid,
        Reason::StatusListOfAnotherSchool,
    );
}

#[test]
fn stale_missing_or_unreadable_lists_give_an_unknown_status() {
    let stale = status_list_with(
        LIST_URL,
        school_a(),
        &[],
        datetime!(2026-05-01 00:00 UTC),
        datetime!(2026-05-15 00:00 UTC),
        &school_a_key(),
        SCHOOL_A,
    );
    let verdict = verify(&stale);
    assert_status(
        &verdict,
        VerdictResult::StatusUnknown,
        Reason::StatusListStale,
    );
    assert!(!verdict.is_valid());
    assert_eq!(
        serde_json::to_value(&verdict).unwrap()["result"],
        "status_unknown"
    );
    // Fresh by validUntil but older than the caller accepts.
    let verdict = verify_with(
        &status_list(&[]),
        VerifyOptions::default().with_max_status_list_age(Duration::hours(12)),
    );
    assert_status(
        &verdict,
        VerdictResult::StatusUnknown,
        Reason::StatusListStale,
    );

    // A list that was not fetched.
    let mut other = StatusLists::new();
    other.insert(
        "https://hocba.example/status/79000701/2",
        bytes(&status_list(&[])),
    );
    let verdict = verify_credential_with(
        &bytes(&valid_credential()),
        &verified_trust(),
        NOW,
        &VerifyOptions::default().with_status_lists(Arc::new(other)),
    )
    .unwrap();
    assert_status(
        &verdict,
        VerdictResult::StatusUnknown,
        Reason::StatusListUnavailable,
    );

    let mut lists = StatusLists::new();
    lists.insert(LIST_URL, b"<html>502 Bad Gateway</html>".to_vec());
    let verdict = verify_credential_with(
        &bytes(&valid_credential()),
        &verified_trust(),
        NOW,
        &VerifyOptions::default().with_status_lists(Arc::new(lists)),
    )
    .unwrap();
    assert_status(
        &verdict,
        VerdictResult::StatusUnknown,
        Reason::StatusListMalformed,
    );
}

#[test]
fn a_list_fetched_from_another_url_is_not_used() {
    let mut lists = StatusLists::new();
    let elsewhere = status_list_with(
        "https://hocba.example/status/79000701/9",
        school_a(),
        &[],
        datetime!(2026-05-31 00:00 UTC),
        datetime!(2026-06-14 00:00 UTC),
        &school_a_key(),
        SCHOOL_A,
    );
    lists.insert(LIST_URL, bytes(&elsewhere));
    let verdict = verify_credential_with(
        &bytes(&valid_credential()),
        &verified_trust(),
        NOW,
        &VerifyOptions::default().with_status_lists(Arc::new(lists)),
    )
    .unwrap();
    assert_status(
        &verdict,
        VerdictResult::StatusUnknown,
        Reason::StatusListMalformed,
    );
}

#[test]
fn a_revoked_credential_with_another_failure_is_invalid_not_unknown() {
    let mut tampered = valid_credential();
    tampered["credentialSubject"]["grade"] = Value::from(4);
    let verdict = verify_credential_with(
        &bytes(&tampered),
        &verified_trust(),
        NOW,
        &VerifyOptions::default().with_status_lists(lists_of(&status_list_with(
            LIST_URL,
            school_a(),
            &[],
            datetime!(2026-05-01 00:00 UTC),
            datetime!(2026-05-15 00:00 UTC),
            &school_a_key(),
            SCHOOL_A,
        ))),
    )
    .unwrap();
    assert_eq!(verdict.result(), VerdictResult::Invalid);
    assert_eq!(verdict.reason(), Some(Reason::SignatureMismatch));
}

#[test]
fn a_revoked_record_shows_the_signed_date_and_reason() {
    let list = status_list_with_notes(
        &[7, INDEX],
        vec![
            RevocationNote::new(7, datetime!(2026-01-02 03:04:05 UTC), "Nhập nhầm lớp"),
            RevocationNote::new(INDEX, REVOKED_AT, REASON),
        ],
    );
    let verdict = verify(&list);
    assert_status(&verdict, VerdictResult::Invalid, Reason::Revoked);
    let r = verdict.revocation().expect("a revocation note");
    assert_eq!(r.status_list, LIST_URL);
    assert_eq!(r.status_list_index, INDEX as u64);
    assert_eq!(r.revoked_at, Some(REVOKED_AT));
    assert_eq!(r.reason.as_deref(), Some(REASON));
    assert_eq!(
        r.describe_vi(),
        format!("Đã thu hồi ngày 2026-05-30T09:45:12Z — lý do: {REASON}")
    );
    assert_eq!(
        r.describe_en(),
        format!("Revoked on 2026-05-30T09:45:12Z — reason: {REASON}")
    );
    let detail = verdict
        .check(CheckName::Status)
        .unwrap()
        .detail
        .clone()
        .unwrap();
    assert!(
        detail.contains(REASON) && detail.contains("2026-05-30T09:45:12Z"),
        "{detail}"
    );
    let json = serde_json::to_value(&verdict).unwrap();
    assert_eq!(json["reason"], "revoked");
    assert_eq!(json["revocation"]["revokedAt"], "2026-05-30T09:45:12Z");
    assert_eq!(json["revocation"]["reason"], REASON);
    assert_eq!(json["revocation"]["statusListIndex"], INDEX);
    assert_eq!(json["revocation"]["statusList"], LIST_URL);
}

#[test]
fn a_note_without_its_bit_set_is_ignored() {
    // The bit decides: a note for an index whose bit is clear does not revoke it.
    let list = status_list_with_notes(&[7], vec![RevocationNote::new(INDEX, REVOKED_AT, REASON)]);
    let verdict = verify(&list);
    assert!(verdict.is_valid(), "{verdict:#?}");
    assert!(verdict.revocation().is_none());
    assert_eq!(
        verdict.check(CheckName::Status).unwrap().outcome,
        Outcome::Passed
    );
    assert!(
        serde_json::to_value(&verdict)
            .unwrap()
            .get("revocation")
            .is_none()
    );
}

#[test]
fn a_set_bit_without_a_usable_note_is_revoked_with_reason_unknown() {
    let bad_note = |note: Value| {
        let mut list = status_list_with_notes(&[INDEX], vec![]);
        let mut doc = object(list.clone());
        let proof = doc.remove("proof").unwrap();
        doc["credentialSubject"]["revocations"] = Value::Array(vec![note]);
        // Re-signed by the school: the note is signed, only malformed.
        list = sign(
            doc,
            &school_a_key(),
            &vm(SCHOOL_A, &school_a_key()),
            proof["created"].as_str().unwrap(),
        );
        list
    };
    for list in [
        status_list(&[INDEX]),
        bad_note(
            serde_json::json!({"statusListIndex": "04242", "revokedAt": "2026-05-30T09:45:12Z", "reason": "x"}),
        ),
        bad_note(
            serde_json::json!({"statusListIndex": "4242", "revokedAt": "yesterday", "reason": "x"}),
        ),
        bad_note(
            serde_json::json!({"statusListIndex": "4242", "revokedAt": "2026-05-30T09:45:12Z", "reason": "a\u{1b}[31mb"}),
        ),
        bad_note(
            serde_json::json!({"statusListIndex": "4242", "revokedAt": "2026-05-30T09:45:12Z", "reason": "x".repeat(201)}),
        ),
        bad_note(
            serde_json::json!({"statusListIndex": 4242, "revokedAt": "2026-05-30T09:45:12Z", "reason": "x"}),
        ),
    ] {
        let verdict = verify(&list);
        assert_status(&verdict, VerdictResult::Invalid, Reason::Revoked);
        let r = verdict.revocation().expect("revoked, reason unknown");
        assert_eq!((r.revoked_at, r.reason.as_deref()), (None, None), "{list}");
        assert!(r.describe_en().contains("no date or reason"));
        let json = serde_json::to_value(&verdict).unwrap();
        assert_eq!(json["revocation"]["reason"], Value::Null);
        assert_eq!(json["revocation"]["revokedAt"], Value::Null);
    }
}

#[test]
fn a_tampered_note_breaks_the_lists_signature() {
    let mut list = status_list_with_notes(
        &[INDEX],
        vec![RevocationNote::new(INDEX, REVOKED_AT, REASON)],
    );
    list["credentialSubject"]["revocations"][0]["reason"] = Value::from("Học sinh gian lận");
    assert_status(
        &verify(&list),
        VerdictResult::Invalid,
        Reason::StatusListSignatureInvalid,
    );
    assert!(verify(&list).revocation().is_none());
    // Adding a note to a signed list is tampering too.
    let mut list = status_list(&[INDEX]);
    list["credentialSubject"]["revocations"] =
        serde_json::to_value(vec![RevocationNote::new(INDEX, REVOKED_AT, REASON)]).unwrap();
    assert_status(
        &verify(&list),
        VerdictResult::Invalid,
        Reason::StatusListSignatureInvalid,
    );
}

#[test]
fn notes_outside_the_signed_list_are_ignored() {
    // A bundle is an unsigned container: a note placed next to the signed list does not count.
    let note = serde_json::to_value(vec![RevocationNote::new(INDEX, REVOKED_AT, REASON)]).unwrap();
    let bundle = serde_json::json!({
        "type": "HocBaTrustBundle",
        "createdAt": "2026-05-31T00:00:00Z",
        "trustList": signed_trust_list(),
        "statusLists": [status_list(&[INDEX])],
        "revocations": note,
    });
    let opened = hocba_verifier::TrustBundle::open(&bytes(&bundle), &authority()).unwrap();
    let verdict = verify_credential_with(
        &bytes(&valid_credential()),
        opened.trust_list(),
        NOW,
        &VerifyOptions::default().with_status_lists(opened.status_lists()),
    )
    .unwrap();
    assert_status(&verdict, VerdictResult::Invalid, Reason::Revoked);
    assert_eq!(verdict.revocation().unwrap().reason, None);
    // Nor does one outside credentialSubject in an otherwise untouched list: it breaks the
    // signature (everything but proofValue is signed).
    let mut list = status_list(&[INDEX]);
    list["revocations"] = note;
    assert_status(
        &verify(&list),
        VerdictResult::Invalid,
        Reason::StatusListSignatureInvalid,
    );
}

#[test]
fn cli_shows_the_date_and_reason_of_a_revocation() {
    use ed25519_dalek::pkcs8::EncodePublicKey;
    use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
    use std::process::{Command, Stdio};
    let dir =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("hocba-verify-revocation-note");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, data: Vec<u8>| std::fs::write(dir.join(name), data).unwrap();
    write(
        "authority.pub.pem",
        authority_key()
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap()
            .into_bytes(),
    );
    write("trust-list.json", bytes(&signed_trust_list()));
    write("valid.json", bytes(&valid_credential()));
    write(
        "list.json",
        bytes(&status_list_with_notes(
            &[INDEX],
            vec![RevocationNote::new(INDEX, REVOKED_AT, REASON)],
        )),
    );
    let run = |json: bool| {
        let mut args = vec![
            "--authority",
            "authority.pub.pem",
            "--at",
            "2026-06-01T00:00:00Z",
            "--trust-list",
            "trust-list.json",
            "--status-list",
            "list.json",
        ];
        if json {
            args.push("--json");
        }
        args.push("valid.json");
        Command::new(env!("CARGO_BIN_EXE_hocba-verify"))
            .current_dir(&dir)
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let out = run(false);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "Đã thu hồi ngày 2026-05-30T09:45:12Z — lý do: {REASON}"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Revoked on 2026-05-30T09:45:12Z — reason: {REASON}"
        )),
        "{text}"
    );
    let out = run(true);
    assert_eq!(out.status.code(), Some(1));
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["reason"], "revoked");
    assert_eq!(line["revocation"]["reason"], REASON);
    assert_eq!(line["revocation"]["revokedAt"], "2026-05-30T09:45:12Z");
}

#[test]
fn a_revoked_qr_summary_shows_the_signed_date_and_reason() {
    use ed25519_dalek::Signer as _;
    use hocba_schema::qr::{Completion, LevelSummary, Summary, qr_text};
    use hocba_schema::record::{Promotion, Rating};
    let key = school_a_key();
    let mut hint = [0u8; 4];
    hint.copy_from_slice(&key.verifying_key().as_bytes()[..4]);
    let summary = Summary {
        credential_id: [7; 16],
        status_index: Some(INDEX as u64),
        credential_sha256: [9; 32],
        key_hint: hint,
        signed_at: SIGNED_AT,
        school_code: "79000701".into(),
        school_year_start: 2025,
        grade: 11,
        class_name: "11A2".into(),
        pupil_name: "Nguyễn Thị Thu Hà".into(),
        date_of_birth: time::macros::date!(2009 - 03 - 14),
        results: LevelSummary::Secondary {
            learning: Rating::T,
            conduct: Rating::T,
        },
        promotion: Promotion::Promoted.into(),
        award: None,
        completion: Completion::NotStated,
        version: hocba_schema::qr::VERSION,
        record_date: None,
        other_awards: Vec::new(),
        replaces: None,
        summer: None,
    };
    let signature = key.sign(&summary.signing_input().unwrap()).to_bytes();
    let text = qr_text(
        "https://verify.example",
        &summary.with_signature(signature).unwrap(),
    )
    .unwrap();
    let trust = verified_trust();
    let judge = |list: &Value| {
        let verdict = hocba_verifier::verify_summary(&text, &trust, NOW).unwrap();
        let school = verdict.verified().unwrap().school().id.clone();
        let check = lists_of(list)
            .summary_status(&school, INDEX as u64, &trust, NOW, None)
            .unwrap();
        verdict.with_status(check)
    };
    let verdict = judge(&status_list_with_notes(
        &[INDEX],
        vec![RevocationNote::new(INDEX, REVOKED_AT, REASON)],
    ));
    assert_eq!(verdict.result(), VerdictResult::Invalid);
    assert_eq!(verdict.reason(), Some(Reason::Revoked));
    let r = verdict.revocation().expect("date and reason");
    assert_eq!(r.revoked_at, Some(REVOKED_AT));
    assert_eq!(r.reason.as_deref(), Some(REASON));
    let json = serde_json::to_value(&verdict).unwrap();
    let status = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "status")
        .unwrap()
        .clone();
    assert_eq!(status["revocation"]["reason"], REASON);
    assert_eq!(status["revocation"]["revokedAt"], "2026-05-30T09:45:12Z");
    // A note whose bit is clear: not revoked, no revocation.
    let verdict = judge(&status_list_with_notes(
        &[],
        vec![RevocationNote::new(INDEX, REVOKED_AT, REASON)],
    ));
    assert!(verdict.is_valid(), "{:?}", verdict.checks());
    assert!(verdict.revocation().is_none());
}
