//! Certificates of a PDF signature: signature verification with a certificate's public key
//! (ECDSA P-256 with SHA-256), the chain from the signer up to the configured root, and each
//! certificate's validity at the signing time.

use der::Encode;
use der::asn1::ObjectIdentifier;
use p256::ecdsa::signature::Verifier;
use time::OffsetDateTime;
use x509_cert::Certificate;

use crate::reason::Reason;

const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
pub(crate) const ECDSA_SHA256: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");

/// Longest chain followed (root, intermediates, signer).
const MAX_CHAIN: usize = 6;

/// Whether `signature` (DER `r, s`) over `message` verifies with `cert`'s public key, an ECDSA
/// P-256 key. Other key types are not accepted (the RSA tokens: not yet).
pub(crate) fn verify_with(
    cert: &Certificate,
    message: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    let spki = cert.tbs_certificate().subject_public_key_info();
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
    if spki.algorithm.oid != EC_PUBLIC_KEY || curve != Some(P256) {
        return Err(format!(
            "the certificate's key is not ECDSA P-256 (algorithm {})",
            spki.algorithm.oid
        ));
    }
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(spki.subject_public_key.raw_bytes())
        .map_err(|_| "the certificate's P-256 key does not decode".to_owned())?;
    let signature = p256::ecdsa::Signature::from_der(signature)
        .map_err(|_| "the signature is not a DER ECDSA signature".to_owned())?;
    key.verify(message, &signature)
        .map_err(|_| "the signature does not verify".to_owned())
}

fn time_of(t: x509_cert::time::Time) -> Option<OffsetDateTime> {
    let secs = i64::try_from(t.to_unix_duration().as_secs()).ok()?;
    OffsetDateTime::from_unix_timestamp(secs).ok()
}

/// `signer` chained through `others` (the CMS's certificates) up to `root`, each certificate's
/// signature checked with its issuer's key and each valid at `at`. The chain, signer first, or
/// the reason it fails.
pub(crate) fn chain_to_root(
    signer: &Certificate,
    others: &[Certificate],
    root: &Certificate,
    at: OffsetDateTime,
) -> Result<Vec<Certificate>, (Reason, String)> {
    let mut chain = vec![signer.clone()];
    loop {
        let Some(current) = chain.last() else {
            return Err((Reason::PdfCertificateUntrusted, "empty chain".into()));
        };
        if current == root {
            break;
        }
        if chain.len() > MAX_CHAIN {
            return Err((
                Reason::PdfCertificateUntrusted,
                format!("no root within {MAX_CHAIN} certificates"),
            ));
        }
        let issuer_name = current.tbs_certificate().issuer();
        let issuer = if root.tbs_certificate().subject() == issuer_name {
            root.clone()
        } else {
            match others
                .iter()
                .find(|c| c.tbs_certificate().subject() == issuer_name && *c != current)
            {
                Some(c) => c.clone(),
                None => {
                    return Err((
                        Reason::PdfCertificateUntrusted,
                        format!("no certificate of its issuer {issuer_name} leads to the root"),
                    ));
                }
            }
        };
        if current.signature_algorithm().oid != ECDSA_SHA256 {
            return Err((
                Reason::PdfCertificateUntrusted,
                format!(
                    "certificate signature algorithm {} is not accepted",
                    current.signature_algorithm().oid
                ),
            ));
        }
        let tbs = current
            .tbs_certificate()
            .to_der()
            .map_err(|e| (Reason::PdfSignatureMalformed, e.to_string()))?;
        let signature = current.signature().raw_bytes();
        verify_with(&issuer, &tbs, signature).map_err(|e| {
            (
                Reason::PdfCertificateUntrusted,
                format!(
                    "the certificate of {} is not signed by {issuer_name}: {e}",
                    current.tbs_certificate().subject()
                ),
            )
        })?;
        chain.push(issuer);
    }
    for cert in &chain {
        let validity = cert.tbs_certificate().validity();
        let from = time_of(validity.not_before);
        let until = time_of(validity.not_after);
        let valid = from.is_some_and(|f| f <= at) && until.is_some_and(|u| at <= u);
        if !valid {
            return Err((
                Reason::PdfCertificateNotValidAtSigning,
                format!(
                    "the certificate of {} is valid from {} until {}, not at the signing time {at}",
                    cert.tbs_certificate().subject(),
                    from.map_or_else(|| "?".into(), |t| t.to_string()),
                    until.map_or_else(|| "?".into(), |t| t.to_string()),
                ),
            ));
        }
    }
    Ok(chain)
}
