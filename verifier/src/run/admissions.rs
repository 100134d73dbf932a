//! `hocba-verify admissions --scheme FILE --out list.xlsx ITEMS…`: the service's admissions
//! workflow ([`hocba_verifier::service::admissions::score`]) run once on files, offline with
//! a bundle (or online), the ranked table written to a file. Also the admissions
//! configuration of `serve` (`--scheme`, `--portal-token-file`).
//!
//! Candidates come from the file names: a folder given on the command line holds one folder
//! per candidate (its name is the id) or files named `ID_…`; a file given directly is named
//! `ID_…` or sits in a folder named by the id; a ZIP is read as on the page. `--candidates`
//! adds share codes and priority (`id; share codes; area; policy group; bonus`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use anyhow::anyhow;
use hocba_verifier::admissions::{Scheme, export};
use hocba_verifier::online::Clock;
use hocba_verifier::service::admissions::{Config, Redeemer, candidates_from, score, xlsx};
use hocba_verifier::service::{AppState, Judging, Limits};

use super::material::{load_authority, read_capped};
use super::online::wall_clock;
use super::serve::trust_source;
use super::{Failure, Status};
use crate::cli::AdmissionsArgs;

/// Largest file read as a record or ZIP (512 MiB for a ZIP; each PDF inside is bounded).
const MAX_ITEM_BYTES: usize = 512 << 20;
/// Largest scheme, token or candidate-lines file.
const MAX_TEXT_BYTES: usize = 4 << 20;

/// The scheme file, checked (its mistakes named by line).
fn load_scheme(path: &Path) -> Result<Scheme, Failure> {
    let bytes = read_capped(path, MAX_TEXT_BYTES, "scheme").map_err(|e| Failure::new(e, None))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Failure::new(anyhow!("{} is not UTF-8 text", path.display()), None))?;
    Scheme::from_toml(&text).map_err(|e| {
        Failure::new(
            anyhow!("{}: {e}", path.display()),
            Some("fix the scheme file: schema/docs/admissions.md describes every member".into()),
        )
    })
}

/// The portal token, from a file only the owner can read.
fn load_token(path: &Path) -> Result<String, Failure> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            return Err(Failure::new(
                anyhow!("{} can be read by others", path.display()),
                Some(format!("chmod 600 {}", path.display())),
            ));
        }
    }
    let bytes =
        read_capped(path, MAX_TEXT_BYTES, "portal token").map_err(|e| Failure::new(e, None))?;
    let token = String::from_utf8_lossy(&bytes).trim().to_owned();
    if token.is_empty() {
        return Err(Failure::new(anyhow!("{} is empty", path.display()), None));
    }
    Ok(token)
}

/// The admissions configuration of `serve` and `admissions`: the built-in schemes plus
/// `schemes`, and a share-code redeemer when `online` and a token file are given.
pub(super) fn config(
    schemes: &[PathBuf],
    online: Option<&str>,
    token_file: Option<&Path>,
) -> Result<Config, Failure> {
    let mut config = Config::default();
    for path in schemes {
        config = config.with_scheme(load_scheme(path)?);
    }
    if let (Some(url), Some(file)) = (online, token_file) {
        config.redeemer = Some(Arc::new(Redeemer::new(url, &load_token(file)?)));
    }
    Ok(config)
}

/// (candidate id, file name, bytes) of every item on the command line.
fn collect(items: &[PathBuf]) -> Result<Vec<(String, String, Vec<u8>)>, Failure> {
    let mut out = Vec::new();
    let read = |path: &Path| {
        read_capped(path, MAX_ITEM_BYTES, "record").map_err(|e| Failure::new(e, None))
    };
    let name_of = |path: &Path| {
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    for item in items {
        if item.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(item)
                .map_err(|e| Failure::new(anyhow!(e).context(item.display().to_string()), None))?
                .flatten()
                .map(|e| e.path())
                .collect();
            entries.sort();
            for entry in entries {
                if entry.is_dir() {
                    let id = name_of(&entry);
                    let mut files: Vec<PathBuf> = std::fs::read_dir(&entry)
                        .map_err(|e| Failure::new(anyhow!(e), None))?
                        .flatten()
                        .map(|e| e.path())
                        .filter(|p| p.is_file())
                        .collect();
                    files.sort();
                    for f in files {
                        out.push((id.clone(), name_of(&f), read(&f)?));
                    }
                } else {
                    out.push((id_of(&entry), name_of(&entry), read(&entry)?));
                }
            }
        } else {
            out.push((id_of(item), name_of(item), read(item)?));
        }
    }
    Ok(out)
}

