//! Shared pieces of the router tests (`api`, `status`, `authority`, `shares`): the repository's
//! files, one request through the router with `tower::ServiceExt::oneshot` and its answer,
//! users with tokens, and importing, validating and signing a class of the grade-5 example.

use std::ops::Range;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use hocba_issuer::store::{NewUser, Role, School, Store};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};
use tower::ServiceExt;

pub use hocba_test_support::files::{example, repo};

/// The wall clock (the router tests run in real time).
#[allow(clippy::disallowed_methods)]
pub fn wall_clock() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// Pupils `codes` of class 5A of the grade-5 example's school: the example with student codes
/// `17150424<i:02>` and personal identification numbers `0173150048<i:02>`.
pub fn class_5a(codes: Range<usize>) -> Value {
    let base = example("primary-grade5.json");
    Value::Array(
        codes
            .map(|i| {
                let mut r = base.clone();
                r["student"]["studentCode"] = json!(format!("17150424{i:02}"));
                // A pupil is recognised by the personal identification number first: each
                // pupil of the class has their own.
                r["student"]["personalIdNumber"] = json!(format!("0173150048{i:02}"));
                r
            })
            .collect(),
    )
}

/// A user of `school` (none: province-wide) with `role` and a token valid for `ttl` from
/// `now`: (user id, token).
pub async fn account(
    store: &Store,
    school: Option<&School>,
    role: Role,
    ttl: Duration,
    now: OffsetDateTime,
) -> (String, String) {
    let user = store
        .create_user(
            &NewUser {
                school_id: school.map(|s| s.id.clone()),
                display_name: format!("Người dùng {role}"),
                role,
            },
            now,
        )
        .await
        .unwrap();
    let token = store.create_token(&user.id, ttl, now).await.unwrap();
    (user.id, token.secret.expose().to_owned())
}

/// The token of a new user (see [`account`]).
pub async fn token(
    store: &Store,
    school: Option<&School>,
    role: Role,
    ttl: Duration,
    now: OffsetDateTime,
) -> String {
    account(store, school, role, ttl, now).await.1
}

/// The answer to one request.
pub struct Answer {
    /// The status code.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

impl Answer {
    /// The body as JSON (panics, showing the body, when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A header's value, or "" without it.
    pub fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or_default()
    }

    /// The `content-type`, or "" without one.
    pub fn content_type(&self) -> &str {
        self.header(header::CONTENT_TYPE)
    }

    /// Asserts the status; the body as JSON.
    pub fn ok(&self, status: StatusCode) -> Value {
        assert_eq!(self.status, status, "{}", self.text());
        self.json()
    }

    /// Asserts the status; the body as JSON, or `null` when it is empty.
    pub fn expect(&self, status: StatusCode) -> Value {
        assert_eq!(self.status, status, "{}", self.text());
        if self.body.is_empty() {
            Value::Null
        } else {
            self.json()
        }
    }

    /// Asserts the status and that the body is a problem details document with it.
    pub fn problem(&self, status: StatusCode) -> Value {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(self.content_type(), "application/problem+json");
        let body = self.json();
        assert_eq!(body["status"], status.as_u16());
        assert!(body["type"].as_str().unwrap().starts_with("/problems/"));
        assert!(body["title"].is_string() && body["detail"].is_string());
        body
    }

    /// Asserts a refused share code: status, rule, field, and the code not echoed.
    pub fn code_refused(&self, status: StatusCode, rule: &str, code: &str) {
        let body = self.problem(status);
        assert_eq!(body["errors"][0]["rule"], rule, "{body}");
        assert_eq!(body["errors"][0]["pointer"], "/code");
        assert!(!self.text().contains(&code[3..]), "the code is echoed");
    }
}

/// One request through `app`, with a bearer `token` when there is one and `headers`.
pub async fn call(
    app: &Router,
    method: Method,
    uri: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: impl Into<Body>,
) -> Answer {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = app
        .clone()
        .oneshot(request.body(body.into()).unwrap())
        .await
        .unwrap();
    Answer {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.into_body().collect().await.unwrap().to_bytes(),
    }
}

