//! The token tests that use the library in process. Each runs in a process of its own, started
//! by its parent test in `token` with `SOFTHSM2_CONF` and the token's URI in its environment
//! (a PKCS#11 module is initialised once per process); run alone they say so and pass.

use std::path::PathBuf;
use std::sync::Arc;

use hocba_issuer::app::keyring::KeyRing;
use hocba_issuer::batch::{BatchContext, sign_batch};
use hocba_issuer::error::IssuerError;
use hocba_issuer::keys::source::KeySource;
use hocba_issuer::seal_key::{SealAlgorithm, SealKey};
use hocba_issuer::store::{ImportRow, NewPupil, NewSchool, RecordState, Store};
use hocba_issuer::synthetic;
use hocba_issuer::token::{Token, TokenSealKey};
use hocba_schema::credential::UnsignedCredential;
use hocba_schema::record::{SchoolLevel, parse_date};
use hocba_verifier::VerifiedTrustList;

use super::{DIR_ENV, MODULE, URI_ENV, root};

/// After the dev keys' validFrom (2025-08-01).
const AT: time::OffsetDateTime = time::macros::datetime!(2026-05-29 08:00 UTC);

/// The token's URI and directory, or `None` when not started by the parent.
fn env() -> Option<(String, PathBuf)> {
    let uri = std::env::var(URI_ENV).ok()?;
    let dir = std::env::var(DIR_ENV).ok()?;
    Some((uri, PathBuf::from(dir)))
}

fn trust() -> VerifiedTrustList {
    hocba_verifier::danger::dev_authority()
        .unwrap()
        .verify_trust_list(&std::fs::read(root().join("keys/dev/trust-list.json")).unwrap())
        .unwrap()
}

fn token_ring(uri: &str) -> KeyRing {
    let source = KeySource::open(uri.as_ref(), Some(&root().join("keys/dev"))).unwrap();
    assert!(matches!(source, KeySource::Token { .. }));
    KeyRing::from_source(&source).unwrap()
}

#[test]
#[ignore = "run by token::token_and_pem_sign_the_same_bytes… in a process of its own"]
fn same_bytes_as_pem() {
    let Some((uri, _)) = env() else { return };
    let trust = trust();
    let token = token_ring(&uri);
    let pem = KeyRing::load(&root().join("keys/dev")).unwrap();
    assert!(token.uses_dev_keys());
    for (code, level, grade) in [
        ("25000731", SchoolLevel::Primary, 5),
        ("79000701", SchoolLevel::UpperSecondary, 11),
    ] {
        let by_token = token.signer_for(&trust, code, AT).unwrap();
        let by_pem = pem.signer_for(&trust, code, AT).unwrap();
        assert_eq!(by_token.verification_method(), by_pem.verification_method());
        assert!(by_token.key().location().contains("token hocba-dev"));
        let school = synthetic::school(code, "Trường", level);
        for (i, record) in synthetic::class(&school, grade, "5A", 12, 3)
            .iter()
            .enumerate()
        {
            let unsigned = || {
                UnsignedCredential::new(
                    &format!("urn:uuid:00000000-0000-4000-8000-{i:012}"),
                    by_pem.issuer(),
                    AT,
                    serde_json::to_value(record).unwrap(),
                    None,
                )
                .unwrap()
            };
            let a = by_token.sign_canonical(&unsigned(), AT).unwrap();
            let b = by_pem.sign_canonical(&unsigned(), AT).unwrap();
            assert_eq!(a, b, "record {i} of school {code}");
            let verdict = hocba_verifier::verify_json(&a, &trust, AT).unwrap();
            assert!(
                verdict.is_valid(),
                "{}",
                serde_json::to_string(&verdict).unwrap()
            );
            // The printed record's QR summary too.
            let value: serde_json::Value = serde_json::from_slice(&a).unwrap();
            let qa = hocba_issuer::pdf::sign_summary(&value, by_token.key()).unwrap();
            let qb = hocba_issuer::pdf::sign_summary(&value, by_pem.key()).unwrap();
            assert_eq!(format!("{qa:?}"), format!("{qb:?}"));
        }
    }
}

