//! Building and signing the authority's trust list from a plain description of schools
//! (a TOML file a Department can write by hand):
//!
//! ```toml
//! [authority]
//! id = "urn:hocba:authority:dev"
//! name = "Sở GD&ĐT (development)"
//! next_update_days = 30          # optional, default 30
//!
//! [[schools]]
//! code = "79000701"
//! name = "Trường Tiểu học Lê Văn Tám"
//! province = "Thành phố Hồ Chí Minh"
//!
//! [[schools.keys]]
//! public_key = "school-79000701.pub.pem"   # SPKI PEM path (relative to this file) or z6Mk…
//! valid_from = "2025-08-01T00:00:00Z"
//! status = "active"                        # active | retired | compromised
//! # valid_until = "2026-01-01T00:00:00Z"   # when retired
//! ```
//!
//! A school's issuer id is `urn:hocba:school:<code>` ([`school_issuer_id`]).

use std::path::{Path, PathBuf};

use ed25519_dalek::VerifyingKey;
use ed25519_dalek::pkcs8::DecodePublicKey;
use hocba_schema::credential::{IssuerRef, UnsignedCredential, format_time, parse_time};
use hocba_schema::multikey::{decode_public_key, encode_public_key};
use hocba_schema::trust_list::{KeyStatus, TrustList, TrustListBody, TrustedKey, TrustedSchool};
use serde::Deserialize;
use serde_json::{Map, Value};
use time::{Duration, OffsetDateTime};

use crate::error::IssuerError;
use crate::keys::KeyPair;
use crate::signing::sign_document;

/// The issuer id of the school with MOET code `code`.
pub fn school_issuer_id(code: &str) -> String {
    format!("urn:hocba:school:{code}")
}

/// The plain description of the authority and its schools.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Description {
    /// Who signs the list.
    pub authority: AuthorityDescription,
    /// The schools.
    #[serde(default)]
    pub schools: Vec<SchoolDescription>,
}

/// The authority block.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorityDescription {
    /// Issuer id of the authority.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Days until the next version is due (default 30).
    #[serde(default)]
    pub next_update_days: Option<u32>,
}

/// One school.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchoolDescription {
    /// MOET school code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Province.
    pub province: String,
    /// The approving principal's name, for the development PKI's personal certificate
    /// (`hocba-issuer pki init`).
    #[serde(default)]
    pub principal: Option<String>,
    /// The school's seal certificate (PEM, relative to the description file): the trust list
    /// binds its SHA-256 fingerprint to the school. Default: `pki/seal-<code>.pem` beside the
    /// description, when it exists.
    #[serde(default)]
    pub seal_certificate: Option<String>,
    /// Its keys.
    #[serde(default)]
    pub keys: Vec<KeyDescription>,
}

/// One school key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyDescription {
    /// SPKI PEM file (relative to the description) or a `z6Mk…` publicKeyMultibase.
    pub public_key: String,
    /// RFC 3339 time from which the key signs.
    pub valid_from: String,
    /// RFC 3339 time of retirement.
    #[serde(default)]
    pub valid_until: Option<String>,
    /// `active`, `retired` or `compromised`.
    pub status: KeyStatus,
}

