//! Schools and the people who act for them (teachers, principals) or for the province
//! (the authority), pupils' families (guardians, bound to one pupil: `shares.rs`) and
//! admissions portals.

use std::fmt;
use std::str::FromStr;

use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;

use super::error::unique_as;
use super::timestamp::{time_at, to_text};
use super::{Store, StoreError, new_id};

/// A school registered with the issuer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct School {
    /// Internal id; every school-scoped call takes it.
    pub id: String,
    /// The school's code (unique), as in the trust list.
    pub code: String,
    /// The school's name.
    pub name: String,
    /// Its province or city.
    pub province: String,
    /// The issuer id its credentials carry (`issuer.id`).
    pub issuer_id: String,
    /// When it was registered.
    pub created_at: OffsetDateTime,
}

/// What is needed to register a school.
#[derive(Clone, Debug)]
pub struct NewSchool {
    /// The school's code; must be unused.
    pub code: String,
    /// The school's name.
    pub name: String,
    /// Its province or city.
    pub province: String,
    /// The issuer id its credentials will carry.
    pub issuer_id: String,
}

/// What a user may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Homeroom teacher: imports and edits drafts of their school.
    Teacher,
    /// Principal: approves, signs and revokes their school's records.
    Principal,
    /// Department of Education: manages schools and keys across the province; no school.
    Authority,
    /// A pupil's family: bound to one pupil of one school; lists that pupil's credentials and
    /// shares them with admissions portals (share codes). Created by
    /// [`Store::create_guardian`], never by [`Store::create_user`].
    Guardian,
    /// An admissions portal: no school; redeems share codes for the credentials shared with it.
    Portal,
}

impl Role {
    /// The stored name: `teacher`, `principal`, `authority`, `guardian` or `portal`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Teacher => "teacher",
            Role::Principal => "principal",
            Role::Authority => "authority",
            Role::Guardian => "guardian",
            Role::Portal => "portal",
        }
    }

    /// Whether users with this role belong to a school (all but the authority and portals).
    pub fn has_school(self) -> bool {
        !matches!(self, Role::Authority | Role::Portal)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Role, StoreError> {
        match s {
            "teacher" => Ok(Role::Teacher),
            "principal" => Ok(Role::Principal),
            "authority" => Ok(Role::Authority),
            "guardian" => Ok(Role::Guardian),
            "portal" => Ok(Role::Portal),
            other => Err(StoreError::InvalidInput {
                field: "role",
                reason: format!(
                    "{other:?} is not teacher, principal, authority, guardian or portal"
                ),
            }),
        }
    }
}

/// A person (or service account) that holds API tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// Internal id.
    pub id: String,
    /// The school the user acts for; `None` exactly for the authority and portals.
    pub school_id: Option<String>,
    /// Name shown in the audit log.
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
    /// When the user was created.
    pub created_at: OffsetDateTime,
}

/// What is needed to create a user.
#[derive(Clone, Debug)]
pub struct NewUser {
    /// The user's school; must be `None` for [`Role::Authority`] and [`Role::Portal`] and
    /// `Some` otherwise.
    pub school_id: Option<String>,
    /// Name shown in the audit log.
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
}

macro_rules! school_columns {
    () => {
        "id, code, name, province, issuer_id, created_at"
    };
}

macro_rules! user_columns {
    () => {
        "id, school_id, display_name, role, created_at"
    };
}

/// A [`School`] from a row of `school_columns!()`.
pub(super) fn school_from_row(row: &AnyRow) -> Result<School, StoreError> {
    Ok(School {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        province: row.try_get("province")?,
        issuer_id: row.try_get("issuer_id")?,
        created_at: time_at(row, "schools.created_at", "created_at")?,
    })
}

fn user_from_row(row: &AnyRow) -> Result<User, StoreError> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        school_id: row.try_get("school_id")?,
        display_name: row.try_get("display_name")?,
        role: role.parse().map_err(|_| StoreError::Corrupt {
            what: "users.role",
            detail: role.clone(),
        })?,
        created_at: time_at(row, "users.created_at", "created_at")?,
    })
}

impl Store {
    /// Registers a school. A code already in use is a [`StoreError::Conflict`].
    pub async fn create_school(
        &self,
        new: &NewSchool,
        now: OffsetDateTime,
    ) -> Result<School, StoreError> {
        let row = sqlx::query(concat!(
            "INSERT INTO schools (id, code, name, province, issuer_id, created_at) ",
            "VALUES ($1, $2, $3, $4, $5, $6) RETURNING ",
            school_columns!()
        ))
        .bind(new_id())
        .bind(&new.code)
        .bind(&new.name)
        .bind(&new.province)
        .bind(&new.issuer_id)
        .bind(to_text(now)?)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| {
            unique_as(e, || {
                format!("school code {} is already registered", new.code)
            })
        })?;
        school_from_row(&row)
    }

    /// The school with this code.
    pub async fn school_by_code(&self, code: &str) -> Result<School, StoreError> {
        self.one_school(
            concat!(
                "SELECT ",
                school_columns!(),
                " FROM schools WHERE code = $1"
            ),
            code,
        )
        .await
    }

    /// The school with this internal id.
    pub async fn school(&self, school_id: &str) -> Result<School, StoreError> {
        self.one_school(
            concat!("SELECT ", school_columns!(), " FROM schools WHERE id = $1"),
            school_id,
        )
        .await
    }

    /// The school that `sql` (one parameter, `key`) selects; none is [`StoreError::NotFound`].
    async fn one_school(&self, sql: &'static str, key: &str) -> Result<School, StoreError> {
        let row = sqlx::query(sql)
            .bind(key)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "school",
                id: key.to_owned(),
            })?;
        school_from_row(&row)
    }

    /// Every registered school, by code.
    pub async fn list_schools(&self) -> Result<Vec<School>, StoreError> {
        sqlx::query(concat!(
            "SELECT ",
            school_columns!(),
            " FROM schools ORDER BY code"
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(school_from_row)
        .collect()
    }

    /// Creates a user. The authority and portals have no school; everyone else has exactly
    /// one, which must exist. Guardians are bound to a pupil: [`Store::create_guardian`].
    pub async fn create_user(
        &self,
        new: &NewUser,
        now: OffsetDateTime,
    ) -> Result<User, StoreError> {
        if new.role == Role::Guardian {
            return Err(StoreError::InvalidInput {
                field: "role",
                reason: "a guardian is bound to a pupil: use create_guardian".into(),
            });
        }
        if new.role.has_school() == new.school_id.is_none() {
            return Err(StoreError::InvalidInput {
                field: "school_id",
                reason: format!(
                    "a user with role {} {} a school",
                    new.role,
                    if new.role.has_school() {
                        "must have"
                    } else {
                        "must not have"
                    }
                ),
            });
        }
        if let Some(school_id) = &new.school_id {
            self.school(school_id).await?;
        }
        let row = sqlx::query(concat!(
            "INSERT INTO users (id, school_id, display_name, role, created_at) ",
            "VALUES ($1, $2, $3, $4, $5) RETURNING ",
            user_columns!()
        ))
        .bind(new_id())
        .bind(new.school_id.as_deref())
        .bind(&new.display_name)
        .bind(new.role.as_str())
        .bind(to_text(now)?)
        .fetch_one(&self.pool)
        .await?;
        user_from_row(&row)
    }

    /// The user with this id.
    pub async fn user(&self, user_id: &str) -> Result<User, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE id = $1"
        ))
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "user",
            id: user_id.to_owned(),
        })?;
        user_from_row(&row)
    }
}