#[test]
#[ignore = "run by token::token_and_pem_sign_the_same_bytes… in a process of its own"]
fn keys_are_sensitive_and_not_extractable() {
    let Some((uri, _)) = env() else { return };
    let token = Token::open_uri(&uri).unwrap();
    for code in ["01001205", "14000327", "25000731", "40000918", "79000701"] {
        let p = token.protection(&format!("school-{code}")).unwrap();
        assert!(p.sensitive, "school-{code} is not CKA_SENSITIVE");
        assert!(!p.extractable, "school-{code} is CKA_EXTRACTABLE");
    }
}

#[test]
#[ignore = "run by token::an_rsa_and_a_p256_seal_key… in a process of its own"]
fn seal_keys_sign() {
    use p256::pkcs8::DecodePublicKey as _;
    use rsa::signature::Verifier as _;
    let Some((uri, dir)) = env() else { return };
    let token = Token::open_uri(&uri).unwrap();
    let message = b"signed attributes of a CMS SignedData";

    let rsa_key = TokenSealKey::by_label(&token, "seal-test-rsa").unwrap();
    assert_eq!(rsa_key.algorithm(), SealAlgorithm::RsaPkcs1Sha256);
    let signature = rsa_key.sign(message).unwrap();
    assert_eq!(signature.len(), 256);
    let public = rsa::PublicKey::from_public_key_pem(
        &std::fs::read_to_string(dir.join("seal-test-rsa.pub.pem")).unwrap(),
    )
    .unwrap();
    let verifier = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(public);
    let sig = rsa::pkcs1v15::Signature::try_from(signature.as_slice()).unwrap();
    verifier.verify(message, &sig).unwrap();
    assert!(verifier.verify(b"another message", &sig).is_err());

    let ec_key = TokenSealKey::by_label(&token, "seal-test-ec").unwrap();
    assert_eq!(ec_key.algorithm(), SealAlgorithm::EcdsaP256Sha256);
    let der = ec_key.sign(message).unwrap();
    let public = p256::ecdsa::VerifyingKey::from_public_key_pem(
        &std::fs::read_to_string(dir.join("seal-test-ec.pub.pem")).unwrap(),
    )
    .unwrap();
    let sig = p256::ecdsa::DerSignature::try_from(der.as_slice()).unwrap();
    public.verify(message, &sig).unwrap();
    assert!(public.verify(b"another message", &sig).is_err());
    // The private halves stay on the token too.
    for label in ["seal-test-rsa", "seal-test-ec"] {
        let p = token.protection(label).unwrap();
        assert!(p.sensitive && !p.extractable, "{label}");
    }

    // An Ed25519 credential key is not a seal key; a missing label is named.
    let err = TokenSealKey::by_label(&token, "school-79000701").unwrap_err();
    assert!(err.to_string().contains("RSA-2048 or ECDSA P-256"), "{err}");
    let err = TokenSealKey::by_label(&token, "seal-nope").unwrap_err();
    assert!(err.to_string().contains("\"seal-nope\""), "{err}");
}

