//! Trust material for checking files: the authority key, the trust list, status lists, the
//! offline bundle, and what this verifier remembers of them (`seen.json`).

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, anyhow, bail};
use hocba_verifier::bundle::{MAX_BUNDLE_BYTES, TrustBundle};
use hocba_verifier::danger::{DEV_TRUST_LIST_JSON, dev_authority};
use hocba_verifier::seen::{SEEN_FILE, SeenMaterial};
use hocba_verifier::status::{MAX_STATUS_LIST_BYTES, StatusLists};
use hocba_verifier::{MAX_TRUST_LIST_BYTES, TrustedAuthority, VerifiedTrustList, VerifyError};
use serde_json::Value;
use time::{Duration, OffsetDateTime};

use super::{Failure, MAX_KEY_FILE_BYTES, Trust};
use crate::cli::Cli;

pub(super) fn load_authority(path: Option<&Path>) -> Result<TrustedAuthority, Failure> {
    let Some(path) = path else {
        eprintln!(
            "hocba-verify: WARNING: no --authority given: using the built-in DEVELOPMENT authority \
             key. It is public; what it vouches for is not a real record.\n\
             hocba-verify: CẢNH BÁO: không có --authority: đang dùng khóa PHÁT TRIỂN có sẵn. \
             Khóa này công khai; hồ sơ được nó xác nhận không phải hồ sơ thật."
        );
        return dev_authority().map_err(|e| Failure::new(anyhow!(e), None));
    };
    let hint = || {
        Some(
            "--authority takes the authority's public key: an SPKI PEM (openssl pkey -pubout) \
             or a file containing its z6Mk… publicKeyMultibase"
                .to_owned(),
        )
    };
    let bytes = read_capped(path, MAX_KEY_FILE_BYTES, "authority key")
        .map_err(|e| Failure::new(e, hint()))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Failure::new(
            anyhow!("the authority key {} is not UTF-8 text", path.display()),
            hint(),
        )
    })?;
    TrustedAuthority::from_key_file_text(&text).map_err(|e| {
        Failure::new(
            anyhow!(e).context(format!(
                "cannot use {} as the authority key",
                path.display()
            )),
            hint(),
        )
    })
}

/// Where the trust list is looked for when `--trust-list` is not given (the repository's
/// development list, relative to the working directory).
const DEFAULT_TRUST_LIST: &str = "keys/dev/trust-list.json";

/// The trust list of `--trust-list`; without it, [`DEFAULT_TRUST_LIST`] when that file exists,
/// else the development trust list built into the binary when the authority is the built-in
/// development key (so `hocba-verify FILE` works from any directory), else an error naming
/// the ways to give trust material.
pub(super) fn load_trust_list(cli: &Cli, authority: &TrustedAuthority) -> Result<Trust, Failure> {
    let default_path = Path::new(DEFAULT_TRUST_LIST);
    let path = match &cli.trust_list {
        Some(path) => Some(path.as_path()),
        None if default_path.is_file() => Some(default_path),
        None => None,
    };
    let Some(path) = path else {
        if cli.authority.is_some() {
            return Err(Failure::new(
                anyhow!("no trust material: the authority's trust list was not given"),
                Some(
                    "give --bundle FILE (offline, with revocation), --online URL (the issuer's \
                     address) or --trust-list FILE / hãy dùng --bundle, --online hoặc --trust-list"
                        .into(),
                ),
            ));
        }
        eprintln!(
            "hocba-verify: no --trust-list, --bundle or --online: using the built-in DEVELOPMENT \
             trust list (keys/dev/trust-list.json as built)"
        );
        return match authority.verify_trust_list(DEV_TRUST_LIST_JSON.as_bytes()) {
            Ok(list) => Ok(Trust::Verified(Arc::new(list))),
            Err(e) => Err(Failure::new(
                anyhow!(e).context("the built-in development trust list"),
                None,
            )),
        };
    };
    let bytes = read_capped(path, MAX_TRUST_LIST_BYTES, "trust list").map_err(|e| {
        Failure::new(
            e,
            Some(
                "give the authority's signed trust list with --trust-list FILE \
                 (development: `hocba-issuer trust-list` writes keys/dev/trust-list.json)"
                    .into(),
            ),
        )
    })?;
    match authority.verify_trust_list(&bytes) {
        Ok(list) => Ok(Trust::Verified(Arc::new(list))),
        Err(e) if e.trust_list_rejection().is_some() => {
            eprintln!(
                "hocba-verify: the trust list {} is not vouched for by the authority key {}: {e}",
                path.display(),
                authority.public_key_multibase()
            );
            Ok(Trust::Rejected(e))
        }
        Err(e) => Err(Failure::new(
            anyhow!(e).context(format!("cannot read the trust list {}", path.display())),
            None,
        )),
    }
}

/// Status list files, each under its own `id` (the URL credentials name).
pub(super) fn load_status_lists(paths: &[PathBuf]) -> Result<StatusLists, Failure> {
    let mut lists = StatusLists::new();
    for path in paths {
        let bytes = read_capped(path, MAX_STATUS_LIST_BYTES, "status list")
            .map_err(|e| Failure::new(e, None))?;
        let id = serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|v| v.get("id")?.as_str().map(str::to_owned))
            .ok_or_else(|| {
                Failure::new(
                    anyhow!(
                        "{} is not a status list credential with an id",
                        path.display()
                    ),
                    Some(
                        "give the JSON served at the credential's statusListCredential URL".into(),
                    ),
                )
            })?;
        lists.insert(id, bytes);
    }
    Ok(lists)
}

