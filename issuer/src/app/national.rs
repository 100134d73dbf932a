//! The root role (the Ministry, Bộ GD&ĐT) of the trust federation: sign the national trust
//! list from a plain description of the provinces, and make national bundles (every province,
//! or the ones chosen) from the provinces' own bundles.
//!
//! The root key signs rarely (when a province joins, rotates or loses a key) and vouches for
//! everything below it, so it is kept off-line: the national list is signed by the command
//! `hocba-issuer national sign` on the Ministry's machine and the signed file is handed to
//! whoever publishes it — `hocba-issuer serve` serves the key directory's
//! `national-trust-list.json` at `/.well-known/hocba/national-trust-list.json`. Each province
//! runs its issuer as today, with its authority id `urn:hocba:province:<code>` and a key the
//! national list names; `hocba-issuer bundle` there writes the province's bundle, and
//! `hocba-issuer bundle --national …` combines such bundles into a national one.
//!
//! The description (TOML, paths relative to it):
//!
//! ```toml
//! [root]
//! id = "urn:hocba:root:moet"
//! name = "Bộ Giáo dục và Đào tạo"
//! next_update_days = 30                      # optional, default 30
//!
//! [[provinces]]
//! code = "79"
//! name = "Sở GD&ĐT Thành phố Hồ Chí Minh"
//! school_code_prefixes = ["79", "74", "77"]  # optional, default [code]
//! trust_list = "https://hcm.hocba.example/.well-known/hocba/trust-list.json"
//!
//! [[provinces.keys]]
//! public_key = "province-79.pub.pem"         # SPKI PEM (relative) or z6Mk…
//! valid_from = "2025-07-01T00:00:00Z"
//! status = "active"                          # active | retired | compromised
//! # valid_until = "…"                        # retirement time, or the compromise time
//! ```

use std::collections::HashSet;
use std::path::Path;

use ed25519_dalek::VerifyingKey;
use ed25519_dalek::pkcs8::DecodePublicKey;
use hocba_schema::credential::{IssuerRef, UnsignedCredential, format_time, parse_time};
use hocba_schema::multikey::{decode_public_key, encode_public_key};
use hocba_schema::national_trust_list::{
    NationalTrustList, NationalTrustListBody, TrustedProvince, province_id,
};
use hocba_schema::publication::BUNDLE_TYPE;
use hocba_schema::trust_list::TrustedKey;
use hocba_verifier::TrustedAuthority;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use time::{Duration, OffsetDateTime};

use crate::error::IssuerError;
use crate::keys::KeyPair;
use crate::signing::sign_document;
use crate::trust_list::KeyDescription;

/// The plain description of the root and its provinces.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NationalDescription {
    /// Who signs the list.
    pub root: RootDescription,
    /// The provinces.
    #[serde(default)]
    pub provinces: Vec<ProvinceDescription>,
}

/// The root block.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RootDescription {
    /// Issuer id of the root.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Days until the next version is due (default 30).
    #[serde(default)]
    pub next_update_days: Option<u32>,
}

/// One province.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvinceDescription {
    /// Mã Sở GD&ĐT.
    pub code: String,
    /// Name.
    pub name: String,
    /// School-code prefixes it answers for (default: its code).
    #[serde(default)]
    pub school_code_prefixes: Vec<String>,
    /// Where its trust list is published.
    pub trust_list: String,
    /// Its keys.
    #[serde(default)]
    pub keys: Vec<KeyDescription>,
}

fn bad(path: &Path, problem: impl Into<String>) -> IssuerError {
    IssuerError::Description {
        path: path.to_owned(),
        problem: problem.into(),
    }
}

