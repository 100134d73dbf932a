//! The development keys are what the README says: PKCS#8 PEM private keys and SPKI public keys
//! that `openssl pkey` reads, each public file matching its private key.

use std::process::Command;

use hocba_tests::root;

fn openssl_available() -> bool {
    Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn openssl_reads_every_dev_key_and_agrees_on_the_public_half() {
    if !openssl_available() {
        eprintln!("skipped: openssl is not installed (.ci/run installs it)");
        return;
    }
    let dir = root().join("keys/dev");
    let mut private_keys = 0;
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let path = entry.path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".pem") || name.ends_with(".pub.pem") {
            continue;
        }
        private_keys += 1;
        let text = Command::new("openssl")
            .args(["pkey", "-in"])
            .arg(&path)
            .args(["-noout", "-text"])
            .output()
            .unwrap();
        assert!(text.status.success(), "openssl cannot read {name}");
        assert!(
            String::from_utf8_lossy(&text.stdout).contains("ED25519"),
            "{name} is not an Ed25519 key"
        );
        let public = Command::new("openssl")
            .args(["pkey", "-in"])
            .arg(&path)
            .arg("-pubout")
            .output()
            .unwrap();
        let committed = std::fs::read_to_string(path.with_extension("pub.pem")).unwrap();
        assert_eq!(String::from_utf8_lossy(&public.stdout), committed, "{name}");
    }
    assert!(private_keys >= 3, "an authority and at least two schools");
}
