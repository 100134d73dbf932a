//! Fixtures for the page tests and the browser test, dated around a chosen `now` (the browser
//! test's server reads the real clock, so its trust list and status lists must be current):
//! fixed-seed keys, a trust list signed by a test authority, full year records from
//! `schema/examples` signed as credentials, status lists, QR texts and an offline bundle.
//!
//! Seeds (as in `tests/verifier/support.rs`): authority [1; 32]; school A (79000701, primary)
//! [2; 32]; school B (01000502, secondary) [3; 32]; a key nobody registered [6; 32].

use ed25519_dalek::pkcs8::EncodePublicKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::{Signer, SigningKey};
use hocba_schema::credential::{IssuerRef, StatusEntry, UnsignedCredential, format_time};
use hocba_schema::multikey::encode_public_key;
use hocba_schema::proof::{attach_proof, hash_data, proof_config};
use hocba_schema::qr::{Summary, qr_text};
use hocba_schema::status_list::{Bitstring, MIN_ENTRIES, RevocationNote, StatusListCredential};
use hocba_schema::trust_list::{KeyStatus, TrustList, TrustListBody, TrustedKey, TrustedSchool};
use hocba_verifier::{StatusLists, TrustedAuthority, VerifiedTrustList};
use serde_json::{Map, Value, json};
use time::{Duration, OffsetDateTime};

pub const AUTHORITY_ID: &str = "urn:hocba:authority:test";
pub const BASE: &str = "https://verify.example";

/// A school of the test trust list.
#[derive(Debug, Clone, Copy)]
pub struct School {
    pub id: &'static str,
    pub code: &'static str,
    pub name: &'static str,
    pub province: &'static str,
    pub seed: u8,
}

pub const SCHOOL_A: School = School {
    id: "urn:hocba:school:79000701",
    code: "79000701",
    name: "Trường Tiểu học Lê Văn Tám",
    province: "Thành phố Hồ Chí Minh",
    seed: 2,
};
pub const SCHOOL_B: School = School {
    id: "urn:hocba:school:01000502",
    code: "01000502",
    name: "Trường THPT Ba Đình",
    province: "Thành phố Hà Nội",
    seed: 3,
};

pub const PRIMARY_GRADE5: &str = include_str!("../../../../schema/examples/primary-grade5.json");
pub const SECONDARY_GRADE11: &str =
    include_str!("../../../../schema/examples/secondary-grade11.json");

pub fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

impl School {
    pub fn key(&self) -> SigningKey {
        key(self.seed)
    }
    pub fn vm(&self) -> String {
        vm(self.id, &self.key())
    }
    pub fn issuer(&self) -> IssuerRef {
        IssuerRef {
            id: self.id.into(),
            name: self.name.into(),
        }
    }
    /// The URL of the school's status list number 1.
    pub fn list_url(&self) -> String {
        format!("{BASE}/status/{}/1", self.code)
    }
}

/// `<controller>#<publicKeyMultibase>`.
pub fn vm(controller: &str, key: &SigningKey) -> String {
    format!("{controller}#{}", encode_public_key(&key.verifying_key()))
}

/// The authority's public key as SPKI PEM (what `--authority` reads).
pub fn authority_pem() -> String {
    key(1)
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap()
}

