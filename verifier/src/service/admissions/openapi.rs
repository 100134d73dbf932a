//! The admissions routes in the service's OpenAPI 3.1 document.

use serde_json::{Value, json};

use super::request::XLSX;

/// Add the admissions paths and schemas to `doc`.
pub fn add_openapi(doc: &mut Value) {
    let problem = |d: &str| json!({"description": d, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}});
    let score = json!({"post": {
        "summary": "Admission scores for candidates from their verified grade 10–12 records",
        "description": "Each candidate (an id chosen by the portal, priority `area` and `policyGroup`, `bonus` points, and `items`) is checked: every item verified with its revocation status looked up (fail closed), the records of one pupil (personal identification number, name and date of birth agree), each grade the scheme needs present once and the school years consecutive, conduct and completion as the scheme asks. Then every combination of the scheme is scored with its breakdown; a refused candidate gets no score and the reason in Vietnamese and English. A share code is redeemed at the issuer when the service runs with `--online URL --portal-token-file FILE`. `Accept: text/csv` or the XLSX media type gives the committee's table (Vietnamese headers, one row per candidate and combination, sorted by score, the verification result in its own column). The scheme format: schema/docs/admissions.md.",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdmissionsRequest"}}}},
        "responses": {
            "200": {"description": "Each candidate scored or refused", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/AdmissionsResponse"}},
                "text/csv": {"schema": {"type": "string"}},
                XLSX: {"schema": {"type": "string", "contentMediaType": XLSX}}
            }},
            "400": problem("Malformed JSON"),
            "413": problem("Body larger than 16 MiB, or more than 1,000 items in all"),
            "415": problem("Not JSON"),
            "422": problem("Unknown scheme or a scheme file with a mistake (`invalid-scheme`, the line in `limit`), an area or policy group the scheme does not know, a duplicate candidate id, an item without exactly one of credential/pdf/qr/shareCode"),
            "503": problem("No trust material, busy, or past the work deadline")
        }
    }});
    let page = json!({
        "get": {"summary": "The admissions officer's page (HTML): a ZIP of PDFs or share codes, a scheme", "responses": {"200": {"description": "Form", "content": {"text/html": {}}}}},
        "post": {"summary": "The ranked table with each candidate's breakdown (HTML), and a link to its XLSX",
                 "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": {"type": "object", "properties": {
                     "scheme": {"type": "string"}, "zip": {"type": "string", "contentMediaType": "application/zip"}, "candidates": {"type": "string"}
                 }}}}},
                 "responses": {"200": {"description": "Result page", "content": {"text/html": {}}}, "422": {"description": "The form has a mistake (said on the page)", "content": {"text/html": {}}}}}
    });
    let export = json!({"get": {"summary": "A result of the page as XLSX (kept in memory under a random token; the last 32)",
        "parameters": [{"name": "token", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "Workbook", "content": {XLSX: {}}}, "404": {"description": "No longer kept", "content": {"text/html": {}}}}}});
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        paths.insert("/api/v1/admissions/score".into(), score);
        paths.insert("/admissions".into(), page);
        paths.insert("/admissions/results/{token}/xet-tuyen.xlsx".into(), export);
    }
    let item = json!({"oneOf": [
        {"type": "object", "required": ["credential"], "properties": {"credential": {"type": "object"}}, "additionalProperties": false},
        {"type": "object", "required": ["pdf"], "properties": {"pdf": {"type": "string", "contentEncoding": "base64"}}, "additionalProperties": false},
        {"type": "object", "required": ["qr"], "properties": {"qr": {"type": "string"}}, "additionalProperties": false},
        {"type": "object", "required": ["shareCode"], "properties": {"shareCode": {"type": "string"}}, "additionalProperties": false}
    ]});
    let candidate_in = json!({"type": "object", "required": ["id", "items"], "additionalProperties": false, "properties": {
        "id": {"type": "string", "minLength": 1, "maxLength": 64},
        "area": {"type": "string", "examples": ["KV1", "KV2-NT", "KV2", "KV3"]},
        "policyGroup": {"type": "string", "examples": ["UT1", "UT2"]},
        "bonus": {"type": "number", "minimum": 0},
        "items": {"type": "array", "minItems": 1, "items": item}
    }});
    let request = json!({"type": "object", "required": ["scheme", "candidates"], "additionalProperties": false, "properties": {
        "scheme": {"oneOf": [
            {"type": "string", "description": "A scheme's name: thong-tu-06-2025-ca-nam-lop-12, du-thao-2026-sau-hoc-ki, or one given with --scheme"},
            {"type": "object", "required": ["toml"], "properties": {"toml": {"type": "string", "description": "A scheme file's text"}}, "additionalProperties": false}
        ]},
        "candidates": {"type": "array", "minItems": 1, "items": candidate_in}
    }});
    let subject = json!({"type": "object", "properties": {
        "code": {"type": "string"}, "name": {"type": "string"}, "weight": {"type": "number"}, "average": {"type": "number"},
        "terms": {"type": "array", "items": {"type": "object", "properties": {"grade": {"type": "integer"}, "period": {"type": "string", "enum": ["semester1", "semester2", "year"]}, "value": {"type": "number"}}}}
    }});
    let score_out = json!({"type": "object", "properties": {
        "combination": {"type": "string"}, "name": {"type": "string"},
        "subjects": {"type": "array", "items": subject},
        "combinationScore": {"type": "number"}, "bonusGiven": {"type": "number"}, "bonus": {"type": "number"}, "bonusCapped": {"type": "boolean"},
        "priority": {"type": "object", "properties": {"area": {"type": "string"}, "group": {"type": "string"}, "nominal": {"type": "number"}, "reduced": {"type": "boolean"}, "applied": {"type": "number"}}},
        "cappedAtMax": {"type": "boolean"}, "total": {"type": "number"}
    }});
    let item_out = json!({"type": "object", "properties": {
        "index": {"type": "integer"}, "verdict": {"type": "string"}, "reason": {"type": "string"}, "credentialId": {"type": "string"},
        "grade": {"type": "integer"}, "schoolYear": {"type": "string"}, "school": {"type": "string"}, "used": {"type": "boolean"}
    }});
    let candidate_out = json!({"type": "object", "properties": {
        "id": {"type": "string"},
        "result": {"type": "string", "enum": ["scored", "refused"]},
        "pupil": {"type": "object", "properties": {"fullName": {"type": "string"}, "dateOfBirth": {"type": "string"}, "personalIdNumber": {"type": "string"}}},
        "items": {"type": "array", "items": item_out},
        "refusal": {"type": "object", "properties": {"code": {"type": "string"}, "item": {"type": "integer"}, "vi": {"type": "string"}, "en": {"type": "string"}}},
        "scores": {"type": "array", "items": score_out},
        "unscorable": {"type": "array", "items": {"type": "object"}},
        "best": {"type": "number"}
    }});
    let response = json!({"type": "object", "properties": {
        "checkedAt": {"type": "string", "format": "date-time"},
        "scheme": {"type": "object", "properties": {"name": {"type": "string"}, "title": {"type": "string"}, "titleEn": {"type": "string"}}},
        "count": {"type": "integer"}, "scored": {"type": "integer"}, "refused": {"type": "integer"},
        "trustList": {"type": "object", "properties": {"id": {"type": "string"}, "version": {"type": "integer"}}},
        "candidates": {"type": "array", "items": candidate_out}
    }});
    let schemas = json!({"AdmissionsRequest": request, "AdmissionsResponse": response});
    if let (Some(target), Some(add)) = (
        doc.pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut),
        schemas.as_object(),
    ) {
        for (k, v) in add {
            target.insert(k.clone(), v.clone());
        }
    }
}
