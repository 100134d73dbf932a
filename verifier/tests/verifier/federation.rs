//! The national trust federation: the verifier pins only the root (Ministry) key; the national
//! list it signs names each province's keys; each provincial list names its schools. A record
//! of a school in a province verifies through root → province → school, offline from a
//! national bundle; a compromised province key, a province missing from the national list, a
//! school listed by the wrong province and a provincial list signed by another province's key
//! each get their own reason. (Online: `service::` / `tests/e2e/federation.rs`.)

use ed25519_dalek::SigningKey;
use hocba_schema::credential::IssuerRef;
use hocba_schema::multikey::encode_public_key;
use hocba_schema::national_trust_list::{
    NationalTrustList, NationalTrustListBody, TrustedProvince, province_id,
};
use hocba_schema::trust_list::{KeyStatus, TrustList, TrustedKey};
use hocba_verifier::{
    CheckName, Outcome, Reason, TrustBundle, TrustedAuthority, Verdict, VerdictResult, VerifyError,
    VerifyOptions, verify_credential, verify_credential_with,
};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

use crate::status::{INDEX, status_list};
use crate::support::*;

pub const ROOT_ID: &str = "urn:hocba:root:test";

pub fn root_key() -> SigningKey {
    key(10)
}
/// Province 79 (school A's, Thành phố Hồ Chí Minh).
pub fn hcm_key() -> SigningKey {
    key(11)
}
/// Province 01 (school B's, Hà Nội).
pub fn hn_key() -> SigningKey {
    key(12)
}
/// A second key of province 79, after a rotation.
pub fn hcm_new_key() -> SigningKey {
    key(13)
}

pub fn root() -> TrustedAuthority {
    TrustedAuthority::new(root_key().verifying_key()).unwrap()
}

pub fn province_key(
    code: &str,
    key: &SigningKey,
    until: Option<OffsetDateTime>,
    status: KeyStatus,
) -> TrustedKey {
    let id = province_id(code);
    TrustedKey {
        id: vm(&id, key),
        kind: "Multikey".into(),
        controller: id,
        public_key_multibase: encode_public_key(&key.verifying_key()),
        valid_from: datetime!(2025-01-01 00:00 UTC),
        valid_until: until,
        status,
    }
}

pub fn province(code: &str, name: &str, keys: Vec<TrustedKey>) -> TrustedProvince {
    TrustedProvince {
        id: province_id(code),
        code: code.into(),
        name: name.into(),
        school_code_prefixes: Vec::new(),
        trust_list: format!("https://{code}.hocba.example/.well-known/hocba/trust-list.json"),
        verification_methods: keys,
    }
}

pub fn hcm() -> TrustedProvince {
    province(
        "79",
        "Sở GD&ĐT Thành phố Hồ Chí Minh",
        vec![province_key("79", &hcm_key(), None, KeyStatus::Active)],
    )
}

pub fn hn() -> TrustedProvince {
    province(
        "01",
        "Sở GD&ĐT Thành phố Hà Nội",
        vec![province_key("01", &hn_key(), None, KeyStatus::Active)],
    )
}

pub fn national(provinces: Vec<TrustedProvince>) -> Value {
    let list = NationalTrustList::new(
        "urn:uuid:33333333-3333-4333-8333-333333333333".into(),
        IssuerRef {
            id: ROOT_ID.into(),
            name: "Bộ Giáo dục và Đào tạo (thử nghiệm)".into(),
        },
        datetime!(2026-05-01 00:00 UTC),
        datetime!(2026-06-30 00:00 UTC),
        NationalTrustListBody {
            version: 7,
            provinces,
        },
    );
    let doc = object(serde_json::to_value(&list).unwrap());
    sign(
        doc,
        &root_key(),
        &vm(ROOT_ID, &root_key()),
        "2026-05-01T00:00:00Z",
    )
}

/// The trust list of province `code` listing the test schools whose codes are in `schools`.
pub fn provincial_list(code: &str, schools: &[&str]) -> TrustList {
    let mut list = trust_list();
    list.issuer = IssuerRef {
        id: province_id(code),
        name: format!("Sở GD&ĐT {code}"),
    };
    list.credential_subject
        .schools
        .retain(|s| schools.contains(&s.code.as_str()));
    list
}

/// `list` signed by `key` under province `signer`'s id.
pub fn signed_by(list: &TrustList, signer: &str, key: &SigningKey) -> Value {
    signed_trust_list_with(list, key, &vm(&province_id(signer), key))
}

