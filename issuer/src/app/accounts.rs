//! People who sign in to the web app: who may create whom, passwords, sign-in with its abuse
//! limits, sessions with their expiry, and each person's own API tokens.
//!
//! Decisions (the web app and any other entry point follow them):
//!
//! * **Who creates whom.** The authority creates schools' principals, other authority
//!   accounts and admissions portals; a principal creates the teachers and guardians of their
//!   own school (a guardian is bound to one pupil of it) and can disable them; the authority
//!   can disable principals. Nobody else creates accounts. A principal naming another school's
//!   account gets "not found", exactly as for an id that does not exist.
//! * **No default password anywhere.** A new account has no password; its creator gets a
//!   one-time link (valid [`LINK_TTL`]) to hand over, and the person sets their own password
//!   there. The first start makes the authority account `authority` and prints such a link
//!   (valid [`FIRST_LINK_TTL`]); each start until a password is set prints a new one and the
//!   earlier link stops working.
//! * **Passwords**: 10 to 200 characters, not containing the sign-in name; hashed with
//!   Argon2id (19 MiB, 2 passes, 1 lane: the OWASP minimum, about 40 ms on this project's
//!   2-core reference machine) on the blocking pool, stored as a PHC string.
//! * **Sign-in** answers the same for an unknown name, a wrong password, an account without
//!   a password and a disabled account, and spends the same Argon2 work on each. Failures
//!   count per client ([`SIGN_IN_PER_CLIENT`], shared with bad API tokens) and per sign-in
//!   name ([`SIGN_IN_PER_ACCOUNT`]: 5 in 15 minutes lock the name for 15 minutes, doubling);
//!   a locked client or name is refused before the password is looked at. A success forgets
//!   the name's failures.
//! * **Sessions** live in the database (several instances behind one PostgreSQL share them):
//!   the cookie holds a random secret, the table its SHA-256. A session ends after [`IDLE`]
//!   without a request, after [`ABSOLUTE`] in any case, at sign-out, when the account is
//!   disabled and when its password is set anew. Its use is written at most once a minute.
//! * **CSRF**: every form of a signed-in page carries [`csrf_token`], derived from the
//!   session's secret (a page on another site cannot read the cookie, so it cannot make the
//!   token); the web module checks it on every POST.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use super::Issuer;
use super::import::Refusal;
use super::passwords::{check_password, hash_password, verify_password};
use crate::error::IssuerError;
use crate::store::{
    Account, Limit, NewAccount, Role, SIGN_IN_PER_CLIENT, StoreError, secret_sha256,
};

/// A session ends after this long without a request.
pub const IDLE: Duration = Duration::minutes(30);
/// A session ends this long after sign-in whatever happens.
pub const ABSOLUTE: Duration = Duration::hours(12);
/// How long a link to set a new account's password works.
pub const LINK_TTL: Duration = Duration::days(7);
/// How long the first start's link works.
pub const FIRST_LINK_TTL: Duration = Duration::hours(24);
/// The sign-in name of the authority account the first start makes.
pub const FIRST_AUTHORITY_LOGIN: &str = "authority";
/// Wrong passwords per sign-in name: 5 in 15 minutes, then 15 minutes (doubling, at most a day).
pub const SIGN_IN_PER_ACCOUNT: Limit = Limit {
    scope: "sign_in.account",
    failures: 5,
    window: Duration::minutes(15),
    lock: Duration::minutes(15),
    max_lock: Duration::hours(24),
};

/// A secret handed out once (a session cookie or a password link). `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    fn random() -> Result<Self, IssuerError> {
        let mut buf = [0u8; 32];
        getrandom::fill(&mut buf).map_err(|e| IssuerError::Random(e.to_string()))?;
        Ok(Secret(URL_SAFE_NO_PAD.encode(buf)))
    }

    /// The secret, to put in a cookie or a link.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// What the first start prints.
#[derive(Debug)]
pub struct FirstStart {
    /// The authority's sign-in name.
    pub login: String,
    /// The link's secret (the path is `/setup/{secret}`).
    pub link: Secret,
}

/// What a creator asks for.
#[derive(Clone, Debug)]
pub struct AccountRequest {
    /// Sign-in name as typed.
    pub login: String,
    /// The person's name.
    pub display_name: String,
    /// The role.
    pub role: Role,
    /// For a principal made by the authority: the school's code.
    pub school_code: Option<String>,
    /// For a guardian: the pupil of the principal's school, by id, personal identification
    /// number or MOET student code.
    pub pupil: Option<String>,
}

