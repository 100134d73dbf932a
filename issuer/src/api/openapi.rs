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