/// What the report says about the offline bundle used.
pub(super) struct BundleInfo {
    pub(super) created_at: OffsetDateTime,
    pub(super) age: Duration,
    pub(super) status_lists: usize,
}

/// `3 days 4 h`, `5 h 10 min`, `42 min`.
pub(super) fn show_age(age: Duration) -> String {
    let (days, hours, minutes) = (
        age.whole_days(),
        age.whole_hours() % 24,
        age.whole_minutes() % 60,
    );
    if days != 0 {
        format!("{days} days {hours} h")
    } else if hours != 0 {
        format!("{hours} h {minutes} min")
    } else {
        format!("{minutes} min")
    }
}

/// Read and open the bundle: `Ok(Err(_))` when its trust list is not vouched for (shown as a
/// not-valid verdict, like a rejected --trust-list).
pub(super) fn load_bundle(
    path: &Path,
    authority: &TrustedAuthority,
) -> Result<Result<TrustBundle, VerifyError>, Failure> {
    let hint = || {
        Some(
            "give the file written by `hocba-issuer bundle --out FILE` or downloaded from              /api/v1/bundle"
                .to_owned(),
        )
    };
    let bytes =
        read_capped(path, MAX_BUNDLE_BYTES, "trust bundle").map_err(|e| Failure::new(e, hint()))?;
    match TrustBundle::open(&bytes, authority) {
        Ok(bundle) => Ok(Ok(bundle)),
        Err(e) if e.trust_list_rejection().is_some() => {
            eprintln!(
                "hocba-verify: the trust list in {} is not vouched for by the authority key {}: {e}",
                path.display(),
                authority.public_key_multibase()
            );
            Ok(Err(e))
        }
        Err(e) => Err(Failure::new(
            anyhow!(e).context(format!("cannot read the trust bundle {}", path.display())),
            hint(),
        )),
    }
}

/// Read at most `limit` bytes of `path` (`-` = standard input); larger input is an error named
/// with its size, found before reading it all.
pub(super) fn read_capped(path: &Path, limit: usize, what: &str) -> anyhow::Result<Vec<u8>> {
    let too_large = |size: String| {
        anyhow!(
            "the {what} {} is {size} bytes; the limit is {limit} bytes",
            path.display()
        )
    };
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        io::stdin()
            .lock()
            .take(cap)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read the {what} from standard input"))?;
    } else {
        let file = File::open(path)
            .with_context(|| format!("cannot open the {what} {}", path.display()))?;
        let size = file
            .metadata()
            .with_context(|| format!("cannot read the {what} {}", path.display()))?
            .len();
        if size > cap - 1 {
            return Err(too_large(size.to_string()));
        }
        file.take(cap)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read the {what} {}", path.display()))?;
    }
    if bytes.len() > limit {
        bail!(too_large(format!("more than {limit}")));
    }
    Ok(bytes)
}

/// What this verifier remembers of the trust material it verified ([`SeenMaterial`]), kept
/// as `seen.json` in the cache directory.
pub(super) struct SeenFile {
    path: PathBuf,
    pub(super) state: SeenMaterial,
}

impl SeenFile {
    /// Read `{cache_dir}/seen.json`; a missing file is a fresh start; an unreadable one is
    /// reported and replaced when next written (it holds no secret and only makes the
    /// verifier stricter).
    pub(super) fn open(cache_dir: &Path) -> Self {
        let path = cache_dir.join(SEEN_FILE);
        let state = match std::fs::read(&path) {
            Ok(bytes) => SeenMaterial::from_json(&bytes).unwrap_or_else(|e| {
                eprintln!(
                    "hocba-verify: WARNING: {} cannot be read ({e}); starting afresh",
                    path.display()
                );
                SeenMaterial::new()
            }),
            Err(_) => SeenMaterial::new(),
        };
        Self { path, state }
    }

    /// Refuse a trust list older than one seen; a failure says what to do.
    pub(super) fn check(&self, trust: &VerifiedTrustList) -> Result<(), Failure> {
        self.state.check(trust).map_err(|e| {
            Failure::new(
                anyhow!(e),
                Some(format!(
                    "this verifier has seen a newer version (remembered in {}); give the current \
                     --bundle or use --online",
                    self.path.display()
                )),
            )
        })
    }

    /// Remember `trust` and the lists that verify against it; write when something rose. A
    /// write failure is a warning (the check itself was made).
    pub(super) fn record(&mut self, trust: &VerifiedTrustList, lists: Option<&StatusLists>) {
        if !self.state.record(trust, lists) {
            return;
        }
        let written = self
            .path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| {
                let tmp = self.path.with_extension("json.tmp");
                std::fs::write(&tmp, self.state.to_json())?;
                std::fs::rename(&tmp, &self.path)
            });
        if let Err(e) = written {
            eprintln!(
                "hocba-verify: WARNING: cannot write {}: {e}",
                self.path.display()
            );
        }
    }
}
