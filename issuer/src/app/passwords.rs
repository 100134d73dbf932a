//! Passwords of the web app's accounts: the policy (10 to 200 characters, not containing the
//! sign-in name) and Argon2id (19 MiB, 2 passes, 1 lane: the OWASP minimum) on the blocking
//! pool, stored as PHC strings. An unknown account is checked against a hash of no one's
//! password, so that it costs what a wrong password costs.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, PasswordHash, Version};

use super::accounts::invalid;
use crate::error::IssuerError;

const MIN_PASSWORD: usize = 10;
const MAX_PASSWORD: usize = 200;

fn argon2() -> Result<Argon2<'static>, IssuerError> {
    let params = Params::new(19 * 1024, 2, 1, None)
        .map_err(|e| IssuerError::Internal(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password (on the blocking pool).
pub(super) async fn hash_password(password: String) -> Result<String, IssuerError> {
    tokio::task::spawn_blocking(move || {
        let hash = argon2()?
            .hash_password(password.as_bytes())
            .map_err(|e| IssuerError::Internal(format!("argon2: {e}")))?;
        Ok(hash.to_string())
    })
    .await
    .map_err(|e| IssuerError::Internal(e.to_string()))?
}

/// A hash of no one's password: checked when there is no account, so that an unknown name
/// costs the same as a wrong password.
fn dummy_hash() -> Option<&'static str> {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    DUMMY
        .get_or_init(|| {
            argon2()
                .ok()?
                .hash_password(b"no account has this password")
                .ok()
                .map(|h| h.to_string())
        })
        .as_deref()
}

/// Whether `password` matches `phc` (on the blocking pool). A hash that cannot be read
/// matches nothing.
pub(super) async fn verify_password(
    password: String,
    phc: Option<String>,
) -> Result<bool, IssuerError> {
    tokio::task::spawn_blocking(move || {
        let real = phc.is_some();
        let phc = phc.or_else(|| dummy_hash().map(str::to_owned));
        let Some(phc) = phc else {
            return false;
        };
        let Ok(parsed) = PasswordHash::new(&phc) else {
            return false;
        };
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        ok && real
    })
    .await
    .map_err(|e| IssuerError::Internal(e.to_string()))
}

pub(super) fn check_password(
    password: &str,
    confirm: &str,
    login: Option<&str>,
) -> Result<(), IssuerError> {
    let chars = password.chars().count();
    if !(MIN_PASSWORD..=MAX_PASSWORD).contains(&chars) {
        return Err(invalid(
            "/password",
            "password-length",
            "",
            "Mật khẩu cần từ 10 đến 200 kí tự. Một câu ngắn dễ nhớ là mật khẩu tốt.",
            "A password needs 10 to 200 characters. A short sentence you remember is a good one.",
        ));
    }
    if password != confirm {
        return Err(invalid(
            "/confirm",
            "password-confirm",
            "",
            "Hai lần nhập mật khẩu không giống nhau. Hãy nhập lại cả hai.",
            "The two passwords differ. Type both again.",
        ));
    }
    if let Some(login) = login
        && password.to_lowercase().contains(login)
    {
        return Err(invalid(
            "/password",
            "password-contains-login",
            "",
            "Mật khẩu không được chứa tên đăng nhập. Hãy chọn mật khẩu khác.",
            "The password must not contain the sign-in name. Choose another.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_policy() {
        assert!(check_password("short", "short", None).is_err());
        assert!(check_password("một câu dài đủ", "một câu dài khác", None).is_err());
        assert!(check_password("gv.lan-2026-abc", "gv.lan-2026-abc", Some("gv.lan")).is_err());
        assert!(check_password("hoa phượng nở", "hoa phượng nở", Some("gv.lan")).is_ok());
    }
}
