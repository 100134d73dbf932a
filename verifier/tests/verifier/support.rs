//! Fixtures: fixed-seed keys, a trust list signed by a test authority, and credentials signed
//! with `hocba_schema::proof` + ed25519-dalek directly (no issuer code).
//!
//! Seeds: authority [1; 32]; school A (79000701) active [2; 32], retired [4; 32], compromised
//! [5; 32]; school B (01000502) active [3; 32]; a key nobody registered [6; 32].

use ed25519_dalek::{Signer, SigningKey};
use hocba_schema::credential::{IssuerRef, StatusEntry, UnsignedCredential, format_time};
use hocba_schema::multibase::{decode_base58btc, encode_base58btc};
use hocba_schema::multikey::encode_public_key;
use hocba_schema::proof::{attach_proof, hash_data, proof_config};
use hocba_schema::trust_list::{KeyStatus, TrustList, TrustListBody, TrustedKey, TrustedSchool};
use hocba_verifier::{
    CheckName, Outcome, Reason, TrustedAuthority, Verdict, VerifiedTrustList, verify_credential,
};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

/// When the fixtures' credentials are signed.
pub const SIGNED_AT: OffsetDateTime = datetime!(2026-05-25 08:00 UTC);
/// When they are checked (the trust list runs 2026-05-01 .. 2026-06-30).
pub const NOW: OffsetDateTime = datetime!(2026-06-01 00:00 UTC);

pub const AUTHORITY_ID: &str = "urn:hocba:authority:test";
pub const SCHOOL_A: &str = "urn:hocba:school:79000701";
pub const SCHOOL_B: &str = "urn:hocba:school:01000502";

pub fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}
pub fn authority_key() -> SigningKey {
    key(1)
}
pub fn school_a_key() -> SigningKey {
    key(2)
}
pub fn school_b_key() -> SigningKey {
    key(3)
}
pub fn retired_key() -> SigningKey {
    key(4)
}
pub fn compromised_key() -> SigningKey {
    key(5)
}
pub fn unregistered_key() -> SigningKey {
    key(6)
}

/// `<controller>#<publicKeyMultibase>`.
pub fn vm(controller: &str, key: &SigningKey) -> String {
    format!("{controller}#{}", encode_public_key(&key.verifying_key()))
}

pub fn authority() -> TrustedAuthority {
    TrustedAuthority::new(authority_key().verifying_key()).unwrap()
}

fn trusted_key(
    controller: &str,
    key: &SigningKey,
    from: OffsetDateTime,
    until: Option<OffsetDateTime>,
    status: KeyStatus,
) -> TrustedKey {
    TrustedKey {
        id: vm(controller, key),
        kind: "Multikey".into(),
        controller: controller.into(),
        public_key_multibase: encode_public_key(&key.verifying_key()),
        valid_from: from,
        valid_until: until,
        status,
    }
}

/// The test trust list (unsigned): schools A and B.
pub fn trust_list() -> TrustList {
    let school_a = TrustedSchool {
        id: SCHOOL_A.into(),
        code: "79000701".into(),
        name: "Trường Tiểu học Lê Văn Tám".into(),
        province: "Thành phố Hồ Chí Minh".into(),
        seal_certificate_sha256: None,
        verification_methods: vec![
            trusted_key(
                SCHOOL_A,
                &school_a_key(),
                datetime!(2025-08-01 00:00 UTC),
                None,
                KeyStatus::Active,
            ),
            trusted_key(
                SCHOOL_A,
                &retired_key(),
                datetime!(2024-08-01 00:00 UTC),
                Some(datetime!(2025-08-01 00:00 UTC)),
                KeyStatus::Retired,
            ),
            trusted_key(
                SCHOOL_A,
                &compromised_key(),
                datetime!(2025-01-01 00:00 UTC),
                None,
                KeyStatus::Compromised,
            ),
        ],
    };
    let school_b = TrustedSchool {
        id: SCHOOL_B.into(),
        code: "01000502".into(),
        name: "Trường THCS Ba Đình".into(),
        province: "Thành phố Hà Nội".into(),
        seal_certificate_sha256: None,
        verification_methods: vec![trusted_key(
            SCHOOL_B,
            &school_b_key(),
            datetime!(2025-08-01 00:00 UTC),
            None,
            KeyStatus::Active,
        )],
    };
    TrustList::new(
        "urn:uuid:11111111-1111-4111-8111-111111111111".into(),
        IssuerRef {
            id: AUTHORITY_ID.into(),
            name: "Sở GD&ĐT thử nghiệm".into(),
        },
        datetime!(2026-05-01 00:00 UTC),
        datetime!(2026-06-30 00:00 UTC),
        TrustListBody {
            version: 3,
            schools: vec![school_a, school_b],
        },
    )
}

pub fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

/// Sign `doc` with eddsa-jcs-2022 as `vm` at `created`.
pub fn sign(doc: Map<String, Value>, key: &SigningKey, vm: &str, created: &str) -> Value {
    let config = proof_config(&doc, vm, created);
    sign_with_config(doc, key, config)
}

