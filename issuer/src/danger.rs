//! The public development keys in `keys/dev/`. They are committed to the repository, so
//! anybody can sign with them: they exist to run the issuer and the tests on a fresh clone and
//! must never sign a real record. Recognising them lets the tools say so loudly, and lets the
//! key loader accept them even when a fresh clone left them readable by others (they are not
//! secret; every other key is refused in that case).

use ed25519_dalek::VerifyingKey;
use ed25519_dalek::pkcs8::DecodePublicKey;

/// SPKI PEM of each public development key (authority first), embedded at build time.
pub const DEV_PUBLIC_KEYS_PEM: [(&str, &str); 6] = [
    (
        "authority",
        include_str!("../../keys/dev/authority.pub.pem"),
    ),
    (
        "school-01001205",
        include_str!("../../keys/dev/school-01001205.pub.pem"),
    ),
    (
        "school-14000327",
        include_str!("../../keys/dev/school-14000327.pub.pem"),
    ),
    (
        "school-25000731",
        include_str!("../../keys/dev/school-25000731.pub.pem"),
    ),
    (
        "school-40000918",
        include_str!("../../keys/dev/school-40000918.pub.pem"),
    ),
    (
        "school-79000701",
        include_str!("../../keys/dev/school-79000701.pub.pem"),
    ),
];

/// The loud line every command prints when it works with development keys.
pub const DEV_KEY_WARNING: &str = "WARNING: using the PUBLIC DEVELOPMENT keys from keys/dev/ — anyone can sign with them. \
Never issue real records with them. / CẢNH BÁO: đang dùng khóa phát triển công khai, không dùng cho học bạ thật.";

/// Whether `key` is one of the public development keys.
pub fn is_dev_key(key: &VerifyingKey) -> bool {
    DEV_PUBLIC_KEYS_PEM
        .iter()
        .any(|(_, pem)| VerifyingKey::from_public_key_pem(pem).is_ok_and(|dev| dev == *key))
}

/// The development authority's public key.
pub fn dev_authority_key() -> Option<VerifyingKey> {
    VerifyingKey::from_public_key_pem(DEV_PUBLIC_KEYS_PEM[0].1).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::keys::KeyPair;

    #[test]
    fn dev_private_keys_match_their_public_keys() {
        for (name, _) in DEV_PUBLIC_KEYS_PEM {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../keys/dev")
                .join(format!("{name}.pem"));
            let key = KeyPair::load(&path).unwrap();
            assert!(is_dev_key(&key.verifying_key()), "{name}");
        }
        assert!(!is_dev_key(&KeyPair::from_seed(&[1; 32]).verifying_key()));
        assert!(dev_authority_key().is_some());
    }
}