/// Read a description file and build version `version` of the national list at `now`.
pub fn build_national_list(
    path: &Path,
    version: u64,
    now: OffsetDateTime,
) -> Result<NationalTrustList, IssuerError> {
    let text = std::fs::read_to_string(path).map_err(|source| IssuerError::Io {
        path: path.to_owned(),
        source,
    })?;
    let desc: NationalDescription = toml::from_str(&text).map_err(|e| bad(path, e.to_string()))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut codes = HashSet::new();
    let mut owners: HashSet<String> = HashSet::new();
    let mut provinces = Vec::new();
    for (i, p) in desc.provinces.iter().enumerate() {
        let at = format!("provinces[{i}] ({})", p.code);
        if p.code.is_empty() || !p.code.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad(
                path,
                format!(
                    "{at}: code must be the Department's digits, found {:?}",
                    p.code
                ),
            ));
        }
        if !codes.insert(p.code.clone()) {
            return Err(bad(path, format!("{at}: code {} is listed twice", p.code)));
        }
        if !p
            .trust_list
            .ends_with(hocba_schema::publication::TRUST_LIST_PATH)
        {
            return Err(bad(
                path,
                format!(
                    "{at}: trust_list must be the province's {{base}}{} URL, found {:?}",
                    hocba_schema::publication::TRUST_LIST_PATH,
                    p.trust_list
                ),
            ));
        }
        let id = province_id(&p.code);
        let mut keys = Vec::new();
        for (j, k) in p.keys.iter().enumerate() {
            let at = format!("{at}.keys[{j}]");
            let key = read_public_key(base, &k.public_key)
                .map_err(|e| bad(path, format!("{at}: {e}")))?;
            let multibase = encode_public_key(&key);
            if !owners.insert(multibase.clone()) {
                return Err(bad(
                    path,
                    format!(
                        "{at}: key {multibase} is listed twice (a key belongs to one province)"
                    ),
                ));
            }
            let valid_from = parse_time("valid_from", &k.valid_from)?;
            let valid_until = k
                .valid_until
                .as_deref()
                .map(|t| parse_time("valid_until", t))
                .transpose()?;
            keys.push(TrustedKey {
                id: format!("{id}#{multibase}"),
                kind: "Multikey".into(),
                controller: id.clone(),
                public_key_multibase: multibase,
                valid_from,
                valid_until,
                status: k.status,
            });
        }
        provinces.push(TrustedProvince {
            id,
            code: p.code.clone(),
            name: p.name.clone(),
            school_code_prefixes: p.school_code_prefixes.clone(),
            trust_list: p.trust_list.clone(),
            verification_methods: keys,
        });
    }
    let days = desc.root.next_update_days.unwrap_or(30);
    let now = now.replace_nanosecond(0).unwrap_or(now);
    Ok(NationalTrustList::new(
        format!("urn:uuid:{}", uuid::Uuid::new_v4()),
        IssuerRef {
            id: desc.root.id,
            name: desc.root.name,
        },
        now,
        now + Duration::days(i64::from(days)),
        NationalTrustListBody { version, provinces },
    ))
}