pub fn authority() -> TrustedAuthority {
    TrustedAuthority::new(key(1).verifying_key()).unwrap()
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

/// Sign `doc` with eddsa-jcs-2022 as `vm` at `created`.
pub fn sign(mut doc: Map<String, Value>, key: &SigningKey, vm: &str, created: &str) -> Value {
    let config = proof_config(&doc, vm, created);
    let hash = hash_data(&config, &doc).unwrap();
    attach_proof(&mut doc, config, &key.sign(&hash).to_bytes());
    Value::Object(doc)
}

pub fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

/// Everything dated around `now` (whole seconds).
#[derive(Debug, Clone, Copy)]
pub struct World {
    pub now: OffsetDateTime,
}

impl World {
    pub fn at(now: OffsetDateTime) -> Self {
        Self {
            now: OffsetDateTime::from_unix_timestamp(now.unix_timestamp()).unwrap(),
        }
    }

    /// When the credentials are signed: two days before `now`.
    pub fn signed_at(&self) -> OffsetDateTime {
        self.now - Duration::days(2)
    }

    pub fn text(&self, t: OffsetDateTime) -> String {
        format_time(t).unwrap()
    }

    /// The trust list (schools A and B, their keys active for a year), valid from a day before
    /// `now` for 30 days, signed by the authority.
    pub fn trust_list(&self) -> Value {
        let from = self.now - Duration::days(1);
        let school = |s: School| TrustedSchool {
            id: s.id.into(),
            code: s.code.into(),
            name: s.name.into(),
            province: s.province.into(),
            seal_certificate_sha256: None,
            verification_methods: vec![TrustedKey {
                id: s.vm(),
                kind: "Multikey".into(),
                controller: s.id.into(),
                public_key_multibase: encode_public_key(&s.key().verifying_key()),
                valid_from: self.now - Duration::days(365),
                valid_until: None,
                status: KeyStatus::Active,
            }],
        };
        let list = TrustList::new(
            "urn:uuid:11111111-1111-4111-8111-111111111111".into(),
            IssuerRef {
                id: AUTHORITY_ID.into(),
                name: "Sở GD&ĐT thử nghiệm".into(),
            },
            from,
            self.now + Duration::days(30),
            TrustListBody {
                version: 7,
                schools: vec![school(SCHOOL_A), school(SCHOOL_B)],
            },
        );
        let doc = UnsignedCredential::from_document(object(serde_json::to_value(&list).unwrap()))
            .unwrap()
            .into_document();
        sign(doc, &key(1), &vm(AUTHORITY_ID, &key(1)), &self.text(from))
    }

    pub fn trust(&self) -> VerifiedTrustList {
        authority()
            .verify_trust_list(&bytes(&self.trust_list()))
            .unwrap()
    }

    /// A full year record from `example` (JSON text), moved to `school`, changed by `edit`,
    /// signed by the school with id `urn:uuid:…<n>` and status index `index`.
    pub fn credential(
        &self,
        example: &str,
        school: School,
        n: u32,
        index: u64,
        edit: impl FnOnce(&mut Value),
    ) -> Value {
        let mut record: Value = serde_json::from_str(example).unwrap();
        record["school"]["code"] = school.code.into();
        edit(&mut record);
        let status = StatusEntry::revocation(&school.list_url(), index);
        let id = format!("urn:uuid:5d1c0a3e-7b42-4c19-9e60-{n:012}");
        let doc = UnsignedCredential::new(
            &id,
            &school.issuer(),
            self.signed_at(),
            record,
            Some(&status),
        )
        .unwrap()
        .into_document();
        sign(
            doc,
            &school.key(),
            &school.vm(),
            &self.text(self.signed_at()),
        )
    }

    /// `school`'s status list 1 with `revoked` set (each with a note), valid from a day before
    /// `now` for 14 days.
    pub fn status_list(&self, school: School, revoked: &[(usize, &str)]) -> Value {
        let revoked: Vec<(usize, &str, Option<&str>)> =
            revoked.iter().map(|&(i, r)| (i, r, None)).collect();
        self.status_list_replaced(school, &revoked)
    }

    /// [`World::status_list`] whose notes may name the record that replaces each revoked one
    /// (`(index, reason, replaced by)`).
    pub fn status_list_replaced(
        &self,
        school: School,
        revoked: &[(usize, &str, Option<&str>)],
    ) -> Value {
        let from = self.now - Duration::days(1);
        let mut bits = Bitstring::new(MIN_ENTRIES);
        let mut notes = Vec::new();
        for &(i, reason, replaced_by) in revoked {
            assert!(bits.set(i, true));
            let note = RevocationNote::new(i, from, reason);
            notes.push(match replaced_by {
                Some(id) => note.replaced_by(id),
                None => note,
            });
        }
        let list = StatusListCredential::revocation_with_notes(
            &school.list_url(),
            school.issuer(),
            from,
            self.now + Duration::days(14),
            &bits,
            notes,
        );
        let doc = UnsignedCredential::from_document(object(serde_json::to_value(&list).unwrap()))
            .unwrap()
            .into_document();
        sign(doc, &school.key(), &school.vm(), &self.text(from))
    }

    pub fn status_lists(&self, lists: &[(School, &Value)]) -> std::sync::Arc<StatusLists> {
        let mut out = StatusLists::new();
        for (school, list) in lists {
            out.insert(school.list_url(), bytes(list));
        }
        std::sync::Arc::new(out)
    }

    /// The QR text of `credential`, signed by `key` (normally the school's).
    pub fn qr_text(&self, credential: &Value, key: &SigningKey) -> String {
        let summary = Summary::from_credential(credential, &key.verifying_key()).unwrap();
        self.qr_of(summary, key)
    }

    /// The QR text of a summary changed by `edit` before signing.
    pub fn qr_text_with(
        &self,
        credential: &Value,
        key: &SigningKey,
        edit: impl FnOnce(&mut Summary),
    ) -> String {
        let mut summary = Summary::from_credential(credential, &key.verifying_key()).unwrap();
        edit(&mut summary);
        self.qr_of(summary, key)
    }

    fn qr_of(&self, summary: Summary, key: &SigningKey) -> String {
        let signature = key.sign(&summary.signing_input().unwrap()).to_bytes();
        let signed = summary.with_signature(signature).unwrap();
        qr_text(BASE, &signed).unwrap()
    }

    /// An offline bundle: the trust list and `lists`, made an hour before `now`.
    pub fn bundle(&self, lists: &[Value]) -> Value {
        json!({
            "type": "HocBaTrustBundle",
            "createdAt": self.text(self.now - Duration::hours(1)),
            "trustList": self.trust_list(),
            "statusLists": lists,
        })
    }
}

/// The `/V/<digits>` path of a QR text.
pub fn qr_path(text: &str) -> String {
    let at = text.find("/V/").unwrap();
    text[at..].to_owned()
}
