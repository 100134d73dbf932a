//! `hocba-issuer national sign`: the root role (the Ministry) signs the national trust list
//! from a description of the provinces (workflow in `hocba_issuer::app::national`).

use std::path::PathBuf;

use anyhow::{Context, Result};
use hocba_issuer::app::national::{build_national_list, next_version, sign_national_list};
use hocba_issuer::keys::KeyPair;
use time::OffsetDateTime;

use super::warn_if_dev;

/// `hocba-issuer national …`.
#[derive(Debug, clap::Args)]
pub(crate) struct NationalCli {
    #[command(subcommand)]
    command: NationalCommand,
}

#[derive(Debug, clap::Subcommand)]
enum NationalCommand {
    /// Sign a new version of the national trust list (every province, its keys and where its
    /// trust list is published) with the root key.
    Sign {
        /// The description of the root and the provinces (TOML).
        #[arg(long)]
        provinces: PathBuf,
        /// The root's private key (PKCS#8 PEM, readable by its owner only).
        #[arg(long)]
        root_key: PathBuf,
        /// Where to write the signed list; its version is the previous file's + 1.
        #[arg(long)]
        out: PathBuf,
    },
}

pub(crate) fn run(cli: NationalCli, now: OffsetDateTime) -> Result<()> {
    match cli.command {
        NationalCommand::Sign {
            provinces,
            root_key,
            out,
        } => {
            let root = KeyPair::load(&root_key)?;
            warn_if_dev(&root);
            let previous = std::fs::read(&out).ok();
            let version = next_version(previous.as_deref());
            let list = build_national_list(&provinces, version, now)?;
            let bytes = sign_national_list(&list, &root, now)?;
            let tmp = out.with_extension("json.tmp");
            std::fs::write(&tmp, &bytes).with_context(|| format!("writing {}", tmp.display()))?;
            std::fs::rename(&tmp, &out).with_context(|| format!("writing {}", out.display()))?;
            eprintln!(
                "wrote {}: national trust list version {version}, {} province(s), root key {}",
                out.display(),
                list.credential_subject.provinces.len(),
                root.public_key_multibase()
            );
            Ok(())
        }
    }
}
