//! The repository's files that tests read: the workspace root, `schema/examples/`, `keys/dev/`.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The workspace root.
pub fn repo() -> &'static Path {
    // This crate lives at `tests/support/`.
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// `schema/examples/<name>`.
pub fn example_path(name: &str) -> PathBuf {
    repo().join("schema/examples").join(name)
}

/// `schema/examples/<name>`, parsed.
pub fn example(name: &str) -> Value {
    let path = example_path(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The public development keys, `keys/dev/` (never for real records).
pub fn dev_keys() -> PathBuf {
    repo().join("keys/dev")
}

/// The development trust list, `keys/dev/trust-list.json`.
pub fn dev_trust_list() -> PathBuf {
    dev_keys().join("trust-list.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repository_files_are_found() {
        assert!(repo().join("Cargo.toml").is_file());
        assert!(dev_trust_list().is_file());
        assert_eq!(example("primary-grade5.json")["className"], "5A");
    }
}
