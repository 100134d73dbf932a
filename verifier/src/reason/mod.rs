//! Why a check did not pass: one stable code per distinct failure, the check it belongs to, and
//! the plain-words explanation in Vietnamese and English that a parent reads.
//!
//! Codes are part of the machine-readable report (`--json`, the HTTP API): they serialise in
//! `snake_case` and never change meaning. Add new ones; do not reuse old ones.

use std::fmt;

use serde::Serialize;

/// A message in the two languages the verifier speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Message {
    /// Vietnamese (what a parent reads first).
    pub vi: &'static str,
    /// English.
    pub en: &'static str,
}

/// The name of a check in a [`Verdict`](crate::Verdict). Stable; serialises in `snake_case`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckName {
    /// The signature covers exactly this content (`eddsa-jcs-2022`, Ed25519 `verify_strict`).
    Integrity,
    /// The issuer is a school in the trust list and the signing key is its own.
    Issuer,
    /// The key's life cycle (active, retired, compromised, validity window) allowed the signature.
    KeyValidity,
    /// The credential's `validFrom` / `validUntil` against the time of checking.
    ValidityPeriod,
    /// Revocation (Bitstring Status List).
    Status,
    /// The document is a well-formed học bạ credential (envelope, NFC text, safe numbers).
    Format,
    /// The trust list itself: signed by the pinned authority key, and fresh.
    TrustList,
}

impl CheckName {
    /// Every check, in the order a report lists them.
    pub const ALL: [CheckName; 7] = [
        CheckName::Integrity,
        CheckName::Issuer,
        CheckName::KeyValidity,
        CheckName::ValidityPeriod,
        CheckName::Status,
        CheckName::Format,
        CheckName::TrustList,
    ];

    /// The stable name, e.g. `key_validity`.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckName::Integrity => "integrity",
            CheckName::Issuer => "issuer",
            CheckName::KeyValidity => "key_validity",
            CheckName::ValidityPeriod => "validity_period",
            CheckName::Status => "status",
            CheckName::Format => "format",
            CheckName::TrustList => "trust_list",
        }
    }

    /// What a passed check means, in plain words.
    pub fn passed_message(self) -> Message {
        match self {
            CheckName::Integrity => Message {
                vi: "Nội dung đúng như khi được ký.",
                en: "The content is exactly what was signed.",
            },
            CheckName::Issuer => Message {
                vi: "Được cấp bởi một trường có trong danh sách tin cậy, bằng khóa của chính trường đó.",
                en: "Issued by a school in the trust list, with that school's own key.",
            },
            CheckName::KeyValidity => Message {
                vi: "Khóa của trường còn hiệu lực khi ký.",
                en: "The school's key was valid when it signed.",
            },
            CheckName::ValidityPeriod => Message {
                vi: "Hồ sơ đang trong thời hạn hiệu lực.",
                en: "The record is within its validity period.",
            },
            CheckName::Status => Message {
                vi: "Hồ sơ chưa bị thu hồi.",
                en: "The record has not been revoked.",
            },
            CheckName::Format => Message {
                vi: "Tài liệu là học bạ số đúng định dạng.",
                en: "The document is a well-formed digital school record.",
            },
            CheckName::TrustList => Message {
                vi: "Danh sách tin cậy được cơ quan quản lý giáo dục ký và còn mới.",
                en: "The trust list is signed by the education authority and up to date.",
            },
        }
    }
}