/// [`call`] with a JSON body (and its `content-type`) when there is one.
pub async fn call_json(
    app: &Router,
    method: Method,
    uri: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> Answer {
    match body {
        Some(v) => {
            let mut all = vec![("content-type", "application/json")];
            all.extend_from_slice(headers);
            call(app, method, uri, token, &all, v.to_string()).await
        }
        None => call(app, method, uri, token, headers, Body::empty()).await,
    }
}

/// A GET.
pub async fn get(app: &Router, uri: &str, token: Option<&str>) -> Answer {
    call(app, Method::GET, uri, token, &[], Body::empty()).await
}

/// A POST of JSON.
pub async fn post_json(app: &Router, uri: &str, token: &str, body: &Value) -> Answer {
    post_with(app, uri, token, &[], body).await
}

/// A POST of JSON with more `headers`.
pub async fn post_with(
    app: &Router,
    uri: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: &Value,
) -> Answer {
    call_json(app, Method::POST, uri, Some(token), headers, Some(body)).await
}

/// A POST of `body` as `content_type`.
pub async fn post_raw(
    app: &Router,
    uri: &str,
    token: &str,
    content_type: &str,
    body: impl Into<Body>,
) -> Answer {
    let headers = [("content-type", content_type)];
    call(app, Method::POST, uri, Some(token), &headers, body).await
}

/// A PUT of JSON, with `if-match` when there is one.
pub async fn put_json(
    app: &Router,
    uri: &str,
    token: &str,
    if_match: Option<&str>,
    body: &Value,
) -> Answer {
    let headers: Vec<(&str, &str)> = if_match.iter().map(|v| ("if-match", *v)).collect();
    call_json(app, Method::PUT, uri, Some(token), &headers, Some(body)).await
}

/// Validates record `id` as `token`.
pub async fn validate(app: &Router, token: &str, id: &str) -> Answer {
    let uri = format!("/api/v1/records/{id}/validate");
    call(app, Method::POST, &uri, Some(token), &[], Body::empty()).await
}

/// Imports `records` as `token` and returns the saved ids (asserting every one is saved).
pub async fn import(app: &Router, token: &str, records: &Value) -> Vec<String> {
    let answer = post_json(app, "/api/v1/records", token, records).await;
    answer.ok(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            assert_eq!(i["saved"], true, "{i}");
            i["recordId"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// Imports `records` as `teacher` and validates each as `principal` (asserting 200); the ids.
pub async fn import_validated(
    app: &Router,
    teacher: &str,
    principal: &str,
    records: &Value,
) -> Vec<String> {
    let ids = import(app, teacher, records).await;
    for id in &ids {
        validate(app, principal, id).await.ok(StatusCode::OK);
    }
    ids
}

/// Imports and validates pupils `codes` of class 5A and signs the class of 2025-2026 as
/// `principal` (batch idempotency key `key`), asserting 201; the batch.
pub async fn sign_class_5a(
    app: &Router,
    teacher: &str,
    principal: &str,
    codes: Range<usize>,
    key: &str,
) -> Value {
    import_validated(app, teacher, principal, &class_5a(codes)).await;
    post_with(
        app,
        "/api/v1/batches",
        principal,
        &[("idempotency-key", key)],
        &json!({"schoolYear": "2025-2026", "className": "5A"}),
    )
    .await
    .ok(StatusCode::CREATED)
}

/// The ids of the credentials of class 5A of 2025-2026, as `token` sees them (asserting 200).
pub async fn class_credential_ids(app: &Router, token: &str) -> Vec<String> {
    get(app, "/api/v1/classes/2025-2026/5A/credentials", Some(token))
        .await
        .ok(StatusCode::OK)
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Credential `id` as `token` reads it (asserting 200): its JSON.
pub async fn credential(app: &Router, token: &str, id: &str) -> Vec<u8> {
    let answer = get(app, &format!("/api/v1/credentials/{id}"), Some(token)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    answer.body.to_vec()
}

/// The `credentialStatus.statusListCredential` of `credential`.
pub fn list_url(credential: &[u8]) -> String {
    let v: Value = serde_json::from_slice(credential).unwrap();
    v["credentialStatus"]["statusListCredential"]
        .as_str()
        .unwrap()
        .to_owned()
}
