//! `hocba-issuer token create`: a user and an API token for a school (or the authority, or an
//! admissions portal, or a pupil's guardian). The token is printed once on standard output;
//! only its hash is stored.

use anyhow::{Context, Result, bail};
use hocba_issuer::app::Issuer;
use hocba_issuer::store::{NewUser, Role, Store};
use time::{Duration, OffsetDateTime};

/// Create a user with `role` (of school `school`, none for the authority and portals; bound
/// to pupil `pupil` — its id or its student code / personal id number — for a guardian) and
/// a token for it.
pub(crate) fn create(
    database_url: &str,
    school: Option<&str>,
    role: &str,
    pupil: Option<&str>,
    name: Option<String>,
    ttl_days: i64,
    now: OffsetDateTime,
) -> Result<()> {
    let role: Role = role.parse()?;
    if ttl_days <= 0 {
        bail!("--ttl-days must be positive");
    }
    if pupil.is_some() && role != Role::Guardian {
        bail!("--pupil is only for a guardian token");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let store = Store::connect(database_url)
            .await
            .context("opening the database")?;
        let school = match (role.has_school(), school) {
            (false, None) => None,
            (false, Some(_)) => bail!("a {role} token belongs to no school: drop --school"),
            (true, None) => bail!("--school CODE is required for a {role} token"),
            (true, Some(code)) => Some(store.school_by_code(code).await.with_context(|| {
                format!("school {code} is not registered; start `hocba-issuer serve` once with its key in --keys")
            })?),
        };
        let mut bound_to = String::new();
        let (user, token) = match (role, &school) {
            (Role::Guardian, Some(school)) => {
                let Some(pupil) = pupil else {
                    bail!("--pupil PUPIL_ID is required for a guardian token");
                };
                let made = Issuer::offline(store.clone(), now)
                    .guardian_token(school, pupil, name, Some(ttl_days), None, "cli", now)
                    .await
                    .with_context(|| format!("a guardian token in school {}", school.code))?;
                bound_to = format!(" for pupil {}", made.pupil.id);
                (made.user, made.token)
            }
            _ => {
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
                (user, token)
            }
        };
        store.close().await;
        eprintln!(
            "token {} for a {role}{}{} created (user id {}); expires {}. It is shown once:",
            token.id,
            school.map(|s| format!(" of school {}", s.code)).unwrap_or_default(),
            bound_to,
            user.id,
            token.expires_at
        );
        println!("{}", token.secret.expose());
        Ok(())
    })
}