pub fn hcm_list() -> Value {
    signed_by(&provincial_list("79", &["79000701"]), "79", &hcm_key())
}

pub fn hn_list() -> Value {
    signed_by(&provincial_list("01", &["01000502"]), "01", &hn_key())
}

pub fn national_bundle(national: Value, provincial: Vec<Value>, status: &[Value]) -> Value {
    json!({
        "type": "HocBaTrustBundle",
        "createdAt": "2026-05-31T00:00:00Z",
        "nationalTrustList": national,
        "provincialTrustLists": provincial,
        "statusLists": status,
    })
}

fn school_b_credential() -> Value {
    let issuer = IssuerRef {
        id: SCHOOL_B.into(),
        name: "Trường THCS Ba Đình".into(),
    };
    sign(
        unsigned(&issuer, "01000502"),
        &school_b_key(),
        &vm(SCHOOL_B, &school_b_key()),
        &time_text(SIGNED_AT),
    )
}

fn open(b: &Value) -> TrustBundle {
    TrustBundle::open(&bytes(b), &root()).unwrap()
}

fn verdict(b: &Value, credential: &Value) -> Verdict {
    let opened = open(b);
    verify_credential_with(
        &bytes(credential),
        opened.trust_list(),
        NOW,
        &VerifyOptions::default().with_status_lists(opened.status_lists()),
    )
    .unwrap()
}

#[track_caller]
fn assert_rejected(v: &Verdict, name: CheckName, reason: Reason) {
    assert_eq!(v.reason(), Some(reason), "{v:#?}");
    assert!(!v.is_valid());
    let c = v.check(name).unwrap();
    assert_eq!(
        (c.outcome, c.reason),
        (Outcome::Failed, Some(reason)),
        "{c:?}"
    );
    let detail = c.detail.as_deref().unwrap_or_default();
    assert!(!detail.is_empty(), "{c:?}");
}

#[test]
fn a_school_of_another_province_verifies_offline_with_only_the_root_pinned() {
    for (revoked, result) in [
        (vec![], VerdictResult::Valid),
        (vec![INDEX], VerdictResult::Invalid),
    ] {
        let b = national_bundle(
            national(vec![hn(), hcm()]),
            vec![hn_list(), hcm_list()],
            &[status_list(&revoked)],
        );
        let opened = open(&b);
        assert!(opened.trust_list().is_federated());
        assert_eq!(opened.trust_list().version(), 7);
        assert_eq!(opened.trust_list().authority().id, ROOT_ID);
        let v = verdict(&b, &valid_credential());
        assert_eq!(v.result(), result, "{v:#?}");
        if result == VerdictResult::Invalid {
            assert_eq!(v.reason(), Some(Reason::Revoked));
        }
    }
    // School B of the other province, from the same bundle.
    let b = national_bundle(
        national(vec![hn(), hcm()]),
        vec![hn_list(), hcm_list()],
        &[],
    );
    let v = verdict(&b, &school_b_credential());
    assert_eq!(v.check(CheckName::Issuer).unwrap().outcome, Outcome::Passed);
    assert_eq!(
        v.check(CheckName::KeyValidity).unwrap().outcome,
        Outcome::Passed
    );
    assert_eq!(
        v.check(CheckName::Integrity).unwrap().outcome,
        Outcome::Passed
    );
}