/// Finalize the module from outside the key ring (what unplugging does to every session).
fn pull_the_module() {
    use cryptoki::error::{Error, RvError};
    let ctx = cryptoki::context::Pkcs11::new(MODULE).unwrap();
    match ctx.finalize() {
        Ok(()) | Err(Error::Pkcs11(RvError::CryptokiNotInitialized, _)) => {}
        Err(e) => panic!("C_Finalize: {e:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by token::a_token_removed_mid_batch… in a process of its own"]
async fn module_gone_mid_batch() {
    let Some((uri, dir)) = env() else { return };
    const CODE: &str = "25000731";
    let db = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite://{}/a.db", db.path().display()))
        .await
        .unwrap();
    let school = store
        .create_school(
            &NewSchool {
                code: CODE.into(),
                name: "Trường Tiểu học Hoa Ban".into(),
                province: "Phú Thọ".into(),
                issuer_id: format!("urn:hocba:school:{CODE}"),
            },
            AT,
        )
        .await
        .unwrap();
    // One chunk and three records more (the engine signs 500 at a time).
    let n = hocba_issuer::batch::CHUNK + 3;
    let generated = synthetic::school(CODE, "Trường Tiểu học Hoa Ban", SchoolLevel::Primary);
    let rows: Vec<ImportRow> = synthetic::class(&generated, 4, "4A", n, 11)
        .iter()
        .map(|r| ImportRow {
            pupil: NewPupil {
                pupil_key: r.student.personal_id_number.clone().unwrap(),
                full_name: r.student.full_name.clone(),
                date_of_birth: parse_date(&r.student.date_of_birth).unwrap(),
            },
            school_year: r.school_year.clone(),
            grade: i64::from(r.grade),
            class_name: r.class_name.clone(),
            record_json: serde_json::to_string(r).unwrap(),
            validated: true,
        })
        .collect();
    let ids: Vec<String> = store
        .import_records(&school.id, &rows, None, AT)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.unwrap().id)
        .collect();
    let trust = trust();
    let ring = token_ring(&uri);
    let signer = Arc::new(ring.signer_for(&trust, CODE, AT).unwrap());
    let ctx = BatchContext {
        store: &store,
        signer: &signer,
        school: &school,
        public_base_url: "https://hocba.example",
        actor: None,
        now: AT,
    };
    let tokens = dir.join("token/tokens");
    let away = dir.join("token/tokens.away");
    // After the first chunk: the module is finalized and the token's files are gone, as when
    // the USB token is pulled out.
    let mut pulled = false;
    let outcome = sign_batch(&ctx, &ids, &mut |_| {
        if !pulled {
            pulled = true;
            pull_the_module();
            std::fs::rename(&tokens, &away).unwrap();
        }
    })
    .await
    .unwrap();
    assert!(pulled);
    assert_eq!(outcome.issued.len(), hocba_issuer::batch::CHUNK);
    assert_eq!(outcome.failed.len(), 3, "{:?}", outcome.failed);
    for (_, reason) in &outcome.failed {
        assert!(reason.contains("token hocba-dev"), "{reason}");
    }
    // Every record is either signed with a credential that verifies, or still validated
    // with none: nothing half-signed.
    let failed: Vec<&String> = outcome.failed.iter().map(|(id, _)| id).collect();
    for id in &ids {
        let record = store.record(&school.id, id).await.unwrap();
        let credential = store.credential_for_record(&school.id, id).await;
        if failed.contains(&id) {
            assert_eq!(record.state, RecordState::Validated);
            assert!(credential.is_err(), "a failed record has a credential");
        } else {
            assert_eq!(record.state, RecordState::Signed);
            let c = credential.unwrap();
            let verdict =
                hocba_verifier::verify_json(c.credential_json.as_bytes(), &trust, AT).unwrap();
            assert!(verdict.is_valid());
        }
    }
    // The token is back (its files, the module started again): the same batch finishes what
    // is unfinished with the same key ring, nothing twice.
    std::fs::rename(&away, &tokens).unwrap();
    pull_the_module();
    let again = sign_batch(&ctx, &ids, &mut |_| {}).await.unwrap();
    assert_eq!(again.issued.len(), 3, "{:?}", again.failed);
    assert_eq!(again.already.len(), hocba_issuer::batch::CHUNK);
    assert!(again.failed.is_empty());
    for signed in &again.issued {
        let c = store
            .credential_for_record(&school.id, &signed.record_id)
            .await
            .unwrap();
        let verdict =
            hocba_verifier::verify_json(c.credential_json.as_bytes(), &trust, AT).unwrap();
        assert!(verdict.is_valid());
    }
    // A ring opened while the token is out is a clear error, not a panic.
    std::fs::rename(&tokens, &away).unwrap();
    pull_the_module();
    let err = KeySource::open(uri.as_ref(), None).unwrap_err();
    assert!(matches!(err, IssuerError::Token { .. }), "{err}");
    assert!(err.to_string().contains("plug the token in"), "{err}");
}
