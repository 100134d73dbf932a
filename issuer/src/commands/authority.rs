//! `hocba-issuer authority …`: the authority's trust-list life cycle from the command line —
//! register a school, add, retire or compromise a key, publish a new signed version. A thin
//! layer over `hocba_issuer::authority`; every action is audited (channel `cli`). On a store
//! with no trust list version yet, the key directory's `trust-list.json` is imported first,
//! as `serve` does.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use hocba_issuer::authority::{self as life, Actor, PublishOptions, SchoolRegistration};
use hocba_issuer::store::Store;
use hocba_schema::credential::parse_time;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::warn_if_dev;

/// Arguments of `hocba-issuer authority`.
#[derive(Debug, Args)]
pub(crate) struct AuthorityCli {
    /// Database (as for `serve`).
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        default_value = "sqlite://./data/hocba.db",
        hide_env_values = true
    )]
    database_url: String,
    /// Key directory: `authority.pem` and the `trust-list.json` imported on first use.
    #[arg(long = "keys", global = true, default_value = "keys/dev")]
    keys: PathBuf,
    #[command(subcommand)]
    action: AuthorityCommand,
}

#[derive(Debug, Subcommand)]
enum AuthorityCommand {
    /// Register a school (issuer id urn:hocba:school:CODE).
    #[command(name = "register-school")]
    RegisterSchool {
        /// MOET school code (mã trường).
        #[arg(long)]
        code: String,
        /// School name.
        #[arg(long)]
        name: String,
        /// Province.
        #[arg(long)]
        province: String,
    },
    /// Add an Ed25519 public key to a school (active from now, or --valid-from).
    #[command(name = "add-key")]
    AddKey {
        /// School code.
        #[arg(long)]
        school: String,
        /// The public key: an SPKI PEM file (`….pub.pem`) or a z6Mk… publicKeyMultibase.
        #[arg(long)]
        public_key: String,
        /// From when its signatures count (RFC 3339; default now).
        #[arg(long)]
        valid_from: Option<String>,
    },
    /// Retire a key (rotation): it signs no more; what it signed before stays valid.
    #[command(name = "retire-key")]
    RetireKey {
        /// School code.
        #[arg(long)]
        school: String,
        /// The key's publicKeyMultibase (z6Mk…).
        #[arg(long)]
        key: String,
        /// Retirement time (RFC 3339; default now).
        #[arg(long)]
        at: Option<String>,
    },
    /// Mark a key compromised: every credential it signed becomes invalid; prints those to
    /// re-issue.
    #[command(name = "compromise-key")]
    CompromiseKey {
        /// School code.
        #[arg(long)]
        school: String,
        /// The key's publicKeyMultibase (z6Mk…).
        #[arg(long)]
        key: String,
        /// Since when it is believed compromised (RFC 3339; default now).
        #[arg(long)]
        since: Option<String>,
    },
    /// Publish a new signed trust list version (signed with KEYS/authority.pem).
    Publish {
        /// Days until the next version is due.
        #[arg(long, default_value_t = life::DEFAULT_NEXT_DUE_DAYS)]
        next_due_days: u32,
        /// Also write the signed list to this file.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn time_arg(flag: &str, value: Option<&str>) -> Result<Option<OffsetDateTime>> {
    value
        .map(|v| parse_time(flag, v).with_context(|| format!("{flag} must be RFC 3339")))
        .transpose()
}

fn show(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// Run `hocba-issuer authority …` at `now`.
pub(crate) fn run(args: AuthorityCli, now: OffsetDateTime) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let store = Store::connect(&args.database_url)
            .await
            .context("opening the database")?;
        let outcome = act(&store, &args.keys, args.action, now).await;
        store.close().await;
        outcome
    })
}

async fn act(
    store: &Store,
    keys: &Path,
    action: AuthorityCommand,
    now: OffsetDateTime,
) -> Result<()> {
    if life::seed(store, keys, now)
        .await
        .with_context(|| format!("importing {}/trust-list.json", keys.display()))?
    {
        eprintln!(
            "imported {}/trust-list.json as the current trust list version",
            keys.display()
        );
    }
    let actor = Actor {
        user_id: None,
        channel: "cli",
        now,
    };
    match action {
        AuthorityCommand::RegisterSchool {
            code,
            name,
            province,
        } => {
            let school = life::register_school(
                store,
                &SchoolRegistration {
                    code,
                    name,
                    province,
                },
                actor,
            )
            .await?;
            println!("{}", school.issuer_id);
            eprintln!(
                "registered school {} ({}, {}); it enters the trust list at the next publish",
                school.code, school.name, school.province
            );
        }
        AuthorityCommand::AddKey {
            school,
            public_key,
            valid_from,
        } => {
            let text = if public_key.starts_with("z6Mk") {
                public_key
            } else {
                String::from_utf8(super::read_capped(Path::new(&public_key), 64 << 10)?)
                    .with_context(|| format!("{public_key} is not text"))?
            };
            let valid_from = time_arg("--valid-from", valid_from.as_deref())?;
            let key = life::add_key(store, &school, &text, valid_from, actor).await?;
            println!("{}", key.public_key_multibase);
            eprintln!(
                "added key {} to school {school}, valid from {}; active at the next publish",
                key.public_key_multibase,
                show(key.valid_from)
            );
        }
        AuthorityCommand::RetireKey { school, key, at } => {
            let at = time_arg("--at", at.as_deref())?;
            let key = life::retire_key(store, &school, &key, at, actor).await?;
            eprintln!(
                "retired key {} of school {school} at {}; signatures made before stay valid \
                 (effective at the next publish)",
                key.public_key_multibase,
                key.retired_at.map(show).unwrap_or_default()
            );
        }
        AuthorityCommand::CompromiseKey { school, key, since } => {
            let since = time_arg("--since", since.as_deref())?;
            let (key, affected) = life::compromise_key(store, &school, &key, since, actor).await?;
            eprintln!(
                "key {} of school {school} marked compromised; {} credential(s) to re-issue \
                 (invalid from the next publish):",
                key.public_key_multibase,
                affected.len()
            );
            println!("credential_id\trecord_id\tpupil_key\tpupil_name\tschool_year\tclass");
            for c in affected {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    c.credential_id,
                    c.record_id,
                    c.pupil_key,
                    c.pupil_name,
                    c.school_year,
                    c.class_name
                );
            }
        }
        AuthorityCommand::Publish { next_due_days, out } => {
            let key = life::load_authority_key(keys)?;
            warn_if_dev(&key);
            let version = life::publish(
                store,
                &PublishOptions {
                    key: &key,
                    next_due_days,
                    authority: None,
                },
                actor,
            )
            .await?;
            if let Some(out) = out {
                std::fs::write(&out, format!("{}\n", version.list_json))
                    .with_context(|| format!("writing {}", out.display()))?;
            }
            println!("{}", version.version);
            eprintln!(
                "published trust list version {} made {}, next due {} (sha256 {})",
                version.version,
                show(version.made_at),
                show(version.next_due),
                version.sha256
            );
        }
    }
    Ok(())
}
