//! The federation with issuer-made material: the root signs the national list with
//! `hocba_issuer::app::national` (as `hocba-issuer national sign` does), each province signs
//! its trust list with the issuer's trust-list builder, `national_bundle` (as `hocba-issuer
//! bundle --national`) combines the provinces' bundles, and the verifier, pinning only the
//! root key, accepts a record of a school in the other province and refuses what it must.

#![allow(clippy::unwrap_used)]

use hocba_issuer::app::national::{
    build_national_list, national_bundle, next_version, sign_national_list,
};
use hocba_issuer::keys::KeyPair;
use hocba_issuer::signing::sign_document;
use hocba_issuer::trust_list::{
    AuthorityDescription, Description, KeyDescription, SchoolDescription, build, sign,
};
use hocba_schema::credential::{IssuerRef, UnsignedCredential};
use hocba_schema::trust_list::KeyStatus;
use hocba_verifier::{
    CheckName, Reason, TrustBundle, TrustedAuthority, VerdictResult, verify_credential,
};
use serde_json::{Value, json};
use time::macros::datetime;

const NOW: time::OffsetDateTime = datetime!(2026-06-01 00:00 UTC);
const MADE: time::OffsetDateTime = datetime!(2026-05-20 00:00 UTC);

fn key(seed: u8) -> KeyPair {
    KeyPair::from_seed(&[seed; 32])
}

/// Root 30, Hồ Chí Minh 31, Hà Nội 32, school 79000701 33, school 01000502 34.
fn provinces_toml(dir: &std::path::Path) -> std::path::PathBuf {
    let text = format!(
        r#"
[root]
id = "urn:hocba:root:test"
name = "Bộ Giáo dục và Đào tạo (thử nghiệm)"

[[provinces]]
code = "79"
name = "Sở GD&ĐT Thành phố Hồ Chí Minh"
school_code_prefixes = ["79", "74"]
trust_list = "http://127.0.0.1:1/.well-known/hocba/trust-list.json"
[[provinces.keys]]
public_key = "{}"
valid_from = "2025-01-01T00:00:00Z"
status = "active"

[[provinces]]
code = "01"
name = "Sở GD&ĐT Thành phố Hà Nội"
trust_list = "http://127.0.0.1:2/.well-known/hocba/trust-list.json"
[[provinces.keys]]
public_key = "{}"
valid_from = "2025-01-01T00:00:00Z"
status = "active"
"#,
        key(31).public_key_multibase(),
        key(32).public_key_multibase()
    );
    let path = dir.join("provinces.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Province `code`'s bundle: its trust list (schools `schools`, signed by `signer`) and no
/// status lists.
fn province_bundle(code: &str, schools: &[(&str, u8)], signer: &KeyPair) -> Vec<u8> {
    let desc = Description {
        authority: AuthorityDescription {
            id: format!("urn:hocba:province:{code}"),
            name: format!("Sở GD&ĐT {code}"),
            next_update_days: Some(30),
        },
        schools: schools
            .iter()
            .map(|(school, seed)| SchoolDescription {
                code: (*school).into(),
                name: format!("Trường {school}"),
                province: code.into(),
                keys: vec![KeyDescription {
                    public_key: key(*seed).public_key_multibase(),
                    valid_from: "2025-08-01T00:00:00Z".into(),
                    valid_until: None,
                    status: KeyStatus::Active,
                }],
                principal: None,
                seal_certificate: None,
            })
            .collect(),
    };
    let list = build(&desc, std::path::Path::new("."), 1, MADE).unwrap();
    let signed = sign(&list, signer, MADE).unwrap();
    serde_json::to_vec(&json!({
        "type": "HocBaTrustBundle",
        "createdAt": "2026-05-20T00:00:00Z",
        "trustList": signed,
        "statusLists": [],
    }))
    .unwrap()
}

fn record(school: &str, seed: u8) -> Vec<u8> {
    let issuer = IssuerRef {
        id: format!("urn:hocba:school:{school}"),
        name: format!("Trường {school}"),
    };
    let subject = json!({"school": {"code": school}, "schoolYear": "2025-2026", "grade": 5});
    let doc = UnsignedCredential::new(
        "urn:uuid:77777777-7777-4777-8777-777777777777",
        &issuer,
        datetime!(2026-05-25 08:00 UTC),
        subject,
        None,
    )
    .unwrap()
    .into_document();
    let k = key(seed);
    let vm = format!("{}#{}", issuer.id, k.public_key_multibase());
    serde_json::to_vec(&Value::Object(
        sign_document(doc, &k, &vm, "2026-05-25T08:00:00Z").unwrap(),
    ))
    .unwrap()
}

#[test]
fn issuer_made_national_material_verifies_with_only_the_root_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let desc = provinces_toml(dir.path());
    let version = next_version(None);
    let list = build_national_list(&desc, version, MADE).unwrap();
    let national = sign_national_list(&list, &key(30), MADE).unwrap();
    assert_eq!(next_version(Some(&national)), 2);
    let root = TrustedAuthority::new(key(30).verifying_key()).unwrap();
    assert_eq!(root.verify_national_list(&national).unwrap().version(), 1);

    let hcm = province_bundle("79", &[("79000701", 33), ("74000123", 35)], &key(31));
    let hn = province_bundle("01", &[("01000502", 34)], &key(32));
    let bundles = vec![
        ("hcm".to_owned(), hcm.clone()),
        ("hn".to_owned(), hn.clone()),
    ];
    let (bytes, stats) = national_bundle(&national, &root, &bundles, &[], NOW).unwrap();
    assert_eq!(stats.provinces, vec!["79", "01"]);
    let opened = TrustBundle::open(&bytes, &root).unwrap();
    for (school, seed) in [("79000701", 33), ("74000123", 35), ("01000502", 34)] {
        let v = verify_credential(&record(school, seed), opened.trust_list(), NOW).unwrap();
        assert_eq!(v.check(CheckName::Issuer).unwrap().reason, None, "{v:#?}");
        assert_eq!(
            v.check(CheckName::KeyValidity).unwrap().reason,
            None,
            "{v:#?}"
        );
        assert_ne!(v.result(), VerdictResult::Invalid, "{v:#?}");
    }

    // A bundle of the chosen province only: a Hồ Chí Minh record is not vouched for there.
    let (bytes, stats) =
        national_bundle(&national, &root, &bundles, &["01".to_owned()], NOW).unwrap();
    assert_eq!(stats.provinces, vec!["01"]);
    let opened = TrustBundle::open(&bytes, &root).unwrap();
    let v = verify_credential(&record("79000701", 33), opened.trust_list(), NOW).unwrap();
    assert_eq!(v.reason(), Some(Reason::UntrustedIssuer), "{v:#?}");

    // A province's list signed with another province's key is not put into a bundle.
    let forged = province_bundle("79", &[("79000701", 33)], &key(32));
    let err = national_bundle(&national, &root, &[("forged".into(), forged)], &[], NOW)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("another province") || err.contains("province 79"),
        "{err}"
    );
    // Nor one of a province the national list does not name.
    let stray = province_bundle("40", &[("40000918", 36)], &key(36));
    assert!(national_bundle(&national, &root, &[("stray".into(), stray)], &[], NOW).is_err());
    // A description with a key listed for two provinces is refused.
    let text = std::fs::read_to_string(&desc).unwrap().replace(
        &key(32).public_key_multibase(),
        &key(31).public_key_multibase(),
    );
    std::fs::write(&desc, text).unwrap();
    let err = build_national_list(&desc, 2, MADE).unwrap_err().to_string();
    assert!(err.contains("listed twice"), "{err}");
}

