//! The authority's trust-list life cycle over HTTP (role `authority` only; others get 403):
//! register and list schools, add, retire and mark keys compromised, publish a new signed
//! version and list the versions. And, for a school's principal, `GET /api/v1/reissue`: the
//! school's credentials signed by a compromised key that are not replaced yet.
//!
//! The rules live in [`crate::authority`]; this module parses, checks roles and answers.
//! Bad input is a 400 problem whose `errors` name the field, the rule and the value. After a
//! publication the service switches its signing keys to the new list at once
//! ([`crate::app::school_keys::SchoolKeys::select`]) and drops cached status lists of schools whose key changed.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hocba_schema::credential::parse_time;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use super::auth::Caller;
use super::error::{ApiError, ProblemDetails, parse_json};
use super::{AppState, Body};
use crate::authority::{self as life, Actor, DEFAULT_NEXT_DUE_DAYS, SchoolRegistration};
use crate::store::{KeyCredential, Role, School, SchoolKey, TrustVersion};

pub(crate) mod national;
mod refusal;

pub use refusal::Refusal;
use refusal::{NotAuthority, field_refusal};

fn require_authority(caller: &Caller) -> Result<(), ApiError> {
    caller.require(&[Role::Authority], "authority")
}

fn actor<'a>(caller: &'a Caller, state: &AppState) -> Actor<'a> {
    Actor {
        user_id: Some(caller.user_id()),
        channel: "api",
        now: state.now(),
    }
}

/// How every handler of one school's keys starts: the caller must be the authority (403), then
/// the body is parsed with `parse` (400), then the school with `code` is looked up (404), in
/// that order; the request and the school.
async fn school_request<T>(
    state: &AppState,
    caller: &Caller,
    code: &str,
    parse: impl FnOnce() -> Result<T, ApiError>,
) -> Result<(T, School), Refusal> {
    require_authority(caller)?;
    let request = parse()?;
    let school = state.store().school_by_code(code).await?;
    Ok((request, school))
}

/// An optional JSON body: empty means all defaults.
fn optional_body<T: DeserializeOwned + Default>(body: &axum::body::Bytes) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(T::default())
    } else {
        parse_json(body)
    }
}

fn time_field(field: &str, value: Option<&str>) -> Result<Option<OffsetDateTime>, Refusal> {
    value
        .map(|v| {
            parse_time(field, v).map_err(|_| {
                field_refusal(
                    field,
                    "rfc3339-date-time",
                    Value::from(v),
                    "not an RFC 3339 date-time (e.g. 2026-01-15T00:00:00Z)".into(),
                )
            })
        })
        .transpose()
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// A school to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterSchoolRequest {
    /// MOET school code (mã trường), 1–20 letters and digits.
    pub code: String,
    /// School name.
    pub name: String,
    /// Province.
    pub province: String,
}

/// A school key and its life cycle.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KeyView {
    /// Verification method id: `<issuer id>#<publicKeyMultibase>`.
    pub id: String,
    /// `z6Mk…`: the key's identity in paths (`{keyId}`).
    pub public_key_multibase: String,
    /// `active`, `retired` or `compromised`.
    pub status: String,
    /// From when its signatures count.
    pub valid_from: String,
    /// When it was retired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retired_at: Option<String>,
    /// When it was marked compromised (since when it is believed lost).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compromised_at: Option<String>,
    /// When it was added.
    pub added_at: String,
}

impl KeyView {
    fn new(school: &School, k: &SchoolKey) -> Self {
        KeyView {
            id: format!("{}#{}", school.issuer_id, k.public_key_multibase),
            public_key_multibase: k.public_key_multibase.clone(),
            status: life::status_text(k.status).to_owned(),
            valid_from: rfc3339(k.valid_from),
            retired_at: k.retired_at.map(rfc3339),
            compromised_at: k.compromised_at.map(rfc3339),
            added_at: rfc3339(k.added_at),
        }
    }
}

/// A registered school with its keys.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SchoolView {
    /// MOET school code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Province.
    pub province: String,
    /// Issuer id in credentials and the trust list.
    pub issuer_id: String,
    /// Its keys, oldest first.
    pub keys: Vec<KeyView>,
}

async fn school_view(state: &AppState, school: School) -> Result<SchoolView, Refusal> {
    let keys = state.store().school_keys(&school.id).await?;
    Ok(SchoolView {
        keys: keys.iter().map(|k| KeyView::new(&school, k)).collect(),
        code: school.code,
        name: school.name,
        province: school.province,
        issuer_id: school.issuer_id,
    })
}

