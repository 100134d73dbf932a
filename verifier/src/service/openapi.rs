//! The OpenAPI 3.1 description of the service, served at `GET /api/v1/openapi.json`, and the
//! Swagger UI docs page at `GET /api/v1/docs` (its files are vendored into the binary at build
//! time, so the page works without Internet).

use axum::Router;
use serde_json::{Value, json};
use utoipa_swagger_ui::SwaggerUi;

/// Where the document is served.
pub(super) const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// Routes: the document and the docs page.
pub(super) fn router() -> Router {
    Router::from(SwaggerUi::new("/api/v1/docs").external_url_unchecked(OPENAPI_PATH, document()))
}

fn problem_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    })
}

/// The OpenAPI 3.1 document (with the admissions routes, [`super::admissions::add_openapi`]).
pub(super) fn document() -> Value {
    let mut doc = base_document();
    super::admissions::add_openapi(&mut doc);
    doc
}

fn base_document() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "hocba-verify serve — học bạ số verifier",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Verifies digital school records (học bạ số): W3C Verifiable Credentials signed with eddsa-jcs-2022, the signed QR summary of a printed record, and the credential embedded in its PDF. Trust comes from the education authority's signed trust list and the schools' signed Bitstring Status Lists (offline bundle or fetched online). Errors are RFC 9457 problem details. Limits: body 100 MiB for multipart and 16 MiB for JSON (413), 1,000 items per request (413), request time 60 s (408), header time 10 s, verification work 30 s (503 verification-timeout). A POST waits for one of the 4 verification slots (at most 20 s, then 503 busy) before its body is read. A PDF carrying more than one embedded credential is answered with the item error `pdf_many_credentials`."
        },
        "paths": {
            "/health": {"get": {
                "summary": "Liveness and the trust material in use",
                "description": "`mode` (`online` / `offline`), `trustSource` (`kind`: `bundle`, `issuer` with its `url`, or `federation` with the root's `url`, `nationalVersion`, `provinces` and `provincesFetched`: with `--online ROOT` and the root key as `--authority`, only the provinces the requests needed are fetched), and the trust list in use (from a federation: the national list).",
                "responses": {"200": {"description": "Service state", "content": {"application/json": {"schema": {"type": "object"}}}}}
            }},
            "/api/v1/verify": {"post": {
                "summary": "Verify one or many items (credential JSON, scanned QR text, PDF, QR photo)",
                "description": "JSON: {\"items\":[{\"credential\":{…}} | {\"qr\":\"…\"}]}. Multipart: one or more file fields (PDF, credential JSON, PNG/JPEG photo of the QR) and `qr` text fields. Each item is answered in order; an item that cannot be read is answered with verdict `error`, the others are still checked.",
                "requestBody": {"required": true, "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/VerifyRequest"}},
                    "multipart/form-data": {"schema": {"type": "object", "minProperties": 1, "properties": {
                        "file": {"anyOf": [
                            {"type": "string", "minLength": 1, "contentMediaType": "application/octet-stream"},
                            {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1, "contentMediaType": "application/octet-stream"}}
                        ]},
                        "qr": {"anyOf": [
                            {"type": "string"},
                            {"type": "array", "items": {"type": "string"}}
                        ]}
                    }}}
                }},
                "responses": {
                    "200": {"description": "One report per item", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VerifyResponse"}}}},
                    "400": problem_response("Malformed JSON or multipart body"),
                    "408": problem_response("The request took longer than the request timeout"),
                    "413": problem_response("Body larger than 100 MiB (multipart) or 16 MiB (JSON), or more than 1,000 items"),
                    "415": problem_response("Neither JSON nor multipart"),
                    "422": problem_response("No items"),
                    "503": problem_response("No trust material yet, too many heavy requests at once (`busy`), or the work took longer than its deadline (`verification-timeout`); Retry-After")
                }
            }},
            "/credentials/verify": {"post": {
                "summary": "W3C VC-API: verify a credential",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["verifiableCredential"], "properties": {
                    "verifiableCredential": {"type": "object"},
                    "options": {"type": "object"}
                }}}}},
                "responses": {
                    "200": {"description": "Verified", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VcApiResult"}}}},
                    "400": {"description": "Not verified (errors say why) or malformed request", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VcApiResult"}}, "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                    "413": problem_response("Body larger than 16 MiB"),
                    "503": problem_response("Too many heavy requests at once (`busy`), no trust material, or past the work deadline (`verification-timeout`); Retry-After")
                }
            }},
            "/V/{digits}": {"get": {
                "summary": "QR landing page (HTML) for the QR text <BASE>/V/<digits>; ?lang=en for English",
                "parameters": [
                    {"name": "digits", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9]+$"}},
                    {"name": "lang", "in": "query", "schema": {"type": "string", "enum": ["vi", "en"]}}
                ],
                "responses": {"200": {"description": "Verdict page", "content": {"text/html": {}}}, "400": {"description": "Unreadable QR text", "content": {"text/html": {}}}}
            }},
            "/v/{digits}": {"get": {
                "summary": "Same as /V/{digits}",
                "parameters": [
                    {"name": "digits", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9]+$"}},
                    {"name": "lang", "in": "query", "required": false, "schema": {"type": "string", "enum": ["vi", "en"]}}
                ],
                "responses": {"200": {"description": "Verdict page", "content": {"text/html": {}}}, "400": {"description": "Unreadable QR text", "content": {"text/html": {}}}}
            }},
            "/upload": {
                "get": {"summary": "Upload form (HTML)", "responses": {"200": {"description": "Form", "content": {"text/html": {}}}}},
                "post": {
                    "summary": "Verify one uploaded PDF, credential JSON or QR photo, or a `qr` text field → result page (HTML)",
                    "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": {"type": "object", "minProperties": 1, "properties": {"file": {"type": "string", "minLength": 1, "contentMediaType": "application/octet-stream"}, "qr": {"type": "string", "minLength": 1}}}}}},
                    "responses": {"200": {"description": "Result page", "content": {"text/html": {}}}, "400": {"description": "Not a multipart form, or a malformed one", "content": {"text/html": {}}}, "408": {"description": "The request took longer than the request timeout", "content": {"text/html": {}}}, "413": {"description": "Body larger than the limit", "content": {"text/html": {}}}, "422": {"description": "Unreadable file (or a PDF with more than one credential)", "content": {"text/html": {}}}, "503": {"description": "Busy, or past the work deadline", "content": {"text/html": {}}}}
                }
            },
            "/": {"get": {"summary": "Upload form (HTML)", "responses": {"200": {"description": "Form", "content": {"text/html": {}}}}}},
            "/api/v1/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}}}},
            "/api/v1/docs": {"get": {"summary": "Docs page (works offline)", "responses": {"200": {"description": "Swagger UI", "content": {"text/html": {}}}}}}
        },
        "components": {"schemas": {
            "Problem": {"type": "object", "description": "RFC 9457 problem details", "required": ["type", "title", "status", "detail", "rule"], "properties": {
                "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                "detail": {"type": "string"}, "field": {"type": "string"}, "rule": {"type": "string"},
                "value": {}, "limit": {"type": "integer"}
            }},
            "VerifyRequest": {"type": "object", "required": ["items"], "additionalProperties": false, "properties": {
                "items": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {"oneOf": [
                    {"type": "object", "required": ["credential"], "properties": {"credential": {"type": "object"}}, "additionalProperties": false},
                    {"type": "object", "required": ["qr"], "properties": {"qr": {"type": "string"}}, "additionalProperties": false}
                ]}}
            }},
            "Message": {"type": "object", "properties": {"vi": {"type": "string"}, "en": {"type": "string"}}},
            "Check": {"type": "object", "properties": {
                "name": {"type": "string", "enum": ["integrity", "issuer", "key_validity", "validity_period", "status", "format", "trust_list"]},
                "outcome": {"type": "string", "enum": ["passed", "failed", "warning", "not_checked"]},
                "reason": {"type": "string"}, "message": {"$ref": "#/components/schemas/Message"}, "detail": {"type": "string"}
            }},
            "ItemReport": {"type": "object", "required": ["index", "kind", "verdict", "dates"], "properties": {
                "pupil": {"type": "object", "description": "Who the record is about, as the item states it (what the school signed when verified is true)", "properties": {
                    "fullName": {"type": "string"}, "className": {"type": "string"}, "schoolYear": {"type": "string"}, "grade": {"type": "string"}, "verified": {"type": "boolean"}
                }},
                "statusAsOf": {"type": "string", "format": "date-time", "description": "The signed validFrom of the status list checked: the time the revocation status is known as of"},
                "index": {"type": "integer"},
                "name": {"type": "string"},
                "kind": {"type": "string", "enum": ["credential", "qr_summary", "unreadable"]},
                "verdict": {"type": "string", "enum": ["valid", "invalid", "revoked", "status_unknown", "error"]},
                "reason": {"type": "object", "properties": {"code": {"type": "string"}, "message": {"$ref": "#/components/schemas/Message"}}},
                "school": {"type": "object", "properties": {"id": {"type": "string"}, "code": {"type": "string"}, "name": {"type": "string"}, "province": {"type": "string"}, "trusted": {"type": "boolean"}}},
                "credentialId": {"type": "string"},
                "dates": {"type": "object", "properties": {"validFrom": {"type": "string"}, "validUntil": {"type": "string"}, "signedAt": {"type": "string"}}},
                "record": {"$ref": "#/components/schemas/NormalisedRecord"},
                "summary": {"type": "object"},
                "checks": {"type": "array", "items": {"$ref": "#/components/schemas/Check"}},
                "detail": {"type": "string"},
                "pdfSignatures": {"$ref": "#/components/schemas/PdfSignatures"}
            }},
            "PdfSignatures": {"type": "object", "description": "For an uploaded PDF: its own signatures (PAdES), as `hocba-verify RECORD.pdf --pki-root FILE --json` reports them; chains are checked up to the `serve --pki-root` certificate. When `status` is `invalid` (a signature breaks, a later revision alters content, or the seal is not the certificate the trust list binds to the school) the item's verdict is `invalid` with this reason. A PDF without signatures is `unsigned` and still verifies by its credential.", "required": ["status", "signatures", "development"], "properties": {
                "status": {"type": "string", "enum": ["unsigned", "valid", "invalid", "not_checked"]},
                "reason": {"type": ["string", "null"], "description": "Why not valid (the first failure), or `pdf_unsigned`, e.g. `pdf_signature_mismatch`, `pdf_modified_after_signing`, `pdf_seal_not_bound`, `pdf_certificate_not_valid_at_signing`, `pdf_root_not_given`"},
                "development": {"type": "boolean", "description": "Development certificates signed: no legal value"},
                "sealBound": {"type": ["boolean", "null"], "description": "Whether the last signature's certificate is the seal the trust list binds to the school (null: the list binds none)"},
                "signatures": {"type": "array", "description": "In signing order: the principal, then the school seal", "items": {"type": "object", "properties": {
                    "field": {"type": "string"}, "signer": {"type": "string"},
                    "certificateSha256": {"type": ["string", "null"]},
                    "chain": {"type": "array", "items": {"type": "string"}},
                    "signedAt": {"type": ["string", "null"], "format": "date-time"},
                    "coversWholeFile": {"type": "boolean"}, "development": {"type": "boolean"},
                    "result": {"type": "string", "enum": ["valid", "invalid", "not_checked"]},
                    "reason": {"type": ["string", "null"]}, "detail": {"type": ["string", "null"]}
                }}}
            }},
            "NormalisedRecord": {"type": "object", "description": "The verified year record (only for valid credentials)", "properties": {
                "pupil": {"type": "object"}, "school": {"type": "object"},
                "schoolYear": {"type": ["string", "null"]}, "grade": {"type": ["integer", "null"]},
                "level": {"type": ["string", "null"], "enum": ["primary", "secondary", null]},
                "className": {"type": ["string", "null"]},
                "subjects": {"type": "array", "items": {"type": "object", "properties": {
                    "code": {"type": ["string", "null"]}, "name": {"type": ["string", "null"]},
                    "yearAverage": {"type": "number"}, "semester1Average": {"type": "number"}, "semester2Average": {"type": "number"},
                    "yearRating": {"type": "string"}, "endYearScore": {"type": "number"}, "exempt": {"type": "boolean"}
                }}},
                "learningResult": {"type": "object"}, "conductResult": {"type": "object"},
                "yearResult": {"type": "object"}, "promotion": {"type": ["object", "null"]}, "award": {"type": ["object", "null"]},
                "otherAwards": {"type": "array", "items": {"type": "string"}},
                "completion": {"type": ["object", "null"]}, "daysAbsent": {"type": ["integer", "null"]}, "approvalDate": {"type": ["string", "null"]}
            }},
            "VerifyResponse": {"type": "object", "properties": {
                "checkedAt": {"type": "string", "format": "date-time"},
                "count": {"type": "integer"},
                "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                "trustList": {"type": "object"},
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/ItemReport"}}
            }},
            "VcApiResult": {"type": "object", "required": ["verified", "checks", "warnings", "errors"], "properties": {
                "verified": {"type": "boolean"},
                "checks": {"type": "array", "items": {"type": "string"}},
                "warnings": {"type": "array", "items": {"type": "object"}},
                "errors": {"type": "array", "items": {"type": "object"}}
            }}
        }}
    })
}
