//! One file per `hocba-issuer` subcommand, each a thin layer over the library, plus the file
//! helpers they share.

pub(crate) mod authority;
pub(crate) mod bundle;
pub(crate) mod gen_nation;
pub(crate) mod gen_province;
pub(crate) mod issue;
pub(crate) mod keygen;
pub(crate) mod national;
pub(crate) mod pdf;
pub(crate) mod pki;
pub(crate) mod revoke;
pub(crate) mod serve;
pub(crate) mod sign;
pub(crate) mod token;
pub(crate) mod trust_list;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, anyhow};
use hocba_issuer::app::keyring::{KeyRing, read_authority, read_verified_trust_list};
use hocba_issuer::danger::{DEV_KEY_WARNING, is_dev_key};
use hocba_issuer::error::IssuerError;
use hocba_issuer::keys::source::{DEFAULT_TRUST_DIR, KeySource};
use hocba_issuer::keys::{Ed25519Key, KeyPair};
use hocba_issuer::signing::Signer;
use hocba_issuer::token::{Pkcs11Uri, Token, TokenEd25519Key, is_pkcs11_uri};
use hocba_verifier::VerifiedTrustList;
use time::OffsetDateTime;

use crate::cli::KeyArgs;

/// Records and trust lists larger than this are refused before parsing.
pub(crate) const MAX_INPUT_BYTES: u64 = 1 << 20;

/// Print the development-key warning when `key` is one of the public dev keys.
pub(crate) fn warn_if_dev(key: &KeyPair) {
    if is_dev_key(&key.verifying_key()) {
        eprintln!("{DEV_KEY_WARNING}");
    }
}

/// Read a file of at most `limit` bytes.
pub(crate) fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let len = std::fs::metadata(path)
        .with_context(|| format!("reading {}", path.display()))?
        .len();
    if len > limit {
        return Err(anyhow!(
            "{}: {len} bytes is larger than the {limit}-byte limit",
            path.display()
        ));
    }
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

/// The key material of a signing command: the trust list verified against the authority's
/// key, and the key ring of `--keys` (not read when `--key` overrides it).
pub(crate) struct KeyMaterial {
    pub(crate) trust: VerifiedTrustList,
    pub(crate) ring: Option<KeyRing>,
    /// `--key`, as a signer of the school the trust list registers it for.
    pub(crate) key: Option<Arc<Signer>>,
}

impl KeyMaterial {
    /// Read what `args` name; a `--key` must be usable at `at`.
    pub(crate) fn load(args: &KeyArgs, at: OffsetDateTime) -> Result<Self> {
        // The private keys are read (a token opened) only when no --key overrides them.
        let source = match &args.key {
            Some(_) => None,
            None => Some(KeySource::open(&args.keys, args.trust_dir.as_deref())?),
        };
        let files = match (&source, &args.trust_dir) {
            (Some(source), _) => source.files_dir().to_path_buf(),
            (None, Some(dir)) => dir.clone(),
            (None, None) if is_pkcs11_uri(&args.keys.to_string_lossy()) => {
                PathBuf::from(DEFAULT_TRUST_DIR)
            }
            (None, None) => args.keys.clone(),
        };
        let trust_path = args
            .trust_list
            .clone()
            .unwrap_or_else(|| files.join("trust-list.json"));
        // --authority; else authority.pub.pem beside the keys or beside the trust list; else
        // the built-in development authority (which vouches only for development lists).
        let beside = [
            Some(files.join("authority.pub.pem")),
            trust_path.parent().map(|d| d.join("authority.pub.pem")),
        ];
        let authority = match &args.authority {
            Some(path) => read_authority(path)?,
            None => match beside.into_iter().flatten().find(|p| p.is_file()) {
                Some(path) => read_authority(&path)?,
                None => {
                    eprintln!(
                        "no --authority and no authority.pub.pem beside the keys: checking the \
                         trust list against the built-in DEVELOPMENT authority key"
                    );
                    hocba_verifier::danger::dev_authority()
                        .map_err(|e| anyhow!("the development authority key: {e}"))?
                }
            },
        };
        let trust = read_verified_trust_list(&trust_path, &authority)?;
        let (ring, key) = match (&args.key, source) {
            (Some(path), _) => {
                let key: Arc<dyn Ed25519Key> = match path.to_str().filter(|p| is_pkcs11_uri(p)) {
                    Some(uri) => Arc::new(token_key(uri)?),
                    None => Arc::new(KeyPair::load(path)?),
                };
                if is_dev_key(&key.verifying_key()) {
                    eprintln!("{DEV_KEY_WARNING}");
                }
                let signer = KeyRing::signer_with_key(&trust, key, at)?;
                (None, Some(Arc::new(signer)))
            }
            (None, source) => {
                let source = source.ok_or_else(|| anyhow!("no key: give --keys or --key"))?;
                let ring = KeyRing::from_source(&source)?;
                if ring.uses_dev_keys() {
                    eprintln!("{DEV_KEY_WARNING}");
                }
                (Some(ring), None)
            }
        };
        Ok(Self { trust, ring, key })
    }

    /// The school code the trust list gives `signer`.
    pub(crate) fn school_of(&self, signer: &Signer) -> Option<String> {
        self.trust
            .key(signer.verification_method())
            .map(|(s, _)| s.code.clone())
    }

    /// The signer for `school_code` at `at`: the `--key` override when it is that school's,
    /// or the school's active key from the ring. One error for the school otherwise.
    pub(crate) fn signer_for(&self, school_code: &str, at: OffsetDateTime) -> Result<Arc<Signer>> {
        if let Some(signer) = &self.key {
            let key_school = self.school_of(signer).unwrap_or_default();
            if key_school != school_code {
                return Err(IssuerError::KeyOfAnotherSchool {
                    key_school,
                    record_school: school_code.to_owned(),
                }
                .into());
            }
            return Ok(Arc::clone(signer));
        }
        match &self.ring {
            Some(ring) => Ok(Arc::new(ring.signer_for(&self.trust, school_code, at)?)),
            None => Err(anyhow!("no key: give --keys DIR or --key FILE")),
        }
    }
}

/// `--key 'pkcs11:…;object=<label>'`: the token's Ed25519 key with that label.
fn token_key(uri: &str) -> Result<TokenEd25519Key> {
    let parsed = Pkcs11Uri::parse(uri)?;
    let label = parsed.object.clone().ok_or_else(|| {
        anyhow!("--key {parsed}: say which key with object=<label>, e.g. object=school-79000701")
    })?;
    Ok(TokenEd25519Key::by_label(&Token::open(&parsed)?, &label)?)
}

/// Write `text` to `path`, or to standard output when `path` is `None`.
pub(crate) fn write_out(path: Option<&Path>, text: &str) -> Result<()> {
    match path {
        Some(path) => std::fs::write(path, format!("{text}\n"))
            .with_context(|| format!("writing {}", path.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "{text}")?;
            Ok(())
        }
    }
}