/// The candidate id of a file given alone: `ID_…` in its name, else its folder's name.
fn id_of(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match name.split_once('_') {
        Some((id, _)) if !id.is_empty() => id.to_owned(),
        _ => path
            .parent()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or(name),
    }
}

/// `hocba-verify admissions`.
pub(super) fn admissions(args: &AdmissionsArgs) -> ExitCode {
    match run(args) {
        Ok(status) => ExitCode::from(status as u8),
        Err(f) => {
            f.print();
            ExitCode::from(Status::Unchecked as u8)
        }
    }
}

fn run(args: &AdmissionsArgs) -> Result<Status, Failure> {
    let scheme = Arc::new(load_scheme(&args.scheme)?);
    let config = config(
        &[],
        args.online.as_deref(),
        args.portal_token_file.as_deref(),
    )?;
    let lines = match &args.candidates {
        Some(path) => String::from_utf8_lossy(
            &read_capped(path, MAX_TEXT_BYTES, "candidates").map_err(|e| Failure::new(e, None))?,
        )
        .into_owned(),
        None => String::new(),
    };
    let candidates = candidates_from(collect(&args.items)?, &lines)
        .map_err(|(_, en)| Failure::new(anyhow!(en), None))?;
    let authority = load_authority(args.authority.as_deref())?;
    let clock: Clock = match args.at {
        Some(t) => Arc::new(move || t),
        None => wall_clock(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::new(anyhow!(e).context("starting the async runtime"), None))?;
    // One run on the command line: no request limits beyond the readers' own bounds.
    let limits = Limits {
        max_items: usize::MAX,
        work_timeout: StdDuration::from_secs(24 * 3600),
        request_timeout: StdDuration::from_secs(24 * 3600),
        queue_timeout: StdDuration::from_secs(24 * 3600),
        ..Limits::default()
    };
    let scored = runtime.block_on(async {
        let source = trust_source(
            args.bundle.as_deref(),
            args.online.as_deref(),
            &args.cache_dir,
            &authority,
            &clock,
        )
        .await?;
        let state =
            AppState::new(source, clock, &Judging::default(), limits).with_admissions(config);
        score(&state, scheme, candidates)
            .await
            .map_err(|p| Failure::new(anyhow!("{}: {}", p.title, p.detail), None))
    })?;
    let out = &args.out;
    let extension = out
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let bytes = match extension.as_str() {
        "xlsx" => xlsx::to_xlsx(&scored).map_err(|e| Failure::new(anyhow!(e), None))?,
        "csv" => export::to_csv(&scored.candidates),
        "json" => serde_json::to_vec_pretty(&scored).map_err(|e| Failure::new(anyhow!(e), None))?,
        other => {
            return Err(Failure::new(
                anyhow!("--out {}: unknown kind {other:?}", out.display()),
                Some("name the file .xlsx, .csv or .json".into()),
            ));
        }
    };
    std::fs::write(out, bytes).map_err(|e| {
        Failure::new(
            anyhow!(e).context(format!("writing {}", out.display())),
            None,
        )
    })?;
    for a in &scored.candidates {
        match (&a.refusal, a.scores.first()) {
            (None, Some(best)) => println!(
                "{}: {} {} ({})",
                a.id, best.total, best.combination, a.result
            ),
            (Some(r), _) => println!("{}: không xét / refused — {}", a.id, r.en),
            (None, None) => println!("{}: {}", a.id, a.result),
        }
    }
    eprintln!(
        "hocba-verify: {} candidate(s), {} scored, {} refused; table written to {}",
        scored.count,
        scored.scored,
        scored.refused,
        out.display()
    );
    Ok(if scored.refused == 0 {
        Status::Valid
    } else {
        Status::Invalid
    })
}
