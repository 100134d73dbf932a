//! `hocba-issuer bundle --out FILE`: write the offline trust bundle — the latest trust list
//! version the authority published (the key directory's `trust-list.json` on a database that
//! holds none yet) and every status list of the schools whose active key is in the key
//! directory, freshly signed. With `--national FILE --from-bundle B…` it writes a national
//! bundle instead (the national list, each given province's trust list and status lists, or
//! only the `--province` codes chosen; `hocba_issuer::app::national`).

use std::path::Path;

use anyhow::{Context, Result};
use hocba_issuer::api::SchoolKeys;
use hocba_issuer::bundle::build_bundle;
use hocba_issuer::status_lists::Publication;
use hocba_issuer::store::Store;
use time::OffsetDateTime;

/// Build the bundle from `database_url` and `keys_dir` and write it to `out`.
pub(crate) fn run(
    database_url: &str,
    keys_dir: &Path,
    public_url: &str,
    out: &Path,
    now: OffsetDateTime,
) -> Result<()> {
    let keys = SchoolKeys::load(keys_dir)
        .with_context(|| format!("loading school keys from {}", keys_dir.display()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let (bytes, stats) = runtime.block_on(async {
        let store = Store::connect(database_url)
            .await
            .context("opening the database")?;
        let built = async {
            hocba_issuer::authority::seed(&store, keys_dir, now)
                .await
                .context("importing the key directory's trust list")?;
            // Sign with the keys active in the latest published version, as `serve` does.
            let trust_list = match hocba_issuer::authority::latest(&store)
                .await
                .context("reading the latest trust list version")?
            {
                Some((version, _)) => {
                    keys.select(version.list_json.as_bytes())
                        .context("choosing the active school keys")?;
                    version.list_json.into_bytes()
                }
                None => keys
                    .trust_list_bytes()
                    .context("the key directory has no trust-list.json")?,
            };
            let signer_for = |code: &str| keys.signer(code, now);
            build_bundle(
                &store,
                &Publication::default(),
                &signer_for,
                public_url,
                &trust_list,
                now,
            )
            .await
            .context("building the bundle")
        }
        .await;
        store.close().await;
        built
    })?;
    let bytes = write_bundle(out, &bytes)?;
    eprintln!(
        "wrote {} ({} bytes): trust list and {} status list(s)",
        out.display(),
        bytes.len(),
        stats.status_lists
    );
    if !stats.skipped_schools.is_empty() {
        eprintln!(
            "warning: no key in {} for school(s) {}: their status lists are not in the bundle",
            keys_dir.display(),
            stats.skipped_schools.join(", ")
        );
    }
    Ok(())
}

/// `bundle --national FILE --from-bundle B… [--province CODE…]`: combine provinces' bundles.
pub(crate) fn run_national(
    national: &Path,
    root_public_key: Option<&Path>,
    from: &[std::path::PathBuf],
    chosen: &[String],
    out: &Path,
    now: OffsetDateTime,
) -> Result<()> {
    let limit = hocba_verifier::bundle::MAX_BUNDLE_BYTES as u64;
    let national_bytes = super::read_capped(national, limit)?;
    let root_path = root_public_key.context("--root-public-key is required with --national")?;
    let root_text = String::from_utf8(super::read_capped(root_path, 64 << 10)?)
        .with_context(|| format!("{} is not text", root_path.display()))?;
    let root = hocba_verifier::TrustedAuthority::from_key_file_text(&root_text)
        .with_context(|| format!("cannot use {} as the root key", root_path.display()))?;
    let mut bundles = Vec::new();
    for path in from {
        let bytes = super::read_capped(path, limit)?;
        let bytes =
            inflate(&bytes, limit).with_context(|| format!("reading {}", path.display()))?;
        bundles.push((path.display().to_string(), bytes));
    }
    let (bytes, stats) = hocba_issuer::app::national::national_bundle(
        &national_bytes,
        &root,
        &bundles,
        chosen,
        now,
    )?;
    let bytes = write_bundle(out, &bytes)?;
    eprintln!(
        "wrote {} ({} bytes): national trust list, province(s) {} and {} status list(s)",
        out.display(),
        bytes.len(),
        stats.provinces.join(", "),
        stats.status_lists
    );
    Ok(())
}

/// Write `bytes` to `out`, gzip-compressed when its name ends in `.gz` (a verifier recognises
/// the compression by its first bytes); the bytes written.
fn write_bundle(out: &Path, bytes: &[u8]) -> Result<Vec<u8>> {
    use std::io::Write as _;
    let written = if out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
    {
        let mut e = flate2::write::GzEncoder::new(
            Vec::with_capacity(bytes.len() / 3),
            flate2::Compression::default(),
        );
        e.write_all(bytes)
            .and_then(|()| e.finish())
            .context("compressing the bundle")?
    } else {
        bytes.to_vec()
    };
    std::fs::write(out, &written).with_context(|| format!("writing {}", out.display()))?;
    Ok(written)
}

/// A province's bundle as JSON: inflated when it is gzip-compressed (at most `limit` bytes).
fn inflate(bytes: &[u8], limit: u64) -> Result<Vec<u8>> {
    use std::io::Read as _;
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes.to_vec());
    }
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .context("inflating the gzip-compressed bundle")?;
    if out.len() as u64 > limit {
        anyhow::bail!("the bundle inflates to more than {limit} bytes");
    }
    Ok(out)
}
