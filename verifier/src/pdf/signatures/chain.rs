//! Certificates of a PDF signature: signature verification with a certificate's public key
//! (ECDSA P-256 with SHA-256, or RSA PKCS#1 v1.5 with SHA-256, 2048 bits or more), the chain from the signer up to the configured root, and each
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

/// RSA public keys (`rsaEncryption`).
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// RSA PKCS#1 v1.5 with SHA-256.
pub(crate) const RSA_SHA256: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
/// The smallest RSA modulus accepted, in bits (VGCA and the licensed CAs issue 2048 and up).
const MIN_RSA_BITS: usize = 2048;

/// The signature algorithms accepted, by key: ECDSA P-256 with SHA-256, and RSA PKCS#1 v1.5
/// with SHA-256 (the VGCA tokens' keys, RSA-2048 or larger).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Algorithm {
    /// `ecdsa-with-SHA256` (CMS signers may also name the key type, `id-ecPublicKey`).
    EcdsaP256Sha256,
    /// `sha256WithRSAEncryption` (CMS signers may also name the key type, `rsaEncryption`).
    RsaPkcs1Sha256,
}

impl Algorithm {
    /// The algorithm an identifier names, if accepted.
    pub(crate) fn of(oid: ObjectIdentifier) -> Option<Self> {
        match oid {
            o if o == ECDSA_SHA256 || o == EC_PUBLIC_KEY => Some(Self::EcdsaP256Sha256),
            o if o == RSA_SHA256 || o == RSA_ENCRYPTION => Some(Self::RsaPkcs1Sha256),
            _ => None,
        }
    }
}

/// Whether `signature` over `message` verifies with `cert`'s public key under `algorithm`:
/// an ECDSA P-256 key (signature DER `r, s`) or an RSA key of 2048 bits or more (PKCS#1 v1.5,
/// SHA-256). A key of another type, or not of the algorithm's type, is refused.
pub(crate) fn verify_with(
    cert: &Certificate,
    algorithm: Algorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    let spki = cert.tbs_certificate().subject_public_key_info();
    let key_bytes = spki.subject_public_key.raw_bytes();
    match algorithm {
        Algorithm::EcdsaP256Sha256 => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
            if spki.algorithm.oid != EC_PUBLIC_KEY || curve != Some(P256) {
                return Err(format!(
                    "the signature is ECDSA P-256 but the certificate's key is not (algorithm {})",
                    spki.algorithm.oid
                ));
            }
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes)
                .map_err(|_| "the certificate's P-256 key does not decode".to_owned())?;
            let signature = p256::ecdsa::Signature::from_der(signature)
                .map_err(|_| "the signature is not a DER ECDSA signature".to_owned())?;
            key.verify(message, &signature)
                .map_err(|_| "the signature does not verify".to_owned())
        }
        Algorithm::RsaPkcs1Sha256 => {
            use rsa::pkcs1::DecodeRsaPublicKey;
            use rsa::traits::PublicKeyParts;
            if spki.algorithm.oid != RSA_ENCRYPTION {
                return Err(format!(
                    "the signature is RSA but the certificate's key is not (algorithm {})",
                    spki.algorithm.oid
                ));
            }
            let key = rsa::PublicKey::from_pkcs1_der(key_bytes)
                .map_err(|_| "the certificate's RSA key does not decode".to_owned())?;
            let bits = key.size() * 8;
            if bits < MIN_RSA_BITS {
                return Err(format!(
                    "the certificate's RSA key has {bits} bits, fewer than {MIN_RSA_BITS}"
                ));
            }
            let signature = rsa::pkcs1v15::Signature::try_from(signature)
                .map_err(|_| "the signature is not an RSA signature".to_owned())?;
            rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key)
                .verify(message, &signature)
                .map_err(|_| "the signature does not verify".to_owned())
        }
    }
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
        let algorithm = match current.signature_algorithm().oid {
            o if o == ECDSA_SHA256 => Algorithm::EcdsaP256Sha256,
            o if o == RSA_SHA256 => Algorithm::RsaPkcs1Sha256,
            other => {
                return Err((
                    Reason::PdfCertificateUntrusted,
                    format!("certificate signature algorithm {other} is not accepted"),
                ));
            }
        };
        let tbs = current
            .tbs_certificate()
            .to_der()
            .map_err(|e| (Reason::PdfSignatureMalformed, e.to_string()))?;
        let signature = current.signature().raw_bytes();
        verify_with(&issuer, algorithm, &tbs, signature).map_err(|e| {
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
