//! `hocba-issuer`: the command-line face of the issuer library. Each subcommand lives in
//! `commands/<name>.rs`; this file only parses arguments, reads the clock and maps errors to
//! exit codes (0 done, 2 refused or failed).

mod cli;
mod commands;

use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;
use hocba_issuer::IssuerError;
use time::OffsetDateTime;

use cli::{Cli, Command, TokenCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            match e.downcast_ref::<IssuerError>() {
                Some(IssuerError::InvalidRecord(report)) => {
                    eprintln!("Hồ sơ không hợp lệ / the record is not valid:\n{report}");
                }
                Some(IssuerError::UnacceptedWarnings(report)) => {
                    eprintln!(
                        "Hồ sơ có cảnh báo cần người xem xét / the record has warnings a person must review:\n{report}\n\
                         Sửa hồ sơ, hoặc ký với --accept-warnings. Fix the record, or sign with --accept-warnings."
                    );
                }
                _ => eprintln!("error: {e:#}"),
            }
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    #[allow(clippy::disallowed_methods)]
    let now = OffsetDateTime::now_utc();
    match cli.command {
        Command::Sign {
            record,
            keys,
            accept_warnings,
            out,
        } => commands::sign::run(&keys, &record, accept_warnings, out.as_deref(), now),
        Command::Pdf {
            credential,
            out,
            keys,
            verifier_url,
            pki,
            principal_token,
        } => commands::pdf::run(
            &credential,
            &out,
            &keys,
            &verifier_url,
            (pki.as_deref(), principal_token.as_deref()),
            now,
        ),
        Command::Serve(args) => commands::serve::run(*args, now),
        Command::Token {
            action:
                TokenCommand::Create {
                    school,
                    role,
                    pupil,
                    name,
                    ttl_days,
                    database_url,
                },
        } => commands::token::create(
            &database_url,
            school.as_deref(),
            &role,
            pupil.as_deref(),
            name,
            ttl_days,
            now,
        ),
        Command::Issue(args) => commands::issue::run(&issue_args(*args)?, now),
        Command::GenProvince { pupils, seed, out } => {
            commands::gen_province::run(pupils, seed, &out)
        }
        Command::GenNation {
            provinces,
            schools,
            revoked,
            seed,
            base_url,
            out,
        } => commands::gen_nation::run(
            &hocba_issuer::synthetic::nation::NationSpec {
                provinces,
                schools,
                revoked_per_list: revoked,
                seed,
                base_url,
                made: now,
            },
            &out,
        ),
        Command::Keygen { out } => commands::keygen::run(&out),
        Command::TrustList {
            schools,
            authority_key,
            list_version,
            out,
        } => commands::trust_list::run(&schools, &authority_key, list_version, &out, now),
        Command::Pki {
            action: cli::PkiCommand::Init { out, schools },
        } => commands::pki::init(&schools, &out),
        Command::Revoke {
            credential_id,
            reason,
            database_url,
        } => commands::revoke::run(&database_url, &credential_id, &reason, now),
        Command::Authority(args) => commands::authority::run(args, now),
        Command::National(args) => commands::national::run(args, now),
        Command::Bundle {
            out,
            national: Some(national),
            from_bundle,
            province,
            root_public_key,
            ..
        } => commands::bundle::run_national(
            &national,
            root_public_key.as_deref(),
            &from_bundle,
            &province,
            &out,
            now,
        ),
        Command::Bundle {
            out,
            database_url,
            keys,
            public_url,
            ..
        } => commands::bundle::run(&database_url, &keys, &public_url, &out, now),
    }
}

/// The `issue` command's arguments, with the per-file values collected.
fn issue_args(cli: cli::IssueCli) -> Result<commands::issue::IssueArgs> {
    let mut fixed = Vec::new();
    for pair in &cli.set {
        let (header, value) = pair
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("--set {pair:?}: write it as Header=value"))?;
        fixed.push((header.to_owned(), value.to_owned()));
    }
    if let Some(v) = cli.school_year {
        fixed.push(("Năm học".to_owned(), v));
    }
    if let Some(v) = cli.grade {
        fixed.push(("Khối".to_owned(), v.to_string()));
    }
    if let Some(v) = cli.class_name {
        fixed.push(("Lớp".to_owned(), v));
    }
    Ok(commands::issue::IssueArgs {
        input: cli.input,
        out: cli.out,
        keys: cli.keys,
        database_url: cli.database_url,
        database_schema: cli.database_schema,
        accept_warnings: cli.accept_warnings,
        public_base_url: cli.public_base_url,
        pdf: (!cli.no_pdf).then_some(cli.verifier_url),
        principal_token: cli.principal_token,
        fixed,
    })
}