#[test]
fn the_root_key_alone_is_pinned_not_a_province_key() {
    let b = national_bundle(national(vec![hcm()]), vec![hcm_list()], &[]);
    let province = TrustedAuthority::new(hcm_key().verifying_key()).unwrap();
    match TrustBundle::open(&bytes(&b), &province) {
        Err(VerifyError::TrustListRejected { reason, .. }) => {
            assert_eq!(reason, Reason::TrustListSignedByOtherKey);
        }
        other => panic!("{other:?}"),
    }
    // A tampered national list (a province key swapped in after signing).
    let mut n = national(vec![hcm()]);
    n["credentialSubject"]["provinces"][0]["verificationMethods"][0]["publicKeyMultibase"] =
        encode_public_key(&unregistered_key().verifying_key()).into();
    match TrustBundle::open(&bytes(&national_bundle(n, vec![], &[])), &root()) {
        Err(VerifyError::TrustListRejected { reason, .. }) => {
            assert_eq!(reason, Reason::TrustListSignatureInvalid);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn single_authority_material_keeps_working_beside_it() {
    // The plain trust list, pinned to its own authority, as before the federation.
    let verdict = verify_credential(&bytes(&valid_credential()), &verified_trust(), NOW).unwrap();
    assert_eq!(verdict.result(), VerdictResult::Valid);
    assert!(!verified_trust().is_federated());
    // A national list is not a trust list: the types differ.
    match root().verify_trust_list(&bytes(&national(vec![hcm()]))) {
        Err(VerifyError::TrustListRejected { reason, .. }) => {
            assert_eq!(reason, Reason::TrustListMalformed);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_compromised_province_key_invalidates_what_it_vouched_for_after_the_compromise() {
    let compromised_at = |at| {
        province(
            "79",
            "Sở GD&ĐT Thành phố Hồ Chí Minh",
            vec![province_key(
                "79",
                &hcm_key(),
                Some(at),
                KeyStatus::Compromised,
            )],
        )
    };
    // Compromised on 20 May, the record signed on 25 May: refused.
    let b = national_bundle(
        national(vec![compromised_at(datetime!(2026-05-20 00:00 UTC))]),
        vec![hcm_list()],
        &[status_list(&[])],
    );
    let v = verdict(&b, &valid_credential());
    assert_rejected(&v, CheckName::KeyValidity, Reason::ProvinceCompromised);
    // Compromised on 28 May, after the record was signed (and after the list): it stands,
    // but its status list, signed on 31 May after the compromise, is not trusted on the school
    // key alone (`federation_service::` has the list signed before: valid).
    let b = national_bundle(
        national(vec![compromised_at(datetime!(2026-05-28 00:00 UTC))]),
        vec![hcm_list()],
        &[status_list(&[])],
    );
    let v = verdict(&b, &valid_credential());
    assert_eq!(v.result(), VerdictResult::StatusUnknown, "{v:#?}");
    assert_eq!(v.reason(), Some(Reason::StatusListAfterProvinceCompromise));
    for name in [
        CheckName::Issuer,
        CheckName::KeyValidity,
        CheckName::Integrity,
    ] {
        assert_eq!(v.check(name).unwrap().outcome, Outcome::Passed, "{name}");
    }
    // Compromised before the provincial list was signed (1 May): the list vouches for nothing.
    let b = national_bundle(
        national(vec![compromised_at(datetime!(2026-04-30 00:00 UTC))]),
        vec![hcm_list()],
        &[status_list(&[])],
    );
    let v = verdict(&b, &valid_credential());
    assert_rejected(&v, CheckName::Issuer, Reason::ProvinceCompromised);
    // After a rotation the province re-signs with its new key: valid again.
    let rotated = province(
        "79",
        "Sở GD&ĐT Thành phố Hồ Chí Minh",
        vec![
            province_key(
                "79",
                &hcm_key(),
                Some(datetime!(2026-04-30 00:00 UTC)),
                KeyStatus::Compromised,
            ),
            province_key("79", &hcm_new_key(), None, KeyStatus::Active),
        ],
    );
    let b = national_bundle(
        national(vec![rotated]),
        vec![signed_by(
            &provincial_list("79", &["79000701"]),
            "79",
            &hcm_new_key(),
        )],
        &[status_list(&[])],
    );
    assert_eq!(
        verdict(&b, &valid_credential()).result(),
        VerdictResult::Valid
    );
}

#[test]
fn a_province_missing_from_the_national_list_is_refused() {
    // The national list names only Hà Nội; the bundle carries Hồ Chí Minh's list anyway.
    let b = national_bundle(national(vec![hn()]), vec![hn_list(), hcm_list()], &[]);
    let v = verdict(&b, &valid_credential());
    assert_rejected(&v, CheckName::Issuer, Reason::ProvinceNotInNationalList);
    // Without the list too: the school code belongs to no province of the national list.
    let b = national_bundle(national(vec![hn()]), vec![hn_list()], &[]);
    let v = verdict(&b, &valid_credential());
    assert_rejected(&v, CheckName::Issuer, Reason::ProvinceNotInNationalList);
    // A province that is listed but whose list the bundle lacks: untrusted, and it says so.
    let b = national_bundle(national(vec![hn(), hcm()]), vec![hn_list()], &[]);
    let v = verdict(&b, &valid_credential());
    assert_rejected(&v, CheckName::Issuer, Reason::UntrustedIssuer);
    let detail = v.check(CheckName::Issuer).unwrap().detail.clone().unwrap();
    assert!(detail.contains("79"), "{detail}");
}

#[test]
fn a_school_listed_by_the_wrong_province_is_refused() {
    // Hà Nội's list claims school A (code 79…, Hồ Chí Minh's) with school A's real key.
    let wrong = signed_by(
        &provincial_list("01", &["01000502", "79000701"]),
        "01",
        &hn_key(),
    );
    let b = national_bundle(national(vec![hn(), hcm()]), vec![wrong.clone()], &[]);
    let v = verdict(&b, &valid_credential());
    assert_rejected(&v, CheckName::Issuer, Reason::SchoolListedByWrongProvince);
    // Its own school is still fine.
    let v = verdict(&b, &school_b_credential());
    assert_eq!(v.check(CheckName::Issuer).unwrap().outcome, Outcome::Passed);
    // With the right province's list beside it, the right entry is used.
    let b = national_bundle(
        national(vec![hn(), hcm()]),
        vec![wrong, hcm_list()],
        &[status_list(&[])],
    );
    assert_eq!(
        verdict(&b, &valid_credential()).result(),
        VerdictResult::Valid
    );
}

#[test]
fn a_provincial_list_signed_by_another_provinces_key_is_refused() {
    // Hồ Chí Minh's list signed with Hà Nội's key (as Hồ Chí Minh's verification method id).
    let forged = signed_trust_list_with(
        &provincial_list("79", &["79000701"]),
        &hn_key(),
        &vm(&province_id("79"), &hn_key()),
    );
    let b = national_bundle(national(vec![hn(), hcm()]), vec![hn_list(), forged], &[]);
    let v = verdict(&b, &valid_credential());
    assert_rejected(
        &v,
        CheckName::Issuer,
        Reason::ProvinceListSignedByOtherProvince,
    );
    // Hà Nội's own school is unaffected.
    let v = verdict(&b, &school_b_credential());
    assert_eq!(v.check(CheckName::Issuer).unwrap().outcome, Outcome::Passed);
}

#[test]
fn a_tampered_or_unknown_key_provincial_list_is_refused() {
    // A school key swapped after the province signed.
    let mut tampered = hcm_list();
    tampered["credentialSubject"]["schools"][0]["verificationMethods"][0]["status"] =
        "active".into();
    tampered["credentialSubject"]["schools"][0]["name"] = "Trường khác".into();
    let b = national_bundle(national(vec![hcm()]), vec![tampered], &[]);
    let v = verdict(&b, &valid_credential());
    assert_rejected(&v, CheckName::Issuer, Reason::ProvinceListRejected);
    // Signed by a key no province has.
    let unknown = signed_by(
        &provincial_list("79", &["79000701"]),
        "79",
        &unregistered_key(),
    );
    let b = national_bundle(national(vec![hcm()]), vec![unknown], &[]);
    let v = verdict(&b, &valid_credential());
    assert_rejected(&v, CheckName::Issuer, Reason::ProvinceListRejected);
    // Not JSON at all inside the array: the bundle still opens, the province vouches nothing.
    let b = national_bundle(national(vec![hcm()]), vec![json!("nonsense")], &[]);
    let v = verdict(&b, &valid_credential());
    assert!(!v.is_valid());
}

/// The federation online: a static server on loopback ([`online::Static`]) plays the root and
/// the provinces. Its pieces serve `federation_service` too.
pub mod online {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    use axum::http::{StatusCode, Uri};
    use axum::response::IntoResponse;
    use hocba_schema::credential::{StatusEntry, UnsignedCredential};
    use hocba_verifier::online::federation::FederatedOnline;
    use hocba_verifier::online::{Clock, OnlineConfig};
    use tokio::net::TcpListener;

    use super::*;
    use crate::status::{school_b, status_list_with};

    /// A static server on loopback: path → bytes, and every path asked for.
    pub struct Static {
        pub base: String,
        files: Arc<Mutex<HashMap<String, Vec<u8>>>>,
        asked: Arc<Mutex<Vec<String>>>,
    }

    impl Static {
        pub async fn start() -> Self {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let base = format!("http://{}", listener.local_addr().unwrap());
            let files: Arc<Mutex<HashMap<String, Vec<u8>>>> = Arc::default();
            let asked: Arc<Mutex<Vec<String>>> = Arc::default();
            let app = {
                let (files, asked) = (Arc::clone(&files), Arc::clone(&asked));
                axum::Router::new().fallback(move |uri: Uri| {
                    let (files, asked) = (Arc::clone(&files), Arc::clone(&asked));
                    async move {
                        asked.lock().unwrap().push(uri.path().to_owned());
                        let found = files.lock().unwrap().get(uri.path()).cloned();
                        match found {
                            Some(b) => (StatusCode::OK, b).into_response(),
                            None => StatusCode::NOT_FOUND.into_response(),
                        }
                    }
                })
            };
            tokio::spawn(async move { axum::serve(listener, app).await });
            Self { base, files, asked }
        }

        pub fn put(&self, path: &str, doc: &Value) {
            self.files
                .lock()
                .unwrap()
                .insert(path.to_owned(), bytes(doc));
        }

        pub fn asked(&self) -> Vec<String> {
            self.asked.lock().unwrap().clone()
        }

        /// Province `p` published under `{base}{prefix}`.
        pub fn at(&self, mut p: TrustedProvince, prefix: &str) -> TrustedProvince {
            p.trust_list = format!("{}{prefix}/.well-known/hocba/trust-list.json", self.base);
            p
        }

        /// A root at `{base}{root}` publishing `national`: its URL.
        pub fn root(&self, root: &str, national: &Value) -> String {
            self.put(
                &format!("{root}/.well-known/hocba/national-trust-list.json"),
                national,
            );
            format!("{}{root}", self.base)
        }

        /// Hồ Chí Minh's list under `/p79`, Hà Nội's under `/p01`.
        pub fn provincial_lists(&self) {
            self.put("/p79/.well-known/hocba/trust-list.json", &hcm_list());
            self.put("/p01/.well-known/hocba/trust-list.json", &hn_list());
        }

        /// A root at `{base}{root}` whose national list names Hà Nội under `/p01` and Hồ Chí
        /// Minh under `/p79`, and both provinces' lists published there: the root's URL.
        pub fn two_provinces(&self, root: &str) -> String {
            self.provincial_lists();
            self.root(
                root,
                &national(vec![self.at(hn(), "/p01"), self.at(hcm(), "/p79")]),
            )
        }

        /// School A's status list (`/p79/status/79000701/1`) or school B's
        /// (`/p01/status/01000502/1`), `INDEX` revoked, signed on 31 May: its URL.
        pub fn status_list_of(&self, school: School) -> String {
            let (path, issuer, key) = match school {
                School::A => ("/p79/status/79000701/1", school_a(), school_a_key()),
                School::B => ("/p01/status/01000502/1", school_b(), school_b_key()),
            };
            let url = format!("{}{path}", self.base);
            let list = status_list_at(&url, issuer, &key, MAY_31, &[INDEX]);
            self.put(path, &list);
            url
        }
    }

    /// Which test school a status list is of.
    pub enum School {
        A,
        B,
    }

    /// When the status lists served online are signed.
    pub const MAY_31: OffsetDateTime = datetime!(2026-05-31 00:00 UTC);

    /// A status list of `issuer` at `url` with `revoked` set, signed (and made) by `key` at
    /// `at`, valid until 14 June.
    pub fn status_list_at(
        url: &str,
        issuer: IssuerRef,
        key: &SigningKey,
        at: OffsetDateTime,
        revoked: &[usize],
    ) -> Value {
        let controller = issuer.id.clone();
        status_list_with(
            url,
            issuer,
            revoked,
            at,
            datetime!(2026-06-14 00:00 UTC),
            key,
            &controller,
        )
    }

    /// A credential of `issuer` (school `code`) with status entry (`url`, `index`), signed by
    /// `key` at `SIGNED_AT`.
    pub fn credential(
        issuer: &IssuerRef,
        code: &str,
        key: &SigningKey,
        url: &str,
        index: u64,
    ) -> Value {
        let status = StatusEntry::revocation(url, index);
        let doc = UnsignedCredential::new(
            "urn:uuid:66666666-6666-4666-8666-666666666666",
            issuer,
            SIGNED_AT,
            subject(code),
            Some(&status),
        )
        .unwrap()
        .into_document();
        sign(doc, key, &vm(&issuer.id, key), &time_text(SIGNED_AT))
    }

    /// `root.pub` in `dir`: the root key, as `--authority` reads it.
    pub fn write_root_pub(dir: &std::path::Path) {
        std::fs::write(
            dir.join("root.pub"),
            encode_public_key(&root_key().verifying_key()),
        )
        .unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn online_the_root_alone_is_pinned_and_only_the_needed_province_is_fetched() {
        let s = Static::start().await;
        let root_url = s.two_provinces("");
        let list_url = s.status_list_of(School::A);

        let cache = tempfile::tempdir().unwrap();
        let mut config = OnlineConfig::new(root_url.clone());
        config.cache_dir = cache.path().to_owned();
        let clock: Clock = Arc::new(|| NOW);
        let fed = FederatedOnline::new(config, root(), clock).unwrap();

        let judge = |credential: &Value, material: &hocba_verifier::online::Material| {
            verify_credential_with(
                &bytes(credential),
                &material.trust,
                NOW,
                &VerifyOptions::default().with_status_lists(Arc::clone(&material.status_lists)),
            )
            .unwrap()
        };
        let good = credential(&school_a(), "79000701", &school_a_key(), &list_url, 7);
        let m = fed.material_for_credential(&bytes(&good)).await.unwrap();
        let v = judge(&good, &m);
        assert_eq!(v.result(), VerdictResult::Valid, "{v:#?}");
        assert_eq!(fed.provinces_fetched().await, vec!["79".to_owned()]);
        assert!(
            !s.asked().iter().any(|p| p.starts_with("/p01/")),
            "{:?}",
            s.asked()
        );

        let revoked = credential(
            &school_a(),
            "79000701",
            &school_a_key(),
            &list_url,
            INDEX as u64,
        );
        let m = fed.material_for_credential(&bytes(&revoked)).await.unwrap();
        assert_eq!(judge(&revoked, &m).reason(), Some(Reason::Revoked));

        // A school whose code belongs to no province: nothing more is fetched.
        let nowhere = IssuerRef {
            id: "urn:hocba:school:40000918".into(),
            name: "Trường THCS Nguyễn Trãi".into(),
        };
        let stray = credential(&nowhere, "40000918", &unregistered_key(), &list_url, 7);
        let m = fed.material_for_credential(&bytes(&stray)).await.unwrap();
        let v = judge(&stray, &m);
        assert_rejected(&v, CheckName::Issuer, Reason::ProvinceNotInNationalList);
        assert_eq!(fed.provinces_fetched().await, vec!["79".to_owned()]);

        // A root key other than the one that signed: nothing is trusted.
        let mut config = OnlineConfig::new(root_url);
        config.cache_dir = cache.path().join("other");
        let wrong = FederatedOnline::new(config, authority(), Arc::new(|| NOW)).unwrap();
        assert!(wrong.material_for_credential(&bytes(&good)).await.is_err());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn cli_online_with_only_the_root_pinned_fetches_only_the_credentials_province() {
        let s = Static::start().await;
        let root_url = s.two_provinces("");
        let list_url = s.status_list_of(School::B);

        let dir = tempfile::tempdir().unwrap();
        write_root_pub(dir.path());
        let b = school_b();
        let good = credential(&b, "01000502", &school_b_key(), &list_url, 7);
        let revoked = credential(&b, "01000502", &school_b_key(), &list_url, INDEX as u64);
        std::fs::write(dir.path().join("good.json"), bytes(&good)).unwrap();
        std::fs::write(dir.path().join("revoked.json"), bytes(&revoked)).unwrap();
        let run = |file: &'static str| {
            let (dir, base) = (dir.path().to_owned(), root_url.clone());
            tokio::task::spawn_blocking(move || {
                std::process::Command::new(env!("CARGO_BIN_EXE_hocba-verify"))
                    .current_dir(&dir)
                    .args([
                        "--authority",
                        "root.pub",
                        "--at",
                        "2026-06-01T00:00:00Z",
                        "--cache-dir",
                        "cache",
                        "--online",
                        &base,
                        "--json",
                        file,
                    ])
                    .stdin(std::process::Stdio::null())
                    .output()
                    .unwrap()
            })
        };
        let out = run("good.json").await.unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
        let line: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(line["result"], "valid", "{stdout}");
        assert!(stderr.contains("national trust list version 7"), "{stderr}");
        let out = run("revoked.json").await.unwrap();
        let line: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(line["reason"], "revoked", "{line}");
        let asked = s.asked();
        assert!(
            asked.contains(&"/p01/.well-known/hocba/trust-list.json".to_owned()),
            "{asked:?}"
        );
        assert!(
            asked.contains(&"/p01/status/01000502/1".to_owned()),
            "{asked:?}"
        );
        // Province 79 (Hồ Chí Minh) is never asked for anything.
        assert!(!asked.iter().any(|p| p.starts_with("/p79/")), "{asked:?}");
    }
}
