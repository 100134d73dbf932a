//! Who is calling: the `Authorization: Bearer …` token resolved by the store into a
//! [`Caller`], and the role and tenancy checks every handler makes with it.
//!
//! Roles: a teacher imports and edits drafts; a principal does that too and validates, signs
//! and revokes; the authority reads across the province (naming a school with `?school=`).
//! A school user naming another school gets 404, exactly as for an id that does not exist.
//! Guardians (one pupil's family) and portals (admissions) use only the sharing endpoints
//! (`shares.rs`): [`Caller::school_for`] and [`Caller::own_school`] refuse them (403).

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use super::AppState;
use super::error::ApiError;
use crate::store::{Principal, Role, School};

/// An authenticated caller and, for teachers and principals, their school.
#[derive(Clone, Debug)]
pub struct Caller {
    /// What the token says.
    pub principal: Principal,
    /// The caller's school (`None` for the authority).
    pub school: Option<School>,
}

impl Caller {
    /// The user id, for the audit log and `created_by` columns.
    pub fn user_id(&self) -> &str {
        &self.principal.user_id
    }

    /// Refuses (403) unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role], needed: &'static str) -> Result<(), ApiError> {
        if roles.contains(&self.principal.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden {
                needed,
                have: self.principal.role.to_string(),
            })
        }
    }

    /// Refuses unless the caller may import and edit drafts (teacher or principal).
    pub fn require_editor(&self) -> Result<(), ApiError> {
        self.require(&[Role::Teacher, Role::Principal], "teacher or principal")
    }

    /// Refuses unless the caller is a principal.
    pub fn require_principal(&self) -> Result<(), ApiError> {
        self.require(&[Role::Principal], "principal")
    }

    /// The school whose data this request touches. A school user gets their own school (and
    /// 404 when naming another); the authority must name one with `?school=CODE`. Guardians
    /// and portals get 403.
    pub async fn school_for(
        &self,
        state: &AppState,
        requested: Option<&str>,
    ) -> Result<School, ApiError> {
        self.require(
            &[Role::Teacher, Role::Principal, Role::Authority],
            "teacher, principal or authority",
        )?;
        match (&self.school, requested) {
            (Some(own), None) => Ok(own.clone()),
            (Some(own), Some(code)) if own.code == code => Ok(own.clone()),
            (Some(_), Some(code)) => Err(ApiError::NotFound {
                what: "school",
                id: code.to_owned(),
            }),
            (None, Some(code)) => Ok(state.store().school_by_code(code).await?),
            (None, None) => Err(ApiError::BadRequest {
                detail: "the authority must name a school with ?school=CODE".to_owned(),
            }),
        }
    }

    /// The caller's own school, for changes (the authority changes no school's records, nor
    /// does a guardian).
    pub fn own_school(&self) -> Result<&School, ApiError> {
        let forbidden = || ApiError::Forbidden {
            needed: "teacher or principal of a school",
            have: self.principal.role.to_string(),
        };
        if !matches!(self.principal.role, Role::Teacher | Role::Principal) {
            return Err(forbidden());
        }
        self.school.as_ref().ok_or_else(forbidden)
    }

    /// For a guardian: their school and the id of the pupil the token speaks for; 403 for
    /// every other role.
    pub fn guardian_of(&self) -> Result<(&School, &str), ApiError> {
        let forbidden = || ApiError::Forbidden {
            needed: "guardian",
            have: self.principal.role.to_string(),
        };
        if self.principal.role != Role::Guardian {
            return Err(forbidden());
        }
        match (&self.school, self.principal.pupil_id.as_deref()) {
            (Some(school), Some(pupil_id)) => Ok((school, pupil_id)),
            _ => Err(forbidden()),
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(ApiError::Unauthorized)?;
        let (scheme, token) = header
            .trim()
            .split_once(' ')
            .ok_or(ApiError::Unauthorized)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(ApiError::Unauthorized);
        }
        let principal = state
            .store()
            .authenticate(token.trim(), state.now())
            .await?
            .ok_or(ApiError::Unauthorized)?;
        let school = match &principal.school_id {
            Some(id) => Some(state.store().school(id).await?),
            None => None,
        };
        Ok(Caller { principal, school })
    }
}
