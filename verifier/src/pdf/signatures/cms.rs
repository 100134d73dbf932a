//! The CMS SignedData of one PDF signature: one signer, SHA-256, detached, signed attributes
//! content-type (data), message-digest (the byte range's SHA-256) and signing-certificate-v2
//! (the signer certificate's SHA-256), the signature verified with the signer's certificate.

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Encode, Reader, Sequence, SliceReader};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

use crate::reason::Reason;

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

/// RFC 5035 `SigningCertificateV2` (policies ignored).
#[derive(Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

/// `ESSCertIDv2` with its hash algorithm left at the default, SHA-256.
#[derive(Sequence)]
struct EssCertIdV2 {
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<IssuerSerial>,
}

#[derive(Sequence)]
struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: SerialNumber,
}

/// A signature whose CMS checks out against the bytes it covers.
pub(crate) struct Checked {
    /// The signer's certificate.
    pub(crate) signer: Certificate,
    /// Every certificate the CMS carries.
    pub(crate) certificates: Vec<Certificate>,
}

fn malformed(problem: impl std::fmt::Display) -> (Reason, String) {
    (Reason::PdfSignatureMalformed, problem.to_string())
}

/// Check the CMS `der` (zero padding after it allowed) against `digest`, the SHA-256 of the
/// signed byte range.
pub(crate) fn check(der: &[u8], digest: &[u8]) -> Result<Checked, (Reason, String)> {
    let mut reader = SliceReader::new(der).map_err(malformed)?;
    let info = ContentInfo::decode(&mut reader).map_err(|e| malformed(format!("CMS: {e}")))?;
    let rest = reader
        .read_slice(reader.remaining_len())
        .map_err(malformed)?;
    if rest.iter().any(|&b| b != 0) {
        return Err(malformed("bytes after the CMS in /Contents"));
    }
    if info.content_type != ID_SIGNED_DATA {
        return Err(malformed("the CMS is not SignedData"));
    }
    let signed: SignedData = info
        .content
        .decode_as()
        .map_err(|e| malformed(format!("SignedData: {e}")))?;
    if signed.encap_content_info.econtent.is_some() {
        return Err(malformed("the CMS is not detached"));
    }
    let certificates: Vec<Certificate> = signed
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    let [signer_info] = signed.signer_infos.0.as_slice() else {
        return Err(malformed("the CMS does not have exactly one signer"));
    };
    if signer_info.digest_alg.oid != SHA256 {
        return Err(malformed("the digest is not SHA-256"));
    }
    let signer = match &signer_info.sid {
        SignerIdentifier::IssuerAndSerialNumber(id) => certificates.iter().find(|c| {
            c.tbs_certificate().issuer() == &id.issuer
                && c.tbs_certificate().serial_number() == &id.serial_number
        }),
        SignerIdentifier::SubjectKeyIdentifier(_) => None,
    }
    .cloned()
    .ok_or_else(|| malformed("the signer's certificate is not in the CMS"))?;
    let attrs = signer_info
        .signed_attrs
        .as_ref()
        .ok_or_else(|| malformed("no signed attributes"))?;
    let value = |oid: ObjectIdentifier| {
        attrs
            .iter()
            .find(|a| a.oid == oid)
            .and_then(|a| a.values.iter().next())
    };
    let content_type = value(CONTENT_TYPE)
        .and_then(|v| v.decode_as::<ObjectIdentifier>().ok())
        .ok_or_else(|| malformed("no content-type attribute"))?;
    if content_type != ID_DATA {
        return Err(malformed("the content type is not data"));
    }
    let message_digest = value(MESSAGE_DIGEST)
        .and_then(|v| v.decode_as::<OctetString>().ok())
        .ok_or_else(|| malformed("no message-digest attribute"))?;
    let signer_der = signer.to_der().map_err(malformed)?;
    let signing_certificate = value(SIGNING_CERTIFICATE_V2)
        .and_then(|v| v.decode_as::<SigningCertificateV2>().ok())
        .ok_or_else(|| malformed("no signing-certificate-v2 attribute (PAdES B-B needs it)"))?;
    let bound = signing_certificate
        .certs
        .first()
        .is_some_and(|c| c.cert_hash.as_bytes() == Sha256::digest(&signer_der).as_slice());
    if !bound {
        return Err((
            Reason::PdfSignatureMismatch,
            "signing-certificate-v2 names another certificate than the signer's".into(),
        ));
    }
    if message_digest.as_bytes() != digest {
        return Err((
            Reason::PdfSignatureMismatch,
            "the signed bytes' SHA-256 is not the signed message digest: the content was changed"
                .into(),
        ));
    }
    let Some(algorithm) = super::chain::Algorithm::of(signer_info.signature_algorithm.oid) else {
        return Err(malformed(format!(
            "signature algorithm {} is not accepted (ECDSA P-256 or RSA PKCS#1 v1.5, with SHA-256)",
            signer_info.signature_algorithm.oid
        )));
    };
    let signed_attrs = attrs.to_der().map_err(malformed)?;
    super::chain::verify_with(
        &signer,
        algorithm,
        &signed_attrs,
        signer_info.signature.as_bytes(),
    )
    .map_err(|e| (Reason::PdfSignatureMismatch, format!("CMS signature: {e}")))?;
    Ok(Checked {
        signer,
        certificates,
    })
}
