//! The verification core apart from its shells: without default features the crate depends on
//! no HTTP client or server and no command-line parser, so a portal or a phone app can embed
//! the decisions without them.

use std::process::Command;

#[test]
fn the_core_depends_on_no_http_or_cli_crate() {
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "-p",
            "hocba-verifier",
            "--no-default-features",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8(out.stdout).unwrap();
    let crates: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(crates.contains(&"hocba-schema"), "{tree}");
    for shell in [
        "axum",
        "tokio",
        "hyper",
        "hyper-util",
        "tower",
        "clap",
        "anyhow",
    ] {
        assert!(
            !crates.contains(&shell),
            "{shell} in the core's tree:\n{tree}"
        );
    }
    // With the defaults, the shells are there (the test would pass vacuously otherwise).
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "-p",
            "hocba-verifier",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let full = String::from_utf8(out.stdout).unwrap();
    assert!(full.lines().any(|l| l.starts_with("axum ")), "{full}");
}