/// A credential of synthetic school `s` of `spec`, at `index` of its status list.
fn synthetic_record(
    spec: &hocba_issuer::synthetic::nation::NationSpec,
    s: usize,
    index: u64,
) -> Vec<u8> {
    let code = spec.school_code(s);
    let issuer = IssuerRef {
        id: format!("urn:hocba:school:{code}"),
        name: spec.school_name(s),
    };
    let subject = json!({"school": {"code": code}, "schoolYear": "2025-2026", "grade": 7});
    let status = hocba_schema::credential::StatusEntry::revocation(&spec.status_list_url(s), index);
    let doc = UnsignedCredential::new(
        "urn:uuid:88888888-8888-4888-8888-888888888888",
        &issuer,
        datetime!(2026-05-25 08:00 UTC),
        subject,
        Some(&status),
    )
    .unwrap()
    .into_document();
    let k = spec.school_key(s);
    let vm = format!("{}#{}", issuer.id, k.public_key_multibase());
    serde_json::to_vec(&Value::Object(
        sign_document(doc, &k, &vm, "2026-05-25T08:00:00Z").unwrap(),
    ))
    .unwrap()
}

#[test]
fn a_synthetic_nation_packs_into_a_national_bundle_that_verifies_with_the_root_alone() {
    use hocba_issuer::synthetic::nation::{NationSpec, nation};
    let spec = NationSpec {
        provinces: 3,
        schools: 10,
        revoked_per_list: 2,
        seed: 7,
        base_url: "http://127.0.0.1:9".into(),
        made: MADE,
    };
    let mut done = Vec::new();
    let made = nation(&spec, |code| done.push(code.to_owned())).unwrap();
    assert_eq!(done, ["10", "11", "12"]);
    // Deterministic: the same seed gives the same signed material.
    let again = nation(&spec, |_| {}).unwrap();
    assert_eq!(again.national, made.national);
    assert_eq!(
        again.provinces[2].status_lists,
        made.provinces[2].status_lists
    );
    let root = TrustedAuthority::new(made.root.verifying_key()).unwrap();
    let bundles: Vec<(String, Vec<u8>)> = made
        .provinces
        .iter()
        .map(|p| (p.code.clone(), p.bundle(MADE).unwrap()))
        .collect();
    // 10 schools over 3 provinces: 4, 3, 3.
    assert_eq!(
        made.provinces
            .iter()
            .map(|p| p.status_lists.len())
            .collect::<Vec<_>>(),
        [4, 3, 3]
    );
    let (bytes, stats) = national_bundle(&made.national, &root, &bundles, &[], NOW).unwrap();
    assert_eq!(stats.provinces, ["10", "11", "12"]);
    assert_eq!(stats.status_lists, 10);
    let opened = TrustBundle::open(&bytes, &root).unwrap();
    let options = hocba_verifier::VerifyOptions::default().with_status_lists(opened.status_lists());
    let judge = |record: &[u8]| {
        hocba_verifier::verify_credential_with(record, opened.trust_list(), NOW, &options).unwrap()
    };
    // School 5 is in province 10 + (5 mod 3) = 12.
    assert_eq!(spec.school_code(5), "12000005");
    let v = judge(&synthetic_record(&spec, 5, 7));
    assert_eq!(v.result(), VerdictResult::Valid, "{v:#?}");
    let revoked = spec.revoked(5)[1] as u64;
    assert_eq!(
        judge(&synthetic_record(&spec, 5, revoked)).reason(),
        Some(Reason::Revoked)
    );
    // The root of another seed vouches for none of it.
    let other = NationSpec {
        seed: 8,
        ..spec.clone()
    };
    let other_root = TrustedAuthority::new(other.root_key().verifying_key()).unwrap();
    assert!(TrustBundle::open(&bytes, &other_root).is_err());
}
