//! `hocba-verify`: check digital school records (học bạ số) from the command line.
//!
//! Exit status, like grep: 0 every record valid, 1 at least one not valid, 2 could not check.

mod cli;
mod run;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: a verification allocates and frees many small values (parsed members, verdict
/// texts), which glibc's allocator serves markedly slower under threads; the benches use it too.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    run::run(cli::Cli::parse())
}
