//! Every verification decision for học bạ số credentials: is this record valid, who issued it,
//! and was the key allowed to sign it.
//!
//! **What this crate does not do.** The verification core opens no files, makes no network
//! calls and does not read the clock: it takes bytes, a verified trust list and the time to
//! judge at (`now`) as arguments. (A clippy `disallowed-methods` rule keeps `now_utc` and
//! `SystemTime::now` out of it; only the `hocba-verify` binary reads files and the clock.) It
//! never signs and never depends on the issuer.
//!
//! **The I/O layer.** Two modules are the exception, and only they: [`online`] fetches and
//! caches trust material over HTTP, and [`service`] is the HTTP verifier (`hocba-verify
//! serve`). Both call the core above; neither reads the clock (a [`online::Clock`] is passed in).
//!
//! **How trust flows.** A verifier pins one public key, the education authority's
//! ([`TrustedAuthority`]). [`TrustedAuthority::verify_trust_list`] checks the authority's
//! signed trust list and returns a [`VerifiedTrustList`], the only way to get one. A credential
//! is then checked against it:
//!
//! ```text
//! integrity        eddsa-jcs-2022 proof, Ed25519 verify_strict over hashData
//! issuer           issuer is a school in the list, the key is that school's, school code matches
//! key_validity     key active; retired only for signatures before retirement; never compromised
//! validity_period  validFrom ≤ now ≤ validUntil; proof not dated in the future
//! status           revocation: the bit in the school's signed status list ([`status`]), when
//!                  status lists are given; unknown (missing, unreadable, stale) fails closed
//! format           VC 2.0 + học bạ context and type, issuer, validFrom, NFC text, safe numbers
//! trust_list       the list is fresh: past its next update "could not check" unless the user
//!                  accepts stale material; an older version than one seen is refused ([`seen`])
//! ```
//!
//! **Paper and PDF.** [`qr::verify_summary`] checks the school-signed summary in a printed
//! record's QR code offline; [`pdf::extract_credential`] takes the signed credential out of the
//! PDF; [`qr::check_binding`] says whether a credential is the one a QR summary was made from.
//!
//! **One way in.** [`pipeline`]: an input (credential JSON, PDF, QR text, QR photo) is read once
//! ([`read_input`]), says which trust material it needs ([`Input::needs`]) and is checked
//! against it at a given time ([`check_input`]); the command, the pages and the bulk API all go
//! through it.
//!
//! **Many at once.** [`verify_credentials_batch`] gives the same verdicts for many credentials,
//! their signatures checked together (one batch equation), as the bulk API does.
//!
//! **Admissions.** [`admissions`]: a university's scheme (a TOML file) and candidates' verified
//! grade 10–12 records give admission scores with their breakdown, or a refusal and its reason.
//!
//! **Not valid is a verdict, not an error.** [`verify_credential`] returns a [`Verdict`] (valid
//! or invalid, each [`Check`] with a stable [`Reason`] code and a message in Vietnamese and
//! English). [`VerifyError`] is for input that cannot be checked at all. A valid verdict carries
//! a [`VerifiedCredential`], which nothing else can construct.
//!
//! ```no_run
//! # fn main() -> Result<(), hocba_verifier::VerifyError> {
//! # let (authority_pem, trust_list_bytes, credential_bytes, now) =
//! #     ("", &[][..], &[][..], time::OffsetDateTime::UNIX_EPOCH);
//! let authority = hocba_verifier::TrustedAuthority::from_pem(authority_pem)?;
//! let trust = authority.verify_trust_list(trust_list_bytes)?;
//! let verdict = hocba_verifier::verify_json(credential_bytes, &trust, now)?;
//! if let Some(credential) = verdict.verified() {
//!     println!("{:?}", credential.credential_subject());
//! } else {
//!     println!("{}", verdict.message().vi);
//! }
//! # Ok(())
//! # }
//! ```

pub mod admissions;
pub mod batch;
pub mod bundle;
pub mod credential;
pub mod danger;
pub mod error;
pub mod federation;
mod input;
mod json_scan;
pub mod normalise;
#[cfg(feature = "online")]
pub mod online;
pub mod pdf;
pub mod pipeline;
pub mod proof;
pub mod qr;
mod qr_image;
pub mod reason;
mod secured;
pub mod seen;
#[cfg(feature = "service")]
pub mod service;
pub mod status;
pub mod trust_list;
pub mod verdict;

pub use batch::verify_credentials_batch;
pub use bundle::TrustBundle;
pub use credential::{
    VerifiedCredential, VerifyOptions, verdict_without_trust_list, verify_credential,
    verify_credential_with,
};
pub use error::VerifyError;
pub use federation::VerifiedNationalList;
pub use input::{MAX_CREDENTIAL_BYTES, MAX_TRUST_LIST_BYTES};
pub use pipeline::{Input, Judged, Needs, check_input, read_input};
pub use proof::{
    IntegrityFailure, check_proof_times, verify_proof, verify_proof_at, verify_signature,
};
pub use qr::{
    SummaryVerdict, VerifiedSummary, check_binding, decode_qr_image, verify_summary,
    verify_summary_with,
};
pub use reason::{CheckName, Message, Reason};
pub use status::StatusLists;
pub use trust_list::{TrustedAuthority, VerifiedTrustList};
pub use verdict::{Check, Outcome, Verdict, VerdictResult};

/// The one call for the common case: verify credential JSON `bytes` against `trust` at `now`
/// with default options. Same as [`verify_credential`].
pub fn verify_json(
    bytes: &[u8],
    trust: &VerifiedTrustList,
    now: time::OffsetDateTime,
) -> Result<Verdict, VerifyError> {
    verify_credential(bytes, trust, now)
}
