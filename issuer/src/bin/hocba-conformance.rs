//! `hocba-conformance`: the loopback VC-API fixture the W3C test suites are pointed at (see
//! `hocba_issuer::conformance` and the README's "W3C conformance"). Thin: arguments, key,
//! manifest, listener.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Parser;
use hocba_issuer::conformance::{Conformance, check_loopback, manifest};
use hocba_issuer::keys::KeyPair;

/// A loopback-only VC-API issuer and verifier (did:key, eddsa-jcs-2022, Bitstring Status
/// List) for running the W3C test suites against hocba's cryptosuite and status-list code.
/// Its credentials are never trusted by hocba-verify.
#[derive(Parser)]
#[command(name = "hocba-conformance", version)]
struct Cli {
    /// Where to listen: a loopback address only (127.0.0.1:PORT or [::1]:PORT).
    #[arg(long, default_value = "127.0.0.1:40443")]
    listen: SocketAddr,
    /// Write the suites' localConfig.cjs (issuer and verifier of this service) here.
    #[arg(long)]
    manifest: Option<PathBuf>,
    /// The base URL clients reach this service at, when it is not `http://LISTEN` (e.g.
    /// `https://127.0.0.1:40444` behind a loopback TLS proxy: the suites' document loaders
    /// fetch status lists over https only). Status list URLs and the manifest use it.
    #[arg(long)]
    public_base: Option<String>,
    /// A key file (PKCS#8 PEM, as `hocba-issuer keygen` writes) to keep the same did:key
    /// across runs; without it a new key is made for this run.
    #[arg(long)]
    key_file: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    check_loopback(cli.listen)?;
    let key = match &cli.key_file {
        Some(path) => KeyPair::load(path)
            .with_context(|| format!("reading the key file {}", path.display()))?,
        None => KeyPair::generate()?,
    };
    let listener = tokio::net::TcpListener::bind(cli.listen)
        .await
        .with_context(|| format!("binding {}", cli.listen))?;
    let addr = listener.local_addr()?;
    let base = cli
        .public_base
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let service = Conformance::new(key, &base);
    if let Some(path) = &cli.manifest {
        std::fs::write(path, manifest(&base, service.did()))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    println!("hocba-conformance listening on {base} as {}", service.did());
    axum::serve(listener, service.router())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
