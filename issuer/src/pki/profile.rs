//! What the certificates of the PKI say: the VGCA-like profile.
//!
//! VGCA certificates carry keyUsage digitalSignature + nonRepudiation (the signer cannot deny
//! the signature), the organisation in O, its identifier in the subject's UID (`MST:` for a tax
//! code; here `MOET:` and the school code, mã trường), the country, the province, and a CRL
//! distribution point. An institution's seal certificate (chứng thư số con dấu đơn vị) names the
//! institution as both CN and O; a personal one names the person as CN, with givenName and
//! surname. A Vietnamese name is split into surname (họ, the first word) and givenName (the
//! middle and given names, the rest).
//!
//! Every certificate of the development PKI says [`DEVELOPMENT_MARK`] in its OU (the root in
//! CN and O too), so a signer and a verifier can tell development material at a glance.

use rcgen::{
    BasicConstraints, CertificateParams, CrlDistributionPoint, DistinguishedName, DnType, IsCa,
    KeyUsagePurpose, SerialNumber,
};
use time::OffsetDateTime;

/// The mark of development material in a certificate's subject.
pub const DEVELOPMENT_MARK: &str = "DEVELOPMENT";

/// OID arcs of the subject attributes rcgen has no name for.
const GIVEN_NAME: &[u64] = &[2, 5, 4, 42];
const SURNAME: &[u64] = &[2, 5, 4, 4];
const USER_ID: &[u64] = &[0, 9, 2342, 19200300, 100, 1, 1];

/// Where the development CRL would be published (`.invalid`: never resolves).
pub(crate) const DEV_CRL_URL: &str = "http://pki.hocba.invalid/dev/root-ca.crl";

/// Whether a certificate subject (as text, e.g. RFC 4514) names development material.
pub fn is_development(subject: &str) -> bool {
    subject.contains(DEVELOPMENT_MARK)
}

fn base(not_before: OffsetDateTime, not_after: OffsetDateTime, serial: &[u8]) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.not_before = not_before;
    params.not_after = not_after;
    params.serial_number = Some(SerialNumber::from_slice(serial));
    params.use_authority_key_identifier_extension = true;
    params
}

/// The development root CA.
pub(crate) fn root(not_before: OffsetDateTime, not_after: OffsetDateTime) -> CertificateParams {
    let mut params = base(not_before, not_after, &[0x01]);
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "VN");
    dn.push(
        DnType::OrganizationName,
        "hocba DEVELOPMENT PKI — không có giá trị pháp lý",
    );
    dn.push(
        DnType::CommonName,
        "hocba DEVELOPMENT Root CA (not for real records)",
    );
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params
}

/// Who a leaf certificate is for.
pub(crate) struct School<'a> {
    /// MOET school code.
    pub(crate) code: &'a str,
    /// School name.
    pub(crate) name: &'a str,
    /// Province.
    pub(crate) province: &'a str,
}

fn leaf(
    school: &School<'_>,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    serial: &[u8],
) -> (CertificateParams, DistinguishedName) {
    let mut params = base(not_before, not_after, serial);
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    params.crl_distribution_points = vec![CrlDistributionPoint {
        uris: vec![DEV_CRL_URL.to_owned()],
    }];
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "VN");
    dn.push(DnType::StateOrProvinceName, school.province);
    dn.push(
        DnType::CustomDnType(USER_ID.to_vec()),
        format!("MOET:{}", school.code),
    );
    dn.push(DnType::OrganizationName, school.name);
    dn.push(
        DnType::OrganizationalUnitName,
        format!("{DEVELOPMENT_MARK} — không có giá trị pháp lý"),
    );
    (params, dn)
}

/// The seal certificate of `school`: the school as CN and O.
pub(crate) fn seal(
    school: &School<'_>,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    serial: &[u8],
) -> CertificateParams {
    let (mut params, mut dn) = leaf(school, not_before, not_after, serial);
    dn.push(DnType::CommonName, school.name);
    params.distinguished_name = dn;
    params
}

/// The personal certificate of `person`, who works at `school`.
pub(crate) fn personal(
    school: &School<'_>,
    person: &str,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    serial: &[u8],
) -> CertificateParams {
    let (mut params, mut dn) = leaf(school, not_before, not_after, serial);
    let person = person.trim();
    let (surname, given) = person.split_once(' ').unwrap_or((person, ""));
    dn.push(DnType::CustomDnType(SURNAME.to_vec()), surname);
    if !given.is_empty() {
        dn.push(DnType::CustomDnType(GIVEN_NAME.to_vec()), given.trim());
    }
    dn.push(DnType::CommonName, person);
    params.distinguished_name = dn;
    params
}
