//! `hocba-issuer token create`: a user and an API token for a school (or the authority). The
//! token is printed once on standard output; only its hash is stored.

use anyhow::{Context, Result, bail};
use hocba_issuer::store::{NewUser, Role, Store};
use time::{Duration, OffsetDateTime};

/// Create a user with `role` (of school `school`, none for the authority) and a token for it.
pub(crate) fn create(
    database_url: &str,
    school: Option<&str>,
    role: &str,
    name: Option<String>,
    ttl_days: i64,
    now: OffsetDateTime,
) -> Result<()> {
    let role: Role = role.parse()?;
    if ttl_days <= 0 {
        bail!("--ttl-days must be positive");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let store = Store::connect(database_url)
            .await
            .context("opening the database")?;
        let school = match (role, school) {
            (Role::Authority, None) => None,
            (Role::Authority, Some(_)) => bail!("an authority token belongs to no school: drop --school"),
            (_, None) => bail!("--school CODE is required for a {role} token"),
            (_, Some(code)) => Some(store.school_by_code(code).await.with_context(|| {
                format!("school {code} is not registered; start `hocba-issuer serve` once with its key in --keys")
            })?),
        };
        let user = store
            .create_user(
                &NewUser {
                    school_id: school.as_ref().map(|s| s.id.clone()),
                    display_name: name.unwrap_or_else(|| format!("{role} (token)")),
                    role,
                },
                now,
            )
            .await?;
        let token = store
            .create_token(&user.id, Duration::days(ttl_days), now)
            .await?;
        store.close().await;
        eprintln!(
            "token {} for a {role}{} created; expires {}. It is shown once:",
            token.id,
            school.map(|s| format!(" of school {}", s.code)).unwrap_or_default(),
            token.expires_at
        );
        println!("{}", token.secret.expose());
        Ok(())
    })
}
