//! A synthetic nation for the federation's measurements and tests: a root, `provinces`
//! provinces and `schools` schools spread over them, each school with its own key (in its
//! province's signed trust list) and one signed revocation status list of
//! [`MIN_ENTRIES`] entries with a few indices revoked — what `hocba-issuer bundle --national`
//! packs, as `hocba-issuer gen-nation` writes it.
//!
//! Deterministic: every key is derived from the seed and the party's number (SHA-256), so the
//! same seed gives the same nation and a test can sign a credential of any school
//! ([`NationSpec::school_key`]). The derived keys are public knowledge and are never written:
//! nothing here is real, and nothing it signs may be trusted outside a measurement.
//!
//! Layout, for a base URL `B`: province `p` (code `10 + p`, two digits) publishes under
//! `B/p{code}` (its trust list at `B/p{code}/.well-known/hocba/trust-list.json`); school `s`
//! belongs to province `s mod provinces`, has code `{province code}{s:06}` and its status list
//! at `B/p{code}/status/{school code}/1`.

use hocba_schema::credential::{IssuerRef, UnsignedCredential, format_time};
use hocba_schema::multikey::encode_public_key;
use hocba_schema::national_trust_list::{
    NationalTrustList, NationalTrustListBody, TrustedProvince, province_id,
};
use hocba_schema::publication::{BUNDLE_TYPE, TRUST_LIST_PATH, status_list_url};
use hocba_schema::status_list::{Bitstring, MIN_ENTRIES, StatusListCredential};
use hocba_schema::trust_list::{KeyStatus, TrustList, TrustListBody, TrustedKey, TrustedSchool};
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::app::national::sign_national_list;
use crate::error::IssuerError;
use crate::keys::KeyPair;
use crate::signing::sign_document;
use crate::trust_list::{school_issuer_id, sign};

/// What nation to make.
#[derive(Debug, Clone)]
pub struct NationSpec {
    /// Number of provinces (at most 89: codes are two digits from 10).
    pub provinces: usize,
    /// Number of schools, spread over the provinces in turn.
    pub schools: usize,
    /// Revoked indices per status list.
    pub revoked_per_list: usize,
    /// Seed of every key.
    pub seed: u64,
    /// Base URL the provinces publish under.
    pub base_url: String,
    /// When everything is signed (lists are valid 30 days from then, status lists 14).
    pub made: OffsetDateTime,
}

/// Most provinces a spec may name (two-digit codes from 10).
pub const MAX_PROVINCES: usize = 89;

/// One province's signed material.
#[derive(Debug, Clone)]
pub struct SyntheticProvince {
    /// Its code.
    pub code: String,
    /// Its signed trust list (compact JSON).
    pub trust_list: Vec<u8>,
    /// Its schools' signed status lists (compact JSON).
    pub status_lists: Vec<Vec<u8>>,
}

impl SyntheticProvince {
    /// The province's own bundle, as `hocba-issuer bundle` writes one (what
    /// `bundle --national --from-bundle` takes).
    pub fn bundle(&self, made: OffsetDateTime) -> Result<Vec<u8>, IssuerError> {
        let mut out = Vec::with_capacity(
            self.trust_list.len() + self.status_lists.iter().map(Vec::len).sum::<usize>() + 256,
        );
        out.extend_from_slice(
            format!(
                r#"{{"type":"{BUNDLE_TYPE}","createdAt":"{}","trustList":"#,
                format_time(made)?
            )
            .as_bytes(),
        );
        out.extend_from_slice(&self.trust_list);
        out.extend_from_slice(br#","statusLists":["#);
        for (i, list) in self.status_lists.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(list);
        }
        out.extend_from_slice(b"]}");
        Ok(out)
    }
}

/// A synthetic nation: the root's key, the signed national list and each province.
#[derive(Debug)]
pub struct Nation {
    /// The root key (derived from the seed: public knowledge).
    pub root: KeyPair,
    /// The signed national trust list.
    pub national: Vec<u8>,
    /// The provinces, in code order.
    pub provinces: Vec<SyntheticProvince>,
}

impl NationSpec {
    fn key(&self, what: &str) -> KeyPair {
        let seed: [u8; 32] =
            Sha256::digest(format!("hocba synthetic nation {} {what}", self.seed)).into();
        KeyPair::from_seed(&seed)
    }

    /// Code of province `p`.
    pub fn province_code(&self, p: usize) -> String {
        format!("{:02}", 10 + p)
    }

    /// Base URL of province `p`.
    pub fn province_base(&self, p: usize) -> String {
        format!(
            "{}/p{}",
            self.base_url.trim_end_matches('/'),
            self.province_code(p)
        )
    }

    /// Province of school `s`.
    pub fn province_of(&self, s: usize) -> usize {
        s % self.provinces.max(1)
    }

    /// Code of school `s`.
    pub fn school_code(&self, s: usize) -> String {
        format!("{}{s:06}", self.province_code(self.province_of(s)))
    }

    /// Name of school `s`.
    pub fn school_name(&self, s: usize) -> String {
        format!("Trường THCS số {s}")
    }

    /// URL of school `s`'s status list.
    pub fn status_list_url(&self, s: usize) -> String {
        status_list_url(
            &self.province_base(self.province_of(s)),
            &self.school_code(s),
            "1",
        )
    }

