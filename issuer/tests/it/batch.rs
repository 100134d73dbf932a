//! Batch signing: a generated class is signed (part of it through the pipeline's steps),
//! every credential verifies against the dev trust list and is stored canonical, a failing
//! record does not stop the others, and a re-run issues nothing twice.
//! On SQLite, and on PostgreSQL when `HOCBA_TEST_POSTGRES` is set.

#![allow(clippy::unwrap_used)]

use crate::common;

use common::{Ctx, now};
use hocba_issuer::batch::{
    BatchContext, reserve, sign_batch, sign_records, sign_reserved, store_prepared,
};
use hocba_issuer::keys::KeyPair;
use hocba_issuer::signing::Signer;
use hocba_issuer::store::{ImportRow, NewPupil, NewSchool};
use hocba_issuer::synthetic;
use hocba_schema::credential::IssuerRef;
use hocba_schema::record::{SchoolLevel, parse_date};

const CODE: &str = "25000731";

async fn sign_a_class(ctx: Ctx) {
    let store = &ctx.store;
    let dir = env!("CARGO_MANIFEST_DIR");
    let key = KeyPair::load(std::path::Path::new(&format!(
        "{dir}/../keys/dev/school-{CODE}.pem"
    )))
    .unwrap();
    let issuer = IssuerRef {
        id: format!("urn:hocba:school:{CODE}"),
        name: "Trường Tiểu học Hoa Ban".into(),
    };
    let school = store
        .create_school(
            &NewSchool {
                code: CODE.into(),
                name: issuer.name.clone(),
                province: "Phú Thọ".into(),
                issuer_id: issuer.id.clone(),
            },
            now(),
        )
        .await
        .unwrap();
    let signer = Signer::new(key, issuer);
    let record_school = synthetic::school(CODE, "Trường Tiểu học Hoa Ban", SchoolLevel::Primary);
    let mut records = synthetic::class(&record_school, 4, "4A", 30, 7);
    // One record of another school: it fails, the others go on.
    records[3].school.code = "01001205".into();
    // Half the rows stored canonical, as the import stores them (signing reads those the
    // fast way), half as plain JSON, as older versions stored them (the general way).
    let rows: Vec<ImportRow> = records
        .iter()
        .enumerate()
        .map(|(i, r)| ImportRow {
            pupil: NewPupil {
                pupil_key: r.student.personal_id_number.clone().unwrap(),
                full_name: r.student.full_name.clone(),
                date_of_birth: parse_date(&r.student.date_of_birth).unwrap(),
            },
            school_year: r.school_year.clone(),
            grade: i64::from(r.grade),
            class_name: r.class_name.clone(),
            record_json: if i % 2 == 1 {
                hocba_issuer::app::import::record_text(r).unwrap()
            } else {
                serde_json::to_string(r).unwrap()
            },
            validated: true,
        })
        .collect();
    let stored: Vec<_> = store
        .import_records(&school.id, &rows, None, now())
        .await
        .unwrap()
        .into_iter()
        .map(Result::unwrap)
        .collect();
    // After the dev key's validFrom (2025-08-01), at the end of the 2025-2026 school year.
    let signed_at = time::macros::datetime!(2026-05-29 08:00 UTC);
    let bctx = BatchContext {
        store,
        signer: &signer,
        school: &school,
        public_base_url: "https://hocba.example",
        actor: None,
        now: signed_at,
    };
    // The first ten through the pipeline's three steps (as the province bench signs): the
    // record of another school fails alone, the others are stored with one progress call.
    let reserved = reserve(&bctx, stored[..10].to_vec()).await.unwrap();
    let prepared = sign_reserved(&bctx, reserved);
    let mut calls = 0;
    let first_ten = store_prepared(&bctx, prepared, &mut |d| {
        calls += 1;
        assert_eq!((d.done, d.total, d.credentials.len()), (10, 10, 9));
    })
    .await
    .unwrap();
    assert_eq!(first_ten.issued.len(), 9);
    assert_eq!(first_ten.failed.len(), 1);
    assert_eq!(first_ten.failed[0].0, stored[3].id);
    assert_eq!(calls, 1);

    // The whole class: the ten are found signed, the rest issued.
    let mut seen = 0;
    let outcome = sign_records(&bctx, &stored, &mut |d| seen += d.credentials.len())
        .await
        .unwrap();
    assert_eq!(outcome.issued.len(), 20);
    assert_eq!(outcome.already, first_ten.issued);
    assert_eq!(outcome.failed.len(), 1);
    assert_eq!(outcome.failed[0].0, stored[3].id);
    assert_eq!(seen, 29);

    // Every credential verifies with the dev trust list, and is stored as canonical JSON.
    let trust_list = std::fs::read(format!("{dir}/../keys/dev/trust-list.json")).unwrap();
    let authority = hocba_verifier::danger::dev_authority().unwrap();
    for s in outcome.issued.iter().chain(&outcome.already) {
        let c = store
            .credential_for_record(&school.id, &s.record_id)
            .await
            .unwrap();
        assert_eq!(
            c.sha256,
            hocba_issuer::batch::sha256_hex(c.credential_json.as_bytes())
        );
        let verdict = verify(&c.credential_json, &trust_list, &authority, signed_at);
        assert!(verdict, "{}", c.credential_json);
        let value: serde_json::Value = serde_json::from_str(&c.credential_json).unwrap();
        let canonical = hocba_schema::jcs::canonical_bytes(&value).unwrap();
        assert_eq!(c.credential_json.as_bytes(), canonical.as_slice());
        // The subject is the record imported, whichever way its text was stored.
        let record = records
            .iter()
            .zip(&stored)
            .find(|(_, s)| s.id == c.record_id)
            .map(|(r, _)| r)
            .unwrap();
        let mut subject = serde_json::to_value(record).unwrap();
        subject["type"] = "HocBaYearRecord".into();
        assert_eq!(
            hocba_schema::jcs::canonical_bytes(&value["credentialSubject"]).unwrap(),
            hocba_schema::jcs::canonical_bytes(&subject).unwrap()
        );
    }

    // A re-run issues nothing twice.
    let again = sign_records(&bctx, &stored, &mut |_| {}).await.unwrap();
    assert!(again.issued.is_empty());
    assert_eq!(again.already.len(), 29);
    // By id, as the API calls it: an unknown id fails alone.
    let mut ids: Vec<String> = stored.iter().map(|r| r.id.clone()).collect();
    ids.push("no-such-record".into());
    let by_id = sign_batch(&bctx, &ids, &mut |_| {}).await.unwrap();
    assert!(by_id.issued.is_empty());
    assert_eq!(by_id.already.len(), 29);
    assert_eq!(by_id.failed.len(), 2);
    let mut first: Vec<_> = outcome
        .issued
        .iter()
        .chain(&outcome.already)
        .map(|s| s.credential_id.clone())
        .collect();
    let mut second: Vec<_> = again
        .already
        .iter()
        .map(|s| s.credential_id.clone())
        .collect();
    first.sort();
    second.sort();
    assert_eq!(first, second);
}