/// Sign `doc` with an arbitrary proof configuration.
pub fn sign_with_config(
    mut doc: Map<String, Value>,
    key: &SigningKey,
    config: Map<String, Value>,
) -> Value {
    // Plain RFC 8785 hashing, without the project's limits, so that tests can sign documents
    // that break them (a careless or hostile signer) and check that the verifier names them.
    let hash = hash_data(&config, &doc).unwrap_or_else(|_| {
        use sha2::{Digest, Sha256};
        let jcs = |m: &Map<String, Value>| {
            Sha256::digest(hocba_schema::jcs::rfc8785_bytes(&Value::Object(m.clone())).unwrap())
        };
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&jcs(&config));
        out[32..].copy_from_slice(&jcs(&doc));
        out
    });
    let signature = key.sign(&hash).to_bytes();
    attach_proof(&mut doc, config, &signature);
    Value::Object(doc)
}

/// A trust list signed by `key` as `vm`.
pub fn signed_trust_list_with(list: &TrustList, key: &SigningKey, vm: &str) -> Value {
    let doc = UnsignedCredential::from_document(object(serde_json::to_value(list).unwrap()))
        .unwrap()
        .into_document();
    sign(doc, key, vm, "2026-05-01T00:00:00Z")
}

/// The test trust list signed by the test authority.
pub fn signed_trust_list() -> Value {
    signed_trust_list_with(
        &trust_list(),
        &authority_key(),
        &vm(AUTHORITY_ID, &authority_key()),
    )
}

pub fn verified_trust() -> VerifiedTrustList {
    authority()
        .verify_trust_list(&bytes(&signed_trust_list()))
        .unwrap()
}

pub fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

pub fn school_a() -> IssuerRef {
    IssuerRef {
        id: SCHOOL_A.into(),
        name: "Trường Tiểu học Lê Văn Tám".into(),
    }
}

/// A small year record with the fields the verifier displays.
pub fn subject(code: &str) -> Value {
    json!({
        "student": {"fullName": "Nguyễn Thị Ánh Tuyết", "dateOfBirth": "2015-03-02"},
        "school": {"code": code, "name": "Trường Tiểu học Lê Văn Tám"},
        "schoolYear": "2025-2026",
        "grade": 5,
        "className": "5A",
        "subjects": [
            {"name": "Tiếng Việt", "score": 9, "level": "T"},
            {"name": "Toán", "score": 10, "level": "T"}
        ],
        "conduct": "Hoàn thành xuất sắc"
    })
}

/// The unsigned credential of school A (valid from `SIGNED_AT`).
pub fn unsigned(issuer: &IssuerRef, code: &str) -> Map<String, Value> {
    let status = StatusEntry::revocation("https://hocba.example/status/79000701/1", 4242);
    UnsignedCredential::new(
        "urn:uuid:22222222-2222-4222-8222-222222222222",
        issuer,
        SIGNED_AT,
        subject(code),
        Some(&status),
    )
    .unwrap()
    .into_document()
}

pub fn time_text(t: OffsetDateTime) -> String {
    format_time(t).unwrap()
}

/// School A's credential, signed with its active key.
pub fn valid_credential() -> Value {
    sign(
        unsigned(&school_a(), "79000701"),
        &school_a_key(),
        &vm(SCHOOL_A, &school_a_key()),
        &time_text(SIGNED_AT),
    )
}

pub fn check(v: &Value) -> Verdict {
    verify_credential(&bytes(v), &verified_trust(), NOW).unwrap()
}

/// Assert the verdict is invalid with headline `reason`, and that the check it belongs to
/// failed with it.
#[track_caller]
pub fn assert_invalid(v: &Value, name: CheckName, reason: Reason) -> Verdict {
    let verdict = check(v);
    assert_eq!(
        verdict.reason(),
        Some(reason),
        "{}",
        serde_json::to_string_pretty(&verdict).unwrap()
    );
    assert!(!verdict.is_valid());
    assert!(verdict.verified().is_none());
    let c = verdict.check(name).unwrap();
    assert_eq!(c.outcome, Outcome::Failed, "{c:?}");
    assert_eq!(c.reason, Some(reason));
    verdict
}

/// The 64 signature bytes of a secured document.
pub fn signature_of(v: &Value) -> [u8; 64] {
    let text = v["proof"]["proofValue"].as_str().unwrap();
    decode_base58btc("proofValue", text)
        .unwrap()
        .try_into()
        .unwrap()
}

pub fn set_signature(v: &mut Value, sig: &[u8; 64]) {
    v["proof"]["proofValue"] = encode_base58btc(sig).into();
}

pub fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// ℓ, little-endian.
pub const GROUP_ORDER: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// The same signature with S replaced by S + ℓ (equal mod ℓ: the malleable twin).
pub fn malleate(sig: &[u8; 64]) -> [u8; 64] {
    let mut out = *sig;
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(sig[32 + i]) + u16::from(GROUP_ORDER[i]) + carry;
        out[32 + i] = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0);
    out
}