impl fmt::Display for CheckName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a check failed, warned or was not run. Each distinct failure has its own code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    // --- integrity ---
    /// The document has no `proof`.
    NotSigned,
    /// The `proof` is not one object (or a set of one) with a string `verificationMethod`, a
    /// `proofValue` of `z` + base58btc(64 bytes) and, when present, RFC 3339 `created` and
    /// `expires`.
    MalformedProof,
    /// The proof's `type` is not `DataIntegrityProof`.
    WrongProofType,
    /// The proof's `cryptosuite` is not `eddsa-jcs-2022`.
    WrongCryptosuite,
    /// The proof's `proofPurpose` is not `assertionMethod`.
    WrongProofPurpose,
    /// The proof's `@context` is not a prefix of the document's `@context`.
    ProofContextMismatch,
    /// The signature's S is not below the group order ℓ (a malleable variant of a signature).
    NonCanonicalSignature,
    /// The public key has small order: it "verifies" signatures on almost any message.
    WeakKey,
    /// Ed25519 `verify_strict` failed: the content was changed or signed by another key.
    SignatureMismatch,

    // --- issuer ---
    /// The credential's `issuer.id` is not a school in the trust list.
    UntrustedIssuer,
    /// The proof's `verificationMethod` is not a key in the trust list.
    UnknownKey,
    /// The key is in the trust list, but under another school than `issuer.id`, or its
    /// `controller` is not `issuer.id`.
    KeyOfAnotherSchool,
    /// `credentialSubject.school.code` is not the trust list's code for the issuing school.
    SchoolCodeMismatch,
    /// Federation: the school's code belongs to no province of the national trust list.
    ProvinceNotInNationalList,
    /// Federation: the school is listed only by a province that does not answer for its school
    /// code (its code prefix is another province's, or no province's).
    SchoolListedByWrongProvince,
    /// Federation: the provincial trust list that lists the school is signed with a key of
    /// another province, not of the province it speaks for.
    ProvinceListSignedByOtherProvince,
    /// Federation: the provincial trust list that lists the school is not properly signed by a
    /// key of its province (unknown key, bad signature, key retired before it signed, unreadable).
    ProvinceListRejected,

    // --- key_validity ---
    /// The trust list's entry for the key does not decode to an Ed25519 Multikey.
    InvalidTrustedKey,
    /// The key is marked `compromised`: every signature by it is invalid.
    CompromisedKey,
    /// The key is `retired` and the proof was created at or after its `validUntil`.
    RetiredKeyAfterRetirement,
    /// The (active) key has a `validUntil` and the proof was created at or after it.
    SignedAfterKeyValidity,
    /// The proof was created before the key's `validFrom`.
    SignedBeforeKeyValid,
    /// Federation: the province key that vouches for the school's key was compromised, and the
    /// credential was signed (or the school key registered) at or after the compromise.
    ProvinceCompromised,

    // --- validity_period ---
    /// `validFrom` is after the time of checking.
    NotYetValid,
    /// `validUntil` is before the time of checking.
    Expired,
    /// The proof's `created` is after the time of checking.
    ProofCreatedInFuture,
    /// The proof's `expires` is before the time of checking: the proof no longer counts.
    ProofExpired,

    // --- status ---
    /// The credential has no `credentialStatus`.
    NoStatusEntry,
    /// The credential has a `credentialStatus`, but no status lists were given to check it.
    StatusNotChecked,
    /// The school's status list marks the credential revoked.
    Revoked,
    /// `credentialStatus` is not a revocation `BitstringStatusListEntry` with a decimal index
    /// inside the list.
    StatusEntryMalformed,
    /// The status list the credential names was not given (not fetched, not in the bundle):
    /// the status is unknown.
    StatusListUnavailable,
    /// The status list cannot be read (not JSON, not a revocation `BitstringStatusListCredential`,
    /// bad `encodedList`, id not its URL): the status is unknown.
    StatusListMalformed,
    /// The status list is past its `validUntil`, or older than the maximum age asked for: the
    /// status is unknown.
    StatusListStale,
    /// The status list's proof is missing, malformed or does not verify.
    StatusListSignatureInvalid,
    /// The status list is signed by a key that is not one of the issuing school's keys.
    StatusListSignedByOtherKey,
    /// The status list is signed by a school key that was compromised, or not valid when it signed.
    StatusListKeyNotValid,
    /// The status list is another school's, not the credential issuer's.
    StatusListOfAnotherSchool,
    /// Federation: the status list was signed at or after the compromise of the province key
    /// that vouches for the school: not trusted on the school key alone, the status is unknown.
    StatusListAfterProvinceCompromise,

    // --- format ---
    /// A string (or object key) is not in Unicode NFC.
    NotNfc,
    /// A number lies outside ±(2^53−1).
    NumberOutOfRange,
    /// A required envelope field (`issuer`, `validFrom`, …) is missing or has the wrong shape.
    MalformedEnvelope,
    /// `@context` does not start with the VC 2.0 context followed by the học bạ context.
    WrongContext,
    /// `type` lacks `VerifiableCredential` or `HocBaCredential`.
    WrongType,

    // --- trust_list ---
    /// Past the trust list's `validUntil` (its next update was due).
    TrustListStale,
    /// Older than the maximum age the caller asked for.
    TrustListTooOld,
    /// The trust list's `validFrom` is after the time of checking.
    TrustListNotYetValid,
    /// The trust list's signature does not verify with the pinned authority key.
    TrustListSignatureInvalid,
    /// The trust list's proof names a key other than the pinned authority key.
    TrustListSignedByOtherKey,
    /// The trust list has no usable proof (missing, malformed, wrong type or cryptosuite).
    TrustListUnsigned,
    /// The signed trust list is not a readable `HocBaTrustList`.
    TrustListMalformed,

    // --- PDF signatures (PAdES; reported beside the credential's verdict) ---
    /// The PDF carries no PAdES signature: only its embedded credential vouches for it.
    PdfUnsigned,
    /// A PDF signature cannot be read: its dictionary, byte range or CMS is malformed, or it is
    /// not a detached SHA-256 CAdES signature.
    PdfSignatureMalformed,
    /// A PDF signature does not match the bytes it covers, or its CMS signature does not verify
    /// with its certificate: the signed content was changed.
    PdfSignatureMismatch,
    /// A PDF signature's byte range does not cover its whole revision except the signature
    /// itself.
    PdfByteRangeIncomplete,
    /// A revision added after a signature changes more than signatures (pages, content, …).
    PdfModifiedAfterSigning,
    /// A PDF signature's certificate does not chain up to the configured root.
    PdfCertificateUntrusted,
    /// A certificate of a PDF signature's chain was not valid (expired or not yet valid) at the
    /// signing time.
    PdfCertificateNotValidAtSigning,
    /// The PDF's seal certificate is not the one the trust list registers for the credential's
    /// school.
    PdfSealNotBound,
    /// The PDF is signed with development certificates: it has no legal value.
    PdfDevelopmentCertificate,
    /// No PKI root was given (`--pki-root`): the signatures' chains could not be checked.
    PdfRootNotGiven,

    // --- not checked ---
    /// The check needs something an earlier check could not provide.
    DependsOnFailedCheck,
    /// There is no trusted key to check the signature against.
    NoTrustedKey,
    /// There is no valid trust list, so nothing could be checked against it.
    NoTrustList,
}

