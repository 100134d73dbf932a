//! The OpenAPI 3.1 document's frame: title, version, tags and the bearer security scheme.
//! The operations come from the handlers' `#[utoipa::path]` attributes.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ComponentsBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Tag};

/// The document before the operations are added.
pub fn base() -> OpenApi {
    let mut bearer = Http::new(HttpAuthScheme::Bearer);
    bearer.description = Some(
        "An API token from `hocba-issuer token create` (`hb_…`), sent as `Authorization: Bearer hb_…`"
            .to_owned(),
    );
    let tags = ["health", "records", "batches", "credentials", "authority", "sharing"]
        .into_iter()
        .map(|name| {
            let mut tag = Tag::new(name);
            tag.description = Some(
                match name {
                    "health" => "Is the service up",
                    "records" => "Import, read, edit and validate year records (drafts)",
                    "batches" => "Sign a class or a list of records",
                    "authority" => "Trust list life cycle: schools, keys, versions; records to re-issue",
                    "sharing" => "Guardian tokens, share codes a family makes for chosen credentials, and their one-time redemption by admissions portals",
                    _ => "Signed credentials",
                }
                .to_owned(),
            );
            tag
        })
        .collect::<Vec<_>>();
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("hocba-issuer API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Học bạ số: a school imports its end-of-year records, checks them and signs \
                     them as W3C Verifiable Credentials. Errors are RFC 9457 problem details.",
                ))
                .build(),
        )
        .components(Some(
            ComponentsBuilder::new()
                .security_scheme("bearer", SecurityScheme::Http(bearer))
                .build(),
        ))
        .tags(Some(tags))
        .build()
}

/// Add to every operation the answers any request can get, so the document describes what the
/// service really answers: 400 (a malformed JSON body, query or path parameter), 401 and 429
/// for an operation that needs a token (none, unknown, expired or revoked; too many bad ones
/// from one client), 413 for an operation
/// with a body (over the body limit), each an RFC 9457 problem. Answers an operation already
/// documents are kept as they are.
pub fn complete(doc: &mut OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let problem = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ProblemDetails")))
                        .build(),
                )
                .build(),
        )
    };
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let answers = &mut operation.responses.responses;
            answers.entry("400".to_owned()).or_insert_with(|| {
                problem("Malformed request: JSON syntax, a query or path parameter")
            });
            if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
                answers
                    .entry("401".to_owned())
                    .or_insert_with(|| problem("No token, or an unknown, expired or revoked one"));
                answers.entry("429".to_owned()).or_insert_with(|| {
                    problem(
                        "Too many bad tokens from this client: locked for a while (Retry-After)",
                    )
                });
            }
            if operation.request_body.is_some() {
                answers
                    .entry("413".to_owned())
                    .or_insert_with(|| problem("Body larger than the limit"));
            }
        }
    }
}
