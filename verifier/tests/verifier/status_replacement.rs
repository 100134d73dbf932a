//! A revoked record's replacement (issue #12, item 8): the school-signed note of its index may
//! name the credential that replaces it (`replacedBy`). The verdict carries it (and `--json`
//! and the API with it); a list without it still verifies; a changed link breaks the list's
//! signature; a link in another form is dropped while the date and reason still count.

use hocba_schema::status_list::RevocationNote;
use hocba_verifier::{CheckName, Outcome, Reason, VerdictResult, verify_credential_with};
use serde_json::Value;

use crate::status::{INDEX, LIST_URL, REASON, REVOKED_AT, lists_of, status_list_with_notes};
use crate::support::*;

const REPLACEMENT: &str = "urn:uuid:0f8a4c2e-6b1d-4e3a-9c7f-5d2e8b1a4c60";

fn verify(list: &Value) -> hocba_verifier::Verdict {
    verify_credential_with(
        &bytes(&valid_credential()),
        &verified_trust(),
        NOW,
        &hocba_verifier::VerifyOptions::default().with_status_lists(lists_of(list)),
    )
    .unwrap()
}

fn assert_revoked(verdict: &hocba_verifier::Verdict) {
    assert_eq!(verdict.result(), VerdictResult::Invalid, "{verdict:#?}");
    assert_eq!(verdict.reason(), Some(Reason::Revoked), "{verdict:#?}");
}

/// School A's list revoking the fixture's index with a note naming `replaced_by`, re-signed by
/// the school after `edit` changes the note's JSON.
fn list_with_note(edit: impl FnOnce(&mut Value)) -> Value {
    let list = status_list_with_notes(
        &[INDEX],
        vec![RevocationNote::new(INDEX, REVOKED_AT, REASON).replaced_by(REPLACEMENT)],
    );
    let mut doc = object(list);
    let proof = doc.remove("proof").unwrap();
    edit(&mut doc["credentialSubject"]["revocations"][0]);
    sign(
        doc,
        &school_a_key(),
        &vm(SCHOOL_A, &school_a_key()),
        proof["created"].as_str().unwrap(),
    )
}

#[test]
fn a_revoked_record_names_its_replacement_in_the_verdict_and_its_json() {
    let list = list_with_note(|_| {});
    assert_eq!(
        list["credentialSubject"]["revocations"][0]["replacedBy"],
        REPLACEMENT
    );
    let verdict = verify(&list);
    assert_revoked(&verdict);
    let r = verdict.revocation().unwrap();
    assert_eq!(r.replaced_by.as_deref(), Some(REPLACEMENT));
    assert_eq!(r.reason.as_deref(), Some(REASON));
    assert!(
        r.describe_vi()
            .ends_with(&format!("— đã được thay thế bằng hồ sơ {REPLACEMENT}")),
        "{}",
        r.describe_vi()
    );
    assert!(
        r.describe_en()
            .ends_with(&format!("— replaced by record {REPLACEMENT}"))
    );
    let detail = verdict.check(CheckName::Status).unwrap().detail.clone();
    assert!(detail.unwrap().contains(REPLACEMENT));
    let json = serde_json::to_value(&verdict).unwrap();
    assert_eq!(json["revocation"]["replacedBy"], REPLACEMENT);
    assert_eq!(json["revocation"]["statusList"], LIST_URL);
}

#[test]
fn a_list_without_the_member_still_verifies_with_no_link() {
    let list = status_list_with_notes(
        &[INDEX],
        vec![RevocationNote::new(INDEX, REVOKED_AT, REASON)],
    );
    assert!(
        list["credentialSubject"]["revocations"][0]
            .get("replacedBy")
            .is_none()
    );
    let verdict = verify(&list);
    assert_revoked(&verdict);
    let r = verdict.revocation().unwrap();
    assert_eq!(r.replaced_by, None);
    assert_eq!(r.revoked_at, Some(REVOKED_AT));
    let json = serde_json::to_value(&verdict).unwrap();
    assert!(json["revocation"].get("replacedBy").is_none(), "{json}");
    assert!(!r.describe_en().contains("replaced"));
}

#[test]
fn a_changed_or_added_link_breaks_the_lists_signature() {
    let other = "urn:uuid:11111111-2222-4333-8444-555555555555";
    // The signed link changed to another record.
    let mut list = list_with_note(|_| {});
    list["credentialSubject"]["revocations"][0]["replacedBy"] = other.into();
    let verdict = verify(&list);
    assert_eq!(
        verdict.check(CheckName::Status).unwrap().reason,
        Some(Reason::StatusListSignatureInvalid)
    );
    assert!(verdict.revocation().is_none());
    // A link added to a list signed without one.
    let mut list = status_list_with_notes(
        &[INDEX],
        vec![RevocationNote::new(INDEX, REVOKED_AT, REASON)],
    );
    list["credentialSubject"]["revocations"][0]["replacedBy"] = other.into();
    let verdict = verify(&list);
    assert_eq!(
        verdict.check(CheckName::Status).unwrap().reason,
        Some(Reason::StatusListSignatureInvalid)
    );
    // The link removed from a signed list.
    let mut list = list_with_note(|_| {});
    list["credentialSubject"]["revocations"][0]
        .as_object_mut()
        .unwrap()
        .remove("replacedBy");
    assert_eq!(
        verify(&list).check(CheckName::Status).unwrap().reason,
        Some(Reason::StatusListSignatureInvalid)
    );
}

#[test]
fn a_link_in_another_form_is_dropped_and_the_note_still_counts() {
    for bad in [
        Value::from("https://school.example/pupils/nguyen-van-an"),
        Value::from("Nguyễn Văn An, 079209001234"),
        Value::from("urn:uuid:0F8A4C2E-6B1D-4E3A-9C7F-5D2E8B1A4C60"),
        Value::from(42),
        Value::Null,
    ] {
        let list = list_with_note(|note| note["replacedBy"] = bad.clone());
        let verdict = verify(&list);
        assert_revoked(&verdict);
        let r = verdict.revocation().unwrap();
        assert_eq!(r.replaced_by, None, "{bad}");
        assert_eq!(r.reason.as_deref(), Some(REASON), "{bad}");
        assert_eq!(r.revoked_at, Some(REVOKED_AT), "{bad}");
    }
}

#[test]
fn a_link_on_a_clear_bit_changes_nothing() {
    let list = status_list_with_notes(
        &[7],
        vec![RevocationNote::new(INDEX, REVOKED_AT, REASON).replaced_by(REPLACEMENT)],
    );
    let verdict = verify(&list);
    assert!(verdict.is_valid(), "{verdict:#?}");
    assert!(verdict.revocation().is_none());
    assert_eq!(
        verdict.check(CheckName::Status).unwrap().outcome,
        Outcome::Passed
    );
}
