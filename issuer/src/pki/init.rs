//! `hocba-issuer pki init`: the development PKI, written to a folder.
//!
//! One root CA, then for each school of the plain school description (`keys/dev/schools.toml`)
//! a seal certificate and, when the school names its principal, the principal's personal
//! certificate; and for the first school a seal certificate that expired on 2021-01-01, so the
//! tests can show a signature made with an expired certificate is refused. Keys are ECDSA P-256
//! made from the operating system's randomness; serial numbers are 16 random bytes.

use std::path::{Path, PathBuf};

use rcgen::{Certificate, Issuer, KeyPair, PKCS_ECDSA_P256_SHA256, date_time_ymd};

use super::files;
use super::profile::{self, School};
use crate::error::IssuerError;
use crate::trust_list::Description;

/// What `init` wrote.
#[derive(Debug, Clone)]
pub struct InitReport {
    /// Every file written, in order.
    pub files: Vec<PathBuf>,
}

fn pki_error(problem: impl std::fmt::Display) -> IssuerError {
    IssuerError::PdfSignature {
        problem: format!("development PKI: {problem}"),
    }
}

fn serial() -> Result<[u8; 16], IssuerError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| IssuerError::Random(e.to_string()))?;
    bytes[0] &= 0x7f;
    bytes[0] |= 0x01;
    Ok(bytes)
}

struct Writer<'a> {
    out: &'a Path,
    files: Vec<PathBuf>,
}

impl Writer<'_> {
    fn write(&mut self, name: &str, text: &str) -> Result<(), IssuerError> {
        let path = self.out.join(name);
        std::fs::write(&path, text).map_err(|source| IssuerError::Io {
            path: path.clone(),
            source,
        })?;
        self.files.push(path);
        Ok(())
    }

    fn pair(
        &mut self,
        cert: &str,
        key: &str,
        c: &Certificate,
        k: &KeyPair,
    ) -> Result<(), IssuerError> {
        self.write(cert, &c.pem())?;
        self.write(key, &k.serialize_pem())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let path = self.out.join(key);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .map_err(|source| IssuerError::Io { path, source })?;
        }
        Ok(())
    }
}

/// Make the development PKI of the schools of `description` in `out` (created if missing;
/// existing files of the same names are replaced).
pub fn init(description: &Description, out: &Path) -> Result<InitReport, IssuerError> {
    std::fs::create_dir_all(out).map_err(|source| IssuerError::Io {
        path: out.to_path_buf(),
        source,
    })?;
    let mut w = Writer {
        out,
        files: Vec::new(),
    };
    let generate = || KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(pki_error);
    let from = date_time_ymd(2024, 1, 1);
    let root_key = generate()?;
    let root_params = profile::root(from, date_time_ymd(2044, 1, 1));
    let root = root_params.self_signed(&root_key).map_err(pki_error)?;
    w.pair(files::ROOT_CERT, files::ROOT_KEY, &root, &root_key)?;
    let issuer = Issuer::new(root_params, root_key);
    let until = date_time_ymd(2034, 1, 1);
    for (i, s) in description.schools.iter().enumerate() {
        let school = School {
            code: &s.code,
            name: &s.name,
            province: &s.province,
        };
        let key = generate()?;
        let cert = profile::seal(&school, from, until, &serial()?)
            .signed_by(&key, &issuer)
            .map_err(pki_error)?;
        w.pair(
            &files::seal_cert(&s.code),
            &files::seal_key(&s.code),
            &cert,
            &key,
        )?;
        if let Some(principal) = &s.principal {
            let key = generate()?;
            let cert = profile::personal(&school, principal, from, until, &serial()?)
                .signed_by(&key, &issuer)
                .map_err(pki_error)?;
            w.pair(
                &files::principal_cert(&s.code),
                &files::principal_key(&s.code),
                &cert,
                &key,
            )?;
        }
        if i == 0 {
            let key = generate()?;
            let cert = profile::seal(
                &school,
                date_time_ymd(2020, 1, 1),
                date_time_ymd(2021, 1, 1),
                &serial()?,
            )
            .signed_by(&key, &issuer)
            .map_err(pki_error)?;
            w.pair(
                &files::expired_seal_cert(&s.code),
                &files::expired_seal_key(&s.code),
                &cert,
                &key,
            )?;
        }
    }
    Ok(InitReport { files: w.files })
}