    /// The key of school `s` (to sign credentials of it in a test or a measurement).
    pub fn school_key(&self, s: usize) -> KeyPair {
        self.key(&format!("school {s}"))
    }

    /// The key of province `p`.
    pub fn province_key(&self, p: usize) -> KeyPair {
        self.key(&format!("province {p}"))
    }

    /// The root key.
    pub fn root_key(&self) -> KeyPair {
        self.key("root")
    }

    /// Revoked indices of school `s`'s list (spread, never index 0..100, which tests use
    /// for credentials that are not revoked).
    pub fn revoked(&self, s: usize) -> Vec<usize> {
        (0..self.revoked_per_list)
            .map(|k| 100 + (k * 26_119 + s * 7_919) % (MIN_ENTRIES - 100))
            .collect()
    }
}

fn key_entry(controller: &str, key: &KeyPair, valid_from: OffsetDateTime) -> TrustedKey {
    let multibase = encode_public_key(&key.verifying_key());
    TrustedKey {
        id: format!("{controller}#{multibase}"),
        kind: "Multikey".into(),
        controller: controller.into(),
        public_key_multibase: multibase,
        valid_from,
        valid_until: None,
        status: KeyStatus::Active,
    }
}

fn compact(doc: serde_json::Map<String, Value>) -> Result<Vec<u8>, IssuerError> {
    serde_json::to_vec(&Value::Object(doc))
        .map_err(|e| hocba_schema::SchemaError::Json(e.to_string()).into())
}

fn status_list(spec: &NationSpec, s: usize, created: &str) -> Result<Vec<u8>, IssuerError> {
    let code = spec.school_code(s);
    let id = school_issuer_id(&code);
    let key = spec.school_key(s);
    let mut bits = Bitstring::new(MIN_ENTRIES);
    for i in spec.revoked(s) {
        bits.set(i, true);
    }
    let list = StatusListCredential::revocation(
        &spec.status_list_url(s),
        IssuerRef {
            id: id.clone(),
            name: spec.school_name(s),
        },
        spec.made,
        spec.made + Duration::days(14),
        &bits,
    );
    let Value::Object(doc) =
        serde_json::to_value(&list).map_err(|e| hocba_schema::SchemaError::Json(e.to_string()))?
    else {
        return Err(hocba_schema::SchemaError::Json("not an object".into()).into());
    };
    let doc = UnsignedCredential::from_document(doc)?.into_document();
    let vm = format!("{id}#{}", key.public_key_multibase());
    compact(sign_document(doc, &key, &vm, created)?)
}

/// Make the nation `spec` describes (`each` is told each province as it is done).
pub fn nation(spec: &NationSpec, mut each: impl FnMut(&str)) -> Result<Nation, IssuerError> {
    if spec.provinces == 0 || spec.provinces > MAX_PROVINCES {
        return Err(IssuerError::Description {
            path: "gen-nation".into(),
            problem: format!(
                "provinces must be 1..={MAX_PROVINCES}, found {}",
                spec.provinces
            ),
        });
    }
    let made = spec.made.replace_nanosecond(0).unwrap_or(spec.made);
    let created = format_time(made)?;
    let key_from = made - Duration::days(300);
    let root = spec.root_key();
    let mut provinces = Vec::with_capacity(spec.provinces);
    let mut entries = Vec::with_capacity(spec.provinces);
    for p in 0..spec.provinces {
        let code = spec.province_code(p);
        let id = province_id(&code);
        let key = spec.province_key(p);
        let name = format!("Sở GD&ĐT tỉnh {code} (tổng hợp)");
        let mut schools = Vec::new();
        let mut status_lists = Vec::new();
        for s in (p..spec.schools).step_by(spec.provinces) {
            let school_code = spec.school_code(s);
            let school_id = school_issuer_id(&school_code);
            schools.push(TrustedSchool {
                verification_methods: vec![key_entry(&school_id, &spec.school_key(s), key_from)],
                id: school_id,
                code: school_code,
                name: spec.school_name(s),
                province: name.clone(),
                seal_certificate_sha256: None,
            });
            status_lists.push(status_list(spec, s, &created)?);
        }
        let list = TrustList::new(
            format!("urn:uuid:00000000-0000-4000-8000-{:012}", 1 + p),
            IssuerRef {
                id: id.clone(),
                name: name.clone(),
            },
            made,
            made + Duration::days(30),
            TrustListBody {
                version: 1,
                schools,
            },
        );
        provinces.push(SyntheticProvince {
            code: code.clone(),
            trust_list: compact(sign(&list, &key, made)?)?,
            status_lists,
        });
        entries.push(TrustedProvince {
            verification_methods: vec![key_entry(&id, &key, key_from)],
            id,
            code: code.clone(),
            name,
            school_code_prefixes: Vec::new(),
            trust_list: format!("{}{TRUST_LIST_PATH}", spec.province_base(p)),
        });
        each(&code);
    }
    let list = NationalTrustList::new(
        "urn:uuid:00000000-0000-4000-8000-000000000000".into(),
        IssuerRef {
            id: "urn:hocba:root:synthetic".into(),
            name: "Bộ Giáo dục và Đào tạo (tổng hợp)".into(),
        },
        made,
        made + Duration::days(30),
        NationalTrustListBody {
            version: 1,
            provinces: entries,
        },
    );
    let national = sign_national_list(&list, &root, made)?;
    Ok(Nation {
        root,
        national,
        provinces,
    })
}