/// The outcome of a sign-in.
#[derive(Debug)]
pub enum SignIn {
    /// Signed in: the session cookie's secret and the account.
    Done {
        /// The cookie's value.
        secret: Secret,
        /// Who signed in.
        account: Box<Account>,
    },
    /// Unknown name, wrong password, no password yet or disabled: one answer for all.
    Denied,
    /// Too many failures from this client or for this name: try again after `until`.
    Locked {
        /// When the lock ends.
        until: OffsetDateTime,
    },
}

/// A signed-in person, found from a session cookie.
#[derive(Clone, Debug)]
pub struct SignedIn {
    /// The session's id.
    pub session_id: String,
    /// The account.
    pub account: Account,
    /// The CSRF token of this session's forms.
    pub csrf: String,
}

/// The CSRF token of the session whose cookie is `secret`.
pub fn csrf_token(secret: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(format!("hocba-csrf\n{secret}").as_bytes()))
}

/// Equality in time independent of where the first difference is.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A sign-in name: trimmed, lower case, 3–64 of `a-z 0-9 . _ - @`.
pub fn normalise_login(login: &str) -> Result<String, IssuerError> {
    let l = login.trim().to_lowercase();
    let ok = (3..=64).contains(&l.len())
        && l.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b".-_@".contains(&b));
    if ok {
        Ok(l)
    } else {
        Err(invalid(
            "/login",
            "login-format",
            login,
            "Tên đăng nhập gồm 3–64 kí tự: chữ cái không dấu, chữ số, dấu chấm, gạch ngang, \
             gạch dưới hoặc @. Hãy nhập lại, ví dụ: gv.lan hoặc ht.thpt-nguyen-du.",
            "A sign-in name has 3–64 characters: letters without accents, digits, dot, hyphen, \
             underscore or @. Try again, e.g. gv.lan.",
        ))
    }
}

pub(super) fn invalid(
    pointer: &'static str,
    rule: &'static str,
    value: &str,
    vi: &str,
    en: &str,
) -> IssuerError {
    IssuerError::Invalid(Box::new(Refusal::field(
        pointer,
        rule,
        Value::from(value),
        vi.to_owned(),
        en.to_owned(),
    )))
}

fn forbidden(action: &'static str) -> IssuerError {
    IssuerError::Forbidden { action }
}

impl Issuer {
    /// On start: when no authority account has a password yet, a fresh one-time link to set
    /// it (making the `authority` account the first time). `None` once one has a password.
    pub async fn first_start(
        &self,
        now: OffsetDateTime,
    ) -> Result<Option<FirstStart>, IssuerError> {
        let store = self.store();
        let authorities = store.authority_accounts().await?;
        if authorities.iter().any(|a| a.password_hash.is_some()) {
            return Ok(None);
        }
        let account = match authorities.into_iter().find(|a| a.login.is_some()) {
            Some(a) => a,
            None => {
                store
                    .create_account(
                        &NewAccount {
                            login: FIRST_AUTHORITY_LOGIN.to_owned(),
                            display_name: "Sở Giáo dục và Đào tạo".to_owned(),
                            role: Role::Authority,
                            school_id: None,
                            pupil_id: None,
                            created_by: None,
                        },
                        now,
                    )
                    .await?
            }
        };
        let link = Secret::random()?;
        store
            .create_password_link(
                &account.id,
                &secret_sha256(link.expose()),
                None,
                now,
                now + FIRST_LINK_TTL,
            )
            .await?;
        Ok(Some(FirstStart {
            login: account.login.unwrap_or_default(),
            link,
        }))
    }

