//! The CMS SignedData (RFC 5652) of one PDF signature, as PAdES baseline B-B wants it: detached
//! (no encapsulated content: the signed bytes are the PDF's byte range), signed attributes
//! content-type, message-digest and signing-certificate-v2 (RFC 5035, the signer's certificate
//! hash and issuer/serial, so the certificate cannot be swapped), no signing-time attribute (the
//! time is the signature dictionary's `/M`), and the certificate chain embedded.
//!
//! Assembled from the `cms` and `x509-cert` types by hand: the `cms` builder wants a
//! `signature::Signer`, which a token key behind [`SealKey`] is not.

use cms::cert::IssuerAndSerialNumber;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Encode, Sequence};
use sha2::{Digest, Sha256};
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::AlgorithmIdentifierOwned;

use crate::pdf::PdfError;
use crate::pki::CertifiedKey;
use crate::seal_key::SealAlgorithm;

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const RSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");

/// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }` (RFC 5035; no
/// policies).
#[derive(Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

/// `ESSCertIDv2`: the hash algorithm is left at its default, SHA-256.
#[derive(Sequence)]
struct EssCertIdV2 {
    cert_hash: OctetString,
    issuer_serial: IssuerSerial,
}

#[derive(Sequence)]
struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: SerialNumber,
}

fn err(problem: impl std::fmt::Display) -> PdfError {
    PdfError::Pdf(format!("PDF signature: {problem}"))
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, PdfError> {
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![value]).map_err(err)?,
    })
}

/// The bytes `/Contents` must have room for (DER), for a signature by `signer`.
pub(crate) fn reserve(signer: &CertifiedKey) -> usize {
    // The certificates, the signed attributes (< 400 bytes with a long issuer name), up to a
    // 4096-bit RSA signature, and the structure around them.
    signer.chain.iter().map(Vec::len).sum::<usize>() + 1500
}

/// The DER ContentInfo of a detached SignedData over a PDF byte range whose SHA-256 is `digest`.
pub(crate) fn signed_data(digest: &[u8], signer: &CertifiedKey) -> Result<Vec<u8>, PdfError> {
    // The certificates were parsed once, when the key was certified.
    let leaf_der = signer.chain.first().ok_or_else(|| err("no certificate"))?;
    let leaf = signer
        .certificates()
        .first()
        .ok_or_else(|| err("no certificate"))?;
    let tbs = leaf.tbs_certificate();
    let sha256 = AlgorithmIdentifierOwned {
        oid: SHA256,
        parameters: None,
    };
    let signing_certificate = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            cert_hash: OctetString::new(Sha256::digest(leaf_der).to_vec()).map_err(err)?,
            issuer_serial: IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(tbs.issuer().clone())],
                serial_number: tbs.serial_number().clone(),
            },
        }],
    };
    let attrs = SetOfVec::try_from(vec![
        attribute(CONTENT_TYPE, Any::encode_from(&ID_DATA).map_err(err)?)?,
        attribute(
            MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(digest.to_vec()).map_err(err)?).map_err(err)?,
        )?,
        attribute(
            SIGNING_CERTIFICATE_V2,
            Any::encode_from(&signing_certificate).map_err(err)?,
        )?,
    ])
    .map_err(err)?;
    let signature = signer
        .key
        .sign(&attrs.to_der().map_err(err)?)
        .map_err(|e| err(e.to_string()))?;
    let signature_algorithm = match signer.key.algorithm() {
        SealAlgorithm::EcdsaP256Sha256 => AlgorithmIdentifierOwned {
            oid: ECDSA_SHA256,
            parameters: None,
        },
        SealAlgorithm::RsaPkcs1Sha256 => AlgorithmIdentifierOwned {
            oid: RSA_SHA256,
            parameters: Some(Any::null()),
        },
    };
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer().clone(),
            serial_number: tbs.serial_number().clone(),
        }),
        digest_alg: sha256.clone(),
        signed_attrs: Some(attrs),
        signature_algorithm,
        signature: OctetString::new(signature).map_err(err)?,
        unsigned_attrs: None,
    };
    let certificates: Vec<_> = signer
        .certificates()
        .iter()
        .map(|c| cms::cert::CertificateChoices::Certificate(c.clone()))
        .collect();
    let signed = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![sha256]).map_err(err)?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet::try_from(certificates).map_err(err)?),
        crls: None,
        signer_infos: SignerInfos::try_from(vec![signer_info]).map_err(err)?,
    };
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&signed).map_err(err)?,
    }
    .to_der()
    .map_err(err)
}