/// Sign the national list with the root key (verification method `<root id>#<key>`).
pub fn sign_national_list(
    list: &NationalTrustList,
    root: &KeyPair,
    now: OffsetDateTime,
) -> Result<Vec<u8>, IssuerError> {
    let Value::Object(doc) =
        serde_json::to_value(list).map_err(|e| hocba_schema::SchemaError::Json(e.to_string()))?
    else {
        return Err(hocba_schema::SchemaError::Json("not an object".into()).into());
    };
    let unsigned = UnsignedCredential::from_document(doc)?;
    let vm = format!("{}#{}", list.issuer.id, root.public_key_multibase());
    let signed = sign_document(unsigned.into_document(), root, &vm, &format_time(now)?)?;
    let mut bytes = serde_json::to_vec_pretty(&Value::Object(signed))
        .map_err(|e| hocba_schema::SchemaError::Json(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The version after the one in `previous` (a national list file), or 1.
pub fn next_version(previous: Option<&[u8]>) -> u64 {
    previous
        .and_then(|b| serde_json::from_slice::<Value>(b).ok())
        .and_then(|v| v.pointer("/credentialSubject/version")?.as_u64())
        .map_or(1, |v| v + 1)
}

/// What went into a national bundle.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NationalBundleStats {
    /// Province codes included, in order.
    pub provinces: Vec<String>,
    /// Status lists included.
    pub status_lists: usize,
}

/// Combine provincial bundles (as `hocba-issuer bundle` writes them) into one bundle under the
/// national list: each province's trust list is checked against the national list (verified
/// with `root`) before it goes in, so a bundle never carries a list verifiers would refuse.
/// `chosen`: only these province codes (all given bundles when empty).
pub fn national_bundle(
    national: &[u8],
    root: &TrustedAuthority,
    province_bundles: &[(String, Vec<u8>)],
    chosen: &[String],
    now: OffsetDateTime,
) -> Result<(Vec<u8>, NationalBundleStats), IssuerError> {
    let fail = |what: &str, problem: String| IssuerError::Description {
        path: what.into(),
        problem,
    };
    let verified = root
        .verify_national_list(national)
        .map_err(|e| fail("national trust list", e.to_string()))?;
    let national_value: Value =
        serde_json::from_slice(national).map_err(|e| fail("national trust list", e.to_string()))?;
    let mut stats = NationalBundleStats::default();
    let mut trust_lists = Vec::new();
    let mut status_lists = Vec::new();
    for (name, bytes) in province_bundles {
        let mut bundle: Map<String, Value> =
            serde_json::from_slice(bytes).map_err(|e| fail(name, format!("not a bundle: {e}")))?;
        let trust = bundle
            .remove("trustList")
            .ok_or_else(|| fail(name, "has no trustList (give a province's bundle)".into()))?;
        let trust_bytes = serde_json::to_vec(&trust).map_err(|e| fail(name, e.to_string()))?;
        let issuer = trust
            .pointer("/issuer/id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(province) = verified.list().province_by_id(issuer) else {
            return Err(fail(
                name,
                format!(
                    "its trust list is issued by {issuer:?}, not a province of national list version {}",
                    verified.version()
                ),
            ));
        };
        if !chosen.is_empty() && !chosen.contains(&province.code) {
            continue;
        }
        if stats.provinces.contains(&province.code) {
            return Err(fail(
                name,
                format!("a second bundle of province {}", province.code),
            ));
        }
        verified
            .verify_provincial(&trust_bytes)
            .map_err(|e| fail(name, format!("province {}: {e}", province.code)))?;
        stats.provinces.push(province.code.clone());
        trust_lists.push(trust);
        if let Some(Value::Array(lists)) = bundle.remove("statusLists") {
            status_lists.extend(lists);
        }
    }
    for code in chosen {
        if !stats.provinces.contains(code) {
            return Err(fail(
                "--province",
                format!("no bundle of province {code} was given"),
            ));
        }
    }
    stats.status_lists = status_lists.len();
    let doc = json!({
        "type": BUNDLE_TYPE,
        "createdAt": format_time(now)?,
        "nationalTrustList": national_value,
        "provincialTrustLists": trust_lists,
        "statusLists": status_lists,
    });
    let bytes = serde_json::to_vec(&doc).map_err(|e| fail("bundle", e.to_string()))?;
    Ok((bytes, stats))
}

/// An SPKI PEM file (relative to `base`) or a `z6Mk…` publicKeyMultibase.
fn read_public_key(base: &Path, spec: &str) -> Result<VerifyingKey, String> {
    if spec.starts_with("z6Mk") {
        return decode_public_key(spec).map_err(|e| e.to_string());
    }
    let path = base.join(spec);
    let pem = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    if pem.contains("PRIVATE KEY") {
        return Err(format!(
            "{} is a private key; give the public key (openssl pkey -pubout)",
            path.display()
        ));
    }
    VerifyingKey::from_public_key_pem(&pem).map_err(|e| format!("{}: {e}", path.display()))
}