    /// Creates an account for `actor`'s rules (module doc) and a one-time link for its first
    /// password.
    pub async fn create_account(
        &self,
        actor: &Account,
        request: AccountRequest,
        now: OffsetDateTime,
    ) -> Result<(Account, Secret), IssuerError> {
        let login = normalise_login(&request.login)?;
        let display_name = request.display_name.trim().to_owned();
        if display_name.is_empty() || display_name.chars().count() > 120 {
            return Err(invalid(
                "/displayName",
                "name-length",
                &display_name,
                "Hãy nhập họ và tên (tối đa 120 kí tự).",
                "Enter the person's full name (at most 120 characters).",
            ));
        }
        let (school_id, pupil_id) = match (actor.role, request.role) {
            (Role::Authority, Role::Principal) => {
                let code = request.school_code.as_deref().unwrap_or("").trim();
                let school = self
                    .store()
                    .school_by_code(code)
                    .await
                    .map_err(|e| match e {
                        StoreError::NotFound { .. } => invalid(
                            "/schoolCode",
                            "unknown-school",
                            code,
                            "Không có trường nào mang mã này. Hãy đăng kí trường trước.",
                            "No school has this code. Register the school first.",
                        ),
                        other => other.into(),
                    })?;
                (Some(school.id), None)
            }
            (Role::Authority, Role::Authority | Role::Portal) => (None, None),
            (Role::Principal, Role::Teacher) => (actor.school_id.clone(), None),
            (Role::Principal, Role::Guardian) => {
                let reference = request.pupil.as_deref().unwrap_or("").trim();
                if reference.is_empty() {
                    return Err(invalid(
                        "/pupil",
                        "pupil-required",
                        "",
                        "Tài khoản phụ huynh phải gắn với một học sinh: hãy chọn học sinh.",
                        "A guardian account belongs to one pupil: choose the pupil.",
                    ));
                }
                let school_id = actor.school_id.as_deref().unwrap_or("");
                let school = self.store().school(school_id).await?;
                let pupil = self.find_pupil(&school, reference).await.map_err(|e| match e {
                    IssuerError::Store(StoreError::NotFound { .. }) => invalid(
                        "/pupil",
                        "unknown-pupil",
                        reference,
                        "Trường không có học sinh với mã này. Hãy nhập mã học sinh (mã định danh \
                         của Bộ) hoặc số định danh cá nhân như trong hồ sơ.",
                        "The school has no pupil with this reference. Enter the MOET student code \
                         or the personal identification number as in the record.",
                    ),
                    other => other,
                })?;
                (Some(school.id), Some(pupil.id))
            }
            _ => return Err(forbidden("create-account")),
        };
        let account = self
            .store()
            .create_account(
                &NewAccount {
                    login,
                    display_name,
                    role: request.role,
                    school_id,
                    pupil_id,
                    created_by: Some(actor.id.clone()),
                },
                now,
            )
            .await?;
        let link = self.password_link_for(actor, &account, now).await?;
        Ok((account, link))
    }

    async fn password_link_for(
        &self,
        actor: &Account,
        account: &Account,
        now: OffsetDateTime,
    ) -> Result<Secret, IssuerError> {
        let link = Secret::random()?;
        self.store()
            .create_password_link(
                &account.id,
                &secret_sha256(link.expose()),
                Some(&actor.id),
                now,
                now + LINK_TTL,
            )
            .await?;
        Ok(link)
    }

    /// The accounts `actor` manages: a principal's school, or (authority) accounts without a
    /// school and every principal.
    pub async fn managed_accounts(&self, actor: &Account) -> Result<Vec<Account>, IssuerError> {
        match actor.role {
            Role::Principal => Ok(self
                .store()
                .list_accounts(actor.school_id.as_deref())
                .await?),
            Role::Authority => Ok(self.store().list_accounts(None).await?),
            _ => Err(forbidden("list-accounts")),
        }
    }

    /// The account `user_id` if `actor` manages it; "not found" otherwise.
    async fn managed(&self, actor: &Account, user_id: &str) -> Result<Account, IssuerError> {
        let account = self.store().account(user_id).await?;
        let manages = match actor.role {
            Role::Principal => {
                account.school_id == actor.school_id
                    && matches!(account.role, Role::Teacher | Role::Guardian)
            }
            Role::Authority => {
                matches!(
                    account.role,
                    Role::Principal | Role::Portal | Role::Authority
                ) && account.id != actor.id
            }
            _ => return Err(forbidden("manage-account")),
        };
        if manages {
            Ok(account)
        } else {
            Err(StoreError::NotFound {
                what: "account",
                id: user_id.to_owned(),
            }
            .into())
        }
    }

    /// Disables an account `actor` manages (sessions end, tokens are revoked).
    pub async fn disable_account(
        &self,
        actor: &Account,
        user_id: &str,
        now: OffsetDateTime,
    ) -> Result<(), IssuerError> {
        let account = self.managed(actor, user_id).await?;
        Ok(self
            .store()
            .disable_account(&account.id, &actor.id, now)
            .await?)
    }

    /// A new one-time link to set the password of an account `actor` manages (a forgotten
    /// password); earlier links stop working.
    pub async fn reset_password_link(
        &self,
        actor: &Account,
        user_id: &str,
        now: OffsetDateTime,
    ) -> Result<Secret, IssuerError> {
        let account = self.managed(actor, user_id).await?;
        self.password_link_for(actor, &account, now).await
    }