/// Register a school (issuer id `urn:hocba:school:<code>`). Authority only.
#[utoipa::path(
    post,
    path = "/api/v1/authority/schools",
    tag = "authority",
    request_body = RegisterSchoolRequest,
    responses(
        (status = 201, description = "Registered", body = SchoolView),
        (status = 400, description = "A field breaks a rule", body = ProblemDetails, content_type = "application/problem+json"),
        NotAuthority,
        (status = 409, description = "The code is already registered", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn register_school(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> Result<Response, Refusal> {
    require_authority(&caller)?;
    let request: RegisterSchoolRequest = parse_json(&body)?;
    let school = life::register_school(
        state.store(),
        &SchoolRegistration {
            code: request.code,
            name: request.name,
            province: request.province,
        },
        actor(&caller, &state),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(school_view(&state, school).await?),
    )
        .into_response())
}

/// Every registered school with its keys. Authority only.
#[utoipa::path(
    get,
    path = "/api/v1/authority/schools",
    tag = "authority",
    responses(
        (status = 200, description = "The schools, by code", body = Vec<SchoolView>),
        NotAuthority,
    ),
    security(("bearer" = []))
)]
pub async fn list_schools(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<SchoolView>>, Refusal> {
    require_authority(&caller)?;
    let mut out = Vec::new();
    for school in state.store().list_schools().await? {
        out.push(school_view(&state, school).await?);
    }
    out.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(Json(out))
}

/// A key to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddKeyRequest {
    /// The Ed25519 public key: `z6Mk…` (Multikey) or an SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    pub public_key: String,
    /// From when its signatures count (RFC 3339; default now).
    #[serde(default)]
    pub valid_from: Option<String>,
}

/// Add a key to a school (active from `validFrom`). Authority only.
#[utoipa::path(
    post,
    path = "/api/v1/authority/schools/{code}/keys",
    tag = "authority",
    params(("code" = String, Path, description = "School code")),
    request_body = AddKeyRequest,
    responses(
        (status = 201, description = "Added (effective at the next publication)", body = KeyView),
        (status = 400, description = "Not an Ed25519 public key, or a bad time", body = ProblemDetails, content_type = "application/problem+json"),
        NotAuthority,
        (status = 404, description = "No such school", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The key is already registered (here or for another school)", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn add_key(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Body(body): Body,
) -> Result<Response, Refusal> {
    let (request, school) = school_request(&state, &caller, &code, || {
        parse_json::<AddKeyRequest>(&body)
    })
    .await?;
    let valid_from = time_field("validFrom", request.valid_from.as_deref())?;
    let key = life::add_key(
        state.store(),
        &code,
        &request.public_key,
        valid_from,
        actor(&caller, &state),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(KeyView::new(&school, &key))).into_response())
}

/// When a key is retired.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RetireRequest {
    /// The retirement time (RFC 3339; default now). Signatures made before stay valid.
    #[serde(default)]
    pub at: Option<String>,
}

/// Retire a school key (rotation): it signs no more; what it signed before stays valid.
/// Authority only.
#[utoipa::path(
    post,
    path = "/api/v1/authority/schools/{code}/keys/{keyId}/retire",
    tag = "authority",
    params(
        ("code" = String, Path, description = "School code"),
        ("keyId" = String, Path, description = "The key's publicKeyMultibase (z6Mk…)"),
    ),
    request_body(content = RetireRequest, description = "Optional; empty means now"),
    responses(
        (status = 200, description = "Retired (effective at the next publication)", body = KeyView),
        (status = 400, description = "A bad time", body = ProblemDetails, content_type = "application/problem+json"),
        NotAuthority,
        (status = 404, description = "No such school or key of that school", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The key is not active", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn retire_key(
    State(state): State<AppState>,
    caller: Caller,
    Path((code, key_id)): Path<(String, String)>,
    Body(body): Body,
) -> Result<Json<KeyView>, Refusal> {
    let (request, school) = school_request(&state, &caller, &code, || {
        optional_body::<RetireRequest>(&body)
    })
    .await?;
    let at = time_field("at", request.at.as_deref())?;
    let key = life::retire_key(state.store(), &code, &key_id, at, actor(&caller, &state)).await?;
    Ok(Json(KeyView::new(&school, &key)))
}

/// Since when a key is believed compromised.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompromiseRequest {
    /// Since when (RFC 3339; default now). Every signature by the key becomes invalid anyway.
    #[serde(default)]
    pub since: Option<String>,
}

/// A credential to re-issue.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReissueItem {
    /// The year record (correct it by revoking and signing again).
    pub record_id: String,
    /// The credential signed by the compromised key.
    pub credential_id: String,
    /// The pupil's name.
    pub pupil_name: String,
    /// The pupil's key.
    pub pupil_key: String,
    /// School year.
    pub school_year: String,
    /// Class.
    pub class_name: String,
    /// The compromised verification method that signed it.
    pub verification_method: String,
    /// When it was revoked, if it already was (waiting for its re-issue).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
}

impl From<KeyCredential> for ReissueItem {
    fn from(c: KeyCredential) -> Self {
        ReissueItem {
            record_id: c.record_id,
            credential_id: c.credential_id,
            pupil_name: c.pupil_name,
            pupil_key: c.pupil_key,
            school_year: c.school_year,
            class_name: c.class_name,
            verification_method: c.verification_method,
            revoked_at: c.revoked_at.map(rfc3339),
        }
    }
}

/// The compromised key and what must be re-issued.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CompromiseResponse {
    /// The key, now `compromised`.
    pub key: KeyView,
    /// Every credential it signed that is not replaced yet.
    pub credentials_to_reissue: Vec<ReissueItem>,
}