fn verify(
    credential: &str,
    trust_list: &[u8],
    authority: &hocba_verifier::TrustedAuthority,
    at: time::OffsetDateTime,
) -> bool {
    let trust = authority.verify_trust_list(trust_list).unwrap();
    let verdict = hocba_verifier::verify_json(credential.as_bytes(), &trust, at).unwrap();
    if !verdict.is_valid() {
        eprintln!("{}", serde_json::to_string(&verdict).unwrap());
    }
    verdict.is_valid()
}

both_databases!(sign_a_class);

/// The generator's records validate clean (no error, no warning) in every grade, and the
/// same seed gives the same province.
#[test]
fn synthetic_province_validates_clean_and_is_deterministic() {
    let schools = synthetic::province(12 * 40, 3);
    let mut grades = std::collections::BTreeSet::new();
    for s in &schools {
        for r in &s.records {
            grades.insert(r.grade);
            let report = hocba_schema::validation::validate(r);
            assert!(report.is_clean(), "grade {}: {report}", r.grade);
        }
    }
    assert_eq!(grades.len(), 12);
    assert_eq!(schools.iter().map(|s| s.records.len()).sum::<usize>(), 480);
    let again = synthetic::province(12 * 40, 3);
    assert_eq!(again[0].records, schools[0].records);
}