    /// The account a password link is for, while the link works.
    pub async fn password_link(
        &self,
        secret: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Account>, IssuerError> {
        Ok(self
            .store()
            .password_link(&secret_sha256(secret), now)
            .await?
            .filter(|a| a.disabled_at.is_none()))
    }

    /// Sets the password through a one-time link. `Ok(None)`: the link does not work (any
    /// more).
    pub async fn set_password(
        &self,
        secret: &str,
        password: &str,
        confirm: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Account>, IssuerError> {
        let Some(account) = self.password_link(secret, now).await? else {
            return Ok(None);
        };
        check_password(password, confirm, account.login.as_deref())?;
        let hash = hash_password(password.to_owned()).await?;
        match self
            .store()
            .use_password_link(&secret_sha256(secret), &hash, now)
            .await?
        {
            Some(id) => Ok(Some(self.store().account(&id).await?)),
            None => Ok(None),
        }
    }

    /// Signs in with a name and a password from `client` (an address, hashed before it is
    /// stored).
    pub async fn sign_in(
        &self,
        login: &str,
        password: &str,
        client: &str,
        now: OffsetDateTime,
    ) -> Result<SignIn, IssuerError> {
        let store = self.store();
        let name = login.trim().to_lowercase();
        for (limit, key) in [(&SIGN_IN_PER_CLIENT, client), (&SIGN_IN_PER_ACCOUNT, &name)] {
            if let Some(lock) = store.attempt_locked(limit, key, now).await? {
                return Ok(SignIn::Locked { until: lock.until });
            }
        }
        let account = if name.is_empty() {
            None
        } else {
            store.account_by_login(&name).await?
        };
        let usable = account.as_ref().filter(|a| a.disabled_at.is_none());
        let phc = usable.and_then(|a| a.password_hash.clone());
        let matches = verify_password(password.to_owned(), phc).await?;
        let Some(account) = usable.filter(|_| matches) else {
            crate::ops::metrics::sign_in_failed();
            let mut until = None;
            for (limit, key) in [(&SIGN_IN_PER_CLIENT, client), (&SIGN_IN_PER_ACCOUNT, &name)] {
                if let Some(lock) = store.record_failure(limit, key, now).await? {
                    until = Some(lock.until);
                }
            }
            return Ok(match until {
                Some(until) => SignIn::Locked { until },
                None => SignIn::Denied,
            });
        };
        store.forget_failures(&SIGN_IN_PER_ACCOUNT, &name).await?;
        let secret = Secret::random()?;
        store
            .create_session(
                &account.id,
                &secret_sha256(secret.expose()),
                now,
                now + ABSOLUTE,
            )
            .await?;
        Ok(SignIn::Done {
            secret,
            account: Box::new(account.clone()),
        })
    }

    /// Who a session cookie belongs to, if the session still works at `now` (an expired one
    /// is ended).
    pub async fn signed_in(
        &self,
        secret: &str,
        now: OffsetDateTime,
    ) -> Result<Option<SignedIn>, IssuerError> {
        if secret.len() != 43 {
            return Ok(None);
        }
        let store = self.store();
        let Some(session) = store.session(&secret_sha256(secret)).await? else {
            return Ok(None);
        };
        let idle = now - session.last_seen_at > IDLE;
        if idle || now >= session.expires_at || session.account.disabled_at.is_some() {
            store.end_session(&session.id, now).await?;
            return Ok(None);
        }
        if now - session.last_seen_at > Duration::minutes(1) {
            store.touch_session(&session.id, now).await?;
        }
        Ok(Some(SignedIn {
            session_id: session.id,
            account: session.account,
            csrf: csrf_token(secret),
        }))
    }

    /// Ends the session of this cookie.
    pub async fn sign_out(&self, secret: &str, now: OffsetDateTime) -> Result<(), IssuerError> {
        if let Some(session) = self.store().session(&secret_sha256(secret)).await? {
            self.store().end_session(&session.id, now).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_are_normalised_or_refused() {
        assert_eq!(normalise_login("  GV.Lan ").ok().as_deref(), Some("gv.lan"));
        assert!(normalise_login("ab").is_err());
        assert!(normalise_login("cô lan").is_err());
    }

    #[test]
    fn csrf_token_depends_on_the_session() {
        assert_ne!(csrf_token("a"), csrf_token("b"));
        assert!(same_secret(&csrf_token("a"), &csrf_token("a")));
        assert!(!same_secret(&csrf_token("a"), &csrf_token("b")));
    }
}