/// Mark a school key compromised: every credential it signed becomes invalid at the next
/// publication; the answer lists them (the school sees them at `GET /api/v1/reissue`).
/// Authority only.
#[utoipa::path(
    post,
    path = "/api/v1/authority/schools/{code}/keys/{keyId}/compromise",
    tag = "authority",
    params(
        ("code" = String, Path, description = "School code"),
        ("keyId" = String, Path, description = "The key's publicKeyMultibase (z6Mk…)"),
    ),
    request_body(content = CompromiseRequest, description = "Optional; empty means now"),
    responses(
        (status = 200, description = "Marked compromised", body = CompromiseResponse),
        (status = 400, description = "A bad time", body = ProblemDetails, content_type = "application/problem+json"),
        NotAuthority,
        (status = 404, description = "No such school or key of that school", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Already compromised", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn compromise_key(
    State(state): State<AppState>,
    caller: Caller,
    Path((code, key_id)): Path<(String, String)>,
    Body(body): Body,
) -> Result<Json<CompromiseResponse>, Refusal> {
    let (request, school) = school_request(&state, &caller, &code, || {
        optional_body::<CompromiseRequest>(&body)
    })
    .await?;
    let since = time_field("since", request.since.as_deref())?;
    let (key, affected) =
        life::compromise_key(state.store(), &code, &key_id, since, actor(&caller, &state)).await?;
    Ok(Json(CompromiseResponse {
        key: KeyView::new(&school, &key),
        credentials_to_reissue: affected.into_iter().map(ReissueItem::from).collect(),
    }))
}

/// How to publish.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PublishRequest {
    /// Days until the next version is due (1–3650; default 30).
    #[serde(default)]
    pub next_due_days: Option<u32>,
}

/// A published version.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VersionView {
    /// The version number (only grows).
    pub version: u64,
    /// When it was made (`validFrom`).
    pub made: String,
    /// When the next one is due (`validUntil`).
    pub next_due: String,
    /// SHA-256 of the signed list (hex; its ETag).
    pub sha256: String,
    /// `publish` or `import` (the key directory's file on first start).
    pub source: String,
}

impl From<&TrustVersion> for VersionView {
    fn from(v: &TrustVersion) -> Self {
        VersionView {
            version: v.version,
            made: rfc3339(v.made_at),
            next_due: rfc3339(v.next_due),
            sha256: v.sha256.clone(),
            source: v.source.clone(),
        }
    }
}

/// Publish a new signed version of the trust list (made now, due again in `nextDueDays`),
/// served at once at `/.well-known/hocba/trust-list.json`; this service signs with the keys it
/// makes active from now on. Authority only.
#[utoipa::path(
    post,
    path = "/api/v1/authority/trust-list",
    tag = "authority",
    request_body(content = PublishRequest, description = "Optional; empty means defaults"),
    responses(
        (status = 201, description = "Published", body = VersionView),
        (status = 400, description = "nextDueDays out of range", body = ProblemDetails, content_type = "application/problem+json"),
        NotAuthority,
        (status = 409, description = "This server has no usable authority key", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> Result<Response, Refusal> {
    require_authority(&caller)?;
    let request: PublishRequest = optional_body(&body)?;
    // The one publishing workflow (the Department's page calls it too); the API publishes
    // whatever version is the latest, so it passes no version seen.
    let published = state
        .issuer()
        .publish_trust_list(
            request.next_due_days.unwrap_or(DEFAULT_NEXT_DUE_DAYS),
            None,
            actor(&caller, &state),
        )
        .await?;
    let version = match published {
        crate::app::trust_publish::Published::New(v)
        | crate::app::trust_publish::Published::Already(v) => v,
    };
    let mut response = (StatusCode::CREATED, Json(VersionView::from(&version))).into_response();
    response.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_static(hocba_schema::publication::TRUST_LIST_PATH),
    );
    Ok(response)
}

/// Published versions, newest first (at most 100). Authority only.
#[utoipa::path(
    get,
    path = "/api/v1/authority/trust-list/versions",
    tag = "authority",
    responses(
        (status = 200, description = "The versions, newest first", body = Vec<VersionView>),
        NotAuthority,
    ),
    security(("bearer" = []))
)]
pub async fn list_versions(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<VersionView>>, Refusal> {
    require_authority(&caller)?;
    let versions = state.store().trust_versions(100).await?;
    Ok(Json(versions.iter().map(VersionView::from).collect()))
}

/// The caller's school's credentials signed by a compromised key and not replaced yet: the
/// records to re-issue (revoke, then sign again; the new credential names the old one).
/// Principals.
#[utoipa::path(
    get,
    path = "/api/v1/reissue",
    tag = "authority",
    responses(
        (status = 200, description = "Records to re-issue, oldest first", body = Vec<ReissueItem>),
        (status = 403, description = "Not a principal", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn reissue(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ReissueItem>>, Refusal> {
    caller.require_principal()?;
    let school = caller.own_school()?.clone();
    let items = life::reissue_list(state.store(), &school).await?;
    Ok(Json(items.into_iter().map(ReissueItem::from).collect()))
}
