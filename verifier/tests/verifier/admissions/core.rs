//! The core alone (`assess_credentials`): a valid signature whose revocation status was not
//! looked up is not good enough for admissions (fail closed); a record of the wrong level is
//! refused; an area the scheme does not know is named.

use hocba_verifier::VerifyOptions;
use hocba_verifier::admissions::{
    CredentialCandidate, Extras, RefusalCode, Scheme, assess_credentials, check_extras,
};

use super::world::*;
use crate::support::*;

fn scheme() -> Scheme {
    Scheme::from_toml(
        &std::fs::read_to_string(format!(
            "{}/schemes/thong-tu-06-2025-ca-nam-lop-12.toml",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap()
}

#[test]
fn without_status_lists_nobody_is_scored() {
    let records: Vec<Vec<u8>> = lan().iter().map(bytes).collect();
    let candidate = CredentialCandidate {
        id: "HS-LAN".into(),
        extras: Extras::default(),
        credentials: records.iter().map(Vec::as_slice).collect(),
    };
    // No status lists: each signature verifies, but revocation was not looked up.
    let out = assess_credentials(
        &scheme(),
        std::slice::from_ref(&candidate),
        &verified_trust(),
        &VerifyOptions::default(),
        NOW,
    );
    assert_eq!(out[0].result, "refused");
    assert_eq!(
        out[0].refusal.as_ref().unwrap().code,
        RefusalCode::ItemStatusUnknown
    );
    assert_eq!(out[0].items[0].verdict, "status_unknown");
    // With the bundle's list the same candidate is scored.
    let options = VerifyOptions::default().with_status_lists(material().status_lists.clone());
    let out = assess_credentials(&scheme(), &[candidate], &verified_trust(), &options, NOW);
    assert_eq!(out[0].result, "scored", "{:?}", out[0].refusal);
}

#[test]
fn a_primary_record_is_not_upper_secondary_and_unknown_areas_are_named() {
    let primary = bytes(&valid_credential());
    let options = VerifyOptions::default().with_status_lists(material().status_lists.clone());
    let lan = lan();
    let lan12 = bytes(&lan[2]);
    let out = assess_credentials(
        &scheme(),
        &[CredentialCandidate {
            id: "X".into(),
            extras: Extras::default(),
            credentials: vec![&lan12, &primary],
        }],
        &verified_trust(),
        &options,
        NOW,
    );
    let refusal = out[0].refusal.as_ref().unwrap();
    assert_eq!(refusal.code, RefusalCode::NotUpperSecondary, "{refusal:?}");
    assert_eq!(refusal.item, Some(1));
    let e = check_extras(
        &scheme(),
        &Extras {
            area: Some("KV4".into()),
            ..Extras::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.0, "area");
    assert!(e.1.contains("KV2-NT"), "{}", e.1);
}
