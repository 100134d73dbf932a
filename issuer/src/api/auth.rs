//! Who is calling: the `Authorization: Bearer …` token resolved by the store into a
//! [`Caller`], and the role and tenancy checks every handler makes with it.
//!
//! Roles: a teacher imports, edits and validates drafts (validating sends them to the
//! principal, as on the teacher's pages); a principal does that too and signs and revokes; the authority reads across the province (naming a school with `?school=`).
//! A school user naming another school gets 404, exactly as for an id that does not exist.
//! Guardians (one pupil's family) and portals (admissions) use only the sharing endpoints
//! (`shares.rs`): [`Caller::school_for`] and [`Caller::own_school`] refuse them (403).
//!
//! **Abuse limits.** A bearer token that is presented but unknown, expired or revoked counts
//! as a failed sign-in of the client ([`ClientAddr`]) under `store::SIGN_IN_PER_CLIENT`;
//! once a client is locked every request of it that presents a token gets 429 with
//! `Retry-After` and a problem body ([`too_many_attempts`]) — even one with a valid token, so
//! that a lock stops guessing rather than only hiding its successes. Counters live in the
//! database (`store/attempts.rs`), so every instance behind one PostgreSQL sees the same
//! ones. The client is the TCP peer's address (an IPv6 address by its /64); `serve` passes
//! it in. Behind a reverse proxy every client is the proxy, and a router driven without peer
//! addresses (tests) sees every client as `unknown`.

use std::net::{IpAddr, SocketAddr};

use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

use super::AppState;
use super::error::{ApiError, ProblemDetails};
use crate::store::{Principal, Refused, Role, SIGN_IN_PER_CLIENT, School};

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
    /// A problem: 401, 429 (a locked client), or a store failure.
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| ApiError::Unauthorized.into_response())?;
        let (scheme, token) = header
            .trim()
            .split_once(' ')
            .ok_or_else(|| ApiError::Unauthorized.into_response())?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(ApiError::Unauthorized.into_response());
        }
        let client = ClientAddr::of(parts);
        let now = state.now();
        let store = state.store();
        let api = |e: crate::store::StoreError| ApiError::from(e).into_response();
        if let Some(refused) = store
            .attempt_locked(&SIGN_IN_PER_CLIENT, &client.0, now)
            .await
            .map_err(api)?
        {
            return Err(too_many_attempts(&refused, now));
        }
        let Some(principal) = store.authenticate(token.trim(), now).await.map_err(api)? else {
            crate::ops::metrics::sign_in_failed();
            store
                .record_failure(&SIGN_IN_PER_CLIENT, &client.0, now)
                .await
                .map_err(api)?;
            return Err(ApiError::Unauthorized.into_response());
        };
        let school = match &principal.school_id {
            Some(id) => Some(store.school(id).await.map_err(api)?),
            None => None,
        };
        Ok(Caller { principal, school })
    }
}

/// The client a request comes from, for the per-client limits: the peer's IP address (an
/// IPv6 address by its /64 prefix, which one subscriber usually holds whole), or `unknown`
/// when the router runs without peer addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub String);

impl ClientAddr {
    /// The client of the request with these parts.
    pub fn of(parts: &Parts) -> ClientAddr {
        let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() else {
            return ClientAddr("unknown".to_owned());
        };
        ClientAddr(match peer.ip() {
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) => match ip.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let s = ip.segments();
                    format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
                }
            },
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Self, std::convert::Infallible> {
        Ok(ClientAddr::of(parts))
    }
}

/// 429 for a locked key: `Retry-After` (whole seconds until the lock ends) and a problem
/// body naming the limit.
pub fn too_many_attempts(refused: &Refused, now: OffsetDateTime) -> Response {
    let retry_after = refused.retry_after_secs(now);
    let body = ProblemDetails {
        kind: "/problems/too-many-attempts".to_owned(),
        title: "Too many failed attempts".to_owned(),
        status: StatusCode::TOO_MANY_REQUESTS.as_u16(),
        detail: format!(
            "too many failed attempts ({}); try again in {retry_after} s / quá nhiều lần thử \
             không thành công; hãy thử lại sau {retry_after} giây",
            refused.scope
        ),
        errors: Vec::new(),
    };
    let mut response = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
