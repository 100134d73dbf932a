//! Every reason has its own code and both messages.

use super::*;
use std::collections::HashSet;

/// Every reason, for the uniqueness tests (a new variant must be added here: the match in
/// `code` makes the compiler point at it).
pub(crate) const ALL: &[Reason] = &[
    Reason::NotSigned,
    Reason::MalformedProof,
    Reason::WrongProofType,
    Reason::WrongCryptosuite,
    Reason::WrongProofPurpose,
    Reason::ProofContextMismatch,
    Reason::NonCanonicalSignature,
    Reason::WeakKey,
    Reason::SignatureMismatch,
    Reason::UntrustedIssuer,
    Reason::UnknownKey,
    Reason::KeyOfAnotherSchool,
    Reason::SchoolCodeMismatch,
    Reason::ProvinceNotInNationalList,
    Reason::SchoolListedByWrongProvince,
    Reason::ProvinceListSignedByOtherProvince,
    Reason::ProvinceListRejected,
    Reason::InvalidTrustedKey,
    Reason::CompromisedKey,
    Reason::RetiredKeyAfterRetirement,
    Reason::SignedAfterKeyValidity,
    Reason::SignedBeforeKeyValid,
    Reason::ProvinceCompromised,
    Reason::NotYetValid,
    Reason::Expired,
    Reason::ProofCreatedInFuture,
    Reason::ProofExpired,
    Reason::NoStatusEntry,
    Reason::StatusNotChecked,
    Reason::Revoked,
    Reason::StatusEntryMalformed,
    Reason::StatusListUnavailable,
    Reason::StatusListMalformed,
    Reason::StatusListStale,
    Reason::StatusListSignatureInvalid,
    Reason::StatusListSignedByOtherKey,
    Reason::StatusListKeyNotValid,
    Reason::StatusListOfAnotherSchool,
    Reason::StatusListAfterProvinceCompromise,
    Reason::NotNfc,
    Reason::NumberOutOfRange,
    Reason::MalformedEnvelope,
    Reason::WrongContext,
    Reason::WrongType,
    Reason::TrustListStale,
    Reason::TrustListTooOld,
    Reason::TrustListNotYetValid,
    Reason::TrustListSignatureInvalid,
    Reason::TrustListSignedByOtherKey,
    Reason::TrustListUnsigned,
    Reason::TrustListMalformed,
    Reason::DependsOnFailedCheck,
    Reason::NoTrustedKey,
    Reason::NoTrustList,
    Reason::PdfUnsigned,
    Reason::PdfSignatureMalformed,
    Reason::PdfSignatureMismatch,
    Reason::PdfByteRangeIncomplete,
    Reason::PdfModifiedAfterSigning,
    Reason::PdfCertificateUntrusted,
    Reason::PdfCertificateNotValidAtSigning,
    Reason::PdfSealNotBound,
    Reason::PdfDevelopmentCertificate,
    Reason::PdfRootNotGiven,
];

#[test]
fn codes_and_messages_are_distinct_and_match_serde() {
    let mut codes = HashSet::new();
    let mut vi = HashSet::new();
    let mut en = HashSet::new();
    for r in ALL {
        assert!(codes.insert(r.code()), "duplicate code {r}");
        let m = r.message();
        assert!(vi.insert(m.vi), "duplicate Vietnamese message for {r}");
        assert!(en.insert(m.en), "duplicate English message for {r}");
        let json = serde_json::to_value(r).expect("serialises");
        assert_eq!(json, r.code());
    }
}

#[test]
fn check_names_serialise_as_their_stable_names() {
    for c in CheckName::ALL {
        assert_eq!(serde_json::to_value(c).expect("serialises"), c.as_str());
    }
}