impl Description {
    /// Read a description file.
    pub fn load(path: &Path) -> Result<Self, IssuerError> {
        let text = std::fs::read_to_string(path).map_err(|source| IssuerError::Io {
            path: path.into(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| IssuerError::Description {
            path: path.into(),
            problem: e.to_string(),
        })
    }
}

/// Build the (unsigned) trust list described by `desc`; key files are read relative to
/// `base_dir`.
pub fn build(
    desc: &Description,
    base_dir: &Path,
    version: u64,
    now: OffsetDateTime,
) -> Result<TrustList, IssuerError> {
    let problem = |p: String| IssuerError::Description {
        path: base_dir.into(),
        problem: p,
    };
    let mut schools = Vec::with_capacity(desc.schools.len());
    for (i, school) in desc.schools.iter().enumerate() {
        let id = school_issuer_id(&school.code);
        let mut methods = Vec::with_capacity(school.keys.len());
        for (j, key) in school.keys.iter().enumerate() {
            let at = format!("schools[{i}].keys[{j}]");
            let public = read_public_key(base_dir, &key.public_key)
                .map_err(|e| problem(format!("{at}.public_key: {e}")))?;
            let multibase = encode_public_key(&public);
            let valid_from = parse_time(&format!("{at}.valid_from"), &key.valid_from)?;
            let valid_until = key
                .valid_until
                .as_deref()
                .map(|t| parse_time(&format!("{at}.valid_until"), t))
                .transpose()?;
            if key.status == KeyStatus::Retired && valid_until.is_none() {
                return Err(problem(format!(
                    "{at}: a retired key needs valid_until (the time it was retired)"
                )));
            }
            methods.push(TrustedKey {
                id: format!("{id}#{multibase}"),
                kind: "Multikey".into(),
                controller: id.clone(),
                public_key_multibase: multibase,
                valid_from,
                valid_until,
                status: key.status,
            });
        }
        // The seal certificate named in the description, else the PKI folder's
        // (`pki/seal-<code>.pem` beside the description, as `hocba-issuer pki init` makes it).
        let default_seal = base_dir
            .join("pki")
            .join(crate::pki::files::seal_cert(&school.code));
        let seal_file = match &school.seal_certificate {
            Some(file) => Some(base_dir.join(file)),
            None => default_seal.is_file().then_some(default_seal),
        };
        let seal_certificate_sha256 = seal_file
            .map(|file| seal_fingerprint(&file))
            .transpose()
            .map_err(|e| problem(format!("schools[{i}].seal_certificate: {e}")))?;
        schools.push(TrustedSchool {
            id,
            code: school.code.clone(),
            name: school.name.clone(),
            province: school.province.clone(),
            verification_methods: methods,
            seal_certificate_sha256,
        });
    }
    let days = desc.authority.next_update_days.unwrap_or(30);
    // Whole seconds: the list is read by people and by other software.
    let now = now.replace_nanosecond(0).unwrap_or(now);
    Ok(TrustList::new(
        format!("urn:uuid:{}", uuid::Uuid::new_v4()),
        IssuerRef {
            id: desc.authority.id.clone(),
            name: desc.authority.name.clone(),
        },
        now,
        now + Duration::days(i64::from(days)),
        TrustListBody { version, schools },
    ))
}

/// Sign `list` with the authority key; the verification method is `<authority id>#<key>`.
pub fn sign(
    list: &TrustList,
    authority: &KeyPair,
    now: OffsetDateTime,
) -> Result<Map<String, Value>, IssuerError> {
    let Value::Object(doc) =
        serde_json::to_value(list).map_err(|e| hocba_schema::SchemaError::Json(e.to_string()))?
    else {
        unreachable!("a struct serialises to an object")
    };
    let unsigned = UnsignedCredential::from_document(doc)?;
    let vm = format!("{}#{}", list.issuer.id, authority.public_key_multibase());
    Ok(sign_document(
        unsigned.into_document(),
        authority,
        &vm,
        &format_time(now)?,
    )?)
}

fn read_public_key(base_dir: &Path, spec: &str) -> Result<VerifyingKey, String> {
    if spec.starts_with("z6Mk") {
        return decode_public_key(spec).map_err(|e| e.to_string());
    }
    let path: PathBuf = base_dir.join(spec);
    let pem = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    if pem.contains("PRIVATE KEY") {
        return Err(format!(
            "{} is a private key; give the public key (openssl pkey -pubout)",
            path.display()
        ));
    }
    VerifyingKey::from_public_key_pem(&pem).map_err(|e| format!("{}: {e}", path.display()))
}

/// The SHA-256 fingerprint of the (first) PEM certificate in `path`.
fn seal_fingerprint(path: &Path) -> Result<String, String> {
    use der::Encode;
    let pem = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let cert = x509_cert::Certificate::load_pem_chain(&pem)
        .ok()
        .and_then(|c| c.into_iter().next())
        .ok_or_else(|| format!("{}: not a PEM certificate", path.display()))?;
    let der = cert
        .to_der()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(crate::pki::sha256_fingerprint(&der))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::macros::datetime;

    #[test]
    fn builds_from_a_description_and_signs() {
        let dir = tempfile::tempdir().unwrap();
        let school = KeyPair::from_seed(&[3; 32]);
        std::fs::write(dir.path().join("s.pub.pem"), school.public_key_pem()).unwrap();
        let desc: Description = toml::from_str(&format!(
            r#"
            [authority]
            id = "urn:hocba:authority:test"
            name = "Sở GD&ĐT thử nghiệm"
            [[schools]]
            code = "79000701"
            name = "Trường Tiểu học Lê Văn Tám"
            province = "Thành phố Hồ Chí Minh"
            [[schools.keys]]
            public_key = "s.pub.pem"
            valid_from = "2025-08-01T00:00:00Z"
            status = "active"
            [[schools.keys]]
            public_key = "{}"
            valid_from = "2024-08-01T00:00:00Z"
            valid_until = "2025-08-01T00:00:00Z"
            status = "retired"
            "#,
            KeyPair::from_seed(&[4; 32]).public_key_multibase()
        ))
        .unwrap();
        let now = datetime!(2026-05-20 00:00 UTC);
        let list = build(&desc, dir.path(), 7, now).unwrap();
        let s = list.school("urn:hocba:school:79000701").unwrap();
        assert_eq!(s.verification_methods.len(), 2);
        assert_eq!(
            s.verification_methods[0].public_key_multibase,
            school.public_key_multibase()
        );
        assert_eq!(list.valid_until, datetime!(2026-06-19 00:00 UTC));
        let signed = sign(&list, &KeyPair::from_seed(&[9; 32]), now).unwrap();
        assert_eq!(signed["credentialSubject"]["version"], 7);
        assert!(
            signed["proof"]["verificationMethod"]
                .as_str()
                .unwrap()
                .starts_with("urn:hocba:authority:test#z6Mk")
        );
    }

    #[test]
    fn retired_without_date_and_private_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let k = KeyPair::from_seed(&[5; 32]);
        let desc = |spec: &str, status: &str| -> Description {
            toml::from_str(&format!(
                "[authority]\nid='a'\nname='a'\n[[schools]]\ncode='1'\nname='n'\nprovince='p'\n[[schools.keys]]\npublic_key='{spec}'\nvalid_from='2025-01-01T00:00:00Z'\nstatus='{status}'\n"
            ))
            .unwrap()
        };
        let now = datetime!(2026-01-01 00:00 UTC);
        let e = build(
            &desc(&k.public_key_multibase(), "retired"),
            dir.path(),
            1,
            now,
        )
        .unwrap_err();
        assert!(e.to_string().contains("valid_until"), "{e}");
        k.write_new(&dir.path().join("priv.pem")).unwrap();
        let e = build(&desc("priv.pem", "active"), dir.path(), 1, now).unwrap_err();
        assert!(e.to_string().contains("private key"), "{e}");
        assert!(toml::from_str::<Description>("[authority]\nid='a'\nname='a'\nextra=1\n").is_err());
    }
}