impl Reason {
    /// The stable code, e.g. `signature_mismatch`.
    pub fn code(self) -> &'static str {
        use Reason::*;
        match self {
            NotSigned => "not_signed",
            MalformedProof => "malformed_proof",
            WrongProofType => "wrong_proof_type",
            WrongCryptosuite => "wrong_cryptosuite",
            WrongProofPurpose => "wrong_proof_purpose",
            ProofContextMismatch => "proof_context_mismatch",
            NonCanonicalSignature => "non_canonical_signature",
            WeakKey => "weak_key",
            SignatureMismatch => "signature_mismatch",
            UntrustedIssuer => "untrusted_issuer",
            UnknownKey => "unknown_key",
            KeyOfAnotherSchool => "key_of_another_school",
            SchoolCodeMismatch => "school_code_mismatch",
            ProvinceNotInNationalList => "province_not_in_national_list",
            SchoolListedByWrongProvince => "school_listed_by_wrong_province",
            ProvinceListSignedByOtherProvince => "province_list_signed_by_other_province",
            ProvinceListRejected => "province_list_rejected",
            InvalidTrustedKey => "invalid_trusted_key",
            CompromisedKey => "compromised_key",
            RetiredKeyAfterRetirement => "retired_key_after_retirement",
            SignedAfterKeyValidity => "signed_after_key_validity",
            SignedBeforeKeyValid => "signed_before_key_valid",
            ProvinceCompromised => "province_compromised",
            NotYetValid => "not_yet_valid",
            Expired => "expired",
            ProofCreatedInFuture => "proof_created_in_future",
            ProofExpired => "proof_expired",
            NoStatusEntry => "no_status_entry",
            StatusNotChecked => "status_not_checked",
            Revoked => "revoked",
            StatusEntryMalformed => "status_entry_malformed",
            StatusListUnavailable => "status_list_unavailable",
            StatusListMalformed => "status_list_malformed",
            StatusListStale => "status_list_stale",
            StatusListSignatureInvalid => "status_list_signature_invalid",
            StatusListSignedByOtherKey => "status_list_signed_by_other_key",
            StatusListKeyNotValid => "status_list_key_not_valid",
            StatusListOfAnotherSchool => "status_list_of_another_school",
            StatusListAfterProvinceCompromise => "status_list_after_province_compromise",
            NotNfc => "not_nfc",
            NumberOutOfRange => "number_out_of_range",
            MalformedEnvelope => "malformed_envelope",
            WrongContext => "wrong_context",
            WrongType => "wrong_type",
            TrustListStale => "trust_list_stale",
            TrustListTooOld => "trust_list_too_old",
            TrustListNotYetValid => "trust_list_not_yet_valid",
            TrustListSignatureInvalid => "trust_list_signature_invalid",
            TrustListSignedByOtherKey => "trust_list_signed_by_other_key",
            TrustListUnsigned => "trust_list_unsigned",
            TrustListMalformed => "trust_list_malformed",
            DependsOnFailedCheck => "depends_on_failed_check",
            NoTrustedKey => "no_trusted_key",
            NoTrustList => "no_trust_list",
            PdfUnsigned => "pdf_unsigned",
            PdfSignatureMalformed => "pdf_signature_malformed",
            PdfSignatureMismatch => "pdf_signature_mismatch",
            PdfByteRangeIncomplete => "pdf_byte_range_incomplete",
            PdfModifiedAfterSigning => "pdf_modified_after_signing",
            PdfCertificateUntrusted => "pdf_certificate_untrusted",
            PdfCertificateNotValidAtSigning => "pdf_certificate_not_valid_at_signing",
            PdfSealNotBound => "pdf_seal_not_bound",
            PdfDevelopmentCertificate => "pdf_development_certificate",
            PdfRootNotGiven => "pdf_root_not_given",
        }
    }
}

impl Reason {
    /// Whether this reason means the answer could not be established rather than that the
    /// record is bad: the revocation status is unknown (the status list is missing, unreadable
    /// or too old), or the trust list is past its next update (`trust_list_stale`: a key may
    /// have been marked compromised since). The verdict fails closed as
    /// [`VerdictResult::StatusUnknown`](crate::VerdictResult::StatusUnknown): "could not
    /// check", never "valid".
    pub fn is_status_unknown(self) -> bool {
        matches!(
            self,
            Reason::StatusListUnavailable
                | Reason::StatusListMalformed
                | Reason::StatusListStale
                | Reason::StatusListAfterProvinceCompromise
                | Reason::TrustListStale
        )
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

mod messages;

#[cfg(test)]
mod tests;
